"""The rule-based baseline every model is compared with: brand + key attributes + category."""
from __future__ import annotations

from engine.copywriting.bullets import attribute_bullet, fact_bullets
from engine.copywriting.copy import Copy, cut_at_word
from engine.settings import Settings

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
    words = [product.brand] if product.brand and product.brand.lower() not in draft.lower() else []
    words += _pick(attributes, _TITLE_KEYS)
    words.append(draft or leaf or ("" if words else "Product"))
    title = cut_at_word(" ".join(w for w in words if w), settings.limits.title_max)
    title = title[:1].upper() + title[1:]
    details = [d for d in (attribute_bullet(k, v) for k, v in attributes.items() if len(v) < 60) if d][:5]
    description = f"{title}." + (" " + ". ".join(details) + "." if details else "")
    bullets = fact_bullets(ingested, settings.limits.bullets_max, settings.limits.bullet_max, hide)
    return Copy(title=title, description=cut_at_word(description, settings.limits.description_max), bullets=bullets)
