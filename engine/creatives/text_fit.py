"""Fitting text into a box: the one place every creative (ad image titles, prices, buttons and
video captions) turns a string into lines that are drawn.

Merchant text is not trusted to be well-formed: a bullet may hold a 200-character SKU, a URL or
a word in a language without spaces. So wrapping breaks any word longer than a line (no hyphen:
a hyphen could read as part of a code), the font shrinks down to a floor, and what still does
not fit is cut with an ellipsis. The measured result is never wider or taller than its box,
so callers can paste it without clipping or checking.
"""
from __future__ import annotations

import math
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from PIL import ImageFont

from engine.core.errors import StudioError

FONT_DIRS = (Path(__file__).resolve().parents[2] / "assets" / "fonts", Path("/usr/share/fonts/truetype/dejavu"))
ELLIPSIS = "…"
SHRINK = 0.92  # per step: small enough that the chosen size is close to the largest that fits


@lru_cache(maxsize=256)
def font(size: int, bold: bool = False) -> ImageFont.FreeTypeFont:
    name = "DejaVuSans-Bold.ttf" if bold else "DejaVuSans.ttf"
    for folder in FONT_DIRS:
        if (folder / name).exists():
            return ImageFont.truetype(str(folder / name), max(1, int(size)))
    raise StudioError(f"font {name} not found in {', '.join(map(str, FONT_DIRS))} (install fonts-dejavu-core)")


def text_width(face: ImageFont.FreeTypeFont, line: str) -> int:
    """Pixels the line takes: its advance or its ink, whichever reaches further (a bold glyph's
    ink can overhang its advance by a pixel)."""
    if not line:
        return 0
    return math.ceil(max(face.getlength(line), face.getbbox(line)[2]))


def _break_word(word: str, face: ImageFont.FreeTypeFont, width: int) -> list[str]:
    """A word wider than the line, cut into line-wide pieces (at least one character each).

    Each piece is the longest prefix that fits, found by galloping then bisecting: measuring
    every growing prefix of a 200-character word cost ~40x more at each of the sizes tried."""
    pieces = []
    while word:
        fits, over = 1, 2  # fits: a length known to fit (or 1); over: a length to try
        while over <= len(word) and text_width(face, word[:over]) <= width:
            fits, over = over, over * 2
        over = min(over, len(word) + 1)
        while over - fits > 1:
            mid = (fits + over) // 2
            if text_width(face, word[:mid]) <= width:
                fits = mid
            else:
                over = mid
        pieces.append(word[:fits])
        word = word[fits:]
    return pieces


def wrap(text: str, face: ImageFont.FreeTypeFont, width: int) -> list[str]:
    """Greedy wrap on spaces by measured width; a word longer than a line is broken."""
    lines: list[str] = []
    current = ""
    for word in text.split():
        pieces = _break_word(word, face, width) if text_width(face, word) > width else [word]
        for piece in pieces:
            candidate = f"{current} {piece}" if current else piece
            if not current or text_width(face, candidate) <= width:
                current = candidate
            else:
                lines.append(current)
                current = piece
    if current:
        lines.append(current)
    return lines


def cut_line(line: str, face: ImageFont.FreeTypeFont, width: int, more: bool = False) -> str:
    """``line`` as it fits ``width``; an ellipsis marks anything cut (``more``: text followed).
    Empty when not even the ellipsis fits."""
    if not more and text_width(face, line) <= width:
        return line
    while line and text_width(face, line + ELLIPSIS) > width:
        line = line[:-1].rstrip()
    return line + ELLIPSIS if text_width(face, line + ELLIPSIS) <= width else ""


@dataclass
class FittedText:
    """Lines set at one size, with the box they were measured to occupy."""

    lines: list[str]
    size: int
    bold: bool
    line_height: int  # baseline to baseline
    width: int  # widest line, measured
    height: int  # first line's top to the last line's descender
    cut: bool  # text was dropped (ellipsised) to fit

    @property
    def font(self) -> ImageFont.FreeTypeFont:
        return font(self.size, self.bold)


def _line_metrics(face: ImageFont.FreeTypeFont, leading: float) -> tuple[int, int]:
    """(line height, height of one line's ink: ascent + descent, so descenders are never cut)."""
    ascent, descent = face.getmetrics()
    return max(1, round((ascent + descent) * leading)), ascent + descent


def _block_height(n: int, line_h: int, ink_h: int) -> int:
    return 0 if n == 0 else (n - 1) * line_h + ink_h


def fit_text(text: str, width: int, height: int, max_size: int, min_size: int = 10, bold: bool = False,
             max_lines: int | None = None, leading: float = 1.05) -> FittedText:
    """The largest size (from ``max_size`` down to ``min_size``) at which ``text`` wraps into
    ``width`` x ``height`` in at most ``max_lines`` lines; at the floor, the lines that fit are
    kept and the last one ends in an ellipsis. A word is split across lines only when it is
    wider than the box even at ``min_size``. Below the floor only when a single line at
    ``min_size`` is taller than the box. Guaranteed: ``width``/``height`` of the result are
    within the box (no lines at all when the box is too small for any text)."""
    text = " ".join(text.split())
    width, height = max(0, int(width)), max(0, int(height))
    max_lines = max_lines or 10**6
    size = max(1, int(max_size))
    min_size = max(1, min(int(min_size), size))
    size = _whole_word_size(text, width, size, min_size, bold)
    while True:
        face = font(size, bold)
        lines = wrap(text, face, width) if width else []
        line_h, ink_h = _line_metrics(face, leading)
        fits = (len(lines) <= max_lines and _block_height(len(lines), line_h, ink_h) <= height
                and all(text_width(face, line) <= width for line in lines))
        if fits or size <= min_size:
            break
        size = max(min_size, min(size - 1, int(size * SHRINK)))
    if size > 1 and ink_h > height:  # a box lower than one line at the floor: go below it
        while size > 1 and ink_h > height:
            size -= 1
            face = font(size, bold)
            line_h, ink_h = _line_metrics(face, leading)
        lines = wrap(text, face, width) if width else []
    cut = False
    if not fits:
        room = 0 if ink_h > height else (height - ink_h) // line_h + 1
        keep = min(max_lines, room, len(lines))
        cut = keep < len(lines)
        lines = lines[:keep]
        if lines:
            lines[-1] = cut_line(lines[-1], face, width, more=cut)
        lines = [cut_line(line, face, width) for line in lines]  # one glyph wider than the box
        cut = cut or any(line.endswith(ELLIPSIS) for line in lines)
        lines = [line for line in lines if line]
    return FittedText(lines, size, bold, line_h, max((text_width(face, l) for l in lines), default=0),
                      _block_height(len(lines), line_h, ink_h), cut)


def _whole_word_size(text: str, width: int, size: int, min_size: int, bold: bool) -> int:
    """The largest size from ``size`` down at which every word fits the width whole, so a name
    such as "Dual-Band" in a narrow column is set smaller rather than split mid-word. When no
    size down to ``min_size`` keeps the widest word whole (a 200-character SKU), ``size``: that
    word is broken anyway, and shrinking the rest of the text for it would gain nothing."""
    words = text.split()
    if not words or not width:
        return size
    trial = size
    while True:
        face = font(trial, bold)
        if max(text_width(face, word) for word in words) <= width:
            return trial
        if trial <= min_size:
            return size
        trial = max(min_size, min(trial - 1, int(trial * SHRINK)))


def fit_line(text: str, width: int, size: int, bold: bool = False) -> str:
    """One line at a fixed ``size``: the text, or as much of it as fits followed by an ellipsis."""
    return cut_line(" ".join(text.split()), font(size, bold), max(0, int(width)))
