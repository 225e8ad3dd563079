"""A catalog's typos, mended: "rrectangular", "Hieght", "polyster" as English spells them.

Copy that repeats a merchant's typo is copy an editor must fix; copy that "corrects" a brand ("Cocona" to
"Corona") states something false. So a word is mended only where WordNet does not know it and exactly one
English word of 6 letters or more is one keystroke away, and a capitalised word (often a name) only for a
letter doubled, dropped or two swapped, never changed. The claim check counts a mended word as the
merchant's (``engine/scores/claims.py``), as it counts "cup" for "mug".
"""
from __future__ import annotations

import re
from functools import lru_cache

from engine.scores.reference import load_wordnet

_LETTERS = "abcdefghijklmnopqrstuvwxyz"


@lru_cache(maxsize=1)
def _english_words() -> frozenset[str]:
    wn = load_wordnet()
    return frozenset(name for name in wn.all_lemma_names() if len(name) >= 6 and name.isalpha()) if wn else frozenset()


def known(word: str) -> bool:
    """An English word WordNet lists (in any part of speech), rather than a name ("Samsung") or a code."""
    wn = load_wordnet()
    return wn is None or any(wn.morphy(word.lower(), pos) for pos in ("n", "v", "a", "r"))


@lru_cache(maxsize=4096)
def respelled(word: str) -> str:
    """``word`` as English spells it, or ``word`` itself (punctuation around it kept)."""
    core = word.strip(".,;:!?()\"'")
    if len(core) < 6 or not core.isalpha() or not (core.islower() or core[1:].islower()) or known(core):
        return word
    lower = core.lower()
    if any(known(lower[:i]) and known(lower[i:]) for i in range(4, len(lower) - 3)):
        return word  # "Handblock" is hand + block, a compound English writes as one word, not "handlock" misspelt
    splits = [(lower[:i], lower[i:]) for i in range(len(lower) + 1)]
    edits = {a + b[1:] for a, b in splits if b} | {a + b[1] + b[0] + b[2:] for a, b in splits if len(b) > 1} | \
        {a + c + b for a, b in splits for c in _LETTERS}
    found = edits & _english_words()
    if not found and core.islower():  # a letter changed: the likeliest slip after the others
        found = {a + c + b[1:] for a, b in splits if b for c in _LETTERS} & _english_words()
    if len(found) != 1:
        return word
    fixed = found.pop()
    return word.replace(core, fixed.capitalize() if core[:1].isupper() else fixed)


def respellings(text: str) -> list[str]:
    """The mended forms of the words of ``text`` that have one."""
    return [fixed for word in set(re.findall(r"[A-Za-z]{6,}", text)) if (fixed := respelled(word)) != word]
