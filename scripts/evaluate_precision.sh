#!/usr/bin/env bash
# Quality of the CPU precisions (docs/EVALUATION.md, "CPU precision"): the default fusion method on the
# held-out products of each catalog, greedy, once per precision; then
#   python scripts/compare_precision.py runs/precision-eval float32 float16
#   python scripts/compare_precision.py runs/precision-eval float16 int8
# Usage: scripts/evaluate_precision.sh [PRECISION ...]   (default: float32 float16)
# $PRECISION_EVAL_OUT: the output folder (default runs/precision-eval).
set -euo pipefail
cd "$(dirname "$0")/.."
export HF_HUB_OFFLINE=1 TRANSFORMERS_VERBOSITY=error
root=${PRECISION_EVAL_OUT:-runs/precision-eval}
mkdir -p "$root"
precisions=("$@")
[ ${#precisions[@]} -eq 0 ] && precisions=(float32 float16)
for precision in "${precisions[@]}"; do
  for spec in "flipkart-train title 40" "luma title 15" "flipkart-text title 40" \
              "flipkart-train description 16" "luma description 15" "flipkart-text description 16"; do
    set -- $spec
    out=$root/$precision-$1-$2
    [ -f "$out/results.json" ] && continue  # idempotent: a rerun fills in what is missing
    .venv/bin/python -m engine --precision "$precision" evaluate "../shared/data/$1/products.jsonl" \
      --task "$2" --methods film --limit "$3" --out "$out"
  done
done
