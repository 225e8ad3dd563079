"""Quality before/after a precision change: two folders of `python -m engine evaluate` outputs per report.

    python scripts/compare_precision.py runs/precision-eval float32 float16
    python scripts/compare_precision.py runs/precision-eval float16 int8

Reads ``<root>/<before>-<catalog>-<task>/results.json`` and the same with ``<after>``, and prints a
markdown table: METEOR and ROUGE-L means with their standard errors, the difference, whether it is
within one standard error, the claim check's pass rate, how many outputs are word for word the same,
and the mean latency per output.
"""
from __future__ import annotations

import json
import statistics
import sys
from pathlib import Path


def mean_se(values: list[float]) -> tuple[float, float]:
    mean = statistics.fmean(values)
    se = statistics.stdev(values) / len(values) ** 0.5 if len(values) > 1 else 0.0
    return mean, se


def outputs(folder: Path) -> dict[str, dict]:
    data = json.loads((folder / "results.json").read_text())
    method = next(iter(data["summary"]))
    return {item["id"]: item["outputs"][method] for item in data["items"]}


def main(root: str, before: str, after: str) -> None:
    root_path = Path(root)
    print("| report | METEOR before | METEOR after | ROUGE-L before | ROUGE-L after | within 1 SE | "
          "no flagged claim before / after | same text | s/output before / after |")
    print("|---|---|---|---|---|---|---|---|---|")
    totals = {"outputs": 0, "same": 0, "within": 0, "reports": 0, "clean": [0, 0]}
    for folder in sorted(root_path.glob(f"{before}-*")):
        if not (folder / "results.json").exists():
            continue
        report = folder.name[len(before) + 1:]
        other = root_path / f"{after}-{report}"
        if not (other / "results.json").exists():
            continue
        a, b = outputs(folder), outputs(other)
        ids = [i for i in a if i in b]
        cells, within = [], []
        for metric in ("meteor", "rouge_l"):
            ma, sa = mean_se([a[i][metric] for i in ids])
            mb, sb = mean_se([b[i][metric] for i in ids])
            cells += [f"{ma:.3f} ± {sa:.3f}", f"{mb:.3f} ± {sb:.3f}"]
            within.append(abs(mb - ma) <= sa)
        clean = [sum(x[i]["claims_clean"] for i in ids) / len(ids) for x in (a, b)]
        same = sum(a[i]["text"] == b[i]["text"] for i in ids)
        latency = [statistics.fmean(x[i]["latency_s"] for i in ids) for x in (a, b)]
        print(f"| {report} ({len(ids)}) | {cells[0]} | {cells[1]} | {cells[2]} | {cells[3]} | "
              f"{'yes' if all(within) else 'no'} | {clean[0]:.0%} / {clean[1]:.0%} | {same} of {len(ids)} | "
              f"{latency[0]:.2f} / {latency[1]:.2f} |")
        totals["outputs"] += len(ids)
        totals["same"] += same
        totals["within"] += all(within)
        totals["reports"] += 1
        for side, x in enumerate((a, b)):
            totals["clean"][side] += sum(x[i]["claims_clean"] for i in ids)
    if totals["outputs"]:
        n = totals["outputs"]
        print(f"| all ({n}) | | | | | {totals['within']} of {totals['reports']} reports | "
              f"{totals['clean'][0] / n:.0%} / {totals['clean'][1] / n:.0%} | {totals['same']} of {n} | |")


if __name__ == "__main__":
    main(*sys.argv[1:4])
