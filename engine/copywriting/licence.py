"""Licensed decoding: every word the language model writes is licensed by the merchant's input.

Grounded decoding (``grounded.py``) keeps numbers, colours and materials to the input; everything
else a small model invents ("waterproof", "dishwasher safe", "seaweed extract") slips past it, and
the claim check can only flag it afterwards. Here the model may only write a word that is
licensed, so a fact it was not given cannot be spelled at all. A word is licensed when it is
- a word of the input (and of ``extra``: photo colours, confirmed labels), in any case;
- an inflection or derivation of one: WordNet base forms, WordNet's derivationally related forms
  and pertainyms, and suffix rules (-s, -es, -ed, -ing, -en, -able, -y, -ly, -er, -ness) checked
  against WordNet, so "Wooden" licenses "wood", "Half Sleeve" "half-sleeved", "Washable" "wash";
- a house word (assets/vocab/house_words.json, built and documented by
  scripts/build_house_vocab.py): function words and praise that state no fact ("the", "not",
  "stylish", "perfect", "design"); never a claim word ("waterproof", "organic", "warranty");
- the tail of a contraction ("it's", "don't", "you'll").
A word is a run of letters: a hyphen, apostrophe or digit splits it and every part must be
licensed ("half-sleeved" needs "half" and "sleeved"; "350ml" needs "ml"). Digits are always
licensed here: ``grounded.py`` decides which numbers may be written.

``LicensedDecoding`` enforces this inside ``generate`` with one logits processor. SmolLM2's
byte-level BPE marks the start of a word with a leading space, so a token either continues the
word being written (letters only), starts a new word (a space or punctuation, then letters) or
has no letters. A token may start or continue a word only while the word can still become a
licensed one, and a token without letters (which ends the word) only once it is one. Case does not
matter for the licence, but a word is written in lower, Capitalised or UPPER case (or in the
input's own mixed case, "iPhone"): without that rule the model spells around a ban ("decoRatiVe"
for "decades", "elementS" for "element"). Tokens made
of raw UTF-8 byte pieces (emoji, rare scripts) could spell any word unseen, so they are never
written; neither are tokens with letters on both sides of punctuation (SmolLM2 has none).
Put it after every other processor (after ``GroundedDecoding``): it is the one that sees when
nothing is left to write and ends the text instead.
"""
from __future__ import annotations

import bisect
import json
import re
from dataclasses import dataclass, field
from functools import lru_cache

import torch
from transformers import LogitsProcessor

from engine.core.paths import ASSETS
from engine.scores.claims import wordnet  # one parsed WordNet per process

_LETTERS = re.compile(r"[^\W\d_]+")  # a word: letters of any alphabet
_WORD_SPAN = re.compile(r"[^\W_]+(?:['’\-][^\W_]+)*")  # what ``unlicensed`` reports: "half-sleeved", "it's"
# What follows an apostrophe in a contraction: no fact, and the tokenizer writes it as a word of its own.
CLITICS = frozenset({"s", "t", "ll", "re", "ve", "d"})
_SUFFIXES = ("s", "es", "ed", "d", "ing", "en", "able", "ible", "y", "ly", "er", "ness")
_TAIL_TOKENS = 24  # a word longer than this many tokens is not one this processor wrote


@lru_cache(maxsize=1)
def house_words() -> frozenset[str]:
    """The words any copy may use (see scripts/build_house_vocab.py)."""
    data = json.loads((ASSETS / "vocab" / "house_words.json").read_text())
    return frozenset(data["words"])


@lru_cache(maxsize=1)
def claim_words() -> frozenset[str]:
    """The words the house list never holds: only the input can license them."""
    data = json.loads((ASSETS / "vocab" / "house_words.json").read_text())
    return frozenset(data["claim_words"])


# -- word forms --------------------------------------------------------------------------------------

@lru_cache(maxsize=1)
def _lemma_names() -> frozenset[str]:
    wn = wordnet()
    return frozenset(n.lower() for n in wn.all_lemma_names()) if wn is not None else frozenset()


@lru_cache(maxsize=1)
def _irregular() -> dict[tuple[str, str], frozenset[str]]:
    """(base, part of speech) -> its irregular inflections ("make" -> made, "run" -> running, ran)."""
    wn = wordnet()
    found: dict[tuple[str, str], set[str]] = {}
    if wn is not None:  # nltk keeps WordNet's exception lists (form -> bases) in a private map, read only here
        for pos in ("n", "v", "a"):
            for form, bases in wn._exception_map[pos].items():
                for base in bases:
                    found.setdefault((base, pos), set()).add(form)
    return {key: frozenset(forms) for key, forms in found.items()}


def _syllables(word: str) -> int:
    return max(1, len(re.findall(r"[aeiouy]+", word)) - (word.endswith("e") and not word.endswith(("le", "ee"))))


def _plural(word: str) -> str | None:
    """The regular plural (or third person) of ``word``; None for a word that looks plural already."""
    if word.endswith(("ss", "x", "z", "ch", "sh")):
        return word + "es"
    if word.endswith("s"):
        return None  # "woods", "ceramics": no "woodses"
    if word.endswith("y") and word[-2:-1] not in tuple("aeiou"):
        return word[:-1] + "ies"
    return word + "s"


def _verb_forms(word: str) -> set[str]:
    """Regular past and -ing forms: "use" -> used, using; "carry" -> carried; "fit" -> fitted."""
    if word.endswith("e"):
        return {word + "d", word[:-1] + "ing" if not word.endswith(("ee", "ye", "oe")) else word + "ing"}
    if word.endswith("y") and word[-2:-1] not in tuple("aeiou"):
        return {word[:-1] + "ied", word + "ing"}
    if _syllables(word) == 1 and re.search(r"[^aeiou][aeiou][^aeiouwxy]$", word):
        word += word[-1]
    return {word + "ed", word + "ing"}


def _comparatives(word: str) -> set[str]:
    """-er and -est of a short adjective ("soft" -> softer; "easy" -> easier); longer ones take "more"."""
    if word.endswith("y") and _syllables(word) == 2:
        return {word[:-1] + "ier", word[:-1] + "iest"}
    if _syllables(word) != 1:
        return set()
    if word.endswith("e"):
        return {word + "r", word + "st"}
    if re.search(r"[^aeiou][aeiou][^aeiouwxy]$", word):
        word += word[-1]
    return {word + "er", word + "est"}


def inflections(word: str) -> frozenset[str]:
    """``word`` and its inflections, for each part of speech WordNet gives it: plurals, verb forms,
    comparatives ("hold" -> holds, holding, held). A word WordNet lacks (a brand) gets a plural."""
    wn = wordnet()
    if wn is None or word not in _lemma_names():
        return frozenset({word} | ({_plural(word)} - {None}))
    forms = {word}
    for pos in ("n", "v", "a"):
        if wn.morphy(word, pos) != word:
            continue  # not this part of speech: "wood" is no verb, so no "wooding"
        # WordNet lists the forms a rule gets wrong ("halves", "better", "held", "running"): those win.
        irregular = _irregular().get((word, pos), frozenset())
        forms |= irregular
        if pos == "n" and not irregular:
            forms |= {_plural(word)} - {None}
        elif pos == "v":
            forms.add(_plural(word) or word + "es")  # third person: "holds", "dresses"
            if not irregular:
                forms |= _verb_forms(word)
            elif not any(f.endswith("ing") for f in irregular):
                forms |= {f for f in _verb_forms(word) if f.endswith("ing")}  # "held" is listed, "holding" not
        elif pos == "a" and not irregular and len(wn.synsets(word, "a")) >= len(wn.synsets(word, "n")):
            forms |= _comparatives(word)  # "softer", but no "sider": "side" is mostly a noun
    return frozenset(forms)


def _derived(base: str) -> set[str]:
    """Words made from ``base``: WordNet's derivationally related forms and pertainyms ("wash" ->
    washable, washing) and suffixed words WordNet lists ("wood" -> wooden, "sleeve" -> sleeved)."""
    wn = wordnet()
    if wn is None:
        return set()
    found = set()
    for sense in wn.synsets(base):
        for lemma in sense.lemmas():
            if lemma.name().lower() == base:
                found.update(l.name().lower() for l in (*lemma.derivationally_related_forms(), *lemma.pertainyms()))
    stems = {base, base[:-1] if base.endswith("e") else base, base[:-1] + "i" if base.endswith("y") else base}
    found |= {s + suffix for s in stems for suffix in _SUFFIXES} & _lemma_names()
    return {w for w in found if w.isalpha()}


def _bases(word: str) -> set[str]:
    """The words ``word`` is made from: WordNet base forms ("sugars" -> sugar) and WordNet words left
    when a suffix is taken off ("wooden" -> wood, "washable" -> wash, "usable" -> use)."""
    wn = wordnet()
    found = {word}
    if wn is None:
        return found
    found |= {b for b in (wn.morphy(word, pos) for pos in ("n", "v", "a", "r")) if b}
    for suffix in _SUFFIXES:
        stem = word[: -len(suffix)]
        if word.endswith(suffix) and len(stem) >= 3:
            undone = {stem, stem + "e"}
            if stem[-1] == stem[-2]:
                undone.add(stem[:-1])  # "fitted" -> fit
            if stem.endswith("i"):
                undone.add(stem[:-1] + "y")  # "easily" -> easy
            found |= undone & _lemma_names()
    return found


@lru_cache(maxsize=50_000)
def word_forms(word: str) -> frozenset[str]:
    """Every form ``word`` licenses: itself, what it is made from, what is made from that, and
    their inflections ("Wooden" -> wood, woods, wooden, woody...)."""
    word = word.lower()
    related = _bases(word)
    for base in list(related):
        related |= _derived(base)
    return frozenset(form for r in related for form in inflections(r))


# -- the licence -------------------------------------------------------------------------------------

@dataclass(frozen=True, repr=False)
class Licence:
    """The words one input licenses, lower case; a word is checked part by part (``allows``)."""

    words: frozenset[str]
    prefixes: frozenset[str]  # every leading part of a licensed word, "" included
    # Leading parts of the input's words written in mixed case ("iPhone", "PrintLand"), as written: the
    # decoder writes a word in lower, Capitalised or UPPER case, or in the input's own mixed case.
    cased: frozenset[str]
    # Left out of equality and hashing, which then stay cheap (a frozenset caches its hash; a tuple does not).
    ordered: tuple[str, ...] = field(compare=False)  # ``words`` sorted, for the words starting with a prefix
    own: frozenset[str] = field(compare=False)  # the forms the input licenses (the house words aside)

    def __repr__(self) -> str:
        return f"Licence({len(self.own)} input forms, {len(self.words)} words)"

    def allows(self, word: str) -> bool:
        """Every run of letters of ``word`` is licensed (case aside); digits always are."""
        return all(part in self.words for part in _LETTERS.findall(word.lower()))

    def unlicensed(self, text: str) -> list[tuple[int, int, str]]:
        """(start, end, word) of every word of ``text`` that is not licensed."""
        return [(m.start(), m.end(), m.group(0)) for m in _WORD_SPAN.finditer(text) if not self.allows(m.group(0))]

    def completions(self, start: str) -> list[str]:
        """The licensed words that start with ``start`` (lower case)."""
        first = bisect.bisect_left(self.ordered, start)
        last = bisect.bisect_left(self.ordered, start + "\U0010ffff")
        return list(self.ordered[first:last])


@lru_cache(maxsize=256)
def licence_for(source_text: str, extra: tuple[str, ...] = ()) -> Licence:
    """The licence of an input: its words and their forms, plus the house words and contraction tails."""
    written = set(_LETTERS.findall("\n".join([source_text, *extra])))
    own = set()
    for word in {w.lower() for w in written}:
        own |= word_forms(word)
    words = frozenset(own | house_words() | CLITICS)
    prefixes = frozenset(w[:i] for w in words for i in range(len(w) + 1))
    cased = frozenset(w[:i] for w in written if not _shape(w) for i in range(1, len(w) + 1))
    return Licence(words, prefixes, cased, tuple(sorted(words)), frozenset(own))


_UNFINISHED_WORD = re.compile(r"[^\W\d_]+$")


def drop_unfinished_word(text: str) -> str:
    """The text of a row that licensed decoding had to end mid-word, without that part of a word."""
    return _UNFINISHED_WORD.sub("", text).rstrip()


# -- the decoder -------------------------------------------------------------------------------------

_NO_LETTERS, _CONTINUES, _STARTS, _NEVER = 0, 1, 2, 3
_LOWER, _UPPER, _TITLE = 1, 2, 4  # shapes of a run of letters, as bits ("A" is both UPPER and Title)


def _shape(letters: str) -> int:
    """The run's case: lower, UPPER, Capitalised (bits), or 0 when mixed ("elementS", "iPhone")."""
    shape = 0
    if letters.islower():
        shape |= _LOWER
    if letters.isupper():
        shape |= _UPPER
    if letters[:1].isupper() and (len(letters) == 1 or letters[1:].islower()):
        shape |= _TITLE
    return shape


def _next_shapes(partial: str) -> int:
    """The shapes a continuation of ``partial`` (as written) may have so that the word keeps a plain
    case: lower after lower or Capitalised, UPPER after UPPER, either after one capital letter."""
    if partial.isupper():
        return _LOWER | _UPPER if len(partial) == 1 else _UPPER
    return _LOWER


@dataclass(frozen=True)
class _Vocabulary:
    """A tokenizer's tokens sorted by how they touch words. Built once per tokenizer."""

    kind: tuple[int, ...]  # per id: _NO_LETTERS, _CONTINUES (letters only), _STARTS (non-letters, then letters), _NEVER
    letters: tuple[str, ...]  # per id: the letters a _CONTINUES or _STARTS token ends with, as written
    shape: tuple[int, ...]  # per id: the shape of those letters
    continuing: dict[str, list[int]]  # lower-cased letters -> ids of _CONTINUES tokens
    starting: dict[str, list[int]]  # lower-cased letters -> ids of _STARTS tokens
    no_letters: list[int]


@lru_cache(maxsize=4)
def _vocabulary(tokenizer) -> _Vocabulary:
    special = set(tokenizer.all_special_ids) | set(tokenizer.get_added_vocab().values())
    size = max(len(tokenizer), max(tokenizer.get_vocab().values()) + 1)
    kind, letters, shape = [_NEVER] * size, [""] * size, [0] * size
    continuing, starting, no_letters = {}, {}, []
    for token, index in tokenizer.get_vocab().items():
        text = "" if index in special else tokenizer.convert_tokens_to_string([token])
        runs = list(_LETTERS.finditer(text))
        if "\ufffd" in text:
            continue  # a piece of a UTF-8 character: whatever it spells is never seen as letters
        if not runs:
            kind[index] = _NO_LETTERS
            no_letters.append(index)
        elif len(runs) == 1 and runs[0].end() == len(text):
            kind[index] = _CONTINUES if runs[0].start() == 0 else _STARTS
            letters[index], shape[index] = runs[0].group(0), _shape(runs[0].group(0))
            (continuing if runs[0].start() == 0 else starting).setdefault(letters[index].lower(), []).append(index)
    return _Vocabulary(tuple(kind), tuple(letters), tuple(shape), continuing, starting, no_letters)


class _Tables:
    """What one licence lets a tokenizer write: penalties (0 allowed, -inf banned) for a word's start,
    ids for its continuation. Penalties are added to the scores: cheaper than a boolean mask (measured
    ~10 us against ~150 us for ``masked_fill_`` over SmolLM2's 49k tokens on one CPU thread)."""

    def __init__(self, vocabulary: _Vocabulary, licence: Licence, size: int):
        self.vocabulary, self.licence = vocabulary, licence
        starts, continues = [], []
        for prefix in licence.prefixes:
            starts += [i for i in vocabulary.starting.get(prefix, ()) if self._plain(i, "")]
            continues += [i for i in vocabulary.continuing.get(prefix, ()) if self._plain(i, "")]
        # After a finished word (or none): a token without letters, or one that starts a licensable word.
        self.boundary = torch.full((size,), -float("inf"))
        self.boundary[vocabulary.no_letters + starts] = 0.0
        # With no word being written, letters without a space start one too ("\n" then "Perfect").
        self.fresh = self.boundary.clone()
        self.fresh[continues] = 0.0
        self.nothing = torch.full((size,), -float("inf"))
        self._continuations: dict[str, torch.Tensor] = {}
        self._on: dict[tuple, torch.Tensor] = {}

    def _plain(self, index: int, partial: str) -> bool:
        """The token's letters after ``partial`` keep the word in a plain case or the input's own."""
        letters = self.vocabulary.letters[index]
        if partial:
            fits = self.vocabulary.shape[index] & _next_shapes(partial) and _shape(partial)
        else:
            fits = self.vocabulary.shape[index]
        return bool(fits) or partial + letters in self.licence.cased

    def continuations(self, partial: str) -> torch.Tensor:
        """Ids of the tokens that continue ``partial`` (as written) towards a licensed word."""
        found = self._continuations.get(partial)
        if found is None:
            lower = partial.lower()
            rests = {w[len(lower):len(lower) + i] for w in self.licence.completions(lower)
                     for i in range(1, len(w) - len(lower) + 1)}
            ids = [i for rest in rests for i in self.vocabulary.continuing.get(rest, ()) if self._plain(i, partial)]
            found = self._continuations[partial] = torch.tensor(sorted(ids), dtype=torch.long)
        return found

    def on(self, name: str, like: torch.Tensor) -> torch.Tensor:
        key = (name, like.device, like.dtype)
        if key not in self._on:
            self._on[key] = getattr(self, name).to(like.device, like.dtype)
        return self._on[key]

    def penalty(self, partial: str, like: torch.Tensor) -> torch.Tensor:
        """What to add to the scores after a text whose unfinished last word is ``partial`` (as written)."""
        if not partial:
            return self.on("fresh", like)
        lower = partial.lower()
        if lower not in self.licence.prefixes:
            return self.on("boundary", like)  # a word this processor did not write (the prompt's): end it
        penalty = self.on("boundary" if lower in self.licence.words else "nothing", like).clone()
        return penalty.index_fill_(0, self.continuations(partial).to(like.device), 0.0)


@lru_cache(maxsize=64)
def _tables(tokenizer, licence: Licence) -> _Tables:
    vocabulary = _vocabulary(tokenizer)
    return _Tables(vocabulary, licence, len(vocabulary.kind))


class LicensedDecoding(LogitsProcessor):
    """One ``Licence`` per row of the batch (or one for all rows)."""

    def __init__(self, tokenizer, licences: list[Licence]):
        self.tokenizer = tokenizer
        self.licences = licences
        self.vocabulary = _vocabulary(tokenizer)
        self.tables = [_tables(tokenizer, licence) for licence in licences]
        self.cut_rows: set[int] = set()  # rows ended mid-word: their text ends in part of a word
        self.end_ids = [i for i in {tokenizer.eos_token_id, tokenizer.convert_tokens_to_ids("<|im_end|>")}
                        if isinstance(i, int) and i != tokenizer.unk_token_id]

    def partial_word(self, history: list[int]) -> str:
        """The letters the text ends with (the word being written), as written."""
        kind, letters = self.vocabulary.kind, self.vocabulary.letters
        parts = []
        for index in reversed(history[-_TAIL_TOKENS:]):
            if index >= len(kind) or kind[index] in (_NO_LETTERS, _NEVER):
                break
            parts.append(letters[index])
            if kind[index] == _STARTS:
                break
        return "".join(reversed(parts))

    def __call__(self, input_ids: torch.LongTensor, scores: torch.FloatTensor) -> torch.FloatTensor:
        for row in range(scores.shape[0]):
            tables = self.tables[row if len(self.tables) > 1 else 0]
            partial = self.partial_word(input_ids[row, -_TAIL_TOKENS:].tolist())
            scores[row].add_(tables.penalty(partial, scores))
            if float(scores[row].amax()) == -float("inf"):
                # Every licensed token is already ruled out (the no-repeat rule, grounded decoding):
                # end the text here. A "." would leave the unfinished word inside the text; an end
                # leaves it last, where ``finish`` cuts it.
                if partial and partial.lower() not in tables.licence.words:
                    self.cut_rows.add(row)
                scores[row, self.end_ids] = 0.0  # a minimum length may have ruled the end out too
        return scores


def licensed_processor(tokenizer, sources: list[tuple[str, list[str]]]) -> LicensedDecoding:
    """A processor for a generation whose rows are licensed by ``[(source text, photo colours)]``."""
    return LicensedDecoding(tokenizer, [licence_for(text, tuple(colours)) for text, colours in sources])


def finish(processor: LicensedDecoding | None, texts: list[str]) -> list[str]:
    """Generated texts with the unfinished word cut from every row the processor had to end."""
    if processor is None or not processor.cut_rows:
        return texts
    return [drop_unfinished_word(t) if row in processor.cut_rows else t for row, t in enumerate(texts)]
