"""Short product explainer videos: photos with a Ken Burns move, crossfades and captions.

Frames are composed as yuv420p planes rather than with moviepy, whose per-frame Python
composition was measured as the bottleneck: every shot's source is laid out once (PIL) at the
scale it needs and converted once to yuv420p planes; a frame is then one sub-pixel warp per plane
(OpenCV), one paste of a pre-rendered caption and, during a crossfade, one blend, on a worker
thread. Frames stream straight into libx264 through PyAV (H.264, yuv420p, ``+faststart``), so
the mp4 plays in every browser; narration is muxed as AAC.

Sizes: ``9x16`` is 720x1280 by default and ``1x1`` is 720x720 (a 2-core CPU renders these in
a few seconds); pass ``height=1920`` / ``height=1080`` for full-HD deliverables.
"""
from __future__ import annotations

import hashlib
import math
import shutil
import tempfile
import textwrap
from collections import deque
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field, replace
from fractions import Fraction
from pathlib import Path
from typing import Callable, Iterable, Iterator

import av
import cv2
import numpy as np
from PIL import Image, ImageDraw, ImageFilter

from engine.core.errors import StudioError
from engine.creatives.narration import synthesize, wav_duration
from engine.creatives.steps import step
from engine.creatives.text_fit import FittedText, fit_text, font, text_width  # noqa: F401  (font: re-exported)
from engine.scores.registry import Score
from engine.scores.video import VideoContext, score_video

# One thread for the Ken Burns warp: it runs on a worker beside x264's own threads, and a
# second pool would only fight them for the same cores.
cv2.setNumThreads(1)

ASPECTS = {"9x16": (9, 16), "1x1": (1, 1)}
DEFAULT_HEIGHT = {"9x16": 1280, "1x1": 720}
MIN_SECONDS, MAX_SECONDS = 6.0, 20.0
CROSSFADE = 0.5  # seconds; each caption's window runs between crossfade midpoints
MIN_SHOT = 2.0  # seconds a photo stays before the next one; shorter feels like a flicker
CHARS_PER_SECOND = 15.0  # reading speed the caption timing is planned for
CAPTION_LEAD = 0.5  # seconds to notice a new caption before reading starts
MAX_ZOOM = 1.12  # Ken Burns range: subtle enough that a product stays in frame
AUDIO_TAIL = 0.6  # silence after the last word before the video ends
ENCODER = {"codec": "libx264", "preset": "veryfast", "crf": 21, "pix_fmt": "yuv420p"}
CAPTION_WIDTH = 0.84  # share of the frame width a caption's text may take
CAPTION_HEIGHT = 0.34  # share of the frame height a caption card may take
CAPTION_LINES = 3
CAPTION_LEADING = 1.12  # line spacing, times the font's ascent + descent


class VideoError(StudioError):
    pass


@dataclass
class VideoResult:
    path: Path
    aspect: str
    size: tuple[int, int]
    duration: float
    fps: int
    has_audio: bool
    captions: list[tuple[float, float, str]]
    scores: list[Score] = field(default_factory=list)
    settings: dict = field(default_factory=dict)


@dataclass(frozen=True)
class Shot:
    """One photo on screen from ``start`` to ``end`` (crossfades included), with its move."""

    image: int
    start: float
    end: float
    caption: str
    zoom: tuple[float, float]  # zoom at start, at end (1 = whole laid-out source)
    center: tuple[tuple[float, float], tuple[float, float]]  # pan, as fractions of the free range
    transition: str = "crossfade"  # into this shot: "crossfade", or "dip" through the backdrop


def frame_size(aspect: str, height: int | None = None) -> tuple[int, int]:
    if aspect not in ASPECTS:
        raise VideoError(f"unknown aspect {aspect!r}; accepted: {', '.join(ASPECTS)}")
    h = int(height or DEFAULT_HEIGHT[aspect])
    aw, ah = ASPECTS[aspect]
    w = round(h * aw / ah / 2) * 2  # yuv420p needs even sizes
    return w, h - h % 2


def reading_seconds(text: str) -> float:
    return CAPTION_LEAD + max(len(text) / CHARS_PER_SECOND, 0.3 * len(text.split()))


# -- planning ---------------------------------------------------------------------------------

def plan_shots(n_images: int, title: str, bullets: list[str], seconds: float | None = None,
               min_seconds: float = MIN_SECONDS, seed: int = 0) -> list[Shot]:
    """Caption windows long enough to read, one photo each, a seeded pan/zoom per shot.

    Windows partition the timeline; each shot extends half a crossfade into its neighbours.
    Bullets that do not fit in ``MAX_SECONDS`` are dropped from the end.
    """
    captions = [t.strip() for t in [title, *bullets] if t and t.strip()]
    need = [max(MIN_SHOT, reading_seconds(c)) for c in captions]
    while len(need) > 1 and sum(need) > MAX_SECONDS:
        captions.pop(), need.pop()
    if need and need[0] > MAX_SECONDS:  # a title alone too long to read: shorten it to fit
        keep = int((MAX_SECONDS - CAPTION_LEAD) * CHARS_PER_SECOND) - 1
        captions[0] = textwrap.shorten(captions[0], keep, placeholder="…")
        need[0] = reading_seconds(captions[0])
    # Photos without a caption of their own still get a shot, as long as they fit.
    while len(need) < n_images and sum(need) + MIN_SHOT + 0.5 <= max(seconds or 0, MAX_SECONDS * 0.6):
        captions.append(""), need.append(MIN_SHOT + 0.5)
    if not need:
        captions, need = [""], [MIN_SHOT]
    target = min(MAX_SECONDS, max(min_seconds, seconds or 0, sum(need)))
    # Spread spare time evenly, so short captions do not end up flashing past.
    scale = target / sum(need)
    windows = [d * scale for d in need]

    rng = np.random.default_rng(seed)
    # One zoom chain: each shot's move ends where the next one's starts, so at a crossfade both
    # photos are framed alike (a jump in zoom or pan there showed the product twice).
    levels = [1.0, float(rng.uniform(MAX_ZOOM - 0.04, MAX_ZOOM))]
    first = int(rng.integers(2))
    zooms = [levels[(first + i) % 2] for i in range(len(windows) + 1)]
    shots, t = [], 0.0
    for i, (caption, w) in enumerate(zip(captions, windows)):
        start = max(0.0, t - CROSSFADE / 2)
        end = min(target, t + w + CROSSFADE / 2) if i < len(windows) - 1 else target
        # The zoom holds the middle still; the storyboard moves that point onto the product.
        shots.append(Shot(i % max(n_images, 1), round(start, 4), round(end, 4), caption,
                          (zooms[i], zooms[i + 1]), ((0.5, 0.5), (0.5, 0.5))))
        t += w
    return shots


# -- rendering ----------------------------------------------------------------------------

def _flatten(img: Image.Image) -> Image.Image:
    """RGB; a cut-out (transparency) goes onto white, as on a studio sweep, not onto black."""
    if img.mode in ("RGBA", "LA", "PA") or (img.mode == "P" and "transparency" in img.info):
        rgba = img.convert("RGBA")
        white = Image.new("RGBA", rgba.size, (255, 255, 255, 255))
        return Image.alpha_composite(white, rgba).convert("RGB")
    return img.convert("RGB")


def _backdrop(img: Image.Image, size: tuple[int, int]) -> Image.Image:
    """What fills the frame around a photo: its own border colour when the border is plain
    (studio shots on white), else a blurred, dimmed cover of the photo."""
    arr = np.asarray(img.convert("RGB"), dtype=np.float32)
    border = np.concatenate([arr[:4].reshape(-1, 3), arr[-4:].reshape(-1, 3), arr[:, :4].reshape(-1, 3),
                             arr[:, -4:].reshape(-1, 3)])
    median = np.median(border, axis=0)
    # Plain when most of the border is one colour; a model's feet or a shadow may touch an edge.
    if (np.abs(border - median).max(axis=1) < 24).mean() > 0.8:
        return Image.new("RGB", size, tuple(int(v) for v in median))
    small = _cover(img, (max(1, size[0] // 8), max(1, size[1] // 8)))
    small = small.filter(ImageFilter.GaussianBlur(6)).point(lambda v: int(v * 0.6))
    return small.resize(size, Image.BILINEAR)


def _cover(img: Image.Image, size: tuple[int, int]) -> Image.Image:
    s = max(size[0] / img.width, size[1] / img.height)
    w, h = max(size[0], round(img.width * s)), max(size[1], round(img.height * s))
    big = img.resize((w, h), Image.LANCZOS)
    x, y = (w - size[0]) // 2, (h - size[1]) // 2
    return big.crop((x, y, x + size[0], y + size[1]))


@dataclass
class SourceLayout:
    """A photo laid out once for its shots, and where its product sits on that canvas."""

    canvas: Image.Image
    photo_rect: tuple | None  # the photo's rectangle when the backdrop is one flat colour
    product: tuple[float, float, float, float]  # the product's box on the canvas (canvas px)

    @property
    def anchor(self) -> tuple[float, float]:
        """The product's centre as fractions of the canvas: the point every zoom holds still."""
        x0, y0, x1, y1 = self.product
        return ((x0 + x1) / 2 / self.canvas.width, (y0 + y1) / 2 / self.canvas.height)


def product_bbox(img: Image.Image) -> tuple[int, int, int, int]:
    """The product's box in the photo: from its alpha when it has one, else from the U2-Netp
    cut-out; the whole photo when no clear product is found (a lifestyle shot)."""
    if img.mode in ("RGBA", "LA"):
        box = img.getchannel("A").point(lambda v: 255 if v > 127 else 0).getbbox()
        return box or (0, 0, img.width, img.height)
    from engine.creatives.cutout import cut_out

    try:
        return cut_out(img, "video photo").bbox
    except StudioError:
        return (0, 0, img.width, img.height)


def layout_shot(img: Image.Image, size: tuple[int, int], caption_top: int,
                product: tuple[int, int, int, int] | None = None) -> SourceLayout:
    """The photo laid out once on its backdrop with its product box centred in the space above
    the caption band, small enough to stay there at the deepest Ken Burns zoom (which holds the
    product's centre still). Every photo's product lands on the same centre, so consecutive
    shots frame their products alike and a crossfade does not show two offset copies.

    The layout is MAX_ZOOM x the frame when the photo has the pixels for it, so zooming in
    shows real detail; a photo that would be upscaled anyway (catalog shots are often ~800 px)
    is laid out at frame size, which makes every per-frame resample ~30% cheaper at no loss."""
    img = _flatten(img)
    px0, py0, px1, py1 = product or (0, 0, img.width, img.height)
    margin = round(min(size) * 0.03)
    room = (size[0] - 2 * margin, max(1, caption_top - 2 * margin))
    fit = min(room[0] / (px1 - px0), room[1] / (py1 - py0)) / MAX_ZOOM
    zoom = MAX_ZOOM if fit * MAX_ZOOM <= 1.0 else 1.0
    W, H = round(size[0] * zoom / 2) * 2, round(size[1] * zoom / 2) * 2  # even: 4:2:0 chroma
    canvas = _backdrop(img, (W, H))
    s = fit * zoom
    fg = img.resize((max(1, round(img.width * s)), max(1, round(img.height * s))), Image.LANCZOS)
    centre = (W / 2, (margin + room[1] / 2) * zoom)
    x = round(centre[0] - (px0 + px1) / 2 * s)
    y = round(centre[1] - (py0 + py1) / 2 * s)
    canvas.paste(fg, (x, y))
    box = (x + px0 * s, y + py0 * s, x + px1 * s, y + py1 * s)
    plain = canvas.getpixel((0, 0)) == canvas.getpixel((W - 1, H - 1)) == canvas.getpixel((0, H - 1))
    rect = (max(0, x), max(0, y), min(W, x + fg.width), min(H, y + fg.height))
    return SourceLayout(canvas, rect if plain else None, box)


def layout_source(img: Image.Image, size: tuple[int, int], caption_top: int) -> tuple[Image.Image, tuple | None]:
    """``layout_shot`` for the whole photo: the canvas and, on a flat backdrop, the photo's rectangle."""
    laid = layout_shot(img, size, caption_top)
    return laid.canvas, laid.photo_rect


def boxes_iou(a, b) -> float:
    inter = max(0.0, min(a[2], b[2]) - max(a[0], b[0])) * max(0.0, min(a[3], b[3]) - max(a[1], b[1]))
    union = (a[2] - a[0]) * (a[3] - a[1]) + (b[2] - b[0]) * (b[3] - b[1]) - inter
    return inter / union if union > 0 else 0.0


FADE_IOU = 0.8  # product boxes of two shots that overlap less than this dip through the backdrop


def placeholder(size: tuple[int, int], seed: int) -> Image.Image:
    """A soft vertical gradient for a video with no photo at all."""
    rng = np.random.default_rng(seed)
    top, bottom = rng.integers(40, 120, 3), rng.integers(150, 230, 3)
    t = np.linspace(0, 1, size[1])[:, None, None]
    arr = (top * (1 - t) + bottom * t).astype(np.uint8).repeat(size[0], axis=1)
    return Image.fromarray(arr)


@dataclass
class CaptionLayout:
    """Where a caption goes: its fitted text, the card around it and the card's top-left."""

    fit: FittedText
    room: tuple[int, int]  # the width and height the text was fitted into
    pad: int
    card: tuple[int, int]  # width, height
    position: tuple[int, int]


def caption_layout(text: str, size: tuple[int, int], bold: bool, bottom_margin: int) -> CaptionLayout:
    """Fit a caption into the frame: at most three lines in 84% of the width, words longer than
    a line broken, the font shrunk to half size at most, then cut with an ellipsis. The card
    (text plus padding) is inside the frame whatever the text."""
    W, H = size
    pt = round(W * (0.062 if bold else 0.052))
    max_pad = round(pt * 0.6)
    room = (max(1, min(int(W * CAPTION_WIDTH), W - 2 * max_pad)),
            max(1, min(round(H * CAPTION_HEIGHT), H - bottom_margin) - 2 * max_pad))
    fit = fit_text(text, *room, max_size=pt, min_size=max(8, round(pt * 0.5)), bold=bold,
                   max_lines=CAPTION_LINES, leading=CAPTION_LEADING)
    pad = round(fit.size * 0.6)
    card = (fit.width + 2 * pad, fit.height + 2 * pad)
    return CaptionLayout(fit, room, pad, card, ((W - card[0]) // 2, H - bottom_margin - card[1]))


def render_caption(text: str, size: tuple[int, int], bold: bool, bottom_margin: int) -> tuple[Image.Image, tuple[int, int]]:
    """The caption as an RGBA card (white text on a translucent scrim) and where it goes.

    Line height comes from the font's ascent + descent, so descenders are never cut."""
    layout = caption_layout(text, size, bold, bottom_margin)
    fit, pad, (card_w, card_h) = layout.fit, layout.pad, layout.card
    card = Image.new("RGBA", (card_w, card_h), (0, 0, 0, 0))
    draw = ImageDraw.Draw(card)
    draw.rounded_rectangle((0, 0, card_w - 1, card_h - 1), radius=pad, fill=(0, 0, 0, 170))
    for i, line in enumerate(fit.lines):
        x = (card_w - text_width(fit.font, line)) / 2
        draw.text((x, pad + i * fit.line_height), line, font=fit.font, fill=(255, 255, 255, 255))
    return card, layout.position


def _ease(u: float) -> float:
    return u * u * (3 - 2 * u)


def to_planes(img: Image.Image) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """RGB -> the Y, U, V planes of yuv420p (BT.601 limited range, swscale: the same conversion
    the encoder would apply), as uint8 arrays. Frames are composed in this form: half the bytes
    of RGB to resample, and no colour conversion per frame."""
    frame = av.VideoFrame.from_image(img.convert("RGB")).reformat(format="yuv420p")
    planes = []
    for plane in frame.planes:
        rows = np.frombuffer(plane, np.uint8).reshape(plane.height, plane.line_size)[:, : plane.width]
        planes.append(np.ascontiguousarray(rows))
    return tuple(planes)


def from_planes(planes, frame: av.VideoFrame | None = None) -> av.VideoFrame:
    """Copy Y, U, V planes straight into a yuv420p frame's (row-padded) buffers; reusing
    ``frame`` saves the page faults of fresh memory."""
    frame = frame or av.VideoFrame(planes[0].shape[1], planes[0].shape[0], "yuv420p")
    for dst, src in zip(frame.planes, planes):
        rows = np.frombuffer(dst, np.uint8).reshape(dst.height, dst.line_size)
        rows[:, : dst.width] = src
        rows[:, dst.width :] = 0  # the padding is uninitialised; x264 may read it (SIMD), so pin it
    return frame


def resample(plane: np.ndarray, box: tuple[float, float, float, float], size: tuple[int, int]) -> np.ndarray:
    """The sub-pixel ``box`` of ``plane`` resampled to ``size`` (bilinear), with PIL's
    ``resize(box=...)`` pixel-centre convention. OpenCV's fixed-point SIMD warp does this in
    ~40 % of the time PIL needs, and the Ken Burns crop is most of a frame's cost."""
    sx, sy = (box[2] - box[0]) / size[0], (box[3] - box[1]) / size[1]
    matrix = np.array([[sx, 0.0, box[0] + 0.5 * sx - 0.5], [0.0, sy, box[1] + 0.5 * sy - 0.5]])
    return cv2.warpAffine(plane, matrix, size, flags=cv2.INTER_LINEAR | cv2.WARP_INVERSE_MAP,
                          borderMode=cv2.BORDER_REPLICATE)


class _Caption:
    """A caption card as yuv420p planes with its alpha, premultiplied once, pasted per frame."""

    def __init__(self, card: Image.Image, position: tuple[int, int], frame: tuple[int, int]):
        # Even position and size keep the caption aligned with the half-resolution chroma.
        pad = Image.new("RGBA", (card.width + card.width % 2, card.height + card.height % 2), (0, 0, 0, 0))
        x, y = position[0] - position[0] % 2, position[1] - position[1] % 2
        if x < 0 or y < 0 or x + pad.width > frame[0] or y + pad.height > frame[1]:
            # Checked once here: pasting it would fail on every frame with a numpy broadcast error.
            raise ValueError(f"caption card {pad.width}x{pad.height} at ({x}, {y}) is outside the "
                             f"{frame[0]}x{frame[1]} frame")
        pad.paste(card)
        alpha = pad.getchannel("A")
        alphas = (np.asarray(alpha), np.asarray(alpha.resize((pad.width // 2, pad.height // 2), Image.BOX)))
        self.planes = to_planes(pad)
        self.alphas = [alphas[0], alphas[1], alphas[1]]
        self.premultiplied = [p.astype(np.uint32) * a for p, a in zip(self.planes, self.alphas)]
        self.x, self.y = x, y

    def paste(self, planes: list[np.ndarray], opacity: float = 1.0) -> None:
        for i, (plane, alpha) in enumerate(zip(planes, self.alphas)):
            d = 1 if i == 0 else 2
            h, w = alpha.shape
            under = plane[self.y // d : self.y // d + h, self.x // d : self.x // d + w]
            if opacity >= 1:
                over = self.premultiplied[i]
            else:
                alpha = np.round(alpha * opacity).astype(np.uint32)
                over = self.planes[i].astype(np.uint32) * alpha
            under[:] = (over + under.astype(np.uint32) * (255 - alpha) + 127) // 255


class _ShotRenderer:
    """Everything about one shot that does not change per frame, computed once."""

    def __init__(self, shot: Shot, source, size: tuple[int, int], bottom_margin: int, bold: bool,
                 photo_rect: tuple | None = None):
        self.shot, self.source, self.size = shot, source, size  # source: Y, U, V planes
        self.photo_rect = photo_rect  # set when the backdrop is flat: only this part needs resampling
        self.flat = tuple(int(p[0, 0]) for p in source)
        self.half = (size[0] // 2, size[1] // 2)
        self.caption = None
        if shot.caption:
            self.caption = _Caption(*render_caption(shot.caption, size, bold, bottom_margin), size)

    def box(self, t: float) -> tuple[float, float, float, float]:
        s = self.shot
        u = _ease(min(1.0, max(0.0, (t - s.start) / max(s.end - s.start, 1e-6))))
        z = s.zoom[0] + (s.zoom[1] - s.zoom[0]) * u
        cx = s.center[0][0] + (s.center[1][0] - s.center[0][0]) * u
        cy = s.center[0][1] + (s.center[1][1] - s.center[0][1]) * u
        SH, SW = self.source[0].shape
        w, h = SW / z, SH / z
        x, y = (SW - w) * cx, (SH - h) * cy
        return (x, y, x + w, y + h)

    def photo(self, t: float) -> list[np.ndarray]:
        """The Ken Burns crop at time t: one sub-pixel resample per plane, no other work."""
        box = self.box(t)
        region = self._photo_region(box)
        if region is None:
            half = tuple(v / 2 for v in box)
            return [resample(self.source[0], box, self.size),
                    resample(self.source[1], half, self.half), resample(self.source[2], half, self.half)]
        # On a flat backdrop only the photo moves: resample just the output pixels it covers.
        (x0, y0, x1, y1), sub = region
        planes = []
        for i, plane in enumerate(self.source):
            d = 1 if i == 0 else 2
            W, H = self.size if i == 0 else self.half
            out = np.full((H, W), self.flat[i], np.uint8)
            out[y0 // d : y1 // d, x0 // d : x1 // d] = resample(
                plane, tuple(v / d for v in sub), ((x1 - x0) // d, (y1 - y0) // d))
            planes.append(out)
        return planes

    def _photo_region(self, box):
        """Output pixels (even-aligned) that can differ from the flat backdrop, and the source
        box that maps onto exactly them; None when that is most of the frame anyway."""
        if self.photo_rect is None:
            return None
        W, H = self.size
        sx, sy = (box[2] - box[0]) / W, (box[3] - box[1]) / H
        fx0, fy0, fx1, fy1 = self.photo_rect
        margin = 3  # source pixels: bilinear taps reach past the photo's edge
        x0 = max(0, math.floor((fx0 - margin - box[0]) / sx) // 2 * 2)
        y0 = max(0, math.floor((fy0 - margin - box[1]) / sy) // 2 * 2)
        x1 = min(W, -(-math.ceil((fx1 + margin - box[0]) / sx) // 2) * 2)
        y1 = min(H, -(-math.ceil((fy1 + margin - box[1]) / sy) // 2) * 2)
        if x1 <= x0 or y1 <= y0 or (x1 - x0) * (y1 - y0) > 0.9 * W * H:
            return None
        sub = (box[0] + x0 * sx, box[1] + y0 * sy, box[0] + x1 * sx, box[1] + y1 * sy)
        return (x0, y0, x1, y1), sub

    def draw_caption(self, planes: list[np.ndarray], opacity: float = 1.0) -> None:
        if self.caption and opacity > 0:
            self.caption.paste(planes, min(opacity, 1.0))


def _bottom_margin(aspect: str, size: tuple[int, int]) -> int:
    # Reels/TikTok/Shorts draw their own buttons over the bottom ~15% of a 9:16 video.
    return round(size[1] * (0.16 if aspect == "9x16" else 0.06))


def _fit_narration(text: str, wav: Path, budget: float) -> tuple[str, float]:
    """Synthesize, and when the speech runs past ``budget`` seconds cut the text at a sentence
    or word boundary and speak it again. Returns the text spoken and its length in seconds."""
    synthesize(text, wav)
    spoken = wav_duration(wav)
    for _ in range(3):
        if spoken <= budget:
            break
        words = text.split()
        keep = max(1, int(len(words) * budget / spoken * 0.95))
        cut = " ".join(words[:keep])
        end = max(cut.rfind(". "), cut.rfind("! "), cut.rfind("? "))
        text = cut[: end + 1] if end > len(cut) // 2 else cut.rstrip(",;:") + "."
        synthesize(text, wav)
        spoken = wav_duration(wav)
    return text, min(spoken, budget)


def _add_audio_stream(container):
    stream = container.add_stream("aac", rate=44100, layout="mono")
    stream.bit_rate = 96_000
    stream.time_base = Fraction(1, 44100)
    return stream


def _mux_audio(container, stream, wav: Path, seconds: float):
    resampler = av.AudioResampler(format="fltp", layout="mono", rate=44100)
    limit = int(seconds * 44100)
    written = 0
    with av.open(str(wav)) as src:
        for frame in src.decode(audio=0):
            for out in resampler.resample(frame):
                if written >= limit:
                    break
                if written + out.samples > limit:  # trim the tail to the video's length
                    arr = out.to_ndarray()[:, : limit - written]
                    out = av.AudioFrame.from_ndarray(np.ascontiguousarray(arr), format="fltp", layout="mono")
                    out.sample_rate = 44100
                out.pts, out.time_base = written, stream.time_base
                written += out.samples
                container.mux(stream.encode(out))
    container.mux(stream.encode(None))


class Storyboard:
    """The planned shots with their laid-out sources and captions: everything but the frames."""

    def __init__(self, images: list[Image.Image], title: str, bullets: list[str], aspect: str = "9x16",
                 seconds: float | None = None, seed: int = 0, fps: int = 24, height: int | None = None):
        self.aspect, self.fps, self.seed = aspect, fps, seed
        self.size = frame_size(aspect, height)
        bottom = _bottom_margin(aspect, self.size)
        self.shots = plan_shots(len(images), title, bullets, seconds, seed=seed)
        self.n_frames = max(1, round(self.shots[-1].end * fps))
        self.duration = self.n_frames / fps
        self.label = f"video {aspect}"  # names this video in errors
        # The photo sits above the tallest caption, so no caption ever covers the product.
        tallest = max((caption_layout(s.caption, self.size, i == 0, bottom).card[1]
                       for i, s in enumerate(self.shots) if s.caption), default=0)
        caption_top = self.size[1] - bottom - tallest - round(self.size[1] * 0.02)
        sources: dict[int, SourceLayout] = {}
        for s in self.shots:
            if s.image not in sources:
                with step(f"{self.label}: laying out photo {s.image + 1}"):
                    src = images[s.image] if images else placeholder(self.size, seed)
                    sources[s.image] = layout_shot(src, self.size, caption_top,
                                                   product_bbox(src) if images else None)
        self.shots = self._aim(self.shots, sources)
        self.renderers = []
        for i, s in enumerate(self.shots):
            with step(f"{self.label}: rendering caption {i + 1} of {len(self.shots)}"):
                laid = sources[s.image]
                self.renderers.append(_ShotRenderer(s, to_planes(laid.canvas), self.size, bottom, bold=(i == 0),
                                                    photo_rect=laid.photo_rect))

    def _aim(self, shots: list[Shot], sources: dict[int, SourceLayout]) -> list[Shot]:
        """Zoom every shot about its product's centre, and dip through the backdrop instead of
        crossfading where two products' boxes differ (a front view after a side view)."""
        aimed = []
        for i, shot in enumerate(shots):
            laid = sources[shot.image]
            transition = "crossfade"
            if i:
                before = sources[shots[i - 1].image]
                # Canvases of one storyboard may differ in scale (MAX_ZOOM or 1): compare in frame units.
                a = [v / before.canvas.width * self.size[0] for v in before.product]
                b = [v / laid.canvas.width * self.size[0] for v in laid.product]
                transition = "crossfade" if boxes_iou(a, b) >= FADE_IOU else "dip"
            aimed.append(replace(shot, center=(laid.anchor, laid.anchor), transition=transition))
        return aimed

    def frame(self, k: int, out: av.VideoFrame | None = None) -> av.VideoFrame:
        """Frame k as yuv420p, ready for the encoder (written into ``out`` when given)."""
        t = (k + 0.5) / self.fps
        live = [r for r in self.renderers if r.shot.start <= t < r.shot.end] or [self.renderers[-1]]
        with step(f"{self.label}: rendering frame {k}"):
            planes = live[0].photo(t)
            if len(live) > 1:  # fade the photos; the captions swap (out, then in) so they never overlap
                w = min(1.0, max(0.0, (t - live[1].shot.start) / (live[0].shot.end - live[1].shot.start)))
                if live[1].shot.transition == "dip":  # out to the backdrop colour, then in from it
                    dip = [np.full_like(p, (a + b) // 2) for p, a, b in zip(planes, live[0].flat, live[1].flat)]
                    planes = ([cv2.addWeighted(a, 1 - 2 * w, d, 2 * w, 0) for a, d in zip(planes, dip)] if w < 0.5
                              else [cv2.addWeighted(d, 2 - 2 * w, b, 2 * w - 1, 0) for d, b in zip(dip, live[1].photo(t))])
                else:
                    planes = [cv2.addWeighted(a, 1 - w, b, w, 0) for a, b in zip(planes, live[1].photo(t))]
            with step(f"{self.label}: rendering the caption for frame {k}"):
                if len(live) == 1:
                    live[0].draw_caption(planes)
                else:
                    live[0].draw_caption(planes, 1 - 2 * w)
                    live[1].draw_caption(planes, 2 * w - 1)
            return from_planes(planes, out)

    def frame_image(self, k: int) -> Image.Image:
        return self.frame(k).to_image()

    def frames(self, ahead: int = 6) -> Iterator[av.VideoFrame]:
        """Frames in order, rendered on a worker thread: OpenCV and numpy release the GIL while
        they warp and blend, so composing the next frames overlaps with x264 encoding this one.

        Frame buffers are recycled: x264 copies each picture before ``encode`` returns, and a
        buffer is rewritten only ``ahead + 2`` frames later, after the consumer moved on."""
        ring = [av.VideoFrame(*self.size, "yuv420p") for _ in range(min(ahead + 2, self.n_frames))]
        with ThreadPoolExecutor(max_workers=1) as pool:
            def submit(k):
                return pool.submit(self.frame, k, ring[k % len(ring)])

            pending = deque(submit(k) for k in range(min(ahead, self.n_frames)))
            for k in range(ahead, self.n_frames + ahead):
                frame = pending.popleft().result()
                if k < self.n_frames:
                    pending.append(submit(k))
                yield frame

    def captions(self) -> list[tuple[float, float, str]]:
        return caption_windows(self.shots, self.duration)


def caption_windows(shots: list[Shot], duration: float) -> list[tuple[float, float, str]]:
    """(start, end, text) per caption: from the middle of the crossfade in to the middle of the
    crossfade out, so windows tile the timeline and one caption is readable at a time."""
    out = []
    for i, s in enumerate(shots):
        if s.caption:
            start = 0.0 if i == 0 else s.start + CROSSFADE / 2
            end = duration if i == len(shots) - 1 else min(duration, s.end - CROSSFADE / 2)
            out.append((round(start, 3), round(end, 3), s.caption))
    return out


def encode(frames: Iterable[av.VideoFrame], out_path: Path, size: tuple[int, int], fps: int, n_frames: int,
           wav: Path | None = None, progress: Callable[[float, str], None] | None = None) -> None:
    """Stream frames into an H.264 mp4 (yuv420p, moov atom first) and mux the narration as AAC."""
    container = av.open(str(out_path), "w", options={"movflags": "+faststart"})
    try:
        stream = container.add_stream(ENCODER["codec"], rate=fps)
        stream.width, stream.height = size
        stream.pix_fmt = ENCODER["pix_fmt"]
        stream.options = {"preset": ENCODER["preset"], "crf": str(ENCODER["crf"])}
        # x264 runs on one thread: with its slice threads (PyAV's default) the second video a
        # process encoded could differ from the first for the same seed (pixels off by up to 19 in
        # a fade), and frame threads were worse. One thread is deterministic and cost ~5% here
        # (1.48 s vs 1.40 s for a 720x1280 6 s video; the Ken Burns render overlaps it anyway).
        stream.codec_context.thread_count = 1
        # Every stream must exist before the first packet is written (the header goes out then).
        audio = _add_audio_stream(container) if wav else None
        for k, frame in enumerate(frames):
            frame.pts = k
            container.mux(stream.encode(frame))
            if progress and k % fps == 0:
                progress(0.05 + 0.85 * k / n_frames, f"Rendering frame {k}/{n_frames}")
        container.mux(stream.encode(None))
        if wav:
            _mux_audio(container, audio, wav, n_frames / fps)
    finally:
        container.close()


def make_video(images: list[Image.Image], title: str, bullets: list[str], out_path: Path, aspect: str = "9x16",
               seconds: float | None = None, narration_text: str | None = None, seed: int = 0, fps: int = 24,
               progress: Callable[[float, str], None] | None = None, height: int | None = None,
               score: bool = True) -> VideoResult:
    """Render an H.264 mp4 explainer of 6-20 s: one shot per photo/caption, title first.

    ``seconds`` is a wish: it is raised when captions need more reading time or the narration
    runs longer, and clamped to 6-20 s. ``height`` overrides the default frame height.
    ``score=False`` skips decoding the file back for scores.
    """
    progress = progress or (lambda fraction, message: None)
    out_path = Path(out_path)
    out_path.parent.mkdir(parents=True, exist_ok=True)
    frame_size(aspect)  # an unknown aspect is the caller's error, raised before any step
    label = f"video {aspect}"

    narration_text = (narration_text or "").strip() or None
    spoken, wav = 0.0, None
    try:
        if narration_text:
            progress(0.0, "Narrating")
            wav = Path(tempfile.mkdtemp(prefix="narration-")) / "narration.wav"
            with step(f"{label}: narrating"):
                narration_text, spoken = _fit_narration(narration_text, wav, MAX_SECONDS - AUDIO_TAIL)
        wish = max(seconds or 0.0, spoken + AUDIO_TAIL if wav else 0.0) or None

        progress(0.03, "Laying out photos")
        with step(f"{label}: planning the shots"):
            board = Storyboard(images, title, bullets, aspect, wish, seed, fps, height)
        with step(f"{label}: encoding {out_path.name}"):
            encode(board.frames(), out_path, board.size, fps, board.n_frames, wav, progress)
    except BaseException:
        if out_path.is_file():  # a half-written mp4 would look like a video that plays
            out_path.unlink()
        raise
    finally:
        if wav:
            shutil.rmtree(wav.parent, ignore_errors=True)

    captions = board.captions()
    result = VideoResult(
        path=out_path, aspect=aspect, size=board.size, duration=board.duration, fps=fps, has_audio=wav is not None,
        captions=captions,
        settings={"seed": seed, "seconds": seconds, "narration": bool(wav), "narration_seconds": round(spoken, 3),
                  "narration_text": narration_text,
                  "height": board.size[1], **ENCODER, "plan": [s.__dict__ for s in board.shots]},
    )
    if score:
        progress(0.92, "Scoring")
        with step(f"{label}: scoring"):
            result.scores = score_video(out_path, VideoContext(captions, narration_requested=bool(narration_text)))
    progress(1.0, "Done")
    return result


def plan_digest(result: VideoResult) -> str:
    """A short hash of the pan/zoom/timing plan: same seed and inputs -> same digest."""
    return hashlib.sha256(repr(result.settings["plan"]).encode()).hexdigest()[:16]
