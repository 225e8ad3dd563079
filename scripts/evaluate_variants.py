"""Audience variants on the held-out products of the shared catalogs: claim check, platform limits,
headline distinctness and distinct leads (the numbers in docs/EVALUATION.md, "Audience variants").

    python scripts/evaluate_variants.py [--segments students,parents,...] [--data ../shared/data]
"""
from __future__ import annotations

import argparse
import json
from pathlib import Path

from engine.workflows.variants import evaluate

CATALOGS = ("luma", "flipkart-train", "flipkart-text")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--data", type=Path, default=Path(__file__).resolve().parents[2] / "shared" / "data")
    parser.add_argument("--segments", default="students,parents,gift buyers,professionals,athletes")
    args = parser.parse_args()
    report = evaluate([args.data / c / "products.jsonl" for c in CATALOGS], args.segments.split(","))
    problems = report.pop("problems")
    print(json.dumps(report, indent=1))
    print("\n".join(problems[:20]) or "no ad set breaks a platform rule")


if __name__ == "__main__":
    main()
