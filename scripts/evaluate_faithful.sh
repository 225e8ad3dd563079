#!/usr/bin/env bash
# Faithful copy (issue 22; docs/EVALUATION.md, "Faithful copy"): the template and the default writer on the
# held-out products of each catalog, greedy, through Studio.generate (the plan, licensed decoding, the
# composer); flipkart-text is the catalog no model was trained on. Then:
#   .venv/bin/python scripts/evaluation_report.py
set -euo pipefail
cd "$(dirname "$0")/.."
export HF_HUB_OFFLINE=1 TRANSFORMERS_VERBOSITY=error
out_root=docs/evaluation/faithful
mkdir -p "$out_root"
for spec in "flipkart-train description 16" "luma description 15" "flipkart-text description 16" \
            "flipkart-train title 40" "luma title 15" "flipkart-text title 40"; do
  set -- $spec
  # a rerun generates only what is missing and re-scores the rest (engine.evaluation reuses matching rows)
  .venv/bin/python -m engine evaluate "../shared/data/$1/products.jsonl" --task "$2" --methods template,film \
    --limit "$3" --out "$out_root/$1-$2"
done
