"""Exports read back with the standard library: Shopify CSV via csv, JSONL via json, zip via zipfile."""
from __future__ import annotations

import csv
import json
import zipfile

import pytest
from PIL import Image

from engine.workflows.export import (REVIEW_COLUMNS, SHOPIFY_COLUMNS, body_html, export_all, flagged_claims, jsonl,
                           media_zip, review_path, row_from_result, shopify_csv, slugify)
from engine.storage.metadata import read_settings, save_png
from engine.core.settings import Settings


def rows_for_test(tmp_path):
    a = tmp_path / "a"
    b = tmp_path / "b"
    a.mkdir()
    b.mkdir()
    # Two products whose generated files share a name: the export must keep both.
    square_a = save_png(Image.new("RGB", (16, 16), "red"), a / "square.png", Settings(seed=1))
    square_b = save_png(Image.new("RGB", (16, 16), "blue"), b / "square.png", Settings(seed=2))
    story_a = save_png(Image.new("RGB", (9, 16), "red"), a / "story.png", Settings(seed=1))
    return [
        {"id": "MH01", "title": "Chaz Hoodie — Wool & Fleece", "description": 'Warm "winter" hoodie, <b>cosy</b> & soft.',
         "bullets": ["Drawstring <hood>", "Machine wash, 30°C"], "keywords": ["wool hoodie", "warm, soft"],
         "product": {"title": "Chaz hoodie", "description": "Warm and soft wool fleece.", "brand": "Luma",
                     "category": "Men/Tops/Hoodies", "price": 52.0, "images": ["/x/mh01.jpg"]},
         "media": [str(square_a), str(story_a)]},
        {"id": "MH02", "title": "Chaz Hoodie — Wool & Fleece", "description": "Second with the same title.",
         "bullets": [], "keywords": [], "product": {"brand": "", "category": "Home > Curtains", "price": None,
                                                     "images": ["https://cdn.example/p.jpg"]},
         "media": [str(square_b)]},
        {"id": "Ünïcode 3", "title": "", "description": "", "bullets": ["Only a bullet"], "keywords": [],
         "product": {"images": ["photos/local.jpg"]}},
    ]


def read_csv(path):
    with open(path, encoding="utf-8", newline="") as handle:
        reader = csv.DictReader(handle)
        return reader.fieldnames, list(reader)


def test_shopify_csv_reads_back(tmp_path):
    rows = rows_for_test(tmp_path)
    path = shopify_csv(rows, tmp_path / "shopify.csv", vendor="Fallback Co")
    header, lines = read_csv(path)
    assert tuple(header) == SHOPIFY_COLUMNS
    products = [line for line in lines if line["Title"] or line["Body (HTML)"] or line["Variant SKU"]]
    assert [p["Variant SKU"] for p in products] == ["MH01", "MH02", "Ünïcode 3"]
    first, second, third = products
    assert first["Handle"] == "chaz-hoodie-wool-fleece" and second["Handle"] == "chaz-hoodie-wool-fleece-2"
    assert third["Handle"] == "unicode-3"  # no title: the id, slugified
    assert first["Title"] == "Chaz Hoodie — Wool & Fleece"
    assert first["Body (HTML)"] == ('<p>Warm &quot;winter&quot; hoodie, &lt;b&gt;cosy&lt;/b&gt; &amp; soft.</p>'
                                    '<ul><li>Drawstring &lt;hood&gt;</li><li>Machine wash, 30°C</li></ul>')
    assert first["Vendor"] == "Luma" and second["Vendor"] == "Fallback Co"
    assert first["Type"] == "Hoodies" and second["Type"] == "Curtains"
    assert first["Tags"] == "wool hoodie, warm soft, Men, Tops, Hoodies, Luma"
    assert first["Variant Price"] == "52.00" and second["Variant Price"] == ""
    assert first["Published"] == "FALSE" and first["Status"] == "draft"
    assert first["SEO Title"] == first["Title"] and first["SEO Description"].startswith("Warm")
    # Generated images replace the source photo, named as they are in the zip.
    assert first["Image Src"] == "chaz-hoodie-wool-fleece-square.png" and first["Image Position"] == "1"
    extra = [line for line in lines if line["Handle"] == first["Handle"] and not line["Title"]]
    assert [(e["Image Src"], e["Image Position"]) for e in extra] == [("chaz-hoodie-wool-fleece-story.png", "2")]
    assert second["Image Src"] == "chaz-hoodie-wool-fleece-2-square.png"
    assert third["Image Src"] == "local.jpg"
    assert len({p["Handle"] for p in products}) == 3


def test_image_base_url_and_publish(tmp_path):
    rows = rows_for_test(tmp_path)[1:]
    rows[0]["media"] = []
    _, lines = read_csv(shopify_csv(rows, tmp_path / "s.csv", image_base_url="https://cdn.shop/files/",
                                    publish=True))
    assert lines[0]["Image Src"] == "https://cdn.example/p.jpg"  # already a URL: kept
    assert lines[1]["Image Src"] == "https://cdn.shop/files/local.jpg"
    assert lines[0]["Published"] == "TRUE" and lines[0]["Status"] == "active"


def test_jsonl_and_zip_round_trip(tmp_path):
    rows = rows_for_test(tmp_path)
    back = [json.loads(l) for l in jsonl(rows, tmp_path / "p.jsonl").read_text(encoding="utf-8").splitlines()]
    assert back == rows
    files = export_all(rows, tmp_path / "export")
    with zipfile.ZipFile(files["zip"]) as archive:
        names = sorted(archive.namelist())
        assert names == ["chaz-hoodie-wool-fleece-2-square.png", "chaz-hoodie-wool-fleece-square.png",
                         "chaz-hoodie-wool-fleece-story.png"]
        archive.extractall(tmp_path / "unzipped")
    # The files keep their embedded settings through the zip.
    assert read_settings(tmp_path / "unzipped" / "chaz-hoodie-wool-fleece-2-square.png")["seed"] == 2
    _, lines = read_csv(files["shopify"])
    assert {l["Image Src"] for l in lines} >= set(names)


def test_media_zip_dedupes_names_and_names_missing_files(tmp_path):
    rows = rows_for_test(tmp_path)
    media = [rows[0]["media"][0], rows[1]["media"][0]]  # both called square.png
    with zipfile.ZipFile(media_zip(media, tmp_path / "m.zip")) as archive:
        assert archive.namelist() == ["square.png", "square-2.png"]
    with pytest.raises(FileNotFoundError, match="gone.png"):
        media_zip([tmp_path / "gone.png"], tmp_path / "bad.zip")


def test_export_from_a_real_result(tmp_path, studio, sample_product):
    result = studio.generate(sample_product, Settings(fusion="template"))
    _, lines = read_csv(shopify_csv([result], tmp_path / "one.csv"))
    assert lines[0]["Title"] == result.copy.title
    assert lines[0]["Handle"] == slugify(result.copy.title)
    assert lines[0]["Body (HTML)"] == body_html(result.copy.description, result.copy.bullets)
    assert lines[0]["Vendor"] == (sample_product.brand or "")
    assert row_from_result(result)["settings"]["fusion"] == "template"


def test_variant_sku_is_the_given_id_or_sku_never_a_generated_line_number(tmp_path):
    """Issue 14.4: SKUs came out as line-1, line-2 ... for a JSONL without ids."""
    from engine.inputs.catalog import read_catalog

    catalog = tmp_path / "no-ids.jsonl"
    catalog.write_text("\n".join(json.dumps(r) for r in (
        {"title": "Linen tea towel", "description": "Natural linen."},
        {"title": "Oak board", "description": "Solid oak.", "attributes": {"SKU": "OAK-200"}},
        {"id": "MUG-7", "title": "Stoneware mug"},
    )) + "\n", encoding="utf-8")
    csv_catalog = tmp_path / "no-ids.csv"
    csv_catalog.write_text("title,description\nWool blanket,Merino wool\n", encoding="utf-8")
    products = read_catalog(catalog) + read_catalog(csv_catalog)
    rows = [{"id": p.id, "title": p.title, "description": p.description, "product": p.model_dump()} for p in products]
    _, lines = read_csv(shopify_csv(rows, tmp_path / "s.csv"))
    assert [(line["Handle"], line["Variant SKU"]) for line in lines] == [
        ("linen-tea-towel", "linen-tea-towel"), ("oak-board", "OAK-200"), ("stoneware-mug", "MUG-7"),
        ("wool-blanket", "wool-blanket")]


def test_tags_are_clean_product_keywords_category_terms_and_brand(tmp_path):
    """Issue 14.4: Tags held 'i'll keep', 'sure house', 'bulb white price'."""
    junk = ["i'll keep", "sure house", "bulb white price", "the lamp", "buy now", "led bulb", "warm white",
            "LED Bulb", "bulbs", "a very long phrase of many words", "lamp you"]
    row = {"id": "B1", "title": "Warm white LED bulb", "description": "",
           "keywords": junk + ["bulb 9", "i’ll", "lamp", "house", "white led", "house lamp", "led lamp", "white lamp",
                               "warm bulb", "lamp bulb", "white", "warm", "bulb", "led"],
           "product": {"title": "LED bulb", "description": "A warm white LED bulb for the house lamp, 9 W.",
                       "category": "Home > Lighting > Bulbs", "brand": "Lumo"}}
    _, [line] = read_csv(shopify_csv([row], tmp_path / "t.csv"))
    tags = line["Tags"].split(", ")
    assert tags[:3] == ["led bulb", "warm white", "bulbs"]
    assert tags[-3:] == ["Home", "Lighting", "Lumo"]  # "Bulbs" is already there as "bulbs"
    for bad in ("i'll keep", "sure house", "bulb white price", "the lamp", "buy now", "lamp you", "LED Bulb",
                "bulb 9", "i’ll"):
        assert bad not in tags
    assert len(tags) == 13 and len({t.lower() for t in tags}) == len(tags)  # many keywords: still room for the rest


def flagged_rows() -> list[dict]:
    """A clean product, one with a flagged claim in its description (a results line's verdicts), one
    from the history (full scores), and one from a results line written before lines held verdicts."""
    product = {"title": "Steel bottle", "description": "Steel, 750 ml", "price": 12.0}
    clean = {"display": "2/2 in input", "good": True, "share": 1.0, "flagged": []}
    return [
        {"id": "OK1", "title": "Steel bottle", "description": "A 750 ml steel bottle.", "product": product,
         "claims": {"title": clean, "description": clean}},
        {"id": "BAD1", "title": "Steel bottle", "description": "A 900 ml steel bottle.", "product": product,
         "claims": {"title": clean, "description": {
             "display": "1 flagged", "good": False, "share": 0.5,
             "flagged": [{"kind": "number", "text": "900 ml", "reason": "\"900 ml\" is not in your input"}]}}},
        {"id": "HIST", "title": "Red steel bottle", "description": "", "product": product,
         "scores": {"title": [{"name": "bleu", "value": 0.2},
                              {"name": "grounding", "value": 0.5, "details": {"flagged": [
                                  {"kind": "colour", "text": "Red", "reason": "\"Red\" is not in your input"}]}}]}},
        {"id": "OLD", "title": "Steel bottle", "description": "A 2 l bottle.", "product": product,
         "scores": {"title": {"grounding": 1.0}, "description": {"grounding": 0.0}}},
    ]


def test_flagged_claims_from_every_kind_of_row():
    ok, bad, history, old = flagged_rows()
    assert flagged_claims(ok) == {}
    assert flagged_claims(bad) == {"description": [{"text": "900 ml", "reason": '"900 ml" is not in your input'}]}
    assert flagged_claims(history) == {"title": [{"text": "Red", "reason": '"Red" is not in your input'}]}
    [claim] = flagged_claims(old)["description"]
    assert "0% of its claims are in the input" in claim["reason"] and list(flagged_claims(old)) == ["description"]


def test_a_flagged_product_is_never_published_silently(tmp_path):
    """Issue: batch copy with a flagged claim went out as "active". Now it is a draft, and the review
    file beside the CSV says which claim and why; the clean product is published as asked."""
    rows = flagged_rows()
    path = shopify_csv(rows, tmp_path / "products_shopify.csv", publish=True)
    header, lines = read_csv(path)
    assert tuple(header) == SHOPIFY_COLUMNS  # Shopify's template, nothing added
    status = {line["Variant SKU"]: (line["Status"], line["Published"]) for line in lines}
    assert status == {"OK1": ("active", "TRUE"), "BAD1": ("draft", "FALSE"), "HIST": ("draft", "FALSE"),
                      "OLD": ("draft", "FALSE")}
    review_header, review = read_csv(review_path(path))
    assert review_path(path).name == "products_shopify_review.csv" and tuple(review_header) == REVIEW_COLUMNS
    assert [(r["Variant SKU"], r["Field"], r["Flagged"]) for r in review] == [
        ("BAD1", "description", "900 ml"), ("HIST", "title", "Red"), ("OLD", "description", "")]
    assert review[0]["Reason"] == '"900 ml" is not in your input' and review[0]["Handle"] == lines[1]["Handle"]

    files = export_all(rows, tmp_path / "all", publish=True)
    assert files["review"] == review_path(files["shopify"])
    # Exported again with nothing flagged, the folder holds no review file of the earlier export.
    shopify_csv(rows[:1], path, publish=True)
    assert not review_path(path).exists()
    assert "review" not in export_all(rows[:1], tmp_path / "all")
