"""SEO keywords: whole noun phrases of the text, never fragments or things the merchant denied.

Real models (the studio's MiniLM through KeyBERT, YAKE, WordNet), on CPU; a few seconds in all.
"""
from __future__ import annotations

import re

import pytest

from engine.copywriting.keywords import STOP_WORDS, extract_keywords, negated_phrases, phrase_chunks

from conftest import SHARED_DATA

# Copy as the language model wrote it (with the fragments users saw), then the merchant's input.
WATCH = """Titan Neo Analog Watch for Men
Designed for men the Titan Neo is durable the timepiece for every day. A stainless steel case and a mineral glass dial; bullets to list the details.
Titan watches for men: analog watch with date display.
Water resistant to 50 m
Titan Neo Analog Watch for Men
Titan Neo men's analog watch with a black leather strap, stainless steel case and mineral glass dial. Water resistant to 50 metres.
Watches > Men's Watches
Titan
brand: Titan
strap material: Leather
dial colour: Black
display type: Analog
water resistant: Yes
price: 4995 INR"""

MUG = """Stoneware Coffee Mug, 350 ml
This microwave safe ceramic mug keeps your coffee hot, with a sturdy handle and a glossy glaze.
Microwave safe stoneware coffee mug
Stoneware Coffee Mug
Handmade stoneware coffee mug with a glossy glaze. Not for microwave. Hand wash recommended.
Kitchen > Mugs
Clayworks
brand: Clayworks
material: Stoneware
capacity: 350 ml
microwave safe: No
dishwasher safe: Yes"""


# Checked besides the module's own STOP_WORDS, so a shrunken list cannot pass the test.
FUNCTION_WORDS = set("a an the this that for to of and or with in on at by from is are be it its your you our "
                     "not no".split())


def occurs(keyword: str, text: str) -> bool:
    """The keyword as one phrase of the text: whole words, separated by spaces only."""
    words = r"[ \t]+".join(map(re.escape, keyword.split()))
    pattern = r"(?<![\w-])(?<!\w['’])" + words + r"(?![\w-]|['’]\w)"
    return re.search(pattern, text, re.IGNORECASE) is not None


def singular(word: str) -> str:
    if word.endswith(("ches", "shes", "xes", "sses")):
        return word[:-2]
    return word[:-1] if word.endswith("s") and not word.endswith("ss") else word


def assert_clean(keywords: list[str], text: str) -> None:
    assert keywords, "no keywords"
    for keyword in keywords:
        assert keyword == keyword.lower() and keyword.strip() == keyword, keyword
        assert not set(keyword.split()) & (STOP_WORDS | FUNCTION_WORDS), f"{keyword!r} spans a stop word"
        assert occurs(keyword, text), f"{keyword!r} is not one phrase of the text"
    assert len(set(keywords)) == len(keywords), keywords
    folded = [" ".join(singular(w) for w in k.split()) for k in keywords]
    assert len(set(folded)) == len(folded), f"plural/singular twins in {keywords}"


@pytest.fixture(scope="module")
def watch_keywords() -> list[str]:
    return extract_keywords(WATCH, device="cpu")


def test_watch_keywords_are_whole_phrases(watch_keywords):
    assert_clean(watch_keywords, WATCH)
    assert len(watch_keywords) == 8
    for fragment in ("men the titan", "durable the timepiece", "bullets to list", "timepiece for every"):
        assert fragment not in watch_keywords
    # The product itself is among the keywords, and the attribute names are not.
    assert any("watch" in k for k in watch_keywords), watch_keywords
    assert not {"strap material", "display type", "dial colour", "price", "brand"} & set(watch_keywords)


def test_same_text_same_keywords(watch_keywords):
    assert extract_keywords(WATCH, device="cpu") == watch_keywords


def test_top_and_empty_text():
    assert len(extract_keywords(WATCH, top=3, device="cpu")) == 3
    assert extract_keywords("", device="cpu") == []
    assert extract_keywords("the and of, to: for", device="cpu") == []


def test_mug_negated_in_the_notes_is_no_keyword():
    keywords = extract_keywords(MUG, top=10, device="cpu")
    assert_clean(keywords, MUG)
    assert not [k for k in keywords if "microwave" in k], keywords
    assert "safe ceramic mug" not in keywords  # nor the rest of "microwave safe ceramic mug"
    assert any("mug" in k for k in keywords), keywords
    assert "dishwasher safe" in keywords  # "dishwasher safe: Yes" is a feature, not a field name


def test_exclude_drops_what_the_text_does_not_negate():
    copy = ("Ceramic Coffee Mug\nMicrowave safe and dishwasher safe ceramic mug for coffee and tea.\n"
            "Microwave safe\nmaterial: Ceramic")
    assert "microwave safe" in extract_keywords(copy, device="cpu")
    keywords = extract_keywords(copy, device="cpu", exclude=["Microwave"])
    assert_clean(keywords, copy)
    assert not [k for k in keywords if "microwave" in k or "safe" == k], keywords


def test_negations_found():
    text = ("Not for microwave. Do not tumble dry, without lid.\nNot only stylish but durable.\n"
            "Not dishwasher or oven safe\nWithout compromising comfort\nwater resistant: No\neco: Yes")
    negated = negated_phrases(text)
    for phrase in [("microwave",), ("tumble", "dry"), ("lid",), ("dishwasher",), ("oven",),
                   ("water", "resistant")]:
        assert phrase in negated, phrase
    assert not [p for p in negated if {"stylish", "comfort", "compromising", "eco"} & set(p)], negated


def test_chunks_stop_at_boundaries():
    chunks = phrase_chunks("Men's watches/clocks for men the Titan way\nDesigned For Door Type Eyelet",
                           labels={("type",): "eyelet"})
    assert ("men's", "watches") in chunks and ("clocks",) in chunks and ("titan", "way") in chunks
    assert ("door",) in chunks and ("type",) in chunks and ("eyelet",) in chunks  # a label is a boundary
    assert not [c for c in chunks if "men" in c and "titan" in c]


def _real_products(count: int = 6) -> list[str]:
    """Copy-less pipeline text (``Ingested.source_text``) of the first products of each catalog."""
    from engine.inputs.catalog import read_catalog
    from engine.ingest import ingest

    texts = []
    for name in ("luma", "flipkart-train"):
        path = SHARED_DATA / name / "products.jsonl"
        if path.exists():
            texts += [ingest(p.model_copy(update={"images": [], "videos": []})).source_text()
                      for p in read_catalog(path, count)]
    return texts


def test_real_catalog_products_give_clean_keywords():
    texts = _real_products()
    if not texts:
        pytest.skip(f"no catalogs under {SHARED_DATA}")
    for text in texts:
        assert_clean(extract_keywords(text, device="cpu"), text)
