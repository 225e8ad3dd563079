"""Scoring entry point for copy: the context every text metric receives, and ``score_text``.

The metrics themselves live beside this file, one family per module (``reference``,
``grounding``, ``style``); each registers itself in ``registry.METRICS`` on import, so
``score_text`` simply runs whatever the registry holds for the kind of text.
"""
from __future__ import annotations

import inspect
import logging
import re
from dataclasses import dataclass
from functools import lru_cache

from ..settings import Settings
from .registry import Score, metrics_for

log = logging.getLogger(__name__)

TEXT_KINDS = ("title", "description", "bullets", "keywords")


@dataclass(frozen=True)
class TextContext:
    source_text: str  # every input text of the product (what the merchant gave)
    reference: str | None = None  # reference copy for this field (operator's or merchant's draft)
    settings: Settings = Settings()  # platform limits via settings.limits
    photo_colors: tuple[str, ...] = ()  # colour names measured in the photos (allowed in output)


_BULLET_MARK = re.compile(r"^\s*(?:[-*\u2022\u2023\u25aa\u25cf\u2013]|\d+[.)])\s*")


def split_bullets(text: str) -> list[str]:
    """One bullet per non-empty line, list marks ("-", "•", "1.") removed."""
    return [_BULLET_MARK.sub("", line).strip() for line in text.splitlines() if line.strip()]


def split_keywords(text: str) -> list[str]:
    """Comma-separated keywords (newlines and semicolons also separate)."""
    return [k.strip() for k in re.split(r"[,;\n]", text) if k.strip()]


def not_applicable(name: str, label: str, explanation: str, **details) -> Score:
    return Score(name, label, None, "n/a", explanation, None, details)


@lru_cache(maxsize=None)
def _takes_kind(fn) -> bool:
    # The registry contract is fn(output, context); text metrics that depend on the field
    # (length limits differ for titles and bullets) take an extra keyword ``kind``.
    return "kind" in inspect.signature(fn).parameters


def score_text(kind: str, text: str, context: TextContext) -> list[Score]:
    """Run every registered metric for ``kind`` (title|description|bullets|keywords).

    A metric that fails is reported as "error" on its badge rather than taking the whole
    scoring panel down: the other scores stay useful while the failure is logged.
    """
    if kind not in TEXT_KINDS:
        raise ValueError(f"unknown text kind {kind!r}; accepted: {', '.join(TEXT_KINDS)}")
    scores = []
    for metric in metrics_for(kind):
        try:
            extra = {"kind": kind} if _takes_kind(metric.fn) else {}
            scores.append(metric.fn(text, context, **extra))
        except Exception as exc:  # noqa: BLE001 - see docstring
            log.exception("metric %s failed on %s", metric.name, kind)
            scores.append(Score(metric.name, metric.label, None, "error",
                                f"Could not be computed: {exc}", None))
    return scores
