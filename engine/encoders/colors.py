"""Name the dominant colours of the product in a photo: something a photo shows that we can
measure honestly (no captioning model is available offline), and pass on to the copy prompt.
"""
from __future__ import annotations

import numpy as np
from PIL import Image
from skimage.color import rgb2lab

# Basic colour terms a shopper uses, with a typical sRGB value each.
NAMED_COLOURS: dict[str, tuple[int, int, int]] = {
    "black": (20, 20, 20), "white": (245, 245, 245), "gray": (128, 128, 128),
    "light gray": (200, 200, 200), "charcoal": (60, 62, 66), "red": (200, 30, 40),
    "burgundy": (110, 20, 40), "pink": (240, 140, 170), "orange": (240, 120, 30),
    "yellow": (240, 210, 40), "beige": (220, 200, 160), "brown": (120, 75, 40),
    "tan": (200, 160, 110), "green": (40, 150, 60), "olive": (110, 110, 40),
    "teal": (20, 130, 130), "blue": (40, 90, 200), "navy": (25, 35, 80),
    "light blue": (140, 190, 235), "purple": (120, 60, 160), "lavender": (180, 160, 220),
    "gold": (200, 165, 60), "silver": (190, 190, 195),
}
_NAMES = list(NAMED_COLOURS)
_LAB = rgb2lab(np.array([list(NAMED_COLOURS.values())], dtype=np.float64) / 255.0)[0]


def _product_pixels(image: Image.Image, mask: np.ndarray | None) -> np.ndarray:
    small = image.convert("RGB").resize((96, 96))
    pixels = np.asarray(small, dtype=np.float64).reshape(-1, 3) / 255.0
    if mask is not None:
        keep = np.asarray(Image.fromarray(mask).resize((96, 96))).reshape(-1) > 127
    else:
        # Catalog photos sit on a plain backdrop: drop pixels close to the border colour.
        border = np.concatenate([pixels[:96], pixels[-96:]])
        backdrop = np.median(border, axis=0)
        keep = np.abs(pixels - backdrop).sum(1) > 0.12
    chosen = pixels[keep]
    return chosen if len(chosen) > 50 else pixels


def dominant_colours(image: Image.Image, mask: np.ndarray | None = None, top: int = 2, min_share: float = 0.15) -> list[str]:
    """Colour names covering at least ``min_share`` of the product's pixels, most common first."""
    lab = rgb2lab(_product_pixels(image, mask)[None])[0]
    distances = ((lab[:, None, :] - _LAB[None]) ** 2).sum(-1)
    counts = np.bincount(distances.argmin(1), minlength=len(_NAMES)) / len(lab)
    order = np.argsort(-counts)
    return [_NAMES[i] for i in order[:top] if counts[i] >= min_share]
