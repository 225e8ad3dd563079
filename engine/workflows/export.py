"""Hand finished copy to a shop: Shopify's product-import CSV, JSONL, a zip of the media.

A *row* is a plain dict as written by ``engine.workflows.batch`` (one line of results.jsonl) or returned
by ``History.get``: ``id, title, description, bullets, keywords, product {brand, category,
price, currency, images, ...}, media [paths of generated images/videos]``, and the claim check's
verdicts (``claims``, or the full ``scores`` of a history row). A ``pipeline.Result`` is accepted
too and converted with ``row_from_result``.

Nothing flagged is published silently: a product whose title or description has a claim the
check flagged (``flagged_claims``) is imported as a draft whatever ``publish`` says, and the
claims and their reasons are listed beside the CSV in ``<name>_review.csv`` (``review_path``).
A sidecar rather than a column, so the CSV keeps exactly the columns of Shopify's template.
"""
from __future__ import annotations

import csv
import html
import json
import re
import unicodedata
import zipfile
from functools import lru_cache
from pathlib import Path
from typing import Iterable

from engine.inputs.catalog import is_generated_id

# Shopify's product CSV template (Products > Import > sample CSV). Columns we have nothing for
# stay empty; the importer accepts them so.
SHOPIFY_COLUMNS = (
    "Handle", "Title", "Body (HTML)", "Vendor", "Product Category", "Type", "Tags", "Published",
    "Option1 Name", "Option1 Value", "Variant SKU", "Variant Grams", "Variant Inventory Tracker",
    "Variant Inventory Policy", "Variant Fulfillment Service", "Variant Price", "Variant Compare At Price",
    "Variant Requires Shipping", "Variant Taxable", "Variant Barcode", "Image Src", "Image Position",
    "Image Alt Text", "Gift Card", "SEO Title", "SEO Description", "Status",
)
# Beside the Shopify CSV: the products held back as drafts, one line per flagged claim.
REVIEW_COLUMNS = ("Handle", "Variant SKU", "Field", "Flagged", "Reason")
CHECKED_FIELDS = ("title", "description")  # the fields whose flagged claims hold a product back
IMAGE_SUFFIXES = {".png", ".jpg", ".jpeg", ".webp", ".gif"}
SEO_TITLE_MAX, SEO_DESCRIPTION_MAX = 70, 320  # what Shopify's SEO fields show
# Tags are storefront filters and search terms: a short list of product words, not every keyword.
TAGS_MAX, TAG_WORDS_MAX = 13, 3
# Words about the sale, not the product: a shopper never filters a collection by them.
COMMERCE_WORDS = frozenset("""price prices priced cost buy buying bought sale sales sell offer offers deal deals
discount discounts discounted cheap cheapest best bestseller order orders shop shopping store online shipping
delivery free new item items product products quality guarantee warranty""".split())
_TAG_WORD = re.compile(r"[^\W_]+(?:['\-][^\W_]+)*")
_CATEGORY_SPLIT = re.compile(r"\s*[>/|,]\s*")


def row_from_result(result, media: Iterable[str | Path] = ()) -> dict:
    """A Result as a row: the results.jsonl line ``engine.workflows.batch`` writes for it, plus its media."""
    from engine.workflows.batch import result_line

    return {**result_line(result.product, result), "id": result.product.id or result.id,
            "media": [str(m) for m in media]}


def flagged_claims(row: dict) -> dict[str, list[dict]]:
    """field -> the claims the check flagged in it (``{"text", "reason"}``), for the title and the
    description; empty when nothing is flagged.

    Reads the verdicts a results line holds (``claims``), else a history row's full scores; a line
    written before results held the verdicts has only the share of claims in the input, which is
    below 1 exactly when something was flagged: that field is held back with a reason that says so."""
    verdicts = row.get("claims") or {}
    scores = row.get("scores") or {}
    flagged: dict[str, list[dict]] = {}
    for kind in CHECKED_FIELDS:
        if kind in verdicts:
            claims = [{"text": f.get("text") or "", "reason": f.get("reason") or ""}
                      for f in verdicts[kind].get("flagged") or []]
        elif isinstance(scores.get(kind), list):  # History.get: every score with its details
            claim = next((s for s in scores[kind] if s.get("name") == "grounding"), {})
            claims = [{"text": f.get("text") or "", "reason": f.get("reason") or ""}
                      for f in (claim.get("details") or {}).get("flagged") or []]
        else:
            share = (scores.get(kind) or {}).get("grounding")
            claims = [] if share is None or share >= 1 else [
                {"text": "", "reason": f"the claim check flagged part of it ({share:.0%} of its claims are in the "
                                       "input); open it in the studio to see which"}]
        if claims:
            flagged[kind] = claims
    return flagged


def review_path(path: Path | str) -> Path:
    """Where ``shopify_csv`` lists the products it held back: ``products_shopify_review.csv``."""
    path = Path(path)
    return path.with_name(f"{path.stem}_review.csv")


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


@lru_cache(maxsize=1)
def _stop_words() -> frozenset[str]:
    # scikit-learn's English list (nltk's stopwords corpus is not installed offline) plus the
    # keyword extractor's own, which adds contractions and listing boilerplate.
    from sklearn.feature_extraction.text import ENGLISH_STOP_WORDS

    from engine.copywriting.keywords import STOP_WORDS

    return frozenset(ENGLISH_STOP_WORDS) | STOP_WORDS


def _words(text: str) -> list[str]:
    return _TAG_WORD.findall(text.lower().replace("’", "'"))


def _input_words(product: dict) -> set[str]:
    """Every word the merchant wrote for the product: title, description, bullets, category,
    brand, attribute names and values. A tag built of other words came from generated text."""
    parts = [product.get(k) or "" for k in ("title", "description", "category", "brand")]
    parts += [str(b) for b in product.get("bullets") or []]
    for name, value in (product.get("attributes") or {}).items():
        parts += [str(name), ", ".join(map(str, value)) if isinstance(value, list) else str(value)]
    return set(_words("\n".join(parts)))


def _known(word: str, known: set[str]) -> bool:
    """In the input, allowing a plural for a singular and back ("bulbs" for "bulb")."""
    return any(form in known for form in (word, word + "s", word + "es", word.removesuffix("s"),
                                          word.removesuffix("es")))


def _contraction(word: str) -> bool:
    """ "i'll", "don't", "he's": yes; a possessive such as "men's" is a product word: no."""
    if "'" not in word:
        return False
    base, _, ending = word.rpartition("'")
    return ending != "s" or base in _stop_words()


def clean_tag(keyword: str, known: set[str]) -> str | None:
    """``keyword`` as a tag, or None when it is not a clean product phrase: 1-3 words, no stop
    word, pronoun, contraction or number at either end, no word about the sale (price, buy ...),
    and every word present in the product's own input (``known``)."""
    text = " ".join(keyword.replace(",", " ").replace("’", "'").split())
    words = text.lower().split(" ")
    if not text or len(words) > TAG_WORDS_MAX or _words(text) != words:  # stray punctuation: not a phrase
        return None
    for end in {words[0], words[-1]}:
        if _contraction(end) or end in _stop_words() or not any(c.isalpha() for c in end):
            return None
    if any(w in COMMERCE_WORDS for w in words) or not all(_known(w, known) for w in words):
        return None
    return text


def category_terms(category: str) -> list[str]:
    """"Home > Lighting > Bulbs" or "Men/Tops/Hoodies" -> its levels, each a tag."""
    return [part.strip() for part in _CATEGORY_SPLIT.split(category or "") if part.strip()]


def shopify_tags(row: dict) -> list[str]:
    """Clean keywords first, then the category levels and the brand, which always get room;
    case-insensitively unique and at most ``TAGS_MAX``."""
    product = row.get("product") or {}
    fixed = list(dict.fromkeys(t.replace(",", " ") for t in [*category_terms(product.get("category") or ""),
                                                              (product.get("brand") or "").strip()] if t))
    known = _input_words(product)
    tags, seen = [], set()
    for keyword in row.get("keywords") or []:
        tag = clean_tag(str(keyword), known)
        if tag is None or tag.lower() in seen:
            continue
        still_to_come = sum(1 for f in fixed if f.lower() not in seen | {tag.lower()})
        if len(tags) + 1 + still_to_come > TAGS_MAX:
            continue  # a later keyword may be a category term, which costs no extra room
        tags.append(tag)
        seen.add(tag.lower())
    for term in fixed:
        if term.lower() not in seen:
            tags.append(term)
            seen.add(term.lower())
    return tags[:TAGS_MAX]


def variant_sku(row: dict, handle: str) -> str:
    """The merchant's ``sku`` attribute, else the product id they gave, else the handle: an id we
    made up for a row without one (``line-3``, engine.inputs.catalog) means nothing in their shop."""
    product = row.get("product") or {}
    for name, value in (product.get("attributes") or {}).items():
        if str(name).strip().lower() == "sku" and str(value).strip():
            return str(value).strip()
    given = str(row.get("id") or product.get("id") or "").strip()
    return given if given and not is_generated_id(given) else handle


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
    ``publish=False`` imports the products as drafts so the team reviews them first; with
    ``publish=True`` a product whose title or description has a flagged claim is still a draft
    (Status ``draft``, not published). Every product with a flagged claim is listed, claim by claim
    with its reason, in ``review_path(path)``; without any, no review file is left there.
    """
    rows, path = _rows(rows), Path(path)
    handles = unique_handles(rows)
    path.parent.mkdir(parents=True, exist_ok=True)
    review = []  # (handle, sku, field, claim) for the review file
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
            sku = variant_sku(row, handle)
            flagged = flagged_claims(row)
            review += [(handle, sku, kind, claim) for kind, claims in flagged.items() for claim in claims]
            live = publish and not flagged
            writer.writerow({
                "Handle": handle, "Title": title, "Body (HTML)": body_html(description, row.get("bullets") or []),
                "Vendor": product.get("brand") or vendor,
                # Shopify's "Product Category" only takes its own taxonomy; the merchant's goes to Type.
                "Type": re.split(r"\s*[>/]\s*", category)[-1] if category else "",
                "Tags": ", ".join(shopify_tags(row)), "Published": "TRUE" if live else "FALSE",
                "Option1 Name": "Title", "Option1 Value": "Default Title", "Variant SKU": sku,
                "Variant Inventory Policy": "deny", "Variant Fulfillment Service": "manual",
                "Variant Price": f"{price:.2f}" if isinstance(price, (int, float)) else "",
                "Variant Requires Shipping": "TRUE", "Variant Taxable": "TRUE",
                "Image Src": images[0] if images else "", "Image Position": "1" if images else "",
                "Image Alt Text": title if images else "", "Gift Card": "FALSE",
                "SEO Title": _short(title, SEO_TITLE_MAX), "SEO Description": _short(description, SEO_DESCRIPTION_MAX),
                "Status": "active" if live else "draft",
            })
            for position, image in enumerate(images[1:], start=2):
                writer.writerow({"Handle": handle, "Image Src": image, "Image Position": str(position),
                                 "Image Alt Text": title})
    _write_review(review, review_path(path))
    return path


def _write_review(review: list[tuple[str, str, str, dict]], path: Path) -> None:
    """The review file beside a Shopify CSV; an earlier one goes when nothing is flagged now, so it
    never lists products of another export."""
    if not review:
        path.unlink(missing_ok=True)
        return
    with path.open("w", encoding="utf-8", newline="") as handle_out:
        writer = csv.writer(handle_out)
        writer.writerow(REVIEW_COLUMNS)
        for handle, sku, kind, claim in review:
            writer.writerow([handle, sku, kind, claim["text"], claim["reason"]])


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
    """products_shopify.csv, products.jsonl and media.zip side by side, with matching file names, and
    products_shopify_review.csv (key ``review``) when a product was held back for a flagged claim."""
    rows, folder = _rows(rows), Path(folder)
    out = {
        "shopify": shopify_csv(rows, folder / "products_shopify.csv", image_base_url=image_base_url,
                               vendor=vendor, publish=publish),
        "jsonl": jsonl(rows, folder / "products.jsonl"),
    }
    if review_path(out["shopify"]).exists():
        out["review"] = review_path(out["shopify"])
    pairs = media_names(rows)
    if pairs:
        out["zip"] = media_zip(pairs, folder / "media.zip")
    return out
