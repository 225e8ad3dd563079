"""What is left after the checks, measured: invented nouns and words, the product named, names said twice.

A filter is no evidence that what it leaves is good, so an evaluation measures the copy itself:
- unsupported nouns: words WordNet uses mostly as nouns that are in neither the input (in any inflection)
  nor common catalog copy (``catalog_words()["generic"]``: "gift", "design", "home"). "seaweed",
  "arthritis", "voltage" count; "mug" for a mug does not;
- made-up words: words that are neither in the input nor English (WordNet, the catalogs' everyday words);
- the product named: the description says the brand, the product line or the product type (one of its
  words), so a shopper reading it alone knows what it is about;
- a name written twice: the brand or product line more than once in a title ("OMSORG OMSORG Shoehorn").
"""
from __future__ import annotations

import re

_WORD = re.compile(r"[A-Za-z]+(?:['’][A-Za-z]+)?")


def _input_words(source_text: str) -> frozenset[str]:
    from engine.scores.claims import input_facts

    return input_facts(source_text).words


def unsupported_nouns(text: str, source_text: str) -> list[str]:
    from engine.scores.claims import noun_share, stop_words, catalog_words, lemmas

    words = _input_words(source_text)
    _, generic = catalog_words()
    found = []
    for match in _WORD.finditer(text):
        word = match.group(0).lower().split("'")[0].split("’")[0]
        if len(word) < 3 or word in stop_words() or lemmas(word) & words or lemmas(word) & generic:
            continue
        if noun_share(word) >= 0.5:
            found.append(word)
    return found


def made_up_words(text: str, source_text: str) -> list[str]:
    """Words neither English nor the input's. A code with digits ("26512PPGN") counts as one word, found
    in the input or not, so "PPGN" is not a word of its own."""
    from engine.scores.claims import is_english, lemmas

    words, lowered = _input_words(source_text), source_text.lower()
    out = []
    for token in text.split():
        token = token.strip(".,;:!?()[]\"'“”")
        if any(c.isdigit() for c in token):
            if token.lower() not in lowered:
                out += [p for p in re.findall(r"[A-Za-z]{3,}", token) if not is_english(p) and not lemmas(p) & words]
            continue
        out += [m.group(0) for m in _WORD.finditer(token) if not (lemmas(m.group(0)) & words) and not is_english(m.group(0))]
    return out


def product_named(text: str, ingested) -> bool:
    from engine.copywriting.plan import plan_content

    plan = plan_content(ingested)
    lowered = text.lower()
    names = [n for n in (plan.brand, plan.line, plan.name) if n]
    if any(n.lower() in lowered for n in names):
        return True
    kind = [w for w in re.findall(r"[a-z]+", plan.product_type) if len(w) > 2]
    title_head = [w for w in re.findall(r"[a-z]+", (ingested.product.title or "").lower()) if len(w) > 3][-1:]
    return any(re.search(rf"\b{re.escape(w)}", lowered) for w in kind + title_head)


def name_twice(title: str, ingested) -> bool:
    from engine.copywriting.checks import product_names

    return any(len(re.findall(rf"(?<!\w){re.escape(n)}(?!\w)", title, re.I)) > 1 for n in product_names(ingested))


def measures(task: str, text: str, ingested) -> dict:
    source = ingested.source_text()
    out = {"unsupported_nouns": unsupported_nouns(text, source), "made_up_words": made_up_words(text, source)}
    if task == "description":
        out["product_named"] = product_named(text, ingested)
    if task == "title":
        out["name_twice"] = name_twice(text, ingested)
    return out
