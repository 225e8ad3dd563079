"""Photos in: JPEG, PNG, WebP, GIF and HEIC/HEIF, recognised by content, checked before they are decoded.

GIF and animated WebP/PNG give their first frame. HEIC (iPhone photos) needs pillow-heif, a
requirement; without it HEIC is refused with how to convert it.
"""
from __future__ import annotations

import io
import warnings
from pathlib import Path

from PIL import Image, ImageOps, UnidentifiedImageError

from engine.core.errors import IngestError
from engine.ingest.values import IngestLimits, Photo
from engine.core.product import URL_ADVICE, is_url

try:
    import pillow_heif
except ImportError:  # an older install: HEIC is refused with advice instead
    pillow_heif = None
else:
    pillow_heif.register_heif_opener()

FORMATS = {"JPEG": "JPEG", "PNG": "PNG", "WEBP": "WebP", "GIF": "GIF"}
if pillow_heif is not None:
    FORMATS["HEIF"] = "HEIC"
HEIC_BRANDS = (b"heic", b"heix", b"hevc", b"hevx", b"heim", b"heis", b"mif1", b"msf1")
HEIC_ADVICE = ("convert it to JPEG first: on an iPhone set Settings > Camera > Formats > Most Compatible, "
               "or open it in Preview (Mac) or Photos (Windows) and export as JPEG")


def format_names() -> str:
    names = list(FORMATS.values())
    return ", ".join(names[:-1]) + " or " + names[-1]


def accepted_photos(limits: IngestLimits) -> str:
    return (f"{format_names()} up to {limits.max_image_bytes / 2**20:g} MB "
            f"and {limits.max_image_pixels / 1e6:g} megapixels")


def _size_words(pixels: int) -> str:
    return f"{pixels / 1e6:.1f} megapixels" if pixels >= 100_000 else f"{pixels:,} pixels"


def _read(source: str | Path | bytes, name: str, limits: IngestLimits) -> bytes:
    accepted = accepted_photos(limits)
    if isinstance(source, (bytes, bytearray)):
        data = bytes(source)
    elif is_url(str(source)):
        raise IngestError(str(source)[:200], "is a web address; photos are not downloaded", URL_ADVICE)
    else:
        path = Path(source)
        try:
            if not path.is_file():
                raise IngestError(name, "file not found", accepted)
            size = path.stat().st_size  # refuse a huge file before reading it into memory
            if size > limits.max_image_bytes:
                raise IngestError(name, f"file is {size / 2**20:.1f} MB, over the "
                                        f"{limits.max_image_bytes / 2**20:g} MB limit", accepted)
            data = path.read_bytes()
        except (OSError, ValueError) as exc:  # a name too long, a NUL byte, no permission
            if isinstance(exc, IngestError):
                raise
            raise IngestError(name, f"cannot be read ({getattr(exc, 'strerror', None) or exc})", accepted) from None
    if not data:
        raise IngestError(name, "file is empty (0 bytes)", accepted)
    if len(data) > limits.max_image_bytes:
        raise IngestError(name, f"file is {len(data) / 2**20:.1f} MB, over the "
                                f"{limits.max_image_bytes / 2**20:g} MB limit", accepted)
    return data


def _open_checked(data: bytes, name: str, limits: IngestLimits) -> Image.Image:
    """Open (header only) and refuse anything that is not a sane photo in one of FORMATS."""
    accepted = accepted_photos(limits)
    try:
        with warnings.catch_warnings():
            # PIL warns between its limit and twice it; our own cap below is the one that counts.
            warnings.simplefilter("ignore", Image.DecompressionBombWarning)
            # Only our parsers ever see the bytes: a TIFF, PSD or SVG is refused unparsed.
            image = Image.open(io.BytesIO(data), formats=list(FORMATS))
    except Image.DecompressionBombError as exc:
        raise IngestError(name, f"image dimensions are too large to open safely ({exc})", accepted) from exc
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError) as exc:
        if pillow_heif is None and data[4:8] == b"ftyp" and data[8:12] in HEIC_BRANDS:
            raise IngestError(name, "is a HEIC photo, which this install cannot read", HEIC_ADVICE) from exc
        raise IngestError(name, f"not an image in a supported format (the content is not "
                                f"{format_names()} data)", accepted) from exc
    width, height = image.size
    if width * height > limits.max_image_pixels:
        raise IngestError(name, f"image is {width}x{height} = {_size_words(width * height)}, "
                                f"over the {_size_words(limits.max_image_pixels)} limit", accepted)
    if width < 1 or height < 1:
        raise IngestError(name, f"image has no pixels ({width}x{height})", accepted)
    return image


def _decode(image: Image.Image, name: str, limits: IngestLimits) -> Image.Image:
    if image.format == "JPEG":
        # Let libjpeg decode at 1/2, 1/4 or 1/8 scale when the photo is far above the size we keep.
        image.draft("RGB", (limits.max_image_side, limits.max_image_side))
    try:
        image.load()
    except Image.DecompressionBombError as exc:
        raise IngestError(name, f"image dimensions are too large to open safely ({exc})",
                          accepted_photos(limits)) from exc
    except (OSError, SyntaxError, ValueError, EOFError) as exc:
        raise IngestError(name, f"{FORMATS[image.format]} file is corrupt or truncated ({exc})",
                          accepted_photos(limits)) from exc
    try:
        image = ImageOps.exif_transpose(image)
    except Exception:  # a broken EXIF block should not cost the merchant the photo
        pass
    return image


def _split_alpha(image: Image.Image) -> tuple[Image.Image, Image.Image | None]:
    """RGB composited on white, plus the alpha channel when the file has real transparency."""
    has_alpha = image.mode in ("RGBA", "LA", "PA", "RGBa", "La") or (
        image.mode == "P" and "transparency" in image.info)
    if not has_alpha:
        return image.convert("RGB"), None
    rgba = image.convert("RGBA")
    alpha = rgba.getchannel("A")
    if alpha.getextrema()[0] == 255:  # an alpha channel that hides nothing is no cut-out
        return rgba.convert("RGB"), None
    white = Image.new("RGBA", rgba.size, (255, 255, 255, 255))
    return Image.alpha_composite(white, rgba).convert("RGB"), alpha


def load_photo(source: str | Path | bytes, name: str | None = None,
               limits: IngestLimits = IngestLimits()) -> Photo:
    """Validate and decode one photo: EXIF orientation applied, at most ``max_image_side`` px.

    Raises ``IngestError`` naming the file and the problem for empty, oversized, corrupt or
    non-image files (recognised by content, whatever the extension says).
    """
    if name is None:
        name = "photo" if isinstance(source, (bytes, bytearray)) else Path(source).name
    data = _read(source, name, limits)
    image = _decode(_open_checked(data, name, limits), name, limits)
    rgb, alpha = _split_alpha(image)
    side = limits.max_image_side
    if max(rgb.size) > side:
        rgb.thumbnail((side, side), Image.Resampling.LANCZOS)
        if alpha is not None:
            alpha = alpha.resize(rgb.size, Image.Resampling.LANCZOS)
    return Photo(image=rgb, name=name, alpha=alpha)
