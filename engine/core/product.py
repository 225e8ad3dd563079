"""What a merchant gives us for one product, in the catalog shape of ../shared/data.

The limits on product input live here, in one place (documented in docs/CATALOG_FORMAT.md,
"Limits"). Text a little over its cap is cut at ingest with a warning (``engine.ingest``
reads the caps below); input far over them is refused here, before any work, with a message
naming the field, so a pasted file or a runaway export costs nothing.
"""
from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Annotated, Any

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator
from pydantic_core import PydanticCustomError

from engine.core.errors import IngestError, describe_value, read_json_file, validation_error

# Cut at ingest with a warning when longer (characters after HTML is removed).
TITLE_CHARS = 300        # title, category, brand
TEXT_CHARS = 5000        # description
BULLET_CHARS = 500       # the longest bullet any platform in engine.core.settings accepts
ATTRIBUTE_CHARS = 300    # one attribute value, lists joined with commas
# Refused outright: no merchant types 20 times the cap, a pasted file or a bad export does.
REFUSE_FACTOR = 20
MAX_BULLETS = 200
MAX_ATTRIBUTES = 200
MAX_NESTING = 8          # levels of lists/objects inside one attribute value
MAX_IMAGES = 12          # photos per product; each is further capped in engine.ingest.IngestLimits
MAX_VIDEOS = 4           # clips per product; each costs seconds of decoding
MAX_NAME_CHARS = 200     # id, attribute names, currency
MAX_PATH_CHARS = 1024    # one photo or clip path
MAX_FILE_BYTES = 2**20   # a product JSON file

_URL = re.compile(r"^\s*(?:[a-zA-Z][a-zA-Z0-9+.-]*://|data:)")
URL_ADVICE = "the path of a file on this computer: download the file and give its path, or upload it in the studio"

ACCEPTED = {
    "": "a title, description, bullets, category or attributes, or at least one photo",
    "id": f"text or a number, up to {MAX_NAME_CHARS} characters",
    "title": f"text up to {TITLE_CHARS * REFUSE_FACTOR:,} characters; the first {TITLE_CHARS} are used",
    "description": f"text up to {TEXT_CHARS * REFUSE_FACTOR:,} characters; the first {TEXT_CHARS:,} are used",
    "category": f"text up to {TITLE_CHARS * REFUSE_FACTOR:,} characters, e.g. \"Men > Tops > Hoodies\"",
    "brand": f"text up to {TITLE_CHARS * REFUSE_FACTOR:,} characters",
    "bullets": f"a list of up to {MAX_BULLETS} texts of up to {BULLET_CHARS * REFUSE_FACTOR:,} characters, "
               "e.g. [\"Machine washable\", \"Soft cotton\"]",
    "attributes": f"an object of up to {MAX_ATTRIBUTES} name -> text, number or list, e.g. "
                  "{\"material\": \"cotton\", \"sizes\": [\"S\", \"M\"]}, or a list of "
                  "{\"name\": ..., \"value\": ...} pairs",
    "price": "a number of at least 0, e.g. 49.90",
    "currency": "a currency code such as USD, EUR or INR",
    "images": f"a list of up to {MAX_IMAGES} photo file paths, e.g. [\"photos/front.jpg\"]",
    "videos": f"a list of up to {MAX_VIDEOS} clip file paths, e.g. [\"clips/spin.mp4\"]",
}
ACCEPTED_FILE = (f"one UTF-8 JSON object of up to {MAX_FILE_BYTES // 2**20} MB, e.g. "
                 "{\"title\": \"Chaz Hoodie\", \"images\": [\"front.jpg\"]}")


def is_url(text: str) -> bool:
    """``https://...``, ``s3://...``, ``data:...``: something to download, not a file path."""
    return bool(_URL.match(text))


def _refuse(problem: str, accepted: str):
    """A validation error that carries its own "accepted" text (engine.core.errors reads ctx)."""
    return PydanticCustomError("refused", "{problem}", {"problem": problem, "accepted": accepted})


def _media_path(path: str) -> str:
    if not path.strip():
        raise _refuse("is an empty path", "a file path")
    if is_url(path):
        shown = path.strip() if len(path.strip()) <= 80 else path.strip()[:77] + "..."
        raise _refuse(f"\"{shown}\" is a web address; files are not downloaded", URL_ADVICE)
    if "\0" in path:
        raise _refuse("contains a NUL character", "a file path")
    if any(len(part) > 255 for part in Path(path).parts):  # the OS refuses longer names with a trace
        raise _refuse("has a folder or file name over 255 characters", "a file path")
    return path


def _text(max_chars: int):
    return Annotated[str, Field(max_length=max_chars)]


MediaPath = Annotated[str, Field(max_length=MAX_PATH_CHARS), AfterValidator(_media_path)]


def _nesting_over(value: Any, limit: int) -> bool:
    """True when lists/objects nest deeper than ``limit``; a loop, so depth cannot crash it."""
    stack = [(value, 1)]
    while stack:
        item, depth = stack.pop()
        if isinstance(item, (list, tuple, dict)):
            if depth > limit:
                return True
            stack.extend((child, depth + 1) for child in (item.values() if isinstance(item, dict) else item))
    return False


def _pairs(entries: list) -> dict:
    """``[{"name": "Color", "value": "Red"}, ...]`` (Shopify/WooCommerce exports) -> ``{"Color": "Red"}``."""
    if not all(isinstance(e, dict) and isinstance(e.get("name"), str) and "value" in e for e in entries):
        raise _refuse("got a list whose entries are not all {\"name\": ..., \"value\": ...} pairs",
                      ACCEPTED["attributes"])
    return {e["name"]: e["value"] for e in entries}


class Product(BaseModel):
    """Raw product input. Every field is optional, but a product needs text or a photo."""

    model_config = ConfigDict(extra="ignore")

    id: _text(MAX_NAME_CHARS) = ""
    title: _text(TITLE_CHARS * REFUSE_FACTOR) = Field("", description="the merchant's draft title")
    description: _text(TEXT_CHARS * REFUSE_FACTOR) = Field("", description="draft description or free notes")
    bullets: list[_text(BULLET_CHARS * REFUSE_FACTOR)] = Field([], max_length=MAX_BULLETS)
    category: _text(TITLE_CHARS * REFUSE_FACTOR) = ""
    brand: _text(TITLE_CHARS * REFUSE_FACTOR) = ""
    attributes: dict[str, Any] = {}
    price: float | None = Field(None, ge=0, allow_inf_nan=False)
    currency: _text(16) = ""
    images: list[MediaPath] = Field([], max_length=MAX_IMAGES,
                                    description="paths of photos (JPEG, PNG, WebP, GIF, HEIC)")
    videos: list[MediaPath] = Field([], max_length=MAX_VIDEOS, description="paths of clips (mp4, mov, webm)")

    def __init__(self, /, **data: Any) -> None:
        # Direct construction (the studio's form) fails with the same one line as a product file.
        # (Pydantic then calls this __init__ from model_validate too, so from_record builds with cls(**).)
        try:
            super().__init__(**data)
        except ValidationError as exc:
            raise validation_error(exc, "", type(self), ACCEPTED) from None

    @field_validator("title", "description", "category", "brand", "currency", "bullets", "images", "videos",
                     mode="before")
    @classmethod
    def _null_is_empty(cls, value: Any, info) -> Any:
        if value is None:  # exports write null for a missing field
            return [] if info.field_name in ("bullets", "images", "videos") else ""
        return value

    @field_validator("id", mode="before")
    @classmethod
    def _id_as_text(cls, value: Any) -> Any:
        if value is None:
            return ""
        return str(value) if isinstance(value, int) and not isinstance(value, bool) else value  # SKU numbers

    @field_validator("attributes", mode="before")
    @classmethod
    def _attribute_shape(cls, value: Any) -> Any:
        if value is None:
            return {}
        if isinstance(value, list):
            value = _pairs(value)
        if not isinstance(value, dict):
            raise _refuse(f"got {describe_value(value)}, not an object", ACCEPTED["attributes"])
        if len(value) > MAX_ATTRIBUTES:
            raise _refuse(f"has {len(value):,} entries, over the {MAX_ATTRIBUTES} limit", ACCEPTED["attributes"])
        value_chars = ATTRIBUTE_CHARS * REFUSE_FACTOR
        for key, item in value.items():
            if isinstance(key, str) and len(key) > MAX_NAME_CHARS:
                raise _refuse(f"a name is {len(key):,} characters, over the {MAX_NAME_CHARS} limit",
                              f"attribute names up to {MAX_NAME_CHARS} characters")
            if _nesting_over(item, MAX_NESTING):
                raise _refuse(f"{str(key)[:40]!r} is nested more than {MAX_NESTING} levels deep",
                              f"text, a number, or lists/objects nested at most {MAX_NESTING} levels")
            size = len(json.dumps(item, ensure_ascii=False, default=str))
            if size > value_chars:
                raise _refuse(f"{str(key)[:40]!r} is {size:,} characters, over the {value_chars:,} limit",
                              f"attribute values up to {value_chars:,} characters; the first "
                              f"{ATTRIBUTE_CHARS} are used")
        return {k: v for k, v in value.items() if v not in (None, "", [])}

    @model_validator(mode="after")
    def _needs_text_or_image(self) -> "Product":
        has_text = any(
            [self.title.strip(), self.description.strip(), self.bullets, self.attributes, self.category]
        )
        if not has_text and not self.images:
            raise ValueError("the product has no text and no photo")
        return self

    @classmethod
    def from_record(cls, record: Any, base_dir: Path | str = ".", source: str = "") -> "Product":
        """Build from one catalog line; relative media paths resolve against ``base_dir``.

        Raises ``IngestError`` (a ``ValueError``) with one line ``source: field: problem
        (accepted: ...)`` for a record of the wrong shape.
        """
        if not isinstance(record, dict):
            raise IngestError(source, f"got {describe_value(record)}, not one product object", ACCEPTED_FILE)
        base = Path(base_dir)
        record = dict(record)
        path = record.get("category_path")
        if isinstance(path, list) and path and all(isinstance(part, str) for part in path):
            record["category"] = " > ".join(path)
        price = record.get("price")
        if isinstance(price, dict):  # flipkart: {"retail_inr": ..., "discounted_inr": ...}
            value = price.get("discounted_inr") or price.get("retail_inr")
            record["price"], record["currency"] = value, "INR"
        elif "price_usd" in record and price is None:
            record["price"], record["currency"] = record["price_usd"], "USD"
        for key in ("images", "videos"):
            if isinstance(record.get(key), list):  # other shapes are refused by validation, named
                record[key] = [_resolve(p, base) for p in record[key]]
        try:
            return cls(**{str(key): value for key, value in record.items()})
        except IngestError as exc:
            raise IngestError(source, exc.problem, exc.accepted, field=exc.field) from None

    @classmethod
    def from_json_file(cls, path: Path | str) -> "Product":
        """Read one product JSON; every problem is an ``IngestError`` naming the file."""
        path = Path(path)
        return cls.from_record(read_json_file(path, ACCEPTED_FILE, MAX_FILE_BYTES), path.parent, source=path.name)

    def attribute_lines(self) -> list[str]:
        """Attributes as ``key: value`` lines (lists joined with commas, ``_other`` skipped)."""
        lines = []
        for key, value in self.attributes.items():
            if key.startswith("_"):
                continue
            if isinstance(value, list):
                value = ", ".join(str(v) for v in value)
            lines.append(f"{key.replace('_', ' ')}: {value}")
        return lines


def _resolve(path: Any, base: Path) -> Any:
    """A relative file path joined to ``base``; URLs and non-text entries are left for validation."""
    if not isinstance(path, str) or is_url(path) or "\0" in path or not path.strip():
        return path
    return str(path if Path(path).is_absolute() else base / path)


def load_catalog(path: Path | str, limit: int | None = None) -> list[Product]:
    """Read a catalog JSONL (one product per line, media paths relative to the file)."""
    path = Path(path)
    products = []
    with path.open(encoding="utf-8") as handle:
        for number, line in enumerate(handle, start=1):
            if not line.strip():
                continue
            try:
                record = json.loads(line)
            except (json.JSONDecodeError, RecursionError) as exc:
                problem = f"not valid JSON: {exc.msg}" if isinstance(exc, json.JSONDecodeError) else "nested too deeply"
                raise IngestError(path.name, problem, "one JSON object per line", field=f"line {number}") from None
            products.append(Product.from_record(record, path.parent, source=f"{path.name}: line {number}"))
            if limit and len(products) >= limit:
                break
    return products
