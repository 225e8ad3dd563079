"""Compare copy methods on one product: a grid of methods (rows) x seeds or another setting
(columns), each cell scored, the best value of every score column marked, exported as CSV and PNG.

Used by the studio's Compare tab and by ``python -m engine compare``. A cell is a plain dict
(``cell_dict``) so the UI, the CSV and the chart all read the same thing; ``cell["result"]``
keeps the full ``pipeline.Result`` for callers that want it (the UI sends it to the Create tab).
"""
from __future__ import annotations

import csv
import time
from pathlib import Path
from typing import Callable, Iterable, Iterator, Sequence

from engine.core.errors import StudioError
from engine.core.product import Product
from engine.core.settings import Settings

# The settings a grid can vary along its columns, with how a typed value is read.
COLUMN_SETTINGS: dict[str, Callable[[str], object]] = {
    "seed": int, "tone": str, "temperature": float, "top_p": float, "platform": str, "max_new_tokens": int,
}
# (output kind, metric) shown per cell: the ones that say something about every method.
# ``count`` (how many bullets/keywords) is left out: more is not better.
SCORE_COLUMNS: tuple[tuple[str, str], ...] = (
    ("title", "grounding"), ("title", "length"), ("title", "meteor"),
    ("description", "grounding"), ("description", "rouge_l"), ("description", "readability"),
    ("bullets", "grounding"), ("bullets", "repetition"), ("keywords", "grounding"),
    # the claim check on the first text a method wrote, before retries and repairs (Result.checks)
    ("title", "as_written"), ("description", "as_written"),
)
# Scores on a 0-100 scale; the chart divides them by 100 so every bar shares one axis.
PERCENT_SCALE = {"bleu", "readability"}


def format_score(key: str, value: float) -> str:
    """How a cell shows a score: the 0-100 ones (BLEU, reading ease) as whole numbers on their scale,
    the 0-1 ones with two decimals, as their badges in the Create tab read."""
    return f"{value:.0f}" if key.split(".")[-1] in PERCENT_SCALE else f"{value:.2f}"


def column_key(kind: str, metric: str) -> str:
    return f"{kind}.{metric}"


def parse_values(column: str, text: str | Sequence) -> list:
    """"1, 2" -> [1, 2] for ``column`` (a key of ``COLUMN_SETTINGS``), validated by ``Settings``."""
    if column not in COLUMN_SETTINGS:
        raise StudioError(f"cannot vary {column!r} across columns (accepted: {', '.join(COLUMN_SETTINGS)})")
    items = [v.strip() for v in text.split(",")] if isinstance(text, str) else list(text)
    items = [v for v in items if str(v).strip()]
    if not items:
        raise StudioError(f"give at least one {column} value, separated by commas (e.g. 1, 2)")
    values = []
    for item in items:
        try:
            value = COLUMN_SETTINGS[column](item)
            Settings().replace(**{column: value})
        except ValueError as exc:
            raise StudioError(f"{column} value {item!r} is not accepted: {str(exc).splitlines()[-1]}") from None
        if value not in values:
            values.append(value)
    return values


def cell_dict(method: str, column: str, value, result=None, error: str = "", seconds: float = 0.0) -> dict:
    cell = {"method": method, "column": column, "value": value, "error": error, "seconds": round(seconds, 2),
            "id": "", "title": "", "description": "", "bullets": [], "keywords": [], "scores": {},
            "labels": {}, "contributions": None, "result": result}
    if result is not None:
        copy = result.copy
        cell.update(id=result.id, title=copy.title, description=copy.description, bullets=list(copy.bullets),
                    keywords=list(copy.keywords), contributions=result.contributions)
        for kind, metric in SCORE_COLUMNS:
            for score in result.scores.get(kind, []):
                if score.name == metric and score.value is not None:
                    cell["scores"][column_key(kind, metric)] = float(score.value)
                    cell["labels"][column_key(kind, metric)] = f"{kind.capitalize()} {score.label}"
        for kind, check in (getattr(result, "checks", None) or {}).items():
            if check.get("as_written") is not None:  # what the method wrote, before retries and repairs
                cell["scores"][column_key(kind, "as_written")] = float(check["as_written"])
                cell["labels"][column_key(kind, "as_written")] = f"{kind.capitalize()} claims as written"
    return cell


def iter_grid(studio, product: Product, methods: Sequence[str], values: Sequence, column: str = "seed",
              base_settings: Settings = Settings(), references: dict[str, str] | None = None) -> Iterator[dict]:
    """Yield one cell dict per (method, value) as soon as it is generated, row by row.

    The product is ingested once for the whole grid. A cell that fails with a ``StudioError``
    (e.g. a method without a trained checkpoint) carries the message in ``error``; the grid goes on.
    """
    ingested = studio.ingest(product)
    for method in methods:
        for value in values:
            clock = time.perf_counter()
            try:
                settings = base_settings.replace(fusion=method, **{column: value})
                result = studio.generate(ingested, settings, references)
            except (StudioError, ValueError) as exc:
                yield cell_dict(method, column, value, error=str(exc), seconds=time.perf_counter() - clock)
                continue
            yield cell_dict(method, column, value, result, seconds=time.perf_counter() - clock)


def compare_grid(studio, product: Product, methods: Sequence[str], values: Sequence = (1, 2), column: str = "seed",
                 base_settings: Settings = Settings(), on_cell: Callable[[dict], None] | None = None,
                 references: dict[str, str] | None = None) -> list[dict]:
    """Every cell of the grid, in row order; ``on_cell(cell)`` after each one finishes."""
    cells = []
    for cell in iter_grid(studio, product, methods, values, column, base_settings, references):
        cells.append(cell)
        if on_cell:
            on_cell(cell)
    return cells


def score_columns(cells: Iterable[dict]) -> list[str]:
    """The score columns at least one cell has, in ``SCORE_COLUMNS`` order."""
    present = {key for cell in cells for key in cell["scores"]}
    return [column_key(k, m) for k, m in SCORE_COLUMNS if column_key(k, m) in present]


def column_labels(cells: Iterable[dict]) -> dict[str, str]:
    labels = {}
    for cell in cells:
        labels.update(cell["labels"])
    return labels


def best_values(cells: Sequence[dict]) -> dict[str, float]:
    """Score column -> its highest value over the grid (every metric here reads higher = better)."""
    best: dict[str, float] = {}
    for cell in cells:
        for key, value in cell["scores"].items():
            if key not in best or value > best[key]:
                best[key] = value
    return best


def is_best(cell: dict, key: str, best: dict[str, float]) -> bool:
    value = cell["scores"].get(key)
    return value is not None and key in best and abs(value - best[key]) < 1e-9


def method_means(cells: Sequence[dict]) -> dict[str, dict[str, float]]:
    """Method -> score column -> mean over that method's cells (failed cells left out)."""
    sums: dict[str, dict[str, list[float]]] = {}
    for cell in cells:
        for key, value in cell["scores"].items():
            sums.setdefault(cell["method"], {}).setdefault(key, []).append(value)
    return {m: {k: sum(v) / len(v) for k, v in cols.items()} for m, cols in sums.items()}


def method_contributions(cells: Sequence[dict]) -> dict[str, dict[str, float]]:
    """Method -> modality -> mean share of the fused features (only methods that report one)."""
    sums: dict[str, dict[str, list[float]]] = {}
    for cell in cells:
        for modality, share in (cell.get("contributions") or {}).items():
            sums.setdefault(cell["method"], {}).setdefault(modality, []).append(float(share))
    return {m: {k: sum(v) / len(v) for k, v in mods.items()} for m, mods in sums.items()}


def table_rows(cells: Sequence[dict], description_chars: int = 90) -> tuple[list[str], list[list]]:
    """(header, rows) of the flat table: one row per cell, scores rounded for reading."""
    keys = score_columns(cells)
    labels = column_labels(cells)
    column = cells[0]["column"] if cells else "seed"
    header = ["method", column, "title", "description", *[labels.get(k, k) for k in keys]]
    rows = []
    for cell in cells:
        text = cell["description"]
        short = text if len(text) <= description_chars else text[:description_chars].rsplit(" ", 1)[0] + "…"
        rows.append([cell["method"], str(cell["value"]), cell["title"] or f"⚠️ {cell['error']}", short,
                     *[round(cell["scores"][k], 3) if k in cell["scores"] else None for k in keys]])
    return header, rows


def grid_csv(cells: Sequence[dict], path: Path | str) -> Path:
    """Full texts, every score column and the generation id, one line per cell."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    keys = score_columns(cells)
    column = cells[0]["column"] if cells else "seed"
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["method", column, "generation_id", "title", "description", "bullets", "keywords",
                         *keys, *[f"best_{k}" for k in keys], "seconds", "error"])
        best = best_values(cells)
        for cell in cells:
            writer.writerow([cell["method"], cell["value"], cell["id"], cell["title"], cell["description"],
                             "\n".join(cell["bullets"]), ", ".join(cell["keywords"]),
                             *[cell["scores"].get(k, "") for k in keys],
                             *["1" if is_best(cell, k, best) else "" for k in keys],
                             cell["seconds"], cell["error"]])
    return path


def grid_jsonl(cells: Sequence[dict], path: Path | str) -> Path:
    from engine.workflows.export import jsonl

    return jsonl([{k: v for k, v in cell.items() if k != "result"} for cell in cells], path)


def _short_label(label: str) -> str:
    return label.replace("Description", "Desc.").replace("Keywords", "Kw.")


def _draw_chart(cells: Sequence[dict], score_ax, share_ax=None) -> None:
    import numpy as np

    means = method_means(cells)
    keys = score_columns(cells)
    labels = column_labels(cells)
    methods = list(dict.fromkeys(c["method"] for c in cells if c["method"] in means))
    if not methods or not keys:
        score_ax.text(0.5, 0.5, "no scores yet", ha="center", va="center")
        score_ax.set_axis_off()
        return
    width = 0.8 / len(methods)
    x = np.arange(len(keys))
    for i, method in enumerate(methods):
        heights = [means[method].get(k, 0.0) / (100.0 if k.split(".")[1] in PERCENT_SCALE else 1.0) for k in keys]
        score_ax.bar(x + i * width - 0.4 + width / 2, heights, width, label=method)
    names = [_short_label(labels.get(k, k)) + (" /100" if k.split(".")[1] in PERCENT_SCALE else "") for k in keys]
    score_ax.set_xticks(x, names, rotation=30, ha="right", fontsize=8)
    score_ax.set_ylim(0, 1.05)
    score_ax.set_title("Mean score per method (higher is better)", fontsize=10)
    score_ax.legend(fontsize=8, ncols=min(4, len(methods)), loc="upper center", bbox_to_anchor=(0.5, -0.38))
    score_ax.grid(axis="y", alpha=0.3)
    if share_ax is None:
        return
    shares = method_contributions(cells)
    if not shares:
        share_ax.text(0.5, 0.5, "No per-modality contribution:\nthe baselines use no fusion.",
                      ha="center", va="center", fontsize=9, color="#555")
        share_ax.set_axis_off()
        return
    modalities = list(dict.fromkeys(m for s in shares.values() for m in s))
    left = np.zeros(len(shares))
    for modality in modalities:
        values = np.array([shares[m].get(modality, 0.0) for m in shares])
        share_ax.barh(list(shares), values, left=left, label=modality)
        left += values
    share_ax.set_xlim(0, 1)
    # Gate weights say where the fusion looks, not what the copy loses without an input (engine.workflows.ablation).
    share_ax.set_title("Gate weight per input\n(fusion attention, not effect on the copy)", fontsize=9)
    share_ax.legend(fontsize=8, loc="upper center", bbox_to_anchor=(0.5, -0.15), ncols=len(modalities))


def score_chart(cells: Sequence[dict], path: Path | str) -> Path:
    """PNG: each method's mean scores, and beside it each fusion method's per-modality share."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, (score_ax, share_ax) = plt.subplots(1, 2, figsize=(11, 4.2), gridspec_kw={"width_ratios": [3, 1.3]})
    _draw_chart(cells, score_ax, share_ax)
    fig.tight_layout()
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(path, dpi=110)
    plt.close(fig)
    return path


def grid_png(cells: Sequence[dict], path: Path | str) -> Path:
    """PNG of the whole grid for sharing: a table (methods x columns: title and scores, the best
    value of each score starred) above the chart."""
    import textwrap

    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    methods = list(dict.fromkeys(c["method"] for c in cells))
    values = list(dict.fromkeys(c["value"] for c in cells))
    column = cells[0]["column"] if cells else "seed"
    keys = score_columns(cells)
    labels = column_labels(cells)
    best = best_values(cells)
    by_slot = {(c["method"], c["value"]): c for c in cells}
    text = []
    for method in methods:
        row = []
        for value in values:
            cell = by_slot.get((method, value))
            if cell is None:
                row.append("")
                continue
            lines = textwrap.wrap(cell["title"] or ("error: " + cell["error"]), 42)[:2]
            lines += [f"{_short_label(labels.get(k, k))}: {format_score(k, cell['scores'][k])}"
                      + (" ★" if is_best(cell, k, best) else "")
                      for k in keys if k in cell["scores"]]
            row.append("\n".join(lines))
        text.append(row)
    lines_per_cell = max((t.count("\n") + 1 for r in text for t in r), default=1)
    line_inches = 0.15
    table_inches = line_inches * (1.5 + lines_per_cell * len(methods)) + 0.3
    chart_inches = 3.6
    height = table_inches + chart_inches + 0.3
    fig = plt.figure(figsize=(max(8, 3.6 * len(values) + 1.5), height))
    table_ax = fig.add_axes([0.12, (chart_inches + 0.1) / height, 0.86, (table_inches - 0.3) / height])
    table_ax.set_axis_off()
    if text:
        table = table_ax.table(cellText=text, rowLabels=methods, colLabels=[f"{column} {v}" for v in values],
                               loc="upper center", cellLoc="left", rowLoc="center")
        table.auto_set_font_size(False)
        table.set_fontsize(7)
        unit = 1.0 / (1.5 + lines_per_cell * len(methods))
        for (r, _), cell in table.get_celld().items():
            cell.set_height(1.5 * unit if r == 0 else lines_per_cell * unit)
        fig.text(0.02, 1 - 0.2 / height, "★ = best value of that score in the grid", fontsize=8, va="top")
    chart_ax = fig.add_axes([0.08, 1.3 / height, 0.88, (chart_inches - 1.6) / height])
    _draw_chart(cells, chart_ax)
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(path, dpi=110)
    plt.close(fig)
    return path
