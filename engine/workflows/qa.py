"""Shopper Q&A: answer a shopper's question about one product from the merchant's own facts.

A wrong answer to a shopper ("yes, it is microwave safe") costs more than no answer, so an answer
only ever says back one of the merchant's facts, as a sentence ("It holds 330 ml."):

1. ``product_facts`` cuts what the merchant gave into facts: each attribute (structured, the
   notes' ``key: value`` lines, a confirmed photo label), each bullet, each sentence of the
   description, the title, brand, category and price.
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
   catalog; WordNet covers the long tail of synonyms.
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

from engine.ingest import Ingested, ingest
from engine.core.product import Product

# Below these MiniLM cosines a fact that covers the question's words is still not taken: a long
# description sentence covers words by chance. Set on the development half of the hand-written
# question set (engine/evaluation/qa.py), checked on the held-out half.
ATTRIBUTE_FLOOR = 0.05
SENTENCE_FLOOR = 0.15
THRESHOLD = ATTRIBUTE_FLOOR  # kept for callers that read one number
KEY_BONUS = 0.3        # the question names the attribute (or its concept): prefer it to a sentence
MAX_FACT_CHARS = 300
WRITERS = ("template", "lm")
DEFAULT_WRITER = "template"  # the better of the two on the eval set (docs/EVALUATION.md)

_YES, _NO = {"yes", "true", "y"}, {"no", "false", "n", "none"}
_NOT_GIVEN = {"na", "n/a", "n.a.", "not applicable", "-", "nil", "unknown", ""}
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
_SENTENCE = re.compile(r"(?<=[.!?])\s+|\s*[•\u2022;]\s*|\n+")
_NUMBER = re.compile(r"\d+(?:[.,]\d+)?")
# Words of a question that carry no subject ("Is it ...?", "What is the ...?", "Can I ...?").
_QUESTION_WORDS = set("""
a an the is are was were be been being it its it's this that these those they them their there here what what's
which who whom whose when where why how does do did can could will would should shall may might must has have had
i i'm you your me my we our us of in on at to for with and or about any some tell please know get available
offer offered product item items one ones also really actually exactly just thing things
good great nice enough easily right now all day each every well
isn't doesn't don't can't won't aren't so ok okay then if by from into onto up out as than very much many
""".split())
# Verbs a shopper wraps a question in ("Can I *wear* it in the rain?"): they name no fact.
_GENERIC_VERBS = set("""
wear use used using put go goes buy get take bring keep need needs want work works come comes coming
carry carries let give gives see look feel say says said mention mentioned tell pick choose select throw
heat reheat plug run runs hang
""".split())
# Nouns a shopper uses for the product itself ("How much is in the bottle?"), not for a property of it.
_PRODUCT_NOUNS = set("""
shirt tshirt tee top pant pants trouser trousers short shorts boot boots shoe shoes watch mug cup bottle box mat
pool drive hoodie jacket product item thing piece one ones pair
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
_BRAND_ASKED = re.compile(r"\bwho\s+(?:makes|made|manufactures|manufactured|produces)\b|\bmade by\b|\bwhich company\b", re.I)
# "Is it microwave safe?" is about the microwave; "safe" only says "works with" (as in engine.scores.claims).
_COMPATIBILITY = {"safe", "friendly", "proof", "compatible", "suitable", "ok", "okay", "usable"}

# Shopping concepts: a word in a question or in a fact that means the same thing as another
# ("hold" ~ "capacity"). General shopper vocabulary, written before the question set.
CONCEPTS: dict[str, set[str]] = {
    "capacity": {"capacity", "hold", "volume", "litre", "liter", "ml", "fill", "store", "storage", "gb", "quantity",
                 "contain", "contains"},
    "material": {"material", "made", "make", "fabric", "fibre", "fiber", "cloth", "build", "built", "constructed",
                 "construction", "manufactured", "composition"},
    "audience": {"ideal", "meant", "intended", "suit", "suited", "designed", "target", "gender", "who", "men", "women",
                 "man", "woman", "boy", "girl", "kid", "kids", "child", "children", "baby", "babies", "infant",
                 "unisex", "ladies", "lady", "gents", "male", "female", "toddler", "adult", "adults"},
    "count": {"pack", "order", "piece", "pieces", "set", "two", "three", "four", "unit", "units", "count",
              "contents", "content", "package", "included", "include", "includes", "inside", "quantity", "number",
              "pair", "pairs", "many"},
    "warranty": {"warranty", "guarantee", "guaranty", "warrantee", "guaranteed"},
    "water": {"water", "waterproof", "rain", "raining", "rainy", "wet", "swim", "swimming", "shower", "splash",
              "monsoon", "underwater", "dive", "diving", "resistant"},
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
    "size": {"size", "sizes", "fit", "fits", "small", "large"},
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
    "diameter": {"diameter", "around", "circumference"},
    "sale": {"sale", "discount", "offer", "deal"},
}
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
            return word[: -len(suffix)] + ("y" if suffix == "ies" else "")
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
    for synset in wordnet.synsets(word)[:4]:
        for lemma in synset.lemmas():
            name = lemma.name().lower()
            if "_" not in name:
                found.add(_fold(name))
            for related in lemma.derivationally_related_forms()[:3]:
                if "_" not in related.name():
                    found.add(_fold(related.name().lower()))
    found.discard(_fold(word))
    return frozenset(found)


def words_of(text: str) -> list[str]:
    return _WORD.findall(text.lower().replace("_", " ").replace("/", " ").replace("-", " "))


def terms(text: str) -> set[str]:
    """The content words of ``text``, folded, plus the concepts they name (as "~concept")."""
    words = {_fold(w) for w in words_of(text) if w not in _QUESTION_WORDS}
    return words | {"~" + c for w in words for c in concepts_of(w)}


@dataclass(frozen=True)
class Fact:
    text: str        # shown to the shopper as the source, e.g. "Microwave safe: No"
    kind: str        # attribute | bullet | description | title | brand | category | price | photo label
    key: str = ""    # attribute name as the merchant wrote it ("" for sentences)
    value: str = ""  # attribute value ("" for sentences)


def _label(key: str) -> str:
    key = key.replace("_", " ").strip()
    return key[:1].upper() + key[1:]


def _sentences(text: str) -> list[str]:
    return [s.strip()[:MAX_FACT_CHARS] for s in _SENTENCE.split(text or "") if len(s.strip()) > 2]


def product_facts(ingested: Ingested, photo_labels: tuple[str, ...] = ()) -> list[Fact]:
    """Every fact the merchant gave, one per attribute, bullet and description sentence."""
    p = ingested.product
    facts = [Fact(f"{_label(k)}: {v}", "attribute", _label(k), v) for k, v in ingested.attributes.items()
             if v.strip().lower() not in _NOT_GIVEN]  # "Novelty Feature: N/A" says nothing
    facts += [Fact(f"Product type: {label}", "photo label", "Product type", label) for label in photo_labels]
    facts += [Fact(b[:MAX_FACT_CHARS], "bullet") for b in p.bullets if b.strip()]
    facts += [Fact(s, "description") for s in _sentences(p.description)]
    for kind, value in (("title", p.title), ("brand", p.brand), ("category", p.category)):
        if value.strip():
            facts.append(Fact(f"{_label(kind)}: {value}", kind, _label(kind), value))
    if p.price is not None:
        price = f"{p.price:g} {p.currency}".strip()
        facts.append(Fact(f"Price: {price}", "price", "Price", price))
    return _unique(facts)


def _unique(facts: list[Fact]) -> list[Fact]:
    seen, kept = set(), []
    for fact in facts:
        if fact.text.lower() not in seen:
            seen.add(fact.text.lower())
            kept.append(fact)
    return kept


@dataclass
class Match:
    fact: Fact
    score: float            # cosine + KEY_BONUS when the question names the attribute
    cosine: float
    shared: set[str]        # question topic words the fact covers
    missing: set[str] = field(default_factory=set)  # topic words it does not cover


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
    words = words_of(text)
    measured = {m.group(1).lower() for m in _MEASURE.finditer(text)}
    kept = []
    for i, word in enumerate(words):
        if word in _QUESTION_WORDS or word in _GENERIC_VERBS or _NUMBER.fullmatch(word):
            continue
        if word in measured and i and words[i - 1] == "how":
            continue  # "how long": the measure, not a topic
        kept.append(word)
    if any(w not in _KIND_WORDS for w in kept):
        kept = [w for w in kept if w not in _KIND_WORDS]
    return kept


def _self_references(text: str) -> set[str]:
    """Words that name the product itself: "this shirt", "each boot", "the bottle"."""
    words = words_of(text)
    named = set()
    for before, word in zip(words, words[1:]):
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


def _normalised(text: str) -> str:
    """Contractions spelled out and "who makes it" read as the brand, so the rules see one form."""
    text = " ".join(text.replace("\u2019", "'").split())
    text = re.sub(r"\b(" + "|".join(re.escape(c) for c in _CONTRACTIONS) + r")\b",
                  lambda m: _CONTRACTIONS[m.group(1).lower()], text, flags=re.I)
    return _BRAND_ASKED.sub("what brand", text)


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
    yes_no = bool(_YES_NO_START.match(body))
    said = _topic_words(body)
    own = [_fold(w) for w in said]
    asked_as = dict(zip(own, said))
    # "safe" in "Is it microwave safe?" only says "works with": "Not for microwave use." answers it.
    optional = {w for w in own if w in product_words or w in _COMPATIBILITY} | _self_references(body)
    value_only = own and all(_is_value_word(w) for w in own)
    elliptical = not own and (lead or len(words_of(body)) <= 2 or measure is None)
    if previous is not None and (elliptical or (lead and value_only)):
        # "How long?" after "Is there a guarantee?": the warranty, measured; "and in black?": the colours again.
        subject = set(own) | (previous.subject if not own else {w for w in previous.subject if not _is_value_word(w)})
        return Question(text, f"{previous.query} {body}", previous.yes_no if lead else yes_no, subject,
                        follow_up=True, measure=measure or (previous.measure if not own else None),
                        optional=previous.optional | optional, asked_as={**previous.asked_as, **asked_as})
    return Question(text, body or text, yes_no, set(own), follow_up=bool(lead) and previous is not None,
                    measure=measure, optional=optional, asked_as=asked_as)


@lru_cache(maxsize=1)
def _value_words() -> frozenset[str]:
    from engine.scores.vocab import COLORS, MATERIALS

    words = {_fold(w) for w in (*COLORS, *MATERIALS) if " " not in w}
    return frozenset(words | {_fold(w) for w in _AUDIENCE_VALUES})


def _is_value_word(word: str) -> bool:
    """A colour, material or audience: asked about, the fact's own list answers it ("red" is not among them)."""
    return _fold(word) in _value_words()


# --- finding the facts that answer -------------------------------------------------------

@dataclass(frozen=True)
class _FactWords:
    words: frozenset[str]        # folded words of the whole fact
    key_words: frozenset[str]    # folded words of the attribute name (or of a sentence)
    concepts: frozenset[str]
    key_concepts: frozenset[str]


@lru_cache(maxsize=4096)
def _fact_words(fact: Fact) -> _FactWords:
    words = frozenset(_fold(w) for w in words_of(fact.text))
    key_words = frozenset(_fold(w) for w in words_of(fact.key)) if fact.key else words
    value_words = frozenset(_fold(w) for w in words_of(fact.value))
    concepts = frozenset(c for w in words for c in concepts_of(w))
    key_concepts = frozenset(c for w in key_words for c in concepts_of(w))
    if value_words & {_fold(v) for v in _AUDIENCE_VALUES}:
        concepts |= {"audience"}
    if fact.kind == "price":
        key_concepts |= {"price"}
    if fact.kind == "brand":
        key_concepts |= {"brand"}
    return _FactWords(words, key_words, concepts, key_concepts)


def _covers(word: str, fact: _FactWords) -> bool:
    if word in fact.words:
        return True
    if _is_value_word(word):
        return False  # "men" is not answered by "Ideal For: Women": the fact's own list answers it, see below
    if len(word) >= 4 and any(w.startswith(word) for w in fact.words):
        return True  # "neck" ~ "neckline", "wick" ~ "wicking"
    if concepts_of(word) & fact.concepts:
        return True
    return bool(synonyms(word) & fact.words)


@lru_cache(maxsize=64)
def _fact_vectors(texts: tuple[str, ...], device: str):
    from engine.encoders.text import encode_texts

    return encode_texts(list(texts), device)


def retrieve(question: Question, facts: list[Fact], device: str = "cpu", top: int = 3,
             covering_only: bool = True) -> list[Match]:
    """Facts that cover every topic word of the question, best first (cosine + key bonus).

    With ``covering_only=False`` facts that cover some of it come too (for "it does say ..." in a decline)."""
    from engine.encoders.text import encode_texts

    if not facts or not (question.subject or question.measure):
        return []
    query = encode_texts([question.query], device)[0]
    cosines = (_fact_vectors(tuple(f.text for f in facts), device) @ query).tolist()
    matches = []
    for fact, cosine in zip(facts, cosines):
        words = _fact_words(fact)
        shared = {w for w in question.subject if _covers(w, words)}
        missing = {w for w in question.subject - shared if w not in question.optional}
        if not shared and question.measure and question.measure in words.concepts:
            shared = {"~" + question.measure}
        value_asked = bool(missing) and _only_values_missing(missing, fact) and all(
            concepts_of(w) & words.key_concepts for w in missing)  # "Is it for men?" against "Ideal For: Women"
        if not (shared - question.optional if covering_only else shared) and not value_asked and not (
                shared and not missing and not (question.subject - question.optional)):
            continue  # covers nothing the shopper asked beyond naming the product
        if question.measure and not question.subject - question.optional and question.measure not in words.concepts:
            continue  # "How heavy is it?" wants a weight, not any fact
        if covering_only and missing and not _only_values_missing(missing, fact):
            continue
        if covering_only and shared and shared <= question.optional and not _said_outright(question, Match(
                fact, 0.0, 0.0, shared)):
            continue  # every word asked is in the title ("a sun shade?"): only a fact that says it answers
        named = any(w in words.key_words or concepts_of(w) & words.key_concepts for w in shared if not w.startswith("~"))
        named = named or bool(question.measure and question.measure in words.key_concepts)
        structured = fact.kind in ("attribute", "photo label", "price", "brand")
        if covering_only and structured and not question.yes_no and not named:
            continue  # "What sizes are there?" asks for the attribute named so, not one whose value says "size"
        floor = ATTRIBUTE_FLOOR if structured else SENTENCE_FLOOR
        if covering_only and cosine < floor:
            continue
        score = cosine + (KEY_BONUS if named and structured else 0.0) + (0.05 if structured else 0.0)
        matches.append(Match(fact, score, cosine, shared, missing))
    return sorted(matches, key=lambda m: (len(m.missing), -m.score))[:top]


def _only_values_missing(missing: set[str], fact: Fact) -> bool:
    """"Does it come in red?" against "Colors: Blue, Black": a value the fact's list leaves out."""
    if not fact.value or not all(_is_value_word(w) for w in missing):
        return False
    held = _fact_words(fact).key_concepts  # "metal" is not answered by "Strap Color: Gold"
    return all(concepts_of(w) & held for w in missing)


# --- saying a fact as a sentence ---------------------------------------------------------

def _article(phrase: str) -> str:
    return "an" if phrase[:1].lower() in "aeiou" else "a"


@lru_cache(maxsize=512)
def _is_adjective(word: str) -> bool:
    """"resistant", "safe", "luminous": said with "it is"; a noun ("chronograph") with "it has"."""
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


def statement(fact: Fact) -> str:
    """The fact as a clause a person would say ("it holds 330 ml"), lower-case, no full stop."""
    value = fact.value.strip()
    if not fact.key:
        return f"the listing says \u201c{fact.text.rstrip('.')}.\u201d"
    flag = value.lower()
    if flag in _YES or flag in _NO:
        return _boolean_clause(fact.key, flag in _YES)
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
    if concept == "capacity":
        return f"it holds {value}"
    if concept == "weight":
        return f"it weighs {value}"
    if concept in ("height", "length", "width", "depth") and concept == _fact_concept(fact) and _NUMBER.search(value):
        adjective = {"height": "tall", "length": "long", "width": "wide", "depth": "deep"}[concept]
        return f"it is {value} {adjective}" if not fact.key.lower().startswith(("heel", "shoulder", "sleeve")) \
            else f"the {fact.key.lower()} is {value}"
    if concept == "material" and fact.key.lower() in ("material", "fabric", "materials"):
        return f"it is made of {value}"
    if concept == "audience":  # "Women's" -> "Women", "Boy's" -> "Boys"
        value = re.sub(r"(\w+)'s\b", lambda m: m.group(1) if m.group(1).lower().endswith("men") else m.group(1) + "s",
                       value)
        return f"it is meant for {value}"
    counted = re.fullmatch(r"number of (\w+)", fact.key.strip(), re.I)
    if counted and _NUMBER.fullmatch(value):  # "Number of Hooks: 8" -> "it has 8 hooks"
        return f"it has {value} {counted.group(1).lower()}"
    if concept == "count" and re.fullmatch(r"(?:pack of\s*)?\d+", value, re.I):
        return f"it comes as a pack of {_NUMBER.search(value).group()}"
    if concept == "price" or fact.kind == "price":
        return f"it costs {value}"
    if concept == "color" and fact.key.lower() in ("color", "colors", "colour", "colours", "available colors"):
        return f"it comes in {value}"
    if concept == "size" and fact.key.lower() in ("size", "sizes", "available sizes"):
        return f"it comes in {'sizes' if ',' in value else 'size'} {value}"
    if concept == "type" and fact.key.lower() in ("type", "product type", "style general"):
        if _plural(value) or _is_adjective(value.split()[-1].lower()):
            return f"it is {value}"  # "it is Digital", "it is Cycling Shorts"
        return f"it is {_article(value)} {value}"
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
    if match.missing:  # "Does it come in red?" against "Colors: Blue, Black": the listing answers with what it has
        shown = " or ".join(sorted(question.asked_as.get(w, w) for w in match.missing))
        return Answer(question.text, f"{_sentence(said)[:-1]}; the listing doesn't mention {shown}.", **found)
    if question.yes_no:
        flag = fact.value.strip().lower()
        no = flag in _NO or (flag not in _YES and _negated(fact.text, match.shared))
        asked, held = _numbers(question.text), _numbers(fact.value or fact.text)
        no = no or bool(asked and held and not asked & held)  # "a set of two?" against "Sales Package: 1 mug"
        polarity = "no" if no else "yes"
        if not fact.key and no:
            return Answer(question.text, f"No: {said}", polarity=polarity, **found)
        if flag not in _YES and flag not in _NO and not no and not _said_outright(question, match):
            # "Do they have laces?" against "Closure: Slip On": the fact is on topic but says no yes.
            return Answer(question.text, _sentence(said), **found)
        return Answer(question.text, f"{polarity.capitalize()}, {said}" + ("" if said.endswith("\u201d") else "."),
                      polarity=polarity, **found)
    return Answer(question.text, _sentence(said), **found)


# --- saying what the listing does not say ------------------------------------------------

_PRONOUNS = {"i": "you", "me": "you", "my": "your", "mine": "yours", "i'm": "you are", "we": "you", "our": "your",
             "us": "you"}
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


def _reported(text: str) -> tuple[str, str]:
    """("whether"|"what"|..., the question as a statement): "Can I put it in the dishwasher?" ->
    ("whether", "you can put it in the dishwasher"); "How much does it hold?" -> ("how much", "it holds")."""
    words = text.strip().rstrip("?.! ").split()
    lowered = [w.lower() for w in words]
    at = next((i for i, w in enumerate(lowered) if w in _AUXILIARIES), None)
    if at is None:  # "Who makes it?", "What colour?": no auxiliary to move
        said = [_PRONOUNS.get(w.lower(), w) for w in words]
        if lowered and lowered[0] in ("what", "which", "who", "where", "when", "why", "how"):
            return lowered[0], " ".join(said[1:]) or "it is"
        return "anything about", " ".join(said)
    lead = " ".join(lowered[:at]) or "whether"
    aux, rest = lowered[at], [_PRONOUNS.get(w.lower(), w) for w in words[at + 1:]]
    if not rest:
        return lead, "it is"
    if rest[0].lower() in _PREPOSITIONS:  # "How much is in the bottle?": nothing to invert
        return lead, " ".join([aux, *rest])
    size = 2 if rest[0].lower() in ("the", "this", "these", "each", "a", "an", "your") and len(rest) > 1 else 1
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
    mention = _MENTION.match(body)
    if mention and next(g for g in mention.groups() if g).split()[-1].lower() in _PREPOSITIONS:
        mention = None  # "What is the band made of?" is no thing to mention
    if mention:  # "Is there a warranty?" -> "The listing doesn't mention a warranty."
        thing = next(g for g in mention.groups() if g)
        text = f"The listing doesn't mention {_object_phrase(thing, definite=body.lower().startswith(('what', 'which')))}"
    else:
        how, clause = _reported(body)
        text = f"The listing doesn't say {how} {clause}"
    if closest is not None:
        text += f"; it does say {statement(closest)}"
    text = text.rstrip(".") + ("" if text.endswith("\u201d") else ".")
    named = [w for w in question.subject if w not in question.optional or w in _COMPATIBILITY]
    shown = [question.asked_as.get(w, w) for w in named]
    key = _label(" ".join(sorted(shown, key=question.text.lower().find)) or "Detail")
    if question.yes_no:
        suggestion = f"Add a line such as \"{key}: Yes\" or \"{key}: No\" to your listing."
    else:
        suggestion = f"Add a line such as \"{key}: ...\" to your listing."
    return Answer(question.text, text, False, [], suggestion, follow_up=question.follow_up,
                  closest=closest.text if closest is not None else "")


def _object_phrase(thing: str, definite: bool) -> str:
    thing = " ".join(_PRONOUNS.get(w.lower(), w) for w in thing.split())
    if definite or thing.lower().startswith(("a ", "an ", "the ", "any ", "some ", "your ")):
        return thing if not definite or thing.lower().startswith("the ") else f"the {thing}"
    head = re.split(r"\s+(?:" + "|".join(_PREPOSITIONS) + r")\s+", thing, maxsplit=1)[0]
    return thing if _plural(head) else f"{_article(thing)} {thing}"


# --- the language-model writer -----------------------------------------------------------

LM_PROMPT = ("Answer the shopper's question in one short sentence, using only these facts from the listing.\n"
             "Facts:\n{facts}\nQuestion: {question}")


def lm_answer(question: Question, template: Answer, source_text: str, model: str = "smollm2-135m",
              device: str = "cpu", seed: int = 0) -> Answer:
    """The template answer reworded by the language model, kept only when it passes the claim check
    and keeps the template's yes/no; otherwise the template answer itself."""
    from engine.copywriting.grounded import finish, grounded_processor
    from engine.models.language import load_language_model
    from engine.scores.claims import claim_report

    lm = load_language_model(model, device)
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
        self.facts = product_facts(self.ingested, self.photo_labels)
        product = self.ingested.product
        self.product_words = {_fold(w) for w in words_of(f"{product.title} {product.category}")}

    def ask(self, text: str) -> Answer:
        if not text or not text.strip():
            raise ValueError("the question is empty: type what a shopper would ask, e.g. \"Is it machine washable?\"")
        question = understand(text, self.previous, self.product_words)
        answer = None
        for match in retrieve(question, self.facts, self.device):
            answer = template_answer(question, match)
            if answer is not None:
                break
        if answer is None:
            near = retrieve(question, self.facts, self.device, top=1, covering_only=False)
            answer = decline(question, near[0].fact if near and _worth_offering(near[0]) else None)
            if question.text not in self.unanswered:
                self.unanswered.append(question.text)
            if self.log is not None:
                self.log.add(product_key(self.ingested.product), question.text, owner=self.owner)
        elif self.writer == "lm":
            answer = lm_answer(question, answer, self.ingested.source_text(), device=self.device)
        self.previous = question if answer.answered or not question.follow_up else self.previous
        answer.about_looks = bool(_LOOKS.search(text))
        return answer


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
        device: str = "cpu", log: "UnansweredLog | None" = None, owner: str = "local") -> list[Answer]:
    """Answer one question, or several in order as one conversation (follow-ups see the previous)."""
    if writer not in WRITERS:
        raise ValueError(f"unknown answer writer {writer!r} (accepted: {', '.join(WRITERS)})")
    ingested = product if isinstance(product, Ingested) else ingest(product)
    conversation = Conversation(ingested, device=device, writer=writer, log=log, owner=owner)
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
