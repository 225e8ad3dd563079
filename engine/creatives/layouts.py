"""Layouts for ad creatives (where the product and text go) and legible typesetting.

A layout turns a canvas size into boxes: one for the product and, when it carries text,
boxes for the title, price and call to action. Text is set in the shipped DejaVu fonts,
shrinks and wraps until it fits its box, and gets a colour (and a scrim if needed) that
keeps the WCAG contrast ratio against the pixels behind it at 4.5 or more.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Callable

import numpy as np
from PIL import Image, ImageDraw

from engine.core.color import MIN_CONTRAST, contrast_ratio, relative_luminance, worst_contrast  # noqa: F401
from engine.creatives.text_fit import font, text_width, wrap  # noqa: F401  (wrap: re-exported)
from engine.creatives.text_fit import fit_text as fit_lines

LEADING = 1.05  # DejaVu's ascent + descent is ~1.16 em: lines ~1.22 em apart

Box = tuple[int, int, int, int]  # left, top, right, bottom (exclusive)


# --------------------------------------------------------------------------- contrast


# --------------------------------------------------------------------------- fonts and fitting


@dataclass
class TextBlock:
    text: str
    lines: list[str]
    size: int
    bold: bool
    box: Box  # the box the text was fitted into
    ink: Box  # the box the drawn text actually occupies
    line_height: int
    align: str = "center"


def fit_text(text: str, box: Box, max_size: int, min_size: int = 14, bold: bool = False,
             max_lines: int = 4, align: str = "center", valign: str = "center") -> TextBlock:
    """Largest font size at which ``text`` wraps into ``box``; ellipsised at ``min_size``.
    The ink box is measured and always inside ``box`` (see ``text_fit.fit_text``)."""
    left, top, right, bottom = box
    width, height = right - left, bottom - top
    fitted = fit_lines(text, width, height, max_size, min_size, bold, max_lines, leading=LEADING)
    block_w, block_h = fitted.width, fitted.height
    y = top if valign == "top" else bottom - block_h if valign == "bottom" else top + (height - block_h) // 2
    x = left if align == "left" else left + (width - block_w) // 2
    ink = (x, y, x + block_w, y + block_h)
    return TextBlock(text, fitted.lines, fitted.size, bold, box, ink, fitted.line_height, align)


# --------------------------------------------------------------------------- drawing with contrast


@dataclass
class DrawnText:
    """What was drawn, and what it was drawn over, so scores can re-check legibility."""

    role: str  # "title", "price", "cta"
    block: TextBlock
    colour: tuple[int, int, int]
    behind: np.ndarray  # RGB pixels behind the text (after any scrim/button), HxWx3 uint8
    contrast: float
    scrim: float = 0.0


def pick_text_colour(behind: np.ndarray, preferred: tuple[tuple[int, int, int], ...] = ()) -> tuple[tuple[int, int, int], float]:
    candidates = list(preferred) + [(17, 17, 17), (255, 255, 255)]
    scored = [(worst_contrast(c, behind), c) for c in candidates]
    good = [s for s in scored if s[0] >= MIN_CONTRAST]
    contrast, colour = good[0] if good else max(scored)
    return colour, contrast


def draw_text(canvas: Image.Image, block: TextBlock, role: str, preferred=(), pad: int | None = None) -> DrawnText:
    """Draw ``block`` legibly: choose a text colour, add a scrim behind it if none is enough."""
    pad = int(block.size * 0.45) if pad is None else pad
    x0, y0, x1, y1 = block.ink
    region = (max(0, x0 - pad), max(0, y0 - pad // 2), min(canvas.width, x1 + pad), min(canvas.height, y1 + pad // 2))
    behind = np.asarray(canvas.crop(region).convert("RGB"))
    colour, contrast = pick_text_colour(behind, preferred)
    scrim = 0.0
    if contrast < MIN_CONTRAST:
        # Darken or lighten the region until the chosen colour reads; mean luminance picks the side.
        dark = relative_luminance(behind.reshape(-1, 3)).mean() < 0.4
        colour = (255, 255, 255) if dark else (17, 17, 17)
        fill = np.array((0, 0, 0) if dark else (255, 255, 255), np.float32)
        for scrim in (0.35, 0.5, 0.65, 0.8, 0.9, 1.0):
            blended = (behind * (1 - scrim) + fill * scrim).astype(np.uint8)
            contrast = worst_contrast(colour, blended)
            if contrast >= MIN_CONTRAST:
                break
        panel = Image.new("RGBA", (region[2] - region[0], region[3] - region[1]),
                          tuple(int(v) for v in fill) + (int(round(scrim * 255)),))
        mask = Image.new("L", panel.size, 0)
        ImageDraw.Draw(mask).rounded_rectangle((0, 0, panel.width - 1, panel.height - 1),
                                               radius=max(4, pad // 2), fill=int(round(scrim * 255)))
        canvas.paste(panel.convert("RGB"), region[:2], mask)
        behind = np.asarray(canvas.crop(region).convert("RGB"))
        contrast = worst_contrast(colour, behind)
    draw = ImageDraw.Draw(canvas)
    face = font(block.size, block.bold)
    y = block.ink[1]
    for line in block.lines:
        w = text_width(face, line)
        x = block.ink[0] if block.align == "left" else block.ink[0] + (block.ink[2] - block.ink[0] - w) / 2
        draw.text((x, y), line, font=face, fill=colour)
        y += block.line_height
    return DrawnText(role, block, colour, behind.copy(), contrast, scrim)


def place_line(text: str, size: int, bold: bool, x: int, centre_y: int) -> TextBlock:
    """A one-line block of ``text`` at a given size, left edge ``x``, vertically centred."""
    face = font(size, bold)
    line_height = int(size * 1.22)
    w = text_width(face, text)
    y = centre_y - line_height // 2
    return TextBlock(text, [text], size, bold, (x, y, x + w, y + line_height), (x, y, x + w, y + line_height), line_height, "left")


def button_size(text: str, size: int) -> tuple[int, int, int]:
    """(pill width, pill height, horizontal padding) for a call-to-action at font ``size``."""
    pad_x = int(size * 0.9)
    return text_width(font(size, True), text) + 2 * pad_x, int(size * 1.22) + int(size * 0.9), pad_x


def draw_button(canvas: Image.Image, text: str, size: int, x: int, centre_y: int,
                accent: tuple[int, int, int]) -> DrawnText:
    """Call-to-action pill in the accent colour, text colour picked for contrast on the pill."""
    pill_w, pill_h, pad_x = button_size(text, size)
    pill = (x, centre_y - pill_h // 2, x + pill_w, centre_y - pill_h // 2 + pill_h)
    block = place_line(text, size, True, x + pad_x, centre_y)
    for attempt in range(2):
        ImageDraw.Draw(canvas).rounded_rectangle(pill, radius=pill_h // 2, fill=accent)
        behind = np.asarray(canvas.crop(block.ink).convert("RGB"))
        colour, contrast = pick_text_colour(behind)
        if contrast >= MIN_CONTRAST:
            break
        accent = tuple(int(v * 0.55) for v in accent)  # mid-tone accent: darken the pill so white reads
    # DejaVu's line box carries the descender; nudge so caps sit optically centred in the pill.
    ImageDraw.Draw(canvas).text((block.ink[0], block.ink[1] + int(size * 0.1)), text, font=font(size, True), fill=colour)
    block.ink = pill
    return DrawnText("cta", block, colour, behind.copy(), contrast)


# --------------------------------------------------------------------------- blank space

BLANK_REACH = 0.1  # of the canvas's short side: blank canvas this close to content still frames it
MOST_BLANK = 0.5  # a frame with this share of blank canvas or more reads as empty


def blank_share(size: tuple[int, int], boxes: list[Box]) -> float:
    """Share of the canvas farther than ``BLANK_REACH`` of its short side from every box of
    content (the product's outline box, each piece of text, a colour panel): the blank a viewer
    sees around it. A margin round the content is framing, not emptiness."""
    width, height = size
    reach = int(BLANK_REACH * min(size))
    near = np.zeros((height, width), bool)
    for left, top, right, bottom in boxes:
        near[max(0, top - reach):max(0, bottom + reach), max(0, left - reach):max(0, right + reach)] = True
    return float(1.0 - near.mean())


# --------------------------------------------------------------------------- layouts


@dataclass
class Plan:
    """Boxes for one canvas: where the product fits and where each piece of text goes."""

    product: Box
    title: Box | None = None
    meta: Box | None = None  # price + call to action row
    panel: Box | None = None  # solid colour panel under the text (split layout)
    title_max: int = 64
    text_align: str = "center"
    extras: dict = field(default_factory=dict)


class Layout:
    name = "base"
    label = ""
    description = ""
    has_text = True

    def plan(self, size: tuple[int, int], has_meta: bool) -> Plan:
        """The layout's usual arrangement for this canvas."""
        raise NotImplementedError

    def plans(self, size: tuple[int, int], has_meta: bool) -> list[Plan]:
        """Arrangements to try, the usual one first: the renderer keeps the first that lets the
        product cover enough of the canvas and leaves the frame not mostly blank. A fixed box
        suits one product shape only (a tall watch in a wide box below a 16:9 title band covered
        6%; a 4:1 router in a 9:16 frame left 68% of it blank), so layouts offer others."""
        return [self.plan(size, has_meta)]


LAYOUTS: dict[str, type[Layout]] = {}


def register_layout(name: str) -> Callable[[type[Layout]], type[Layout]]:
    def wrap(cls: type[Layout]) -> type[Layout]:
        cls.name = name
        LAYOUTS[name] = cls
        return cls

    return wrap


def create_layout(name: str) -> Layout:
    if name not in LAYOUTS:
        raise ValueError(f"unknown layout {name!r}; accepted: {', '.join(LAYOUTS)}")
    return LAYOUTS[name]()


def list_layouts() -> list[str]:
    return list(LAYOUTS)


def _margin(size: tuple[int, int]) -> int:
    return int(min(size) * 0.06)


def _text_column(size: tuple[int, int], has_meta: bool, text_share: float) -> tuple[Box, Box, Box | None]:
    """Product on the left, text in a column on the right taking ``text_share`` of the width:
    (product box, title box, price/button row)."""
    width, height = size
    m = _margin(size)
    cut = int(width * (1 - text_share))
    product = (m, m, cut - m // 2, height - m)
    meta_h = int(min(width, height) * 0.11) if has_meta else 0
    left = cut + m // 2
    title = (left, m, width - m, height - m - meta_h)
    meta = (left, height - m - meta_h, width - m, height - m) if has_meta else None
    return product, title, meta


def _text_band(size: tuple[int, int], has_meta: bool) -> tuple[Box, Box, Box | None]:
    """Title in a band across the top, the product in the middle, price and button across the
    foot: (product box, title box, price/button row). A tall frame's own shape for a product
    much wider than tall, which fills only a strip of it: the text takes the bands above and
    below that the product cannot, as a phone-story ad does."""
    width, height = size
    m = _margin(size)
    title_h = int(height * 0.2)
    meta_h = int(height * 0.1) if has_meta else 0
    title = (m, m, width - m, m + title_h)
    meta = (m, height - m - meta_h, width - m, height - m) if has_meta else None
    product = (m, title[3] + m // 2, width - m, height - m - meta_h - (m // 2 if has_meta else 0))
    return product, title, meta


@register_layout("classic")
class Classic(Layout):
    label = "Classic"
    description = ("Product centred, title band below, price and call to action under it; a product "
                   "too tall for the room left above the band gets the text beside it instead, and one "
                   "filling only a strip of a tall frame gets the title above it and the price below.")

    def plan(self, size, has_meta):
        width, height = size
        wide = width / height > 1.4
        return self._below(size, has_meta, 0.30 if wide else 0.26 if height > width * 1.5 else 0.27)

    def plans(self, size, has_meta):
        width, height = size
        usual = self.plan(size, has_meta)
        # A slimmer title band first (the title shrinks a little), then the text beside the
        # product, where a tall product gains the canvas's full height.
        compact = self._below(size, has_meta, 0.22)
        # The title above and the price below a product that fills only a strip of a tall frame.
        product, title, meta = _text_band(size, has_meta)
        story = Plan(product, title, meta, title_max=int(width * 0.09), extras={"arrangement": "text above and below"})
        if height > width * 1.5:  # a 9:16 column is too narrow to share sideways
            return [usual, compact, story]
        beside = []
        # 0.42 and 0.36 suit most products; a narrow one (a bottle on a banner) stands in a
        # strip of its column, so wider columns give its text the room it leaves.
        for share in (0.42, 0.36, 0.5, 0.58):
            product, title, meta = _text_column(size, has_meta, share)
            # Capped by the column width too, so a long word shrinks rather than breaking mid-word.
            larger = 0.09 if share >= 0.5 else 0.07  # wider column, larger type to fill it
            title_max = min(int(min(width, height) * larger), int((title[2] - title[0]) / 5.5))
            beside.append(Plan(product, title, meta, title_max=title_max, text_align="left",
                               extras={"arrangement": "text beside"}))
        return [usual, compact, *beside] + ([story] if height >= width else [])

    @staticmethod
    def _below(size, has_meta, text_share):
        width, height = size
        m = _margin(size)
        text_h = int(height * text_share)
        meta_h = int(text_h * 0.38) if has_meta else 0
        text_top = height - m - text_h
        product = (m, m, width - m, text_top - int(m * 0.4))
        title = (m, text_top, width - m, height - m - meta_h)
        meta = (m, height - m - meta_h, width - m, height - m) if has_meta else None
        return Plan(product, title, meta, title_max=int(min(width, height) * 0.075))


@register_layout("split")
class Split(Layout):
    label = "Split"
    description = "Product on one side, text on a colour panel on the other."

    def plan(self, size, has_meta):
        width, height = size
        if width >= height * 1.2:
            return self._side_by_side(size, has_meta, 0.55)
        return self._stacked(size, has_meta, 0.6)

    def plans(self, size, has_meta):
        usual = self.plan(size, has_meta)
        # The other orientation and a larger product share, for shapes the usual one starves.
        others = [self._side_by_side(size, has_meta, 0.55), self._side_by_side(size, has_meta, 0.62),
                  self._stacked(size, has_meta, 0.6), self._stacked(size, has_meta, 0.72)]
        return [usual, *(p for p in others if p.product != usual.product)]

    def _side_by_side(self, size, has_meta, product_share):
        width, height = size
        m = _margin(size)
        cut = int(width * product_share)
        product = (m, m, cut - m // 2, height - m)
        panel = (cut, 0, width, height)
        inner = (cut + m, m, width - m, height - m)
        return self._finish(size, has_meta, product, panel, inner)

    def _stacked(self, size, has_meta, product_share):
        width, height = size
        m = _margin(size)
        cut = int(height * product_share)
        product = (m, m, width - m, cut - m // 2)
        panel = (0, cut, width, height)
        inner = (m, cut + m, width - m, height - m)
        return self._finish(size, has_meta, product, panel, inner)

    @staticmethod
    def _finish(size, has_meta, product, panel, inner):
        meta_h = int((inner[3] - inner[1]) * 0.3) if has_meta else 0
        title = (inner[0], inner[1], inner[2], inner[3] - meta_h)
        meta = (inner[0], inner[3] - meta_h, inner[2], inner[3]) if has_meta else None
        return Plan(product, title, meta, panel, title_max=int(min(size) * 0.08), text_align="left")


@register_layout("minimal")
class Minimal(Layout):
    label = "Minimal"
    description = ("Product large and centred, a small caption at the foot, no price or button; a "
                   "product that fills only a strip of the frame gets its caption on a colour block.")

    def plan(self, size, has_meta):
        width, height = size
        m = _margin(size)
        caption_h = int(height * 0.07)
        product = (m, m, width - m, height - m - caption_h - m // 3)
        title = (m * 2, height - m - caption_h, width - m * 2, height - m)
        return Plan(product, title, None, title_max=int(min(width, height) * 0.035))

    def plans(self, size, has_meta):
        width, height = size
        usual = self.plan(size, has_meta)
        m = _margin(size)
        short = min(width, height)
        if height > width * 1.5:
            beside = []
        else:
            # A tall product on a square or wide canvas: full height, the caption in the corner beside it.
            caption_h = int(height * 0.07)
            cut = int(width * 0.64)
            product = (m, m, cut - m // 2, height - m)
            title = (cut + m // 2, height - m - 2 * caption_h, width - m, height - m)
            beside = [Plan(product, title, None, title_max=int(short * 0.035), text_align="left",
                           extras={"arrangement": "caption beside"})]
        return [usual, *beside, *self._blocks(size)]

    @staticmethod
    def _blocks(size):
        """The caption on a colour block across the frame's foot (or its side, on a wide frame):
        for a product whose shape fills only a strip of the frame (a router in a 9:16 story, a
        bottle on a banner), where a small caption would leave most of the frame empty. The
        product stays on the backdrop, never over the block: the block takes the accent colour,
        which the auto palette draws from the product itself, so over it the product could vanish."""
        width, height = size
        m = _margin(size)
        short = min(width, height)
        plans = []
        if width <= height * 1.2:
            for block in (0.3, 0.38):
                cut = int(height * (1 - block))
                product = (m, m, width - m, cut - m // 2)
                title = (m * 2, cut + m, width - m * 2, height - m)
                plans.append(Plan(product, title, None, (0, cut, width, height), title_max=int(short * 0.07),
                                  extras={"arrangement": "caption on a colour block"}))
        if width >= height:
            for block in (0.36, 0.44):
                cut = int(width * (1 - block))
                product = (m, m, cut - m // 2, height - m)
                title = (cut + m, m, width - m, height - m)
                plans.append(Plan(product, title, None, (cut, 0, width, height), text_align="left",
                                  title_max=min(int(short * 0.08), int((title[2] - title[0]) / 5.5)),
                                  extras={"arrangement": "caption on a colour block"}))
        return plans
