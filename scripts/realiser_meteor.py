"""Description METEOR of the realiser alone (the template path, no language model) on a catalog's
training-split products: a larger sample than the 16 held-out ones, for comparing realiser changes.

    .venv/bin/python scripts/realiser_meteor.py flipkart-train 80
"""
from __future__ import annotations

import random
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))


def main(catalog: str, n: int) -> float:
    from engine.copywriting.plan import plan_content
    from engine.copywriting.realise import realised_description
    from engine.evaluation import load_items, score_output
    from engine.core.settings import Settings

    items = load_items(ROOT.parent / "shared" / "data" / catalog / "products.jsonl", "description", "train", 10, 3000)
    random.Random(5).shuffle(items)
    settings, total = Settings(), 0.0
    for item in items[:n]:
        text, _ = realised_description(plan_content(item.hidden), settings)
        total += score_output("description", text, item.reference, item.hidden.source_text(), ())["meteor"]
    return 100 * total / min(n, len(items))


if __name__ == "__main__":
    print(f"{main(sys.argv[1], int(sys.argv[2])):.1f}")
