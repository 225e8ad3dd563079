"""Hard checks on a written field, and the fixes that need no second try.

A small LM misspells names it has just read ("Tantan" for "Titan"), drops the brand from a title and
now and then invents a name. Names are fixed deterministically (the input says how they are spelled);
everything else the claim check flags makes the field fail, so the writer tries another candidate or
seed (``engine.copywriting.rerank``) and, when every try fails, shows the best one with its problems
marked in red.
"""
from __future__ import annotations

import re

from engine.scores.claims import repair_names

# Attributes that name the product line, kept verbatim in a title like the brand.
LINE_KEYS = ("product line", "line")


def product_names(ingested) -> list[str]:
    """The brand and product line as the merchant wrote them."""
    names = [ingested.product.brand.strip()]
    names += [v.strip() for k, v in ingested.attributes.items() if k.lower().replace("_", " ") in LINE_KEYS]
    return [n for n in dict.fromkeys(names) if n]


def _name_pattern(name: str) -> re.Pattern:
    """The name, in any case, with any punctuation or spacing between its words: "Burt s Bees" also
    matches "Burt's Bees" and "burt's bees"."""
    words = [re.escape(w) for w in re.findall(r"[^\W_]+", name)]
    return re.compile(r"(?<!\w)" + r"[\W_]*".join(words) + r"(?!\w)", re.I)


def _contains(text: str, name: str) -> bool:
    return _name_pattern(name).search(text) is not None


def finish(kind: str, text: str, ingested, limit: int | None = None) -> str:
    """Names spelled as the input spells them; a title that lost the brand or product line gets it back
    in front (catalog titles lead with the brand)."""
    source = ingested.source_text()
    text = repair_names(text, source)
    for name in product_names(ingested):  # "TITAN" or "titan" for "Titan": as given
        text = _name_pattern(name).sub(lambda m: name, text)
    if kind == "title" and text:
        missing = [name for name in product_names(ingested) if not _contains(text, name)]
        if missing:
            text = " ".join([*missing, text])
        if limit and len(text) > limit:
            from engine.copywriting.copy import cut_at_word

            text = cut_at_word(text, limit)
    return text


def drop_unknown_names(title: str, flagged: list[dict]) -> str:
    """A title never carries a name the input does not have: the last resort when every try invented one."""
    for flag in sorted(flagged, key=lambda f: -f["start"]):
        if flag["kind"] in ("unknown name", "misspelt name") and flag["start"] >= 0:
            title = title[:flag["start"]] + title[flag["end"]:]
    return re.sub(r"\s{2,}", " ", title).strip(" -,")


def drop_flagged_sentences(text: str, flagged: list[dict]) -> str:
    """The description without the sentences that hold a flagged claim, when at least one sentence is
    left; else the text as it was (shown with its problems marked)."""
    from engine.copywriting.copy import SENTENCE_END

    kept, position = [], 0
    for sentence in SENTENCE_END.split(text):
        start = text.find(sentence, position)
        end = start + len(sentence)
        position = end
        if not any(start <= f["start"] < end for f in flagged):
            kept.append(sentence)
    return " ".join(kept) if kept else text
