"""The value types of ingest: the limits a product is read under, and a decoded photo or keyframe.

Kept apart from ``engine/ingest/__init__.py`` so the readers of each kind of file (images.py, video.py)
and the package that runs them all import these without importing each other.
"""
from __future__ import annotations

from dataclasses import dataclass

from PIL import Image

from engine.core import product as caps


@dataclass(frozen=True)
class IngestLimits:
    """Per-file caps and the text lengths cut with a warning; the defaults for text and counts are
    engine.core.product's caps (input far over those is refused there, before ingest)."""

    max_image_bytes: int = 20 * 2**20
    max_image_pixels: int = 40_000_000       # decompression bombs refused before decoding
    max_image_side: int = 1024               # decoded photos are downscaled to this (keep aspect)
    max_images: int = caps.MAX_IMAGES
    max_videos: int = caps.MAX_VIDEOS
    max_video_bytes: int = 200 * 2**20
    max_video_seconds: float = 60.0
    max_keyframes_per_video: int = 5
    max_text_chars: int = caps.TEXT_CHARS
    max_title_chars: int = caps.TITLE_CHARS


@dataclass
class Photo:
    image: Image.Image              # RGB, EXIF orientation applied, alpha composited on white
    name: str                       # file name shown to the user
    alpha: Image.Image | None = None  # original alpha channel (L) when the file has transparency


@dataclass
class Keyframe:
    image: Image.Image   # RGB
    timestamp: float     # seconds from the start of the clip
    source: str          # video file name
    sharpness: float     # variance of the Laplacian of the grey frame (higher is sharper)
