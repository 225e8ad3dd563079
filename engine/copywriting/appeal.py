"""What a product's facts mean for the shopper, in words that state nothing more than the facts.

A spec sheet says "Key Holder"; copy says "It keeps your keys in one place". Each rule here says what a fact or
a name already entails, and only that:

- ``purpose``: a thing named for what it does (a holder, a rack, a warmer ...) does it to the thing its
  name says ("Key Holder" -> "keeps your keys in one place"; "Bottle Warmer" -> "keeps your bottle warm").
  The object is the word of the name before the doer, so the sentence says nothing the name does not.
- ``holds_what``: a capacity with the drink its shelf or name is for ("Coffee Mugs", "Mug Capacity: 350 ml" ->
  "holds 350 ml of coffee").

The realiser (engine/copywriting/realise.py) places these sentences and keeps the facts they state as their
provenance; the claim check reads them as it reads every other sentence.
"""
from __future__ import annotations

import re

from engine.copywriting.plan import ContentPlan

# A doer noun -> what it does to its object, and whether the object is said in the plural ("keys") or as the
# shopper's one thing ("your drink"). Only doers whose use the name alone entails, and only where the sentence
# adds what the name leaves unsaid ("in one place", "warm"): "It opens bottles." for a bottle opener restates the
# name, and two blind editors in a row called it tautological (rounds ten and eleven).
_DOES = {
    "holder": ("keeps your {obj} in one place", "plural"),
    "organiser": ("keeps your {obj} in order", "plural"),
    "organizer": ("keeps your {obj} in order", "plural"),
    "rack": ("keeps your {obj} in one place", "plural"),
    "warmer": ("keeps your {obj} warm", "one"),
    "cooler": ("keeps your {obj} cool", "one"),
}
# Nouns said without a plural ("your hair", "the air", "your jewellery").
_UNCOUNTED = {"hair", "air", "water", "jewellery", "jewelry", "food", "rice", "tea", "coffee", "milk", "money", "luggage",
              "furniture", "clothing", "laundry", "soap", "room", "skin", "beard", "juice", "oil", "cheese", "bread"}
# Words before a doer that say what kind of doer it is, not what it acts on ("Wall Holder", "Multi Cutter").
_NOT_AN_OBJECT = {"wall", "desk", "table", "multi", "magnetic", "wooden", "metal", "steel", "plastic", "electric",
                  "portable", "mini", "wireless", "digital", "automatic", "manual", "universal", "travel", "car", "usb",
                  "smart", "home", "kitchen", "door", "hanging", "wall-mounted", "stainless", "room", "liquid", "set"}


def _plural(noun: str) -> str:
    if noun in _UNCOUNTED or noun.endswith("s"):
        return noun
    if re.search(r"(?:ch|sh|x|z)$", noun):
        return noun + "es"
    if re.search(r"[^aeiou]y$", noun):
        return noun[:-1] + "ies"
    return noun + "s"


def purpose(plan: ContentPlan, kind: str) -> str:
    """What a product named for what it does does ("keeps your keys in one place"), or "" for any other.
    ``kind``: what the product is, as its name ends ("key holder", "bottle opener set")."""
    words = [w for w in kind.lower().split() if w not in ("set", "kit", "combo", "pack", "pair", "of")]
    doer = next((i for i, w in enumerate(words) if w in _DOES), None)
    if doer is None or doer == 0:
        # the kind may have kept only the doer ("holder"): the name says what it holds ("Wooden Key Holder")
        name = [w.lower() for w in re.findall(r"[A-Za-z]+", plan.name)]
        doer_word = words[doer] if doer is not None else ""
        if not doer_word or doer_word not in name or name.index(doer_word) == 0:
            return ""
        words = name[: name.index(doer_word) + 1]
        doer = len(words) - 1
    thing = words[doer - 1]
    brand = {w.lower() for w in re.findall(r"[A-Za-z]+", f"{plan.brand} {plan.line}")}
    if thing in _NOT_AN_OBJECT or thing in brand or len(thing) < 3 or not thing.isalpha():
        return ""
    said, number = _DOES[words[doer]]
    obj = _plural(thing) if number == "plural" else thing
    return said.format(obj=obj)


_DRINKS = ("coffee", "tea", "beer", "wine", "water", "juice", "milk", "soup", "whisky", "whiskey")


def holds_what(plan: ContentPlan, amount: str) -> str:
    """"350 ml" of a mug on the "Coffee Mugs" shelf -> "350 ml of coffee"; the amount alone where neither the
    name nor the shelf says a drink, or says two."""
    words = set(re.findall(r"[a-z]+", f"{plan.name} {plan.category} {plan.product_type}".lower()))
    drinks = [d for d in _DRINKS if d in words]
    return f"{amount} of {drinks[0]}" if len(drinks) == 1 and re.search(r"\d\s*(?:ml|l|litres?|liters?|oz)\b", amount, re.I) \
        else amount
