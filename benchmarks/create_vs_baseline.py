"""A whole Create, this tree against an earlier commit, in one run on the same machine.

Issue 22 asks that the planned, licensed writer keep a Create within 1.3x of the time it took before. Each
side runs in its own process (the two trees hold different modules under the same names), on the same
held-out products and seeds, with the Create tab's default settings: title and description by the default
method, bullets, keywords, every score. Processes alternate (baseline, this tree, baseline, ...) so both
see the same load; the first Create of each process is a warm-up and not counted.

    python benchmarks/create_vs_baseline.py --baseline 91877c1 --rounds 3 --products 4 [--write]
"""
from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "benchmarks"))
LUMA = REPO.parent / "shared" / "data" / "luma" / "products.jsonl"
SECTION = "## Faithful copy: a Create against the writer before it"

# Runs inside the tree under test (its own engine/), prints the seconds of each Create as JSON.
TIMING = r"""
import json, sys, time
from pathlib import Path
sys.path.insert(0, sys.argv[1])
from engine import Settings, Studio
from engine.evaluation import load_items
items = load_items(Path(sys.argv[2]), "description", "val", 10, int(sys.argv[3]))
studio = Studio(device="cpu")
studio.generate(items[0].hidden, Settings(), store=False)  # warm-up: models and tables loaded
seconds = []
for item in items:
    started = time.perf_counter()
    studio.generate(item.hidden, Settings(), store=False)
    seconds.append(time.perf_counter() - started)
print(json.dumps(seconds))
"""


def worktree(ref: str) -> Path:
    folder = REPO / "runs" / f"baseline-{ref}"
    if not folder.exists():
        subprocess.run(["git", "-C", str(REPO), "worktree", "add", "--detach", str(folder), ref], check=True,
                       capture_output=True)
    return folder


def one_run(tree: Path, products: int) -> list[float]:
    env = {**os.environ, "HF_HUB_OFFLINE": "1", "TRANSFORMERS_VERBOSITY": "error"}
    out = subprocess.run([sys.executable, "-c", TIMING, str(tree), str(LUMA), str(products)], env=env,
                         capture_output=True, text=True, check=True, cwd=tree)
    return json.loads(out.stdout.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--baseline", default="91877c1", help="the commit to compare with")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--products", type=int, default=4)
    parser.add_argument("--write", action="store_true", help="record the table in docs/PERFORMANCE.md")
    args = parser.parse_args()

    base_tree = worktree(args.baseline)
    runs = {"before": [], "now": []}
    for round_ in range(args.rounds):
        for side, tree in (("before", base_tree), ("now", REPO)):
            seconds = one_run(tree, args.products)
            runs[side].append(sum(seconds))
            print(f"round {round_ + 1} {side}: {sum(seconds):.1f} s for {len(seconds)} Creates", flush=True)
    before, now = statistics.median(runs["before"]), statistics.median(runs["now"])
    from report import machine, write_section

    lines = [
        SECTION,
        "",
        f"Command: `python benchmarks/create_vs_baseline.py --baseline {args.baseline} --rounds {args.rounds} "
        f"--products {args.products}{' --write' if args.write else ''}`  ",
        f"Machine: {machine()}. {args.products} held-out Luma products, the Create tab's default settings, one "
        f"process per side per round, alternating; medians of {args.rounds} rounds.",
        "",
        "| | before (commit " + args.baseline + ") | now | ratio now / before |",
        "|---|---|---|---|",
        f"| {args.products} Creates, total (s) | {before:.1f} | {now:.1f} | {now / before:.2f}x |",
        f"| rounds (s) | {', '.join(f'{x:.1f}' for x in runs['before'])} | "
        f"{', '.join(f'{x:.1f}' for x in runs['now'])} | |",
        "",
        f"Target: at most 1.3x. {'Met' if now / before <= 1.3 else 'Missed'}.",
    ]
    print("\n".join(lines))
    if args.write:
        write_section("\n".join(lines), SECTION)


if __name__ == "__main__":
    main()
