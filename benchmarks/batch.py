"""Products per minute: a catalog's products written at once (``engine.workflows.batch.generate_batch``, their
language-model calls decoded together) vs. one after another, in the same process, on the same products.

    python benchmarks/batch.py --products 8 --batch-size 8 --runs 3 --threads 1

Both paths are ``Studio.generate``, the one path from a product to a result (candidates, retries,
claim-check repairs, keywords, scores), so the whole of it is timed and both must write the same copy
(``same_copy`` in the summary). Runs alternate one-at-a-time / batched so background load hits both
alike; the median of ``--runs`` is reported. Writes a JSON summary with ``--json``.

    python benchmarks/batch.py --ray --products 16 --batch-size 4 --runs 3 --workers 2

``--ray``: whole catalog runs instead (``engine.workflows.batch.run_batch``: ingest, copy, scores, the
results file), this process with one Studio vs. ``--workers`` actors on a local Ray instance,
same products, same settings, alternating runs into fresh folders; models are loaded and the
actors started before timing (both reported apart). Also measures what would cap a cluster:
results lines per second the single writer (``append_records``, one fsync each) sustains, the pickled
size of a product's outcome, and catalog reading speed.
"""
from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import time
from pathlib import Path

os.environ.setdefault("HF_HUB_OFFLINE", "1")
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import torch  # noqa: E402

from engine.workflows.batch import generate_batch  # noqa: E402
from engine.inputs.catalog import read_catalog  # noqa: E402
from engine.pipeline import Studio  # noqa: E402
from engine.core.settings import Settings  # noqa: E402

KINDS = ("title", "description")
DEFAULT_CATALOG = Path(__file__).resolve().parents[2] / "shared" / "data" / "luma" / "products.jsonl"


def copies_of(outcomes) -> list[dict]:
    """Title and description of each outcome (a failed product: its error, so a failure shows)."""
    return [{kind: getattr(o.copy, kind) for kind in KINDS} if not isinstance(o, Exception) else {"error": str(o)}
            for o in outcomes]


def one_at_a_time(studio, products, settings) -> list[dict]:
    return copies_of([studio.generate(product, settings, store=False) for product in products])


def batched(studio, products, settings, batch_size: int) -> list[dict]:
    out = []
    for start in range(0, len(products), batch_size):
        out += copies_of(generate_batch(studio, products[start:start + batch_size], settings))
    return out


def writer_rate(folder: Path, line: dict, seconds: float = 5.0) -> float:
    """Results lines per second ``append_records`` (one write + fsync per line) sustains in ``folder``."""
    from engine.workflows.batch import append_records

    path = folder / "writer-test.jsonl"
    count, clock = 0, time.perf_counter()
    while time.perf_counter() - clock < seconds:
        append_records(path, [line])
        count += 1
    rate = count / (time.perf_counter() - clock)
    path.unlink()
    return rate


def ray_vs_local(args) -> dict:
    import pickle
    import shutil
    import tempfile

    from engine.workflows.batch import result_line, run_batch
    from engine.inputs.catalog import read_catalog_rows
    from engine.workflows.distributed import RayRunner

    threads = args.threads or 1
    torch.set_num_threads(threads)
    products = read_catalog(args.catalog, limit=args.products)
    settings = settings_from(args)
    scratch = Path(tempfile.mkdtemp(prefix="bench-ray-"))
    quiet = lambda done, total, record: None  # noqa: E731  (no progress bar)

    clock = time.perf_counter()
    studio = Studio(device=args.device, threads=threads)
    run_batch(products[:2], scratch / "warm-local", settings, studio=studio, batch_size=2, progress=quiet)
    local_warm_up = time.perf_counter() - clock
    clock = time.perf_counter()
    runner = RayRunner(workers=args.workers, device=args.device)
    runner.worker_pids()
    ray_start = time.perf_counter() - clock
    clock = time.perf_counter()
    # every worker loads its models: one 2-product chunk each
    run_batch(products[:2 * args.workers], scratch / "warm-ray", settings, runner=runner, batch_size=2, progress=quiet)
    ray_warm_up = time.perf_counter() - clock

    times = {"local": [], "ray": []}
    failures = {}  # the first failure of each path: a benchmark with failed products measures nothing
    try:
        for run in range(args.runs):
            for name in times:
                out = scratch / f"{name}-{run}"
                clock = time.perf_counter()
                summary = run_batch(products, out, settings, batch_size=args.batch_size, progress=quiet,
                                    **({"studio": studio} if name == "local" else {"runner": runner}))
                times[name].append(time.perf_counter() - clock)
                assert summary["new"] + summary["failed"] == len(products), summary
                if summary["failed"]:
                    failures.setdefault(name, summary["failures"][0]["error"])
                print(f"run {run + 1}/{args.runs} {name:6} {times[name][-1]:7.1f} s "
                      f"({len(products) / times[name][-1] * 60:.1f} products/min, {summary['failed']} failed)",
                      flush=True)
    finally:
        runner.close()

    row = json.loads((scratch / "local-0" / "results.jsonl").read_text().splitlines()[0])
    result = studio.generate(products[0], settings, store=False)
    rows_read = read_catalog_rows(args.catalog)
    clock = time.perf_counter()
    for _ in range(5):
        read_catalog_rows(args.catalog)
    catalog_rate = 5 * len(rows_read.products) / (time.perf_counter() - clock)
    writer = {"this_disk": round(writer_rate(scratch, row), 1)}
    if Path("/dev/shm").is_dir():
        with tempfile.TemporaryDirectory(dir="/dev/shm") as memory:
            writer["tmpfs"] = round(writer_rate(Path(memory), row), 1)
    shutil.rmtree(scratch, ignore_errors=True)

    per_minute = {name: len(products) / statistics.median(t) * 60 for name, t in times.items()}
    return {
        "products": len(products), "batch_size": args.batch_size, "runs": args.runs, "workers": args.workers,
        "device": args.device, "torch_threads": threads, "cpu_count": os.cpu_count(),
        "load_average": os.getloadavg(), "settings": {**overrides, "fusion": settings.fusion},
        "seconds": times, "products_per_minute": {k: round(v, 2) for k, v in per_minute.items()},
        "ratio_ray_vs_local": round(per_minute["ray"] / per_minute["local"], 2),
        "first_failure": failures, "ray_stats": runner.stats,
        "per_worker_products_per_minute": round(per_minute["ray"] / args.workers, 2),
        "setup_seconds": {"local_model_load_and_2_products": round(local_warm_up, 1),
                          "ray_start_and_actors": round(ray_start, 1),
                          "ray_workers_model_load_and_2_products_each": round(ray_warm_up, 1)},
        "limits": {"writer_lines_per_s": writer, "results_line_bytes": len(json.dumps(row)),
                   "pickled_outcome_bytes": len(pickle.dumps(result)),
                   "catalog_products_read_per_s": round(catalog_rate, 1)},
    }


def settings_from(args) -> Settings:
    """The benchmark's settings: its temperature, and the method and token budget when given."""
    overrides = {"temperature": args.temperature}
    if args.max_new_tokens:
        overrides["max_new_tokens"] = args.max_new_tokens
    if args.fusion:
        overrides["fusion"] = args.fusion
    return Settings(**overrides)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--catalog", type=Path, default=DEFAULT_CATALOG)
    parser.add_argument("--products", type=int, default=8)
    parser.add_argument("--batch-size", type=int, default=8)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--threads", type=int, default=0, help="torch threads (0: torch's default)")
    parser.add_argument("--device", default="cpu")
    parser.add_argument("--temperature", type=float, default=0.7)
    parser.add_argument("--fusion", default=None, help="copy method (default: the studio's, Settings())")
    parser.add_argument("--json", type=Path, default=None)
    parser.add_argument("--ray", action="store_true", help="whole catalog runs: this process vs. Ray workers")
    parser.add_argument("--workers", type=int, default=2, help="with --ray: local Ray workers")
    parser.add_argument("--max-new-tokens", type=int, default=None, help="shorter outputs")
    args = parser.parse_args()
    if args.threads:
        torch.set_num_threads(args.threads)
    if args.ray:
        summary = ray_vs_local(args)
        print(json.dumps(summary, indent=2, ensure_ascii=False))
        if args.json:
            args.json.parent.mkdir(parents=True, exist_ok=True)
            args.json.write_text(json.dumps(summary, indent=2, ensure_ascii=False))
        return 0

    studio = Studio(device=args.device)
    settings = settings_from(args)
    products = read_catalog(args.catalog, limit=args.products)
    batched(studio, products[:2], settings.replace(max_new_tokens=8), 2)  # warm-up: models, kernels, tables

    times = {"one_at_a_time": [], "batched": []}
    samples = {}
    for run in range(args.runs):
        for name in times:
            clock = time.perf_counter()
            copies = (one_at_a_time(studio, products, settings) if name == "one_at_a_time"
                      else batched(studio, products, settings, args.batch_size))
            times[name].append(time.perf_counter() - clock)
            samples[name] = copies
            print(f"run {run + 1}/{args.runs} {name:14} {times[name][-1]:7.1f} s "
                  f"({len(products) / times[name][-1] * 60:.1f} products/min)", flush=True)

    per_minute = {name: len(products) / statistics.median(t) * 60 for name, t in times.items()}
    writer = studio.language_model(settings)
    summary = {
        "products": len(products), "batch_size": args.batch_size, "runs": args.runs, "device": str(writer.device),
        "torch_threads": torch.get_num_threads(), "cpu_count": os.cpu_count(),
        "load_average": os.getloadavg(), "settings": {**overrides, "fusion": settings.fusion},
        "seconds": times, "products_per_minute": {k: round(v, 2) for k, v in per_minute.items()},
        "speedup": round(per_minute["batched"] / per_minute["one_at_a_time"], 2),
        "same_copy": samples["batched"] == samples["one_at_a_time"],  # one path: it must be True
        "mean_chars": {name: {kind: round(statistics.mean(len(c.get(kind) or "") for c in copies), 1)
                              for kind in KINDS} for name, copies in samples.items()},
        "example": {name: copies[0] for name, copies in samples.items()},
    }
    print(json.dumps(summary, indent=2, ensure_ascii=False))
    if args.json:
        args.json.parent.mkdir(parents=True, exist_ok=True)
        args.json.write_text(json.dumps(summary, indent=2, ensure_ascii=False))
    return 0


if __name__ == "__main__":
    sys.exit(main())
