"""Read a catalog the merchant uploads: a CSV with the header in docs/CATALOG_FORMAT.md, or the
JSONL shape of ../shared/data.

``read_catalog_rows`` reads row by row and keeps going: every good row becomes a product that
remembers its line, every bad one (malformed JSON, a wrong-shaped product, a CSV row with extra
cells, a repeated id, a row with nothing usable) is set aside with its line, id and the reason.
One bad row in a catalog of thousands should cost that row, not the catalog. The file as a
whole is still refused (``IngestError``) when nothing in it can be read: missing, an unsupported
type, not UTF-8, a CSV header we cannot use, or no good row at all.
"""
from __future__ import annotations

import csv
import io
import json
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable

from pydantic import ValidationError

from engine.core.errors import IngestError, StudioError
from engine.core.product import Product

ACCEPTED = "a .csv with the header in docs/CATALOG_FORMAT.md, or a .jsonl with one product per line"
JSONL_SUFFIXES = (".jsonl", ".json", ".ndjson")

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
# Ids we make up for rows without one (``line-<n>`` in a JSONL, ``row-<n>`` in a CSV): stable for
# resume, but not the merchant's, so exports must not hand them on as a SKU (engine.workflows.export).
GENERATED_ID = re.compile(r"(?:line|row)-\d+")


def generated_id(kind: str, number: int) -> str:
    """The id of a row that has none: ``kind`` is "line" (JSONL) or "row" (CSV)."""
    return f"{kind}-{number}"


def is_generated_id(product_id: str) -> bool:
    return bool(GENERATED_ID.fullmatch(product_id or ""))
# What building one product can raise. TypeError and AttributeError are here too: a wrong-shaped
# line (attributes as a list, say) must cost that line, never the rest of the file.
ROW_ERRORS = (ValueError, StudioError, TypeError, AttributeError)
_MESSAGE_MAX = 500  # one console line per bad row, even when a parser quotes a whole value back


@dataclass
class CatalogRows:
    """One catalog, read: the products that can run and the rows that cannot.

    ``lines[product.id]`` is the product's line in the file (for a CSV, the row number a
    spreadsheet shows, the header being 1). ``rejected`` holds ``{"line", "id", "error"}`` per
    bad row, in file order; ``id`` is ``""`` when the row has none we could read.
    """

    name: str
    products: list[Product] = field(default_factory=list)
    lines: dict[str, int | None] = field(default_factory=dict)
    rejected: list[dict] = field(default_factory=list)

    def reject(self, line: int | None, row_id: Any, error: str) -> None:
        self.rejected.append({"line": line, "id": _text_id(row_id), "error": error})

    def take(self, line: int | None, row_id: Any, build: Callable[[], Product]) -> None:
        """Keep the product ``build()`` makes of one row, or set the row aside with the reason."""
        try:
            product = build()
        except ROW_ERRORS as exc:
            self.reject(line, row_id, row_problem(exc))
            return
        if product.id in self.lines:  # the first one wins: it may already be in results.jsonl
            first = self.lines[product.id]
            where = f"on line {first}" if first is not None else "by an earlier product"
            self.reject(line, product.id, f"product id {product.id!r} is already used {where}; ids must be "
                                          "unique because the batch resumes by id")
            return
        self.products.append(product)
        self.lines[product.id] = line

    @classmethod
    def of(cls, products, name: str = "products") -> "CatalogRows":
        """Products handed over in code (no file, so no lines); a repeated id is still set aside."""
        rows = cls(name)
        for product in products:
            rows.take(None, product.id, lambda: product)
        return rows

    def first(self, limit: int | None) -> "CatalogRows":
        """Only the first ``limit`` products (all when ``limit`` is falsy); bad rows are all kept."""
        if not limit:
            return self
        kept = self.products[:limit]
        return CatalogRows(self.name, kept, {p.id: self.lines[p.id] for p in kept}, list(self.rejected))


def describe(record: dict) -> str:
    """A bad row or failed product as one console line: ``line 7 (id ABC): <error>``."""
    line, row_id = record.get("line"), record.get("id") or ""
    if line is None:
        where = f"id {row_id}" if row_id else "a product"
    else:
        where = f"line {line} (id {row_id})" if row_id else f"line {line}"
    return f"{where}: {record['error']}"


def row_problem(exc: BaseException) -> str:
    """What is wrong with one row, as one line a merchant can act on."""
    if isinstance(exc, json.JSONDecodeError):
        text = f"not valid JSON ({exc.msg} at column {exc.colno})"
    elif isinstance(exc, ValidationError):
        first = exc.errors()[0]
        where = ".".join(str(part) for part in first["loc"])
        text = first["msg"].removeprefix("Value error, ")
        text = f"{where}: {text}" if where else text
        if exc.error_count() > 1:
            text += f" (and {exc.error_count() - 1} more problems)"
    elif isinstance(exc, ValueError):  # StudioError included: its message is already for the merchant
        text = str(exc)
    else:
        text = f"a field has an unexpected shape ({type(exc).__name__}: {exc})"
    text = " ".join(text.split()) or type(exc).__name__
    return text if len(text) <= _MESSAGE_MAX else text[: _MESSAGE_MAX - 1] + "…"


def _text_id(value: Any) -> str:
    return value.strip() if isinstance(value, str) else str(value) if isinstance(value, (int, float)) else ""


# -- CSV --------------------------------------------------------------------------------------
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


def _dialect(sample: str) -> type[csv.Dialect]:
    """Excel's quoting with the header's separator. Only the separator is sniffed: from a header
    without quotes the Sniffer also guesses ``doublequote=False``, which breaks the cells with
    doubled quotes inside (``"12 ""oz"" mug"``) that every spreadsheet writes."""
    try:
        delimiter = csv.Sniffer().sniff(sample.splitlines()[0] if sample else "", delimiters=",;\t").delimiter
    except csv.Error:
        delimiter = ","
    return type("CatalogDialect", (csv.excel,), {"delimiter": delimiter})


def _csv_record(row: dict[str, str], number: int) -> dict:
    record: dict = {"id": row.get("id") or generated_id("row", number), "attributes": {}}
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
    return record


def _read_csv(path: Path, rows: CatalogRows, limit: int | None) -> None:
    """CSV (comma, semicolon or tab separated; UTF-8, an Excel BOM is fine) -> ``rows``."""
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
    number = 1  # row numbers as a spreadsheet shows them; they also name id-less rows (row-N), so keep them stable
    while not limit or len(rows.products) < limit:
        number += 1
        try:
            cells = next(reader)
        except StopIteration:
            break
        except csv.Error as exc:  # e.g. a cell over the field size limit: the reader goes on with the next row
            rows.reject(number, "", f"unreadable CSV row ({exc})")
            continue
        if not any(c.strip() for c in cells):
            continue
        row = dict(zip(keys, (c.strip() for c in cells)))
        if len(cells) > len(keys):
            rows.reject(number, row.get("id", ""), f"{len(cells)} cells but the header has {len(keys)}; "
                                                   "quote cells that contain the separator")
            continue
        rows.take(number, row.get("id", ""), lambda: Product.from_record(_csv_record(row, number), path.parent))


# -- JSONL ------------------------------------------------------------------------------------
_ID_IN_BROKEN_LINE = re.compile(r'"id"\s*:\s*"([^"\\]*)"')


def _jsonl_product(record: Any, base: Path, number: int) -> Product:
    if not isinstance(record, dict):
        kind = {list: "a list", str: "a string", bool: "true/false", type(None): "null"}.get(type(record), "a number")
        raise ValueError(f"expected one product as a JSON object {{...}}, found {kind}")
    product = Product.from_record(record, base)
    # A line without an id still needs one that stays the same when the batch resumes.
    return product if product.id else product.model_copy(update={"id": generated_id("line", number)})


def _read_jsonl(path: Path, rows: CatalogRows, limit: int | None) -> None:
    try:
        text = path.read_bytes().decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise IngestError(path.name, f"not UTF-8 text ({exc.reason} at byte {exc.start})", "UTF-8 JSONL") from exc
    # Split on \n only: a JSON string may hold U+2028, which str.splitlines() would treat as a line end.
    for number, line in enumerate(text.split("\n"), start=1):
        if limit and len(rows.products) >= limit:
            break
        if not line.strip():
            continue
        try:
            record = json.loads(line)
        except json.JSONDecodeError as exc:
            found = _ID_IN_BROKEN_LINE.search(line)  # name the product when the id survived the damage
            rows.reject(number, found.group(1) if found else "", row_problem(exc))
            continue
        row_id = record.get("id", "") if isinstance(record, dict) else ""
        rows.take(number, row_id, lambda: _jsonl_product(record, path.parent, number))


# -- entry points -----------------------------------------------------------------------------
def read_catalog_rows(path: Path | str, limit: int | None = None) -> CatalogRows:
    """A catalog file -> its good products (unique ids, each with its line) and its bad rows.

    ``limit`` counts good products. Media paths resolve against the file's folder. Raises
    ``IngestError`` only when the file as a whole cannot be used (see the module docstring).
    """
    path = Path(path)
    if not path.is_file():
        raise IngestError(path.name, "file not found", ACCEPTED)
    suffix = path.suffix.lower()
    rows = CatalogRows(path.name)
    if suffix == ".csv":
        _read_csv(path, rows, limit)
    elif suffix in JSONL_SUFFIXES:
        _read_jsonl(path, rows, limit)
    else:
        raise IngestError(path.name, f"unsupported catalog type {suffix or '(none)'!r}", ACCEPTED)
    if not rows.products:
        if not rows.rejected:
            raise IngestError(path.name, "no products in the file", ACCEPTED)
        more = len(rows.rejected) - 1
        others = f"; {more} more bad row{'s' if more > 1 else ''}" if more else ""
        raise IngestError(path.name, f"{describe(rows.rejected[0])}{others}; no row can run", ACCEPTED)
    return rows


def read_catalog(path: Path | str, limit: int | None = None) -> list[Product]:
    """The good products of a catalog file; bad rows are left out (``read_catalog_rows`` lists them)."""
    return read_catalog_rows(path, limit).products
