"""Hand finished copy to a shop: Shopify's product-import CSV, JSONL, a zip of the media.

A *row* is a plain dict as written by ``engine.batch`` (one line of results.jsonl) or returned
by ``History.get``: ``id, title, description, bullets, keywords, product {brand, category,
price, currency, images, ...}, media [paths of generated images/videos]``. A
``pipeline.Result`` is accepted too and converted with ``row_from_result``.
"""
from __future__ import annotations

import csv
import html
import json
import re
import unicodedata
import zipfile
from pathlib import Path
from typing import Iterable

# Shopify's product CSV template (Products > Import > sample CSV). Columns we have nothing for
# stay empty; the importer accepts them so.
SHOPIFY_COLUMNS = (
    "Handle", "Title", "Body (HTML)", "Vendor", "Product Category", "Type", "Tags", "Published",
    "Option1 Name", "Option1 Value", "Variant SKU", "Variant Grams", "Variant Inventory Tracker",
    "Variant Inventory Policy", "Variant Fulfillment Service", "Variant Price", "Variant Compare At Price",
    "Variant Requires Shipping", "Variant Taxable", "Variant Barcode", "Image Src", "Image Position",
    "Image Alt Text", "Gift Card", "SEO Title", "SEO Description", "Status",
)
IMAGE_SUFFIXES = {".png", ".jpg", ".jpeg", ".webp", ".gif"}
SEO_TITLE_MAX, SEO_DESCRIPTION_MAX = 70, 320  # what Shopify's SEO fields show


def row_from_result(result, media: Iterable[str | Path] = ()) -> dict:
    copy = result.copy
    return {
        "id": result.product.id or result.id, "generation_id": result.id, "title": copy.title,
        "description": copy.description, "bullets": list(copy.bullets), "keywords": list(copy.keywords),
        "product": result.product.model_dump(), "settings": result.settings.model_dump(),
        "scores": {kind: {s.name: s.value for s in scores} for kind, scores in result.scores.items()},
        "media": [str(m) for m in media],
    }


def _rows(rows: Iterable) -> list[dict]:
    return [row if isinstance(row, dict) else row_from_result(row) for row in rows]


def slugify(text: str, longest: int = 80) -> str:
    """Shopify handles: lowercase ASCII letters, digits and single hyphens."""
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    slug = re.sub(r"[^a-z0-9]+", "-", ascii_text.lower()).strip("-")
    return slug[:longest].rstrip("-")


def unique_handles(rows: list[dict]) -> list[str]:
    handles, used = [], set()
    for row in rows:
        base = slugify(row.get("title") or "") or slugify(str(row.get("id") or "")) or "product"
        handle, n = base, 1
        while handle in used:
            n += 1
            handle = f"{base}-{n}"
        used.add(handle)
        handles.append(handle)
    return handles


def body_html(description: str, bullets: list[str]) -> str:
    parts = [f"<p>{html.escape(description)}</p>"] if description else []
    if bullets:
        parts.append("<ul>" + "".join(f"<li>{html.escape(b)}</li>" for b in bullets) + "</ul>")
    return "".join(parts)


def _short(text: str, limit: int) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[:limit].rsplit(" ", 1)[0].rstrip(",;:-") + "…"


def media_names(rows: Iterable, handles: list[str] | None = None) -> list[tuple[Path, str]]:
    """(file, name in the zip) for every generated file; names are ``<handle>-<file name>`` so
    two products' ``square.png`` never collide, and the Shopify CSV points at the same names."""
    rows = _rows(rows)
    handles = handles or unique_handles(rows)
    pairs = []
    for row, handle in zip(rows, handles):
        for file in row.get("media") or []:
            pairs.append((Path(file), f"{handle}-{Path(file).name}"))
    return pairs


def _images(row: dict, handle: str, image_base_url: str) -> list[str]:
    generated = [Path(m) for m in row.get("media") or [] if Path(m).suffix.lower() in IMAGE_SUFFIXES]
    if generated:
        return [image_base_url + f"{handle}-{m.name}" for m in generated]
    sources = (row.get("product") or {}).get("images") or []
    # The merchant's own photos: URLs stay URLs; local files are named so they can be uploaded.
    return [s if re.match(r"https?://", s) else image_base_url + Path(s).name for s in sources]


def shopify_csv(rows: Iterable, path: Path | str, *, image_base_url: str = "", vendor: str = "",
                publish: bool = False) -> Path:
    """Write a CSV Shopify's product import accepts: one row per product, one more per extra image.

    ``image_base_url``: where the images will be hosted (e.g. Shopify Files' CDN folder); without
    it ``Image Src`` holds the local file names, as in the zip from ``media_zip``/``export_all``.
    ``publish=False`` imports the products as drafts so the team reviews them first.
    """
    rows, path = _rows(rows), Path(path)
    handles = unique_handles(rows)
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", encoding="utf-8", newline="") as handle_out:
        writer = csv.DictWriter(handle_out, fieldnames=SHOPIFY_COLUMNS)
        writer.writeheader()
        for row, handle in zip(rows, handles):
            product = row.get("product") or {}
            category = product.get("category") or ""
            title = row.get("title") or product.get("title") or ""
            description = row.get("description") or ""
            price = product.get("price")
            images = _images(row, handle, image_base_url)
            tags = [k.replace(",", " ").strip() for k in row.get("keywords") or [] if k.strip()]
            writer.writerow({
                "Handle": handle, "Title": title, "Body (HTML)": body_html(description, row.get("bullets") or []),
                "Vendor": product.get("brand") or vendor,
                # Shopify's "Product Category" only takes its own taxonomy; the merchant's goes to Type.
                "Type": re.split(r"\s*[>/]\s*", category)[-1] if category else "",
                "Tags": ", ".join(dict.fromkeys(tags)), "Published": "TRUE" if publish else "FALSE",
                "Option1 Name": "Title", "Option1 Value": "Default Title", "Variant SKU": str(row.get("id") or ""),
                "Variant Inventory Policy": "deny", "Variant Fulfillment Service": "manual",
                "Variant Price": f"{price:.2f}" if isinstance(price, (int, float)) else "",
                "Variant Requires Shipping": "TRUE", "Variant Taxable": "TRUE",
                "Image Src": images[0] if images else "", "Image Position": "1" if images else "",
                "Image Alt Text": title if images else "", "Gift Card": "FALSE",
                "SEO Title": _short(title, SEO_TITLE_MAX), "SEO Description": _short(description, SEO_DESCRIPTION_MAX),
                "Status": "active" if publish else "draft",
            })
            for position, image in enumerate(images[1:], start=2):
                writer.writerow({"Handle": handle, "Image Src": image, "Image Position": str(position),
                                 "Image Alt Text": title})
    return path


def jsonl(rows: Iterable, path: Path | str) -> Path:
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", encoding="utf-8") as out:
        for row in _rows(rows):
            out.write(json.dumps(row, ensure_ascii=False, default=str) + "\n")
    return path


def media_zip(files: Iterable[str | Path | tuple[str | Path, str]], path: Path | str) -> Path:
    """Zip files; each item is a path (stored under its file name) or ``(path, name in zip)``.
    Images and videos are already compressed, so they are stored, not deflated again."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    used: set[str] = set()
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_STORED) as archive:
        for item in files:
            file, name = (Path(item[0]), item[1]) if isinstance(item, tuple) else (Path(item), Path(item).name)
            if not file.is_file():
                raise FileNotFoundError(f"{file}: not found; cannot add it to {path.name}")
            stem, suffix, n = Path(name).stem, Path(name).suffix, 1
            while name in used:
                n += 1
                name = f"{stem}-{n}{suffix}"
            used.add(name)
            archive.write(file, name)
    return path


def export_all(rows: Iterable, folder: Path | str, *, image_base_url: str = "", vendor: str = "",
               publish: bool = False) -> dict[str, Path]:
    """products_shopify.csv, products.jsonl and media.zip side by side, with matching file names."""
    rows, folder = _rows(rows), Path(folder)
    out = {
        "shopify": shopify_csv(rows, folder / "products_shopify.csv", image_base_url=image_base_url,
                               vendor=vendor, publish=publish),
        "jsonl": jsonl(rows, folder / "products.jsonl"),
    }
    pairs = media_names(rows)
    if pairs:
        out["zip"] = media_zip(pairs, folder / "media.zip")
    return out
