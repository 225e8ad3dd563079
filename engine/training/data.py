"""Training examples from catalogs: cleaned references, prompts and cached encoder features.

The slow part of training is the encoders (MiniLM, EfficientNet) and photo decoding, not
the small fusion + mapping networks, so every product is ingested and encoded once and the
result cached on disk; every fusion method then trains from the same cache.

Targets never leak into inputs: for the title example, the prompt and the text features
are built with the title hidden; for the description example, with the description hidden.
"""
from __future__ import annotations

import hashlib
import json
import re
from dataclasses import dataclass
from pathlib import Path

import torch
from tqdm.auto import tqdm

from engine.conditioning.model import TRAINED_FIELDS
from engine.encoders.features import text_pieces  # the same pieces encode_product pools
from engine.encoders.image import IMAGE_DIM, encode_images
from engine.encoders.text import TEXT_DIM, encode_texts
from engine.core.errors import StudioError
from engine.copywriting.copy import SENTENCE_END, build_messages
from engine.core.paths import cache_dir

TASKS = TRAINED_FIELDS  # one list for training and serving
PIECE_CHARS = 300

# Store boilerplate of the Flipkart crawl (see ../shared/data/README.md): sentences that sell
# the shop, not the product. A sentence holding any of these is dropped from references.
_BOILERPLATE = re.compile(
    r"genuine products|free shipping|cash on delivery|flipkart|replacement guarantee|"
    r"shop online|buy .{0,160}(?:online|for rs|only for|at best price|\bat rs\b)|best prices|"
    r"huge collection|\brs\.?\s?\d", re.I)


def clean_reference_description(text: str, title: str = "", flagged_boilerplate: bool = False) -> str:
    """A reference description with the Flipkart crawl's boilerplate removed ('' if none is left).

    What is removed, in order: whole records flagged ``desc_boilerplate``; the trailing
    "Specifications of ..." spec dump; the leading "Key Features of <title> ... Price: Rs. N"
    block (the features list repeats the spec sheet; a block with no price is all features list);
    the "<title>\n Price: Rs. N" header of the crawl's other layout, and a "<title> (variant)
    Price: Rs. N" header; lines that repeat an earlier line (that layout holds its text twice,
    the second copy sometimes cut short); sentences that advertise the shop (genuine products,
    free shipping, "Buy X for Rs. N online", "Buy X For Only Rs. N Online in India"...; "Rs. N"
    does not end a sentence); repeated sentences.
    What is left must hold at least 8 words, else the product has no description target.
    """
    if flagged_boilerplate or not text:
        return ""
    text = re.split(r",?\s*Specifications of ", text, maxsplit=1)[0]
    if text.lstrip().startswith("Key Features of"):
        # Prose, if the seller wrote any, follows the price; without a price the block is
        # only the features list ("Fit: Regular Fabric: Cotton ..."): 31 of 683 products.
        parts = re.split(r"Price:\s*Rs\.?\s*[\d,]+", text, maxsplit=1)
        text = parts[1] if len(parts) == 2 else ""
    else:
        text = _drop_name_header(text, title)
    text = _drop_repeated_lines(text)
    text = re.sub(r"Price:\s*Rs\.?\s*[\d,]+", " ", text)
    text = re.sub(r"\s+", " ", text).strip(" ,")
    kept, seen = [], set()
    for sentence in _SENTENCE_END.split(text):
        key = sentence.lower().strip()
        if not key or key in seen or _BOILERPLATE.search(sentence):
            continue
        seen.add(key)
        kept.append(sentence.strip())
    cleaned = " ".join(kept).strip()
    return cleaned if len(cleaned.split()) >= 8 else ""


# Sentence ends as in engine.copywriting.copy.SENTENCE_END, except after "Rs." ("For Only Rs. 1390
# Online in India." is one sentence, so the boilerplate rule sees all of it).
_SENTENCE_END = re.compile(r"(?<=[.!?])(?<!\b[Rr][Ss]\.)\s+")
_PRICE = re.compile(r"Price:\s*Rs\.?\s*[\d,]+")


def _drop_name_header(text: str, title: str) -> str:
    """Text after a leading "<product name> Price: Rs. N" header (the crawl's second layout).

    The header is dropped when it stands on a line of its own ("<title>\\n  Price: Rs. 699\\n";
    after ingest, which takes "Price: Rs. 699" out as an attribute line, "<title>\\n\\n<text>")
    or starts with the product's title ("<title> (Multicolor) Price: Rs. 399 ..."): it is the
    product's name, not description.
    """
    name = " ".join(title.split()).lower()
    price = _PRICE.search(text)
    if price:
        head, rest = text[: price.start()], text[price.end():]
        if head.rstrip(" \t").endswith("\n") and "\n" not in head.strip() and len(head.strip()) <= 300:
            return rest
        if name and " ".join(head.split()).lower().startswith(name) and not re.search(r"[.!?]\s", head):
            return rest
    first, newline, rest = text.strip().partition("\n")
    if newline and name and " ".join(first.split()).lower().startswith(name) and len(first) <= 300 \
            and not re.search(r"[.!?](?:\s|$)", first.strip()):
        return rest
    return text


def _drop_repeated_lines(text: str) -> str:
    """Lines that repeat an earlier line, or an earlier line's beginning (a copy cut short), go."""
    if "\n" not in text:
        return text
    kept: list[str] = []
    for line in text.split("\n"):
        key = " ".join(line.split()).lower()
        if key and any(k.startswith(key) for k in (" ".join(x.split()).lower() for x in kept)):
            continue
        kept.append(line)
    return "\n".join(kept)


def faithful_target(reference: str, source_text: str) -> str:
    """The reference without the sentences its input does not support: a sentence stays only when every
    word is licensed by the input or the house vocabulary (``engine.copywriting.licence``) and the claim
    check flags nothing in it. Nie et al. (ACL 2019) trained on targets refined this way and beat the
    previous best on content correctness. "" when no sentence is left (the example is then not trained on)."""
    from engine.copywriting.compose import SENTENCE_SPLIT
    from engine.copywriting.licence import licence_for
    from engine.scores.claims import claim_report

    licence = licence_for(source_text)
    kept = [s for s in SENTENCE_SPLIT.split(reference.strip()) if len(s.split()) >= 4 and not licence.unlicensed(s)
            and not claim_report(s, source_text)["flagged"]]
    return " ".join(kept)


def split_of(product_id: str, val_percent: int = 10) -> str:
    """'val' or 'train', fixed by the product id so a product never sits on both sides."""
    bucket = int(hashlib.sha1(product_id.encode("utf-8")).hexdigest(), 16) % 100
    return "val" if bucket < val_percent else "train"


def target_key(text: str) -> str:
    """What makes two targets the same: case and spacing aside."""
    return " ".join(text.lower().split())


def held_out_targets(records, val_percent: int = 10) -> dict[str, set[str]]:
    """task -> the targets (``target_key``) of validation products.

    The Flipkart crawl lists colour and size variants as separate products with the same title
    (flipkart-text: 409 of 945 products share a title with another) and sellers reuse one
    description for a whole range (Rockmantra mugs): split by product id alone, a held-out
    title or description is often also a training target. A training example whose target is
    in this set is left out (``make_examples``), so validation never scores a seen target.
    """
    targets: dict[str, set[str]] = {task: set() for task in TASKS}
    for record in records:
        if split_of(record.id, val_percent) == "val":
            for task in TASKS:
                if record.references.get(task):
                    targets[task].add(target_key(record.references[task]))
    return targets


@dataclass
class ProductRecord:
    id: str
    catalog: str
    split: str
    references: dict[str, str]  # task -> reference text ('' when the product has none)
    text_features: dict[str, torch.Tensor]  # task -> (384,) MiniLM pooled with that task's field hidden
    photo_features: torch.Tensor  # (P, 1280), one row per photo (P may be 0)
    messages: dict[str, list[dict]]  # task -> chat messages with the target field hidden
    source_text: dict[str, str]  # task -> what the output may be grounded in (target hidden)


def hidden_copy(ingested, task: str):
    """The ingested product with the target field blanked out.

    Flipkart descriptions repeat the title word for word ("Key Features of <title>",
    "Buy <title> for Rs. N"), so for the title task the title is also cut out of the
    description and bullets: the generator must not read the answer anywhere.
    """
    from dataclasses import replace

    product = ingested.product
    update = {task: ""}
    if task == "title" and product.title.strip():
        title = re.compile(re.escape(product.title.strip()), re.I)
        update["description"] = re.sub(r"\s+", " ", title.sub(" ", product.description)).strip()
        update["bullets"] = [title.sub(" ", b).strip() for b in product.bullets]
    return replace(ingested, product=product.model_copy(update=update))


def _read_catalog(path: Path) -> list[dict]:
    rows = []
    with path.open(encoding="utf-8") as handle:
        for line in handle:
            if line.strip():
                rows.append(json.loads(line))
    return rows


def build_records(paths: list[Path], limit: int | None = None, device: str = "auto",
                  progress: bool = True, max_photos: int = 3) -> list[ProductRecord]:
    from engine.ingest import ingest
    from engine.core.product import Product
    from engine.core.settings import Settings

    settings = Settings()
    records: list[ProductRecord] = []
    for path in paths:
        path = Path(path)
        if not path.is_file():
            raise StudioError(f"{path}: catalog not found (accepted: a JSONL file, one product per line)")
        rows = _read_catalog(path)[:limit] if limit else _read_catalog(path)
        for row in tqdm(rows, desc=f"encoding {path.parent.name}", disable=not progress):
            product = Product.from_record(row, path.parent)
            # Luma has up to 5 views per product; three carry the look and cut prep time by ~40%.
            product = product.model_copy(update={"images": product.images[:max_photos]})
            try:
                ingested = ingest(product)
            except StudioError as exc:  # one broken photo must not stop a catalog
                tqdm.write(f"skipped {product.id}: {exc}")
                continue
            title = ingested.product.title
            references = {
                "title": title,
                "description": clean_reference_description(
                    ingested.product.description, title, bool(row.get("desc_boilerplate"))),
            }
            # Each task pools the text pieces of its hidden copy; a piece shared by both tasks is
            # encoded once. Pieces are cut to PIECE_CHARS: MiniLM over long spec dumps is most of the prep time.
            hidden = {task: hidden_copy(ingested, task) for task in TASKS}
            pieces = {task: [p[:PIECE_CHARS] for p in text_pieces(hidden[task])] for task in TASKS}
            unique = list(dict.fromkeys(p for task in TASKS for p in pieces[task]))
            vectors = dict(zip(unique, encode_texts(unique, device))) if unique else {}
            text_features, messages, sources = {}, {}, {}
            for task in TASKS:
                rows = [vectors[p] for p in pieces[task]]
                text_features[task] = torch.stack(rows).mean(0) if rows else torch.zeros(TEXT_DIM)
                messages[task] = build_messages(task, hidden[task], settings, hide=(task,))
                sources[task] = hidden[task].source_text()
            photos = encode_images([p.image for p in ingested.photos], device) if ingested.photos \
                else torch.zeros(0, IMAGE_DIM)
            record_id = product.id or f"{path.stem}-{len(records)}"
            records.append(ProductRecord(
                id=record_id, catalog=str(path), split=split_of(record_id),
                references=references, text_features=text_features, photo_features=photos,
                messages=messages, source_text=sources))
    return records


def cached_records(paths: list[Path], limit: int | None = None, device: str = "auto",
                   progress: bool = True) -> list[ProductRecord]:
    """``build_records`` once per catalog content; later calls load the cache (seconds)."""
    digest = hashlib.sha256(f"v9 chars={PIECE_CHARS}".encode())  # v9: references re-cleaned
    for path in paths:
        lines = [line for line in Path(path).read_bytes().splitlines() if line.strip()]
        digest.update(b"\n".join(lines[:limit] if limit else lines))  # same products, same cache
    target = cache_dir() / "training" / f"records-{digest.hexdigest()[:16]}.pt"
    if target.exists():
        return [ProductRecord(**r) for r in torch.load(target, weights_only=False)]
    records = build_records(paths, limit, device, progress)
    target.parent.mkdir(parents=True, exist_ok=True)
    partial = target.with_suffix(".partial")
    torch.save([r.__dict__ for r in records], partial)
    partial.rename(target)
    return records
