"""Colour maths shared by the generators (backdrops, layouts) and the image scores that judge them:
WCAG contrast, and a product's dominant colours. It sits below both so scores import nothing from
``engine.creatives``."""
from __future__ import annotations

import zlib

import numpy as np
from PIL import Image
from skimage import color as skcolor

RGB = tuple[int, int, int]
MIN_CONTRAST = 4.5  # WCAG AA for normal text


def relative_luminance(rgb: np.ndarray) -> np.ndarray:
    """WCAG 2.x relative luminance of sRGB values in 0..255 (last axis = channels)."""
    c = np.asarray(rgb, dtype=np.float32) / 255.0
    linear = np.where(c <= 0.04045, c / 12.92, ((c + 0.055) / 1.055) ** 2.4)
    return linear @ np.array([0.2126, 0.7152, 0.0722], dtype=np.float32)


def contrast_ratio(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    la, lb = relative_luminance(a), relative_luminance(b)
    return (np.maximum(la, lb) + 0.05) / (np.minimum(la, lb) + 0.05)


def worst_contrast(text_rgb: tuple[int, int, int], behind: np.ndarray) -> float:
    """Lowest contrast between the text colour and any pixel behind it (1st percentile, so a
    single noise pixel in a texture does not decide it)."""
    ratios = contrast_ratio(np.array(text_rgb, np.float32), behind.reshape(-1, 3))
    return float(np.percentile(ratios, 1))


_COLOUR_CACHE: dict[tuple, tuple[list[RGB], list[float]]] = {}


def product_colours(rgba: Image.Image, k: int = 4) -> tuple[list[RGB], list[float]]:
    """Dominant colours of the product's opaque pixels (k-means in Lab), largest cluster first.

    Cached by pixel content: the palette and the colour score ask for the same product."""
    pixels = np.asarray(rgba.convert("RGBA"))
    key = (pixels.shape, k, zlib.crc32(pixels.tobytes()))
    if key not in _COLOUR_CACHE:
        if len(_COLOUR_CACHE) > 32:
            _COLOUR_CACHE.clear()
        _COLOUR_CACHE[key] = _kmeans_colours(pixels, k)
    return _COLOUR_CACHE[key]


def _kmeans_colours(pixels: np.ndarray, k: int) -> tuple[list[RGB], list[float]]:
    from sklearn.cluster import KMeans

    solid = pixels[..., 3] > 200
    rgb = pixels[..., :3][solid]
    if len(rgb) == 0:
        return [(128, 128, 128)], [1.0]
    # The palette describes the product, not the seed: a fixed sample keeps it stable.
    sample = rgb[np.random.default_rng(0).choice(len(rgb), size=min(len(rgb), 2000), replace=False)]
    lab = skcolor.rgb2lab(sample.reshape(-1, 1, 3) / 255.0).reshape(-1, 3)
    k = min(k, len(np.unique(sample, axis=0)))
    km = KMeans(n_clusters=k, n_init=1, max_iter=100, random_state=0).fit(lab)
    counts = np.bincount(km.labels_, minlength=k).astype(float)
    order = np.argsort(-counts)
    centres = skcolor.lab2rgb(km.cluster_centers_[order].reshape(-1, 1, 3)).reshape(-1, 3)
    colours = [tuple(int(round(v * 255)) for v in np.clip(c, 0, 1)) for c in centres]
    return colours, list(counts[order] / counts.sum())  # type: ignore[return-value]
