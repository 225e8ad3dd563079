"""No layout leaves most of an ad frame empty, whatever the product's shape (issue 24).

A product much wider than tall fills only a strip of a 9:16 story, and a tall bottle only a
column of a 1.91:1 banner: the layouts move and enlarge the text into the band the product
leaves (or set it on a colour block) rather than leave it blank. Blank is measured as in
``test_cutout_thin_parts.test_no_frame_is_mostly_blank``: the product's outline box, each drawn
text block's ink and the colour panel are content.

The products are drawn here and cut out by their drawn mask (no model), so every layout x size
x shape renders in a few seconds."""
from __future__ import annotations

import numpy as np
import pytest
from PIL import Image, ImageDraw

from engine.creatives.backgrounds import resolve_palette
from engine.creatives.cutout import CutOut
from engine.creatives.images import SIZES, content_boxes, render
from engine.creatives.layouts import MIN_CONTRAST, MOST_BLANK, blank_share, list_layouts, worst_contrast
from engine.core.settings import Settings

TITLE = "Dual-Band Wi-Fi Router"  # the title test_no_frame_is_mostly_blank renders
SETTINGS = dict(style="studio", price="$89", call_to_action="Shop now", seed=1)
PAD = 100  # white photo around the product


def drawn_cutout(width: int, height: int, shape: str = "box") -> CutOut:
    """A navy product of ``width`` x ``height`` on a white photo, cut out by the mask it was drawn with."""
    size = (width + 2 * PAD, height + 2 * PAD)
    photo, mask = Image.new("RGB", size, (255, 255, 255)), Image.new("L", size, 0)
    for image, fill in ((photo, (40, 60, 120)), (mask, 255)):
        draw = ImageDraw.Draw(image)
        if shape == "bottle":  # a body and a neck a third as wide: its outline box is not all product
            draw.rounded_rectangle((PAD, PAD + height // 4, PAD + width, PAD + height), radius=width // 4, fill=fill)
            draw.rectangle((PAD + width // 3, PAD, PAD + 2 * width // 3, PAD + height // 4 + 4), fill=fill)
        else:
            draw.rounded_rectangle((PAD, PAD, PAD + width, PAD + height), radius=min(width, height) // 6, fill=fill)
    alpha = np.asarray(mask)
    rgba = photo.copy()
    rgba.putalpha(mask)
    bbox = (PAD, PAD, PAD + width, PAD + height)
    return CutOut(rgba, alpha, bbox, float((alpha > 127).mean()), 1.0)


# The extremes the issue names (a 4-5:1 router body, a 1:3.5 bottle) and an ordinary square box.
SHAPES = {
    "wide 4.5:1": (900, 200, "box"),
    "wide 4:1": (800, 200, "box"),
    "tall 1:3.5": (200, 700, "bottle"),
    "square": (500, 500, "box"),
}


@pytest.fixture(scope="module")
def products():
    out = {}
    for name, (width, height, shape) in SHAPES.items():
        cut = drawn_cutout(width, height, shape)
        out[name] = (cut, resolve_palette("auto", cut.crop()))
    return out


def overlap(a, b) -> bool:
    return a[0] < b[2] and b[0] < a[2] and a[1] < b[3] and b[1] < a[3]


def outline_box(placement):
    """The placed product's outline box on the canvas: what the blank share counts for it."""
    left, top, right, bottom = placement.alpha.getbbox()
    x, y = placement.position
    return (x + left, y + top, x + right, y + bottom)


def drawn_blank(image, placement, drawn, plan) -> float:
    boxes = [outline_box(placement)] + [t.block.ink for t in drawn] + ([plan.panel] if plan.panel else [])
    return blank_share(image.size, boxes)


@pytest.mark.parametrize("shape", SHAPES)
@pytest.mark.parametrize("size_key", SIZES)
@pytest.mark.parametrize("layout", list_layouts())
def test_frame_is_not_mostly_blank_and_text_keeps_off_the_product(products, layout, size_key, shape):
    cut, palette = products[shape]
    image, placement, drawn, plan = render(cut, TITLE, size_key, Settings(layout=layout, **SETTINGS), palette)
    width, height = image.size
    product = outline_box(placement)
    blank = drawn_blank(image, placement, drawn, plan)
    where = (layout, size_key, shape, plan.extras.get("arrangement", "usual"), f"blank {blank:.2f}")
    assert blank < MOST_BLANK, where
    # The renderer chose the arrangement on the boxes it then drew: its measure is the test's.
    estimate = content_boxes(plan, placement, layout, TITLE, SETTINGS["price"], SETTINGS["call_to_action"])
    assert blank == blank_share(image.size, estimate), where
    # The whole product, undistorted: on the canvas, scaled by one factor both ways.
    assert 0 <= product[0] and 0 <= product[1] and product[2] <= width and product[3] <= height, where
    crop_w, crop_h = cut.bbox[2] - cut.bbox[0], cut.bbox[3] - cut.bbox[1]
    assert abs(placement.size[0] - crop_w * placement.scale) <= 1, where
    assert abs(placement.size[1] - crop_h * placement.scale) <= 1, where
    assert plan.panel is None or not overlap(product, plan.panel), where  # never over the colour block
    assert {t.role for t in drawn} >= ({"title", "price", "cta"} if layout != "minimal" else {"title"}), where
    for text in drawn:
        ink = text.block.ink
        assert not overlap(ink, product), (*where, text.role)
        assert 0 <= ink[0] and 0 <= ink[1] and ink[2] <= width and ink[3] <= height, (*where, text.role)
        assert worst_contrast(text.colour, text.behind) >= MIN_CONTRAST, (*where, text.role)


@pytest.mark.parametrize("size_key", SIZES)
@pytest.mark.parametrize("layout", ["classic", "minimal"])
def test_a_one_word_title_grows_into_the_empty_band(products, layout, size_key):
    """A title too short to fill its band is set larger, whole: "Router" beside a bottle on a
    banner measured 0.61 blank at the layout's type size."""
    for shape in ("wide 4.5:1", "tall 1:3.5"):
        cut, palette = products[shape]
        image, placement, drawn, plan = render(cut, "Router", size_key, Settings(layout=layout, **SETTINGS), palette)
        blank = drawn_blank(image, placement, drawn, plan)
        assert blank < MOST_BLANK, (layout, size_key, shape, f"blank {blank:.2f}")
        title = next(t for t in drawn if t.role == "title")
        assert title.block.lines == ["Router"], (layout, size_key, shape)  # never split mid-word
        assert not overlap(title.block.ink, outline_box(placement)), (layout, size_key, shape)
