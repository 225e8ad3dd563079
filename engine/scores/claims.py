"""The claim check: does the copy say only what the merchant said, with names spelled as given?

A merchant who publishes a green-badged false claim is the worst failure this studio can have, so
every span the check cannot support is flagged, with the reason, and listed for the UI to mark.
What counts as support is everything the merchant gave (fields, attributes, ``key: value`` lines of
the notes, confirmed photo labels) plus the colours measured in the photos.

What is checked, and how (lexical support against the input, with WordNet for lemmas, synonyms and
kinds of things; chosen over embedding similarity because a flag must point at the exact words and
say why):
- numbers, colours and materials: ``engine.scores.grounding`` (a number stated as the price grounds
  no measurement: "1695 mm" is not the price 1695; "forty litres" and "two pockets" are numbers too);
- names: a word that is neither English (WordNet, the catalogs' everyday words) nor in the input is
  a misspelt name when it is close to a word of the input ("Tantan" for "Titan") and an unknown name
  otherwise ("Jazza");
- things: a concrete noun (an artifact, food, substance, plant, animal or body part in WordNet's
  sense) that the input does not name, or name a kind of ("timepiece" is supported by "watch"), or
  call by another name of ``vocab.NEAR_SYNONYMS`` ("cup" for "mug", "short-sleeved" for "Half
  Sleeve"), and that is not common catalog copy ("gift", "home"): "sapphire", "removable lid",
  "laptops". Nouns that merely share a hypernym with an input noun are not supported: on the
  evaluation outputs that rule cleared a third of the flagged things, nearly all of them invented
  ("lid" beside "accessories", "phone" beside "weight");
- contradictions: something the merchant said no to ("Microwave safe: No", "Not for microwave")
  stated without a negation ("microwave safe"), and something they said yes to ("Dishwasher safe:
  Yes", a "Waterproof" feature) stated with one ("not dishwasher safe");
- features (kind "feature"): the buyer-testable features of ``vocab.FEATURES`` ("waterproof",
  "BPA free", "non-stick", "breathable", "UV protection") wherever they stand, running on power
  ("power", "battery", "voltage" without a power fact in the input) and keeping warm or cold ("keeps
  your food warm" without an insulation or temperature word). Any form of the input's words licenses
  a feature ("Water Resistant: Yes" licenses "water-resistant", "water resistance"), and so does a
  stronger one ("waterproof" licenses "water-resistant", not the other way round);
- health claims (kind "health claim"): medical proof and effects ("clinically proven", "anti-aging",
  "cures", "boosts immunity"), treating a condition ("treats acne", "relieves pain") and naming a
  disease ("cancer", "asthma"); a claim about a condition the input names is licensed ("fights
  dandruff" for an anti-dandruff shampoo), any other needs all its words in the input;
- certification (kind "certification"): marks and approvals ("FDA approved", "ISO 9001", "CE mark",
  "certified", "lab tested", "patented") whose words the input does not all have;
- warranty (kind "warranty"): warranties, guarantees and return promises ("lifetime warranty", "30 day
  replacement guarantee", "money-back") unless the input has their terms ("1 year warranty" for
  "Warranty: 1 Year Domestic Warranty"; who gives it, "manufacturer" or "brand", is not checked);
- origin (kind "origin"): where it is made or comes from ("made in India", "handmade in Italy",
  "Italian leather") unless the input names the place or its people;
- meta-text: the model talking about its answer ("Sure!", "Here is an example of a response");
- praise nobody gave: "our customers have praised it", "award-winning", "best-selling", "experts".
"""
from __future__ import annotations

import json
import re
from bisect import bisect_right
from dataclasses import asdict, dataclass
from functools import lru_cache
from itertools import accumulate

from engine.models.cache import load_once
from engine.core.paths import ASSETS

from .grounding import grounding_report
from .spelling import respellings
from .vocab import (CAPABILITY_WORDS, CERTIFICATION_MARKS, DEMONYMS, FEATURE_EQUIVALENTS, FEATURE_IMPLIES, FEATURES,
                    HEALTH_CONDITIONS, NEAR_SYNONYMS, NUMBER_WORDS, SERIOUS_CONDITIONS, THERMAL_WORDS)

CONCRETE = {"noun.artifact", "noun.food", "noun.substance", "noun.plant", "noun.animal", "noun.body",
            "noun.object"}
# Things WordNet 3.0 (2006) does not know; named in copy, they are claims like any other.
MODERN_THINGS = {"smartphone", "smartwatch", "smartphones", "tablet", "earbuds", "earphone", "headphone",
                 "charger", "bluetooth", "wifi", "usb", "app", "touchscreen", "powerbank", "airpods"}
# Words after "not"/"no" that carry no concept of their own ("not for use in microwave").
_NEGATION_FILLER = {"for", "in", "to", "be", "use", "used", "suitable", "recommended", "safe", "with", "a",
                    "an", "the", "any", "on", "into", "put", "place", "placed", "it", "is", "are", "of"}
# "Microwave safe: No" is about the microwave; the adjective only says "works with".
_COMPATIBILITY = {"safe", "friendly", "proof", "compatible", "suitable", "ready", "resistant", "supported",
                  "support", "available", "included", "required"}
# Catalog yes/no flags that say nothing about the product itself (Luma's "sale: No", "new: No").
_ARTICLES = {"a", "an", "the", "on", "of", "for", "in", "to", "with", "and", "or", "is"}
_FLAG_KEYS = {"new", "sale", "featured", "recommended", "recommends", "bestseller", "erin"}
_NEGATORS = {"not", "no", "never", "without", "don't", "dont", "cannot", "can't", "isn't", "aren't", "nor", "neither"}

_META = re.compile(
    r"(?:^|(?<=[.!?:]\s))\s*(?:sure|certainly|of course|okay|ok|absolutely|great question)\b[!,.:]?"
    r"|\bhere (?:is|are)\b|\b(?:an? )?example of\b|\bresponse\b|\bthe following\b|\bas requested\b"
    r"|\b(?:bullet points?|bullets)\b|\bI(?:'ll| will| can|'m| am| have)\b|\blanguage model\b|\bAI\b"
    r"|\b(?:this|the above|my) (?:description|title|answer|list|text|copy)\b"
    r"|\bproduct (?:name|title)\b|\|[^|\n]*\||^\s*#{1,6}\s|```"
    # the prompt echoed back: "Draft Title: ...", "Write the product description."
    r"|\bdraft title\b|\bproduct facts\b|\bmerchant's description\b"
    r"|\bwrite (?:the |a )?(?:product )?(?:description|title|bullet points?)\b",
    re.I | re.M,
)
# Praise nobody gave: reviews, awards and rankings the merchant did not mention.
_PRAISE = re.compile(
    r"\b(?:(?:our|many|happy|satisfied) customers|customers (?:love|rave|praise)\w*|praised by|loved by|"
    r"rave reviews?|award[- ]winning|best[- ]?sell(?:er|ing)|number one|#1|top[- ]rated|highly rated|"
    r"(?:industry )?experts?|recommended by|trusted by)\b",
    re.I,
)
_WORD = re.compile(r"[A-Za-z0-9]+(?:['’][A-Za-z]+)?")


@dataclass(frozen=True)
class Flag:
    kind: str  # number | colour | material | misspelt name | unknown name | thing | contradiction | meta-text | praise
    #            | feature | health claim | certification | warranty | origin
    text: str  # the flagged span as written
    start: int
    end: int
    reason: str  # one sentence for the badge's explanation

    def to_dict(self) -> dict:
        return asdict(self)


# -- dictionaries ------------------------------------------------------------------------------------

@load_once(maxsize=1)  # ~3 s to parse: two concurrent first requests must not both parse it
def wordnet():
    """The shared WordNet reader (``engine.scores.reference.load_wordnet``), parsed once, or None."""
    from .reference import load_wordnet

    return load_wordnet()


@lru_cache(maxsize=1)
def catalog_words() -> tuple[frozenset[str], frozenset[str]]:
    """(everyday, generic): see scripts/build_catalog_words.py."""
    data = json.loads((ASSETS / "vocab" / "catalog_words.json").read_text())
    return frozenset(data["everyday"]), frozenset(data["generic"])


@lru_cache(maxsize=1)
def stop_words() -> frozenset[str]:
    from sklearn.feature_extraction.text import ENGLISH_STOP_WORDS

    return frozenset(ENGLISH_STOP_WORDS)


def _base(word: str) -> str:
    """Lower case, without a clitic: "Men's" -> men, "I'll" -> i."""
    return re.split(r"['’]", word.lower())[0]


@lru_cache(maxsize=50_000)
def lemmas(word: str) -> frozenset[str]:
    """The word and its base forms ("sugars" -> sugar, "devices" -> device)."""
    word = _base(word)
    forms = {word}
    wn = wordnet()
    if wn is not None:
        for pos in ("n", "v", "a"):
            base = wn.morphy(word, pos)
            if base:
                forms.add(base)
    if len(word) > 3 and word.endswith("s"):
        forms.add(word[:-1])
    return frozenset(forms)


@lru_cache(maxsize=1)
def _porter():
    from nltk.stem.porter import PorterStemmer

    return PorterStemmer()


@lru_cache(maxsize=50_000)
def stem(word: str) -> str:
    """One form for a word's inflections and derivations, so that any of them in the input licenses any
    in the copy: "resistant", "resistance" -> resist; "rechargeable", "recharge" -> recharg; "certified",
    "certification" -> certif; number words as digits ("one" -> 1)."""
    word = word.lower()
    if word in NUMBER_WORDS:
        return NUMBER_WORDS[word]
    form = _porter().stem(word)
    if form.endswith(("abl", "ibl")) and len(form) > 6:  # Porter keeps "breathabl" apart from "breath"
        form = form[:-3]
    if form.endswith("i") and len(form) > 4:  # "certifi" (certified) and "certif" (certification)
        form = form[:-1]
    return form


@lru_cache(maxsize=64)
def _stem_set(words: tuple[str, ...]) -> frozenset[str]:
    return frozenset(stem(w) for w in words)


def _key(text: str) -> str:
    """Stems of a phrase's words run together: "Water-Resistant", "water resistance" -> waterresist."""
    return "".join(stem(w) for w in re.findall(r"[a-z0-9]+", text.lower()))


@lru_cache(maxsize=50_000)
def is_english(word: str) -> bool:
    word = _base(word)
    if word in stop_words() or word in MODERN_THINGS or len(word) < 3:
        return True
    everyday, _ = catalog_words()
    if any(form in everyday for form in lemmas(word)):
        return True
    wn = wordnet()
    return wn is not None and any(wn.morphy(word, pos) for pos in ("n", "v", "a", "r"))


@lru_cache(maxsize=50_000)
def _noun_senses(word: str) -> tuple:
    wn = wordnet()
    if wn is None:
        return ()
    base = wn.morphy(word.lower(), "n")
    return tuple(wn.synsets(base, "n")) if base else ()


@lru_cache(maxsize=50_000)
def noun_share(word: str) -> float:
    """How often the word is used as a noun rather than a verb or adjective (SemCor sense counts)."""
    wn = wordnet()
    counts = {"n": 0, "other": 0}
    for pos in ("n", "v", "a"):
        base = wn.morphy(word.lower(), pos)
        if not base:
            continue
        total = sum(l.count() for s in wn.synsets(base, pos) for l in s.lemmas() if l.name().lower() == base)
        counts["n" if pos == "n" else "other"] += total + 0.5  # a word WordNet only lists still counts
    return counts["n"] / (counts["n"] + counts["other"]) if counts["n"] else 0.0


@lru_cache(maxsize=50_000)
def is_concrete_noun(word: str) -> bool:
    """Mostly a thing you can hold, eat or touch: at least half of the word's noun uses (SemCor sense
    counts) are artifacts, food, substances, plants, animals or body parts. "lid" is (eyelid and pot
    lid both are), "men", "sizes", "goals", "storage" are not."""
    word = word.lower()
    if word in MODERN_THINGS or word.rstrip("s") in MODERN_THINGS:
        return True
    wn = wordnet()
    base = wn.morphy(word, "n") if wn is not None else None
    if not base:
        return False
    total = concrete = 0.0
    for sense in wn.synsets(base, "n"):
        uses = sum(l.count() for l in sense.lemmas() if l.name().lower() == base) + 0.1
        total += uses
        concrete += uses if sense.lexname() in CONCRETE else 0.0
    return total > 0 and concrete / total >= 0.5


# -- what the input says -------------------------------------------------------------------------------

@dataclass(frozen=True)
class InputFacts:
    words: frozenset[str]  # every word of the input and its lemmas, lower case
    joined: frozenset[str]  # adjacent word pairs written together ("wrist watch" -> "wristwatch")
    names: tuple[str, ...]  # words a near-miss is checked against, as the merchant wrote them
    kinds: frozenset  # noun synsets of the input and every kind they belong to (hypernyms)
    negated: tuple[tuple[tuple[str, ...], str], ...]  # (concept words, what the merchant wrote)
    lines: tuple[str, ...]  # the input's lines without a negation, words only: copy quoting one contradicts nothing
    affirmed: tuple[tuple[tuple[str, ...], str], ...] = ()  # what the merchant said yes to: (concept words, line)
    stems: frozenset[str] = frozenset()  # stem() of every input word: any form of a word licenses every other
    grams: frozenset[str] = frozenset()  # stems of up to 3 adjacent words of a line, run together ("waterresist")
    flat: str = ""  # the whole input, words only, one line


def _tokens(text: str) -> list[re.Match]:
    return list(_WORD.finditer(text))


def _content(words) -> list[str]:
    return [w for w in words if w not in stop_words() and w not in _NEGATION_FILLER]


def _negations(source_text: str) -> list[tuple[tuple[str, ...], str]]:
    found = []
    for line in source_text.splitlines():
        key, sep, value = line.partition(":")
        if sep and value.strip().lower() in ("no", "false", "none", "not applicable", "n/a"):
            # every word of the label counts: "USB on the go: No" says nothing against "USB"
            concept = tuple(w for w in re.findall(r"[a-z]+", key.lower())
                            if w not in _COMPATIBILITY and w not in _ARTICLES)
            if concept and not set(concept) & _FLAG_KEYS:
                found.append((concept, line.strip()))
        for match in re.finditer(r"\b(?:not|no|never|without|do not|don't|dont)\b((?:[\s-]+[A-Za-z]+){1,6})",
                                 line, re.I):
            if match.group(0)[:2] == "No" and not match.group(1).strip()[:1].islower():
                continue  # "No Color Black": a spec sheet's label, not a "no"
            following = re.findall(r"[a-z]+", match.group(1).lower())
            while following and following[0] in _NEGATION_FILLER:
                following.pop(0)
            concept = []
            for word in following[:2]:
                if word in stop_words() or word in _NEGATION_FILLER or word in _COMPATIBILITY:
                    break
                concept.append(word)
            if concept:
                found.append((tuple(concept), match.group(0).strip()))
    return list(dict.fromkeys(found))


@lru_cache(maxsize=256)
def input_facts(source_text: str, extra: tuple[str, ...] = ()) -> InputFacts:
    text = "\n".join([source_text, *extra])
    raw = [m.group(0) for m in _tokens(text)]
    # the other names of the merchant's words ("mug" -> "cup") count as theirs; never as names to spell
    text_and_synonyms = "\n".join([text, *_near_synonyms(text), *respellings(text)])
    lower = [m.group(0).lower() for m in _tokens(text_and_synonyms)]
    words = set()
    for word in lower:
        words |= lemmas(word)
        words.update(part for part in re.split(r"['’]", word) if part)
    joined = {a + b for a, b in zip(lower, lower[1:])}
    names = tuple(dict.fromkeys(w for w in raw if len(w) >= 3 and w.isalpha()))
    kinds = set()
    for word in set(lower):
        for sense in _noun_senses(word)[:4]:
            kinds.add(sense)
            kinds.update(sense.closure(lambda s: s.hypernyms() + s.instance_hypernyms()))
    plain = tuple(flat for flat in map(_flat, text.splitlines())
                  if flat and not set(flat.split()) & (_NEGATORS | {"none", "false", "do"}))
    stems, grams = set(), set()
    for line in text_and_synonyms.splitlines():
        line_stems = [stem(w) for w in re.findall(r"[a-z0-9]+", line.lower())]
        stems.update(line_stems)
        # "3years", "12months": a figure run into its unit licenses "3-year" as the same term
        stems.update(stem(w) for pair in re.findall(r"\b(\d+)([a-z]{2,})\b", line.lower()) for w in pair)
        for n in (1, 2, 3):
            grams.update("".join(line_stems[i:i + n]) for i in range(len(line_stems) - n + 1))
    stems.update(_ELECTRICAL_UNITS[unit.lower()] for unit in _ELECTRICAL_UNIT.findall(text))
    return InputFacts(frozenset(words), frozenset(joined), names, frozenset(kinds), tuple(_negations(text)), plain,
                      tuple(_affirmations(text)), frozenset(stems), frozenset(grams), " " + _flat(text) + " ")


_ELECTRICAL_UNIT = re.compile(r"\d\s*(v|w|mah|kwh)\b", re.I)
_ELECTRICAL_UNITS = {"v": "volt", "w": "watt", "kwh": "watt", "mah": "mah"}


def _near_synonyms(text: str) -> list[str]:
    flat = " " + _flat(text.replace("-", " ")) + " "
    return [alternative for name, alternatives in NEAR_SYNONYMS.items()
            if f" {name.replace('-', ' ')} " in flat for alternative in alternatives]


def _affirmations(source_text: str) -> list[tuple[tuple[str, ...], str]]:
    """What the merchant said yes to: "Dishwasher safe: Yes", or a feature stated on a line without a
    "no" ("Dishwasher Safe.", "features: Waterproof, Lightweight"). Copy saying "not dishwasher safe"
    contradicts it."""
    found = []
    for line in source_text.splitlines():
        key, sep, value = line.partition(":")
        if sep and value.strip().lower() in ("yes", "true", "y"):
            concept = _concept(re.findall(r"[a-z]+", key.lower()))
            if concept and not set(concept) & _FLAG_KEYS:
                found.append((concept, line.strip()))
        elif not set(_flat(line).split()) & (_NEGATORS | {"none", "false"}):
            for _, start, end in _feature_spans(line, _tokens(line)):
                concept = _concept(re.findall(r"[a-z]+", line[start:end].lower()))  # "Waterproof", as written
                if concept:
                    found.append((concept, line.strip()))
    return list(dict.fromkeys(found))


def _concept(words: list[str]) -> tuple[str, ...]:
    return tuple(w for w in words if w not in _COMPATIBILITY and w not in _ARTICLES)


def _flat(text: str) -> str:
    return " ".join(re.findall(r"[a-z0-9]+", text.lower()))


def _supported(word: str, facts: InputFacts) -> bool:
    forms = lemmas(word)
    if forms & facts.words or word.lower() in facts.joined:
        return True
    return any(sense in facts.kinds for sense in _noun_senses(word))


def _near_miss(word: str, facts: InputFacts) -> str | None:
    """The input word this one misspells, if any ("Tantan" -> "Titan", "LILLINGEN" -> "LILLNGEN"):
    same first letter, and at most two edits in five letters (three at most)."""
    from nltk.metrics.distance import edit_distance

    lower = word.lower()
    best, best_distance = None, None
    for name in facts.names:
        if name[0].lower() != lower[0] or abs(len(name) - len(word)) > 2:
            continue
        distance = edit_distance(lower, name.lower(), transpositions=True)
        if 0 < distance <= min(3, max(1, round(len(name) * 0.4))) and (best_distance is None or distance < best_distance):
            best, best_distance = name, distance
    return best


# -- the check -----------------------------------------------------------------------------------------

def _fact_flags(text: str, source_text: str, photo_colours) -> tuple[list[Flag], list[str], list[tuple[int, int]]]:
    """Flags for the numbers, colours and materials the input does not have; the facts checked; and where
    every checked fact stands, so the word check leaves them to this one ("wood" is grounded by "Wooden")."""
    report = grounding_report(text, source_text, tuple(photo_colours))
    flags, position = [], 0
    for fact in report["ungrounded"]:
        start = text.find(fact, position)
        start = text.find(fact) if start < 0 else start
        kind = _fact_kind(fact)
        flags.append(Flag(kind, fact, start, start + len(fact), f"the {kind} \"{fact}\" is not in your input"))
        position = start + len(fact)
    grounded = sorted(set(report["checked"]) - set(report["ungrounded"]), key=len, reverse=True)
    spans = [] if not grounded else [(m.start(), m.end()) for m in re.finditer(
        rf"(?<![A-Za-z0-9])(?:{'|'.join(map(re.escape, grounded))})(?![A-Za-z0-9])", text)]
    return flags, report["checked"], spans + [(f.start, f.end) for f in flags if f.start >= 0]


def _fact_kind(fact: str) -> str:
    from .grounding import extract_facts

    found = extract_facts(fact)
    return "number" if found["numbers"] else "colour" if found["colors"] else "material"


def _word_flags(text: str, facts: InputFacts, skip: list[tuple[int, int]]) -> tuple[list[Flag], list[str]]:
    _, generic = catalog_words()
    tokens = _tokens(text)
    flags, checked = [], []
    skip = sorted(skip)
    starts, reach = [a for a, _ in skip], list(accumulate((b for _, b in skip), max))
    for i, match in enumerate(tokens):
        word = match.group(0)
        lower = _base(word)
        k = bisect_right(starts, match.start()) - 1  # inside a judged span: the last one starting before reaches it
        if (k >= 0 and reach[k] > match.start()) or any(c.isdigit() for c in word):
            continue
        if lower in facts.words or lemmas(lower) & facts.words:
            if word[:1].isupper() and not is_english(word):
                checked.append(word)  # a name, spelled as given
            continue
        if word[:1].isupper() and is_proper_name(lower):
            checked.append(word)
            flags.append(Flag("unknown name", word, match.start(), match.end(),
                              f"\"{word}\" names a place, person or brand your input does not have"))
            continue
        if not is_english(word):
            checked.append(word)
            near = _near_miss(word, facts)
            if near:
                flags.append(Flag("misspelt name", word, match.start(), match.end(),
                                  f"\"{word}\" looks like a misspelling of \"{near}\" from your input"))
            else:
                flags.append(Flag("unknown name", word, match.start(), match.end(),
                                  f"\"{word}\" is neither in your input nor an English word"))
            continue
        if lower in generic or lower in stop_words() or not is_concrete_noun(lower):
            continue
        previous = tokens[i - 1].group(0).lower() if i else ""
        follows_noun_marker = previous in {"a", "an", "the", "its", "his", "her", "their", "your", "our", "with",
                                           "of", "from", "no"} or (previous and is_adjective(previous))
        following = text[match.end():match.end() + 2]
        ends_phrase = i + 1 == len(tokens) or not following[:1].isspace() or following[1:2] in ",.;:!?"
        if noun_share(lower) < 0.5 and not follows_noun_marker and not ends_phrase:
            continue  # "it handles" is a verb, "a smooth handle" a thing, "sapphire blue" a colour
        checked.append(word)
        if _supported(lower, facts):
            continue
        start = _adjective_run_start(tokens, i)
        flags.append(Flag("thing", text[start:match.end()], start, match.end(),
                          f"\"{text[start:match.end()]}\" is not in your input"))
    return flags, checked


@lru_cache(maxsize=50_000)
def is_proper_name(word: str) -> bool:
    """WordNet's first sense of the word is one particular thing: a city, a person, a brand
    ("Philadelphia", "Nike", "India"), not a kind of thing ("eclipse", "titan" the giant)."""
    wn = wordnet()
    senses = wn.synsets(word, "n") if wn is not None else []
    return bool(senses) and bool(senses[0].instance_hypernyms()) and not wn.synsets(word, "a")


@lru_cache(maxsize=50_000)
def is_adjective(word: str) -> bool:
    wn = wordnet()
    return wn is not None and word not in stop_words() and bool(wn.morphy(word, "a")) and noun_share(word) < 0.5


def _adjective_run_start(tokens, i: int) -> int:
    """Where the noun phrase ending at token ``i`` starts: "removable lid", "finest quality sapphire"."""
    start = i
    while start > 0 and is_adjective(tokens[start - 1].group(0).lower()) and i - start < 2:
        start -= 1
    return tokens[start].start()


def _contradiction_flags(text: str, facts: InputFacts) -> list[Flag]:
    flags = []
    tokens = _tokens(text)
    lower = [m.group(0).lower() for m in tokens]
    for concept, said in facts.negated:
        for i in range(len(lower)):
            if not lemmas(lower[i]) & lemmas(concept[0]):
                continue
            end = i
            for word in concept[1:]:
                end = next((j for j in range(end + 1, min(end + 4, len(lower))) if lemmas(lower[j]) & lemmas(word)), None)
                if end is None:
                    break
            if end is None:
                continue
            window = lower[max(0, i - 4):i]
            if any(w in _NEGATORS for w in window) or set(lower[end + 1:end + 3]) & {"free", "no", "none"}:
                continue  # "not for the microwave", "BPA free", "Eco collection: No" agree with the merchant
            clause = _flat(_clause_around(text, tokens[i].start()))
            if any(clause in line for line in facts.lines):
                continue  # the copy quotes the merchant ("Organic type: Natural" beside "Organic: No")
            phrase = _flat(text[tokens[i].start():tokens[end].end()])
            if any(re.search(rf"\b{re.escape(phrase)}\b", line) for line in facts.lines if ":" in line or len(line) > 40):
                continue  # the merchant wrote it too ("Material: Cocona performance fabric" beside "Performance fabric: No")
            while end + 1 < len(lower) and lower[end + 1] in _COMPATIBILITY:
                end += 1
            span = text[tokens[i].start():tokens[end].end()]
            flags.append(Flag("contradiction", span, tokens[i].start(), tokens[end].end(),
                              f"\"{span}\" contradicts your input (\"{said}\")"))
    return flags


_INTENSIFIERS = {"very", "fully", "completely", "totally", "entirely", "really", "100", "at", "all"}


def _affirmation_flags(text: str, facts: InputFacts) -> list[Flag]:
    """Copy denying what the merchant said yes to: "not dishwasher safe" against "Dishwasher safe: Yes"."""
    if not facts.affirmed:
        return []
    tokens = _tokens(text)
    lower = [m.group(0).lower() for m in tokens]
    negators = [i for i, w in enumerate(lower)
                if w in _NEGATORS and not (i + 1 < len(lower) and lower[i + 1] == "only")]  # "not only X but"
    filler = _NEGATION_FILLER | _INTENSIFIERS | stop_words()
    flags = []
    for concept, said in facts.affirmed if negators else ():
        for n in negators:
            # the "not" must govern the concept: only filler between them ("is not suitable for the dishwasher")
            i = n + 1
            while i < len(lower) and i - n <= 5 and lower[i] in filler and not lemmas(lower[i]) & lemmas(concept[0]):
                i += 1
            end = _concept_end(lower, i, concept)
            if end is None:
                continue
            if any(_flat(_clause_around(text, tokens[i].start())) in line for line in facts.lines):
                continue
            while end + 1 < len(lower) and lower[end + 1] in _COMPATIBILITY:
                end += 1
            span = text[tokens[n].start():tokens[end].end()]
            if f" {_flat(span)} " in facts.flat:
                continue  # the merchant's own words: a spec sheet run together ("Hand Washable No Machine Washable Yes")
            flags.append(Flag("contradiction", span, tokens[n].start(), tokens[end].end(),
                              f"\"{span}\" contradicts your input (\"{said}\")"))
    return flags


def _concept_end(lower: list[str], i: int, concept: tuple[str, ...]) -> int | None:
    """Where ``concept`` ends when its words start at token ``i`` (each within three words of the last)."""
    if i >= len(lower) or not lemmas(lower[i]) & lemmas(concept[0]):
        return None
    end = i
    for word in concept[1:]:
        end = next((j for j in range(end + 1, min(end + 4, len(lower))) if lemmas(lower[j]) & lemmas(word)), None)
        if end is None:
            return None
    return end


def _clause_around(text: str, position: int) -> str:
    """The line or sentence of ``text`` that holds ``position``."""
    starts = [m.end() for m in re.finditer(r"[\n.!?;]\s*", text[:position])]
    end = re.search(r"[\n.!?;]", text[position:])
    return text[starts[-1] if starts else 0: position + (end.start() if end else len(text))]


def _meta_flags(text: str) -> list[Flag]:
    return [Flag("meta-text", m.group(0).strip(), m.start(), m.end(),
                 f"\"{m.group(0).strip()}\" talks about the answer, not the product")
            for m in _META.finditer(text) if m.group(0).strip()]


def _praise_flags(text: str, facts: InputFacts) -> list[Flag]:
    return [Flag("praise", m.group(0), m.start(), m.end(), f"\"{m.group(0)}\": praise or a ranking your input does not give")
            for m in _PRAISE.finditer(text) if not set(_flat(m.group(0)).split()) <= facts.words]


# -- claims the input must state: features, health, certification, warranty, origin ------------------

@lru_cache(maxsize=1)
def _feature_table() -> tuple[dict[str, str], dict[str, frozenset[str]], int, frozenset[str]]:
    """(the words of a feature run together -> the feature; feature -> the stem keys that license it;
    the most words a feature takes; every word a feature can start with, "non" and "nonstick" alike)."""
    surface: dict[str, str] = {}
    for f in FEATURES:
        surface.setdefault("".join(re.findall(r"[a-z0-9]+", f)), f)
    licenses = {f: {_key(f)} for f in FEATURES}
    for group in FEATURE_EQUIVALENTS:
        for f in group:
            licenses.setdefault(f, set()).update(_key(g) for g in group)
    for strong, weaker in FEATURE_IMPLIES.items():
        for f in weaker:
            licenses.setdefault(f, set()).add(_key(strong))
    prefixes = frozenset(key[:n] for key in surface for n in range(1, len(key) + 1))
    return (surface, {f: frozenset(keys) for f, keys in licenses.items()}, max(len(f.split()) for f in FEATURES),
            prefixes)


_JOINS = re.compile(r"[ \t]*-?[ \t]*")


def _feature_spans(text: str, tokens: list[re.Match]) -> list[tuple[str, int, int]]:
    """(feature, start, end) for every feature of the list written in ``text``, wherever it stands."""
    surface, _, longest, prefixes = _feature_table()
    found, i = [], 0
    lower = [m.group(0).lower() for m in tokens]
    while i < len(tokens):
        if lower[i] not in prefixes:  # most words start no feature: one set look-up, not four joins
            i += 1
            continue
        for n in range(min(longest + 1, len(tokens) - i), 0, -1):  # +1: "plug and play" is 3 words, 3 tokens
            feature = surface.get("".join(lower[i:i + n]))
            if feature and all(_JOINS.fullmatch(text[a.end():b.start()])
                               for a, b in zip(tokens[i:i + n], tokens[i + 1:i + n])):
                found.append((feature, tokens[i].start(), tokens[i + n - 1].end()))
                i += n
                break
        else:
            i += 1
    return found


def _matches(pattern: re.Pattern, text: str, tokens: list[re.Match], starts, accept=None) -> list[re.Match]:
    """``pattern``'s matches starting at the tokens ``starts`` (indices), without overlaps, those that
    ``accept`` refuses left out. The patterns below are long alternations that finditer would try at
    every character; tried only where one of their first words stands, the claim check keeps its speed."""
    found, end = [], -1
    for i in starts:
        if tokens[i].start() >= end:
            match = pattern.match(text, tokens[i].start())
            if match and (accept is None or accept(match)):
                found.append(match)
                end = match.end()
    return found


_POWER_VERB_NEXT = {"through", "up", "you", "your", "ahead", "into", "yourself", "of"}
# "staying power" (a lipstick), "cleaning power" (a detergent): strength, not electricity
_POWER_NOT_ELECTRIC = {"to", "will", "can", "staying", "cleaning", "holding", "stopping", "brain", "girl",
                       "purchasing", "flower", "lasting", "absorbing", "grip", "gripping", "fragrance", "scent"}
# "keeps your food warm", "stays cold for hours", "retains heat"
_THERMAL = re.compile(
    r"\b(?:keeps?|keeping|kept|stays?|staying|retains?|retaining|maintains?|maintaining)\b"
    r"(?:[ \t]+[\w'’]+){0,4}?[ \t]+"
    r"(?:warm|warmer|hot|hotter|heat|cold|colder|cool|cooler|chilled|frozen|temperatures?)\b",
    re.I)
_THERMAL_STARTS = {"keep", "keeps", "keeping", "kept", "stay", "stays", "staying", "retain", "retains", "retaining",
                   "maintain", "maintains", "maintaining"}

_CONDITIONS = "|".join(HEALTH_CONDITIONS)
_HEALTH = re.compile(
    # said of a product, these are medical claims whatever follows
    r"\b(?:(?:clinically|medically|scientifically|dermatologically)[ \t-]+(?:proven|tested|approved)"
    r"|dermatologists?[ \t-]+(?:tested|approved|recommended)|doctors?[ \t-]+(?:recommended|approved)"
    r"|anti[ \t-]?ag(?:e)?ing|anti[ \t-]?inflammatory|anti[ \t-]?oxidants?|anti[ \t-]?fungal|antiseptic"
    r"|anti[ \t-]?viral|therapeutic|medicinal|medicated|healing|heals?|healed|cures?|curing|remed(?:y|ies)"
    r"|boosts?[ \t]+(?:your[ \t]+|the[ \t]+)?(?:immunity|immune[ \t]+system|metabolism)|immunity|immune[ \t]+system"
    r"|detox\w*|health[ \t]+benefits|hair[ \t]+growth"
    # a verb of treating, then (within three words) a condition
    r"|(?:treats?|treating|treated|treatment[ \t]+(?:of|for)|prevents?|preventing|prevention[ \t]+of|relieves?"
    r"|relieving|relief[ \t]+(?:from|of|for)|reduces?|reducing|fights?|fighting|soothes?|soothing|kills?|killing"
    r"|eliminates?|helps?[ \t]+(?:with|to[ \t]+(?:treat|cure|prevent|relieve|reduce|fight|heal|soothe))"
    r"|effective[ \t]+(?:for|against)|protects?[ \t]+(?:you[ \t]+)?(?:from|against))"
    rf"(?:[ \t]+[\w'’-]+){{0,3}}?[ \t]+(?:{_CONDITIONS})"
    rf"|{'|'.join(SERIOUS_CONDITIONS)})\b",
    re.I)
# the first words of _HEALTH's alternatives (keep the two together)
_HEALTH_STARTS = {
    "clinically", "medically", "scientifically", "dermatologically", "dermatologist", "dermatologists", "doctor",
    "doctors", "anti", "antiaging", "antiageing", "antiinflammatory", "antioxidant", "antioxidants", "antifungal",
    "antiseptic", "antiviral", "therapeutic", "medicinal", "medicated", "healing", "heal", "heals", "healed",
    "cure", "cures", "curing", "remedy", "remedies", "boost", "boosts", "immunity", "immune", "health", "hair",
    "treat", "treats", "treating", "treated", "treatment", "prevent", "prevents", "preventing", "prevention",
    "relieve", "relieves", "relieving", "relief", "reduce", "reduces", "reducing", "fight", "fights", "fighting",
    "soothe", "soothes", "soothing", "kill", "kills", "killing", "eliminate", "eliminates", "help", "helps",
    "effective", "protect", "protects", "cancer", "arthritis", "asthma", "diabetes", "eczema", "psoriasis",
    "insomnia", "hypertension", "cholesterol", "migraine", "migraines", "tumor", "tumors", "tumour", "tumours",
    "alzheimer", "alzheimers", "dementia", "disease", "diseases", "ailments", "disorders", "blood"}
_CERTIFICATION = re.compile(
    rf"(?<![\w-])(?:{'|'.join(sorted(CERTIFICATION_MARKS, key=len, reverse=True))})(?=[\s.,;:!?)/-]|$)"
    r"(?:[ \t-]?\d{3,5}(?::\d{4})?)?"
    r"(?:[ \t-](?:approved|certified|certification|marked|mark|listed|registered|compliant|standards?))?"
    r"|\b(?i:certified|certification|certificates?|accredited|approved[ \t]+by|[a-z]+-approved|lab[ \t-]tested"
    r"|laboratory[ \t-]tested|tested[ \t]+by|patented|patent[ \t-]pending|compliant[ \t]+with|complies[ \t]+with"
    r"|hallmarked|ul[ \t-]listed)\b")
_CERTIFICATION_STARTS = {
    "certified", "certification", "certificate", "certificates", "accredited", "approved", "lab", "laboratory",
    "tested", "patented", "patent", "compliant", "complies", "hallmarked", "ul"}
_MARK_STARTS = frozenset(re.split(r"[ -]", mark)[0] for mark in CERTIFICATION_MARKS)
_PLACE_VERBS = (r"(?:hand[ \t-]?made|made|manufactured|crafted|hand[ \t-]?crafted|produced|assembled|sourced|imported"
                r"|grown|harvested|woven|hand[ \t-]?woven|printed|designed|engineered|built|brewed|bottled|packed"
                r"|knitted|stitched|comes?|originates?|originated)")
_ORIGIN = re.compile(
    rf"\b(?i:{_PLACE_VERBS}[ \t]+(?:in|from)[ \t]+(?:the[ \t]+)?(?:(?:hills|mountains|farms|valleys|forests|heart"
    r"|streets|shores|region|foothills|fields|villages|workshops)[ \t]+of[ \t]+)?)"
    r"((?:[A-Z][A-Za-z'’-]+)(?:[ \t]+[A-Z][A-Za-z'’-]+)?)"
    rf"|\b({'|'.join(w.capitalize() for w in DEMONYMS)})(?:[ \t-]made|[ \t]+(?i:made|leather|cotton|silk|wool|linen"
    r"|craftsmanship|engineering|design|steel|marble|artisans?|craftsmen|technology|porcelain|handloom"
    r"|handicrafts?|origin))\b")
_ORIGIN_STARTS = {"hand", "handmade", "made", "manufactured", "crafted", "handcrafted", "produced", "assembled",
                  "sourced", "imported", "grown", "harvested", "woven", "handwoven", "printed", "designed",
                  "engineered", "built", "brewed", "bottled", "packed", "knitted", "stitched", "come", "comes",
                  "originate", "originates", "originated", *DEMONYMS}
# A warranty promise: an anchor word ("warranty", "guarantee", "refund", "money back") with the qualifiers
# written before it ("1 year", "lifetime", "30 day replacement"). A policy word ("returns", "replacement",
# "guaranteed") is a promise only with a qualifier: "returns to its shape", "a replacement for your old
# mug" and "guaranteed to impress" are not. Every qualifier must be in the input, except who gives it.
_WARRANTY_ANCHORS = {"warranty", "warranties", "guarantee", "guarantees", "refund", "refunds", "moneyback"}
_WARRANTY_TAIL = _WARRANTY_ANCHORS | {"back", "policy", "period", "coverage"}
_POLICY_WORDS = {"replacement", "return", "returns", "exchange", "guaranteed"}
_POLICY_QUALIFIERS = {"free", "easy", "hassle", "quick", "instant", "full", "money", "back", "satisfaction",
                      "quality", "day", "days", "no", "questions", "asked", "lifetime", "week", "weeks", "month",
                      "months", "year", "years"}
_WARRANTY_QUALIFIERS = _POLICY_QUALIFIERS | _POLICY_WORDS | _WARRANTY_ANCHORS | {
    "life", "long", "limited", "extended", "manufacturer", "manufacturers", "brand", "comprehensive", "domestic",
    "international", "onsite", "standard", "yr", "yrs"}
_WARRANTY_UNCHECKED = {"manufacturer", "manufacturers", "brand", "comprehensive", "domestic", "international",
                       "onsite", "standard", "full", "quality", "no", "questions", "asked", "hassle", "free", "easy"}
_HEALTH_UNCHECKED = {"various", "other", "many", "several", "common", "all", "any", "kinds", "types", "forms",
                     "used", "the", "of", "for", "with", "from", "against", "your", "you", "to", "risk"}


def _claim_flags(text: str, facts: InputFacts) -> tuple[list[Flag], list[str], list[tuple[int, int]]]:
    """Features, health, certification, warranty and origin claims the input does not state.
    Returns (flags, every such claim found, licensed or not, and the spans this check judges)."""
    tokens = _tokens(text)
    found: list[tuple[str, int, int, bool]] = []  # (kind, start, end, licensed)
    licenses = _feature_table()[1]
    for feature, start, end in _feature_spans(text, tokens):
        found.append(("feature", start, end, bool(licenses[feature] & facts.grams)
                      or _key(text[start:end]) in facts.grams))
    lower = [_base(m.group(0)) for m in tokens]  # "manufacturer's" is "manufacturer"
    for i, word in enumerate(lower):
        if word not in CAPABILITY_WORDS:
            continue
        previous, following = (lower[i - 1] if i else ""), (lower[i + 1] if i + 1 < len(lower) else "")
        if word == "power" and (previous in _POWER_NOT_ELECTRIC or following in _POWER_VERB_NEXT):
            continue  # "power through your workout", "the power of aloe" are no claims about electricity
        if word == "charge" and previous in {"of", "in", "free"}:
            continue  # "free of charge", "in charge"
        found.append(("feature", tokens[i].start(), tokens[i].end(),
                      bool(_stem_set(CAPABILITY_WORDS[word]) & facts.stems)))
    for m in _matches(_THERMAL, text, tokens, [i for i, w in enumerate(lower) if w in _THERMAL_STARTS]):
        found.append(("thermal", m.start(), m.end(), bool(_stem_set(THERMAL_WORDS) & facts.stems)))
    health = [(m.start(), m.end(), _health_licensed(m.group(0), facts))
              for m in _matches(_HEALTH, text, tokens, [i for i, w in enumerate(lower) if w in _HEALTH_STARTS])]
    found += [("health claim", *span) for span in _merge_lists(text, health)]
    certification_starts = [i for i, w in enumerate(lower) if w in _CERTIFICATION_STARTS
                            or tokens[i].group(0) in _MARK_STARTS or text.startswith("-approved", tokens[i].end())]
    for m in _matches(_CERTIFICATION, text, tokens, certification_starts):
        found.append(("certification", m.start(), m.end(), _all_stated(m.group(0), facts, ())))
    found += [("warranty", *span) for span in _warranty_spans(text, tokens, lower, facts)]
    for m in _matches(_ORIGIN, text, tokens, [i for i, w in enumerate(lower) if w in _ORIGIN_STARTS], _names_a_place):
        found.append(("origin", m.start(), m.end(), _place_stated(m.group(1) or m.group(2), facts)))
    flags, claims, judged = [], [], []
    for kind, start, end, licensed in found:
        claims.append(text[start:end])
        if kind != "thermal":  # "keep your feet warm" judges warmth; "feet" is still the word check's
            judged.append((start, end))
        if not licensed:
            flags.append(Flag("feature" if kind == "thermal" else kind, text[start:end], start, end,
                              _CLAIM_REASONS[kind].format(text[start:end])))
    return flags, claims, judged


_CLAIM_REASONS = {
    "feature": "\"{}\": a feature your input does not state",
    "thermal": "\"{}\": your input says nothing about keeping warm or cold",
    "health claim": "\"{}\": a health or medical claim your input does not make",
    "certification": "\"{}\": a certification or approval your input does not give",
    "warranty": "\"{}\": a warranty, guarantee or return promise your input does not give",
    "origin": "\"{}\": where it is made or comes from, which your input does not say",
}


def _all_stated(span: str, facts: InputFacts, unchecked) -> bool:
    return all(stem(w) in facts.stems for w in re.findall(r"[a-z0-9]+", span.lower()) if w not in unchecked)


def _health_licensed(span: str, facts: InputFacts) -> bool:
    """A claim about a condition the merchant names ("anti-dandruff" licenses "fights dandruff") is theirs;
    any other health claim needs every one of its words in the input."""
    condition = re.search(rf"\b(?:{_CONDITIONS})$", span, re.I)
    if condition and not re.fullmatch(rf"(?:{'|'.join(SERIOUS_CONDITIONS)})", span, re.I):
        return _all_stated(condition.group(0), facts, _HEALTH_UNCHECKED)
    return _all_stated(span, facts, _HEALTH_UNCHECKED)


def _merge_lists(text: str, spans: list[tuple[int, int, bool]]) -> list[tuple[int, int, bool]]:
    """Unlicensed claims listed together ("treatment of various health problems, cancer, arthritis and
    asthma") become one flag, so the sentence is marked once."""
    merged: list[tuple[int, int, bool]] = []
    for start, end, licensed in spans:
        if merged and not licensed and not merged[-1][2]:
            gap = text[merged[-1][1]:start]
            if not re.search(r"[.;!?\n]", gap) and len(re.findall(r"[A-Za-z]+", gap)) <= 3:
                merged[-1] = (merged[-1][0], end, False)
                continue
        merged.append((start, end, licensed))
    return merged


def _warranty_spans(text: str, tokens, lower: list[str], facts: InputFacts) -> list[tuple[int, int, bool]]:
    """(start, end, licensed) for every warranty, guarantee or return promise."""
    spans, covered = [], -1

    def joined(a: int, b: int) -> bool:  # tokens a and b are one phrase ("30-day", "money back")
        return bool(_JOINS.fullmatch(text[tokens[a].end():tokens[b].start()]))

    for i, word in enumerate(lower):
        if i <= covered or not (word in _WARRANTY_ANCHORS or word in _POLICY_WORDS
                                or (word == "money" and lower[i + 1:i + 2] == ["back"])):
            continue
        start = i
        while start > 0 and joined(start - 1, start) and (lower[start - 1] in _WARRANTY_QUALIFIERS
                                                          or lower[start - 1].isdigit()
                                                          or lower[start - 1] in NUMBER_WORDS):
            start -= 1
        end = i
        while end + 1 < len(lower) and lower[end + 1] in _WARRANTY_TAIL and joined(end, end + 1):
            end += 1
        words = lower[start:end + 1]
        promise = set(words) & (_WARRANTY_ANCHORS | {"back", "policy"}) or set(lower[start:i]) & _POLICY_QUALIFIERS
        if not promise or (word == "guaranteed" and lower[i + 1:i + 2] == ["to"]):
            continue
        covered = end
        licensed = all(stem(w) in facts.stems for w in words if w not in _WARRANTY_UNCHECKED)
        spans.append((tokens[start].start(), tokens[end].end(), licensed))
    return spans


def _names_a_place(match: re.Match) -> bool:
    """"made in Small Batches" and "crafted from Italian leather" name no place after "in"/"from"
    (the second is the demonym's claim)."""
    return bool(match.group(2)) or any(w.lower() in DEMONYMS.values() or is_proper_name(w.lower())
                                       for w in match.group(1).split())


_PEOPLE_OF = {country: demonym for demonym, country in DEMONYMS.items()}


def _place_stated(place: str, facts: InputFacts) -> bool:
    """The input names the place, or its people ("Made in Italy" licenses "Italian leather" and back)."""
    return any(word in facts.words or DEMONYMS.get(word) in facts.words or _PEOPLE_OF.get(word) in facts.words
               for word in re.findall(r"[a-z]+", place.lower()))


def claim_report(text: str, source_text: str, photo_colours=(), extra_facts: tuple[str, ...] = ()) -> dict:
    """Every claim of ``text`` checked against the merchant's input.

    Returns {"checked": [...], "flagged": [Flag dicts, in text order], "ungrounded": [flagged texts],
    "share": share of checked claims that are supported (None when nothing was checkable)}.
    """
    facts = input_facts(source_text, tuple(extra_facts) + tuple(photo_colours))
    fact_flags, fact_checked, fact_spans = _fact_flags(text, source_text, photo_colours)
    claim_flags, claims, claim_spans = _claim_flags(text, facts)
    # numbers, fact terms and the claims above are judged by their own checks; the word check skips them
    judged = fact_spans + claim_spans
    word_flags, word_checked = _word_flags(text, facts, judged)
    # on the same span, the first listed wins: a contradiction says more than "not in your input"
    flags = (fact_flags + _contradiction_flags(text, facts) + _affirmation_flags(text, facts) + claim_flags
             + word_flags + _meta_flags(text) + _praise_flags(text, facts))
    flags = _without_overlaps(sorted(flags, key=lambda f: (f.start, -(f.end - f.start))))
    checked = fact_checked + claims + word_checked
    bad = len({(f.start, f.end) for f in flags})
    total = max(len(checked), bad)
    share = None if total == 0 else max(0.0, (total - bad) / total)
    return {"checked": checked, "flagged": [f.to_dict() for f in flags],
            "ungrounded": [f.text for f in flags], "share": share, "segments": segments(text, flags)}


def segments(text: str, flags: list[Flag]) -> list[tuple[str, str | None]]:
    """The text cut into (piece, reason or None) in order, for highlighting the flagged spans."""
    pieces, position = [], 0
    for flag in flags:
        if flag.start < position:
            continue
        if flag.start > position:
            pieces.append((text[position:flag.start], None))
        pieces.append((text[flag.start:flag.end], flag.reason))
        position = flag.end
    if position < len(text):
        pieces.append((text[position:], None))
    return pieces


def _without_overlaps(flags: list[Flag]) -> list[Flag]:
    kept: list[Flag] = []
    for flag in flags:
        if kept and flag.start < kept[-1].end and flag.start >= 0:
            continue
        kept.append(flag)
    return kept


def repair_names(text: str, source_text: str) -> str:
    """``text`` with every misspelt input name written as the input writes it ("Tantan" -> "Titan"),
    and names of the input that differ only in case restored ("Lillngen" -> "LILLNGEN")."""
    facts = input_facts(source_text)
    exact = {}
    for name in facts.names:
        if not is_english(name) or name.isupper():
            exact.setdefault(name.lower(), name)

    def fix(match: re.Match) -> str:
        word = match.group(0)
        if any(c.isdigit() for c in word):
            return word
        if word.lower() in exact:
            return exact[word.lower()] if word.lower() != word or exact[word.lower()].isupper() else word
        if word.lower() in facts.words or is_english(word):
            return word
        near = _near_miss(word, facts)
        return near if near and not is_english(near) or (near and near[:1].isupper()) else word

    return _WORD.sub(fix, text)


# -- the badge -----------------------------------------------------------------------------------------

from .registry import Score, register_metric  # noqa: E402
from .text import TextContext  # noqa: E402


@register_metric(
    "grounding", "Claims", ("title", "description", "bullets", "keywords"),
    "Every claim checked against your input: numbers, colours, materials, names, things the product "
    "has, features, health, certification, warranty and origin claims, what you said yes or no to, and "
    "text about the answer instead of the product.",
)
def claims(text: str, context: TextContext, *, kind: str = "description") -> Score:
    report = claim_report(text, context.source_text, context.photo_colors)
    flagged = report["flagged"]
    # Neither case earns a green badge: green says "every fact here is yours", and there is no fact.
    if not text.strip():
        return Score("grounding", "Claims", None, "n/a", "Nothing written yet.", None, report)
    if flagged:
        shown = "; ".join(f["reason"] for f in flagged[:3]) + (" ..." if len(flagged) > 3 else "")
        return Score("grounding", "Claims", report["share"], f"{len(flagged)} flagged",
                     f"Check before publishing: {shown}.", False, report)
    if report["share"] is None:
        # good=None renders neutral (studio/render.py: mcs-info); the value stays 1.0 because nothing
        # in it is false, and re-ranking and the evaluation tables average it as before
        return Score("grounding", "Claims", 1.0, "states none of your facts",
                     "The copy states none of your facts: nothing here a shopper can check.", None, report)
    return Score("grounding", "Claims", report["share"], f"{len(report['checked'])}/{len(report['checked'])} in input",
                 "Every number, colour, material, name and thing in the copy comes from your input or photos.",
                 True, report)
