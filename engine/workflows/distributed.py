"""Catalog runs on a Ray cluster: ``python -m engine batch CATALOG --out DIR --ray [ADDRESS]``.

``RayRunner`` is a runner for ``engine.workflows.batch.run_batch`` (see ``engine.workflows.batch.LocalRunner``): it
starts ``workers`` actors, each holding one ``engine.pipeline.Studio`` (so each worker loads the
models once) and running whole chunks of ``--batch-size`` products through the same code as a
local run (``engine.workflows.batch.chunk_outcomes``: ``Studio.generate`` for each product, the Create
tab's one path, the chunk's products at once with their language-model calls decoded together;
media rendered by the worker). Outcomes come back to the driver, and only the driver writes ``results.jsonl`` and
``failures.jsonl``, so a Ray run keeps every guarantee of a local one: one writer under the
folder lock, one fsynced line per product, resume by settings key, ``should_stop`` between
chunks (chunks already on a worker finish and are written), a product handed back once.

Workers that die: every actor has ``max_restarts``; a chunk whose worker was killed (SIGKILL,
out of memory, a lost node) is sent again, to the restarted actor or another, and a chunk that
keeps killing workers is split into single products so only the product at fault fails
(after ``MAX_ATTEMPTS`` tries it is written to failures.jsonl and tried again on the next run).
Nothing a dead worker did reaches the results file, so nothing is written twice.

Without an address a local Ray instance is started on this machine (no dashboard, no usage
statistics, bound to 127.0.0.1). With one, every node needs this package, its models
(``scripts/setup.sh``) and the catalog's photos at the same paths (a shared file system), and
``--out`` must be on a shared file system too when ``--media`` is on (workers write the images).
On GPU nodes pass ``--device cuda``: each worker then asks Ray for one GPU (Ray hides GPUs from
actors that ask for none).

Ray is optional (``pip install .[ray]``): it is imported here only, when a runner is made.
"""
from __future__ import annotations

import logging
import os
import pickle
from collections import deque
from pathlib import Path
from typing import Iterable, Iterator

from engine.core.errors import StudioError
from engine.models.language import default_precision
from engine.core.product import Product
from engine.core.settings import Settings

MAX_ATTEMPTS = 3  # tries per product whose worker died under it, before it counts as failed
IN_FLIGHT_PER_WORKER = 2  # chunks queued per actor, so a worker never waits for the driver
ENV_PASSED = ("HF_HUB_OFFLINE", "TRANSFORMERS_VERBOSITY", "MCS_DATA_DIR", "MCS_PRECISION", "OMP_NUM_THREADS")
log = logging.getLogger(__name__)


def import_ray():
    """Ray, or a user-facing error (exit code 2 on the command line) saying how to get it."""
    os.environ.setdefault("RAY_USAGE_STATS_ENABLED", "0")  # never phone home
    try:
        import ray
    except ImportError as exc:
        raise StudioError("--ray needs Ray: pip install '.[ray]' (or pip install ray==2.60.0)") from exc
    return ray


def portable(outcome):
    """An outcome that survives pickling: a ``Result`` as is, an exception whose class cannot be
    rebuilt from its args (``StepFailed``, ``IngestError``) as a ``StudioError`` with its message."""
    if not isinstance(outcome, BaseException):
        return outcome
    try:
        pickle.loads(pickle.dumps(outcome))
        return outcome
    except Exception:
        return StudioError(str(outcome))


class StudioWorker:
    """One Ray actor: one Studio, models loaded on first use, chunks run one after another."""

    def __init__(self, device: str = "auto", threads: int | None = None, precision: str | None = None):
        from engine.pipeline import Studio

        if precision:  # the driver's precision (--precision), so workers write the same copy
            from engine.models.language import set_precision

            set_precision(precision)  # the process default, for the models loaded outside the Studio (keywords)
        self.studio = Studio(device=device, threads=threads, precision=precision or None)

    def pid(self) -> int:
        return os.getpid()

    def ready(self) -> bool:
        return True

    def run(self, chunk: list[Product], settings: Settings, batched: bool, media_dir: str | None) -> list:
        from engine.workflows.batch import chunk_outcomes

        folder = Path(media_dir) if media_dir else None
        return [(portable(outcome), extra)
                for _, outcome, extra in chunk_outcomes(self.studio, chunk, settings, batched, folder)]


class RayRunner:
    """Runs a catalog's chunks on ``workers`` Ray actors; hand it to ``run_batch(runner=...)``.

    ``address``: a Ray cluster (``"auto"``, ``"ray://host:10001"``, ``"host:6379"``), or None for a
    local instance with ``workers`` CPUs. Actors start on the first ``run`` and stay for the next
    ones (models stay loaded) until ``close()``; a local instance this runner started is shut
    down there too. ``stats``: chunks sent, chunks resent after a worker died, products failed
    that way.
    """

    def __init__(self, address: str | None = None, workers: int = 2, device: str = "auto",
                 cpus_per_worker: float = 1, gpus_per_worker: float | None = None, max_restarts: int = 4):
        self.ray = import_ray()
        self.address = address
        self.workers = max(1, int(workers))
        self.device = device
        self.cpus_per_worker = cpus_per_worker
        # Ray hides GPUs from an actor that asked for none: --device cuda asks for one per worker
        self.gpus_per_worker = (1 if device == "cuda" else 0) if gpus_per_worker is None else gpus_per_worker
        self.max_restarts = max_restarts
        self.actors: list = []
        self.started_ray = False
        self.stats = {"chunks": 0, "resent": 0, "lost": 0}

    # -- cluster and actors ------------------------------------------------------------
    def _connect(self) -> None:
        ray = self.ray
        if ray.is_initialized():
            return
        env = {name: os.environ[name] for name in ENV_PASSED if name in os.environ}
        env.setdefault("HF_HUB_OFFLINE", "1")
        quiet = dict(include_dashboard=False, log_to_driver=False, logging_level=logging.ERROR,
                     configure_logging=True, runtime_env={"env_vars": env})
        try:
            if self.address:
                ray.init(address=self.address, **{k: v for k, v in quiet.items() if k != "include_dashboard"})
            else:
                ray.init(num_cpus=max(self.workers * self.cpus_per_worker, 1), _node_ip_address="127.0.0.1", **quiet)
        except (ConnectionError, RuntimeError, ValueError) as exc:
            where = f"the Ray cluster at {self.address}" if self.address else "a local Ray instance"
            raise StudioError(f"--ray: could not start or reach {where}: {exc}") from exc
        self.started_ray = not self.address

    def start(self) -> list:
        """Start the actors (idempotent); returns their handles."""
        if self.actors:
            return self.actors
        self._connect()
        threads = max(1, int(self.cpus_per_worker)) if self.gpus_per_worker == 0 else None
        actor_class = self.ray.remote(StudioWorker).options(
            num_cpus=self.cpus_per_worker, num_gpus=self.gpus_per_worker,
            max_restarts=self.max_restarts, max_task_retries=0)  # we resend ourselves: never run twice unseen
        self.actors = [actor_class.remote(self.device, threads, default_precision()) for _ in range(self.workers)]
        return self.actors

    def worker_pids(self, timeout: float = 120) -> list[int]:
        """Each actor's process id (tests kill one of them)."""
        return self.ray.get([actor.pid.remote() for actor in self.start()], timeout=timeout)

    def close(self) -> None:
        for actor in self.actors:
            try:
                self.ray.kill(actor)
            except Exception:
                pass
        self.actors = []
        if self.started_ray and self.ray.is_initialized():
            self.ray.shutdown()
        self.started_ray = False

    def __enter__(self) -> "RayRunner":
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    # -- the runner --------------------------------------------------------------------
    def run(self, chunks: Iterable[list[Product]], settings: Settings, batched: bool,
            media_dir: Path | None = None) -> Iterator[tuple[Product, object, dict]]:
        ray = self.ray
        chunks = iter(chunks)
        media = str(media_dir) if media_dir else None
        retry: deque[tuple[list[Product], int]] = deque()  # (chunk, attempts so far) to send again
        pending: dict = {}  # object ref -> (actor index, chunk, attempts)
        pings: dict = {}  # object ref -> actor index: an actor that lost a chunk, until it answers again
        dead: set[int] = set()  # actors out of restarts
        load = [0] * self.workers
        exhausted = False
        actors = None

        def next_chunk():
            nonlocal exhausted
            if retry:
                return retry.popleft()
            if exhausted:
                return None
            chunk = next(chunks, None)  # run_batch's should_stop() is asked here
            if chunk is None:
                exhausted = True
                return None
            return chunk, 0

        def fill() -> None:
            down = dead | set(pings.values())
            while True:
                up = [i for i in range(self.workers) if i not in down and load[i] < IN_FLIGHT_PER_WORKER]
                if not up:
                    return
                item = next_chunk()
                if item is None:
                    return
                index = min(up, key=load.__getitem__)
                chunk, attempts = item
                ref = actors[index].run.remote(chunk, settings, batched, media)
                pending[ref] = (index, chunk, attempts)
                load[index] += 1
                self.stats["chunks"] += 1

        while True:
            if actors is None:
                first = next_chunk()
                if first is None:
                    return  # nothing to do: no cluster started
                retry.appendleft(first)
                actors = self.start()
            fill()
            if not pending and not (pings and (retry or not exhausted)):
                if len(dead) == self.workers and (retry or not exhausted):
                    raise StudioError(f"every Ray worker died and none could restart ({self.max_restarts} "
                                      "restarts each); the products finished so far are written: run the same "
                                      "batch again to resume")
                return
            [ref], _ = ray.wait([*pending, *pings], num_returns=1)
            if ref in pings:  # an actor that lost a chunk answers again (restarted), or is gone for good
                index = pings.pop(ref)
                try:
                    ray.get(ref)
                except ray.exceptions.RayError:
                    log.warning("Ray worker %d is gone for good", index)
                    dead.add(index)
                continue
            index, chunk, attempts = pending.pop(ref)
            load[index] -= 1
            try:
                pairs = ray.get(ref)
            except ray.exceptions.RayTaskError as exc:  # the worker's code raised: these products fail
                error = StudioError(f"worker: {type(exc.cause).__name__ if exc.cause else 'error'}: "
                                    f"{' '.join(str(exc.cause or exc).split())[:500]}")
                for product in chunk:
                    yield product, error, {}
                continue
            except ray.exceptions.RayError as exc:  # worker killed or crashed, out of memory, node or object lost
                if index not in dead and index not in pings.values():
                    # Resent chunks go to actors that are up; this one gets work again once it answers
                    # (a restart reloads the models; retries on the ping only, it does no work).
                    pings[actors[index].ready.options(max_task_retries=-1).remote()] = index
                yield from self._worker_died(chunk, attempts, exc, retry)
                continue
            for product, (outcome, extra) in zip(chunk, pairs):
                yield product, outcome, extra

    def _worker_died(self, chunk: list[Product], attempts: int, exc: BaseException, retry: deque):
        attempts += 1
        log.warning("a Ray worker died under %d products (try %d): %s; sending them again",
                    len(chunk), attempts, type(exc).__name__)
        if attempts < MAX_ATTEMPTS:
            self.stats["resent"] += 1
            if attempts == 1 or len(chunk) == 1:
                retry.append((chunk, attempts))
            else:  # it died twice on this chunk: one product at a time finds the one at fault
                retry.extend(([product], attempts) for product in chunk)
            return
        self.stats["lost"] += len(chunk)
        error = StudioError(f"its Ray worker died {attempts} times while writing it ({type(exc).__name__}); "
                            "it runs again when the same batch is run again")
        for product in chunk:
            yield product, error, {}
