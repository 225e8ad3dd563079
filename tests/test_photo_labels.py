"""What the photo shows, honestly: ImageNet labels from the image encoder's own head, offered as
suggestions; a photo alone (or a category) is too little to write copy from; a confirmed label
(an attribute ``Product type``) is a fact the copy can be written from.

Real model, real catalog photos (../shared/data/flipkart-train).
"""
from __future__ import annotations

import json
import re

import pytest

from conftest import SHARED_DATA
from engine.encoders.photo_labels import CONFIDENT, enough_to_write, photo_labels
from engine.core.product import Product
from engine.core.settings import Settings

IMAGES = SHARED_DATA / "flipkart-train" / "images"
TOWEL = IMAGES / "d0fee79693c7dc3132d30491323b6407.jpg"  # "Shrikant Traders Cotton Bath Towel"
WATCH = IMAGES / "dd0e3470a7e6ed76fd69c2da27721041.jpg"  # "T STAR UFT-TSW-005-BK-BR Analog Watch"
TOO_LITTLE = "Add a title or a few facts (what it is, brand, material, size) before copy can be written"

pytestmark = pytest.mark.skipif(not TOWEL.exists(), reason=f"catalog photos not found at {IMAGES}")


def test_bath_towel_photo_is_labelled_bath_towel(studio):
    from engine.encoders.image import encode_images, load_image_encoder

    product = Product(images=[str(TOWEL)])
    encode_images([studio.ingest(product).photos[0].image], studio.device)  # the encoder, loaded
    loads = load_image_encoder.cache_info().misses
    suggestions = studio.photo_suggestions(product)
    assert load_image_encoder.cache_info().misses == loads  # the same model, no second load
    assert suggestions[0]["label"] == "bath towel"
    assert suggestions[0]["confidence"] >= CONFIDENT and suggestions[0]["confidence"] > 0.6  # measured 0.77
    assert suggestions[0]["photo"] == TOWEL.name
    labels = [s for s in suggestions if s["attribute"] == "Product type"]
    assert all(s["confidence"] >= CONFIDENT for s in labels)
    colours = [s for s in suggestions if s["attribute"] == "Colour"]  # measured, offered to confirm too
    assert len(colours) == 1 and colours[0]["confidence"] is None and colours[0]["label"]


def test_labels_are_imagenet_names_and_cached_by_content(studio, monkeypatch):
    from PIL import Image

    import engine.encoders.image as image_encoder

    watch = Image.open(WATCH).convert("RGB")
    first = photo_labels([watch], studio.device)[0]
    assert first[0][0] == "analog clock" and first[0][1] >= CONFIDENT  # a near-miss for a wrist watch
    assert len(first) <= 2  # a softmax lets at most two classes pass 0.4

    def no_model(*args, **kwargs):
        raise AssertionError("the same pixels went through the model twice")

    monkeypatch.setattr(image_encoder, "classify_images", no_model)
    assert photo_labels([watch.copy()], studio.device)[0] == first  # another object, same pixels: cached
    assert photo_labels([watch], studio.device, threshold=0.0, top=3)[0][0] == first[0]


@pytest.mark.parametrize("fields, enough", [
    ({}, False),                                                  # a photo only
    ({"category": "Home Furnishing > Bath Linen"}, False),        # a shelf, not the product
    ({"brand": "Shrikant Traders"}, False),
    ({"brand": "Shrikant Traders", "category": "Bath Linen"}, False),
    ({"title": "Cotton bath towel"}, True),
    ({"description": "Soft and thick, dries fast."}, True),
    ({"description": "Material: cotton"}, True),                  # read as an attribute line
    ({"bullets": ["Dries fast"]}, True),
    ({"attributes": {"Product type": "bath towel"}}, True),       # a confirmed photo label
])
def test_enough_to_write(studio, fields, enough):
    assert enough_to_write(studio.ingest(Product(images=[str(TOWEL)], **fields))) is enough


@pytest.mark.parametrize("method", ["template", "none"])
def test_photo_only_writes_nothing_and_says_what_is_missing(studio, method):
    result = studio.generate(Product(images=[str(TOWEL)]), Settings(fusion=method))
    assert (result.copy.title, result.copy.description, result.copy.bullets, result.copy.keywords) == ("", "", [], [])
    message = result.warnings[0]
    assert TOO_LITTLE in message
    assert re.search(r"the photo looks like: bath towel \(0\.\d\d\), use it\?", message)
    assert result.photo_colours  # the photo was still read: ad images and video stay possible


def test_category_alone_is_too_little(studio):
    result = studio.generate(Product(images=[str(WATCH)], category="Watches > Wrist Watches"),
                             Settings(fusion="template"))
    assert result.copy.title == "" and result.copy.bullets == []
    assert result.warnings[0].startswith("A category alone is too little")
    assert "analog clock (0.86)" in result.warnings[0]


def test_photo_only_still_makes_ad_images(studio):
    product = Product(images=[str(TOWEL)])
    result = studio.generate(product, Settings(fusion="template"))
    creatives = studio.images(product, result.copy, result.settings, sizes=("1x1",))
    assert [c.size for c in creatives] == ["1x1"]


def test_confirmed_label_lets_template_copy_be_written(studio):
    result = studio.generate(Product(images=[str(TOWEL)], attributes={"Product type": "bath towel"}),
                             Settings(fusion="template"))
    assert "bath towel" in result.copy.title.lower()
    assert not any(TOO_LITTLE in w for w in result.warnings)
    grounding = {s.name: s.value for s in result.scores["title"]}["grounding"]
    assert grounding == 1.0  # the confirmed attribute is part of the grounding source


@pytest.mark.slow  # loads the language model
def test_confirmed_label_lets_the_language_model_write(studio):
    settings = Settings(fusion="none", max_new_tokens=40, description_length="short", seed=3)
    result = studio.generate(Product(images=[str(TOWEL)], attributes={"Product type": "bath towel"}), settings)
    assert result.copy.title.strip() and result.copy.description.strip()
    assert not any(TOO_LITTLE in w for w in result.warnings)


def test_cli_suggest(tmp_path, capsys):
    from engine.cli import main

    path = tmp_path / "photo-only.json"
    path.write_text(json.dumps({"images": [str(TOWEL)]}))
    assert main(["--device", "cpu", "suggest", str(path)]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines[0] == f"Product type\tbath towel (0.77)\t{TOWEL.name}"
    assert lines[1].startswith("Colour\tcolour ") and lines[1].endswith(f"(measured)\t{TOWEL.name}")
    assert main(["--device", "cpu", "suggest", "--json", str(path)]) == 0
    assert json.loads(capsys.readouterr().out)[0]["label"] == "bath towel"


def test_ui_confirming_adds_one_editable_row():
    from studio.create_tab import PRODUCT_TYPE, add_attribute, open_suggestions

    seen = [{"label": "bath towel", "confidence": 0.77, "photo": "towel.jpg"}]
    empty = [["", ""], ["", ""], ["", ""]]
    rows = add_attribute(empty, PRODUCT_TYPE, "bath towel")
    assert rows[0] == ["Product type", "bath towel"] and rows[1:] == empty[1:]
    assert open_suggestions(seen, rows) == []  # confirmed: the suggestion goes away
    assert open_suggestions(seen, [["Product type", ""]]) == seen  # the row removed: it comes back
    assert add_attribute([["Product type", "quilt"]], PRODUCT_TYPE, "bath towel") == [["Product type", "bath towel"]]
    assert add_attribute([["material", "cotton"]], PRODUCT_TYPE, "bath towel")[-1] == ["Product type", "bath towel"]
