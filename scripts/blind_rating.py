"""A blind rating of descriptions from three sources for the same held-out products.

    .venv/bin/python scripts/blind_rating.py prepare runs/blind     # to_rate.json (shuffled A/B/C) + key.json
    # an editor who never sees key.json writes runs/blind/ratings.json:
    #   [{"product", "label", "false_claims", "facts_stated", "publish" (1-5), "note"}, ...]
    .venv/bin/python scripts/blind_rating.py summarise runs/blind  # docs/evaluation/faithful/blind-rating.json

Sources: the template (the plan, realised), the default writer (FiLM + the plan), and the catalog's own copy
(the cleaned reference), all from the committed outputs in docs/evaluation/faithful/<catalog>-description/.
"""
from __future__ import annotations

import json
import random
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
FOLDER = ROOT / "docs" / "evaluation" / "faithful"
CATALOGS = ("flipkart-train", "luma", "flipkart-text")
SOURCES = {"template": "template (plan, realised)", "writer": "FiLM + plan (the default writer)",
           "catalog": "the catalog's own copy"}


def prepare(folder: Path, seed: int = 22) -> None:
    from engine.evaluation import load_items

    rng = random.Random(seed)
    out, key = [], {}
    for catalog in CATALOGS:
        report = json.loads((FOLDER / f"{catalog}-description" / "results.json").read_text())
        items = {i.id: i for i in load_items(Path(report["catalog"]), "description", "val", report["val_percent"], None)}
        for item in report["items"]:
            texts = {"template": item["outputs"]["template"]["text"], "writer": item["outputs"]["film"]["text"],
                     "catalog": item["reference"]}
            order = list(texts)
            rng.shuffle(order)
            product = f"{catalog}:{item['id']}"
            out.append({"product": product, "input": items[item["id"]].hidden.source_text(),
                        "descriptions": {label: texts[s] for label, s in zip("ABC", order)}})
            key[product] = dict(zip("ABC", order))
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "to_rate.json").write_text(json.dumps(out, indent=1, ensure_ascii=False))
    (folder / "key.json").write_text(json.dumps(key, indent=1))


def summarise(folder: Path) -> None:
    key = json.loads((folder / "key.json").read_text())
    ratings = json.loads((folder / "ratings.json").read_text())
    summary: dict[str, dict] = {}
    for r in ratings:
        source = key[r["product"]][r["label"]]
        s = summary.setdefault(SOURCES[source], {"n": 0, "false_claims": 0, "with_false_claim": 0,
                                                 "facts_stated": 0, "publish": 0})
        s["n"] += 1
        s["false_claims"] += r["false_claims"]
        s["with_false_claim"] += r["false_claims"] > 0
        s["facts_stated"] += r["facts_stated"]
        s["publish"] += r["publish"]
    for s in summary.values():
        n = s["n"]
        s.update(false_claims=s["false_claims"] / n, with_false_claim=s["with_false_claim"] / n,
                 facts_stated=s["facts_stated"] / n, publish=s["publish"] / n)
    products = len({r["product"] for r in ratings})
    how = (f"{products} held-out products of the three catalogs, three descriptions each, shuffled and labelled A/B/C "
           "per product; the editor (a separate reviewing session, told to be demanding, that never saw the key, "
           "the code or the sources) counted false claims and input facts stated against the merchant's input and "
           "rated 'would publish as is' from 1 to 5, a single false claim capping it at 2. "
           "Made by `scripts/blind_rating.py`.")
    notes = [{"source": SOURCES[key[r["product"]][r["label"]]], "product": r["product"], "note": r["note"],
              "false_claims": r["false_claims"], "publish": r["publish"]} for r in ratings]
    (FOLDER / "blind-rating.json").write_text(json.dumps({"how": how, "summary": summary, "ratings": notes}, indent=1))


if __name__ == "__main__":
    command, folder = sys.argv[1], Path(sys.argv[2])
    prepare(folder) if command == "prepare" else summarise(folder)
