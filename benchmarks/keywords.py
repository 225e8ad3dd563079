"""SEO keywords, old vs new: how many keywords are fragments, and how long one product takes.

    python benchmarks/keywords.py --products 25 --threads 1 [--json out.json] [--show 5]

Products: the first ``--products`` of each catalog (Luma and Flipkart by default). Each product's
text is what ``Studio.generate`` hands ``extract_keywords``: the copy (here the template
baseline's, so no language model has to run) followed by ``Ingested.source_text()``.

A keyword is a *fragment* when it contains a stop word (``engine.copywriting.keywords.STOP_WORDS``:
"men the titan") or does not occur in the text as one phrase, its words separated only by
spaces, case-insensitive ("wash dry" from "wash/dry", "towel set eurospa" across a line
break). "old" is the hand-written n-gram + MMR extractor this rewrite replaced, kept below
verbatim. Times are per product after a warm-up (models loaded); WordNet lookups of words not
seen before are included. Wall-clock times suffer when other processes share the CPU; the CPU
time of this process is reported beside them.
"""
from __future__ import annotations

import argparse
import json
import os
import re
import statistics
import sys
import time
from pathlib import Path

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_VERBOSITY", "error")
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import torch  # noqa: E402

from engine.inputs.catalog import read_catalog  # noqa: E402
from engine.encoders.text import encode_texts  # noqa: E402
from engine.copywriting.keywords import STOP_WORDS, extract_keywords  # noqa: E402
from engine.copywriting.template import template_copy  # noqa: E402
from engine.ingest import ingest  # noqa: E402
from engine.core.settings import Settings  # noqa: E402

DATA = Path(__file__).resolve().parents[2] / "shared" / "data"
CATALOGS = [DATA / "luma" / "products.jsonl", DATA / "flipkart-train" / "products.jsonl"]

# --- the extractor before the rewrite (engine/copywriting/keywords.py at 232fe37), verbatim ---
_OLD_STOP = set("""a an and are as at be but by for from has have in is it its of on or our that the this
to with you your will can all any more most very just so than into over under up out not no new
buy only genuine products free shipping cash delivery specifications features key""".split())
_OLD_WORD = re.compile(r"[a-z0-9][a-z0-9'\-]*")


def _old_candidates(text: str, longest: int = 3, most: int = 150) -> list[str]:
    words = _OLD_WORD.findall(text.lower())
    phrases: dict[str, int] = {}
    for n in range(1, longest + 1):
        for i in range(len(words) - n + 1):
            gram = words[i : i + n]
            if gram[0] in _OLD_STOP or gram[-1] in _OLD_STOP or any(len(w) < 2 for w in gram):
                continue
            if n == 1 and (gram[0].isdigit() or len(gram[0]) < 4):
                continue
            phrase = " ".join(gram)
            phrases[phrase] = phrases.get(phrase, 0) + 1
    return sorted(phrases, key=lambda p: -phrases[p])[:most]


def old_extract_keywords(text: str, top: int = 8, diversity: float = 0.5, device: str = "auto") -> list[str]:
    candidates = _old_candidates(text)
    if not candidates:
        return []
    document = encode_texts([text], device)[0]
    vectors = encode_texts(candidates, device)
    relevance = vectors @ document
    chosen: list[int] = []
    while len(chosen) < min(top, len(candidates)):
        if chosen:
            redundancy = (vectors @ vectors[chosen].T).max(1).values
            mmr = (1 - diversity) * relevance - diversity * redundancy
        else:
            mmr = relevance.clone()
        mmr[chosen] = -torch.inf
        chosen.append(int(mmr.argmax()))
    return [candidates[i] for i in chosen]
# --- end of the old extractor ---


def product_texts(catalog: Path, limit: int) -> list[tuple[str, str]]:
    """(product id, copy + source text) as the pipeline builds it; photos are not loaded."""
    out = []
    for product in read_catalog(catalog, limit):
        item = ingest(product.model_copy(update={"images": [], "videos": []}))
        copy = template_copy(item, Settings())
        out.append((product.id, "\n".join([copy.title, copy.description, *copy.bullets, item.source_text()])))
    return out


def occurs(keyword: str, text: str) -> bool:
    """The keyword as one phrase of the text: whole words, separated by spaces or tabs only."""
    words = keyword.split()
    if not words:
        return False
    pattern = r"(?<![\w-])(?<!\w['’])" + r"[ \t]+".join(map(re.escape, words)) + r"(?![\w-]|['’]\w)"
    return re.search(pattern, text, re.IGNORECASE) is not None


def fragment_reasons(keyword: str, text: str) -> list[str]:
    reasons = []
    if any(w in STOP_WORDS for w in keyword.split()):
        reasons.append("stop word")
    if not occurs(keyword, text):
        reasons.append("not in text")
    return reasons


def run(extract, texts: list[tuple[str, str]], device: str) -> dict:
    extract(texts[0][1], device=device)  # warm-up: model, WordNet, YAKE
    seconds, cpu_seconds, keywords, examples = [], [], 0, []
    fragments = {"stop word": 0, "not in text": 0, "any": 0}
    duplicates = upper = 0
    outputs = {}
    for product_id, text in texts:
        clock, cpu = time.perf_counter(), time.process_time()
        found = extract(text, device=device)
        seconds.append(time.perf_counter() - clock)
        cpu_seconds.append(time.process_time() - cpu)
        outputs[product_id] = found
        keywords += len(found)
        duplicates += len(found) - len(set(found))
        upper += sum(k != k.lower() for k in found)
        for keyword in found:
            reasons = fragment_reasons(keyword, text)
            for reason in reasons:
                fragments[reason] += 1
            if reasons:
                fragments["any"] += 1
                if len(examples) < 12:
                    examples.append(f"{keyword!r} ({', '.join(reasons)})")
    ms = sorted(1000 * s for s in seconds)
    slowest = max(range(len(texts)), key=seconds.__getitem__)
    return {
        "keywords": keywords, "per_product": round(keywords / len(texts), 2),
        "fragment_share": round(fragments["any"] / max(keywords, 1), 4),
        "fragments": fragments, "duplicates": duplicates, "not_lower_case": upper,
        "ms_per_product": {"mean": round(statistics.mean(ms), 1), "median": round(statistics.median(ms), 1),
                           "p90": round(ms[int(0.9 * (len(ms) - 1))], 1), "max": round(ms[-1], 1),
                           "slowest": texts[slowest][0]},
        # CPU time of this process: what the product costs when the machine is not shared.
        "cpu_ms_per_product": {"mean": round(1000 * statistics.mean(cpu_seconds), 1),
                               "median": round(1000 * statistics.median(cpu_seconds), 1)},
        "fragment_examples": examples, "outputs": outputs,
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--catalog", type=Path, action="append", help="JSONL/CSV catalog (repeatable)")
    parser.add_argument("--products", type=int, default=25, help="products per catalog")
    parser.add_argument("--threads", type=int, default=1, help="torch threads (0: torch's default)")
    parser.add_argument("--device", default="cpu")
    parser.add_argument("--show", type=int, default=3, help="print old/new keywords of this many products")
    parser.add_argument("--json", type=Path, default=None)
    args = parser.parse_args()
    if args.threads:
        torch.set_num_threads(args.threads)
    texts = [t for catalog in args.catalog or CATALOGS for t in product_texts(catalog, args.products)]

    results = {"old": run(old_extract_keywords, texts, args.device),
               "new": run(extract_keywords, texts, args.device)}
    for product_id, _ in texts[:: max(len(texts) // max(args.show, 1), 1)][: args.show]:
        print(product_id)
        for name, result in results.items():
            print(f"  {name}: {result['outputs'][product_id]}")
    summary = {
        "products": len(texts), "torch_threads": torch.get_num_threads(), "cpu_count": os.cpu_count(),
        "load_average": os.getloadavg(),
        **{name: {k: v for k, v in result.items() if k != "outputs"} for name, result in results.items()},
    }
    print(json.dumps(summary, indent=2, ensure_ascii=False))
    if args.json:
        args.json.parent.mkdir(parents=True, exist_ok=True)
        args.json.write_text(json.dumps({**summary, "outputs": {n: r["outputs"] for n, r in results.items()}},
                                        indent=2, ensure_ascii=False))
    return 0


if __name__ == "__main__":
    sys.exit(main())
