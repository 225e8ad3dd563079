"""Variants and ad lines read as copy built from the content plan, never as a spec dump: on a
Printland-like mug and three real Flipkart products, no field reads "Key: value", every line is
within its platform's limit, headlines are distinct, two segments differ beyond their hook, and every
field passes the claim check against the merchant's input."""
from __future__ import annotations

import json
import re

import pytest

from conftest import SHARED_DATA

from engine.workflows.adsets import LIMITS, duplicates
from engine.ingest import ingest
from engine.core.product import Product
from engine.scores.claims import claim_report
from engine.workflows.variants import PRESETS, bullet_text, make_variants, product_facts

FLIPKART = SHARED_DATA / "flipkart-train" / "products.jsonl"
FLIPKART_IDS = (
    "4788f5466992da09024b8ffcc8a5cba4",  # Skmei sports digital watch: 27 attributes, no brand field
    "55b85ea15a1536d46b7190ad6fff8ce7",  # Elegance door curtain: a long title, description sentences
    "378d7dbdb97ecc62c9ad52cb6df23a86",  # Checkered Chef kitchen scissor: two materials, three colours
)
MUG = Product(title="Printland Coffee Mug", brand="Printland", category="Kitchen/Mugs", price=299, currency="INR",
              attributes={"Material": "Ceramic", "Mug Capacity": "350 ml", "Weight": "350 g", "Color": "White",
                          "Microwave Safe": "Yes", "Dishwasher Safe": "No", "Sales Package": "1 Mug",
                          "Style Code": "PL-301", "Type": "Mug"})
SEGMENTS = ["students", "parents", "gift buyers", "professionals"]
KEY_VALUE = re.compile(r"\b[A-Z][A-Za-z ]+: \S")


def _flipkart() -> list[Product]:
    if not FLIPKART.exists():
        pytest.skip(f"catalog not found at {FLIPKART}")
    # json.loads over "\n" only: some descriptions hold U+2028, which str.splitlines() would split on
    rows = {}
    for line in FLIPKART.read_text(encoding="utf-8").split("\n"):
        if line.strip():
            row = json.loads(line)
            rows[row["id"]] = row
    return [Product.from_record(rows[i], FLIPKART.parent) for i in FLIPKART_IDS]


@pytest.fixture(scope="module")
def made():
    """[(ingested, [(Variant, AdSet)])] for the mug and the three Flipkart products, made once."""
    out = []
    for product in [MUG] + _flipkart():
        ingested = ingest(product)
        out.append((ingested, make_variants(ingested, SEGMENTS)))
    return out


def _fields(variant, adset) -> dict[str, list[str]]:
    return {"title": [variant.title], "description": [variant.description], "bullets": variant.bullets,
            "google_headlines": adset.google_headlines, "google_descriptions": adset.google_descriptions,
            "meta_headline": [adset.meta_headline], "meta_primary_text": [adset.meta_primary_text],
            "amazon_headline": [adset.amazon_headline]}


def _sentences(text: str) -> list[str]:
    return re.split(r"(?<=[.!?])\s+", text)


def test_no_field_of_any_variant_or_ad_line_reads_as_key_value(made):
    for ingested, pairs in made:
        for variant, adset in pairs:
            for name, lines in _fields(variant, adset).items():
                assert lines and all(lines), (ingested.product.title, variant.segment, name)
                for line in lines:
                    assert not KEY_VALUE.search(line), (ingested.product.title, variant.segment, name, line)


def test_ad_lines_within_their_limits_and_headlines_distinct(made):
    for ingested, pairs in made:
        for variant, adset in pairs:
            assert 3 <= len(adset.google_headlines) <= 15 and 2 <= len(adset.google_descriptions) <= 4
            assert all(len(h) <= LIMITS["google_headline"] for h in adset.google_headlines), adset.google_headlines
            assert all(len(d) <= LIMITS["google_description"] for d in adset.google_descriptions)
            assert len(adset.meta_headline) <= LIMITS["meta_headline"]
            assert len(adset.meta_primary_text) <= LIMITS["meta_primary_text"]
            assert len(adset.amazon_headline) <= LIMITS["amazon_headline"]
            assert len({h.lower() for h in adset.google_headlines}) == len(adset.google_headlines)
            assert duplicates(adset.google_headlines) == [], adset.google_headlines
            assert adset.problems == [], adset.problems


def test_every_field_passes_the_claim_check(made):
    for ingested, pairs in made:
        source = ingested.source_text()
        for variant, adset in pairs:
            assert all(check["ok"] for check in variant.checks.values()), variant.checks
            for name, lines in _fields(variant, adset).items():
                for line in lines:
                    assert claim_report(line, source)["flagged"] == [], (variant.segment, name, line)


def test_students_and_gift_buyers_differ_beyond_their_hook(made):
    for ingested, pairs in made:
        by_segment = {v.segment: v for v, _ in pairs}
        students, gifts = by_segment["students"], by_segment["gift-buyers"]
        assert students.fallbacks == [] and gifts.fallbacks == []
        # after the hook sentence: another lead fact and another framing of it
        assert _sentences(students.description)[1:] != _sentences(gifts.description)[1:]
        assert _sentences(students.description)[1] != _sentences(gifts.description)[1]
        assert students.lead_facts[0] != gifts.lead_facts[0], ingested.product.title
        assert _sentences(students.description)[1].startswith(PRESETS["students"].lead_in + ", ")
        assert _sentences(gifts.description)[1].startswith(PRESETS["gift-buyers"].lead_in + ", ")


def test_mug_variants_read_as_copy_built_from_its_facts(made):
    ingested, pairs = made[0]
    by_segment = {v.segment: (v, a) for v, a in pairs}
    students, ads = by_segment["students"]
    assert students.title == "For students – Printland Coffee Mug"
    assert _sentences(students.description)[0] == "Meet the Printland Coffee Mug, made for students."
    assert "made of ceramic" in students.description and "holds 350 ml" in students.description
    assert students.description.endswith("It is not dishwasher safe.")  # the warning stays, after the pitch
    assert {"Made of ceramic", "Holds 350 ml"} <= set(students.bullets)
    assert "Type" not in students.description and "Mug Capacity" not in students.description
    gifts, gift_ads = by_segment["gift-buyers"]
    assert _sentences(gifts.description)[0] == "Meet the Printland Coffee Mug, a gift idea."
    assert "Microwave Safe Ceramic Mug" in ads.google_headlines + gift_ads.google_headlines
    assert "Ceramic Mug, Holds 350 ml" in ads.google_headlines
    assert ads.meta_headline == "For students – Printland Coffee Mug"
    parents, parent_ads = by_segment["parents"]
    # "Dishwasher safe: No" matches the parents' "safe", but a "no" never leads and is never a headline
    assert parents.lead_facts[0] != "Dishwasher Safe: No"
    assert not any("dishwasher" in h.lower() for _, a in pairs for h in a.google_headlines)


def test_bullets_are_short_phrases_of_the_facts():
    facts = {f.text: f for f in product_facts(ingest(MUG))}
    assert bullet_text(facts["Material: Ceramic"]) == "Made of ceramic"
    assert bullet_text(facts["Mug Capacity: 350 ml"]) == "Holds 350 ml"
    assert bullet_text(facts["Microwave Safe: Yes"]) == "Microwave safe"
    assert bullet_text(facts["Dishwasher Safe: No"]) == "Not dishwasher safe"
    assert bullet_text(facts["Color: White"]) == "Comes in white"
    assert "Style Code: PL-301" not in facts and "Type: Mug" not in facts  # ids and the type are no selling point
