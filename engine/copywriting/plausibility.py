"""Values a merchant most likely mistyped: a 5.5 l coffee mug, a 3 kg wristwatch.

A writer bound to the merchant's facts repeats their errors faithfully, and an editor reads "holds 5.5 l"
on a mug as a mistake the copy should not have made. For a few common kinds of product, a measure far
outside what that kind ever is keeps the fact out of the description and tells the merchant why, so they
can check it. The ranges are deliberately wide: only an order-of-magnitude slip is caught.
"""
from __future__ import annotations

import re

from engine.copywriting.plan import ContentPlan, Fact

# kind words (a product whose type or name ends in one) -> (measure, lowest, highest, unit), in ml or g
RANGES = (
    (("mug", "mugs", "cup", "cups", "tumbler", "tumblers"), "capacity", 30, 1500, "ml"),
    (("glass", "glasses"), "capacity", 20, 1500, "ml"),
    (("bottle", "bottles", "flask", "flasks"), "capacity", 50, 25000, "ml"),
    (("watch", "watches"), "weight", 5, 600, "g"),
    (("ring", "rings", "earring", "earrings", "pendant", "pendants"), "weight", 0.1, 150, "g"),
    # things hung on a wall or set on a shelf: a framed print of 700 kg is a slip of g for kg
    (("painting", "paintings", "print", "prints", "poster", "posters", "showpiece", "showpieces", "sticker",
      "stickers", "clock", "clocks", "frame", "frames"), "weight", 1, 50000, "g"),
)
_TO_BASE = {"ml": 1, "l": 1000, "ltr": 1000, "litre": 1000, "liter": 1000, "cl": 10,
            "g": 1, "gm": 1, "gram": 1, "grams": 1, "kg": 1000, "mg": 0.001}
_AMOUNT = re.compile(r"(\d+(?:\.\d+)?)\s*([A-Za-z]+)\b")


def _measure(fact: Fact) -> str:
    key = fact.key.lower()
    if "capacity" in key or "volume" in key:
        return "capacity"
    return "weight" if key == "weight" else ""


def _kind_words(plan: ContentPlan) -> list[str]:
    words = re.findall(r"[a-z]+", f"{plan.name} {plan.product_type}".lower())
    return [w for w in (words[-1:] + plan.product_type.split()[-1:]) if w]


def doubtful(fact: Fact, plan: ContentPlan) -> str:
    """Why ``fact`` looks mistyped for this product ("5.5 l is unusual for a mug ..."), or ""."""
    measure = _measure(fact)
    amount = _AMOUNT.search(fact.value) if measure else None
    if not amount or amount.group(2).lower() not in _TO_BASE:
        return ""
    value = float(amount.group(1)) * _TO_BASE[amount.group(2).lower()]
    for words, range_measure, low, high, unit in RANGES:
        kind = next((w for w in _kind_words(plan) if w in words), None)
        if kind and range_measure == measure and not low <= value <= high:
            return (f"{amount.group(0)} is unusual for a {words[0]} (a {measure} of {low:g} to {high:g} {unit} is "
                    f"usual)")
    return ""


def doubtful_facts(plan: ContentPlan) -> list[tuple[Fact, str]]:
    return [(f, why) for f in plan.facts if (why := doubtful(f, plan))]
