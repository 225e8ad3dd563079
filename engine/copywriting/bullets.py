"""Bullet points built from the merchant's facts, so every bullet states one and none talks about itself.

Asked for bullets, the 135M model wrote "Sure!", "Here is an example of a response that uses
bullets...", markdown tables, or foods for a frying pan. Bullets are the one field where a shopper
wants the facts themselves, so they are built from them: the merchant's own bullets first, then the
attributes in the order shoppers look for them (material, type, size, colour, care, warranty), then
short sentences of the merchant's description. ``docs/EVALUATION.md`` ("Bullets") has the
comparison with bullets phrased by the language model, which is why this is the default.
"""
from __future__ import annotations

import re

from engine.copywriting.copy import SENTENCE_END, SHOP_TALK, cut_at_word

# Ids and shop bookkeeping: true, but nothing a shopper reads in a bullet.
SKIP = ("brand", "price", "style code", "model number", "model id", "sku", "id", "url", "rating", "new", "sale",
        "erin recommends", "product type", "number of contents in sales package")
YES = ("yes", "true")
NO = ("no", "false", "0", "none", "n/a")


def _label(key: str) -> str:
    words = key.replace("_", " ").strip()
    return words[:1].upper() + words[1:]


def attribute_bullet(key: str, value: str) -> str | None:
    """``material: Wool`` -> "Material: Wool"; ``eco_collection: Yes`` -> "Eco collection"; a "No" is no bullet."""
    value = value.strip()
    if not value or value.lower() in NO or key.lower().replace("_", " ") in SKIP or key.startswith("_"):
        return None
    if re.match(r"(?:box|packaging|package|pouch) material$", key.lower().replace("_", " ")):
        return None  # "Box Material: Plastic": what it ships in, not what the shopper buys
    if value.lower() in YES:
        return _label(key)
    thing = re.sub(r"\s+type$", "", key.replace("_", " ").strip(), flags=re.I)
    if thing != key.replace("_", " ").strip() and len(value.split()) <= 2 and "," not in value:
        return f"{value[:1].upper() + value[1:]} {thing.lower()}"  # "Sunscreen Type: Gel" -> "Gel sunscreen"
    return f"{_label(key)}: {value}"


def planned_bullets(ingested) -> list[str]:
    """The content plan's facts as short copy lines, in the order shoppers look for them: "Made of ceramic",
    "Holds 350 ml", "Microwave safe", "Gentle machine wash, do not bleach." A fact the realiser cannot say as
    a phrase stays "Key: value"."""
    from engine.copywriting.plan import plan_content
    from engine.copywriting.realise import care_sentence, phrase_for, short_phrase

    plan = plan_content(ingested)
    # a merchant's spec bullet ("Material: ABS plastic") is in the plan too, and already a bullet
    written = {re.sub(r"\W+", " ", b.lower()).strip() for b in ingested.product.bullets}
    out = []
    for fact in plan.facts:
        if re.sub(r"\W+", " ", fact.source.lower()).strip() in written:
            continue
        if fact.role == "care" and not fact.is_flag:
            out.append(care_sentence(fact).text)
            continue
        phrase = phrase_for(fact, f"{plan.name} {plan.product_type}")
        if phrase is not None and ":" not in phrase.rest:
            out.append(short_phrase(phrase, plan.plural))
        elif phrase is None and not fact.is_flag and fact.role not in ("package",):
            bullet = attribute_bullet(fact.key, fact.value)
            out += [bullet] if bullet else []
    return out


def fact_bullets(ingested, most: int = 5, limit: int = 250, hide: tuple[str, ...] = ()) -> list[str]:
    """Up to ``most`` bullets, each one fact of the input, the merchant's own bullets first, then the plan's
    facts as short copy lines."""
    product = ingested.product
    bullets = [] if "bullets" in hide else [b.strip() for b in product.bullets if b.strip()]
    bullets += planned_bullets(ingested)
    if len(bullets) < 3 and product.description and "description" not in hide:
        sentences = [s.strip() for s in SENTENCE_END.split(product.description) if 4 <= len(s.split()) <= 20
                     and not SHOP_TALK.search(s)]
        bullets += sentences
    seen, out = set(), []
    for bullet in bullets:
        key = re.sub(r"\W+", " ", bullet.lower()).strip()
        if key and key not in seen:
            seen.add(key)
            out.append(cut_at_word(bullet, limit))
    return out[:most]


def phrased_bullets(lm, ingested, settings, most: int = 5, hide: tuple[str, ...] = ()) -> list[str]:
    """The same facts, each rephrased by the language model (grounded decoding on); a rephrasing the
    claim check flags, or that lost the fact's words, falls back to the fact as written.
    Kept for the comparison in benchmarks/bullets.py."""
    from engine.copywriting.grounded import finish, processor_for
    from engine.scores.claims import claim_report

    facts = fact_bullets(ingested, most, settings.limits.bullet_max, hide)
    if not facts:
        return []
    listing = "\n".join(f"- {fact}" for fact in facts)
    messages = [
        {"role": "system", "content": "You rewrite product facts as short, natural bullet points. Keep every "
                                      "name, number and unit exactly; add nothing."},
        {"role": "user", "content": f"Facts:\n{listing}\n\nRewrite each fact as one short bullet point, one per "
                                    f"line, in the same order, each starting with '- '."},
    ]
    source = ingested.source_text()
    grounded = processor_for(settings, lm.tokenizer, [(source, [])])
    text = "".join(lm.stream(messages, max_new_tokens=24 * len(facts), temperature=settings.temperature,
                             top_p=settings.top_p, seed=settings.seed, logits_processor=grounded))
    if grounded is not None and grounded.cut_rows:
        text = finish(grounded, [text])[0]
    lines = [re.sub(r"^\s*(?:[-*•]|\d+[.)])\s*", "", l).strip() for l in text.splitlines() if l.strip()]
    out = []
    for fact, line in zip(facts, lines + [""] * len(facts)):
        fact_words = set(re.findall(r"[a-z0-9]+", fact.lower().split(":", 1)[-1]))
        keeps_fact = fact_words and fact_words & set(re.findall(r"[a-z0-9]+", line.lower()))
        out.append(line if line and keeps_fact and not claim_report(line, source)["flagged"] else fact)
    return out
