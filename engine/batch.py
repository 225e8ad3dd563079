"""Run a whole catalog, exactly once per product, and batch the language model across products.

Resume: each finished product is appended to ``results.jsonl`` as one line in one write and
fsynced before the next product starts. On start, a last line cut short by a crash is dropped
and every product already in the file *under the same settings* is skipped, so a stopped,
killed or crashed batch resumes where it stopped without redoing or losing a finished product.
A lock file keeps two batch processes from writing the same folder.

Settings: a finished row counts for a run only when its stored settings have the run's
``settings_key`` (every setting that changes the copy; the ad-image ones too when media is
made). A run with another method, tone, seed ... runs every product again; its rows are
appended beside the older ones, which stay in the file. ``read_results(folder, settings)``
returns one settings' rows only, and that is what the exports take, so an export never mixes
copy written under two settings. ``start_over`` (``--start-over``, the Batch tab's button)
moves a folder's results aside into ``previous-<UTC time>/``; nothing is deleted.

Bad rows and failed products: a catalog row that cannot be read (see ``engine.catalog``) and a
product whose generation raises (a ``StudioError``, or any other exception: one product's bug
must not stop a catalog of thousands) are each written to ``failures.jsonl`` as
``{"line", "id", "stage": "read"|"generate", "error", "failed_at"}`` and the batch goes on.
``failures.jsonl`` describes the latest run only: it is replaced when a run starts (with that
run's bad rows) and appended to as products fail, so a product that failed before and finishes
now is no longer listed. Failed products are not in ``results.jsonl`` and so are tried again on
the next run; bad rows are read, and reported, again.

Runners: ``run_batch`` is the only writer; what turns chunks of products into outcomes is a
runner, ``LocalRunner`` (this process, the default) or ``engine.distributed.RayRunner`` (Ray
actors, ``--ray``: each loads the models once, a killed one's chunks are sent again), so a
Ray run keeps the same folder, lock, resume and exactly-once guarantees.

LM batching (``batch_size > 1``): the prompts of ``batch_size`` products for one field are
left-padded into one tensor and decoded together (``engine.models.batching``, the same decoder that
batches concurrent studio requests). Each product keeps its own random draws from ``settings.seed``,
its own grounding rules and stop tokens, so it writes the text ``Studio.generate`` writes for it alone
with the same settings; padding could change float sums in the last bits, which changed no token in
tests/test_batch.py. A batch run is reproducible whatever the batch size or order.
"""
from __future__ import annotations

import hashlib
import json
import logging
import os
import shutil
import time
from contextlib import contextmanager
from datetime import datetime, timezone
from pathlib import Path
from typing import Callable, Iterable, Iterator, Sequence

import torch
from tqdm import tqdm

from engine.catalog import CatalogRows, read_catalog_rows
from engine.errors import StudioError
from engine.models.batching import decode_together
from engine.copywriting.copy import FIELDS, Copy, build_messages, clean, token_budget
from engine.product import Product
from engine.settings import Settings

RESULTS, FAILURES, LOCK, MEDIA = "results.jsonl", "failures.jsonl", "batch.lock", "media"
# Settings that only shape the ad images (engine.pipeline.Studio.images): a change of one of them
# runs a product again only when the batch renders media. Every other setting changes the copy,
# including any added later, so a new knob can never make resume hand back stale copy.
MEDIA_SETTINGS = ("style", "palette", "layout", "photo_index", "price", "call_to_action", "narration")
SUMMARY_FAILURES = 20  # failures listed in the summary; failures.jsonl holds them all
log = logging.getLogger(__name__)


class StepFailed(StudioError):
    """An unexpected exception in one product's step, kept as that product's failure."""

    def __init__(self, step: str, exc: BaseException):
        text = " ".join(str(exc).split())
        super().__init__(f"{step}: {type(exc).__name__}: {text}" if text else f"{step}: {type(exc).__name__}")


# -- batched language-model generation --------------------------------------------------
def generate_field_batch(lm, kind: str, ingested: Sequence, settings: Settings,
                         photo_colours: Sequence[list[str]] | None = None,
                         prefixes: Sequence[torch.Tensor | None] | None = None,
                         hide: tuple[str, ...] = (), max_new_tokens: int | None = None) -> list[str]:
    """Raw text of one field for several products, decoded together (``engine.models.batching``).

    Each product keeps its own random draws (``settings.seed``), grounding rules and stop tokens, so it
    writes the text it writes alone with the same seed."""
    from engine.copywriting.grounded import finish, processor_for

    photo_colours = photo_colours or [[] for _ in ingested]
    prefixes = prefixes or [None] * len(ingested)
    least, most = token_budget(kind, settings)
    most = max_new_tokens or most
    requests = [lm.request(build_messages(kind, item, settings, colours, hide), max_new_tokens=most,
                           min_new_tokens=min(least, most), temperature=settings.temperature, top_p=settings.top_p,
                           seed=settings.seed, prefix_embeds=prefix, stop_at_newline=kind == "title",
                           logits_processor=processor_for(settings, lm.tokenizer, [(item.source_text(), list(colours))]))
                for item, colours, prefix in zip(ingested, photo_colours, prefixes)]
    decode_together(lm, requests)
    for request in requests:
        error = next((p for p in request.pieces.queue if isinstance(p, BaseException)), None)
        if error is not None:
            raise error
    return [finish(r.processor, [lm.tokenizer.decode(r.tokens, skip_special_tokens=True)])[0] for r in requests]


def generate_batch(studio, products: Sequence[Product], settings: Settings,
                   kinds: tuple[str, ...] = FIELDS, references: dict[str, str] | None = None) -> list:
    """``Studio.generate`` for several products with the LM batched across them.

    Returns, in order, a ``pipeline.Result`` or the ``StudioError`` that product raised (an
    unexpected exception in one product's step comes back as a ``StepFailed``). The template
    baseline has no LM to batch and runs one product at a time.
    """
    from engine.copywriting.bullets import fact_bullets
    from engine.copywriting.checks import finish
    from engine.photo_labels import enough_to_write
    from engine.pipeline import Result

    if settings.fusion == "template":
        out = []
        for product in products:
            out.append(_generate_one(studio, product, settings, references))
        return out

    started = time.perf_counter()
    outcomes: list = [None] * len(products)
    live, ingested, colours, prefixes, contributions, lm = [], [], [], [], [], None
    for index, product in enumerate(products):
        try:
            item = studio.ingest(product)
            if not enough_to_write(item):  # a photo alone: one at a time, where Studio.stream says what is missing
                outcomes[index] = studio.generate(item, settings, references, store=False)
                continue
            item_colours = studio.photo_colours(item)
            item_lm, prefix, contribution = studio._generator(item, settings)
        except StudioError as exc:
            outcomes[index] = exc
            continue
        except Exception as exc:  # this product's bug: it fails, the rest of the batch goes on
            outcomes[index] = StepFailed("prepare", exc)
            continue
        lm = item_lm
        live.append(index)
        ingested.append(item)
        colours.append(item_colours)
        prefixes.append(prefix)
        contributions.append(contribution)
    timings = {"prepare": time.perf_counter() - started}
    copies = [Copy() for _ in live]
    for kind in kinds:
        clock = time.perf_counter()
        if kind == "bullets":  # built from each product's facts, as in Studio.stream
            for copy, item in zip(copies, ingested):
                copy.bullets = fact_bullets(item, settings.limits.bullets_max, settings.limits.bullet_max)
        elif live:
            writer, _ = studio._writer(kind, settings, lm, next((p for p in prefixes if p is not None), None))
            trained = writer is lm
            # measured photo colours are not facts until confirmed (Studio.stream)
            raws = generate_field_batch(writer, kind, ingested, settings, None, prefixes if trained else None)
            limit = settings.limits.title_max if kind == "title" else None
            for copy, raw, item in zip(copies, raws, ingested):
                setattr(copy, kind, finish(kind, clean(kind, raw, settings), item, limit))
        timings[f"generate_{kind}"] = time.perf_counter() - clock
    share = {k: round(v / max(len(live), 1), 4) for k, v in timings.items()}  # per product, for the record
    for slot, (index, item, copy) in enumerate(zip(live, ingested, copies)):
        clock = time.perf_counter()
        try:
            copy.keywords = studio.keywords(copy, item)
            scores = studio.score(copy, item, settings, references)
        except StudioError as exc:
            outcomes[index] = exc
            continue
        except Exception as exc:
            outcomes[index] = StepFailed("score", exc)
            continue
        own = {**share, "keywords_and_score": round(time.perf_counter() - clock, 4)}
        own["total"] = round(sum(own.values()), 4)
        outcomes[index] = Result(
            copy=copy, scores=scores, settings=settings, product=item.product,
            references={k: v for k, v in (references or {}).items() if v}, photo_colours=colours[slot],
            contributions=contributions[slot], warnings=list(item.warnings), notes=list(item.notes), timings=own,
            models={"language_model": settings.language_model, "fusion": settings.fusion,
                    "batch_size": str(len(live))},
        )
    return outcomes


def _generate_one(studio, product: Product, settings: Settings, references: dict[str, str] | None = None):
    """``Studio.generate`` for one product; what it raises becomes that product's outcome."""
    try:
        return studio.generate(product, settings, references, store=False)
    except StudioError as exc:
        return exc
    except Exception as exc:  # one product's bug must not stop the other products of the catalog
        return StepFailed("generate", exc)


def _generate_chunk(studio, chunk: list[Product], settings: Settings, batched: bool) -> list:
    if not batched:  # exactly the Create tab's path
        return [_generate_one(studio, product, settings) for product in chunk]
    try:
        return generate_batch(studio, chunk, settings)
    except Exception:  # the shared LM call failed: one at a time, so only the product at fault fails
        log.warning("batched generation failed; running these %d products one at a time", len(chunk), exc_info=True)
        return [_generate_one(studio, product, settings) for product in chunk]


def _chunk_outcomes(studio, chunk: list[Product], settings: Settings, batched: bool,
                    media_dir: Path | None) -> Iterator[tuple[Product, object, dict]]:
    """(product, Result or the error it raised, media fields of its results line) for one chunk.
    Lazy: each product's images are rendered just before it is handed back."""
    for product, outcome in zip(chunk, _generate_chunk(studio, chunk, settings, batched)):
        extra = {}
        if media_dir is not None and not isinstance(outcome, Exception):
            extra = _render_images(studio, product, outcome, media_dir)
        yield product, outcome, extra


class LocalRunner:
    """Runs every chunk in this process, one after another, with one ``Studio``.

    A runner's ``run(chunks, settings, batched, media_dir)`` takes an iterator of product chunks
    (``run_batch`` stops it when ``should_stop()`` says so) and yields ``(product, outcome,
    media fields)`` for each product exactly once; ``run_batch`` writes them. See
    ``engine.distributed.RayRunner`` for the same on a Ray cluster.
    """

    def __init__(self, studio):
        self.studio = studio

    def run(self, chunks: Iterable[list[Product]], settings: Settings, batched: bool,
            media_dir: Path | None = None) -> Iterator[tuple[Product, object, dict]]:
        for chunk in chunks:
            yield from _chunk_outcomes(self.studio, chunk, settings, batched, media_dir)


# -- the results file ---------------------------------------------------------------------
def result_line(product: Product, result) -> dict:
    copy = result.copy
    return {
        "id": product.id, "generation_id": result.id, "created_at": result.created_at,
        "title": copy.title, "description": copy.description, "bullets": copy.bullets, "keywords": copy.keywords,
        "scores": {kind: {s.name: s.value for s in scores} for kind, scores in result.scores.items()},
        "settings": result.settings.model_dump(), "models": result.models, "timings": result.timings,
        "product": product.model_dump(mode="json"),
    }


def settings_key(settings: Settings, media: bool = False) -> str:
    """A short hash of what a run's rows depend on: the copy settings (and the image ones with media)."""
    values = settings.model_dump(mode="json")
    if not media:
        for name in MEDIA_SETTINGS:
            values.pop(name, None)
    values["media"] = bool(media)
    return hashlib.sha256(json.dumps(values, sort_keys=True).encode()).hexdigest()[:12]


def row_key(row: dict) -> str | None:
    """The ``settings_key`` a results line was written under; None when its settings cannot be read
    (a line from a version with other settings: it then matches no run and its product runs again)."""
    try:
        return settings_key(Settings.model_validate(row["settings"]), media="media" in row)
    except (KeyError, TypeError, ValueError):
        return None


def settings_label(settings: Settings, media: bool = False) -> str:
    """The settings a merchant picks, in words, for status lines: "method template, tone neutral, ..."."""
    parts = [f"method {settings.fusion}"]
    if settings.fusion != "template":
        parts.append(f"model {settings.language_model}")
    parts += [f"tone {settings.tone}", f"platform {settings.platform}", f"{settings.description_length} length",
              f"temperature {settings.temperature:g}", f"max {settings.max_new_tokens} tokens", f"seed {settings.seed}"]
    if media:
        parts.append(f"images {settings.style}/{settings.palette}/{settings.layout}")
    return ", ".join(parts)


def read_results(path: Path | str, settings: Settings | None = None, media: bool = False) -> list[dict]:
    """Finished rows of a batch folder (or its results.jsonl), ready for ``engine.export``.

    With ``settings``: only the rows written under them (``settings_key``), which is what an
    export of that run takes; without: every row in the file, older settings' included.
    """
    path = Path(path)
    path = path / RESULTS if path.is_dir() else path
    rows = []
    if path.exists():
        for line in path.read_text(encoding="utf-8").split("\n"):  # not splitlines(): U+2028 may sit inside a string
            try:
                rows.append(json.loads(line))
            except json.JSONDecodeError:
                continue  # a line cut short by a crash: that product runs again
    if settings is None:
        return rows
    key = settings_key(settings, media)
    return [row for row in rows if row_key(row) == key]


def finished_ids(path: Path, settings: Settings | None = None, media: bool = False) -> set[str]:
    return {row["id"] for row in read_results(path, settings, media) if "id" in row}


def start_over(folder: Path | str) -> Path | None:
    """Move a batch folder's results, failures and media aside into ``previous-<UTC time>/``, so
    the next run starts from nothing; returns that folder, or None when there was nothing to move.
    Never deletes: a merchant who pressed it by mistake moves the files back."""
    folder = Path(folder)
    present = [folder / name for name in (RESULTS, FAILURES, MEDIA) if (folder / name).exists()]
    if not present:
        return None
    with _exclusive(folder):  # never under a batch that is still writing here
        stamp = datetime.now(timezone.utc).strftime("%Y%m%d-%H%M%S")
        backup, n = folder / f"previous-{stamp}", 1
        while backup.exists():
            n += 1
            backup = folder / f"previous-{stamp}-{n}"
        backup.mkdir()
        for item in present:
            shutil.move(str(item), str(backup / item.name))
    return backup


def read_failures(path: Path | str) -> list[dict]:
    """The bad rows and failed products of a batch folder's latest run (its failures.jsonl)."""
    path = Path(path)
    return read_results(path / FAILURES if path.is_dir() else path)


def failure_record(line: int | None, product_id: str, stage: str, error: str) -> dict:
    """One failures.jsonl line; ``stage`` is "read" (a bad catalog row) or "generate"."""
    return {"line": line, "id": product_id, "stage": stage, "error": error,
            "failed_at": datetime.now(timezone.utc).isoformat(timespec="seconds")}


def _start_failures(path: Path, records: list[dict]) -> None:
    """Replace failures.jsonl with this run's bad rows: it shows current failures, never stale ones."""
    partial = path.with_name(path.name + ".part")
    with partial.open("w", encoding="utf-8") as handle:
        handle.writelines(json.dumps(record, ensure_ascii=False, default=str) + "\n" for record in records)
        handle.flush()
        os.fsync(handle.fileno())
    os.replace(partial, path)


def _append(path: Path, records: Iterable[dict]) -> None:
    from engine.paths import storage_problem

    try:
        with path.open("a", encoding="utf-8") as handle:
            for record in records:
                handle.write(json.dumps(record, ensure_ascii=False, default=str) + "\n")
                handle.flush()
                os.fsync(handle.fileno())
    except OSError as exc:
        problem = storage_problem(exc, path.parent)
        if problem is None:
            raise
        # A line cut short here is dropped when the batch starts again (_drop_partial_last_line).
        raise StudioError(f"could not write {path}: {problem}. Every product finished before is kept; free some "
                          "space or pick a writable output folder, then run the same batch again to resume") from exc


def _drop_partial_last_line(path: Path) -> None:
    if path.exists():
        data = path.read_bytes()
        if data and not data.endswith(b"\n"):
            path.write_bytes(data[: data.rfind(b"\n") + 1])


@contextmanager
def _exclusive(folder: Path) -> Iterator[None]:
    try:
        import fcntl
    except ImportError:  # Windows: no advisory locks; one batch per folder is then on the user
        yield
        return
    with (folder / LOCK).open("w") as handle:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError as exc:
            raise StudioError(f"{folder}: another batch is already writing here; wait for it or pick "
                              "another output folder") from exc
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def _render_images(studio, product: Product, result, folder: Path) -> dict:
    """Ad images for one batch product; a photo without a clear product is noted, not fatal."""
    import re

    from engine.media import save_creatives

    if not product.images:
        return {"media": [], "media_problem": "no photo"}
    target = folder / (re.sub(r"[^A-Za-z0-9._-]+", "-", product.id) or "product")
    try:
        creatives = studio.images(product, result.copy, result.settings)
        return {"media": [item["path"] for item in save_creatives(creatives, target, result.settings)]}
    except StudioError as exc:
        return {"media": [], "media_problem": str(exc)}
    except Exception as exc:  # the copy is written; missing images are noted like a StudioError
        return {"media": [], "media_problem": str(StepFailed("media", exc))}


def _catalog_rows(catalog, limit: int | None) -> CatalogRows:
    if isinstance(catalog, (str, Path)):
        return read_catalog_rows(catalog, limit)
    if isinstance(catalog, CatalogRows):
        return catalog.first(limit)
    return CatalogRows.of(list(catalog)[:limit])  # no file, so no lines; a repeated id is still refused


def _store(store, result, product_id: str) -> None:
    """Keep a finished product in the history too; it is already safe in results.jsonl either way."""
    try:
        store.add(result)  # idempotent: Studio may have stored it already
    except Exception:  # a history hiccup must not fail a product whose result is already written
        log.warning("%s: written to results.jsonl but not stored in the history", product_id, exc_info=True)


def run_batch(catalog: Path | str | CatalogRows | Sequence[Product], out: Path | str, settings: Settings, *,
              device: str = "auto", limit: int | None = None, batch_size: int = 1,
              progress: Callable[[int, int, dict], None] | None = None,
              should_stop: Callable[[], bool] | None = None, history=None, studio=None,
              media: bool = False, on_failure: Callable[[dict], None] | None = None,
              start_over_first: bool = False, runner=None) -> dict:
    """Generate copy for every good product of ``catalog`` into ``out``; report every bad one.

    ``catalog``: a CSV/JSONL path, the ``CatalogRows`` already read from one, or products.
    ``progress(done, total, record)`` is called after each product (``record``: its results line,
    or its failure record, which has an ``error``); ``on_failure(record)`` for each bad row (at
    the start) and each failed product (as it fails), e.g. to print them; ``should_stop()`` is
    checked between batches; ``history``: an ``engine.history.History`` that also stores every
    result (a ``studio``'s own history is used too); ``media``: also render the ad images of every
    product into ``out/media/<settings key>/<id>/`` (listed in its line), so two settings' images
    never overwrite each other; ``start_over_first``: ``start_over(out)`` before running;
    ``runner``: what turns chunks of products into outcomes, ``LocalRunner(studio)`` (this
    process; the default) or ``engine.distributed.RayRunner`` (actors on a Ray cluster). Either
    way only this process writes the folder.

    Returns a summary: ``done`` (ids in results.jsonl under these settings), ``skipped`` (done
    before this run under these settings), ``new``, ``failed`` (products that failed now),
    ``rejected`` (bad catalog rows), ``total`` (good products), ``stopped``, ``path``
    (results.jsonl), ``failures_path`` (failures.jsonl), ``failures`` (the first
    ``SUMMARY_FAILURES`` failure records, bad rows first), ``failures_not_listed`` (how many more
    failures.jsonl holds), ``settings`` (``settings_label``), ``settings_key``,
    ``other_settings`` (rows in results.jsonl written under other settings: kept, not exported)
    and ``moved_to`` (the backup folder ``start_over_first`` made, or None).
    """
    from engine.pipeline import Studio

    rows = _catalog_rows(catalog, limit)
    products = rows.products
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    results, failures = out / RESULTS, out / FAILURES
    batch_size = max(1, int(batch_size))
    moved_to = start_over(out) if start_over_first else None
    key = settings_key(settings, media)
    with _exclusive(out):
        _drop_partial_last_line(results)
        done = finished_ids(results, settings, media)
        todo = [p for p in products if p.id not in done]
        problems = [failure_record(r["line"], r["id"], "read", r["error"]) for r in rows.rejected]
        _start_failures(failures, problems)
        for record in problems:
            if on_failure:
                on_failure(record)
        if runner is None:
            studio = studio or Studio(device=device, history=history)
            runner = LocalRunner(studio)
        store = history if history is not None else getattr(studio, "history", None)
        failed = finished = 0
        stopped = False
        written: set[str] = set()  # exactly once, whatever a runner hands back

        def chunks() -> Iterator[list[Product]]:
            nonlocal stopped
            for start in range(0, len(todo), batch_size):
                if should_stop and should_stop():
                    stopped = True
                    return
                yield todo[start:start + batch_size]

        media_dir = out / MEDIA / key if media else None
        bar = tqdm(total=len(todo), desc="products", unit="product", disable=progress is not None)
        for product, outcome, extra in runner.run(chunks(), settings, batch_size > 1, media_dir):
            if product.id in written:  # never expected; a runner bug must not write a product twice
                log.warning("%s: handed back twice by %s; written once", product.id, type(runner).__name__)
                continue
            written.add(product.id)
            if not isinstance(outcome, Exception):
                try:
                    record = result_line(product, outcome)
                except Exception as exc:  # e.g. a value that does not serialise: that product fails
                    outcome = StepFailed("record", exc)
            if isinstance(outcome, Exception):
                failed += 1
                record = failure_record(rows.lines.get(product.id), product.id, "generate", str(outcome))
                problems.append(record)
                _append(failures, [record])
                if on_failure:
                    on_failure(record)
            else:
                record.update(extra)
                _append(results, [record])
                if store is not None:
                    _store(store, outcome, product.id)
            finished += 1
            bar.update(1)
            if progress:
                progress(finished, len(todo), record)
        bar.close()
    everything = read_results(results)
    ours = [row for row in everything if row_key(row) == key]
    return {"done": len({row.get("id") for row in ours}), "skipped": len(done), "new": finished - failed,
            "failed": failed, "rejected": len(rows.rejected), "total": len(products), "stopped": stopped,
            "path": str(results), "failures_path": str(failures), "failures": problems[:SUMMARY_FAILURES],
            "failures_not_listed": max(0, len(problems) - SUMMARY_FAILURES),
            "settings": settings_label(settings, media), "settings_key": key,
            "other_settings": len(everything) - len(ours), "moved_to": str(moved_to) if moved_to else None}
