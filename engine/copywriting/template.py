"""The rule-based baseline every model is compared with: brand + key attributes + category for the title,
the content plan realised as sentences for the description."""
from __future__ import annotations

from engine.copywriting.bullets import fact_bullets
from engine.copywriting.checks import product_names, title_from_input
from engine.copywriting.plan import plan_content
from engine.copywriting.realise import realised_description
from engine.copywriting.copy import Copy, cut_at_word
from engine.core.settings import Settings

_TITLE_KEYS = ("color", "colour", "material", "type", "pattern", "style", "size")


def _pick(attributes: dict[str, str], keys) -> list[str]:
    found = []
    for wanted in keys:
        for key, value in attributes.items():
            if key.lower().replace("_", " ").endswith(wanted) and value and len(value) < 40:
                found.append(value.split(",")[0].strip())
                break
    return found


def template_copy(ingested, settings: Settings, hide: tuple[str, ...] = ()) -> Copy:
    product, attributes = ingested.product, ingested.attributes
    leaf = product.category.replace(">", "/").split("/")[-1].strip() if product.category else ""
    draft = product.title if product.title and "title" not in hide else ""
    names = [n for n in product_names(ingested) if n.lower() not in draft.lower()]  # brand, product line
    words = list(names)
    words += _pick(attributes, _TITLE_KEYS)
    words.append(draft or leaf or ("" if words else "Product"))
    title = cut_at_word(" ".join(w for w in words if w), settings.limits.title_max)
    title = title_from_input(title[:1].upper() + title[1:], ingested)  # "Shopizone ... Shopizone Pen Drives": once
    # The description is the plan's facts as prose (engine/copywriting/realise.py), not "Key: value." lines.
    description, _ = realised_description(plan_content(ingested), settings)
    bullets = fact_bullets(ingested, settings.limits.bullets_max, settings.limits.bullet_max, hide)
    return Copy(title=title, description=description, bullets=bullets)
