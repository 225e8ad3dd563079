"""Read a catalog the merchant uploads: a CSV with the header in docs/CATALOG_FORMAT.md, or the
JSONL shape of ../shared/data. One entry point, ``read_catalog``, for both.
"""
from __future__ import annotations

import csv
import io
import re
from pathlib import Path

from pydantic import ValidationError

from engine.errors import IngestError
from engine.product import Product, load_catalog

ACCEPTED = "a .csv with the header in docs/CATALOG_FORMAT.md, or a .jsonl with one product per line"

# Columns with a meaning of their own; every other column becomes a product attribute.
COLUMNS = ("id", "title", "description", "bullets", "category", "brand", "price", "currency", "images", "videos")
# Header spellings merchants export from other tools, mapped onto ours.
ALIASES = {
    "handle": "id", "sku": "id", "product_id": "id", "name": "title", "product_name": "title",
    "body": "description", "body_html": "description", "type": "category", "product_type": "category",
    "vendor": "brand", "image": "images", "image_src": "images", "video": "videos",
}
LIST_SEPARATOR = "|"
_PRICE = re.compile(r"-?\d+(?:[.,]\d+)*")


def _key(header: str) -> str:
    key = re.sub(r"[^a-z0-9]+", "_", header.strip().lower()).strip("_")
    return ALIASES.get(key, key)


def _split(value: str) -> list[str]:
    return [part.strip() for part in re.split(r"\s*\|\s*|\n", value) if part.strip()]


def _price(value: str) -> float | None:
    match = _PRICE.search(value.replace(" ", ""))
    if not match:
        return None
    number = match.group()
    if "," in number and "." not in number and len(number.rsplit(",", 1)[1]) != 3:
        number = number.replace(",", ".")  # "12,50": a decimal comma
    return float(number.replace(",", ""))


def _dialect(sample: str) -> type[csv.Dialect] | csv.Dialect:
    try:
        return csv.Sniffer().sniff(sample.splitlines()[0] if sample else "", delimiters=",;\t")
    except csv.Error:
        return csv.excel


def read_csv_catalog(path: Path | str, limit: int | None = None) -> list[Product]:
    """CSV (comma, semicolon or tab separated; UTF-8, an Excel BOM is fine) -> products."""
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8-sig")
    except UnicodeDecodeError as exc:
        raise IngestError(path.name, f"not UTF-8 text ({exc.reason})", "UTF-8 CSV") from exc
    reader = csv.reader(io.StringIO(text, newline=""), _dialect(text[:4096]))  # U+2028 in a field is text, not a row break
    header = next(reader, None)
    if not header:
        raise IngestError(path.name, "the file is empty", ACCEPTED)
    keys = [_key(h) for h in header]
    if not {"title", "description", "images"} & set(keys):
        raise IngestError(path.name, f"the header has none of title, description, images (found: {', '.join(header)})",
                          ACCEPTED)
    products = []
    for number, cells in enumerate(reader, start=2):
        if not any(c.strip() for c in cells):
            continue
        if len(cells) > len(keys):
            raise IngestError(path.name, f"line {number} has {len(cells)} cells but the header has {len(keys)}",
                              "quote cells that contain the separator")
        row = dict(zip(keys, (c.strip() for c in cells)))
        record: dict = {"id": row.get("id") or f"row-{number}", "attributes": {}}
        for key, value in row.items():
            if not value:
                continue
            if key in ("bullets", "images", "videos"):
                record[key] = _split(value)
            elif key == "price":
                record["price"] = _price(value)
            elif key in COLUMNS:
                record[key] = value
            else:
                record["attributes"][key] = value
        try:
            products.append(Product.from_record(record, path.parent))
        except (ValidationError, ValueError) as exc:
            problem = exc.errors()[0]["msg"] if isinstance(exc, ValidationError) else str(exc)
            raise IngestError(path.name, f"line {number}: {problem}", ACCEPTED) from exc
        if limit and len(products) >= limit:
            break
    return products


def read_catalog(path: Path | str, limit: int | None = None) -> list[Product]:
    """A catalog file -> products with unique ids. Media paths resolve against the file's folder."""
    path = Path(path)
    if not path.is_file():
        raise IngestError(path.name, "file not found", ACCEPTED)
    suffix = path.suffix.lower()
    if suffix == ".csv":
        products = read_csv_catalog(path, limit)
    elif suffix in (".jsonl", ".json", ".ndjson"):
        try:
            products = load_catalog(path, limit)
        except ValueError as exc:
            raise IngestError(path.name, str(exc).removeprefix(f"{path.name} "), ACCEPTED) from exc
        # JSONL lines without an id still need one that stays the same when the batch resumes.
        products = [p if p.id else p.model_copy(update={"id": f"line-{i}"}) for i, p in enumerate(products, 1)]
    else:
        raise IngestError(path.name, f"unsupported catalog type {suffix or '(none)'!r}", ACCEPTED)
    seen: dict[str, int] = {}
    for index, product in enumerate(products, start=1):
        if product.id in seen:
            raise IngestError(path.name, f"product id {product.id!r} appears twice (entries {seen[product.id]} and "
                              f"{index})", "one row per product with a unique id")
        seen[product.id] = index
    if not products:
        raise IngestError(path.name, "no products in the file", ACCEPTED)
    return products
