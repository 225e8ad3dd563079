"""Build assets/vocab/catalog_words.json: the words the claim check treats as ordinary catalog copy.

Two lists, from the training split (by product id) of the catalogs in ../shared/data:
- ``everyday``: words written in lower case in at least 2 products. Together with WordNet this is the
  claim check's dictionary: a word outside both is a misspelling or a made-up name.
- ``generic``: words used in the descriptions of at least 2% of the products of at least
  ``--min-categories`` top-level categories (of those with 15 or more products): "gift", "design",
  "home", "water". A thing named in the copy that is neither in the input nor generic is a specific
  claim the merchant must have made ("sapphire", "wick", "lid", "handle", "laptop").

    .venv/bin/python scripts/build_catalog_words.py ../shared/data/*/products.jsonl
"""
from __future__ import annotations

import argparse
import json
import re
from collections import Counter, defaultdict
from pathlib import Path

from engine.core.paths import ASSETS
from engine.training.data import split_of

WORD = re.compile(r"[A-Za-z]+")


def category_of(row: dict, catalog: Path) -> str:
    path = row.get("category_path") or [p for p in str(row.get("category", "")).split("/") if p]
    return f"{catalog.parent.name}: {path[0] if path else '?'}"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("catalogs", type=Path, nargs="+")
    parser.add_argument("--min-categories", type=int, default=5)
    parser.add_argument("--out", type=Path, default=ASSETS / "vocab" / "catalog_words.json")
    args = parser.parse_args()

    lower_docs = Counter()
    in_category: dict[str, Counter] = defaultdict(Counter)
    category_size = Counter()
    products = 0
    for catalog in args.catalogs:
        for line in catalog.read_text(encoding="utf-8").split("\n"):
            if not line.strip():
                continue
            row = json.loads(line)
            if split_of(str(row.get("id", ""))) != "train":
                continue
            products += 1
            copy = " ".join([row.get("description") or "", *(row.get("bullets") or [])])
            everything = " ".join([row.get("title") or "", copy, json.dumps(row.get("attributes") or {})])
            words = set(WORD.findall(everything))
            lower_docs.update({w for w in words if w.islower()})
            category = category_of(row, catalog)
            category_size[category] += 1
            for word in {w.lower() for w in WORD.findall(copy)}:
                in_category[word][category] += 1
    everyday = sorted(w for w, n in lower_docs.items() if n >= 2 and len(w) > 1)
    big = [c for c, n in category_size.items() if n >= 15]
    generic = sorted(w for w, counts in in_category.items()
                     if sum(counts[c] >= 0.02 * category_size[c] for c in big) >= args.min_categories)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps({
        "source": [str(c) for c in args.catalogs], "products": products,
        "min_categories": args.min_categories, "categories": sorted(big), "everyday": everyday, "generic": generic,
    }, indent=0) + "\n")
    print(f"{products} training products: {len(everyday)} everyday words, {len(generic)} generic -> {args.out}")


if __name__ == "__main__":
    main()
