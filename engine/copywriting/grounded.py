"""Grounded decoding: the language model cannot write a number, colour or material the input lacks.

Re-ranking can only choose among candidates, and a small model invents sizes in most of them.
This stops the invention where it starts, inside ``generate``, with one logits processor:

- colours and materials: every term of the grounding vocabulary (``engine/scores/vocab.py``)
  that the grounding check would flag for this input is banned as a whole-word token sequence
  (" navy", " Navy", " Navy Blue", ...);
- numbers: a digit may only be written while it spells, digit by digit, a number the input
  states, and a number that is not finished cannot be left ("1" may become "12" when the
  input says 12, but not "13"), and a number the input gives with a unit takes no other
  unit ("330 ml" cannot become "330 hours"). Digits glued to letters (model codes like
  "MB003") are not checked, as the grounding score does not check them either.

The grounding score in ``engine/scores/grounding.py`` stays the judge and provides both lists,
so the decoder forbids what the score would flag. What still gets through: a unit written
apart from its number, spelled-out numbers, and terms split into tokens that do not start
a word.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

import torch
from transformers import LogitsProcessor

from engine.scores.grounding import grounded_vocabulary

_NUMBER_TAIL = re.compile(r"[\d.,]*$")  # the number being written at the end of the text, if any
_AFTER_NUMBER = re.compile(r"(?<![A-Za-z_\d.,])(\d+(?:[.,]\d+)*)[.,]?[ -]*$")  # a unit may come next
_TAIL_TOKENS = 12


@dataclass(frozen=True)
class GroundingRules:
    """What one row of a generation may write (numbers) and may not (terms)."""

    numbers: dict[str, frozenset[str] | None]  # numbers the input states, as written -> units they carry (None: any)
    prefixes: frozenset[str]  # every leading part of those
    banned: tuple[tuple[int, ...], ...]  # token sequences of terms the input does not ground


@lru_cache(maxsize=4)
def _digit_tokens(tokenizer) -> tuple[dict[int, str], frozenset[int]]:
    """{token id: digits} for tokens that are digits only (an optional leading space marks a
    new number), and the ids of every other token holding a digit (never written when constrained)."""
    numeric, mixed = {}, set()
    for token, index in tokenizer.get_vocab().items():
        text = tokenizer.convert_tokens_to_string([token])
        if not any(c.isdigit() for c in text):
            continue
        if re.fullmatch(r" ?[0-9]+", text):
            numeric[index] = text
        else:
            mixed.add(index)
    return numeric, frozenset(mixed)


def _unit_of(word: str) -> str | None:
    """The unit a whole token spells. Stricter than the grounding score's parser, which reads a
    unit right after a number: here "ves" or "les" alone must not count as a plural of "v"."""
    from engine.scores.vocab import UNITS

    for stem in (word, word[:-2] if word.endswith("es") else "", word[:-1] if word.endswith("s") else ""):
        if len(stem) >= 1 and stem in UNITS and (stem == word or len(stem) > 1):
            return UNITS[stem]
    return None


@lru_cache(maxsize=4)
def _unit_tokens(tokenizer) -> dict[int, frozenset[str]]:
    """{token id: the canonical units it may start}: tokens that are a unit word on their own
    (" ml", "%.", " hours") and the first token of unit words split into several (" mill"+"il"+"iter")."""
    from engine.scores.vocab import UNITS

    found: dict[int, set[str]] = {}
    for token, index in tokenizer.get_vocab().items():
        word = tokenizer.convert_tokens_to_string([token]).strip().lower().rstrip(".,;:!?)")
        unit = _unit_of(word)
        if unit:
            found.setdefault(index, set()).add(unit)
    for surface, unit in UNITS.items():
        for form in {surface, surface + "s", surface + "es", surface.capitalize()}:
            for text in (" " + form, form):
                ids = tokenizer(text, add_special_tokens=False)["input_ids"]
                if len(ids) > 1:
                    found.setdefault(ids[0], set()).add(unit)
    return {index: frozenset(units) for index, units in found.items()}


@lru_cache(maxsize=4)
def _term_forms(tokenizer) -> dict[str, tuple[tuple[int, ...], ...]]:
    """{vocabulary term: its token sequences as a whole word}: after a space, lower case,
    Capitalised and Title Case, plurals too; without a leading space only when it takes several tokens (a
    one-token "red" is also the end of "bored"). Tokenised once per tokenizer."""
    from engine.scores.vocab import COLORS, MATERIALS

    forms = {}
    for term in (*COLORS, *MATERIALS):
        sequences = set()
        cased = {term, term.capitalize(), term.title()}
        cased |= {form.replace(" ", "-") for form in cased}  # "multi-colored" is "multi colored"
        for form in cased | {f + "s" for f in cased} | {f + "es" for f in cased}:  # "glasses" is "glass"
            sequences.add(tuple(tokenizer(" " + form, add_special_tokens=False)["input_ids"]))
            bare = tuple(tokenizer(form, add_special_tokens=False)["input_ids"])
            if len(bare) > 1:
                sequences.add(bare)
        forms[term] = tuple(s for s in sequences if s)
    return forms


def _term_sequences(tokenizer, terms: list[str]) -> tuple[tuple[int, ...], ...]:
    forms = _term_forms(tokenizer)
    return tuple(sorted({sequence for term in terms for sequence in forms[term]}))


def grounding_rules(tokenizer, source_text: str, photo_colours=()) -> GroundingRules:
    numbers, terms = grounded_vocabulary(source_text, tuple(photo_colours))
    prefixes = frozenset(n[:i] for n in numbers for i in range(1, len(n) + 1))
    return GroundingRules(numbers, prefixes, _term_sequences(tokenizer, terms))


class GroundedDecoding(LogitsProcessor):
    """One ``GroundingRules`` per row of the batch (or one for all rows)."""

    def __init__(self, tokenizer, rules: list[GroundingRules]):
        self.tokenizer = tokenizer
        self.rules = rules
        self.cut_rows: set[int] = set()  # rows ended mid-number: their text ends in an unfinished number
        self.numeric, self.mixed = _digit_tokens(tokenizer)
        self.units = _unit_tokens(tokenizer)
        self.end_ids = [i for i in {tokenizer.eos_token_id, tokenizer.convert_tokens_to_ids("<|im_end|>")}
                        if isinstance(i, int) and i != tokenizer.unk_token_id]
        self.mixed_ids = torch.tensor(sorted(self.mixed), dtype=torch.long)
        # A sequence's last token is the one to forbid once the text ends with the rest of it. Indexed
        # once by the length and ids of that rest: a step then makes one lookup per length, not one
        # comparison per sequence (thousands: every form of every colour and material not in the input).
        self.single, self.multi = [], []
        for r in rules:
            self.single.append(torch.tensor([s[0] for s in r.banned if len(s) == 1], dtype=torch.long))
            by_length: dict[int, dict[tuple[int, ...], list[int]]] = {}
            for s in r.banned:
                if len(s) > 1:
                    by_length.setdefault(len(s) - 1, {}).setdefault(tuple(s[:-1]), []).append(s[-1])
            self.multi.append(by_length)

    def __call__(self, input_ids: torch.LongTensor, scores: torch.FloatTensor) -> torch.FloatTensor:
        for row in range(scores.shape[0]):
            which = row if len(self.rules) > 1 else 0
            history = input_ids[row].tolist()
            banned = self.single[which].to(scores.device)
            scores[row, banned] = -float("inf")
            for length, endings in self.multi[which].items():
                last = endings.get(tuple(history[-length:]))
                if last:
                    scores[row, last] = -float("inf")
            self._numbers(row, history, scores, self.rules[which])
        return scores

    def _numbers(self, row: int, history: list[int], scores: torch.FloatTensor, rules: GroundingRules) -> None:
        tail = self.tokenizer.decode(history[-_TAIL_TOKENS:], skip_special_tokens=True)
        run = _NUMBER_TAIL.search(tail).group(0).lstrip(".,")
        before = tail[: len(tail) - len(run)]
        if before[-1:].isalpha() or before[-1:] == "_":
            return  # digits glued to a word: a code like "MB003", not a claim
        if run and run not in rules.prefixes and run.rstrip(".,") not in rules.numbers:
            return  # a number this check did not start (cut off by the tail window): leave it
        finished = not run or run.rstrip(".,") in rules.numbers
        allowed_digits = []
        for index, text in self.numeric.items():
            digits = text.strip()
            if text.startswith(" ") or not run:  # a new number
                ok = finished and digits in rules.prefixes
            else:  # the number being written goes on
                ok = run + digits in rules.prefixes
            if ok:
                allowed_digits.append(index)
        allowed = torch.zeros(scores.shape[1], dtype=torch.bool, device=scores.device)
        allowed[allowed_digits] = True
        if finished:  # anything but an unsupported digit (or a unit the input does not give it) may follow
            keep = ~allowed
            keep[list(self.numeric)] = False
            allowed |= keep
            allowed[self.mixed_ids.to(scores.device)] = False
        else:  # mid-number: only a digit, or a point/comma the stated number holds, continues it
            for mark in ".,":
                if run + mark in rules.prefixes:
                    allowed[self.tokenizer.convert_tokens_to_ids(mark)] = True
        after = _AFTER_NUMBER.search(tail)
        units = rules.numbers.get(after.group(1)) if after else None
        if units is not None:  # the input gives this number with a unit: no other unit may follow
            allowed[[i for i, found in self.units.items() if not found & units]] = False
        if not bool(torch.isfinite(scores[row][allowed]).any()):
            # Every allowed token is already ruled out (by the no-repeat rule): end the text here.
            # Copy cleaning then drops the unfinished sentence, number and all.
            allowed[:] = False
            allowed[self.end_ids] = True
            self.cut_rows.add(row)
            scores[row, self.end_ids] = 0.0  # a minimum length may have ruled the end out too
        scores[row, ~allowed] = -float("inf")


_UNFINISHED = re.compile(r"[\s(\[\-–—,:;/]*\d[\d.,]*$")


def drop_unfinished_number(text: str) -> str:
    """The text of a row that grounded decoding had to end mid-number, without that number."""
    return _UNFINISHED.sub("", text)


def grounded_processor(tokenizer, sources: list[tuple[str, list[str]]]) -> GroundedDecoding:
    """A processor for a generation whose rows are grounded in ``[(source text, photo colours)]``."""
    return GroundedDecoding(tokenizer, [grounding_rules(tokenizer, text, colours) for text, colours in sources])


class Constraints(LogitsProcessor):
    """Grounded decoding, then licensed decoding (``engine.copywriting.licence``: every word licensed by the
    input or the house vocabulary), as the one processor a request carries. The licence runs last: it is
    the one that sees when nothing is left to write and ends the text."""

    def __init__(self, grounded: GroundedDecoding, licensed):
        self.grounded, self.licensed = grounded, licensed

    def __call__(self, input_ids: torch.LongTensor, scores: torch.FloatTensor) -> torch.FloatTensor:
        return self.licensed(input_ids, self.grounded(input_ids, scores))

    @property
    def cut_rows(self) -> set[int]:
        return self.grounded.cut_rows | self.licensed.cut_rows


def processor_for(settings, tokenizer, sources: list[tuple[str, list[str]]]) -> Constraints | None:
    """The processor a generation with ``settings`` uses ("Only facts from my input"), or None when it is off.
    The audience the operator typed licenses its own words ("for students")."""
    if not settings.grounded_decoding:
        return None
    from engine.copywriting.licence import licensed_processor

    licensed = licensed_processor(tokenizer, [(text, [*colours, settings.audience]) for text, colours in sources])
    return Constraints(grounded_processor(tokenizer, sources), licensed)


def finish(processor: Constraints | GroundedDecoding | None, texts: list[str]) -> list[str]:
    """Generated texts with the unfinished number (or word) cut from every row a processor had to end."""
    if processor is None or not processor.cut_rows:
        return texts
    if isinstance(processor, Constraints):
        from engine.copywriting.licence import finish as finish_words

        return finish_words(processor.licensed, finish(processor.grounded, texts))
    return [drop_unfinished_number(t) if row in processor.cut_rows else t for row, t in enumerate(texts)]
