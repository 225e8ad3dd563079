"""Grounding: does the copy state only facts the merchant gave?

Small language models invent numbers ("213 cm" becomes "200 cm"), colours and materials.
This check needs no reference: it extracts the checkable facts from the output and looks
for each one in the merchant's input (and in the colours measured in the photos).

Matching rules, chosen so that a flagged fact really is new:
- numbers compare by value; units compare only when both sides give one ("2-pack" is
  grounded by "Pack of 2"; "2 kg" is not grounded by "2 pcs"); spelled-out numbers in the
  input count ("two-tone" grounds "2", "forty" grounds "40"), but in the output only when a unit
  or a plural noun follows ("forty litres", "two pockets", "three-piece"), because "one of a kind"
  and "the one you love" are no claims about quantity;
- colours and materials compare case-, plural- and spelling-insensitively ("Grey" == "grays",
  "wooden" == "wood"); an output term is grounded when all its words occur in one input term,
  so "blue" is grounded by "sky blue" but "navy blue" is not grounded by "blue".
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

from .vocab import ALIASES, COLORS, MATERIALS, NUMBER_WORDS, UNITS


@dataclass(frozen=True)
class Mention:
    """A number, colour or material as one text states it; grounding checks the copy's against the input's."""

    kind: str  # "number" | "color" | "material"
    text: str  # as written in the text, for display
    key: str  # normalised value ("213", "navy") used for matching
    unit: str | None = None  # numbers only
    words: frozenset[str] = frozenset()  # colour/material words, for containment matching


def _singular(word: str) -> str:
    # Applied identically to vocabulary and text, so it only has to be consistent, not correct.
    if len(word) > 4 and word.endswith("ies"):
        return word[:-3] + "y"
    if len(word) > 3 and word.endswith(("ches", "shes", "xes", "sses")):
        return word[:-2]
    if len(word) > 3 and word.endswith("s") and not word.endswith(("ss", "us", "is")):
        return word[:-1]
    return word


def _words(text: str) -> list[str]:
    return [_singular(w) for w in re.findall(r"[a-z]+", text.lower())]


@lru_cache(maxsize=1)
def _phrases() -> tuple[dict[tuple[str, ...], tuple[str, frozenset[str]]], int]:
    """Normalised word tuple -> (canonical term, kinds); and the longest phrase length."""
    table: dict[tuple[str, ...], tuple[str, set[str]]] = {}
    for kind, terms in (("color", COLORS), ("material", MATERIALS)):
        for term in terms:
            words = tuple(_words(term))
            canonical = ALIASES.get(term, term)
            table.setdefault(words, (canonical, set()))[1].add(kind)
    frozen = {k: (c, frozenset(kinds)) for k, (c, kinds) in table.items()}
    return frozen, max(len(k) for k in frozen)


_PHRASE_GAP = re.compile(r"[ \t-]+")


def _term_facts(text: str) -> list[Mention]:
    table, longest = _phrases()
    # Keep the surface spans so the report shows what the copy actually says.
    spans = list(re.finditer(r"[A-Za-z]+", text))
    words = [_singular(m.group(0).lower()) for m in spans]
    facts, i = [], 0
    while i < len(words):
        for n in range(min(longest, len(words) - i), 0, -1):
            hit = table.get(tuple(words[i:i + n]))
            # a phrase is words in a row: "Lights (Blue" is no "light blue"
            gaps = (text[a.end():b.start()] for a, b in zip(spans[i:i + n], spans[i + 1:i + n]))
            if hit and all(_PHRASE_GAP.fullmatch(gap) for gap in gaps):
                canonical, kinds = hit
                surface = text[spans[i].start():spans[i + n - 1].end()]
                all_words = frozenset(words[i:i + n]) | frozenset(_words(canonical))
                for kind in sorted(kinds):
                    facts.append(Mention(kind, surface, canonical, words=all_words))
                i += n
                break
        else:
            i += 1
    return facts


_UNIT_WORDS = "|".join(sorted((re.escape(u) for u in UNITS if u.isalpha()), key=len, reverse=True))
_NUMBER = re.compile(
    # 1,299 / 2.5 / 213, not inside "X200" or "mp3", but each side of "20x10x35 cms"
    r"(?:(?<![\w.])|(?<=\d[xX×]))(\d+(?:,\d{3})*(?:\.\d+)?)"
    rf"(?:\s*-?\s*(%|\"|(?:{_UNIT_WORDS})(?:e?s)?\b))?",
    re.IGNORECASE,
)
_SPELLED = "|".join(sorted(NUMBER_WORDS, key=len, reverse=True))
_SPELLED_FIRST = "".join(sorted({w[0] for w in NUMBER_WORDS}))  # lets the regex skip most words at one letter
# "forty", "twenty-five", "two hundred": one number however many words it takes
_NUMBER_WORD = re.compile(
    rf"\b(?=[{_SPELLED_FIRST}])((?:{_SPELLED})(?:[ \t-]+(?:{_SPELLED}))*)\b"
    rf"(?:\s*-?\s*((?:{_UNIT_WORDS})(?:e?s)?\b))?", re.IGNORECASE
)
# What a spelled-out number counts when no unit follows: a plural noun, perhaps after one describing
# word ("two pockets", "two zip pockets"). Read this way, "the one you love" and "one of a kind" count nothing.
_COUNTED = re.compile(r"[ \t-]+([A-Za-z]+)\b(?:[ \t]+([A-Za-z]{3,})\b)?")
_NOT_COUNTED = frozenset({
    "of", "in", "on", "at", "to", "for", "with", "and", "or", "the", "a", "an", "by", "from", "is", "are", "was",
    "were", "be", "it", "its", "you", "your", "we", "our", "they", "their", "them", "this", "that", "these",
    "those", "more", "less", "than", "has", "have", "his", "hers", "ours", "yours", "theirs", "thus", "always",
    "perhaps", "besides", "sometimes", "towards", "afterwards", "whereas", "does", "yes", "plus", "as", "us",
    "who", "which", "whose"})


def _spelled_value(words: str) -> str:
    total = current = 0
    for word in re.findall(r"[a-z]+", words.lower()):
        value = int(NUMBER_WORDS[word])
        if word in ("hundred", "thousand", "dozen"):
            current = max(current, 1) * value
            if word == "thousand":
                total, current = total + current, 0
        else:
            current += value
    return str(total + current)


def _counted_end(text: str, end: int) -> int | None:
    """Where the counted noun after a spelled-out number ends, or None when none follows."""
    match = _COUNTED.match(text, end)
    if not match or match.group(1).lower() in _NOT_COUNTED or match.group(1).lower() in NUMBER_WORDS:
        return None
    if _plural(match.group(1)):
        return match.end(1)
    return match.end(2) if match.group(2) and _plural(match.group(2)) else None


def _plural(word: str) -> bool:
    word = word.lower()
    return (len(word) > 3 and word.endswith("s") and word not in _NOT_COUNTED
            and not word.endswith(("ss", "us", "is", "ous", "ness")))


def _unit(raw: str | None) -> str | None:
    if not raw:
        return None
    raw = raw.lower()
    for candidate in (raw, raw[:-2] if raw.endswith("es") else raw, raw.rstrip("s")):
        if candidate in UNITS:
            return UNITS[candidate]
    return None


def _value(raw: str) -> str:
    value = float(raw.replace(",", ""))
    return str(int(value)) if value.is_integer() else f"{value:g}"


def _number_facts(text: str, spelled_out: bool) -> list[Mention]:
    facts = [Mention("number", m.group(0).strip(), _value(m.group(1)), _unit(m.group(2)))
             for m in _NUMBER.finditer(text)]
    for m in _NUMBER_WORD.finditer(text):
        unit, value = _unit(m.group(2)), _spelled_value(m.group(1))
        if spelled_out or unit:
            facts.append(Mention("number", m.group(0).strip(), value, unit))
        elif value != "1":  # "one" counts a noun too rarely to check: "one size", "one-stop", "one touch"
            end = _counted_end(text, m.end())
            if end is not None:  # compared like a bare digit: "two pockets" is grounded by "2 pockets"
                facts.append(Mention("number", text[m.start():end], value))
    return facts


def _facts(text: str, spelled_out: bool) -> list[Mention]:
    return _number_facts(text, spelled_out) + _term_facts(text)


def extract_facts(text: str) -> dict[str, list[str]]:
    """Numbers (with units: "213 cm", "2-pack"), colours and materials, as written."""
    found: dict[str, list[str]] = {"numbers": [], "colors": [], "materials": []}
    plural = {"number": "numbers", "color": "colors", "material": "materials"}
    for fact in _facts(text, spelled_out=False):
        bucket = found[plural[fact.kind]]
        if fact.text not in bucket:
            bucket.append(fact.text)
    return found


def _is_grounded(fact: Mention, source: list[Mention]) -> bool:
    if fact.kind == "number":
        return any(s.kind == "number" and s.key == fact.key
                   and (s.unit is None or fact.unit is None or s.unit == fact.unit
                        or (s.unit == CURRENCY and fact.unit in _CURRENCIES))
                   for s in source)
    return any(s.kind != "number" and (s.key == fact.key or fact.words <= s.words
                                       or frozenset(_words(fact.key)) <= s.words)
               for s in source)


CURRENCY = "currency"  # the unit of a price given without one: it grounds money, never a measurement
_CURRENCIES = {None, "rs", "usd", CURRENCY}
SIZE = "size"  # the unit of a size given without one ("available sizes: 32, 36"): "36 hours" is invented


def _source_facts(source_text: str, extra_allowed=()) -> list[Mention]:
    source = []
    for line in source_text.splitlines():
        facts = _facts(line, spelled_out=True)
        key = line.split(":", 1)[0].lower() if ":" in line else ""
        if key == "price":  # "1695" was the price, so "1695 mm" is invented
            facts = [Mention(f.kind, f.text, f.key, f.unit or CURRENCY, f.words) for f in facts]
        elif "size" in key:  # a size grounds a size (or the bare number), never a measurement
            facts = [Mention(f.kind, f.text, f.key, f.unit or SIZE, f.words) for f in facts]
        if re.search(r"colou?r", key) and re.fullmatch(r"\s*multi\s*", line.split(":", 1)[1], re.I):
            facts += _facts("multicolor", spelled_out=True)  # a catalog's "Color: MULTI" is multicoloured
        source += facts
    for term in extra_allowed:
        found = _term_facts(term)
        source += found or [Mention("color", term, term.lower(), words=frozenset(_words(term)))]
    return source


def grounded_vocabulary(source_text: str, extra_allowed=()) -> tuple[dict[str, frozenset[str] | None], list[str]]:
    """What a generator may say, for grounded decoding.

    Returns the numbers the input states, in every form they may be written ("1,299", "1299"),
    each with the units it may carry (None: any, because the input gives it without one), and
    the colour and material terms the input does NOT ground."""
    source = _source_facts(source_text, extra_allowed)
    units: dict[str, set[str] | None] = {}
    spellings = {m.group(1): _value(m.group(1)) for m in _NUMBER.finditer(source_text)}
    for fact in source:
        if fact.kind != "number":
            continue
        known = units.setdefault(fact.key, set())
        if known is not None:
            units[fact.key] = None if fact.unit is None else known | (_CURRENCIES - {None} if fact.unit == CURRENCY else {fact.unit})
    numbers = {key: (None if allowed is None else frozenset(allowed)) for key, allowed in units.items()}
    numbers.update({written: numbers[key] for written, key in spellings.items() if key in numbers})
    source_terms = [f for f in source if f.kind != "number"]
    terms = [term for term, facts in _vocabulary_facts()
             if not all(_is_grounded(fact, source_terms) for fact in facts)]
    return numbers, list(dict.fromkeys(terms))


@lru_cache(maxsize=1)
def _vocabulary_facts() -> tuple[tuple[str, tuple[Mention, ...]], ...]:
    return tuple((term, tuple(_term_facts(term))) for term in (*COLORS, *MATERIALS))


def grounding_report(text: str, source_text: str, extra_allowed=()) -> dict:
    """Which facts of ``text`` appear in ``source_text`` (or in ``extra_allowed`` terms).

    Returns {"checked": [...], "ungrounded": [...], "share": float | None}; share is None
    when the text states no checkable fact. A colour that is also a material ("gold") is
    checked once.
    """
    from .spelling import respellings

    # "Material: Polyster" grounds "polyester": the copy may mend the merchant's typo
    source = _source_facts("\n".join([source_text, *respellings(source_text)]), extra_allowed)
    checked, ungrounded, seen = [], [], set()
    for fact in _facts(text, spelled_out=False):
        identity = (fact.kind == "number", fact.text.lower())
        if identity in seen:
            continue
        seen.add(identity)
        checked.append(fact.text)
        if not _is_grounded(fact, source):
            ungrounded.append(fact.text)
    share = (len(checked) - len(ungrounded)) / len(checked) if checked else None
    return {"checked": checked, "ungrounded": ungrounded, "share": share}
