"""Shopper Q&A: answer a shopper's question about one product from the merchant's own facts.

A wrong answer to a shopper ("yes, it is microwave safe") costs more than no answer, so an answer
only ever says back one of the merchant's facts, as a sentence ("It holds 330 ml."):

1. ``product_facts`` cuts what the merchant gave into facts: each attribute (structured, the
   notes' ``key: value`` lines, a confirmed photo label), each bullet, each sentence of the
   description, the title, brand, category and price; ``answer_facts`` also cuts a pasted spec sheet
   into its lines (a line an attribute already says is left to it).
2. ``understand`` reads the question: yes/no or not, the measure a "how many / much / big / heavy /
   long" asks for, and the topic words a fact has to cover ("hold" in "How much does it hold?").
   A follow-up with no topic of its own ("How long?", "And in black?") borrows the previous one.
3. ``retrieve`` keeps the facts that *cover* every topic word and ranks them by MiniLM cosine.
   A word is covered by the fact's own words, by a shared shopper concept (``CONCEPTS``: "hold" and
   "Capacity" both mean capacity, "rain" and "Water Resistant" both mean water) or by a WordNet
   synonym ("guarantee" ~ "warranty"). Why this mix: MiniLM ranks paraphrases well but its scores
   say nothing absolute ("Is it oven safe?" meets "Microwave Safe" at cosine 0.64, "How many come
   in one order?" meets "Pack of: 2" at 0.32), so a cosine threshold either answers the oven
   question wrongly or declines the pack one; the coverage rule is what declines, the embedding
   only orders the facts that pass it. Concepts are general shopping vocabulary, not tuned to a
   catalog; WordNet covers the long tail of synonyms. Some words are read rather than matched:
   "pure"/"real" (the value says whether: "Cotton" is, "Synthetic Leather" is not), "without" (the
   yes/no flips), a unit or a comparison ("under 1 kg": compared with the fact's quantity in one unit,
   said back in the listing's own number), a word describing a part the attribute names a kind of
   ("Are the sleeves short?" -> "It has half sleeves.", no yes or no the listing did not give), a thing the
   product resists asked as happening ("Will the glass scratch?" against "Scratch Resistant: Yes": no), a WordNet
   opposite of the one value ("Is it digital?" against "Type: Analog": no).
   When no fact covers the whole question, ``semantic_answer`` (the second reading) takes the fact MiniLM puts
   closest (an item of a listed value counts: "Features bags: Laptop Sleeve") if it covers one of the question's
   words at cosine >= ``SEMANTIC_FLOOR``, and says it plainly, never with a yes or no; it is refused for a value
   the fact lacks, a narrower kind ("a petite size"), an unsaid quality ("Are the sleeves warm?"), a "what X"
   whose X it misses, another part ("the sole" against "Outer Material").
4. ``template_answer`` says the fact back as a sentence (yes/no first when the question is yes/no);
   when nothing covers the question, ``decline`` says in plain English what the listing does not
   say, offers the closest fact it does state, and suggests the line to add. The language model
   may reword an answer (``writer="lm"``, grounded decoding + the claim check); a reworded answer
   that fails the check falls back to the template.

A ``Conversation`` is one session's questions about one product: it keeps the previous question
for follow-ups and its own list of unanswered questions. ``UnansweredLog`` keeps them on disk per
owner (a login) and product, so one merchant never sees another's.
"""
from __future__ import annotations

import hashlib
import json
import re
import threading
from dataclasses import asdict, dataclass, field
from functools import lru_cache
from pathlib import Path

# Fact and MAX_FACT_CHARS are read from here too (deprecated: import them from engine.copywriting.plan)
from engine.copywriting.plan import LISTING_SENTENCE, MAX_FACT_CHARS, Fact, listing_facts, role_of, shown_key  # noqa: F401
from engine.copywriting.realise import series
from engine.ingest import Ingested, ingest
from engine.core.product import Product

# Below these MiniLM cosines a fact that covers the question's words is still not taken: a long
# description sentence covers words by chance. Set on the development half of the hand-written
# question set (engine/evaluation/qa.py), checked on the held-out half.
ATTRIBUTE_FLOOR = 0.05
SENTENCE_FLOOR = 0.15
SENTENCE_CONCEPT_FLOOR = 0.35  # a sentence that only shares a concept with the question must be this close
THRESHOLD = ATTRIBUTE_FLOOR  # kept for callers that read one number
KEY_BONUS = 0.3        # the question names the attribute (or its concept): prefer it to a sentence
WRITERS = ("template", "lm")
DEFAULT_WRITER = "template"  # the better of the two on the eval set (docs/EVALUATION.md)

_YES, _NO = {"yes", "true", "y"}, {"no", "false", "n", "none"}
_AUXILIARIES = ("is", "are", "does", "do", "can", "will", "has", "have", "was", "were", "should", "would",
                "could", "did", "isn't", "doesn't", "can't", "won't", "any")
_YES_NO_START = re.compile(r"^\s*(?:" + "|".join(re.escape(a) for a in _AUXILIARIES) + r")\b", re.I)
_MEASURE = re.compile(r"\bhow\s+(many|much|big|large|small|heavy|light|long|tall|high|wide|deep|thick|old|far)\b",
                      re.I)
# Looks are better shown than told: these questions also get the product's clip or photos.
_LOOKS = re.compile(r"\b(?:look|looks|looking|appearance|colou?rs?|shades?|design|style|pattern|shape|"
                    r"see|show|picture|photo|photos|video|finish)\b", re.I)
_FOLLOW_UP = re.compile(r"^\s*(?:and|also|so|ok|okay|then|what about|how about|or)\b[\s,]*", re.I)
_NEGATORS = {"not", "no", "never", "without", "don't", "dont", "cannot", "can't", "isn't", "aren't", "non", "nor"}
_WORD = re.compile(r"[a-z0-9]+(?:[.'][a-z0-9]+)*")
_NUMBER = re.compile(r"\d+(?:[.,]\d+)?")
# Words of a question that carry no subject ("Is it ...?", "What is the ...?", "Can I ...?").
_QUESTION_WORDS = set("""
a an the is are was were be been being it its it's this that these those they them their there here what what's
which who whom whose when where why how does do did can could will would should shall may might must has have had
i i'm you your me my we our us of in on at to for with and or about any some tell please know get available
offer offered product item items one ones also really actually exactly just thing things
good great nice enough easily right now all day each every well too either
isn't doesn't don't can't won't aren't so ok okay then if by from into onto up out as than very much many
""".split())
# Verbs a shopper wraps a question in ("Can I *wear* it in the rain?"): they name no fact.
_GENERIC_VERBS = set("""
wear use used using put go goes buy get take bring keep need needs want work works come comes coming
carry carries let give gives see look feel say says said mention mentioned tell pick choose select throw
heat reheat plug run runs hang stay stays
""".split())
# Nouns a shopper uses for the product itself ("How much is in the bottle?"), not for a property of it.
_PRODUCT_NOUNS = set("""
shirt tshirt tee top pant pants trouser trousers short shorts boot boots shoe shoes watch mug cup bottle box mat
pool drive hoodie jacket product item thing piece one ones pair tube jar tin pouch sachet container packet
""".split())
_SELF_DETERMINERS = {"this", "these", "each", "that", "those"}
# "What kind of material?": the kind is the material's; alone ("What kind of product is it?") it asks the type.
_KIND_WORDS = {"kind", "sort", "type"}
_CONTRACTIONS = {"what's": "what is", "it's": "it is", "who's": "who is", "where's": "where is", "how's": "how is",
                 "there's": "there is", "that's": "that is", "i'm": "i am", "isn't": "is not", "doesn't": "does not",
                 "can't": "cannot", "won't": "will not", "aren't": "are not", "don't": "do not"}
# "How much is in the bottle?" asks the quantity, not the price.
_AMOUNT_ASKED = re.compile(r"\bhow much\b.*\b(?:hold|holds|fit|fits|store|stores|contain|contains|in it|is in|comes in|"
                           r"inside)\b", re.I)
# "Can I *iron* it?", "Should I *bleach* them?": the word after "I" is what the shopper does, not a value
# ("iron" the metal, "bleach" the colour).
_ACTION = re.compile(r"\b(?:can|could|should|do|may|must|will|would)\s+(?:i|you|we)\s+(\w+)\b", re.I)
# What comes in the box: answered by "Sales Package" / "In The Box", not by a count ("Pack of 1").
_CONTENTS_ASKED = re.compile(r"\b(?:come|comes|coming|ship|ships)\s+with\b|\binclud(?:e|es|ed|ing)\b|"
                             r"\bin\s+the\s+(?:box|package|pack|set|kit)\b|\bwhat\b.*\b(?:box|package|pack|set|kit)\b",
                             re.I)
_BRAND_ASKED = re.compile(r"\bwho\s+(?:makes|made|manufactures|manufactured|produces)\b|\bmade by\b|\bwhich company\b", re.I)
# "Is it microwave safe?" is about the microwave; "safe" only says "works with" (as in engine.scores.claims).
_COMPATIBILITY = {"safe", "friendly", "proof", "compatible", "suitable", "ok", "okay", "usable"}

# "Is it *pure* cotton?", "Is the upper *real* leather?": a word that asks whether the material is the
# genuine one, not a topic of its own. The value answers it: "Cotton" is, "Synthetic Leather" is not.
_GENUINE = {"pure", "real", "genuine", "authentic", "true", "original", "solid", "100"}
# Words of a fact that speak to whether a thing is the genuine one ("Natural/Synthetic Diamond: Natural Diamond").
_GENUINE_SAID = {"pure", "real", "genuine", "authentic", "original", "natural", "precious", "synthetic",
                 "artificial", "imitation", "faux", "fake"}
# Value words that say a material is an imitation of the one named after them.
_IMITATION = {"synthetic", "artificial", "faux", "fake", "imitation", "pu", "vegan", "leatherette", "manmade",
              "man", "made", "polyurethane", "rexine", "mock", "simulated", "blend", "blended"}
# Sizes said in words ("in an extra large?") and the letters listings use ("XL").
_SIZE_WORDS = [(re.compile(r"\b(?:double|two|2)[- ]?(?:extra|x)[- ]?large\b|\bextra[- ]extra[- ]large\b", re.I), "XXL"),
               (re.compile(r"\b(?:triple|three|3)[- ]?(?:extra|x)[- ]?large\b", re.I), "XXXL"),
               (re.compile(r"\bextra[- ]large\b", re.I), "XL"), (re.compile(r"\bextra[- ]small\b", re.I), "XS")]
_SIZE_LETTERS = {"xs", "xxs", "xl", "xxl", "xxxl", "2xl", "3xl", "4xl", "5xl"}
# Units: a quantity asked ("Is it under 1 kg?", "Does it hold a litre?") is compared with the fact's in one
# base unit per dimension; the answer still says only the fact's own number.
_UNITS = {"ml": ("volume", 1), "millilitre": ("volume", 1), "milliliter": ("volume", 1), "cl": ("volume", 10),
          "l": ("volume", 1000), "ltr": ("volume", 1000), "litre": ("volume", 1000), "liter": ("volume", 1000),
          "mg": ("mass", 0.001), "g": ("mass", 1), "gm": ("mass", 1), "gms": ("mass", 1), "gram": ("mass", 1),
          "kg": ("mass", 1000), "kilo": ("mass", 1000), "kilogram": ("mass", 1000), "lb": ("mass", 453.6),
          "lbs": ("mass", 453.6),
          "mm": ("length", 1), "millimetre": ("length", 1), "millimeter": ("length", 1), "cm": ("length", 10),
          "centimetre": ("length", 10), "centimeter": ("length", 10), "m": ("length", 1000), "metre": ("length", 1000),
          "meter": ("length", 1000), "inch": ("length", 25.4), "inches": ("length", 25.4), "ft": ("length", 304.8),
          "feet": ("length", 304.8), "foot": ("length", 304.8),
          "mb": ("data", 0.001), "gb": ("data", 1), "tb": ("data", 1000), "mah": ("charge", 1)}
_UNIT_CONCEPT = {"volume": "capacity", "mass": "weight", "length": "dimension", "data": "capacity"}
_SPELLED_UNITS = ("millilitre", "milliliter", "litre", "liter", "kilo", "kilogram", "gram", "metre", "meter",
                  "centimetre", "centimeter", "millimetre", "millimeter", "inch", "foot")
_QUANTITY = re.compile(r"(?<![\w.])(?:(\d+(?:\.\d+)?)\s*(" + "|".join(sorted(_UNITS, key=len, reverse=True))
                       + r")|(a|an|one)\s+(" + "|".join(_SPELLED_UNITS) + r"))(?:e?s)?\b", re.I)
_AT_LEAST = re.compile(r"\b(?:more than|over|above|at least|bigger than|larger than|longer than|heavier than|"
                       r"taller than|wider than|greater than|min(?:imum)?(?: of)?)\s+(?:a |an )?\d*", re.I)
_AT_MOST = re.compile(r"\b(?:less than|under|below|at most|up to|smaller than|lighter than|shorter than|"
                      r"no more than|max(?:imum)?(?: of)?|within)\s+(?:a |an )?\d*", re.I)
_COMPARATORS = {"more", "less", "over", "under", "above", "below", "least", "most", "than", "bigger", "smaller",
                "larger", "longer", "shorter", "heavier", "lighter", "taller", "wider", "greater", "up", "within",
                "minimum", "maximum", "min", "max"}
_MEASURES = {"weight", "height", "length", "width", "depth", "dimension", "capacity", "size"}
# Paired parts: said in the plural ("It has half sleeves.").
_PAIRED = {"sleeve", "cuff"}

# Shopping concepts: a word in a question or in a fact that means the same thing as another
# ("hold" ~ "capacity"). General shopper vocabulary, written before the question set.
CONCEPTS: dict[str, set[str]] = {
    "capacity": {"capacity", "hold", "volume", "litre", "liter", "ml", "fill", "store", "storage", "gb", "quantity",
                 "contain", "contains"},
    "material": {"material", "made", "make", "fabric", "fibre", "fiber", "cloth", "build", "built", "constructed",
                 "construction", "manufactured", "composition"},
    "audience": {"ideal", "meant", "intended", "suit", "suited", "target", "gender", "who", "audience", "men", "women",
                 "man", "woman", "boy", "girl", "kid", "kids", "child", "children", "baby", "babies", "infant",
                 "unisex", "ladies", "lady", "gents", "male", "female", "toddler", "adult", "adults"},
    "count": {"pack", "order", "piece", "pieces", "set", "two", "three", "four", "unit", "units", "count",
              "contents", "content", "package", "included", "include", "includes", "inside", "quantity", "number",
              "pair", "pairs", "many"},
    "warranty": {"warranty", "guarantee", "guaranty", "warrantee", "guaranteed"},
    "water": {"water", "waterproof", "rain", "raining", "rainy", "wet", "swim", "swimming", "shower", "splash",
              "monsoon", "underwater", "dive", "diving"},  # not "resistant": "Scratch Resistant" is no water
    "weight": {"weight", "weigh", "weighs", "heavy", "light", "lightweight", "mass", "kg", "gram", "grams"},
    "height": {"height", "tall", "high"},
    "length": {"length", "long"},
    "width": {"width", "wide", "broad", "breadth"},
    "depth": {"depth", "deep", "thick", "thickness"},
    "dimension": {"dimension", "dimensions", "big", "large", "small", "measure", "measurement", "measurements",
                  "height", "width", "length", "depth", "diameter", "tall", "wide", "long"},
    "price": {"price", "cost", "costs", "expensive", "cheap", "pay", "rupees", "rs", "inr", "usd", "dollar",
              "dollars", "mrp"},
    "color": {"color", "colour", "colors", "colours", "shade", "shades"},
    "size": {"size", "sizes", "small", "large"},  # not "fit": "Fit: Slim" is a cut, not a size
    "wash": {"wash", "washable", "washing", "clean", "cleaning", "care", "laundry", "dry", "iron", "bleach", "tumble",
             "dryer"},
    "brand": {"brand", "maker", "manufacturer", "company"},
    "power": {"battery", "batteries", "power", "powered", "charge", "charging", "electric", "plug", "cell"},
    "type": {"type", "kind", "sort", "style"},
    "occasion": {"occasion", "party", "wedding", "formal", "casual", "office", "festive", "sports"},
    "pattern": {"pattern", "print", "printed", "plain", "solid", "design"},
    "weather": {"climate", "weather", "cold", "winter", "summer", "warm", "hot", "cool", "season", "wintry", "windy",
                "warmth"},
    "age": {"age", "old", "years", "year"},
    "closure": {"closure", "fasten", "laces", "lace", "zip", "zipper", "velcro", "buckle", "slip", "strap"},
    "microwave": {"microwave", "microwaveable"},
    "dishwasher": {"dishwasher"},
    "oven": {"oven"},
    "freezer": {"freezer", "freeze", "frozen"},
    "stopwatch": {"stopwatch", "chronograph", "timer", "lap"},
    "alarm": {"alarm", "wake", "morning"},
    "sound": {"beep", "beeps", "sound", "audible", "buzz", "buzzer", "loud", "noise", "siren"},
    "wireless": {"wire", "wires", "wired", "wireless", "cable", "cabling", "cordless"},
    "dial": {"face", "dial"},
    "strap": {"band", "strap", "bracelet"},
    "stretch": {"stretch", "stretchy", "elastic", "lycra", "spandex", "elastane", "stretchable"},
    "breathable": {"breathable", "ventilation", "ventilating", "mesh", "airy", "breathe"},
    "sweat": {"sweat", "moisture", "wicking", "wick", "perspiration", "quick-drying"},
    "visibility": {"reflective", "night", "dark", "glow", "luminous", "visible", "visibility"},
    "hook": {"hook", "hooks", "hang", "hanger", "peg"},
    "outer": {"upper", "outer", "outside", "exterior"},
    "diameter": {"diameter", "around", "circumference", "across"},
    "sale": {"sale", "discount", "discounted", "offer", "deal", "clearance"},
    "level": {"level", "beginner", "beginners", "novice", "intermediate", "amateur", "learner", "learners"},
    "scent": {"smell", "smells", "scent", "scented", "fragrance", "fragrant", "aroma", "perfume", "perfumed", "odour",
              "odor", "unscented"},
    "collection": {"collection", "range", "series", "edition", "lineup"},
    "heel": {"heel", "heels", "flat", "flats", "stiletto", "wedge"},
    # how a garment sits on the body ("Loose fit.", "Snug"); not "fit" itself, a verb too ("Will it fit a bed?")
    "cut": {"tight", "snug", "loose", "baggy", "slim", "skinny", "relaxed", "oversized", "roomy"},
    "origin": {"origin", "country", "imported", "import"},
    "speed": {"speed", "fast", "faster", "mbps", "gbps", "rpm"},
    "toe": {"toe", "tip"},
    "sun": {"sun", "uv", "upf", "spf", "sunscreen", "sunblock", "sunburn", "sunlight"},  # sun protection  # a shoe's "Tip Shape" is the shape of its toe
    "shape": {"shape", "round", "square", "rectangle", "rectangular", "oval", "circular", "triangular", "pointed",
              "pointy", "oblong"},
    "package": {"box", "package", "packaging", "packed", "contents", "included", "include", "includes"},
}
# Values that are a kind of the concept, whatever the attribute's name ("Color: Leopard" answers "What pattern?").
PATTERNS = {"striped", "stripe", "stripes", "checked", "checkered", "chequered", "plaid", "tartan", "floral", "polka",
            "dotted", "paisley", "camouflage", "camo", "leopard", "zebra", "tiger", "geometric", "abstract", "ombre",
            "houndstooth", "herringbone", "embroidered", "graphic", "printed", "solid", "plain", "colorblock",
            "colourblock", "argyle", "animal"}
# The "how <adjective>" of a question names the concept it measures.
_MEASURE_CONCEPT = {"many": "count", "much": "price", "big": "dimension", "large": "dimension",
                    "small": "dimension", "heavy": "weight", "light": "weight", "long": "length", "tall": "height",
                    "high": "height", "wide": "width", "deep": "depth", "thick": "depth", "old": "age", "far": "length"}
# Values a shopper asks about by name ("Is it for women?"): the fact's own list answers them.
_AUDIENCE_VALUES = {"men", "women", "man", "woman", "boy", "girl", "kid", "child", "baby", "unisex", "lady",
                    "ladies", "gents", "male", "female", "toddler", "adult", "infant"}


@lru_cache(maxsize=1)
def _wordnet():
    from engine.scores.reference import load_wordnet

    return load_wordnet()


@lru_cache(maxsize=4096)
def _fold(word: str) -> str:
    """One form per word ("holds" == "hold", "colours" == "color", "made" == "make"): WordNet's
    morphology where it knows the word, a plural fold where it does not."""
    word = word.lower().replace("colour", "color").replace("grey", "gray").strip("'.")
    if word.endswith("'s"):
        word = word[:-2]
    wordnet = _wordnet()
    if wordnet is not None and word.isalpha() and len(word) > 3:
        for pos in ("n", "v"):
            base = wordnet.morphy(word, pos)
            if base and base != word and " " not in base and "_" not in base:
                return base
    for suffix in ("ies", "es", "s"):
        if len(word) > 4 and word.endswith(suffix) and not word.endswith("ss"):
            return _american(word[: -len(suffix)] + ("y" if suffix == "ies" else ""))
    return _american(word)


# British spellings a listing may write the other way ("Flavor" for "flavour", "Analog" for "analogue").
_BRITISH = (("our", "or"), ("tre", "ter"), ("ogue", "og"), ("ellery", "elry"))


@lru_cache(maxsize=4096)
def _american(word: str) -> str:
    """The American spelling when WordNet knows both forms as one word (a shared sense), else the word."""
    wordnet = _wordnet()
    if wordnet is None or len(word) < 5:
        return word
    for british, american in _BRITISH:
        if word.endswith(british):
            other = word[: -len(british)] + american
            if set(wordnet.synsets(word)) & set(wordnet.synsets(other)):
                return other
    return word


@lru_cache(maxsize=1)
def _concepts_by_word() -> dict[str, frozenset[str]]:
    from engine.scores.vocab import COLORS, MATERIALS

    found: dict[str, set[str]] = {}
    for concept, words in CONCEPTS.items():
        for word in words:
            found.setdefault(_fold(word), set()).add(concept)
    for colour in COLORS:
        if " " not in colour:
            found.setdefault(_fold(colour), set()).add("color")
    for material in MATERIALS:
        if " " not in material:
            found.setdefault(_fold(material), set()).add("material")
    for pattern in PATTERNS:
        found.setdefault(_fold(pattern), set()).add("pattern")
    for letters in _SIZE_LETTERS:
        found.setdefault(letters, set()).add("size")
    return {word: frozenset(concepts) for word, concepts in found.items()}


def concepts_of(word: str) -> frozenset[str]:
    return _concepts_by_word().get(_fold(word), frozenset())


@lru_cache(maxsize=4096)
def synonyms(word: str) -> frozenset[str]:
    """WordNet synonyms of the word's first senses (one-word lemmas, folded): "guarantee" -> "warranty"."""
    wordnet = _wordnet()
    if wordnet is None or not word.isalpha():
        return frozenset()
    found = set()
    senses = wordnet.synsets(word)[:4]
    # the word's first part of speech only: "handles" asked as a thing is a grip, not the verb "to cover" a topic
    first = senses[0].pos().replace("s", "a") if senses else ""
    for synset in senses:
        if synset.pos().replace("s", "a") != first:
            continue
        for lemma in synset.lemmas():
            name = lemma.name().lower()
            if "_" not in name:
                found.add(_fold(name))
                if "-" in name:  # "hand-crafted" is also written closed: "Handcrafted"
                    found.add(_fold(name.replace("-", "")))
            for related in lemma.derivationally_related_forms()[:3]:
                if "_" not in related.name():
                    found.add(_fold(related.name().lower()))
    found.discard(_fold(word))
    return frozenset(found)


@lru_cache(maxsize=4096)
def antonyms(word: str) -> frozenset[str]:
    """WordNet's opposites of an adjective's first senses, folded ("digital" -> "analog", "hard" -> "easy"); a
    satellite sense ("baggy") takes its head's ("loose" -> "tight")."""
    wordnet = _wordnet()
    if wordnet is None or not word.isalpha():
        return frozenset()
    found = set()
    for synset in [s for s in wordnet.synsets(word) if s.pos() in ("a", "s")][:3]:
        for head in [synset] if synset.pos() == "a" else synset.similar_tos()[:1]:
            for lemma in head.lemmas():  # "hard" is "difficult" there, whose opposite is "easy"
                found |= {_fold(a.name().lower()) for a in lemma.antonyms() if "_" not in a.name()}
    return frozenset(found)


def words_of(text: str) -> list[str]:
    return _WORD.findall(text.lower().replace("_", " ").replace("/", " ").replace("-", " "))


def terms(text: str) -> set[str]:
    """The content words of ``text``, folded, plus the concepts they name (as "~concept")."""
    words = {_fold(w) for w in words_of(text) if w not in _QUESTION_WORDS}
    return words | {"~" + c for w in words for c in concepts_of(w)}


# Section headings of a pasted spec sheet that are no attribute of their own.
_SHEET_HEADINGS = ("in the box", "additional details", "additional features", "general details", "general",
                   "dimensions", "body features", "product details", "other details", "warranty")
_ANOTHER_ATTRIBUTE = re.compile(r"\.\s+([A-Z][A-Za-z ]{1,30}):\s+(?=\S)")


def _sheet_segments(sentence: str, keys: list[str]) -> list[str]:
    """A pasted spec sheet ("Specifications of X General Pattern Printed Ideal For Baby Girl's ... Neck Round Neck
    In the Box 2 Tshirt ...") cut where the listing's own attribute names (or a sheet's headings) start; [] for a
    sentence that names fewer than three of them."""
    lowered = sentence.lower()
    found = []
    for name in sorted({k.lower() for k in keys if len(k) >= 3} | set(_SHEET_HEADINGS), key=len, reverse=True):
        for hit in re.finditer(r"(?<![\w'])" + re.escape(name) + r"(?![\w'])", lowered):
            if not any(a <= hit.start() < b or hit.start() <= a < hit.end() for a, b, _ in found):
                found.append((hit.start(), hit.end(), name in _SHEET_HEADINGS and name not in
                              {k.lower() for k in keys}))
    if sum(not heading for _, _, heading in found) < 3:
        return []
    found.sort()
    cuts = [(0, 0, False)] + found
    segments = []
    for (start, end, heading), (following, _, _) in zip(cuts, cuts[1:] + [(len(sentence), 0, False)]):
        segment = sentence[end if heading else start: following].strip(" ,;:-")
        if len(words_of(segment)) >= 1:
            segments.append(segment)
    return segments


def answer_facts(ingested: Ingested, photo_labels: tuple[str, ...] = ()) -> list[Fact]:
    """The listing's facts as Q&A answers from them: ``listing_facts``, with a pasted spec sheet cut into its
    lines (each one that says more than an attribute already does kept as a sentence, read in full rather than
    cut at MAX_FACT_CHARS), so that one sentence holding every attribute never answers for all of them; and an
    attribute whose value holds a second one ("Weight: 2 lbs, 8 oz. Volume: 29 L.") read as two."""
    facts = product_facts(ingested, photo_labels)
    keys = [f.key for f in facts if f.kind == "attribute"]
    attribute_words = [frozenset(_fold(w) for w in words_of(f.text)) for f in facts if f.kind == "attribute"]
    sentences = [s.strip() for s in LISTING_SENTENCE.split(ingested.product.description or "") if len(s.strip()) > 2]
    kept, seen = [], {f.text.lower() for f in facts}
    for fact in facts:
        if fact.kind == "attribute" and _ANOTHER_ATTRIBUTE.search(fact.value):
            first, *rest = _ANOTHER_ATTRIBUTE.split(fact.value)
            kept.append(Fact(fact.role, fact.key, first.strip(), f"{fact.key}: {first.strip()}", kind=fact.kind))
            for key, value in zip(rest[::2], rest[1::2]):
                value = value.strip().rstrip(".")
                kept.append(Fact(role_of(key), key.strip(), value, f"{key.strip()}: {value}", kind=fact.kind))
            continue
        whole = next((s for s in sentences if s.startswith(fact.text)), fact.text) \
            if fact.kind == "description" else fact.text
        segments = _sheet_segments(whole, keys) if fact.kind in ("description", "bullet") else []
        if not segments:
            kept.append(fact)
            continue
        title = {_fold(w) for w in words_of(ingested.product.title)} | {"specification", "key", "feature", "of"}
        for number, segment in enumerate(segments):
            said = frozenset(_fold(w) for w in words_of(segment))
            if any(said <= words for words in attribute_words) or segment.lower() in seen:
                continue  # "Body Material Wood": the attribute says it
            if number == 0 and len(said & title) >= 0.6 * len(said):
                continue  # "Specifications of <the title> (White)": the sheet's heading names the product
            seen.add(segment.lower())
            kept.append(Fact("sheet", "", "", segment[:MAX_FACT_CHARS], kind=fact.kind))
    return kept


# One fact type for the copy plan, Q&A and variants: a Q&A fact is an ``engine.copywriting.plan.Fact`` whose
# ``kind`` says where it was read and whose ``text`` ("Microwave safe: No") is shown as an answer's source.
# ``product_facts`` (what the listing gives, unchosen) is ``engine.copywriting.plan.listing_facts``.
product_facts = listing_facts


@dataclass
class Match:
    fact: Fact
    score: float            # cosine + KEY_BONUS when the question names the attribute
    cosine: float
    shared: set[str]        # question topic words the fact covers
    missing: set[str] = field(default_factory=set)  # topic words it does not cover
    described: set[str] = field(default_factory=set)  # words describing the part the value names a kind of
    opposed: set[str] = field(default_factory=set)  # words asked whose opposite the fact says ("digital" / "Analog")


@dataclass
class Question:
    """A question as asked and as understood (a follow-up borrows the previous topic)."""
    text: str
    query: str               # what retrieval embeds
    yes_no: bool
    subject: set[str]        # topic words a fact must cover (folded)
    follow_up: bool = False
    measure: str | None = None        # the concept a "how many/much/big/..." asks for
    optional: set[str] = field(default_factory=set)  # words that name the product itself (in its title)
    asked_as: dict[str, str] = field(default_factory=dict)  # folded topic word -> the shopper's own word
    genuine: set[str] = field(default_factory=set)   # words asked as the genuine thing ("real leather")
    without: set[str] = field(default_factory=set)   # words asked as absent ("without wires"): the yes/no flips
    kind_of: str | None = None                       # "what kind of neck": the thing whose kind is asked
    quantities: list = field(default_factory=list)   # (dimension, amount in the base unit) asked
    comparison: str = "="                            # "<=" ("under 1 kg"), ">=" ("more than 300 ml") or "="
    numbers: set[str] = field(default_factory=set)   # the counts and numbers the question names
    verbs: set[str] = field(default_factory=set)     # words used as the shopper's action ("Can I *iron* it?")
    contents: bool = False                           # asks what comes in the box ("Does it come with a cable?")


@dataclass
class Answer:
    question: str
    text: str
    answered: bool
    facts: list[str]              # the merchant's facts the answer used, as written
    suggestion: str = ""          # for a declined question: the line to add to the listing
    writer: str = "template"      # template | lm (lm only when its answer passed the claim check)
    polarity: str | None = None   # "yes" | "no" | None for a question that is not yes/no
    follow_up: bool = False
    score: float = 0.0
    about_looks: bool = False     # the shopper asks how it looks: show the product's photos or video too
    closest: str = ""             # for a declined question: the nearest fact the listing does state

    def to_dict(self) -> dict:
        return asdict(self)


# --- understanding the question ----------------------------------------------------------

def _topic_words(text: str) -> list[str]:
    """Content words a fact has to cover, in the order asked."""
    return _read_words(text)[0]


def _read_words(text: str) -> tuple[list[str], set[str], set[str]]:
    """(topic words, words asked as genuine ("real leather"), words asked as absent ("without wires")).

    Qualifiers ("pure", "real"), "without", units ("in cm", "330 ml"), comparisons ("under 1 kg") and the
    "like" of "What is the fit like?" name no fact of their own: the answer reads them, the retrieval does not."""
    words = words_of(text)
    measured = {m.group(1).lower() for m in _MEASURE.finditer(text)}
    quantity = bool(_NUMBER.search(text))
    asks_what = bool(words) and words[0] in ("what", "how")  # "What is the fit like?", "What does it smell like?"
    kept, genuine, without = [], set(), set()
    qualified = negated = False
    for i, word in enumerate(words):
        if word in _GENUINE and i + 1 < len(words) and words[i + 1] not in _QUESTION_WORDS:
            qualified = True
            continue
        if word in _GENUINE and i == len(words) - 1 and kept and i >= 2:
            genuine.add(_fold(kept[-1]))  # "Are the diamonds real?"
            continue
        if word == "without":
            negated = True
            continue
        if word in _QUESTION_WORDS or _NUMBER.fullmatch(word):
            continue
        if word in _GENERIC_VERBS and not (i and words[i - 1] in ("the", "a", "an", "of", "its", "their")):
            continue  # "Can I *plug* it in?" names no fact; "What kind of *plug*?", "the *run* time" do
        if word in measured and i and words[i - 1] == "how":
            continue  # "how long": the measure, not a topic
        if _unit(word) and i and (_NUMBER.fullmatch(words[i - 1]) or (words[i - 1] in ("a", "an", "one") and len(word) > 2)
                                  or (words[i - 1] in ("in", "many", "much") and len(word) > 1)):
            continue  # "330 ml", "a litre", "in cm", "how many inches": the unit of the measure asked (not "in L")
        if word in _COMPARATORS and quantity:
            continue
        if word == "like" and asks_what and i == len(words) - 1:
            continue  # "What is the fit like?"
        if qualified:
            genuine.add(_fold(word))
        if negated:
            without.add(_fold(word))
        qualified = negated = False
        kept.append(word)
    if any(w not in _KIND_WORDS for w in kept):
        kept = [w for w in kept if w not in _KIND_WORDS]
    return kept, genuine, without


def _unit(word: str) -> tuple[str, float] | None:
    """(dimension, factor) of a unit word ("litres", "kg"), None for any other word."""
    word = word.lower()
    return _UNITS.get(word) or (_UNITS.get(word[:-1]) if word.endswith("s") and len(word) > 3 else None)


def _quantities(text: str) -> list[tuple[str, float]]:
    """(dimension, amount in the base unit) for each quantity with a unit: "1 kg" -> ("mass", 1000.0)."""
    found = []
    for number, unit, _, spelled in _QUANTITY.findall(text):
        dimension, factor = _UNITS[(unit or spelled).lower()]
        found.append((dimension, (float(number) if number else 1.0) * factor))
    return found


def _self_references(text: str) -> set[str]:
    """Words that name the product itself: "this shirt", "each boot", "the bottle"."""
    words = words_of(text)
    named = set()
    for before, word in zip(words, words[1:]):
        if word.endswith("'s") or _is_value_word(word):
            continue  # "these men's boots": "men's" says who they are for, not what the product is
        if (before in _SELF_DETERMINERS and _is_noun(word)) or (before in ("the", "my", "it") and word in _PRODUCT_NOUNS):
            named.add(_fold(word))
    return named


def _is_noun(word: str) -> bool:
    """"this shirt" names the product; "this made (out of)" does not."""
    if word in _PRODUCT_NOUNS:
        return True
    wordnet = _wordnet()
    return wordnet is not None and word not in _QUESTION_WORDS and bool(wordnet.synsets(word, pos="n"))


def _spelled_out(text: str) -> str:
    text = " ".join(text.replace("\u2019", "'").split())
    return re.sub(r"\b(" + "|".join(re.escape(c) for c in _CONTRACTIONS) + r")\b",
                  lambda m: _CONTRACTIONS[m.group(1).lower()], text, flags=re.I)


_FAMILY_WORDS = {**dict.fromkeys(("husband", "boyfriend", "father", "dad", "brother", "grandfather", "grandpa",
                                   "uncle"), "men"),
                 **dict.fromkeys(("wife", "girlfriend", "mother", "mom", "mum", "sister", "grandmother", "grandma",
                                  "aunt"), "women"),
                 **dict.fromkeys(("son", "nephew"), "boys"), **dict.fromkeys(("daughter", "niece"), "girls")}
_FAMILY = re.compile(r"\b(?:my|our|your)\s+(" + "|".join(_FAMILY_WORDS) + r")\b", re.I)


def _normalised(text: str) -> str:
    """Contractions spelled out and "who makes it" read as the brand, so the rules see one form."""
    text = " ".join(text.replace("\u2019", "'").split())
    text = re.sub(r"\b(" + "|".join(re.escape(c) for c in _CONTRACTIONS) + r")\b",
                  lambda m: _CONTRACTIONS[m.group(1).lower()], text, flags=re.I)
    text = _BRAND_ASKED.sub("what brand", text)
    # "Can my husband use it?" asks whether it is for men: the listing's "Ideal For" answers it
    text = _FAMILY.sub(lambda m: _FAMILY_WORDS[m.group(1).lower()], text)
    text = re.sub(r"\b(?:marked|knocked)\s+down\b", "discounted", text, flags=re.I)  # "Is it marked down?": on sale
    text = re.sub(r"\blong[- ]sleeve(s|d)?\b", "full sleeve", text, flags=re.I)  # a long sleeve is a full sleeve
    text = re.sub(r"\binside[- ]out\b", "reversible", text, flags=re.I)  # "Can I wear it inside out?"
    text = re.sub(r"\b(?:brand[- ]new|new arrivals?|just arrived)\b", "new", text, flags=re.I)  # "a new arrival": New
    text = re.sub(r"\b(\d+)(?:\s*(?:inch|in|\"))?\s+waist\b", r"size \1", text, flags=re.I)  # "a 34 waist" is size 34
    text = re.sub(r"\b100\s*(?:%|percent\b|per cent\b)", "pure", text, flags=re.I)  # "100% cotton" = "pure cotton"
    text = re.sub(r"(\d)(" + "|".join(sorted(_UNITS, key=len, reverse=True)) + r")\b", r"\1 \2", text, flags=re.I)
    for pattern, letters in _SIZE_WORDS:  # "an extra large" is the "XL" of the listing
        text = pattern.sub(letters, text)
    return text


def understand(text: str, previous: Question | None = None, product_words: set[str] = frozenset()) -> Question:
    """The question's topic and form; a follow-up without a topic of its own reuses the previous one."""
    text = " ".join(text.split())
    normal = _normalised(text)
    lead = _FOLLOW_UP.match(normal)
    body = normal[lead.end():] if lead else normal
    measure_match = _MEASURE.search(body)
    measure = _MEASURE_CONCEPT.get(measure_match.group(1).lower()) if measure_match else None
    if measure == "price" and _AMOUNT_ASKED.search(body):
        measure = "capacity"
    if measure == "price" and re.search(r"\bhow much\b.*\bweigh", body, re.I):
        measure = "weight"
    amount = re.search(r"\bhow much\s+([a-z]+)", body, re.I)
    if measure == "price" and amount and _is_noun(amount.group(1).lower()) and not (
            concepts_of(amount.group(1)) & {"price"} or amount.group(1).lower() in _AUXILIARIES
            or amount.group(1).lower() in _PERSONS or amount.group(1).lower() in ("money", "more", "less", "for")):
        measure = "capacity"  # "How much cream is there?" asks the amount of cream, not what it costs
    quantities = _quantities(body)
    if quantities:  # "Is it under 1 kg?", "How many ml?": the unit names the measure ("10 cm tall": the height)
        unit_measure = _UNIT_CONCEPT[quantities[0][0]]
        measure = measure if unit_measure == "dimension" and measure in _DIMENSIONS and measure != "capacity" \
            else unit_measure
    else:
        unit = next((w for w in words_of(body) if _unit(w) and w not in ("m", "l", "g")), None)
        if unit and re.search(r"\b(?:in|many|much)\s+" + unit + r"\b", body, re.I):
            measure = measure if measure not in (None, "count", "price") else _UNIT_CONCEPT[_unit(unit)[0]]
    comparison = ">=" if _AT_LEAST.search(body) else "<=" if _AT_MOST.search(body) else "="
    yes_no = bool(_YES_NO_START.match(body))
    said, genuine, without = _read_words(body)
    own = [_fold(w) for w in said]
    asked_as = dict(zip(own, said))
    # "safe" in "Is it microwave safe?" only says "works with": "Not for microwave use." answers it.
    optional = {w for w in own if w in product_words or w in _COMPATIBILITY} | _self_references(body)
    if measure == "dimension":  # "Is it more than 10 cm tall?": the height, not any length
        measure = next((c for w in own for c in sorted(concepts_of(w)) if c in ("height", "length", "width", "depth")),
                       measure)
    if measure == "capacity" and _AMOUNT_ASKED.search(body):
        held = re.search(r"\bhow\s+(?:much|many)\s+(.+?)\s+(?:does|do|can|will|would|could|is|are)\b", body, re.I)
        optional |= {_fold(w) for w in words_of(held.group(1))} if held else set()  # "How much *food* does it hold?"
    kind = re.search(r"\b(?:kind|sort|type|style)s?\s+of\s+(\w+)", body, re.I)
    kind_of = _fold(kind.group(1)) if kind and _fold(kind.group(1)) in own else None
    if re.match(r"^\s*where\b", body, re.I) and own:
        # "Where is it made?" asks the origin, not the material; "Where can I use it?" the place
        made = [w for w in own if "material" in concepts_of(w) and not _is_value_word(w)]
        if made:
            own = [w for w in own if w not in made] + ["origin"]
            asked_as["origin"] = "origin"
    if re.match(r"^\s*who\b", body, re.I) and not _BRAND_ASKED.search(body) and not any(
            "audience" in concepts_of(w) for w in own):
        own = own + ["audience"]  # "Who can use them?" asks whom it is meant for
        asked_as["audience"] = "who it is for"
    verbs = {_fold(m.group(1)) for m in _ACTION.finditer(body)}
    # "What is the box made of?" asks the box's material, not what comes in it
    contents = bool(_CONTENTS_ASKED.search(body)) and measure != "count" and not any(
        "material" in concepts_of(w) for w in own)
    if contents:  # "What comes in the box?": the box is the package, not the product itself
        optional -= {w for w in own if "package" in concepts_of(w)}
    extra = dict(genuine=genuine, without=without, kind_of=kind_of, quantities=quantities, comparison=comparison,
                 numbers=_numbers(body), verbs=verbs, contents=contents)
    value_only = own and all(_is_value_word(w) for w in own)
    elliptical = not own and (lead or len(words_of(body)) <= 2 or measure is None)
    if previous is not None and (elliptical or (lead and value_only)):
        # "How long?" after "Is there a guarantee?": the warranty, measured; "and in black?": the colours again.
        subject = set(own) | (previous.subject if not own else {w for w in previous.subject if not _is_value_word(w)})
        return Question(text, f"{previous.query} {body}", previous.yes_no if lead else yes_no, subject,
                        follow_up=True, measure=measure or (previous.measure if not own else None),
                        optional=previous.optional | optional, asked_as={**previous.asked_as, **asked_as}, **extra)
    return Question(text, body or text, yes_no, set(own), follow_up=bool(lead) and previous is not None,
                    measure=measure, optional=optional, asked_as=asked_as, **extra)


@lru_cache(maxsize=1)
def _value_words() -> frozenset[str]:
    from engine.scores.vocab import COLORS, MATERIALS

    words = {_fold(w) for w in (*COLORS, *MATERIALS) if " " not in w}
    shapes = {_fold(w) for w in CONCEPTS["shape"] - {"shape"}}  # "Is it round?" is answered by "Shape: Rectangle"
    return frozenset(words | {_fold(w) for w in _AUDIENCE_VALUES} | _SIZE_LETTERS | shapes)


def _is_value_word(word: str) -> bool:
    """A colour, material or audience: asked about, the fact's own list answers it ("red" is not among them)."""
    return _fold(word) in _value_words()


# --- finding the facts that answer -------------------------------------------------------

@dataclass(frozen=True)
class _FactWords:
    words: frozenset[str]        # folded words of the whole fact
    key_words: frozenset[str]    # folded words of the attribute name (or of a sentence)
    value_words: frozenset[str]  # folded words of the attribute value (or of a sentence)
    concepts: frozenset[str]
    key_concepts: frozenset[str]
    named: bool = False          # an attribute: its key_words are its name's


# A side of a box said by its letter: 'H 20" x W 14" x D 12"', 'W 22.0" x H 17"'.
_SIDE = re.compile(r"(?<![\w.])([HWDL])\s*[:.]?\s*\d+(?:\.\d+)?\s*(?:\"|''|in\b|inch(?:es)?\b|cm\b|mm\b)?")
_SIDES = {"H": "height", "W": "width", "D": "depth", "L": "length"}


@lru_cache(maxsize=4096)
def _fact_words(fact: Fact) -> _FactWords:
    words = frozenset(_fold(w) for w in words_of(fact.text))
    key_words = frozenset(_fold(w) for w in words_of(fact.key)) if fact.key else words
    value_words = frozenset(_fold(w) for w in words_of(fact.value))
    concepts = frozenset(c for w in words for c in concepts_of(w))
    key_concepts = frozenset(c for w in key_words for c in concepts_of(w))
    if value_words & {_fold(v) for v in _AUDIENCE_VALUES}:
        concepts |= {"audience"}
    sides = {_SIDES[m.group(1).upper()] for m in _SIDE.finditer(fact.text)}
    if len(sides) >= 2:  # 'H 20" x W 14" x D 12"': a height, a width and a depth
        concepts |= sides | {"dimension"}
    if fact.kind == "price":
        key_concepts |= {"price"}
    if fact.kind == "brand":
        key_concepts |= {"brand"}
    if fact.kind == "category":
        key_concepts |= {"type"}
    if fact.key.lower().split()[-1:] == ["for"]:  # "Designed For", "Suitable For": who or what it is for, not a design
        key_concepts = frozenset({"audience"})
    return _FactWords(words, key_words, value_words if fact.key else words, concepts, key_concepts, bool(fact.key))


def _covers(word: str, fact: _FactWords) -> bool:
    if word in fact.words:
        return True
    if len(word) >= 4 and any(len(w) > len(word) + 2 and w.endswith(word) for w in fact.words):
        return True  # "stone" ~ "gemstone", "band" ~ "wristband"
    if len(word) >= 6 and any(len(w) >= 2 and word.startswith(w) and word[len(w):] in fact.words for w in fact.words):
        return True  # a closed compound is its hyphenated or open form: "nonstick" ~ "Non-stick"
    if word in ("kid", "child") and fact.words & {"boy", "girl"}:
        return True  # kids are boys and girls: "Can kids use it?" against "Gender: Men, Women, Boys, Girls"
    if _is_value_word(word):
        return False  # "men" is not answered by "Ideal For: Women": the fact's own list answers it, see below
    if len(word) >= 4 and any(w.startswith(word) for w in fact.words):
        return True  # "neck" ~ "neckline", "wick" ~ "wicking"
    if any(len(w) >= 5 and word.startswith(w) and word[len(w):] in ("ed", "d", "s", "es", "ing", "er") for w in fact.words):
        return True  # "hallmarked" ~ "Hallmark"
    if fact.named and not concepts_of(word) and any(
            len(k) >= 4 and len(word) - len(k) >= 3 and word.startswith(k) and _is_noun(word[len(k):])
            for k in fact.key_words):
        return True  # "neckline" is the line of the attribute named "Neck"
    if concepts_of(word) & fact.concepts:
        return True
    # A word with a shopping concept is met through it: its loose WordNet senses ("smell" ~ "look") are not.
    return not concepts_of(word) and bool(synonyms(word) & fact.words)


@lru_cache(maxsize=64)
def _fact_vectors(texts: tuple[str, ...], device: str, precision: str | None = None):
    from engine.encoders.text import encode_texts

    return encode_texts(list(texts), device, precision)


def retrieve(question: Question, facts: list[Fact], device: str = "cpu", top: int = 3,
             covering_only: bool = True, product_words: set[str] = frozenset(),
             precision: str | None = None) -> list[Match]:
    """Facts that cover every topic word of the question, best first (cosine + key bonus).

    With ``covering_only=False`` facts that cover some of it come too (for "it does say ..." in a decline)."""
    from engine.encoders.text import encode_texts

    if not facts or not (question.subject or question.measure):
        return []
    query = encode_texts([question.query], device, precision)[0]
    cosines = (_fact_vectors(tuple(f.text for f in facts), device, precision) @ query).tolist()
    matches = []
    for fact, cosine in zip(facts, cosines):
        words = _fact_words(fact)
        shared = {w for w in question.subject if _covers(w, words)}
        missing = {w for w in question.subject - shared if w not in question.optional}
        if not shared and question.measure and _measures(question.measure) & words.concepts:
            shared = {"~" + question.measure}
        values_missing = _only_values_missing(missing, fact) and not missing & question.verbs  # "Can I iron it?"
        value_asked = bool(missing) and values_missing and all(
            concepts_of(w) & words.key_concepts for w in missing)  # "Is it for men?" against "Ideal For: Women"
        described = set()
        if missing and question.yes_no and _describes_part(question, missing, fact):
            described, missing = missing, set()  # "Are the sleeves short?" against "Sleeve: Half Sleeve"
        opposed = _opposed(question, missing, fact)
        if opposed:  # "Is it digital?" against "Type: Analog": the fact says the opposite
            shared, missing = shared | opposed, missing - opposed
        if missing and question.yes_no and _resists(question, fact, shared) and _parts_only(question, missing):
            missing = set()  # "Will the glass scratch?" against "Scratch Resistant: Yes": the watch's glass
        if not (shared - question.optional if covering_only else shared) and not value_asked and not (
                shared and not missing and not (question.subject - question.optional)):
            continue  # covers nothing the shopper asked beyond naming the product
        if question.measure and not question.subject - question.optional and not _measures(question.measure) & words.concepts:
            continue  # "How heavy is it?" wants a weight, not any fact
        if covering_only and missing and not values_missing:
            continue
        if _identifier(fact) and not question.subject & _IDENTIFIER_WORDS:
            continue  # "What is the design like?" is not answered by "Design Code: FLVI50REDC2X6"
        if covering_only and _other_part(question, fact, product_words, facts):
            continue  # "How long is it?" is not answered by "Power Cord Length: 0 m"
        if (covering_only and fact.kind in ("bullet", "description") and not question.yes_no and not question.measure
                and cosine < SENTENCE_CONCEPT_FLOOR
                and not any(w in words.words or (len(w) >= 4 and any(f.startswith(w) for f in words.words))
                            for w in shared - question.optional if not w.startswith("~"))):
            continue  # a sentence met only through a concept ("age" ~ "same old comfort") must be about it
        if covering_only and shared and shared <= question.optional and not _said_outright(question, Match(
                fact, 0.0, 0.0, shared)) and not (question.measure in _NUMBERED and fact.kind == "attribute"
                                                  and _measures(question.measure) & words.key_concepts):
            continue  # every word asked is in the title ("a sun shade?"): only a fact that says it answers (or an
            #           attribute named for the measure asked: "How many boxes in the set?" / "Number of Containers")
        named = any(_names(w, words.key_words) or concepts_of(w) & words.key_concepts for w in shared
                    if not w.startswith("~"))
        named = named or bool(question.measure and _measures(question.measure) & words.key_concepts)
        # "What kind of neck?" against "Type: Round Neck"; "What pattern?" against "Color: Leopard": the value
        # itself is the kind asked for.
        named = named or bool(question.kind_of and question.kind_of in words.value_words) or _value_is_a(shared, fact)
        structured = fact.kind in ("attribute", "photo label", "price", "brand")
        if covering_only and (structured or fact.kind == "category") and not question.yes_no and not named:
            continue  # "What sizes are there?" asks for the attribute named so, not one whose value says "size"
        floor = ATTRIBUTE_FLOOR if structured else SENTENCE_FLOOR
        if covering_only and cosine < floor and not _phrase_said(question, fact):
            continue  # a long sentence covers words by chance; the shopper's own two words side by side, not
        named = named or bool(opposed)  # "Is it a digital watch?": "Type: Analog" before a sentence naming it
        score = cosine + (KEY_BONUS if named and structured else 0.0) + (0.05 if structured else 0.0)
        score -= 0.1 if fact.role == "sheet" else 0.0  # a spec sheet's line unnamed: after a named attribute
        score += _key_fit(question, fact)
        matches.append(Match(fact, score, cosine, shared, missing, described, opposed))
    return sorted(matches, key=lambda m: (len(m.missing), _number_mismatch(question, m.fact), -m.score))[:top]


def _opposed(question: Question, missing: set[str], fact: Fact) -> set[str]:
    """Words of a yes/no question whose WordNet opposite is the fact's one value or in its sentence ("Is it hard
    to install?" against "Quick and easy installation"). Not a word with a shopping concept (met through it), nor
    against a list ("Climate: Cold, Cool" says nothing against "hot"), nor in the attribute's name ("Is it
    plain?" is no question for "Pattern: Solid")."""
    if not question.yes_no or not missing or "," in fact.value:
        return set()
    said = _fact_words(fact).value_words
    opposed = {w for w in missing if not concepts_of(w) and w not in question.optional | question.verbs
               and antonyms(w) & said}  # not "Can I *dim* it?" against "light"
    if not opposed or _negated(fact.value or fact.text, {a for w in opposed for a in antonyms(w)}):
        return set()
    return opposed


# A thing a fact says the product resists: "Scratch Resistant", "odor-resistant", "Corrosion Proof", "BPA Free",
# "Anti-chafe", "Pre-shrunk". Asked whether it happens ("Will it scratch?"), the answer is no.
_RESISTS_AFTER = {"resistant", "resistance", "resist", "resists", "proof", "repellent", "free"}
_RESISTS_BEFORE = {"anti", "non", "pre"}
_RESIST_ASKED = _RESISTS_AFTER | _RESISTS_BEFORE | {
    "protect", "protects", "protected", "protection", "prevent", "prevents", "stop", "stops", "against", "without",
    "block", "blocks", "shield", "shields", "repel", "repels", "withstand", "withstands", "handle", "handles",
    "survive", "fight", "fights", "guard", "out", "off"}  # "Does it block the wind?", "keep the rain out?"


def _resists(question: Question, fact: Fact, shared: set[str]) -> bool:
    """The fact says the product resists a thing the question asks about as happening ("Will it shrink?"
    against "Pre-shrunk"), not as resisted ("Is it scratch resistant?", "Does it protect against rust?")."""
    if set(words_of(question.text)) & _RESIST_ASKED:
        return False
    asked = {w for w in shared if not w.startswith("~")} - question.optional
    said = words_of(fact.text)
    return any(_fold(word) in asked and ((i + 1 < len(said) and said[i + 1] in _RESISTS_AFTER)
                                         or (i and said[i - 1] in _RESISTS_BEFORE))
               for i, word in enumerate(said))


def _parts_only(question: Question, missing: set[str]) -> bool:
    """Every word left uncovered names a part of the product ("the glass", "its face")."""
    said = words_of(_normalised(question.text))
    parts = {_fold(b) for a, b in zip(said, said[1:]) if a in ("the", "its", "their")}
    return bool(missing) and missing <= parts and all(_is_noun(w) for w in missing)


def _phrase_said(question: Question, fact: Fact) -> bool:
    """Two words asked side by side are said side by side ("machine wash" / "... Machine Washable ...")."""
    asked = [_fold(w) for w in words_of(_normalised(question.text))]
    said = [_fold(w) for w in words_of(fact.text)]
    topic = question.subject - question.optional
    pairs = {(a, b) for a, b in zip(asked, asked[1:]) if a in topic and b in topic}
    return any(c == a and (d == b or (len(b) >= 4 and d.startswith(b))) for c, d in zip(said, said[1:])
               for a, b in pairs)


def _measures(measure: str) -> set[str]:
    """The concepts that give a measure: a round thing's width is its diameter ("How wide is it?" / "Diameter")."""
    return {measure, "diameter"} if measure == "width" else {measure, "size"} if measure == "dimension" else {measure}


def _names(word: str, key_words: frozenset[str]) -> bool:
    """The attribute's name says the word, or a longer form of it ("detect" ~ "Detection Range")."""
    return word in key_words or (len(word) >= 4 and any(k.startswith(word) or (len(k) > len(word) + 2 and k.endswith(word))
                                                          for k in key_words))  # "stone" ~ "Number of Gemstones"


_IDENTIFIER_WORDS = {"code", "id", "sku", "ean", "upc", "isbn", "serial", "model"}
# Words of an attribute's name that qualify nothing ("Warranty Summary" is the warranty itself).
_GENERIC_KEY_WORDS = {"summary", "detail", "details", "general", "info", "information", "overall", "total", "net",
                      "product", "item", "main", "primary", "approx", "approximate", "actual", "available", "in", "of",
                      "the", "for", "and", "to", "with", "a", "an", "by", "on", "other"}
_PACKAGE_KEYS = re.compile(r"\b(?:sales package|in the box|package contents?|box contents?|what'?s in the box|"
                           r"included|contents)\b", re.I)


def _identifier(fact: Fact) -> bool:
    """An attribute that names the product for a catalog ("Style Code", "Model ID"), not a property of it."""
    last = fact.key.lower().split()[-1:] if fact.kind == "attribute" else []
    return bool(last) and last[0] in ("code", "id", "sku", "ean", "upc", "isbn")


def _part_words(question: Question, fact: Fact, product_words: set[str]) -> set[str]:
    measured = {_fold(c) for c in CONCEPTS[question.measure]} | {question.measure}
    return {w for w in _fact_words(fact).key_words
            if w not in measured and w not in product_words and w not in _GENERIC_KEY_WORDS
            and not concepts_of(w) & {question.measure, "dimension"}}


def _other_part(question: Question, fact: Fact, product_words: set[str], facts: list[Fact] = ()) -> bool:
    """A measure asked of the product itself ("How long is it?", "How heavy is it?") is not answered by the
    measure of a part the attribute names ("Diamond Weight" where "Weight" is given too), nor by a part's
    measure of nothing ("Power Cord Length: 0 m")."""
    if fact.kind != "attribute" or question.measure not in ("weight", "length", "height", "width", "depth",
                                                            "dimension", "capacity"):
        return False
    if question.subject - question.optional or not _part_words(question, fact, product_words):
        return False  # the question names what it measures (coverage decides), or the name is the measure itself
    if _zero(fact.value):
        return True
    return any(f.kind == "attribute" and question.measure in _fact_words(f).key_concepts
               and not _part_words(question, f, product_words) for f in facts)


def _key_fit(question: Question, fact: Fact) -> float:
    """Among facts that cover the question, prefer the attribute that is the thing asked: the box's contents for
    "Does it come with a cable?", a count only for "how many", the plain "Warranty Summary" over "Not Covered in
    Warranty" (each word of the name the question does not ask costs a little)."""
    if fact.kind != "attribute":
        return 0.0
    key = fact.key.lower()
    fit = 0.0
    if question.contents and _PACKAGE_KEYS.search(key) and not key.startswith("number of"):
        return 0.4  # its name is the box, whatever it holds
    if key.startswith("number of") and question.measure != "count":
        fit -= 0.2
    if question.genuine:  # "Is it real gold?": the material says, not "Color: Gold"; "Natural Diamond" says most
        concepts = _fact_words(fact).key_concepts
        fit -= 0.5 if "color" in concepts and "material" not in concepts else 0.0
        fit += 0.2 if _fact_words(fact).words & _GENUINE_SAID else 0.0
    asked = question.subject | {"~" + c for w in question.subject for c in concepts_of(w)}
    extra = [w for w in _fact_words(fact).key_words
             if w not in asked and w not in _GENERIC_KEY_WORDS and not {"~" + c for c in concepts_of(w)} & asked]
    return fit - 0.05 * len(extra)


def _value_is_a(shared: set[str], fact: Fact) -> bool:
    """Every word of the value is a kind of a concept asked ("Leopard" is a pattern, "Cotton" a material)."""
    values = [_fold(w) for w in words_of(fact.value)]
    asked = {c for w in shared if not w.startswith("~") for c in concepts_of(w) if c in ("pattern", "color", "material")}
    keyed = _fact_words(fact).key_concepts  # "Color: Silver" is no answer to "What is it made of?": silver is a colour too
    return bool(values and asked) and any(all(c in concepts_of(v) and not concepts_of(v) & keyed for v in values)
                                          for c in asked)


def _number_mismatch(question: Question, fact: Fact) -> int:
    """1 when the question names a number or a quantity the fact has nothing to compare with ("Is it USB 3?"
    meets "Interface: USB 2.0" before "USB on the go: No")."""
    text = fact.value or fact.text
    if question.quantities:
        held = {d for d, _ in _quantities(text)}
        return 0 if any(d in held for d, _ in question.quantities) else 1
    return 1 if question.numbers and not _numbers(text) else 0


def _describes_part(question: Question, missing: set[str], fact: Fact) -> bool:
    """"Are the sleeves short?" against "Sleeve: Half Sleeve": the attribute is the part asked about and its
    value a kind of that part, so the value answers a word that describes the part. Not a colour, material or
    a word of another concept ("Is the strap leather?" is no question for "Strap Color: Green")."""
    if fact.kind != "attribute" or not fact.key or _NUMBER.search(fact.value) or fact.value.strip().lower() in _YES | _NO:
        return False
    head = _fold(fact.key.split()[-1])
    value = [_fold(w) for w in words_of(fact.value)]
    if head not in question.subject or len(value) < 2 or value[-1] != head:
        return False
    keyed = _fact_words(fact).key_concepts
    return all(_describing(w) and not _is_value_word(w)
               and not (concepts_of(w) - keyed - {"length", "dimension", "size"}) for w in missing)


@lru_cache(maxsize=1024)
def _describing(word: str) -> bool:
    """A word WordNet knows as an adjective ("short", "loose"), not only as a noun or a verb."""
    wordnet = _wordnet()
    return wordnet is not None and bool(wordnet.synsets(word, pos="a") or wordnet.synsets(word, pos="s"))


def _only_values_missing(missing: set[str], fact: Fact) -> bool:
    """"Does it come in red?" against "Colors: Blue, Black": a value the fact's list leaves out."""
    if not fact.value or not all(_is_value_word(w) for w in missing):
        return False
    held = _fact_words(fact).key_concepts  # "metal" is not answered by "Strap Color: Gold"
    listed = {c for v in words_of(fact.value) for c in concepts_of(v)}  # a list of the same kind: not "Fabric: No"
    return all(concepts_of(w) & held & listed for w in missing)


# --- saying a fact as a sentence ---------------------------------------------------------

def _article(phrase: str) -> str:
    first = phrase.split()[0] if phrase.split() else ""
    if first.isupper() and len(first) > 1 and first.isalpha():  # said letter by letter: "a USB", "an LED"
        return "an" if first[0] in "AEFHILMNORSX" else "a"
    return "an" if phrase[:1].lower() in "aeiou" else "a"


@lru_cache(maxsize=512)
def _is_adjective(word: str) -> bool:
    """"resistant", "safe", "luminous": said with "it is"; a noun ("chronograph") with "it has"."""
    if word.startswith(("non-", "anti-")) or ("-" in word and _is_adjective(word.rsplit("-", 1)[1])):
        return True  # "non-stick", "anti-slip", "quick-drying": "it is non-stick", not "it has a non-stick"
    if word in _COMPATIBILITY or word.endswith(("able", "ible", "proof", "ous", "ive", "ful", "less", "ant", "ent",
                                                "ed")):
        return True
    wordnet = _wordnet()
    if wordnet is None:
        return False
    senses = wordnet.synsets(word)
    return bool(senses) and senses[0].pos() in ("a", "s")


def _plural(phrase: str) -> bool:
    last = phrase.split()[-1] if phrase.split() else ""
    return last.endswith("s") and not last.endswith("ss")


def _lower_name(key: str) -> str:
    """An attribute name inside a sentence: lower case, acronyms kept ("OS Supported" -> "OS supported")."""
    return " ".join(w if w.isupper() and len(w) > 1 else w.lower() for w in key.split())


def _boolean_clause(key: str, yes: bool) -> str:
    phrase = _lower_name(key)
    last = phrase.split()[-1].lower()
    if last == "sale":
        return "it is on sale" if yes else "it isn't on sale"
    if last == "included" and len(phrase.split()) > 1:  # "Mattress Included: No" -> "the mattress is not included"
        thing = " ".join(phrase.split()[:-1])
        return f"the {thing} is included" if yes else f"the {thing} is not included"
    if last in ("collection", "range", "series"):
        return f"it is part of the {phrase}" if yes else f"it isn't part of the {phrase}"
    if last in ("fabric", "material", "materials"):
        return f"it is made of {phrase}" if yes else f"it isn't made of {phrase}"
    if _is_adjective(last):
        return f"it is {phrase}" if yes else f"it isn't {phrase}"
    noun = phrase if _plural(phrase) else f"{_article(phrase)} {phrase}"
    return f"it has {noun}" if yes else f"it doesn't have {noun}"


def _fact_concept(fact: Fact) -> str | None:
    """The one concept an attribute's name says ("Mug Capacity" -> capacity), the most specific first."""
    found = _fact_words(fact).key_concepts
    for concept in ("weather", "capacity", "warranty", "weight", "height", "length", "width", "depth", "material", "audience",
                    "count", "price", "color", "size", "brand", "type", "water", "dimension"):
        if concept in found:
            return concept
    return None


def _part_clause(value: str) -> str:
    """A kind of a part, said as what the product has: "Round Neck" -> "it has a round neck", "Half Sleeve"
    -> "it has half sleeves"."""
    phrase = _lower_name(value.strip())
    if _fold(phrase.split()[-1]) in _PAIRED and not _plural(phrase):
        return f"it has {phrase}s"
    return f"it has {phrase}" if _plural(phrase) else f"it has {_article(phrase)} {phrase}"


def statement(fact: Fact) -> str:
    """The fact as a clause a person would say ("it holds 330 ml"), lower-case, no full stop."""
    value = fact.value.strip()
    if not fact.key:
        return f"the listing says \u201c{fact.text.rstrip('.')}.\u201d"
    flag = value.lower()
    if flag in _YES or flag in _NO:
        return _boolean_clause(fact.key, flag in _YES)
    value_words = [_fold(w) for w in words_of(value)]
    key_words = [_fold(w) for w in words_of(fact.key)]
    if (fact.kind == "attribute" and len(value_words) >= 2 and not _NUMBER.search(value) and "," not in value
            and key_words == value_words[-1:]):
        return _part_clause(value)  # "Sleeve: Half Sleeve" -> "it has half sleeves" (not "Hair Type: Dry Hair")
    alternatives = [{_fold(w) for w in words_of(part)} for part in fact.key.split("/")]
    if fact.kind == "attribute" and len(alternatives) > 1 and set(value_words) in alternatives:
        return f"it is {_lower_name(value)}"  # "Wired/Wireless: Wired" -> "it is wired", "Analog/Digital" -> "analog"
    concept = _fact_concept(fact)
    if fact.kind == "title":
        return f"the product is the {value}"
    if fact.kind == "category":
        return f"it is listed under {value}"
    if fact.kind == "brand" or concept == "brand":
        return f"it is made by {value}"
    if fact.key.lower() == "sale":
        return "it is on sale"
    if concept == "weather" and fact.key.lower() == "climate":
        return f"it is made for {value} weather"
    if concept == "warranty":
        if "warrant" in value.lower() or "guarant" in value.lower():
            return f"it comes with {_article(value)} {value}"
        return f"the warranty is {value}"
    if concept == "capacity" and (not _NUMBER.search(value) or {d for d, _ in _quantities(value)} & {"volume", "data"}):
        return f"it holds {value}"  # not "Seating Capacity: 3 Seater"
    if concept == "weight":
        return f"it weighs {value}"
    if concept in ("height", "length", "width", "depth") and concept == _fact_concept(fact) and _NUMBER.search(value):
        adjective = {"height": "tall", "length": "long", "width": "wide", "depth": "deep"}[concept]
        return f"it is {value} {adjective}" if not fact.key.lower().startswith(("heel", "shoulder", "sleeve")) \
            else f"the {fact.key.lower()} is {value}"
    if concept == "material" and fact.key.lower() in ("material", "fabric", "materials"):
        return f"it is made of {series(value)}"  # "Cotton, Polyester" -> "cotton and polyester"
    if concept == "audience":  # "Women's" -> "Women", "Boy's" -> "Boys"
        value = re.sub(r"(\w+)'s\b", lambda m: m.group(1) if m.group(1).lower().endswith("men") else m.group(1) + "s",
                       value)
        return f"it is meant for {series(value)}"
    counted = re.fullmatch(r"number of ([\w /-]+)", fact.key.strip(), re.I)
    held = re.fullmatch(r"(?:contents|items|pieces) (?:in|of) (?:the )?([\w /-]+)", counted.group(1).strip(), re.I) \
        if counted else None
    if held and _NUMBER.fullmatch(value):  # "Number of Contents in Sales Package: 2" -> "the sales package holds 2 items"
        return f"the {_lower_name(held.group(1))} holds {value} {'item' if value == '1' else 'items'}"
    if counted and _NUMBER.fullmatch(value):  # "Number of Hooks: 8" -> "it has 8 hooks", "... USB Ports: 0" -> "no"
        return f"it has {'no' if _zero(value) else value} {_lower_name(counted.group(1))}"
    if _PACKAGE_KEYS.search(fact.key) and not fact.key.lower().startswith("number of") and not _NUMBER.fullmatch(value):
        thing = value if _NUMBER.match(value) or _plural(value) else f"{_article(value)} {value}"
        return f"it comes with {thing}"  # "Sales Package: 1 Ball, 1 Stand" -> "it comes with 1 Ball, 1 Stand"
    if concept == "count" and re.fullmatch(r"(?:pack of\s*)?\d+", value, re.I):
        return f"it comes as a pack of {_NUMBER.search(value).group()}"
    if concept == "price" or fact.kind == "price":
        return f"it costs {value}"
    if concept == "color" and fact.key.lower() in ("color", "colors", "colour", "colours", "available colors"):
        return f"it comes in {series(value, 'or' if 'available' in fact.key.lower() or fact.key.lower().endswith('s') else 'and')}"
    if concept == "size" and fact.key.lower() in ("size", "sizes", "available sizes"):
        return f"it comes in {'sizes' if ',' in value else 'size'} {series(value, 'or')}"
    if concept == "type" and fact.key.lower() in ("type", "product type", "style general"):
        if _plural(value) or _is_adjective(value.split()[-1].lower()):
            return f"it is {value}"  # "it is Digital", "it is Cycling Shorts"
        return f"it is {_article(value)} {value}"
    if fact.key.lower().split()[-1] == "for":  # "Designed For: Door" -> "it is designed for Door"
        return f"it is {_lower_name(fact.key)} {value}"
    verb = "are" if "," in value or _plural(fact.key) else "is"
    return f"the {_lower_name(fact.key)} {verb} {value}"


def _sentence(clause: str) -> str:
    return clause[:1].upper() + clause[1:] + ("" if clause.endswith((".", ".\u201d")) else ".")


_NUMBER_WORDS = {"one": "1", "two": "2", "three": "3", "four": "4", "five": "5", "six": "6", "seven": "7",
                 "eight": "8", "nine": "9", "ten": "10", "single": "1", "pair": "2", "couple": "2"}


def _numbers(text: str) -> set[str]:
    """The counts a text names, as digits ("two" -> "2", "2.0" -> "2")."""
    found = set()
    for word in words_of(text):
        if _NUMBER.fullmatch(word):
            found.add(word.rstrip("0").rstrip(".") if "." in word else word)
        elif word in _NUMBER_WORDS:
            found.add(_NUMBER_WORDS[word])
    return found


def _zero(value: str) -> bool:
    """"0", "0 inch", "0 W": a count or measure of nothing (no heel, no USB ports)."""
    numbers = _NUMBER.findall(value)
    return bool(numbers) and all(float(n.replace(",", ".")) == 0 for n in numbers) and len(words_of(value)) <= 2


def _all_said(question: Question, match: Match) -> bool:
    """Every word the shopper asked about (beyond naming the product) is in the sentence, or a synonym of it:
    only then does a sentence settle a yes/no question ("Are these men's boots?" is not settled by "Black Boots")."""
    words = _fact_words(match.fact).words
    asked = {w for w in question.subject - question.optional if not w.startswith("~")} - _COMPATIBILITY
    return bool(asked) and all(w in words or synonyms(w) & words or (len(w) >= 4 and any(f.startswith(w) for f in words))
                               for w in asked)


def _negated(sentence: str, shared: set[str]) -> bool:
    """A negator within three words before a shared term ("not for microwave use")."""
    words = words_of(sentence)
    for i, word in enumerate(words):
        if _fold(word) in shared and any(w in _NEGATORS for w in words[max(0, i - 3): i]):
            return True
    return False


def _said_outright(question: Question, match: Match) -> bool:
    """The fact holds a word the shopper asked about (or its synonym), not only a related concept."""
    words = _fact_words(match.fact)
    asked = {w for w in match.shared if not w.startswith("~")} - _COMPATIBILITY
    return any(w in words.words or synonyms(w) & words.words or
               (len(w) >= 4 and any(f.startswith(w) for f in words.words)) for w in asked)


def template_answer(question: Question, match: Match) -> Answer | None:
    """Say the fact back as a sentence; for a yes/no question lead with Yes or No when the fact settles it.

    None when the fact leaves part of the question open ("oven safe" against "Dishwasher safe: Yes")."""
    fact = match.fact
    if match.missing and not _only_values_missing(match.missing, fact):
        return None
    found = dict(answered=True, facts=[fact.text], follow_up=question.follow_up, score=match.score)
    said = statement(fact)
    if (question.kind_of and not _plural(fact.value) and _fold((words_of(fact.value) or [""])[-1]) == question.kind_of
            and re.search(r"\b(?:have|has|with)\b", question.text, re.I)):
        said = _part_clause(fact.value)  # "What kind of neck does it have?" -> "it has a round neck"
    plain = Answer(question.text, _sentence(said), **found)
    if question.measure == "dimension" and "size" in _fact_words(fact).key_concepts and "dimension" not in \
            _fact_words(fact).key_concepts and "length" not in {d for d, _ in _quantities(fact.value or fact.text)}:
        return None  # "How big is it?" is answered by "Size: 75 cm", not by "Available sizes: S, M, L"
    if not _measured(question, fact):
        return None  # "How wide is the dial?" is not answered by "Dial Shape: Round", nor "How many?" by "Blankets"
    if fact.kind == "category" and question.yes_no and question.contents:
        return None  # "Does it come with flowers?": the shelf it is listed on ("Flowers, Plants & Vases") says not
    if question.yes_no and question.contents and not fact.key and _only_as_quality(_asked(match), fact):
        return None  # "Does it come with cushions?": a "cushioned" sofa has cushioning, not cushions in the box
    if not _same_measure(question, fact):
        return None  # "Is it under 1 kg?" is not answered by "Lightweight" nor by "Maximum Weight Capacity: 150 kg"
    if match.missing:  # "Does it come in red?" against "Colors: Blue, Black": the listing answers with what it has
        shown = " or ".join(sorted(w.upper() if w in _SIZE_LETTERS else question.asked_as.get(w, w)
                                   for w in match.missing))
        return Answer(question.text, f"{_sentence(said)[:-1]}; the listing doesn't mention {shown}.", **found)
    if not question.yes_no or match.described:
        return plain  # "Are the sleeves short?" -> "It has half sleeves.": the kind, not a yes or no
    flag = fact.value.strip().lower()
    if match.opposed or _resists(question, fact, match.shared):
        # "Is it digital?" -> "No, it is Analog."; "Will it scratch?" -> "No, it is scratch resistant."; a fact
        # saying No ("Scratch Resistant: No") does not say it will: said plainly
        if flag in _NO:
            return plain
        return Answer(question.text, f"No, {said.rstrip('.')}" + ("" if said.endswith("\u201d") else "."),
                      polarity="no", **found)
    settled = _settled(question, match)
    if settled == "plain":
        return plain
    if settled:
        no, outright = settled == "no", True
    else:
        no = flag in _NO or (flag not in _YES and _negated(fact.text, match.shared))
        asked, held = question.numbers, _numbers(fact.value or fact.text)
        if asked and not asked & held and (fact.kind != "attribute" or not held):
            # "Is it USB 3?" against "System requirements: USB Port" or a title with other numbers: no telling
            return plain if fact.kind == "attribute" else None
        if asked and held and not asked & held and not question.quantities and _quantities(fact.value or fact.text):
            return None  # "In size 8?" against "Weight: 450 g ... may vary depending on size": a weight, no size
        no = no or bool(asked and held and not asked & held)  # "a set of two?" against "Sales Package: 1 mug"
        # "Do they have a heel?" against "Heel Height: 0 inch": none of the thing the name says (not "Are they flat?")
        no = no or (fact.kind == "attribute" and _zero(fact.value) and not question.numbers
                    and any(_names(w, _fact_words(fact).key_words) for w in _asked(match) - question.optional))
        outright = flag in _YES or flag in _NO or no or (
            _all_said(question, match) if not fact.key else _said_outright(question, match))
    absent = _asked_absent(question, match)
    if absent == "plain":
        return None  # "Does it work without batteries?" against "Cell phone pocket": no telling
    if absent:
        no, outright = absent == "no", True
    polarity = "no" if no else "yes"
    if not fact.key and no:
        return Answer(question.text, f"No: {said}", polarity=polarity, **found)
    if not outright:
        # "Do they have laces?" against "Closure: Slip On": the fact is on topic but says no yes.
        return plain
    return Answer(question.text, f"{polarity.capitalize()}, {said.rstrip('.')}" + ("" if said.endswith("\u201d") else "."),
                  polarity=polarity, **found)


_DIMENSIONS = {"capacity": {"volume", "data"}, "weight": {"mass"}, "height": {"length"}, "length": {"length"},
               "width": {"length"}, "depth": {"length"}, "dimension": {"length"}}


def _only_as_quality(asked: set[str], fact: Fact) -> bool:
    """A word asked as a thing that the sentence says only as a participle ("cushion" / "cushioned")."""
    said = [w.lower() for w in words_of(fact.text)]
    return any(forms and all(f.endswith(("ed", "ing")) and f != w for f in forms)
               for w in asked for forms in [[f for f in said if _fold(f) == w]])


_NUMBERED = ("count", "weight", "height", "length", "width", "depth", "capacity")


def _measured(question: Question, fact: Fact) -> bool:
    """"How many / how heavy / how wide / how deep ...?" asks a number: a fact without one does not answer it
    (a count may be answered by a list: "How many colours?" by "Colors: Blue, Black")."""
    if question.measure not in _NUMBERED or _NUMBER.search(fact.value or fact.text) or _zero(fact.value) or (
            fact.kind == "attribute" and _numbers(fact.value)):  # "one stop solution" in a sentence counts nothing
        return True
    if question.measure != "count" and fact.kind == "attribute" and question.measure in _fact_words(fact).key_concepts:
        return True  # "How long is the dress?" against "Length: Midi/Knee Length": the attribute named so says it
    said = words_of(fact.text)
    if question.measure == "count" and not fact.key and any(
            word in _NUMBER_WORDS and word not in ("single", "pair", "couple", "one") and question.subject
            & {_fold(w) for w in said[i + 1: i + 4]} for i, word in enumerate(said)):
        return True  # "How many compartments?" against "it has two large zippered compartments"
    return question.measure == "count" and len(re.split(r",|\band\b|\bor\b|/", fact.value)) > 1


def _same_measure(question: Question, fact: Fact) -> bool:
    """A quantity asked is answered only by a fact holding a quantity of that measure ("a litre" by "350 ml", not
    by "Lightweight"); "How much water does it hold?" is not answered by a load in kg."""
    held = {d for d, _ in _quantities(fact.value or fact.text)}
    if question.quantities:
        concept = _fact_concept(fact)  # an attribute must name the measure ("Other Functions: ... 100 gm" does not)
        return bool(held & {d for d, _ in question.quantities}) and concept in (
            question.measure, *({"height", "length", "width", "depth"} if question.measure == "dimension" else ()),
            *((None,) if fact.kind != "attribute" else ()))
    wanted = _DIMENSIONS.get(question.measure or "")
    return not (wanted and held and not held & wanted)


def _asked(match: Match) -> set[str]:
    return {w for w in match.shared if not w.startswith("~")}


def _settled(question: Question, match: Match) -> str | None:
    """"yes" / "no" when the fact's value settles the question by itself, "plain" when it is on topic but
    says no yes or no, None when the usual reading (a Yes/No value, a negation) decides.

    - a quantity asked is compared with the fact's in one unit ("Is it under 1 kg?" against "Weight: 900 g");
    - a name of alternatives ("Wired/Wireless: Wired") is answered by its value, not by its name;
    - "pure cotton", "real leather" are answered by the value: "Cotton" is, "Synthetic Leather" is not, a
      blend does not say; "leather" asked plainly against "Synthetic Leather" gets the fact without a yes."""
    fact = match.fact
    flag = fact.value.strip().lower()
    if question.quantities:
        compared = _compare(question, _quantities(fact.value or fact.text))
        if compared:
            return compared
    value = {_fold(w) for w in words_of(fact.value)} if fact.key else _fact_words(fact).words
    asked = _asked(match) - question.optional
    named = [{_fold(w) for w in words_of(part)} for part in fact.key.split("/")] if fact.key else []
    if len(named) > 1 and value in named:  # "Wired/Wireless: Wired", not "Case / Bezel Material: Steel case"
        if asked & value:
            return "yes"
        if asked & _fact_words(fact).key_words:
            return "no"
    lacking = [rf"\b{re.escape(w)}\w*(?:less|[- ]free)\b" for w in asked]
    if fact.key and flag not in _YES | _NO and not question.without and any(
            re.search(p, fact.value.lower()) for p in lacking) and not any(re.search(p, question.text.lower())
                                                                          for p in lacking):
        return "no"  # "Does it have sleeves?" against "Sleeve: Sleeveless" (not "Is it sugar free?" to "Sugar-free")
    measures = {w for w in asked if _MEASURE_CONCEPT.get(w) or concepts_of(w) & _MEASURES}
    if (measures and not question.quantities and not question.numbers and _NUMBER.search(fact.value or "")
            and not measures & _fact_words(fact).key_words and asked - measures <= _fact_words(fact).key_words):
        return "plain"  # "Is the heel high?" against "Heel Height: 1 inch": the number, not a judgement
    genuine = question.genuine & value
    imitation = value & _IMITATION and not any(w in question.subject for w in value & _IMITATION)
    if genuine:
        if imitation:
            return "no"
        others = {w for w in value - genuine if concepts_of(w) & {"material"} or _is_value_word(w)}
        return "yes" if not others else "plain"
    if imitation and asked & value and any(concepts_of(w) & {"material"} for w in asked & value):
        return "plain"
    return None


def _compare(question: Question, held: list[tuple[str, float]]) -> str | None:
    verdicts = set()
    for dimension, amount in question.quantities:
        amounts = [a for d, a in held if d == dimension]
        if not amounts:
            continue
        if question.comparison == ">=":
            verdicts.add("yes" if all(a >= amount * 0.999 for a in amounts) else
                         "no" if all(a < amount for a in amounts) else "plain")
        elif question.comparison == "<=":
            verdicts.add("yes" if all(a <= amount * 1.001 for a in amounts) else
                         "no" if all(a > amount for a in amounts) else "plain")
        else:
            verdicts.add("yes" if any(abs(a - amount) <= 0.02 * max(a, amount) for a in amounts) else "no")
    return verdicts.pop() if len(verdicts) == 1 else ("plain" if verdicts else None)


def _asked_absent(question: Question, match: Match) -> str | None:
    """"Does it work without wires?": "yes" when the fact says the thing is absent ("Wireless", "no wires",
    "wire-free"), "no" when its value has it ("Wired"), "plain" when it cannot tell."""
    asked = question.without & _asked(match)
    if not asked:
        return None
    fact = match.fact
    text = (fact.value if fact.key else fact.text).lower()  # "Wired/Wireless: Wired": the value, not the name
    if any(re.search(rf"\b{re.escape(w)}\w*(?:less|[- ]free)\b", text) for w in asked) or _negated(text, asked):
        return "yes"
    if any(v.endswith("less") and concepts_of(v) & concepts_of(w) for v in words_of(text) for w in asked):
        return "yes"  # "without a cable" against "Wireless"
    flag = fact.value.strip().lower()
    value = {_fold(w) for w in words_of(fact.value)} if fact.key else set()
    if flag not in _YES | _NO and asked & value:
        return "no"
    return "plain"


# --- saying what the listing does not say ------------------------------------------------

_PRONOUNS = {"i": "you", "me": "you", "my": "your", "mine": "yours", "i'm": "you are", "we": "you", "our": "your",
             "us": "you", "myself": "yourself", "ourselves": "yourselves"}
_DETERMINERS = {"the", "a", "an", "this", "these", "that", "those", "each", "every", "any", "some", "your", "its",
                "their"}


def _person(word: str, before: str = "") -> str:
    """The shopper's "I" / "my" said back as "you" / "your"; not "the US" (a country) nor "US" in capitals."""
    if (word.isupper() and len(word) > 1) or before.lower() in _DETERMINERS:
        return word
    return _PRONOUNS.get(word.lower(), word)


def _persons(words: list[str], before: str = "") -> list[str]:
    return [_person(w, words[i - 1] if i else before) for i, w in enumerate(words)]
_THIRD_PERSON = {"have": "has", "do": "does", "go": "goes", "be": "is"}


def _third(verb: str) -> str:
    if verb in _THIRD_PERSON:
        return _THIRD_PERSON[verb]
    if verb.endswith(("s", "sh", "ch", "x", "o")):
        return verb + "es"
    if verb.endswith("y") and len(verb) > 2 and verb[-2] not in "aeiou":
        return verb[:-1] + "ies"
    return verb + "s"


_PREPOSITIONS = {"in", "on", "at", "for", "with", "from", "of", "into", "to", "by", "about"}


_SUBJECT_STARTS = {"the", "this", "these", "that", "those", "it", "they", "a", "an", "your", "you", "i", "my", "we",
                   "our", "he", "she", "its", "their", "there"}


def _counted(word: str) -> bool:
    """A number, a number word or a size's letters ("9", "two", "S", "XL"): it goes with the noun beside it."""
    return bool(_NUMBER.fullmatch(word)) or word.lower() in _NUMBER_WORDS or word.lower() in _SIZE_LETTERS or (
        len(word) == 1 and word.isupper() and word != "I")


def _broken(clause: str) -> bool:
    """A reported clause that would not read as English: a word said twice in a row ("you you"), a person after
    a determiner ("the you"), a verb followed by a bare number ("size is 9 available")."""
    words = clause.lower().split()
    pairs = list(zip(words, words[1:]))
    return any(a == b for a, b in pairs) or any(
        a in _DETERMINERS and b in ("you", "your", "yours", "yourself") for a, b in pairs) or any(
        a in _AUXILIARIES and _NUMBER.fullmatch(b) and i + 2 < len(words) for i, (a, b) in enumerate(pairs))


def _reported(text: str) -> tuple[str, str]:
    """("whether"|"what"|..., the question as a statement): "Can I put it in the dishwasher?" ->
    ("whether", "you can put it in the dishwasher"); "How much does it hold?" -> ("how much", "it holds")."""
    words = text.strip().rstrip("?.! ").split()
    lowered = [w.lower() for w in words]
    at = next((i for i, w in enumerate(lowered) if w in _AUXILIARIES), None)
    if at is None:  # "Who makes it?", "What colour?": no auxiliary to move
        said = _persons(words)
        if lowered and lowered[0] in ("what", "which", "who", "where", "when", "why", "how"):
            return lowered[0], " ".join(said[1:]) or "it is"
        return "anything about", " ".join(said)
    lead = " ".join(lowered[:at]) or "whether"
    aux, rest = lowered[at], _persons(words[at + 1:], words[at])
    if not rest:
        return lead, "it is"
    if rest[0].lower() in _PREPOSITIONS:  # "How much is in the bottle?": nothing to invert
        return lead, " ".join([aux, *rest])
    if (len(lead.split()) >= (3 if lead.startswith("how") else 2) and lead.split()[0] in ("how", "which", "what", "who")
            and rest[0].lower() not in _SUBJECT_STARTS and aux not in ("does", "do", "did")
            and not _counted(rest[0])):
        return lead, " ".join([aux, *rest])  # "How many people can sit on it?": the asked words are the subject
    if lead.startswith("how") and aux in ("is", "are", "was", "were") and not any(
            w.lower() in _PREPOSITIONS for w in rest):
        return lead, " ".join([*rest, aux])  # "How strong is the sun protection?": all of it is the subject
    size = 2 if (rest[0].lower() in ("the", "this", "these", "each", "a", "an", "your") and len(rest) > 1
                 and rest[1].lower() not in _PREPOSITIONS
                 and not (rest[0].lower() in ("this", "these") and rest[1].lower() in _GENERIC_VERBS)) else 1
    if _counted(rest[0]) and len(rest) > 2:
        size = 2  # "Can two people sleep on it?": the number and what it counts
    while size < len(rest) - 1 and rest[0].lower() not in _SUBJECT_STARTS and _counted(rest[size]):
        size += 1  # "Is size 9 available?", "What age does size S fit?": the size and its number or letter
    subject, tail = rest[:size], rest[size:]
    if aux in ("does", "do", "did"):
        if not tail:
            return lead, " ".join([*subject, "does" if aux == "does" else aux])
        verb = tail[0].lower()
        return lead, " ".join([*subject, _third(verb) if aux == "does" else verb, *tail[1:]])
    if aux == "any":
        return lead, " ".join(["there", "is", "any", *rest])
    if aux in ("has", "have") and subject[0].lower() in ("it", "this"):
        aux = "has"
    return lead, " ".join([*subject, aux, *tail])


_MENTION = re.compile(r"^(?:does|do|will|can)\s+(?:it|this|they|the \w+)\s+(?:have|has|come with|include|includes|"
                      r"ship with|need|require)\s+(.+)$|^(?:is|are)\s+there\s+(.+)$|^(?:what|which)\s+(?:is|are)\s+"
                      r"(?:the|its|their)\s+(.+)$", re.I)


def decline(question: Question, closest: Fact | None = None) -> Answer:
    """The listing does not say: say so in plain English, offer the nearest fact it does state, and
    name the line that would answer it."""
    body = _FOLLOW_UP.sub("", _spelled_out(question.text)).strip().rstrip("?.! ")
    body = re.sub(r"^(what\s+(?:is|are)\b.*?)\s+like$", r"\1", body, flags=re.I)  # "What is the fit like?"
    mention = _MENTION.match(body)
    if mention and next(g for g in mention.groups() if g).split()[-1].lower() in _PREPOSITIONS:
        mention = None  # "What is the band made of?" is no thing to mention
    if mention:  # "Is there a warranty?" -> "The listing doesn't mention a warranty."
        thing = next(g for g in mention.groups() if g)
        text = f"The listing doesn't mention {_object_phrase(thing, definite=body.lower().startswith(('what', 'which')))}"
    else:
        how, clause = _reported(body)
        # a clause that would not read as English is left out: "The listing doesn't say." says it plainly
        text = "The listing doesn't say" if _broken(clause) else f"The listing doesn't say {how} {clause}"
    if closest is not None:
        text += f"; it does say {statement(closest)}"
    text = text.rstrip(".") + ("" if text.endswith("\u201d") else ".")
    named = [w for w in question.subject if w not in question.optional or w in _COMPATIBILITY]
    shown = [question.asked_as.get(w, w) for w in named]
    key = shown_key(" ".join(sorted(shown, key=question.text.lower().find)) or "Detail")
    if question.yes_no:
        suggestion = f"Add a line such as \"{key}: Yes\" or \"{key}: No\" to your listing."
    else:
        suggestion = f"Add a line such as \"{key}: ...\" to your listing."
    return Answer(question.text, text, False, [], suggestion, follow_up=question.follow_up,
                  closest=closest.text if closest is not None else "")


def _object_phrase(thing: str, definite: bool) -> str:
    thing = " ".join(_persons(thing.split()))
    if definite or thing.lower().startswith(("a ", "an ", "the ", "any ", "some ", "your ")):
        return thing if not definite or thing.lower().startswith("the ") else f"the {thing}"
    head = re.split(r"\s+(?:" + "|".join(_PREPOSITIONS) + r")\s+", thing, maxsplit=1)[0]
    return thing if _plural(head) else f"{_article(thing)} {thing}"


# --- the language-model writer -----------------------------------------------------------

LM_PROMPT = ("Answer the shopper's question in one short sentence, using only these facts from the listing.\n"
             "Facts:\n{facts}\nQuestion: {question}")


def lm_answer(question: Question, template: Answer, source_text: str, model: str = "smollm2-135m",
              device: str = "cpu", seed: int = 0, precision: str | None = None) -> Answer:
    """The template answer reworded by the language model, kept only when it passes the claim check
    and keeps the template's yes/no; otherwise the template answer itself."""
    from engine.copywriting.grounded import finish, grounded_processor
    from engine.models.language import load_language_model
    from engine.scores.claims import claim_report

    lm = load_language_model(model, device, precision)
    processor = grounded_processor(lm.tokenizer, [(source_text, [])])
    messages = [{"role": "user", "content": LM_PROMPT.format(
        facts="\n".join(f"- {f}" for f in template.facts), question=question.text)}]
    text = lm.generate(messages, max_new_tokens=40, temperature=0, top_p=1.0, seed=seed, stop_at_newline=True,
                       logits_processor=processor)
    text = " ".join(finish(processor, [text])[0].split())
    report = claim_report(text, source_text)
    said = _polarity_of(text)
    # The claim check catches invented things; a vague rewording ("a limited selection") it cannot,
    # so the answer must also keep most of the fact's words.
    if (not text or report["flagged"] or (template.polarity and said != template.polarity)
            or _overlap(text, " ".join(template.facts)) < 0.5):
        return template
    return Answer(template.question, text, True, template.facts, writer="lm", polarity=template.polarity,
                  follow_up=template.follow_up, score=template.score)


def _overlap(text: str, fact: str) -> float:
    """Share of the fact's content words the text keeps."""
    wanted = terms(fact)
    return len(wanted & terms(text)) / len(wanted) if wanted else 0.0


def _polarity_of(text: str) -> str | None:
    first = _WORD.findall(text.lower())[:1]
    return "yes" if first == ["yes"] else "no" if first == ["no"] else None


# --- a conversation ----------------------------------------------------------------------

@dataclass
class Conversation:
    """One session's questions about one product: the previous question (for follow-ups) and the
    questions the listing could not answer (this session's own, never another visitor's)."""
    ingested: Ingested
    photo_labels: tuple[str, ...] = ()
    device: str = "cpu"
    precision: str | None = None         # the encoders' and the answer writer's (None: the process default)
    writer: str = DEFAULT_WRITER
    log: "UnansweredLog | None" = None
    threshold: float = ATTRIBUTE_FLOOR  # kept for callers; the floors above decide
    previous: Question | None = None
    facts: list[Fact] = field(default_factory=list)
    owner: str = "local"                 # whose log the declined questions go to (a login name)
    unanswered: list[str] = field(default_factory=list)

    def __post_init__(self) -> None:
        if self.writer not in WRITERS:
            raise ValueError(f"unknown answer writer {self.writer!r} (accepted: {', '.join(WRITERS)})")
        self.facts = answer_facts(self.ingested, self.photo_labels)
        product = self.ingested.product
        self.product_words = {_fold(w) for w in words_of(f"{product.title} {product.category}")}

    def ask(self, text: str) -> Answer:
        if not text or not text.strip():
            raise ValueError("the question is empty: type what a shopper would ask, e.g. \"Is it machine washable?\"")
        question = understand(text, self.previous, self.product_words)
        answer = None
        for match in retrieve(question, self.facts, self.device, product_words=self.product_words,
                              precision=self.precision):
            answer = template_answer(question, match)
            if answer is not None:
                break
        if answer is None:
            answer = semantic_answer(question, self.facts, self.device, self.product_words, self.precision)
        if answer is None:
            near = retrieve(question, self.facts, self.device, top=1, covering_only=False,
                            precision=self.precision)
            answer = decline(question, near[0].fact if near and _worth_offering(near[0]) else None)
            if question.text not in self.unanswered:
                self.unanswered.append(question.text)
            if self.log is not None:
                self.log.add(product_key(self.ingested.product), question.text, owner=self.owner)
        elif self.writer == "lm":
            answer = lm_answer(question, answer, self.ingested.source_text(), device=self.device,
                               precision=self.precision)
        self.previous = question if answer.answered or not question.follow_up else self.previous
        answer.about_looks = bool(_LOOKS.search(text))
        return answer


# The second reading: when no fact covers every word of the question, the fact MiniLM finds closest answers
# it if it also covers one of the question's words at this cosine, or, an attribute alone, at the higher one.
# It is said plainly ("The listing says “Pre-shrunk.”"): a paraphrase met by meaning never gets a yes or no.
SEMANTIC_FLOOR = 0.40
SEMANTIC_ALONE = 0.60   # an attribute none of whose words the question says: only for an open question
SEMANTIC_SURE = 0.50    # a yes/no question with less than half its words covered needs this
_WH_HEAD = re.compile(r"^\s*(?:and\s+)?(?:what|which)\s+(?:kind\s+of\s+|sort\s+of\s+|type\s+of\s+)?([a-z]+)"
                      r"(?:\s+([a-z]+))?\b", re.I)


def _part_named(question: Question, uncovered: set[str]) -> bool:
    """The question names a part the fact does not ("the *sole*", "its *glass*")."""
    said = words_of(_normalised(question.text))
    return any(b != "same" and _fold(b) in uncovered and a in ("the", "its", "their") for a, b in zip(said, said[1:]))


def _key_extra(question: Question, fact: Fact, product_words: set[str]) -> set[str]:
    """Words of the attribute's name that qualify it beyond what was asked ("Outer" in "Outer Material")."""
    asked = question.subject | {"~" + c for w in question.subject for c in concepts_of(w)}
    return {w for w in _fact_words(fact).key_words
            if w not in asked and w not in _GENERIC_KEY_WORDS and w not in product_words
            and not {"~" + c for c in concepts_of(w)} & asked}


def _semantic_texts(fact: Fact) -> list[str]:
    """What the fact is compared with: its text and, for a list value, each item with the name
    ("Features bags: Laptop Sleeve" out of "Features bags: Audio Pocket, Waterproof, Laptop Sleeve")."""
    texts = [fact.text]
    if fact.kind == "attribute" and "," in fact.value:
        texts += [f"{fact.key}: {item.strip()}" for item in fact.value.split(",") if item.strip()][:12]
    return texts


def semantic_match(question: Question, facts: list[Fact], device: str = "cpu",
                   product_words: set[str] = frozenset(), precision: str | None = None) -> Match | None:
    """The closest fact by meaning, when it is close enough and says something about what was asked."""
    from engine.encoders.text import encode_texts

    topic = question.subject - question.optional
    if not topic or question.without or question.quantities:
        return None
    candidates = [f for f in facts if f.kind in ("attribute", "photo label", "bullet", "description")
                  and not _identifier(f)]
    if not candidates:
        return None
    texts, owner = [], []
    for i, fact in enumerate(candidates):
        for text in _semantic_texts(fact):
            texts.append(text)
            owner.append(i)
    query = encode_texts([question.query], device, precision)[0]
    cosines = (_fact_vectors(tuple(texts), device, precision) @ query).tolist()
    best: dict[int, float] = {}
    for i, cosine in zip(owner, cosines):
        best[i] = max(best.get(i, -1.0), cosine)
    asked_values = {w for w in topic if _is_value_word(w) and w not in question.verbs}
    ranked = []
    for i, cosine in sorted(best.items(), key=lambda item: -item[1]):
        fact = candidates[i]
        words = _fact_words(fact)
        if asked_values - words.words:
            continue  # "Is it red?" is never answered by a fact without red
        if question.numbers and not question.numbers & _numbers(fact.value or fact.text):
            continue
        if question.measure and (not _NUMBER.search(fact.value or fact.text) or not _same_measure(question, fact)):
            continue  # "How fast is it?" wants a number
        if _other_part(question, fact, product_words, facts):
            continue
        ranked.append((cosine, fact, {w for w in topic if _covers(w, words)}))
        if len(ranked) == 1:
            break
    if not ranked:
        return None
    cosine, fact, covered = ranked[0]
    uncovered = topic - covered
    if question.contents and not fact.key and _only_as_quality(covered, fact):
        return None  # "Does it come with cushions?" is not met by a "cushioned" sofa
    if question.yes_no and _narrower(question, covered, uncovered):
        return None  # "a petite size?" against "Available sizes: XS, S, M": the kind asked is not there
    head = _WH_HEAD.match(_normalised(question.text))
    head_word = head and (_fold(head.group(2)) if head.group(2) and _fold(head.group(2)) in topic else _fold(head.group(1)))
    if head_word and head_word in uncovered:
        return None  # "What age does size S fit?" asks an age: "Fit: Regular Fit" is no answer
    if fact.kind == "attribute" and _part_named(question, uncovered) and _key_extra(question, fact, product_words):
        return None  # "What is the sole made of?" against "Outer Material: ...": another part
    if any(concepts_of(w) & _ASKED_VALUES for w in uncovered):
        return None  # "What is the tub made of?" against "Sales Package: Baby Bath Tub": the material asked is not said
    if question.yes_no and any(_adjective_only(w) for w in uncovered):
        return None  # "Are the sleeves warm?" against "Sleeve: Half Sleeve": the quality asked is not said
    if question.yes_no and len(covered) * 2 < len(topic) and cosine < SEMANTIC_SURE:
        return None  # "Is the waist adjustable with a belt?" is not settled by "Drawstring waist."
    if not ((covered and cosine >= SEMANTIC_FLOOR)
            or (fact.kind == "attribute" and not question.yes_no and cosine >= SEMANTIC_ALONE)):
        return None
    return Match(fact, cosine, cosine, covered, topic - covered)


_PERSONS = {"it", "they", "i", "you", "we", "this", "these", "that", "those", "he", "she"}
# Concepts a question asks the value of ("made of": a material): a fact that does not cover them does not answer.
_ASKED_VALUES = {"material", "color", "price", "brand", "origin", "pattern"}


_PREPOSITION_WORDS = {"after", "before", "over", "under", "above", "below", "inside", "outside", "around", "through",
                      "across", "along", "behind", "beneath", "near", "off", "out", "down", "up"}


@lru_cache(maxsize=1024)
def _adjective_only(word: str) -> bool:
    """A quality ("warm", "adjustable"), never a thing: WordNet knows it as an adjective and not as a noun."""
    wordnet = _wordnet()
    return (wordnet is not None and word not in _PREPOSITION_WORDS and _describing(word)
            and not wordnet.synsets(word, pos="n"))


def _narrower(question: Question, covered: set[str], uncovered: set[str]) -> bool:
    """An uncovered word right before a covered one qualifies it ("*prescription* lenses", "*petite* size"): the
    question asks for a narrower thing than the fact is about."""
    words = words_of(_normalised(question.text))
    said = [_fold(w) for w in words]
    return any(a in uncovered and b in covered and (i == 0 or words[i - 1] not in _PERSONS)
               for i, (a, b) in enumerate(zip(said, said[1:])))  # not the verb of "they *block* UV rays"


def semantic_answer(question: Question, facts: list[Fact], device: str = "cpu",
                    product_words: set[str] = frozenset(), precision: str | None = None) -> Answer | None:
    match = semantic_match(question, facts, device, product_words, precision)
    if match is None:
        return None
    return Answer(question.text, _sentence(statement(match.fact)), True, [match.fact.text],
                  follow_up=question.follow_up, score=match.score)


def _worth_offering(match: Match) -> bool:
    """A near fact is offered in a decline only when it is a short structured fact on the same subject
    ("it does say it is microwave safe"), not a long sentence that shares a word by chance."""
    return match.fact.kind in ("attribute", "photo label") and match.cosine >= 0.35 and bool(
        {w for w in match.shared if not w.startswith("~")} - {"it"})


def product_key(product: Product) -> str:
    """The product's id, or a digest of its title when it has none (a form typed by hand)."""
    if product.id:
        return product.id
    return "title-" + hashlib.sha256(product.title.encode("utf-8")).hexdigest()[:12]


def ask(product: Product | Ingested, questions: str | list[str], *, writer: str = DEFAULT_WRITER,
        device: str = "cpu", log: "UnansweredLog | None" = None, owner: str = "local",
        precision: str | None = None) -> list[Answer]:
    """Answer one question, or several in order as one conversation (follow-ups see the previous)."""
    if writer not in WRITERS:
        raise ValueError(f"unknown answer writer {writer!r} (accepted: {', '.join(WRITERS)})")
    ingested = product if isinstance(product, Ingested) else ingest(product)
    conversation = Conversation(ingested, device=device, precision=precision, writer=writer, log=log, owner=owner)
    return [conversation.ask(q) for q in ([questions] if isinstance(questions, str) else questions)]


def speak(answer: Answer | str, out_wav: Path | str) -> Path:
    """The answer as speech (Piper, espeak-ng as fallback): a WAV at ``out_wav``."""
    from engine.creatives.narration import synthesize

    return synthesize(answer.text if isinstance(answer, Answer) else answer, Path(out_wav))


# --- questions the listing could not answer ----------------------------------------------

class UnansweredLog:
    """Declined questions per owner (a login) and product, in ``data_dir()/qa_unanswered.json``:
    the facts shoppers miss, shown only to the merchant who owns them."""

    _lock = threading.Lock()

    def __init__(self, path: Path | str | None = None):
        if path is None:
            from engine.core.paths import data_dir

            path = data_dir() / "qa_unanswered.json"
        self.path = Path(path)

    def _read(self) -> dict[str, dict[str, list[str]]]:
        try:
            data = json.loads(self.path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return {}
        if not isinstance(data, dict):
            return {}
        # A file from before owners (product -> questions) belonged to no one: it is not shown to anyone.
        return {owner: products for owner, products in data.items() if isinstance(products, dict)}

    def add(self, key: str, question: str, owner: str = "local") -> None:
        with self._lock:
            data = self._read()
            asked = data.setdefault(owner, {}).setdefault(key, [])
            if question not in asked:
                asked.append(question)
                self.path.parent.mkdir(parents=True, exist_ok=True)
                tmp = self.path.with_suffix(".tmp")
                tmp.write_text(json.dumps(data, indent=1, ensure_ascii=False), encoding="utf-8")
                tmp.replace(self.path)

    def questions(self, key: str, owner: str = "local") -> list[str]:
        return list(self._read().get(owner, {}).get(key, []))


# --- command line ------------------------------------------------------------------------

def _cmd_ask(args) -> int:
    import sys

    product = Product.from_json_file(args.product)
    log = UnansweredLog()
    answers = ask(product, args.questions, writer=args.writer, device=args.device, log=log)
    for answer in answers:
        if args.json:
            continue
        print(answer.text)
        for fact in answer.facts:
            print(f"  fact: {fact}")
        if answer.suggestion:
            print(f"  {answer.suggestion}", file=sys.stderr)
    if args.json:
        print(json.dumps([a.to_dict() for a in answers], indent=2, ensure_ascii=False))
    if args.voice:
        speak(" ".join(a.text for a in answers), args.voice)
        print(f"-> {args.voice}", file=sys.stderr)
    return 0


def add_ask_subcommand(sub) -> None:
    """``python -m engine ask PRODUCT.json "Is it microwave safe?" ["and in black?" ...] [--voice OUT.wav]``."""
    parser = sub.add_parser("ask", help="answer shoppers' questions from the product's own facts")
    parser.add_argument("product", type=Path)
    parser.add_argument("questions", nargs="+", help="one or more questions, asked in order (follow-ups allowed)")
    parser.add_argument("--voice", type=Path, default=None, help="also speak the answers into this WAV")
    parser.add_argument("--writer", choices=WRITERS, default=DEFAULT_WRITER,
                        help="template (the facts said back) or lm (reworded, checked, template on failure)")
    parser.add_argument("--json", action="store_true", help="answers with their facts as JSON")
    parser.set_defaults(func=_cmd_ask)
