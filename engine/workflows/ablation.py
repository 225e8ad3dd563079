"""Leave one input out: what each input (photos, text, video) changes in one method's copy.

A fusion method's gate weights ("image 47%") say how much the fusion attends to an input, not
how much the copy depends on it: on unseen products, removing the photos changed 24 of 60
titles and cost about 3.5 METEOR points, far less than the weights suggest. This module
measures the effect directly: the copy is written with every input, then again with one input
removed, with the same method, seed and settings, and every version is scored against the
*full* product (its facts and references), so a delta says what losing the input cost.

Used by the studio's Compare tab ("What each input changes"), by
``python -m engine compare PRODUCT.json --ablate METHOD`` and from Python (``leave_one_out``).
A row is a plain dict (see ``_row``), like a compare cell.
"""
from __future__ import annotations

import csv
from pathlib import Path
from typing import Callable, Iterator, Sequence

from engine.core.errors import StudioError
from engine.core.product import Product
from engine.core.settings import Settings

# The inputs a merchant gives, in the order the rows show them, and the fusion modality each feeds.
INPUTS = ("photos", "text", "video")
MODALITY = {"photos": "image", "text": "text", "video": "video"}
# The methods that read only the merchant's text: the template fills slots from it and the zero-shot
# prompt holds it; neither sees a pixel (photo colours are suggestions, never in the prompt).
TEXT_ONLY_METHODS = {"template": "the rule-based template", "none": "the zero-shot prompt"}
# (kind, metric) compared between versions: claims, overlap with the reference, length and style.
DELTA_COLUMNS: tuple[tuple[str, str], ...] = (
    ("title", "grounding"), ("title", "meteor"), ("title", "rouge_l"), ("title", "length"),
    ("description", "grounding"), ("description", "meteor"), ("description", "rouge_l"),
    ("description", "length"), ("description", "readability"),
)
COMPARED_FIELDS = ("title", "description", "bullets")


def column_key(kind: str, metric: str) -> str:
    return f"{kind}.{metric}"


def reads(method: str, name: str) -> bool:
    """Does ``method`` read input ``name`` at all? Fusion methods encode all three."""
    return name == "text" or method not in TEXT_ONLY_METHODS


def without(product: Product, name: str) -> tuple[Product | None, str]:
    """(the product without input ``name``, "") or (None, why that is not possible).

    Without text keeps only the photos, clips and category: what is left must still be a
    product, and the category is a shelf, not a description of the thing."""
    if name == "photos":
        if not product.images:
            return None, "the product has no photos"
        if not (product.videos or _has_text(product)):
            return None, "the photos are the product's only input"
        return product.model_copy(update={"images": []}), ""
    if name == "video":
        if not product.videos:
            return None, "the product has no video"
        return product.model_copy(update={"videos": []}), ""
    if name == "text":
        if not (product.images or product.videos):
            return None, "the product has no photo or video to write from instead"
        kept = {"id": product.id, "category": product.category, "images": product.images, "videos": product.videos}
        return Product(**kept), ""
    raise StudioError(f"no input {name!r} (accepted: {', '.join(INPUTS)})")


def _has_text(product: Product) -> bool:
    return any([product.title.strip(), product.description.strip(), product.bullets, product.attributes,
                product.category.strip()])


def _row(removed: str, status: str, note: str = "", result=None, scores: dict | None = None) -> dict:
    """One version of the copy. ``removed`` is "" for the full input; ``status`` is "ran",
    "no copy" (the studio wrote nothing from what was left), "not possible" or "no change possible"."""
    copy = result.copy if result is not None else None
    return {"removed": removed, "label": f"without {removed}" if removed else "all inputs", "status": status,
            "note": note, "id": result.id if result is not None else "",
            "title": copy.title if copy else "", "description": copy.description if copy else "",
            "bullets": list(copy.bullets) if copy else [], "changed": [], "scores": scores or {}, "deltas": {},
            "gate_weight": None, "result": result}


def _score_values(scores: dict) -> dict[str, float]:
    values = {}
    for kind, metric in DELTA_COLUMNS:
        for score in scores.get(kind, []):
            if score.name == metric and score.value is not None:
                values[column_key(kind, metric)] = float(score.value)
    return values


def _compare(row: dict, full: dict) -> None:
    """Fill ``changed`` (the fields whose text differs from the full-input copy) and ``deltas``."""
    row["changed"] = [kind for kind in COMPARED_FIELDS if row[kind] != full[kind]]
    row["deltas"] = {key: round(value - full["scores"][key], 4)
                     for key, value in row["scores"].items() if key in full["scores"]}


def iter_leave_one_out(studio, product: Product, method: str, settings: Settings = Settings(),
                       references: dict[str, str] | None = None) -> Iterator[dict]:
    """The copy of ``method`` with every input, then without each input in ``INPUTS``, one row
    as soon as it is written (see ``leave_one_out``)."""
    settings = settings.replace(fusion=method)
    full_input = studio.ingest(product)
    references = {k: v for k, v in (references or {}).items() if v}
    full_result = studio.generate(full_input, settings, references, store=False)
    if not full_result.copy.title and not full_result.copy.description:
        raise StudioError("no copy was written even with every input: "
                          + (full_result.warnings[0] if full_result.warnings else "check the product"))
    full = _row("", "ran", result=full_result, scores=_score_values(full_result.scores))
    yield full
    gates = full_result.contributions or {}
    for name in INPUTS:
        row = _without_row(studio, product, name, method, settings, references, full_input, full)
        row["gate_weight"] = gates.get(MODALITY[name])
        yield row


def leave_one_out(studio, product: Product, method: str, settings: Settings = Settings(),
                  references: dict[str, str] | None = None,
                  on_row: Callable[[dict], None] | None = None) -> list[dict]:
    """The copy of ``method`` with every input, then without each input in ``INPUTS``.

    Every version uses the same settings and seed and is scored against the full product, so
    ``deltas`` (version minus full, per ``DELTA_COLUMNS``) is what removing that input cost, and
    ``changed`` lists the fields whose text differs. A row whose input the product lacks says
    "not possible"; one whose input the method does not read says "no change possible" (nothing
    is generated for either); "no copy" when the studio wrote nothing from what was left.
    ``gate_weight`` is the full run's fusion weight for that input, for comparison. Nothing is
    stored in the history: these are probes, not copy.
    """
    rows = []
    for row in iter_leave_one_out(studio, product, method, settings, references):
        rows.append(row)
        if on_row:
            on_row(row)
    return rows


def _without_row(studio, product, name, method, settings, references, full_input, full) -> dict:
    reduced, why_not = without(product, name)
    if reduced is None:
        return _row(name, "not possible", why_not)
    if not reads(method, name):
        return _row(name, "no change possible", f"{TEXT_ONLY_METHODS[method]} does not read the {name}")
    result = studio.generate(reduced, settings, references, store=False)
    if not result.copy.title and not result.copy.description:
        row = _row(name, "no copy", result.warnings[0] if result.warnings else "no copy was written", result)
        row["changed"] = [kind for kind in COMPARED_FIELDS if row[kind] != full[kind]]  # no deltas: nothing to score
        return row
    # Scored against the full product: the facts and the reference do not disappear with the input.
    scores = _score_values(studio.score(result.copy, full_input, settings, references))
    row = _row(name, "ran", result=result, scores=scores)
    _compare(row, full)
    return row


# -- reading and exporting --------------------------------------------------------------
COLUMN_LABELS = {
    "grounding": "claims", "meteor": "METEOR", "rouge_l": "ROUGE-L", "length": "length", "readability": "readability",
}


def delta_label(key: str) -> str:
    kind, metric = key.split(".")
    return f"Δ {kind} {COLUMN_LABELS.get(metric, metric)}"


def summary(row: dict) -> str:
    """One short line: what happened to the copy without this input (``note`` has the whole reason)."""
    if row["status"] == "no copy":  # the studio's message runs long; its first sentence says why
        return "no copy written: " + row["note"].split(". ")[0].rstrip(".")
    if row["status"] != "ran":
        return f"{row['status']}: {row['note']}"
    if not row["removed"]:
        return "the reference: its own scores in the Δ columns"
    if not row["changed"]:
        return "no field changed"
    return "changed: " + ", ".join(row["changed"])


def table_rows(rows: Sequence[dict], description_chars: int = 0) -> tuple[list[str], list[list]]:
    """(header, rows) for a table: version, gate weight, what changed, title, description (cut to
    ``description_chars`` when given), then the deltas; the full-input row shows its own scores
    there, so a delta can be read against them."""
    keys = [column_key(k, m) for k, m in DELTA_COLUMNS]
    header = ["version", "gate weight", "what changed", "title", "description", *[delta_label(k) for k in keys]]
    table = []
    for row in rows:
        gate = "" if row["gate_weight"] is None else f"{row['gate_weight']:.0%}"
        numbers = row["scores"] if not row["removed"] else row["deltas"]
        text = row["description"]
        if description_chars and len(text) > description_chars:
            text = text[:description_chars].rsplit(" ", 1)[0] + "…"
        table.append([row["label"], gate, summary(row), row["title"], text,
                      *[round(numbers[k], 3) if k in numbers else None for k in keys]])
    return header, table


def ablation_csv(rows: Sequence[dict], path: Path | str) -> Path:
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    keys = [column_key(k, m) for k, m in DELTA_COLUMNS]
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["version", "status", "note", "generation_id", "gate_weight", "changed", "title",
                         "description", *keys, *[f"delta_{k}" for k in keys]])
        for row in rows:
            writer.writerow([row["label"], row["status"], row["note"], row["id"],
                             "" if row["gate_weight"] is None else round(row["gate_weight"], 4),
                             " ".join(row["changed"]), row["title"], row["description"],
                             *[row["scores"].get(k, "") for k in keys], *[row["deltas"].get(k, "") for k in keys]])
    return path


def ablation_jsonl(rows: Sequence[dict], path: Path | str) -> Path:
    from engine.workflows.export import jsonl

    return jsonl([{k: v for k, v in row.items() if k != "result"} for row in rows], path)
