"""Write the generated part of docs/EVALUATION.md from the committed evaluation outputs.

    .venv/bin/python scripts/evaluation_report.py            # rewrites the block between the markers

Every number in the block comes from ``docs/evaluation/faithful/<catalog>-<task>/results.json`` (made by
``scripts/evaluate_faithful.sh``), re-scored with today's scorers by ``engine.evaluation.score_output`` so a
figure is never stale, and from ``docs/evaluation/faithful/blind-rating.json`` (the editor's ratings).
"""
from __future__ import annotations

import json
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

FOLDER = ROOT / "docs" / "evaluation" / "faithful"
TARGET = ROOT / "docs" / "EVALUATION.md"
BEGIN, END = "<!-- generated: scripts/evaluation_report.py -->", "<!-- end of generated part -->"
CATALOGS = {"flipkart-train": "flipkart-train (seen in training)", "luma": "luma (seen in training)",
            "flipkart-text": "flipkart-text (**no model was trained on it**)"}
LABELS = {"template": "template (plan, realised)", "none": "zero-shot LM + plan", "film": "FiLM + plan (default)"}
TITLE_LABELS = {"template": "template (input words)", "none": "zero-shot LM", "film": "FiLM (default)"}


def _rescored(report: dict) -> dict[str, list[dict]]:
    """Every output of a report scored again with today's claim check and measures."""
    from engine.evaluation import load_items, score_output
    from engine.evaluation.faithfulness import measures
    from engine.copywriting.checks import product_names

    items = {i.id: i for i in load_items(Path(report["catalog"]), report["task"], "val", report["val_percent"], None)}
    rows: dict[str, list[dict]] = {}
    for item in report["items"]:
        hidden = items[item["id"]].hidden
        for method, old in item["outputs"].items():
            row = score_output(report["task"], old["text"], item["reference"], hidden.source_text(),
                               tuple(product_names(hidden)))
            row.update(measures(report["task"], old["text"], hidden))
            row.update(text=old["text"], checks=old.get("checks", {}), latency_s=old["latency_s"])
            rows.setdefault(method, []).append(row)
    return rows


def _pct(value) -> str:
    return "n/a" if value is None else f"{value:.0%}"


def table(task: str) -> list[str]:
    from engine.evaluation import summarise

    if task == "title":
        head = ["| catalog | method | n | METEOR | ROUGE-L | no flagged claim | made-up word | a name twice | "
                "unsupported nouns / title | s / output |", "|---|---|---|---|---|---|---|---|---|---|"]
    else:
        head = ["| catalog | method | n | METEOR | ROUGE-L | no flagged claim | unsupported nouns / description | "
                "made-up word | product named | input facts stated | model sentences kept / left out | "
                "realised sentences | mean words | s / output |", "|" + "---|" * 14]
    lines = list(head)
    for catalog, label in CATALOGS.items():
        path = FOLDER / f"{catalog}-{task}" / "results.json"
        if not path.exists():
            continue
        for method, rows in _rescored(json.loads(path.read_text())).items():
            s = summarise(rows)
            model_kept = sum(r["checks"].get("model_sentences", 0) for r in rows) / max(len(rows), 1)
            if task == "title":
                lines.append(f"| {label} | {TITLE_LABELS.get(method, method)} | {s['n']} | {100 * s['meteor']:.1f} | "
                             f"{100 * s['rouge_l']:.1f} | {_pct(s['claims_clean'])} | {_pct(s['made_up_word'])} | "
                             f"{_pct(s['name_twice'])} | {s['unsupported_nouns']:.2f} | {s['latency_s']:.1f} |")
            else:
                lines.append(f"| {label} | {LABELS.get(method, method)} | {s['n']} | {100 * s['meteor']:.1f} | "
                             f"{100 * s['rouge_l']:.1f} | {_pct(s['claims_clean'])} | {s['unsupported_nouns']:.2f} | "
                             f"{_pct(s['made_up_word'])} | {_pct(s['product_named'])} | {s['facts_stated']:.1f} | "
                             f"{model_kept:.2f} / {s['dropped_sentences']:.2f} | {s['realised_sentences']:.2f} | "
                             f"{s['words']:.0f} | {s['latency_s']:.1f} |")
    return lines


def blind_rating() -> list[str]:
    path = FOLDER / "blind-rating.json"
    if not path.exists():
        return ["(no blind rating recorded yet)"]
    data = json.loads(path.read_text())
    lines = [f"{data['how']}", "",
             "| source | descriptions | false claims / description | with a false claim | input facts stated | "
             "would publish as is (1-5) |", "|---|---|---|---|---|---|"]
    for source, s in data["summary"].items():
        lines.append(f"| {source} | {s['n']} | {s['false_claims']:.2f} | {_pct(s['with_false_claim'])} | "
                     f"{s['facts_stated']:.1f} | {s['publish']:.2f} |")
    return lines


TONES = ("neutral", "friendly", "premium", "playful", "technical")


def tones() -> list[str]:
    """How each tone reads on the held-out products of every catalog, over the same facts (issue 24, item 3)."""
    import re

    from engine.copywriting.compose import stated_sources
    from engine.copywriting.plan import plan_content
    from engine.copywriting.realise import realise
    from engine.evaluation import load_items

    texts: dict[str, list[str]] = {t: [] for t in TONES}
    same_facts, products = 0, 0
    for catalog in CATALOGS:
        report = json.loads((FOLDER / f"{catalog}-description" / "results.json").read_text())
        for item in load_items(Path(report["catalog"]), "description", "val", report["val_percent"], None):
            plan = plan_content(item.hidden)
            facts = set()
            for tone in TONES:
                sentences = realise(plan, tone, seed=0, audience="gift buyers")
                texts[tone].append(" ".join(s.text for s in sentences))
                facts.add(frozenset(stated_sources(sentences)))
            same_facts += len(facts) == 1
            products += 1
    distinct = sum(len({texts[t][i] for t in TONES}) == len(TONES) for i in range(products))
    lines = [f"{products} held-out products, each written in the five tones (seed 0, audience \"gift buyers\", "
             f"the realiser alone): all five texts differ for {distinct} of {products}, and each tone states the "
             f"same facts for {same_facts} of {products}.", "",
             "| tone | words / sentence | texts with \"!\" | addresses the shopper (you, it's, meet) | words / text |",
             "|---|---|---|---|---|"]
    for tone in TONES:
        sentences = [s for text in texts[tone] for s in re.split(r"(?<=[.!?])\s+", text) if s]
        words = sum(len(s.split()) for s in sentences)
        direct = sum(bool(re.search(r"\b(?:you|it's|they're|meet|say hello)\b", t, re.I)) for t in texts[tone])
        lines.append(f"| {tone} | {words / max(1, len(sentences)):.1f} | "
                     f"{_pct(sum('!' in t for t in texts[tone]) / products)} | {_pct(direct / products)} | "
                     f"{words / products:.0f} |")
    return lines


def block() -> str:
    parts = [BEGIN, "", "### Descriptions", "", *table("description"), "", "### Titles", "", *table("title"), "",
             "### Blind rating by a demanding editor", "", *blind_rating(), "",
             "### Tones", "", *tones(), "", END]
    return "\n".join(parts)


def main() -> None:
    text = TARGET.read_text()
    start, end = text.find(BEGIN), text.find(END)
    if start < 0 or end < 0:
        raise SystemExit(f"{TARGET}: markers {BEGIN!r} ... {END!r} not found")
    TARGET.write_text(text[:start] + block() + text[end + len(END):])
    print(f"wrote the generated part of {TARGET}")


if __name__ == "__main__":
    main()
