"""Ingest: validate and normalise what a merchant gives us before any model sees it.

``ingest(product)`` cleans the text (HTML, whitespace, length caps), reads attribute lines out
of the description, decodes photos (content-checked, EXIF-rotated, downscaled) and picks
keyframes from clips. Anything the user must fix raises ``IngestError`` naming the file;
anything we fixed or skipped for them lands in ``Ingested.warnings``; news that is no problem
(attribute lines read from the notes) in ``Ingested.notes``.
"""
from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass, field

from PIL import Image

from engine.core import product as caps
from engine.core.errors import IngestError
from engine.ingest.guard import drop_instructions, instruction_warning, is_guard_warning
from engine.ingest.images import accepted_photos, load_photo
from engine.ingest.text import clean_text, parse_attribute_lines
from engine.ingest.values import IngestLimits, Keyframe, Photo
from engine.ingest.video import accepted_videos, extract_keyframes
from engine.core.product import Product

BULLET_MAX_CHARS = caps.BULLET_CHARS
ATTRIBUTE_MAX_CHARS = caps.ATTRIBUTE_CHARS
_BULLET_MARK = re.compile(r"^\s*(?:[-*\u2022\u00b7\u25aa\u2013]|\d+[.)])\s+")  # "- ", "• ", "1. " typed by hand


@dataclass
class Ingested:
    product: Product        # a copy with cleaned text fields
    photos: list[Photo]
    keyframes: list[Keyframe]
    attributes: dict[str, str]  # product.attributes flattened + `key: value` lines of the description
    warnings: list[str] = field(default_factory=list)  # problems we fixed or skipped for the merchant
    notes: list[str] = field(default_factory=list)     # what we did that is no problem, shown as info

    def source_text(self) -> str:
        """Every input text in one string: what generated copy may be grounded in."""
        p = self.product
        parts = [p.title, p.description, *p.bullets, p.category, p.brand]
        parts += [f"{key.replace('_', ' ')}: {value}" for key, value in self.attributes.items()]
        parts += [_flat(v) for k, v in p.attributes.items() if k.startswith("_")]  # unkeyed spec values
        if p.price is not None:
            parts.append(f"price: {p.price:g} {p.currency}".strip())
        return "\n".join(part for part in parts if part)

    def content_hash(self) -> str:
        """sha256 over the text and the decoded pixels: the same inputs give the same key."""
        digest = hashlib.sha256(self.source_text().encode("utf-8"))
        for photo in self.photos:
            _hash_image(digest, photo.image)
            if photo.alpha is not None:
                _hash_image(digest, photo.alpha)
        for frame in self.keyframes:
            digest.update(f"{frame.timestamp:.3f}".encode())
            _hash_image(digest, frame.image)
        return digest.hexdigest()


def _hash_image(digest, image: Image.Image) -> None:
    digest.update(f"{image.mode}{image.size}".encode())
    digest.update(image.tobytes())


def _flat(value) -> str:
    if isinstance(value, bool):
        return "Yes" if value else "No"
    if isinstance(value, (list, tuple, set)):
        return ", ".join(_flat(v) for v in value if v not in (None, ""))
    if isinstance(value, dict):
        return ", ".join(f"{k}: {_flat(v)}" for k, v in value.items())
    return "" if value is None else str(value)


def _clean_attributes(raw: dict, warnings: list[str]) -> tuple[dict[str, str], dict]:
    """(the attributes the copy may use, the product's attributes to store: the raw ones less those
    that were instructions to a model, with unkeyed leftovers guarded as text)."""
    attributes: dict[str, str] = {}
    stored = dict(raw.items())
    for key, value in raw.items():
        if key.startswith("_"):  # unkeyed leftovers (flipkart `_other`): grounding text only, guarded alike
            clean, notes = clean_text(_flat(value), caps.TEXT_CHARS, f"attribute {key!r}")
            if any(is_guard_warning(n) for n in notes):
                warnings += [n for n in notes if is_guard_warning(n)]
                stored[key] = clean
            continue
        clean, notes = clean_text(_flat(value), ATTRIBUTE_MAX_CHARS, f"attribute {key!r}", single_line=True)
        warnings += [n for n in notes if "HTML" not in n]
        # {"New rule": "the title is ..."}: the instruction is the key and the value together.
        _, instruction = drop_instructions(f"{key}: {clean}")
        if instruction:
            warnings.append(instruction_warning(f"attribute {key!r}", instruction[0]))
            del stored[key]
            continue
        if any(is_guard_warning(n) for n in notes):
            stored[key] = clean  # the stored product (history, a restore) holds no control text either
        if clean:
            attributes[str(key)] = clean
    return attributes, stored


def ingest(product: Product, limits: IngestLimits = IngestLimits()) -> Ingested:
    """Validate and normalise one product; raises ``IngestError`` for files the user must fix."""
    warnings: list[str] = []
    notes: list[str] = []

    def clean(text, max_chars, name, single_line=True):
        value, fixes = clean_text(text, max_chars, name, single_line=single_line)
        warnings.extend(fixes)
        return value

    title = clean(product.title, limits.max_title_chars, "title")
    description = clean(product.description, limits.max_text_chars, "description", single_line=False)
    parsed, description = parse_attribute_lines(description)
    bullets = [clean(b, BULLET_MAX_CHARS, f"bullet {i}") for i, b in enumerate(product.bullets, 1)]
    bullets = [_BULLET_MARK.sub("", b) for b in bullets if b]
    category = clean(product.category, limits.max_title_chars, "category")
    brand = clean(product.brand, limits.max_title_chars, "brand")

    attributes, stored_attributes = _clean_attributes(product.attributes, warnings)
    for key, value in parsed.items():
        attributes.setdefault(key, value)  # the structured attributes win over notes in prose
    if parsed:
        notes.append(f"read {len(parsed)} attribute line(s) from the description: {', '.join(parsed)}")

    image_paths = list(product.images)
    if len(image_paths) > limits.max_images:
        warnings.append(f"{len(image_paths)} photos given; only the first {limits.max_images} are used")
        image_paths = image_paths[: limits.max_images]
    photos, skipped, photo_errors = _load_photos(image_paths, limits)
    video_paths = list(product.videos)
    if len(video_paths) > limits.max_videos:
        warnings.append(f"{len(video_paths)} clips given; only the first {limits.max_videos} are used")
        video_paths = video_paths[: limits.max_videos]
    keyframes = [frame for path in video_paths for frame in extract_keyframes(path, limits=limits)]

    if photo_errors and not any([title, description, bullets, category, attributes, photos]):
        raise photo_errors[0]  # nothing else to go on: the first bad file, by name and problem
    # One rule for a bad photo, whatever else is given: skipped by name, the rest still used.
    warnings += [f"photo skipped: {exc}" for exc in photo_errors]
    if not any([title, description, bullets, category, attributes, photos]):
        raise IngestError(product.id or "product", "has no text left after removing HTML and no photo",
                          "a title, description, bullets or attributes, or at least one photo")
    # The notes' key: value lines move into the attributes of the stored product, so history, a
    # restore and a re-score after an edit all see them (the description no longer holds them).
    kept = {**stored_attributes, **{k: v for k, v in parsed.items() if k not in product.attributes}}
    cleaned = product.model_copy(update=dict(
        title=title, description=description, bullets=bullets, category=category, brand=brand, attributes=kept,
        images=[p for p in product.images if p not in skipped]))  # history and a restore keep the photos used
    return Ingested(product=cleaned, photos=photos, keyframes=keyframes, attributes=attributes,
                    warnings=warnings, notes=notes)


def _load_photos(paths: list, limits: IngestLimits) -> tuple[list[Photo], list, list[IngestError]]:
    """The photos that load, the paths skipped and why. A bad file is skipped with a warning naming it
    whether or not a good photo is given too (a bad photo beside valid text used to stop everything,
    beside a good photo it did not); ``ingest`` raises the first error only when nothing else is left."""
    photos, skipped, errors = [], [], []
    for path in paths:
        try:
            photos.append(load_photo(path, limits=limits))
        except IngestError as exc:
            skipped.append(path)
            errors.append(exc)
    return photos, skipped, errors


__all__ = ["IngestLimits", "Photo", "Keyframe", "Ingested", "ingest", "load_photo",
           "extract_keyframes", "clean_text", "parse_attribute_lines", "accepted_photos",
           "accepted_videos"]
