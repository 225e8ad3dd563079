"""Ad creatives: real U2-Netp cut-outs of shipped sample photos, every size x style x layout."""
from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from engine.core.errors import StudioError
from engine.creatives.backgrounds import list_backgrounds, resolve_palette
from engine.creatives.cutout import cut_out
from engine.creatives.images import SIZES, make_creatives, render
from engine.creatives.layouts import MIN_CONTRAST, list_layouts, worst_contrast
from engine.core.settings import Settings

ASSETS = Path(__file__).resolve().parents[1] / "assets"
SAMPLES = ["luma-yoga-brick", "mb01-blue-0", "mb02-gray-0"]
LONG_TITLE = ("Sprite Foam Yoga Brick with Extra-Dense Non-Slip Surface for Stability, Balance and "
              "Deeper Stretches in Every Pose, Supercalifragilisticexpialidociouslylongword Edition")


def photo(name: str) -> Image.Image:
    return Image.open(ASSETS / "samples" / "photos" / f"{name}.jpg").convert("RGB")


@pytest.fixture(scope="module")
def cutouts():
    return {name: cut_out(photo(name), name) for name in SAMPLES}


@pytest.mark.parametrize("name", SAMPLES)
def test_cutout_matches_hand_checked_mask(cutouts, name):
    reference = np.asarray(Image.open(ASSETS / "masks" / f"{name}.png")) > 127
    predicted = cutouts[name].mask > 127
    iou = (reference & predicted).sum() / (reference | predicted).sum()
    assert iou >= 0.95, f"{name}: IoU {iou:.3f}"  # measured 0.975-0.987


def test_cutout_keeps_source_pixels(cutouts):
    cut = cutouts["luma-yoga-brick"]
    rgba = np.asarray(cut.rgba)
    assert np.array_equal(rgba[..., :3], np.asarray(photo("luma-yoga-brick")))
    assert np.array_equal(rgba[..., 3], cut.mask)
    assert 0.2 < cut.coverage < 0.6 and cut.confidence > 0.9


@pytest.mark.parametrize("kind", ["white", "noise"])
def test_no_clear_product_is_a_clear_error(kind):
    rng = np.random.default_rng(0)
    pixels = (np.full((400, 400, 3), 255, np.uint8) if kind == "white"
              else rng.integers(0, 256, (400, 400, 3), dtype=np.uint8))
    with pytest.raises(StudioError, match=f"no clear product found in photo {kind}.png"):
        cut_out(Image.fromarray(pixels), f"{kind}.png")


def test_every_size_style_and_layout_renders_exactly(cutouts):
    cut = cutouts["luma-yoga-brick"]
    palette = resolve_palette("auto", cut.crop())
    layouts = list_layouts()
    for i, style in enumerate(list_backgrounds()):
        for j, (key, size) in enumerate(SIZES.items()):
            layout = layouts[(i + j) % len(layouts)]
            settings = Settings(style=style, layout=layout, price="$24", call_to_action="Shop now", seed=1)
            image, placement, drawn, plan = render(cut, "Sprite Foam Yoga Brick", key, settings, palette)
            assert image.size == size and image.mode == "RGB", (style, key)
            # Opaque product pixels are the scaled photo's pixels, bit for bit.
            opaque = np.asarray(placement.alpha) == 255
            region = np.asarray(image.crop(placement.box))
            assert np.array_equal(region[opaque], np.asarray(placement.rgb)[opaque]), (style, key)
            for text in drawn:
                assert worst_contrast(text.colour, text.behind) >= MIN_CONTRAST, (style, key, text.role)


def test_long_title_wraps_inside_its_box(cutouts):
    cut = cutouts["luma-yoga-brick"]
    palette = resolve_palette("auto", cut.crop())
    for layout in list_layouts():
        for key, (width, height) in SIZES.items():
            settings = Settings(style="gradient", layout=layout, price="$1,299.99", call_to_action="Buy today")
            image, placement, drawn, plan = render(cut, LONG_TITLE, key, settings, palette)
            title = next(t for t in drawn if t.role == "title")
            face_box, ink = title.block.box, title.block.ink
            assert 0 <= ink[0] and ink[2] <= width and 0 <= ink[1] and ink[3] <= height, (layout, key)
            assert face_box[0] <= ink[0] and ink[2] <= face_box[2], (layout, key)
            assert face_box[1] <= ink[1] and ink[3] <= face_box[3], (layout, key)
            for text in drawn:  # price and button stay on the canvas too
                x0, y0, x1, y1 = text.block.ink
                assert 0 <= x0 and x1 <= width and 0 <= y0 and y1 <= height, (layout, key, text.role)


def test_make_creatives_scores_and_settings(cutouts):
    settings = Settings(style="studio", layout="classic", price="$24", call_to_action="Shop now", seed=7)
    creatives = make_creatives(photo("luma-yoga-brick"), "Blue Foam Yoga Brick", settings,
                               sizes=["1x1", "16x9"], colour_words=["blue", "red"], cutout=cutouts["luma-yoga-brick"])
    assert [c.size for c in creatives] == ["1x1", "16x9"]
    for creative in creatives:
        scores = {s.name: s for s in creative.scores}
        assert scores["product_fidelity"].value > 0.98
        assert scores["product_fidelity"].details["opaque_pixels_identical"] == 1.0
        assert scores["text_contrast"].value >= MIN_CONTRAST
        assert 0.1 < scores["product_coverage"].value < 0.8
        assert scores["colour_consistency"].details["matched"] == ["blue"]
        assert scores["colour_consistency"].details["unmatched"] == ["red"]
        assert 0 <= scores["sharpness"].value <= 1
        assert creative.settings["style"] == "studio" and creative.settings["seed"] == 7
        assert creative.settings["size"] == creative.size


def test_same_seed_same_pixels_other_seed_other_texture(cutouts):
    cut = cutouts["mb02-gray-0"]
    palette = resolve_palette("auto", cut.crop())

    def pixels(seed):
        settings = Settings(style="marble", layout="split", seed=seed, price="$80")
        return np.asarray(render(cut, "Backpack", "4x5", settings, palette)[0])

    assert np.array_equal(pixels(3), pixels(3))
    assert not np.array_equal(pixels(3), pixels(4))


def test_palettes_and_unknown_names(cutouts):
    rgba = cutouts["luma-yoga-brick"].crop()
    auto = resolve_palette("auto", rgba)
    hue_of = lambda rgb: np.argmax(rgb)  # noqa: E731
    assert hue_of(auto.product[0]) == 2  # the brick is blue
    assert resolve_palette("#102030,#ffffff,#ff0000").accent == (255, 0, 0)
    assert resolve_palette("forest").name == "forest"
    with pytest.raises(ValueError, match="unknown palette"):
        resolve_palette("rainbow")
    with pytest.raises(ValueError, match="unknown background style"):
        render(cutouts["luma-yoga-brick"], "x", "1x1", Settings(style="neon"), auto)
