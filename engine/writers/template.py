"""The rule-based template: fills a fixed pattern with the merchant's facts, without a language model."""
from __future__ import annotations

from engine.copywriting.compose import compose_description
from engine.copywriting.copy import Copy
from engine.copywriting.plan import plan_content
from engine.copywriting.template import template_copy
from engine.core.errors import StudioError
from engine.core.settings import Settings
from engine.writers.base import LM_FIELDS, Writer
from engine.writers.registry import register_writer


@register_writer("template", "Rule-based template", "fills a fixed pattern with your facts; instant and invents nothing",
                 family="template")
class TemplateWriter(Writer):
    uses_language_model = False

    def write(self, ingested, settings: Settings) -> tuple[Copy, dict[str, dict], dict[str, list[dict]]]:
        """(copy, checks, provenance): the template's title and bullets, the description composed from the plan."""
        copy = template_copy(ingested, settings)
        checks = {kind: {"tries": 1, "as_written": _share(copy.text_of(kind), ingested)} for kind in LM_FIELDS}
        composed = compose_description(plan_content(ingested), "", ingested.source_text(), settings)
        copy.description = composed.text
        checks["description"].update(composed.stats())
        return copy, checks, {"description": [s.to_dict() for s in composed.sentences]}

    def model_for(self, ingested, settings: Settings):
        raise StudioError("the rule-based template writes without a language model")


def _share(text: str, ingested) -> float:
    from engine.scores.claims import claim_report

    share = claim_report(text, ingested.source_text())["share"]
    return 1.0 if share is None else share
