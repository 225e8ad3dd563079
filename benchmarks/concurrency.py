"""Concurrent copy requests: batched decoding against today's one-at-a-time queue, in one run.

    python benchmarks/concurrency.py [--sessions 8] [--generations 3] [--write]

Starts the studio twice as a user would (``launch.py``), first with ``--no-batching`` (every
request waits for the one model slot), then with request batching on (the default: concurrent
requests' language-model calls are decoded together, engine/models/batching.py). Against each,
``--sessions`` ``gradio_client`` sessions call ``/generate`` ``--generations`` times each, all at
once, every call a different real Luma product with its photo uploaded, default settings, its own
seed. One warm-up call first loads the models (not timed). Reported per mode: wall time, products
per minute, failed requests (target 0), latency p50/p90 from the client, the server's RSS before
(after the warm-up) and after, and the throughput ratio batched / queue (target >= 2x) and memory
after / before (target within 20 %).
"""
from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import threading
import time
from pathlib import Path

os.environ.setdefault("HF_HUB_OFFLINE", "1")
sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from load import RssSampler, luma_records, percentile, start_studio  # noqa: E402

from report import machine, write_section  # noqa: E402

SECTION = "## Concurrent requests"
MODES = {"queue": ("--no-batching",), "batched": ()}


def one_generation(url: str, record: dict, seed: int) -> tuple[float, str]:
    from gradio_client import Client, handle_file

    client = Client(url, verbose=False)
    start = time.perf_counter()
    try:
        product = {k: v for k, v in record.items() if k not in ("images", "videos")}
        result = client.predict(product, {"seed": seed}, [handle_file(record["images"][0])], [], api_name="/generate")
        ok = bool(result["copy"]["title"]) and bool(result["copy"]["description"])
        return time.perf_counter() - start, "" if ok else "empty copy"
    except Exception as exc:  # counted as a failed request
        return time.perf_counter() - start, f"{type(exc).__name__}: {exc}"


def run_mode(mode: str, sessions: int, generations: int, records: list[dict], work: Path) -> dict:
    studio = start_studio(work / mode, extra_args=MODES[mode])
    try:
        one_generation(studio.url, records[-1], 999)  # loads the models; not timed
        with RssSampler(studio.process.pid) as rss:
            latencies: list[float] = []
            failures: list[str] = []
            lock = threading.Lock()

            def session(index: int) -> None:
                for turn in range(generations):
                    record = records[(index * generations + turn) % len(records)]
                    seconds, error = one_generation(studio.url, record, seed=index * 100 + turn)
                    with lock:
                        latencies.append(seconds)
                        if error:
                            failures.append(error)

            start = time.perf_counter()
            threads = [threading.Thread(target=session, args=(i,)) for i in range(sessions)]
            for thread in threads:
                thread.start()
            for thread in threads:
                thread.join()
            wall = time.perf_counter() - start
        memory = rss.summary()
    finally:
        studio.stop()
    requests = sessions * generations
    return {"mode": mode, "requests": requests, "failed": len(failures), "errors": failures[:5], "wall_s": wall,
            "per_minute": 60 * (requests - len(failures)) / wall, "p50_s": statistics.median(latencies),
            "p90_s": percentile(latencies, 0.9), **memory}


def main(argv=None) -> dict:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sessions", type=int, default=8)
    parser.add_argument("--generations", type=int, default=3)
    parser.add_argument("--write", action="store_true", help=f"replace the '{SECTION}' section of docs/PERFORMANCE.md")
    args = parser.parse_args(argv)
    records = luma_records()
    with tempfile.TemporaryDirectory(prefix="mcs-concurrency-") as folder:
        runs = {mode: run_mode(mode, args.sessions, args.generations, records, Path(folder)) for mode in MODES}
    queue, batched = runs["queue"], runs["batched"]
    ratio = batched["per_minute"] / queue["per_minute"]
    growth = batched["after_mb"] / batched["before_mb"] - 1
    rows = [(mode, f"{r['requests']}", f"{r['failed']}", f"{r['wall_s']:.0f} s", f"{r['per_minute']:.1f}",
             f"{r['p50_s']:.1f} / {r['p90_s']:.1f} s", f"{r['before_mb']:.0f} -> {r['after_mb']:.0f} MB (peak {r['peak_mb']:.0f})")
            for mode, r in runs.items()]
    table = "\n".join("| " + " | ".join(row) + " |" for row in rows)
    command = f"python benchmarks/concurrency.py --sessions {args.sessions} --generations {args.generations}"
    text = (f"{SECTION}\n\n{args.sessions} `gradio_client` sessions, each calling `/generate` {args.generations} "
            "times back to back, all sessions at once; every call a different Luma product with its photo "
            "uploaded, the default settings and its own seed. The studio runs as `launch.py`, first with "
            "`--no-batching` (today's one-at-a-time queue), then with request batching (the default); one "
            "untimed call loads the models first.\n\n"
            f"Command: `{command}`  \nMachine: {machine()}.\n\n"
            "| mode | requests | failed | wall | products/min | latency p50 / p90 | server RSS before -> after |\n"
            f"|---|---|---|---|---|---|---|\n{table}\n\n"
            f"Throughput, batched / queue: **{ratio:.2f}x** (target >= 2x: {'met' if ratio >= 2 else 'MISSED'}). "
            f"Server memory after the batched run vs before it: {growth * 100:+.0f} % "
            f"(target within 20 %: {'met' if abs(growth) <= 0.2 else 'MISSED'}).\n")
    print("\n" + text)
    for r in runs.values():
        if r["errors"]:
            print(r["mode"], "errors:", r["errors"])
    if args.write:
        write_section(text, SECTION)
    return runs


if __name__ == "__main__":
    main()
