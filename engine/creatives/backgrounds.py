"""Background styles for ad creatives, created by name: ``create_background("marble")``.

Every style is procedural (numpy + PIL, no texture files) and deterministic given a
``numpy.random.Generator``. A style draws only the backdrop and says how strong the
product's contact shadow should be; the product itself is composited by ``images.py``.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Callable

import numpy as np
from PIL import Image, ImageDraw, ImageFilter
from skimage import color as skcolor

from engine.core.color import RGB, product_colours  # noqa: F401 - shared with the image scores


# --------------------------------------------------------------------------- colours


def hex_to_rgb(value: str) -> RGB:
    value = value.strip().lstrip("#")
    if len(value) == 3:
        value = "".join(c * 2 for c in value)
    if len(value) != 6:
        raise ValueError(f"not a hex colour: #{value}")
    return tuple(int(value[i : i + 2], 16) for i in (0, 2, 4))  # type: ignore[return-value]


def rgb_to_hex(rgb: RGB) -> str:
    return "#{:02x}{:02x}{:02x}".format(*rgb)


def to_lch(rgb: RGB) -> np.ndarray:
    lab = skcolor.rgb2lab(np.array(rgb, dtype=np.float64).reshape(1, 1, 3) / 255.0)[0, 0]
    return np.array([lab[0], np.hypot(lab[1], lab[2]), np.degrees(np.arctan2(lab[2], lab[1])) % 360])


def from_lch(lightness: float, chroma: float, hue: float) -> RGB:
    h = np.radians(hue)
    lab = np.array([lightness, chroma * np.cos(h), chroma * np.sin(h)]).reshape(1, 1, 3)
    rgb = np.clip(skcolor.lab2rgb(lab)[0, 0], 0, 1)
    return tuple(int(round(v * 255)) for v in rgb)  # type: ignore[return-value]


@dataclass(frozen=True)
class Palette:
    """Colours a creative is built from. ``product`` holds the product's own dominant colours."""

    name: str
    base: RGB  # main backdrop colour (light)
    second: RGB  # second backdrop colour (gradients, floors)
    accent: RGB  # call-to-action button / split panel
    product: tuple[RGB, ...] = ()
    product_weights: tuple[float, ...] = ()

    def to_dict(self) -> dict:
        return {"name": self.name, "base": rgb_to_hex(self.base), "second": rgb_to_hex(self.second),
                "accent": rgb_to_hex(self.accent), "product": [rgb_to_hex(c) for c in self.product]}


# Named palettes: (base, second, accent). "auto" derives all three from the product.
NAMED_PALETTES: dict[str, tuple[str, str, str]] = {
    "mono": ("#f4f4f4", "#d9d9d9", "#222222"),
    "warm": ("#fbf1e6", "#f0d5bd", "#b5482b"),
    "cool": ("#eef4fa", "#cfdff0", "#1f4e79"),
    "forest": ("#eef3ec", "#c9d8c4", "#2f5d3a"),
    "sunset": ("#fff1e8", "#ffc9b0", "#c2185b"),
    "night": ("#2b2f3a", "#151821", "#f2b134"),
}




def resolve_palette(spec: str, rgba: Image.Image | None = None) -> Palette:
    """``"auto"`` (from the product), a name in ``NAMED_PALETTES``, or ``"#base,#second,#accent"``."""
    spec = (spec or "auto").strip()
    colours, weights = product_colours(rgba) if rgba is not None else ([], [])
    if spec.lower() in NAMED_PALETTES:
        base, second, accent = (hex_to_rgb(c) for c in NAMED_PALETTES[spec.lower()])
        return Palette(spec.lower(), base, second, accent, tuple(colours), tuple(weights))
    if spec.startswith("#"):
        parts = [hex_to_rgb(p) for p in spec.split(",") if p.strip()]
        if not 1 <= len(parts) <= 3:
            raise ValueError(f"palette {spec!r}: give 1 to 3 hex colours (base, second, accent)")
        base = parts[0]
        second = parts[1] if len(parts) > 1 else from_lch(*(to_lch(base) - [12, 0, 0]))
        accent = parts[2] if len(parts) > 2 else from_lch(30, 40, to_lch(base)[2])
        return Palette("custom", base, second, accent, tuple(colours), tuple(weights))
    if spec.lower() != "auto":
        raise ValueError(f"unknown palette {spec!r}; accepted: auto, {', '.join(NAMED_PALETTES)} or hex list")
    if not colours:
        return Palette("auto", (245, 245, 245), (220, 220, 220), (40, 40, 40))
    # The most colourful cluster with a fair share of the product carries its identity.
    lch = [to_lch(c) for c in colours]
    key = max(range(len(colours)), key=lambda i: lch[i][1] * (weights[i] > 0.1))
    lightness, chroma, hue = lch[key]
    if chroma < 12:  # a neutral product (black bag, white shirt): a warm neutral backdrop
        return Palette("auto", from_lch(95, 3, 80), from_lch(86, 6, 75), from_lch(28, 20, 40),
                       tuple(colours), tuple(weights))
    complement = (hue + 180) % 360
    # Light, low-chroma complementary tint: the product pops without the backdrop shouting.
    base = from_lch(94, min(10, chroma * 0.3), complement)
    second = from_lch(84, min(18, chroma * 0.45), complement)
    accent = from_lch(min(lightness, 40), max(chroma, 35), hue)
    return Palette("auto", base, second, accent, tuple(colours), tuple(weights))


# --------------------------------------------------------------------------- helpers


def smooth_noise(rng: np.random.Generator, size: tuple[int, int], cell: float) -> np.ndarray:
    """Value noise in [0, 1]: random values on a coarse grid upscaled bicubically."""
    width, height = size
    gw, gh = max(2, int(width / cell) + 2), max(2, int(height / cell) + 2)
    grid = rng.random((gh, gw), dtype=np.float32)
    up = Image.fromarray(grid).resize((width, height), Image.BICUBIC)
    return np.asarray(up, dtype=np.float32)


def anisotropic_noise(rng: np.random.Generator, size: tuple[int, int], cell: tuple[float, float]) -> np.ndarray:
    """Value noise with different feature sizes along x and y (wood grain, brushed textures)."""
    width, height = size
    gw, gh = max(2, int(width / cell[0]) + 2), max(2, int(height / cell[1]) + 2)
    grid = rng.random((gh, gw), dtype=np.float32)
    return np.asarray(Image.fromarray(grid).resize((width, height), Image.BICUBIC), dtype=np.float32)


def fractal_noise(rng: np.random.Generator, size: tuple[int, int], cell: float, octaves: int = 4) -> np.ndarray:
    total = np.zeros(size[::-1], dtype=np.float32)
    amplitude, norm = 1.0, 0.0
    for _ in range(octaves):
        total += amplitude * smooth_noise(rng, size, cell)
        norm += amplitude
        amplitude *= 0.5
        cell = max(cell / 2, 1.5)
    return total / norm


def vertical_gradient(size: tuple[int, int], top: RGB, bottom: RGB, t: np.ndarray | None = None) -> np.ndarray:
    width, height = size
    if t is None:
        t = np.linspace(0, 1, height, dtype=np.float32)[:, None, None]
    a, b = np.array(top, np.float32), np.array(bottom, np.float32)
    return np.broadcast_to(a + (b - a) * t, (height, width, 3)).astype(np.float32)


def to_image(array: np.ndarray) -> Image.Image:
    return Image.fromarray(np.clip(array, 0, 255).astype(np.uint8))


# --------------------------------------------------------------------------- registry


@dataclass
class Background:
    """A backdrop style. ``render`` gets the canvas size, palette, RNG and the product's floor line."""

    name: str = "base"
    label: str = ""
    shadow: float = 0.35  # opacity of the contact shadow under the product
    description: str = ""
    options: dict = field(default_factory=dict)
    # Smooth styles are drawn at a fraction of the canvas and upscaled: same look, a tenth of the time.
    resolution: float = 1.0

    def render(self, size: tuple[int, int], palette: Palette, rng: np.random.Generator,
               floor_y: int | None = None) -> Image.Image:
        if self.resolution >= 1.0:
            return self.draw(size, palette, rng, floor_y)
        small = (max(8, round(size[0] * self.resolution)), max(8, round(size[1] * self.resolution)))
        small_floor = None if floor_y is None else round(floor_y * small[1] / size[1])
        return self.draw(small, palette, rng, small_floor).resize(size, Image.BICUBIC)

    def draw(self, size: tuple[int, int], palette: Palette, rng: np.random.Generator,
             floor_y: int | None = None) -> Image.Image:
        raise NotImplementedError


BACKGROUNDS: dict[str, type[Background]] = {}


def register_background(name: str) -> Callable[[type[Background]], type[Background]]:
    def wrap(cls: type[Background]) -> type[Background]:
        cls.name = name
        BACKGROUNDS[name] = cls
        return cls

    return wrap


def create_background(name: str, **options) -> Background:
    if name not in BACKGROUNDS:
        raise ValueError(f"unknown background style {name!r}; accepted: {', '.join(BACKGROUNDS)}")
    return BACKGROUNDS[name](options=options)


def list_backgrounds() -> list[str]:
    return list(BACKGROUNDS)


@register_background("studio")
class Studio(Background):
    label = "Studio white"
    description = "Clean white sweep with a soft contact shadow, the marketplace standard."
    shadow = 0.45
    resolution = 0.125

    def draw(self, size, palette, rng, floor_y=None):
        width, height = size
        # A faint radial falloff reads as a lit sweep instead of a flat #fff void.
        yy, xx = np.ogrid[0:height, 0:width]
        yy, xx = yy.astype(np.float32), xx.astype(np.float32)
        r = np.hypot((xx - width / 2) / width, (yy - height * 0.45) / height)
        shade = 255 - 14 * np.clip(r / 0.75, 0, 1) ** 2
        return to_image(np.repeat(shade[..., None], 3, axis=2))


@register_background("gradient")
class Gradient(Background):
    label = "Soft gradient"
    description = "Vertical gradient between the palette's two backdrop colours."
    shadow = 0.3
    resolution = 0.125

    def draw(self, size, palette, rng, floor_y=None):
        return to_image(vertical_gradient(size, palette.base, palette.second))


@register_background("palette")
class PaletteBlocks(Background):
    label = "Product palette"
    description = "Colour blocks tinted from the product's own colours (k-means), complementary backdrop."
    shadow = 0.3
    resolution = 0.25

    def draw(self, size, palette, rng, floor_y=None):
        width, height = size
        image = Image.new("RGB", size, palette.base)
        draw = ImageDraw.Draw(image)
        tints = [from_lch(88, min(to_lch(c)[1], 22), to_lch(c)[2]) for c in (palette.product or (palette.second,))]
        tints = tints + [palette.second]
        # Large soft circles in the product's tints, placed by the seed.
        for i in range(3):
            radius = int(min(width, height) * rng.uniform(0.35, 0.6))
            cx, cy = int(rng.uniform(0, width)), int(rng.uniform(0, height))
            draw.ellipse((cx - radius, cy - radius, cx + radius, cy + radius), fill=tints[i % len(tints)])
        return image.filter(ImageFilter.GaussianBlur(min(width, height) / 40))


@register_background("linen")
class Linen(Background):
    label = "Linen"
    description = "Woven linen texture in the palette's backdrop colour."
    shadow = 0.35

    def draw(self, size, palette, rng, floor_y=None):
        width, height = size
        # Threads: independent brightness per row and per column, plus slubs along them.
        rows = rng.normal(0, 1, (height, 1)).astype(np.float32)
        cols = rng.normal(0, 1, (1, width)).astype(np.float32)
        slubs = smooth_noise(rng, size, 24) - 0.5
        weave = 5.0 * rows + 5.0 * cols + 10.0 * slubs + 3.0 * rng.normal(0, 1, (height, width)).astype(np.float32)
        base = vertical_gradient(size, palette.base, tuple(int(0.5 * (a + b)) for a, b in zip(palette.base, palette.second)))
        return to_image(base + weave[..., None])


@register_background("marble")
class Marble(Background):
    label = "Marble"
    description = "White marble with soft grey veins."
    shadow = 0.35
    resolution = 0.35

    def draw(self, size, palette, rng, floor_y=None):
        width, height = size
        side = min(width, height)
        yy, xx = np.ogrid[0:height, 0:width]
        yy, xx = yy.astype(np.float32) / side, xx.astype(np.float32) / side
        tint = np.array(palette.base, np.float32) * 0.2 + np.array((247, 246, 244), np.float32) * 0.8
        marble = np.broadcast_to(tint, (height, width, 3)).astype(np.float32)
        marble = marble - 7 * smooth_noise(rng, size, side / 3)[..., None]
        # Veins: thin lines where a turbulence-warped ramp crosses integers; a bold and a faint family.
        for strength, frequency, warp, thickness in ((0.5, 1.6, 1.8, 0.010), (0.25, 3.5, 1.2, 0.004)):
            turbulence = fractal_noise(rng, size, side / 2.5, octaves=4)
            angle = rng.uniform(0.3, 1.3)
            t = (xx * np.float32(np.cos(angle)) + yy * np.float32(np.sin(angle))) * np.float32(frequency) + np.float32(warp) * turbulence
            vein = np.exp(-np.sin(np.float32(np.pi) * t) ** 2 / np.float32(thickness))
            marble = marble - (np.float32(strength * 95) * vein)[..., None]
        return to_image(marble)


@register_background("shelf")
class Shelf(Background):
    label = "Shelf scene"
    description = "Lifestyle scene: a painted wall and a wooden shelf the product stands on."
    shadow = 0.5
    resolution = 0.5

    def draw(self, size, palette, rng, floor_y=None):
        width, height = size
        floor_y = int(height * 0.72) if floor_y is None else int(floor_y)
        # The product stands well in front of the wall: the horizon sits clearly above its base.
        horizon = int(np.clip(floor_y - 0.12 * height, height * 0.25, height * 0.9))
        wall = vertical_gradient((width, horizon), palette.base,
                                 tuple(int(0.8 * a + 0.2 * b) for a, b in zip(palette.base, palette.second)))
        wall = wall + 4.0 * (smooth_noise(rng, (width, horizon), 60) - 0.5)[..., None]
        # Window light: a soft diagonal brightening across the wall.
        yy, xx = np.ogrid[0:horizon, 0:width]
        yy, xx = yy.astype(np.float32), xx.astype(np.float32)
        wall = wall + 10.0 * np.clip(1 - np.abs((xx - yy * 0.6) / width - 0.3) * 3, 0, 1)[..., None]
        floor_h = height - horizon
        # Grain runs along the board: noise stretched 40x along x, rings as sines of warped y.
        warp = anisotropic_noise(rng, (width, floor_h), (width / 3, 24))
        fine = anisotropic_noise(rng, (width, floor_h), (width / 6, 3))
        grain_noise = anisotropic_noise(rng, (width, floor_h), (width / 2, floor_h / 2))
        yy, xx = np.ogrid[0:floor_h, 0:width]
        yy, xx = yy.astype(np.float32), xx.astype(np.float32)
        grain = 0.7 * np.sin((yy / 9.0 + warp * 6.0) * np.pi) + 0.3 * (fine - 0.5) * 2
        wood_light, wood_dark = np.array((196, 160, 122), np.float32), np.array((150, 111, 78), np.float32)
        mix = (0.5 + 0.35 * grain + 0.3 * (grain_noise - 0.5))[..., None]
        depth = (0.85 + 0.15 * yy / max(floor_h, 1))[..., None]  # nearer wood is lit more
        floor = (wood_dark + (wood_light - wood_dark) * np.clip(mix, 0, 1)) * depth
        canvas = np.concatenate([wall, floor], axis=0)
        # Shelf front edge: a thin highlight, then a shadow line under the wall.
        canvas[horizon : horizon + 3] *= 1.12
        band = max(2, height // 120)
        canvas[max(0, horizon - band) : horizon] *= np.linspace(1.0, 0.8, min(band, horizon), dtype=np.float32)[:, None, None]
        return to_image(canvas)


# --------------------------------------------------------------------------- shadow


def contact_shadow(size: tuple[int, int], alpha: Image.Image, position: tuple[int, int]) -> tuple[np.ndarray, tuple[int, int]]:
    """Shadow strength in [0, 1] for a product whose alpha is pasted at ``position``, as a
    region of the canvas and its top-left corner (nothing outside it is shadowed).

    Built from the product's own silhouette so it follows the shape that touches the floor:
    the silhouette squashed flat onto the floor line (ambient shadow) plus the lowest part of
    the silhouette nudged down and lightly blurred (contact shadow, where it is darkest).
    """
    width, height = size
    mask = (np.asarray(alpha) > 127).astype(np.uint8) * 255
    if not mask.any():
        return np.zeros((1, 1), np.float32), (0, 0)
    ph, pw = mask.shape
    rows = np.flatnonzero(mask.any(1))
    top, bottom = rows[0], rows[-1]
    x0, y0 = position
    shadow = Image.new("L", size, 0)
    # Ambient: the whole silhouette squashed to a thin band whose bottom sits just under the base.
    flat_h = max(2, int((bottom - top) * 0.10))
    flat = Image.fromarray(mask[top : bottom + 1]).resize((pw, flat_h), Image.BILINEAR)
    flat = flat.point(lambda v: int(v * 0.55))
    shadow.paste(flat, (x0, y0 + bottom - int(flat_h * 0.75)), flat)
    # Contact: the base of the silhouette, shifted down a hair.
    base = np.zeros_like(mask)
    band = max(2, int((bottom - top) * 0.06))
    base[bottom - band : bottom + 1] = mask[bottom - band : bottom + 1]
    base_image = Image.fromarray(base)
    shadow.paste(base_image, (x0, y0 + max(1, band // 3)), base_image)
    blur = max(1.5, (bottom - top) * 0.012)
    crop_box = (max(0, x0 - pw // 4), max(0, y0 + bottom - 3 * flat_h), min(width, x0 + pw + pw // 4),
                min(height, y0 + bottom + 3 * flat_h))
    # Blur only around the floor line: the rest of the canvas has no shadow.
    region = shadow.crop(crop_box).filter(ImageFilter.GaussianBlur(blur)).filter(ImageFilter.GaussianBlur(blur))
    return np.asarray(region, dtype=np.float32) / 255.0, crop_box[:2]
