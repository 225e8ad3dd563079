"""SEO keywords: phrases taken from the product's own text and the generated copy, ranked by
MiniLM similarity to the whole product (KeyBERT's idea) with MMR for variety.

Extraction rather than generation: a keyword that does not occur in the text is a guess.
"""
from __future__ import annotations

import re

import torch

from engine.encoders.text import encode_texts

_STOP = set("""a an and are as at be but by for from has have in is it its of on or our that the this
to with you your will can all any more most very just so than into over under up out not no new
buy only genuine products free shipping cash delivery specifications features key""".split())
_WORD = re.compile(r"[a-z0-9][a-z0-9'\-]*")


def candidate_phrases(text: str, longest: int = 3, most: int = 150) -> list[str]:
    """Phrases without stop words at their ends, most frequent first (ties: first seen first)."""
    words = _WORD.findall(text.lower())
    phrases: dict[str, int] = {}
    for n in range(1, longest + 1):
        for i in range(len(words) - n + 1):
            gram = words[i : i + n]
            if gram[0] in _STOP or gram[-1] in _STOP or any(len(w) < 2 for w in gram):
                continue
            if n == 1 and (gram[0].isdigit() or len(gram[0]) < 4):
                continue
            phrase = " ".join(gram)
            phrases[phrase] = phrases.get(phrase, 0) + 1
    return sorted(phrases, key=lambda p: -phrases[p])[:most]


def extract_keywords(text: str, top: int = 8, diversity: float = 0.5, device: str = "auto") -> list[str]:
    candidates = candidate_phrases(text)
    if not candidates:
        return []
    document = encode_texts([text], device)[0]
    vectors = encode_texts(candidates, device)
    relevance = vectors @ document
    chosen: list[int] = []
    while len(chosen) < min(top, len(candidates)):
        if chosen:
            redundancy = (vectors @ vectors[chosen].T).max(1).values
            mmr = (1 - diversity) * relevance - diversity * redundancy
        else:
            mmr = relevance.clone()
        mmr[chosen] = -torch.inf
        chosen.append(int(mmr.argmax()))
    return [candidates[i] for i in chosen]
