"""Scores for ad creatives: product fidelity, sharpness, text legibility, coverage, colour truth.

Each metric is ``fn(creative_or_image, context: ImageContext) -> Score``.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from PIL import Image
from scipy import ndimage
from skimage import color as skcolor
from skimage.metrics import structural_similarity

from engine.scores.registry import METRICS, Score, register_metric

SHARPNESS_THRESHOLD = 100.0  # variance of the Laplacian (0-255 grey) below which a photo reads as soft
SSIM_SIDE = 256  # SSIM runs on the product region scaled to at most this side: fast, still detailed
COLOUR_MATCH_DELTA_E = 30.0  # CIE76 distance in Lab under which a named colour counts as present


@dataclass
class ImageContext:
    source: Image.Image
    cutout: Any  # engine.creatives.cutout.CutOut
    placement: Any  # engine.creatives.images.Placement
    text: list = field(default_factory=list)  # engine.creatives.layouts.DrawnText
    colour_words: list[str] = field(default_factory=list)
    title: str = ""
    _colours: tuple | None = field(default=None, repr=False)

    def product_colours(self) -> tuple[list, list]:
        """Dominant product colours (k-means), computed once per context."""
        if self._colours is None:
            from engine.color import product_colours

            self._colours = product_colours(self.cutout.crop())
        return self._colours


def _image(creative_or_image) -> Image.Image:
    return getattr(creative_or_image, "image", creative_or_image)


def _over_grey(rgb: Image.Image, alpha: Image.Image) -> np.ndarray:
    """The product over a flat grey, so both sides are compared on the product's pixels only."""
    a = np.asarray(alpha, dtype=np.float32)[..., None] / 255.0
    return (np.asarray(rgb.convert("RGB"), dtype=np.float32) * a + 128.0 * (1 - a)).astype(np.uint8)


@register_metric("product_fidelity", "Product unaltered (SSIM)", ("image",),
                 "SSIM between the product in the creative and in the original photo; ~1.0 proves the "
                 "product's pixels were composited as photographed, not repainted.")
def product_fidelity(creative, context: ImageContext) -> Score:
    placement = context.placement
    width, height = placement.size
    factor = min(1.0, SSIM_SIDE / max(width, height))
    size = (max(7, round(width * factor)), max(7, round(height * factor)))
    # Both sides are scaled to the same small size straight from their own pixels: the creative's
    # product region, and the source photo's product region (not the copy the renderer pasted).
    creative_crop = _image(creative).crop(placement.box)
    source_crop = context.source.crop(placement.source_bbox)
    source_alpha = context.cutout.rgba.getchannel("A").crop(placement.source_bbox)
    ours = _over_grey(creative_crop.resize(size, Image.BILINEAR), placement.alpha.resize(size, Image.BILINEAR))
    theirs = _over_grey(source_crop.resize(size, Image.BILINEAR), source_alpha.resize(size, Image.BILINEAR))
    ssim = float(structural_similarity(ours, theirs, channel_axis=-1, data_range=255))
    opaque = np.asarray(placement.alpha) == 255
    crop = np.asarray(creative_crop.convert("RGB"))
    exact = float(np.mean(np.all(crop[opaque] == np.asarray(placement.rgb)[opaque], axis=-1))) if opaque.any() else 0.0
    return Score("product_fidelity", "Product unaltered (SSIM)", ssim, f"{ssim:.3f}",
                 "The product was composited from the photo, not redrawn: SSIM vs the source's product region.",
                 good=ssim >= 0.95, details={"opaque_pixels_identical": round(exact, 4)})


@register_metric("sharpness", "Sharpness", ("image",),
                 f"Variance of the Laplacian over the product; below {SHARPNESS_THRESHOLD:.0f} the product looks soft.")
def sharpness(creative, context: ImageContext) -> Score:
    grey = np.asarray(_image(creative).convert("L").crop(context.placement.box), dtype=np.float32)
    inside = ndimage.binary_erosion(np.asarray(context.placement.alpha) > 250, iterations=3)
    laplacian = ndimage.laplace(grey)
    variance = float(laplacian[inside].var()) if inside.any() else 0.0
    value = variance / (variance + SHARPNESS_THRESHOLD)  # 0.5 exactly at the threshold
    # Smooth or dark products (a black bag, a foam block) score low however crisp the photo is,
    # so only a very low value is called soft; otherwise the number is information.
    soft = variance < SHARPNESS_THRESHOLD / 10
    return Score("sharpness", "Sharpness", value, f"{variance:.0f}",
                 "Variance of the Laplacian inside the product (higher is crisper). Smooth or dark products "
                 "score low naturally; under 10 the product looks soft.",
                 good=False if soft else None, details={"laplacian_variance": round(variance, 1)})


@register_metric("text_contrast", "Text contrast", ("image",),
                 "Worst WCAG contrast ratio between any text and the pixels behind it (4.5:1 is the AA bar).")
def text_contrast(creative, context: ImageContext) -> Score:
    from engine.color import MIN_CONTRAST, worst_contrast

    if not context.text:
        return Score("text_contrast", "Text contrast", None, "n/a", "No text on this creative.")
    per_box = {f"{t.role}": round(worst_contrast(t.colour, t.behind), 2) for t in context.text}
    worst = min(per_box.values())
    return Score("text_contrast", "Text contrast", worst, f"{worst:.1f}:1",
                 "Lowest WCAG contrast of the text against what is behind it.",
                 good=worst >= MIN_CONTRAST, details={"per_text": per_box})


def coverage_target(size: tuple[int, int]) -> float:
    """Share of a canvas the product should cover to hold its own in a feed."""
    width, height = size
    # Wide banners are height-bound: the product can only fill a smaller share of them.
    return 0.1 if width / height > 1.5 else 0.2


def product_share(alpha, size: tuple[int, int]) -> float:
    """Share of a ``size`` canvas covered by a placed product's (mostly) opaque pixels."""
    return float((np.asarray(alpha) > 127).sum()) / (size[0] * size[1])


@register_metric("product_coverage", "Product coverage", ("image",),
                 "Share of the canvas covered by the product; under 20% (10% on wide banners) it gets lost in the feed.")
def product_coverage(creative, context: ImageContext) -> Score:
    image = _image(creative)
    covered = product_share(context.placement.alpha, image.size)
    enough = coverage_target(image.size)
    explanation = f"How much of the frame the product fills (at least {enough:.0%} for this format)."
    details = {"target": enough}
    # The renderer notes why a product could not be scaled up to the target (its shape against
    # the room the layout leaves); the badge's tooltip passes that on rather than a bare fail.
    limit = getattr(context.placement, "limit", "")
    if limit and covered < enough:
        explanation, details["limit"] = f"{explanation} {limit}", limit
    return Score("product_coverage", "Product coverage", covered, f"{covered:.0%}", explanation,
                 good=covered >= enough, details=details)


# Named colours for copy words, as sRGB; matched in Lab. Synonyms share an entry.
NAMED_COLOURS: dict[str, tuple[int, int, int]] = {
    "black": (20, 20, 22), "white": (245, 245, 245), "grey": (128, 128, 128), "silver": (192, 192, 196),
    "charcoal": (60, 62, 66), "red": (200, 30, 40), "maroon": (110, 20, 30), "orange": (240, 120, 30),
    "yellow": (245, 215, 40), "gold": (200, 160, 50), "beige": (225, 205, 170), "cream": (245, 235, 210),
    "brown": (110, 70, 40), "tan": (190, 150, 105), "green": (40, 140, 60), "olive": (110, 110, 40),
    "teal": (0, 120, 120), "turquoise": (60, 200, 200), "blue": (40, 90, 200), "navy": (25, 35, 80),
    "purple": (110, 50, 140), "violet": (140, 90, 200), "lavender": (190, 170, 220), "pink": (235, 120, 170),
    "magenta": (200, 40, 140),
}
SYNONYMS = {"gray": "grey", "khaki": "tan", "burgundy": "maroon", "aqua": "turquoise", "ivory": "cream",
            "indigo": "navy", "lilac": "lavender", "rose": "pink", "fuchsia": "magenta", "crimson": "red"}


def colour_words_in(text: str) -> list[str]:
    """Colour words a piece of copy uses, in order, deduplicated."""
    words = re.findall(r"[a-z]+", text.lower())
    known = set(NAMED_COLOURS) | set(SYNONYMS)
    return list(dict.fromkeys(w for w in words if w in known))


def _lab(rgb) -> np.ndarray:
    return skcolor.rgb2lab(np.array(rgb, dtype=np.float64).reshape(-1, 1, 3) / 255.0).reshape(-1, 3)


def product_colour_names(colours, weights) -> list[tuple[str, float]]:
    """The product's dominant colours named by the nearest entry of ``NAMED_COLOURS`` (Lab)."""
    names, refs = list(NAMED_COLOURS), _lab(list(NAMED_COLOURS.values()))
    out: dict[str, float] = {}
    for colour, weight in zip(colours, weights):
        nearest = names[int(np.argmin(np.linalg.norm(refs - _lab(colour), axis=1)))]
        out[nearest] = out.get(nearest, 0.0) + weight
    return sorted(out.items(), key=lambda kv: -kv[1])


@register_metric("colour_consistency", "Colour matches copy", ("image",),
                 "Checks every colour word in the copy against the product's dominant pixel colours (Lab).")
def colour_consistency(creative, context: ImageContext) -> Score:
    words = [w.lower() for w in context.colour_words] or colour_words_in(context.title)
    words = [SYNONYMS.get(w, w) for w in words if SYNONYMS.get(w, w) in NAMED_COLOURS]
    colours, weights = context.product_colours()
    named = product_colour_names(colours, weights)
    if not words:
        return Score("colour_consistency", "Colour matches copy", None, "n/a",
                     "The copy names no colour to check.", details={"product_colours": [n for n, _ in named]})
    significant = _lab([c for c, w in zip(colours, weights) if w >= 0.08] or colours[:1])
    matched, unmatched = [], []
    for word in dict.fromkeys(words):
        distance = float(np.min(np.linalg.norm(significant - _lab(NAMED_COLOURS[word]), axis=1)))
        (matched if distance <= COLOUR_MATCH_DELTA_E or word in dict(named) else unmatched).append(word)
    value = len(matched) / (len(matched) + len(unmatched))
    return Score("colour_consistency", "Colour matches copy", value, f"{len(matched)}/{len(matched) + len(unmatched)}",
                 "Colour words in the copy that the product's pixels actually show.",
                 good=not unmatched, details={"matched": matched, "unmatched": unmatched,
                                               "product_colours": [n for n, _ in named]})


IMAGE_METRICS = ("product_fidelity", "sharpness", "text_contrast", "product_coverage", "colour_consistency")


def score_creative(creative_or_image, context: ImageContext, names=IMAGE_METRICS) -> list[Score]:
    """Scores built on ``ImageContext``; other image metrics in the registry may need other contexts."""
    return [METRICS[name].fn(creative_or_image, context) for name in names]
