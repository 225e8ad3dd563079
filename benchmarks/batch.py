"""Products per minute for titles + descriptions: the LM batched across products vs. the same
generator called one product at a time, in the same process, on the same products.

    python benchmarks/batch.py --products 8 --batch-size 8 --runs 3 --threads 1

Only language-model generation is timed (title, then description, as ``Studio`` writes them);
ingest and photo colours are computed once beforehand for both paths, since batching does not
change them. Runs alternate one-at-a-time / batched so background load hits both alike; the
median of ``--runs`` is reported. Writes a JSON summary with ``--json``.
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

from engine.batch import generate_field_batch  # noqa: E402
from engine.catalog import read_catalog  # noqa: E402
from engine.copywriting.copy import clean, stream_field  # noqa: E402
from engine.pipeline import Studio  # noqa: E402
from engine.settings import Settings  # noqa: E402

KINDS = ("title", "description")
DEFAULT_CATALOG = Path(__file__).resolve().parents[2] / "shared" / "data" / "luma" / "products.jsonl"


def one_at_a_time(lm, items, colours, settings) -> list[dict]:
    out = []
    for item, item_colours in zip(items, colours):
        copy = {}
        for kind in KINDS:
            raw = ""
            for raw in stream_field(lm, kind, item, settings, item_colours):
                pass
            copy[kind] = clean(kind, raw, settings)
        out.append(copy)
    return out


def batched(lm, items, colours, settings, batch_size: int) -> list[dict]:
    out = []
    for start in range(0, len(items), batch_size):
        chunk, chunk_colours = items[start:start + batch_size], colours[start:start + batch_size]
        copies = [{} for _ in chunk]
        for kind in KINDS:
            for copy, raw in zip(copies, generate_field_batch(lm, kind, chunk, settings, chunk_colours)):
                copy[kind] = clean(kind, raw, settings)
        out += copies
    return out


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--catalog", type=Path, default=DEFAULT_CATALOG)
    parser.add_argument("--products", type=int, default=8)
    parser.add_argument("--batch-size", type=int, default=8)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--threads", type=int, default=0, help="torch threads (0: torch's default)")
    parser.add_argument("--device", default="cpu")
    parser.add_argument("--temperature", type=float, default=0.7)
    parser.add_argument("--json", type=Path, default=None)
    args = parser.parse_args()
    if args.threads:
        torch.set_num_threads(args.threads)

    studio = Studio(device=args.device)
    settings = Settings(temperature=args.temperature)
    lm = studio.language_model(settings)
    items = [studio.ingest(p) for p in read_catalog(args.catalog, limit=args.products)]
    colours = [studio.photo_colours(item) for item in items]
    batched(lm, items[:2], colours[:2], settings.replace(max_new_tokens=8), 2)  # warm-up: kernels, stop-string tables

    times = {"one_at_a_time": [], "batched": []}
    samples = {}
    for run in range(args.runs):
        for name in times:
            clock = time.perf_counter()
            copies = (one_at_a_time(lm, items, colours, settings) if name == "one_at_a_time"
                      else batched(lm, items, colours, settings, args.batch_size))
            times[name].append(time.perf_counter() - clock)
            samples[name] = copies
            print(f"run {run + 1}/{args.runs} {name:14} {times[name][-1]:7.1f} s "
                  f"({len(items) / times[name][-1] * 60:.1f} products/min)", flush=True)

    per_minute = {name: len(items) / statistics.median(t) * 60 for name, t in times.items()}
    summary = {
        "products": len(items), "batch_size": args.batch_size, "runs": args.runs, "device": str(lm.device),
        "torch_threads": torch.get_num_threads(), "cpu_count": os.cpu_count(),
        "load_average": os.getloadavg(), "fields": list(KINDS),
        "seconds": times, "products_per_minute": {k: round(v, 2) for k, v in per_minute.items()},
        "speedup": round(per_minute["batched"] / per_minute["one_at_a_time"], 2),
        "mean_chars": {name: {kind: round(statistics.mean(len(c[kind]) for c in copies), 1) for kind in KINDS}
                       for name, copies in samples.items()},
        "example": {name: copies[0] for name, copies in samples.items()},
    }
    print(json.dumps(summary, indent=2, ensure_ascii=False))
    if args.json:
        args.json.parent.mkdir(parents=True, exist_ok=True)
        args.json.write_text(json.dumps(summary, indent=2, ensure_ascii=False))
    return 0


if __name__ == "__main__":
    sys.exit(main())
