"""Run a whole catalog. Each finished product is appended (and fsynced) to ``results.jsonl``
at once, so a stopped or crashed batch resumes where it stopped without redoing any product.
"""
from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Callable

from tqdm import tqdm

from engine.errors import StudioError
from engine.product import Product, load_catalog
from engine.settings import Settings


def result_line(product: Product, result) -> dict:
    copy = result.copy
    return {
        "id": product.id, "title": copy.title, "description": copy.description,
        "bullets": copy.bullets, "keywords": copy.keywords,
        "scores": {kind: {s.name: s.value for s in scores} for kind, scores in result.scores.items()},
        "settings": result.settings.model_dump(),
    }


def finished_ids(path: Path) -> set[str]:
    done = set()
    if path.exists():
        for line in path.read_text(encoding="utf-8").splitlines():
            try:
                done.add(json.loads(line)["id"])
            except (json.JSONDecodeError, KeyError):
                continue  # a line cut short by a crash: that product runs again
    return done


def _append(path: Path, record: dict) -> None:
    with path.open("a", encoding="utf-8") as handle:
        handle.write(json.dumps(record, ensure_ascii=False) + "\n")
        handle.flush()
        os.fsync(handle.fileno())


def _drop_partial_last_line(path: Path) -> None:
    if path.exists():
        data = path.read_bytes()
        if data and not data.endswith(b"\n"):
            path.write_bytes(data[: data.rfind(b"\n") + 1])


def run_batch(catalog: Path, out: Path, settings: Settings, *, device: str = "auto", limit: int | None = None,
              progress: Callable[[int, int, dict], None] | None = None) -> dict:
    from engine.pipeline import Studio

    products = load_catalog(catalog, limit=limit)
    out.mkdir(parents=True, exist_ok=True)
    results, failures = out / "results.jsonl", out / "failures.jsonl"
    _drop_partial_last_line(results)
    done = finished_ids(results)
    todo = [p for p in products if p.id not in done]
    studio = Studio(device=device)
    failed = 0
    for index, product in enumerate(tqdm(todo, desc="products", unit="product"), start=1):
        try:
            record = result_line(product, studio.generate(product, settings))
            _append(results, record)
        except StudioError as exc:
            failed += 1
            record = {"id": product.id, "error": str(exc)}
            _append(failures, record)
        if progress:
            progress(index, len(todo), record)
    return {"done": len(finished_ids(results)), "skipped": len(done), "failed": failed, "path": str(results)}
