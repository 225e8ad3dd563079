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
from skimage.morphology import convex_hull_image

from engine.scores.registry import METRICS, Score, register_metric

SHARPNESS_THRESHOLD = 100.0  # variance of the Laplacian (0-255 grey) below which a photo reads as soft
SSIM_SIDE = 256  # SSIM runs on the product region scaled to at most this side: fast, still detailed
SSIM_WINDOW = 7  # skimage's default window side
OPAQUE = 230  # alpha (0-255) from which a pixel is the product's own, not its feathered rim
SAME_COLOUR = 40  # 0-255, any channel: an ad pixel this close to the photo's shows it as photographed
FIDELITY_GOOD = 0.95  # "Product unaltered" is green from here: SSIM, pixels and outline shown alike
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
            from engine.core.color import product_colours

            self._colours = product_colours(self.cutout.crop())
        return self._colours


def _image(creative_or_image) -> Image.Image:
    return getattr(creative_or_image, "image", creative_or_image)


def _over_grey(rgb: Image.Image, alpha: Image.Image) -> np.ndarray:
    """The product over a flat grey, so both sides are compared on the product's pixels only."""
    a = np.asarray(alpha, dtype=np.float32)[..., None] / 255.0
    return (np.asarray(rgb.convert("RGB"), dtype=np.float32) * a + 128.0 * (1 - a)).astype(np.uint8)


def _shown_in_source(placement, source_size: tuple[int, int], canvas_size: tuple[int, int]) -> np.ndarray:
    """Bool mask in photo coordinates: the photo pixels the ad shows as product (placed alpha
    over half, and on the canvas), mapped back through the placement's scale."""
    left, top, right, bottom = placement.source_bbox
    alpha = np.asarray(placement.alpha, dtype=np.uint8).copy()
    x, y = placement.position
    # Whatever of the product fell off the canvas is not shown.
    alpha[:, :max(0, -x)] = 0
    alpha[:max(0, -y)] = 0
    alpha[:, max(0, canvas_size[0] - x):] = 0
    alpha[max(0, canvas_size[1] - y):] = 0
    back = np.asarray(Image.fromarray(alpha).resize((right - left, bottom - top), Image.BILINEAR)) > 127
    shown = np.zeros((source_size[1], source_size[0]), bool)
    shown[top:bottom, left:right] = back
    return shown


def _as_photographed(image: Image.Image, source: Image.Image, placement) -> np.ndarray:
    """Bool mask in photo coordinates: where the ad's pixel (mapped back through the placement)
    has the photo's colour, the photo taken through the same resampling so only changes differ."""
    left, top, right, bottom = placement.source_bbox
    size = (right - left, bottom - top)
    ad = image.convert("RGB").crop(placement.box).resize(size, Image.BILINEAR)
    photo = source.convert("RGB").crop(placement.source_bbox)
    photo = photo.resize(placement.size, Image.LANCZOS).resize(size, Image.BILINEAR)
    same = np.abs(np.asarray(ad, np.int16) - np.asarray(photo, np.int16)).max(-1) <= SAME_COLOUR
    out = np.zeros((source.height, source.width), bool)
    out[top:bottom, left:right] = same
    return out


def _hull_share(expected: np.ndarray, shown: np.ndarray) -> float:
    """Share of the photo's product outline (its convex hull) that the ad's product spans: a
    missing antenna or strap costs little area but much of the outline."""
    factor = min(1.0, SSIM_SIDE / max(expected.shape))
    size = (max(1, round(expected.shape[1] * factor)), max(1, round(expected.shape[0] * factor)))
    small = lambda mask: np.asarray(Image.fromarray(mask.astype(np.uint8) * 255).resize(size, Image.BOX)) > 0  # noqa: E731
    expected_small, shown_small = small(expected), small(shown & expected)
    if not expected_small.any():
        return 1.0
    if not shown_small.any():
        return 0.0
    whole = convex_hull_image(expected_small)
    return float((convex_hull_image(shown_small) & whole).sum() / whole.sum())


@register_metric("product_fidelity", "Product unaltered (SSIM)", ("image",),
                 "The product in the creative against the product in the photo: the lowest of the SSIM "
                 "over the product's pixels, the share of the photo's product pixels the ad shows, and the "
                 "share of its outline; ~1.0 proves it was composited whole, as photographed, not repainted.")
def product_fidelity(creative, context: ImageContext) -> Score:
    placement, image = context.placement, _image(creative)
    expected_alpha, reference = context.cutout.expected_product()
    expected = expected_alpha > 127
    shown = _shown_in_source(placement, context.source.size, image.size)
    # "Within a pixel": the cut-out's one-pixel edge shrink is edge treatment, not a lost part.
    square = np.ones((3, 3), bool)
    near_shown = ndimage.binary_dilation(shown, structure=square)
    kept = float((expected & near_shown).sum() / max(1, expected.sum()))
    # The outline counts only pixels the ad shows as photographed: an antenna painted over with
    # backdrop is as gone from the outline as one the cut-out lost.
    as_photographed = ndimage.binary_dilation(shown & _as_photographed(image, context.source, placement), square)
    outline = _hull_share(expected, as_photographed)
    ssim = _product_ssim(image, context.source, placement, expected_alpha, shown)
    value = min(ssim, kept, outline)
    opaque = np.asarray(placement.alpha) == 255
    crop = np.asarray(image.crop(placement.box).convert("RGB"))
    exact = float(np.mean(np.all(crop[opaque] == np.asarray(placement.rgb)[opaque], axis=-1))) if opaque.any() else 0.0
    if kept < FIDELITY_GOOD or outline < FIDELITY_GOOD:
        explanation = (f"A part of the product is missing: the ad shows {kept:.0%} of the photo's product pixels "
                       f"and {outline:.0%} of its outline as photographed (reference: {reference}).")
    elif ssim < FIDELITY_GOOD:
        explanation = f"The product's pixels differ from the photo's (SSIM {ssim:.3f} over the product)."
    else:
        explanation = (f"The whole product, composited from the photo, not redrawn: SSIM {ssim:.3f} over its pixels, "
                       f"{kept:.0%} of its pixels and {outline:.0%} of its outline shown.")
    return Score("product_fidelity", "Product unaltered (SSIM)", value, f"{value:.3f}", explanation,
                 good=value >= FIDELITY_GOOD,
                 details={"ssim": round(ssim, 4), "product_pixels_shown": round(kept, 4),
                          "outline_shown": round(outline, 4), "reference": reference,
                          "cutout": getattr(context.cutout, "method", ""),
                          "opaque_pixels_identical": round(exact, 4)})


def _product_ssim(image: Image.Image, source: Image.Image, placement, expected_alpha: np.ndarray,
                  shown: np.ndarray) -> float:
    """SSIM between the ad and the photo, averaged over the pixels either side shows opaque as
    product (not over the empty box around it, which would flatter a thin product), both laid
    over a flat grey: a pixel that is product on one side and more than a pixel from it on the
    other counts as 0."""
    ys, xs = np.nonzero((expected_alpha > 127) | shown)
    if len(xs) == 0:
        return 0.0
    extent = (int(xs.min()), int(ys.min()), int(xs.max()) + 1, int(ys.max()) + 1)  # in photo pixels
    left, top, right, bottom = placement.source_bbox
    x, y = placement.position
    # Per-axis scale as pasted (the renderer rounds the size), so the photo's product box maps
    # exactly onto the pasted box: half a pixel off at a hard edge costs SSIM points.
    scale_x, scale_y = placement.size[0] / (right - left), placement.size[1] / (bottom - top)
    to_canvas = lambda sx, sy: (x + (sx - left) * scale_x, y + (sy - top) * scale_y)  # noqa: E731
    canvas_extent = tuple(round(v) for v in (*to_canvas(*extent[:2]), *to_canvas(*extent[2:])))
    width, height = extent[2] - extent[0], extent[3] - extent[1]
    # Never finer than the ad shows the product: a small banner's product is compared at its own
    # resolution, not against the photo's detail it never had room for.
    factor = min(1.0, SSIM_SIDE / max(width, height), placement.scale)
    size = (max(7, round(width * factor)), max(7, round(height * factor)))
    # The ad's product: the canvas with the placed alpha, cut over the same extent (off-canvas is
    # empty). Cropped, then resized: a resize averages when it shrinks, so fine textures compare
    # alike on both sides (a point-sampling transform aliases them).
    ad_alpha = Image.new("L", image.size, 0)
    ad_alpha.paste(placement.alpha, placement.position)
    ad_rgb = image.convert("RGB").crop(canvas_extent).resize(size, Image.BILINEAR)
    ad_a = ad_alpha.crop(canvas_extent).resize(size, Image.BILINEAR)
    # The photo through the renderer's own resampling first, so only what changed differs.
    placed_size = (max(1, canvas_extent[2] - canvas_extent[0]), max(1, canvas_extent[3] - canvas_extent[1]))
    photo_rgb = source.convert("RGB").crop(extent).resize(placed_size, Image.LANCZOS).resize(size, Image.BILINEAR)
    photo_a = Image.fromarray(expected_alpha[extent[1]:extent[3], extent[0]:extent[2]]).resize(size, Image.BILINEAR)
    # Both over grey through the photo's product alpha: their edges then blend alike, and what
    # SSIM sees is only whether the pixels under the product are the photo's. A part the ad
    # lacks shows its backdrop there; one it adds counts 0 below.
    ours, theirs = _over_grey(ad_rgb, photo_a), _over_grey(photo_rgb, photo_a)
    _, similarity = structural_similarity(ours, theirs, channel_axis=-1, data_range=255, full=True)
    similarity = similarity.mean(-1)
    ours_on, theirs_on = np.asarray(ad_a) > 127, np.asarray(photo_a) > 127
    square = np.ones((3, 3), bool)
    one_sided = (ours_on & ~ndimage.binary_dilation(theirs_on, square)) | (theirs_on & ~ndimage.binary_dilation(ours_on, square))
    # Averaged inside the product, where no 7-px SSIM window reaches its feathered rim: the rim
    # blends with each side's own backdrop (the ad's shadow, the photo's white), which is
    # compositing, not alteration. Pixels on one side only count, as 0.
    opaque = (np.asarray(ad_a) >= OPAQUE) | (np.asarray(photo_a) >= OPAQUE)
    region = ndimage.binary_erosion(opaque, square, iterations=SSIM_WINDOW // 2) | one_sided
    if not region.any():  # a product too small or thin for an interior: its opaque pixels
        region = opaque | one_sided
    if not region.any():
        return 0.0
    similarity = np.where(one_sided, 0.0, similarity)
    return float(similarity[region].mean())


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
    from engine.core.color import MIN_CONTRAST, worst_contrast

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
