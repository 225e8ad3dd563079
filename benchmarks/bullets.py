"""Bullets built from the facts vs the same facts phrased by the LM vs the LM's own bullets (the old way).

On held-out products (split by id) of a catalog, with the product's real bullets hidden from the input:
share of bullets that state an input fact (no claim flagged and at least one content word of the input),
bullets with meta-text, METEOR against the real bullets where the catalog has them, seconds per product.

    .venv/bin/python benchmarks/bullets.py ../shared/data/luma/products.jsonl --limit 15
"""
from __future__ import annotations

import argparse
import json
import re
import statistics
import time
from pathlib import Path

from engine.copywriting.bullets import fact_bullets, phrased_bullets
from engine.copywriting.copy import clean, stream_field
from engine.ingest import ingest
from engine.models.language import load_language_model
from engine.core.product import Product
from engine.scores import TextContext
from engine.scores.claims import claim_report
from engine.scores.reference import meteor
from engine.core.settings import Settings
from engine.training.data import hidden_copy, split_of


def lm_bullets(lm, ingested, settings):
    raw = ""
    for raw in stream_field(lm, "bullets", ingested, settings, [], hide=("bullets",)):
        pass
    return clean("bullets", raw, settings)


def states_fact(bullet: str, source: str) -> bool:
    words = {w for w in re.findall(r"[a-z0-9]+", bullet.lower()) if len(w) > 2}
    source_words = set(re.findall(r"[a-z0-9]+", source.lower()))
    return bool(words & source_words) and not claim_report(bullet, source)["flagged"]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("catalog", type=Path)
    parser.add_argument("--limit", type=int, default=15)
    parser.add_argument("--out", type=Path, default=None)
    args = parser.parse_args()
    settings = Settings(temperature=0.0)
    lm = load_language_model(settings.language_model, "cpu")
    rows = [json.loads(l) for l in args.catalog.read_text().splitlines() if l.strip()]
    rows = [r for r in rows if split_of(str(r["id"])) == "val"][: args.limit]
    methods = {"facts": lambda i: fact_bullets(i, hide=("bullets",)),
               "facts phrased by the LM": lambda i: phrased_bullets(lm, i, settings, hide=("bullets",)),
               "LM bullets (before)": lambda i: lm_bullets(lm, i, settings)}
    stats = {m: {"bullets": 0, "facts": 0, "meta": 0, "meteor": [], "seconds": [], "examples": []} for m in methods}
    for row in rows:
        product = Product.from_record(row, args.catalog.parent).model_copy(update={"images": []})
        ingested = hidden_copy(ingest(product), "bullets")
        source = ingested.source_text()
        reference = "\n".join(row.get("bullets") or [])
        for name, write in methods.items():
            clock = time.perf_counter()
            bullets = write(ingested)
            s = stats[name]
            s["seconds"].append(time.perf_counter() - clock)
            s["bullets"] += len(bullets)
            s["facts"] += sum(states_fact(b, source) for b in bullets)
            s["meta"] += sum(any(f["kind"] == "meta-text" for f in claim_report(b, source)["flagged"]) for b in bullets)
            if reference:
                s["meteor"].append(meteor("\n".join(bullets), TextContext(source, reference)).value or 0.0)
            s["examples"].append({"id": row["id"], "bullets": bullets})
    table = ["| bullets | n | per product | state an input fact | meta-text | METEOR vs real bullets | s / product |",
             "|---|---|---|---|---|---|---|"]
    for name, s in stats.items():
        n = max(s["bullets"], 1)
        score = f"{statistics.mean(s['meteor']):.3f}" if s["meteor"] else "n/a"
        table.append(f"| {name} | {len(rows)} | {s['bullets'] / max(len(rows), 1):.1f} | {s['facts'] / n:.0%} | "
                     f"{s['meta']} | {score} | {statistics.median(s['seconds']):.2f} |")
    print("\n".join(table))
    if args.out:
        args.out.parent.mkdir(parents=True, exist_ok=True)
        args.out.write_text(json.dumps({"catalog": str(args.catalog), "table": table, "stats": stats}, indent=1))


if __name__ == "__main__":
    main()
