"""Ad-ready creatives: the real product cut out, placed on a generated backdrop, with copy.

No pixel of the product is repainted: it is scaled once and composited with its alpha, so
where the alpha is opaque the creative holds exactly the scaled photo's pixels.
"""
from __future__ import annotations

import dataclasses
import zlib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Iterable

import numpy as np
from PIL import Image, ImageDraw

from engine.creatives.backgrounds import Palette, contact_shadow, create_background, resolve_palette
from engine.creatives.cutout import CutOut, cut_out
from engine.creatives.layouts import (MOST_BLANK, Box, DrawnText, Plan, TextBlock, blank_share, button_size,
                                     create_layout, draw_button, draw_text, fit_text, place_line)
from engine.creatives.steps import step
from engine.creatives.text_fit import fit_line, font, text_width
from engine.scores.image import coverage_target, product_share
from engine.scores.registry import Score
from engine.core.settings import Settings

SIZES: dict[str, tuple[int, int]] = {
    "1x1": (1080, 1080),
    "4x5": (1080, 1350),
    "9x16": (1080, 1920),
    "16x9": (1920, 1080),
    "1.91x1": (1200, 628),
}

PRODUCT_FILL = 0.92  # share of the product box's height the product may take, leaving room for its shadow
SIDE_FILL = 0.98  # the shadow falls below the product, so it may nearly fill the box's width
THIN_FILL = 0.5  # a product filling less of its bounding box than this is mostly thin parts and gaps


@dataclass
class Placement:
    """Where the product landed on the canvas."""

    position: tuple[int, int]  # top-left of the scaled product crop on the canvas
    size: tuple[int, int]  # scaled product crop (width, height)
    scale: float  # canvas px per source px
    source_bbox: tuple[int, int, int, int]  # the crop taken from the source photo
    rgb: Image.Image = field(repr=False, default=None)  # scaled product RGB exactly as pasted
    alpha: Image.Image = field(repr=False, default=None)  # scaled alpha exactly as pasted
    limit: str = ""  # why the product covers less than its size's target, when no layout room helps

    @property
    def box(self) -> tuple[int, int, int, int]:
        x, y = self.position
        return (x, y, x + self.size[0], y + self.size[1])


@dataclass
class Creative:
    size: str
    image: Image.Image
    scores: list[Score]
    settings: dict  # style, palette, layout, photo_index, seed, size (+ resolved palette colours)
    context: object = field(default=None, repr=False)  # engine.scores.image.ImageContext, to re-score


def _rng(seed: int, size: str, style: str) -> np.random.Generator:
    # One stream per (seed, size, style): changing one size never shifts another's texture.
    return np.random.default_rng([seed, zlib.crc32(size.encode()), zlib.crc32(style.encode())])


def place_product(cutout: CutOut, box: tuple[int, int, int, int], with_rgb: bool = True) -> Placement:
    """The cut-out scaled to fit ``box`` (less a margin for its shadow) and centred in it.
    ``with_rgb=False`` scales the alpha only: enough to measure a candidate box."""
    crop = cutout.crop()
    left, top, right, bottom = box
    scale = min((right - left) * SIDE_FILL / crop.width, (bottom - top) * PRODUCT_FILL / crop.height)
    width, height = max(1, round(crop.width * scale)), max(1, round(crop.height * scale))
    # RGB and alpha are scaled separately so the opaque pixels are the photo's, not a premultiplied blend.
    rgb = crop.convert("RGB").resize((width, height), Image.LANCZOS) if with_rgb else None
    alpha = crop.getchannel("A").resize((width, height), Image.LANCZOS)
    x = left + (right - left - width) // 2
    y = top + (bottom - top - height) // 2
    return Placement((x, y), (width, height), scale, cutout.bbox, rgb, alpha)


TITLE_GROWTH = (1.5, 2.0, 2.5)  # a title too short to fill its band may be set this much larger, if the frame needs it


def choose_placement(cutout: CutOut, layout, size: tuple[int, int], has_meta: bool, title: str = "",
                     price: str = "", cta: str = "") -> tuple[Plan, Placement]:
    """The layout's arrangement in which the product covers its size's coverage target and the
    frame, with the text it will carry, is not mostly blank (``blank_share`` of the boxes the
    text will really be drawn in: a short title in a wide band counts as the little it covers).

    The layout's order is its preference: the first arrangement reaching the target that is not
    mostly blank. When none reaches the target, the first not mostly blank of those showing the
    product largest (``limit`` then says why it stays short). When all are mostly blank at the
    layout's type sizes, the title is tried larger (a short one grows into its band); when that
    fails too, the least blank is kept."""
    target = coverage_target(size)
    plans = layout.plans(size, has_meta)
    placements = [place_product(cutout, plan.product, with_rgb=False) for plan in plans]
    shares = [product_share(placement.alpha, size) for placement in placements]
    reaching = max(shares) >= target
    eligible = [i for i, share in enumerate(shares) if (share >= target if reaching else share == max(shares))]
    # Every eligible arrangement at the layout's type sizes first, then each with a larger title.
    candidates = ((i, plans[i] if growth == 1.0 else _with_larger_title(plans[i], title, growth))
                  for growth in (1.0, *TITLE_GROWTH) for i in eligible)
    tried: list[tuple[float, int, Plan]] = []  # (blank share, index of the plan's product box, plan)
    for i, plan in candidates:
        if plan is None:
            continue
        tried.append((blank_share(size, content_boxes(plan, placements[i], layout.name, title, price, cta)), i, plan))
        if tried[-1][0] < MOST_BLANK:
            break
    _, i, plan = tried[-1] if tried[-1][0] < MOST_BLANK else min(tried, key=lambda entry: entry[0])
    placement = place_product(cutout, plan.product)
    if shares[i] < target:
        placement.limit = _why_short(cutout, size, shares[i], target)
    return plan, placement


def _with_larger_title(plan: Plan, title: str, growth: float) -> Plan | None:
    """``plan`` with its title allowed ``growth`` times larger (None without a title). The fit
    still shrinks it to its box, and never so far that a word no longer fits whole."""
    if not plan.title or not title.strip():
        return None
    return dataclasses.replace(plan, title_max=int(plan.title_max * growth))


def title_block(plan: Plan, title: str, layout_name: str) -> TextBlock | None:
    """The title as it will be drawn in ``plan`` (None when there is none to draw)."""
    if not plan.title or not title.strip():
        return None
    minimal = layout_name == "minimal"  # a light caption, two lines at most
    block = fit_text(title.strip(), plan.title, plan.title_max, min_size=14, bold=not minimal,
                     align=plan.text_align, max_lines=2 if minimal else 4)
    return block if block.lines else None


def content_boxes(plan: Plan, placement: Placement, layout_name: str, title: str = "", price: str = "",
                  cta: str = "") -> list[Box]:
    """What a viewer sees as content in the frame, before anything is drawn: the product's
    outline box, the ink of the title, price and button, and the colour panel."""
    x, y = placement.position
    outline = placement.alpha.getbbox() or (0, 0, *placement.size)
    boxes: list[Box] = [(x + outline[0], y + outline[1], x + outline[2], y + outline[3])]
    block = title_block(plan, title, layout_name)
    if block:
        boxes.append(block.ink)
    if plan.meta:
        boxes += arrange_meta(plan.meta, price, cta, plan.text_align).boxes()
    if plan.panel:
        boxes.append(plan.panel)
    return boxes


def _why_short(cutout: CutOut, size: tuple[int, int], share: float, target: float) -> str:
    """One sentence for the coverage badge: the product's shape against this canvas."""
    left, top, right, bottom = cutout.bbox
    w, h = right - left, bottom - top
    fill = float((cutout.mask[top:bottom, left:right] > 127).mean())
    shape = f"{h / w:.1f}x taller than wide" if h >= w else f"{w / h:.1f}x wider than tall"
    frame = "wide" if size[0] > size[1] * 1.1 else "tall" if size[1] > size[0] * 1.1 else "square"
    # The box is the whole product's, thin parts included (a router with its antennas), so the
    # shape named is the one the merchant sees; a low fill says why the pixels stay few.
    outline = (f"its outline fills only {fill:.0%} of its bounding box (thin parts such as antennas, straps, "
               f"handles or legs reach out from it)" if fill < THIN_FILL else
               f"its outline fills {fill:.0%} of its bounding box")
    return (f"The product cannot reach {target:.0%} on this {size[0]}x{size[1]} ({frame}) canvas: it is {shape} "
            f"and {outline}, so even in the largest box this layout leaves beside its text it covers {share:.0%}.")


MIN_CTA_SIZE = 10  # px: below this a button's words stop reading as words


def _meta_widths(price: str, cta: str, price_size: int, cta_size: int) -> tuple[int, int, int]:
    """(price width, gap, button width) of the price + call-to-action row at these sizes."""
    gap = int(price_size * 0.8) if price and cta else 0
    price_w = text_width(font(price_size, True), price) if price else 0
    pill_w = button_size(cta, cta_size)[0] if cta else 0
    return price_w, gap, pill_w


@dataclass
class MetaRow:
    """The price and call-to-action row as it will be drawn: texts (cut to fit), sizes, positions."""

    price: str
    cta: str
    price_size: int
    cta_size: int
    x: int  # left edge of the group
    gap: int  # between the price and the button
    price_w: int
    centre_y: int

    def price_block(self) -> TextBlock:
        return place_line(self.price, self.price_size, True, self.x, self.centre_y)

    def button_x(self) -> int:
        return self.x + self.price_w + self.gap

    def boxes(self) -> list[Box]:
        """The price's ink and the button's pill, where ``_draw_meta`` draws them."""
        boxes = [self.price_block().ink] if self.price else []
        if self.cta:
            pill_w, pill_h, _ = button_size(self.cta, self.cta_size)
            top = self.centre_y - pill_h // 2
            boxes.append((self.button_x(), top, self.button_x() + pill_w, top + pill_h))
        return boxes


def arrange_meta(box, price: str, cta: str, align: str) -> MetaRow:
    """Price and call-to-action button side by side, as one group centred (or left-aligned) in
    ``box``, both shrunk together until the group fits the row."""
    left, top, right, bottom = box
    height, width = bottom - top, right - left
    price, cta = " ".join(price.split()), " ".join(cta.split())
    price_size, cta_size = int(height * 0.5), int(height * 0.3)
    while True:
        price_w, gap, pill_w = _meta_widths(price, cta, price_size, cta_size)
        if price_w + gap + pill_w <= width or cta_size <= MIN_CTA_SIZE:
            break
        price_size, cta_size = int(price_size * 0.9), int(cta_size * 0.9)
    if price_w + gap + pill_w > width:
        # Too long even at the smallest size (a price field holding a sentence): each keeps its
        # share of the row and is cut with an ellipsis, rather than running off the image.
        room = max(0, width - gap)
        price_room = room * price_w // max(1, price_w + pill_w)
        price = fit_line(price, price_room, price_size, True)
        cta = fit_line(cta, room - price_room - 2 * button_size("", cta_size)[2], cta_size, True)
        price_w, gap, pill_w = _meta_widths(price, cta, price_size, cta_size)
    x = left if align == "left" else left + (width - price_w - gap - pill_w) // 2
    return MetaRow(price, cta, price_size, cta_size, x, gap, price_w, (top + bottom) // 2)


def _draw_meta(canvas: Image.Image, box, price: str, cta: str, palette: Palette, on_panel: bool, align: str) -> list[DrawnText]:
    """The price and call-to-action row of ``arrange_meta``, drawn legibly."""
    row = arrange_meta(box, price, cta, align)
    drawn: list[DrawnText] = []
    if row.price:
        drawn.append(draw_text(canvas, row.price_block(), "price"))
    if row.cta:
        drawn.append(draw_button(canvas, row.cta, row.cta_size, row.button_x(), row.centre_y,
                                 palette.base if on_panel else palette.accent))
    return drawn


def render(cutout: CutOut, title: str, size_key: str, settings: Settings, palette: Palette,
           label: str = "") -> tuple[Image.Image, Placement, list[DrawnText], Plan]:
    """One ad image. ``label`` names it in errors ("ad image 4x5 from photo front.jpg"): an
    unexpected failure says which of its steps broke."""
    label = label or f"ad image {size_key}"
    size = SIZES[size_key]
    layout = create_layout(settings.layout)  # unknown names are the user's ValueError, not a step failure
    background = create_background(settings.style)
    rng = _rng(settings.seed, size_key, settings.style)
    has_meta = bool(settings.price or settings.call_to_action) and layout.name != "minimal"
    with step(f"{label}: placing the product"):
        plan, placement = choose_placement(cutout, layout, size, has_meta, title,
                                           settings.price if has_meta else "", settings.call_to_action if has_meta else "")
    with step(f"{label}: painting the {settings.style} backdrop"):
        canvas = background.render(size, palette, rng, floor_y=placement.box[3])
        if plan.panel:
            ImageDraw.Draw(canvas).rectangle(plan.panel, fill=palette.accent)
    with step(f"{label}: drawing the product and its shadow"):
        if background.shadow > 0:
            shadow, (sx, sy) = contact_shadow(size, placement.alpha, placement.position)
            box = (sx, sy, sx + shadow.shape[1], sy + shadow.shape[0])
            region = np.asarray(canvas.crop(box), dtype=np.float32) * (1 - background.shadow * shadow)[..., None]
            canvas.paste(Image.fromarray(region.astype(np.uint8)), box[:2])
        canvas.paste(placement.rgb, placement.position, placement.alpha)
    drawn: list[DrawnText] = []
    if plan.title and title.strip():
        with step(f"{label}: setting the title"):
            block = title_block(plan, title, layout.name)
            if block:
                drawn.append(draw_text(canvas, block, "title"))
    if plan.meta:
        with step(f"{label}: drawing the price and call to action"):
            drawn += _draw_meta(canvas, plan.meta, settings.price, settings.call_to_action, palette,
                                plan.panel is not None, plan.text_align)
    return canvas, placement, drawn, plan


def make_creatives(photo: Image.Image, title: str, settings: Settings, sizes: Iterable[str] = tuple(SIZES),
                   colour_words: Iterable[str] = (), cutout: CutOut | None = None, name: str = "") -> list[Creative]:
    """One creative per size key; the cut-out and palette are computed once and reused.

    An unexpected failure raises ``StepError`` naming the size, the photo (``name``) and the
    step, with the creatives of the sizes already done in ``made``."""
    from engine.scores.image import ImageContext, score_creative

    unknown = [s for s in sizes if s not in SIZES]
    if unknown:
        raise ValueError(f"unknown sizes {unknown}; accepted: {', '.join(SIZES)}")
    name = name or Path(str(getattr(photo, "filename", "") or "")).name
    source = f" from photo {name}" if name else ""
    with step(f"ad images{source}: cutting out the product"):
        cutout = cutout or cut_out(photo, name)
    # The user's choices are checked first, so a bad name is their ValueError, not a failed step.
    create_layout(settings.layout), create_background(settings.style)
    palette = resolve_palette(settings.palette, cutout.crop())
    creatives: list[Creative] = []
    for size_key in sizes:
        label = f"ad image {size_key}{source}"
        with step(label, made=creatives):
            image, placement, drawn, plan = render(cutout, title, size_key, settings, palette, label)
        with step(f"{label}: scoring", made=creatives):
            context = ImageContext(source=photo, cutout=cutout, placement=placement, text=drawn,
                                   colour_words=list(colour_words), title=title)
            scores = score_creative(image, context)
        used = {"style": settings.style, "palette": settings.palette, "layout": settings.layout,
                "photo_index": settings.photo_index, "seed": settings.seed, "size": size_key,
                "price": settings.price, "call_to_action": settings.call_to_action,
                "colours": palette.to_dict(), "cutout": cutout.method,
                "cutout_recovered": round(cutout.recovered, 4)}
        creatives.append(Creative(size_key, image, scores, used, context))
    return creatives
