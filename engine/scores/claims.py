"""The claim check: does the copy say only what the merchant said, with names spelled as given?

A merchant who publishes a green-badged false claim is the worst failure this studio can have, so
every span the check cannot support is flagged, with the reason, and listed for the UI to mark.
What counts as support is everything the merchant gave (fields, attributes, ``key: value`` lines of
the notes, confirmed photo labels) plus the colours measured in the photos.

What is checked, and how (lexical support against the input, with WordNet for lemmas, synonyms and
kinds of things; chosen over embedding similarity because a flag must point at the exact words and
say why):
- numbers, colours and materials: ``engine.scores.grounding`` (a number stated as the price grounds
  no measurement: "1695 mm" is not the price 1695);
- names: a word that is neither English (WordNet, the catalogs' everyday words) nor in the input is
  a misspelt name when it is close to a word of the input ("Tantan" for "Titan") and an unknown name
  otherwise ("Jazza");
- things: a concrete noun (an artifact, food, substance, plant, animal or body part in WordNet's
  sense) that the input does not name, or name a kind of ("timepiece" is supported by "watch"), and
  that is not common catalog copy ("gift", "home"): "sapphire", "removable lid", "laptops";
- contradictions: something the merchant said no to ("Microwave safe: No", "Not for microwave")
  stated without a negation ("microwave safe");
- meta-text: the model talking about its answer ("Sure!", "Here is an example of a response");
- praise nobody gave: "our customers have praised it", "award-winning", "best-selling", "experts".
"""
from __future__ import annotations

import json
import re
from dataclasses import asdict, dataclass
from functools import lru_cache

from engine.models.cache import load_once
from engine.paths import ASSETS

from .grounding import grounding_report

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
_NEGATORS = {"not", "no", "never", "without", "don't", "dont", "cannot", "can't", "isn't", "aren't", "nor"}

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
    text: str  # the flagged span as written
    start: int
    end: int
    reason: str  # one sentence for the badge's explanation

    def to_dict(self) -> dict:
        return asdict(self)


# -- dictionaries ------------------------------------------------------------------------------------

@load_once(maxsize=1)  # ~3 s to parse: two concurrent first requests must not both parse it
def _wordnet():
    from .reference import load_wordnet

    return load_wordnet()


@lru_cache(maxsize=1)
def catalog_words() -> tuple[frozenset[str], frozenset[str]]:
    """(everyday, generic): see scripts/build_catalog_words.py."""
    data = json.loads((ASSETS / "vocab" / "catalog_words.json").read_text())
    return frozenset(data["everyday"]), frozenset(data["generic"])


@lru_cache(maxsize=1)
def _stop_words() -> frozenset[str]:
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
    wn = _wordnet()
    if wn is not None:
        for pos in ("n", "v", "a"):
            base = wn.morphy(word, pos)
            if base:
                forms.add(base)
    if len(word) > 3 and word.endswith("s"):
        forms.add(word[:-1])
    return frozenset(forms)


@lru_cache(maxsize=50_000)
def is_english(word: str) -> bool:
    word = _base(word)
    if word in _stop_words() or word in MODERN_THINGS or len(word) < 3:
        return True
    everyday, _ = catalog_words()
    if any(form in everyday for form in lemmas(word)):
        return True
    wn = _wordnet()
    return wn is not None and any(wn.morphy(word, pos) for pos in ("n", "v", "a", "r"))


@lru_cache(maxsize=50_000)
def _noun_senses(word: str) -> tuple:
    wn = _wordnet()
    if wn is None:
        return ()
    base = wn.morphy(word.lower(), "n")
    return tuple(wn.synsets(base, "n")) if base else ()


@lru_cache(maxsize=50_000)
def _noun_share(word: str) -> float:
    """How often the word is used as a noun rather than a verb or adjective (SemCor sense counts)."""
    wn = _wordnet()
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
    wn = _wordnet()
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


def _tokens(text: str) -> list[re.Match]:
    return list(_WORD.finditer(text))


def _content(words) -> list[str]:
    return [w for w in words if w not in _stop_words() and w not in _NEGATION_FILLER]


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
                if word in _stop_words() or word in _NEGATION_FILLER or word in _COMPATIBILITY:
                    break
                concept.append(word)
            if concept:
                found.append((tuple(concept), match.group(0).strip()))
    return list(dict.fromkeys(found))


@lru_cache(maxsize=256)
def input_facts(source_text: str, extra: tuple[str, ...] = ()) -> InputFacts:
    text = "\n".join([source_text, *extra])
    raw = [m.group(0) for m in _tokens(text)]
    lower = [w.lower() for w in raw]
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
    return InputFacts(frozenset(words), frozenset(joined), names, frozenset(kinds), tuple(_negations(text)), plain)


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

def _fact_flags(text: str, source_text: str, photo_colours) -> tuple[list[Flag], list[str]]:
    report = grounding_report(text, source_text, tuple(photo_colours))
    flags, position = [], 0
    for fact in report["ungrounded"]:
        start = text.find(fact, position)
        start = text.find(fact) if start < 0 else start
        kind = _fact_kind(fact)
        flags.append(Flag(kind, fact, start, start + len(fact), f"the {kind} \"{fact}\" is not in your input"))
        position = start + len(fact)
    return flags, report["checked"]


def _fact_kind(fact: str) -> str:
    from .grounding import extract_facts

    found = extract_facts(fact)
    return "number" if found["numbers"] else "colour" if found["colors"] else "material"


def _word_flags(text: str, facts: InputFacts, skip: list[tuple[int, int]]) -> tuple[list[Flag], list[str]]:
    _, generic = catalog_words()
    tokens = _tokens(text)
    flags, checked = [], []
    for i, match in enumerate(tokens):
        word = match.group(0)
        lower = _base(word)
        if any(a <= match.start() < b for a, b in skip) or any(c.isdigit() for c in word):
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
        if lower in generic or lower in _stop_words() or not is_concrete_noun(lower):
            continue
        previous = tokens[i - 1].group(0).lower() if i else ""
        follows_noun_marker = previous in {"a", "an", "the", "its", "his", "her", "their", "your", "our", "with",
                                           "of", "from", "no"} or (previous and is_adjective(previous))
        following = text[match.end():match.end() + 2]
        ends_phrase = i + 1 == len(tokens) or not following[:1].isspace() or following[1:2] in ",.;:!?"
        if _noun_share(lower) < 0.5 and not follows_noun_marker and not ends_phrase:
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
    wn = _wordnet()
    senses = wn.synsets(word, "n") if wn is not None else []
    return bool(senses) and bool(senses[0].instance_hypernyms()) and not wn.synsets(word, "a")


@lru_cache(maxsize=50_000)
def is_adjective(word: str) -> bool:
    wn = _wordnet()
    return wn is not None and word not in _stop_words() and bool(wn.morphy(word, "a")) and _noun_share(word) < 0.5


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
            while end + 1 < len(lower) and lower[end + 1] in _COMPATIBILITY:
                end += 1
            span = text[tokens[i].start():tokens[end].end()]
            flags.append(Flag("contradiction", span, tokens[i].start(), tokens[end].end(),
                              f"\"{span}\" contradicts your input (\"{said}\")"))
    return flags


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


def claim_report(text: str, source_text: str, photo_colours=(), extra_facts: tuple[str, ...] = ()) -> dict:
    """Every claim of ``text`` checked against the merchant's input.

    Returns {"checked": [...], "flagged": [Flag dicts, in text order], "ungrounded": [flagged texts],
    "share": share of checked claims that are supported (None when nothing was checkable)}.
    """
    facts = input_facts(source_text, tuple(extra_facts) + tuple(photo_colours))
    fact_flags, fact_checked = _fact_flags(text, source_text, photo_colours)
    fact_spans = [(f.start, f.end) for f in fact_flags if f.start >= 0]
    # numbers and fact terms are judged by the fact check; the word check skips the flagged spans
    word_flags, word_checked = _word_flags(text, facts, fact_spans)
    flags = fact_flags + word_flags + _contradiction_flags(text, facts) + _meta_flags(text) + _praise_flags(text, facts)
    flags = _without_overlaps(sorted(flags, key=lambda f: (f.start, -(f.end - f.start))))
    checked = fact_checked + word_checked
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
    "has, what you said no to, and text about the answer instead of the product.",
)
def claims(text: str, context: TextContext, *, kind: str = "description") -> Score:
    report = claim_report(text, context.source_text, context.photo_colors)
    flagged = report["flagged"]
    if not text.strip():
        return Score("grounding", "Claims", None, "n/a", "Nothing written yet.", None, report)
    if flagged:
        shown = "; ".join(f["reason"] for f in flagged[:3]) + (" ..." if len(flagged) > 3 else "")
        return Score("grounding", "Claims", report["share"], f"{len(flagged)} flagged",
                     f"Check before publishing: {shown}.", False, report)
    if report["share"] is None:
        return Score("grounding", "Claims", 1.0, "nothing specific",
                     "The copy names no number, colour, material, name or thing to check.", True, report)
    return Score("grounding", "Claims", report["share"], f"{len(report['checked'])}/{len(report['checked'])} in input",
                 "Every number, colour, material, name and thing in the copy comes from your input or photos.",
                 True, report)
