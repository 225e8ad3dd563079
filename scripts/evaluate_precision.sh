#!/usr/bin/env bash
# Quality of the CPU precisions (docs/EVALUATION.md, "CPU precision"): the default fusion method on the
# held-out products of each catalog, greedy, once per precision; then
#   python scripts/compare_precision.py runs/precision-eval float32 float16
set -euo pipefail
cd "$(dirname "$0")/.."
export HF_HUB_OFFLINE=1 TRANSFORMERS_VERBOSITY=error
mkdir -p runs/precision-eval
for precision in float32 float16; do
  for spec in "flipkart-train title 40" "luma title 15" "flipkart-text title 40" \
              "flipkart-train description 16" "luma description 15" "flipkart-text description 16"; do
    set -- $spec
    out=runs/precision-eval/$precision-$1-$2
    [ -f "$out/results.json" ] && continue  # idempotent: a rerun fills in what is missing
    .venv/bin/python -m engine --precision "$precision" evaluate "../shared/data/$1/products.jsonl" \
      --task "$2" --methods film --limit "$3" --out "$out"
  done
done
