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

Bad rows and failed products: a catalog row that cannot be read (see ``engine.inputs.catalog``) and a
product whose generation raises (a ``StudioError``, or any other exception: one product's bug
must not stop a catalog of thousands) are each written to ``failures.jsonl`` as
``{"line", "id", "stage": "read"|"generate", "error", "failed_at"}`` and the batch goes on.
``failures.jsonl`` describes the latest run only: it is replaced when a run starts (with that
run's bad rows) and appended to as products fail, so a product that failed before and finishes
now is no longer listed. Failed products are not in ``results.jsonl`` and so are tried again on
the next run; bad rows are read, and reported, again.

Runners: ``run_batch`` is the only writer; what turns chunks of products into outcomes is a
runner, ``LocalRunner`` (this process, the default) or ``engine.workflows.distributed.RayRunner`` (Ray
actors, ``--ray``: each loads the models once, a killed one's chunks are sent again), so a
Ray run keeps the same folder, lock, resume and exactly-once guarantees.

LM batching (``batch_size > 1``): there is one path from a product to a ``Result``,
``Studio.generate`` (the Create tab's), and a batch takes it for every product, with its candidates,
re-ranking, retries, claim-check repairs, notes and ``checks``. What a batch adds is concurrency:
``generate_batch`` runs the ``batch_size`` products of a chunk in threads, each its own
``Studio.generate``, while request batching (``engine.models.batching``, the decoder that batches
concurrent studio requests) is on, so their language-model calls (titles, descriptions, retries)
are decoded together as rows of one running batch. Each request keeps its own prompt, seed,
grounding rules and stop tokens, so a product writes the text ``Studio.generate`` writes for it
alone with the same settings (tests/test_batch_one_path.py); padding could change float sums in
the last bits, which changed no token there. The decoder's switch is process-wide: a batch run
turns it on for its duration and the last run to end restores what it found (``decoding_together``).
"""
from __future__ import annotations

import hashlib
import json
import logging
import os
import shutil
import threading
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from datetime import datetime, timezone
from pathlib import Path
from typing import Callable, Iterable, Iterator, Sequence

from tqdm import tqdm

from engine.inputs.catalog import CatalogRows, read_catalog_rows
from engine.core.errors import StudioError
from engine.core.product import Product
from engine.core.settings import Settings

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


# -- one path, products at once -----------------------------------------------------------
_BATCHING_LOCK = threading.Lock()
# RequestBatching a run widens -> (decoder rows each running batch asks for, the options the first of them found)
_BATCHING_RUNS: dict = {}


@contextmanager
def decoding_together(rows: int, batching=None) -> Iterator[None]:
    """Request batching on, with room for ``rows`` rows, while the block runs; then as it was.

    ``batching``: the ``engine.models.batching.RequestBatching`` to widen, the Studio's (None:
    ``DEFAULT_BATCHING``, which a Studio made without its own follows). Its decoders read it in their own
    thread, so it cannot be turned on for one caller's requests only. Runs that overlap (two Batch tabs of
    one server) share it: the first saves the setting it finds, each widens ``max_batch`` to what the runs
    ask for together (never below the setting found), and the last to end restores it. A server that
    batches already (its default) keeps its window; one started with ``--no-batching`` runs the Batch tab in
    the one model slot, so no other copy request is decoded while it is on. The CLI batches nothing else."""
    from engine.models.batching import DEFAULT_BATCHING

    batching = batching or DEFAULT_BATCHING

    def apply() -> None:
        runs, found = _BATCHING_RUNS[batching]
        least = found["max_batch"] if found["enabled"] else 1
        batching.set(True, window_s=found["window_s"], max_batch=max(least, sum(runs)))

    with _BATCHING_LOCK:
        if batching not in _BATCHING_RUNS:
            _BATCHING_RUNS[batching] = ([], batching.as_dict())
        _BATCHING_RUNS[batching][0].append(rows)
        apply()
    try:
        yield
    finally:
        with _BATCHING_LOCK:
            runs, found = _BATCHING_RUNS[batching]
            runs.remove(rows)
            if runs:
                apply()
            else:
                del _BATCHING_RUNS[batching]
                batching.set(**found)


def generate_batch(studio, products: Sequence[Product], settings: Settings,
                   references: dict[str, str] | None = None) -> list:
    """``Studio.generate(product, settings, references, store=False)`` for each product, at once.

    Returns, in order, a ``pipeline.Result`` or the ``StudioError`` that product raised (an
    unexpected exception comes back as a ``StepFailed``): the Result the Create tab makes for it,
    with the same text for the same seed and settings, because it is the same code. The products
    run in threads while the Studio's request batching is on (``decoding_together``), so their language-model
    calls share one batched decode; each product's title and description are two of its rows.

    The model loaders are safe to race (``engine.models.cache.load_once``: one copy of each model,
    so one decoder). A failure of the shared decode (out of GPU memory, say) reaches every product
    of it, so products that fail unexpectedly are written again one at a time, after the others:
    only a product at fault stays failed. The template baseline has no language model to batch
    and runs one product at a time.
    """
    from engine.pipeline import LM_FIELDS

    if len(products) < 2 or settings.fusion == "template":
        return [_generate_one(studio, product, settings, references) for product in products]
    with decoding_together(len(products) * len(LM_FIELDS), getattr(studio, "request_batching", None)):
        with ThreadPoolExecutor(max_workers=len(products), thread_name_prefix="batch-product") as pool:
            outcomes = list(pool.map(lambda product: _generate_one(studio, product, settings, references), products))
    for index, outcome in enumerate(outcomes):
        if isinstance(outcome, StepFailed):
            log.warning("%s failed in a batch (%s); writing it again on its own", products[index].id, outcome)
            outcomes[index] = _generate_one(studio, products[index], settings, references)
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
    """Outcomes of a chunk: its products at once (``generate_batch``) or one after another."""
    if batched:
        return generate_batch(studio, chunk, settings)
    return [_generate_one(studio, product, settings) for product in chunk]


def chunk_outcomes(studio, chunk: list[Product], settings: Settings, batched: bool,
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
    ``engine.workflows.distributed.RayRunner`` for the same on a Ray cluster.
    """

    def __init__(self, studio):
        self.studio = studio

    def run(self, chunks: Iterable[list[Product]], settings: Settings, batched: bool,
            media_dir: Path | None = None) -> Iterator[tuple[Product, object, dict]]:
        for chunk in chunks:
            yield from chunk_outcomes(self.studio, chunk, settings, batched, media_dir)


# -- the results file ---------------------------------------------------------------------
def result_line(product: Product, result) -> dict:
    """One results.jsonl line: the copy, its scores, and what the Create tab shows beside them.

    ``scores`` maps each field to ``{metric: value}``. ``claims`` holds the claim check of each
    field (``claim_verdicts``), so the Batch tab and the exports read the verdict, its reasons and
    whether to hold a product back without scoring again. ``checks`` (tries, and the share as first
    written), ``warnings``, ``notes``, ``alternatives`` (ranked candidates) and ``provenance`` (where
    each sentence and title word comes from) are the Result's own.
    """
    copy = result.copy
    return {
        "id": product.id, "generation_id": result.id, "created_at": result.created_at,
        "title": copy.title, "description": copy.description, "bullets": copy.bullets, "keywords": copy.keywords,
        "scores": {kind: {s.name: s.value for s in scores} for kind, scores in result.scores.items()},
        "claims": claim_verdicts(result.scores),
        "checks": result.checks, "warnings": result.warnings, "notes": result.notes,
        "alternatives": result.alternatives, "provenance": result.provenance,
        "settings": result.settings.model_dump(), "models": result.models, "timings": result.timings,
        "product": product.model_dump(mode="json"),
    }


def claim_verdicts(scores: dict) -> dict[str, dict]:
    """field -> the claim check's verdict as the Create tab shows it: ``display`` ("3/3 in input",
    "2 flagged" ...), ``good`` (False when anything is flagged), ``share`` and ``flagged``
    (``{"kind", "text", "reason"}`` per claim). Fields without a claim check are left out."""
    verdicts = {}
    for kind, field_scores in scores.items():
        claim = next((s for s in field_scores if s.name == "grounding"), None)
        if claim is None:
            continue
        flagged = (claim.details or {}).get("flagged") or []
        verdicts[kind] = {"display": claim.display, "good": claim.good, "share": claim.value,
                          "flagged": [{k: f.get(k) for k in ("kind", "text", "reason")} for f in flagged]}
    return verdicts


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
    """Finished rows of a batch folder (or its results.jsonl), ready for ``engine.workflows.export``.

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


def append_records(path: Path, records: Iterable[dict]) -> None:
    from engine.core.paths import storage_problem

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

    from engine.storage.media import save_creatives

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
    checked between batches; ``history``: an ``engine.storage.history.History`` that also stores every
    result (a ``studio``'s own history is used too); ``media``: also render the ad images of every
    product into ``out/media/<settings key>/<id>/`` (listed in its line), so two settings' images
    never overwrite each other; ``start_over_first``: ``start_over(out)`` before running;
    ``runner``: what turns chunks of products into outcomes, ``LocalRunner(studio)`` (this
    process; the default) or ``engine.workflows.distributed.RayRunner`` (actors on a Ray cluster). Either
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
                append_records(failures, [record])
                if on_failure:
                    on_failure(record)
            else:
                record.update(extra)
                append_records(results, [record])
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
