"""Shopper Q&A evaluation: ``python -m engine evaluate --task qa``.

The question set is built from the shared catalogs, so it needs no hand labels:
- answerable: "What is the <attribute>?" (the answer is the attribute line), "Is it <attribute>?"
  for Yes/No attributes (the answer is that Yes or No), "Does it have <short bullet>?" (yes);
- unanswerable: attributes other products of the catalog have and this one lacks, asked the same
  way, kept only when no word of the attribute's name (nor its concept: "colour" for "black")
  occurs anywhere in the listing; plus everyday shopper questions ("Does it have a warranty?")
  under the same rule.

Scores: an answerable question counts as answered correctly when the answer's content words reach
token F1 >= 0.5 against the fact's line and a yes/no answer has the fact's polarity; an
unanswerable one counts when declined. "Contradictions" counts answers whose yes/no is the
opposite of the fact or that the claim check flags as contradicting the listing.
"""
from __future__ import annotations

import json
import re
import time
from collections import Counter
from dataclasses import asdict, dataclass
from pathlib import Path

from engine.paths import REPO_ROOT

SHARED_CATALOGS = ("luma", "flipkart-train", "flipkart-text")
EVERYDAY = ("Does it have a warranty?", "Is it waterproof?", "Is it microwave safe?", "Is it dishwasher safe?",
            "Does it come with batteries?", "Is it suitable for kids?", "Is it vegan?", "Does it need assembly?")
# Paraphrases a shopper would type instead of the attribute's name (the concept comes from engine.qa).
PARAPHRASES = {"~material": "What is it made of?", "~color": "What colours does it come in?",
               "~size": "What sizes does it come in?", "~wash": "How do I wash it?"}
_FIELDS = {"brand", "title", "category", "price", "name"}  # always in the listing's own fields
_SKIP_KEYS = {"new", "sale", "featured", "erin recommends", "style code", "model number", "model id", "sku"}
_STOP = set("a an the is are it its of and or to in on for with by this that as at be".split())
F1_CORRECT = 0.5


@dataclass
class QAItem:
    product_id: str
    catalog: str
    question: str
    answerable: bool
    fact: str = ""                 # the line that answers it
    polarity: str | None = None    # expected yes/no, when a yes/no question


def default_catalogs() -> list[Path]:
    root = REPO_ROOT.parent / "shared" / "data"
    return [root / name / "products.jsonl" for name in SHARED_CATALOGS if (root / name / "products.jsonl").exists()]


def _key_words(key: str) -> str:
    return " ".join(key.replace("_", " ").split()).lower()


def _yes_no(value: str) -> str | None:
    value = value.strip().lower()
    return "yes" if value in ("yes", "true") else "no" if value in ("no", "false") else None


def build_items(catalogs: list[Path], per_catalog: int = 40, per_product: int = 2) -> list[QAItem]:
    """A deterministic question set: every k-th product of each catalog, ``per_product`` of each kind."""
    from engine.ingest import ingest
    from engine.product import load_catalog
    from engine.qa import terms

    items: list[QAItem] = []
    for catalog in catalogs:
        products = load_catalog(catalog)
        keys = Counter(_key_words(k) for p in products for k in p.attributes if not k.startswith("_"))
        pool = [k for k, n in keys.most_common() if n >= 3 and k not in _SKIP_KEYS]
        step = max(1, len(products) // per_catalog)
        for product in products[::step][:per_catalog]:
            try:
                ingested = ingest(product.model_copy(update=dict(images=[], videos=[])))  # text only: fast
            except ValueError:
                continue
            name = catalog.parent.name
            source = terms(ingested.source_text())
            answerable = []
            for key, value in ingested.attributes.items():
                words = _key_words(key)
                if words in _SKIP_KEYS or not terms(words):
                    continue
                polarity = _yes_no(value)
                question = f"Is it {words}?" if polarity else f"What is the {words}?"
                concept = next((c for c in sorted(terms(words)) if c in PARAPHRASES), None)
                if concept and not polarity and len(answerable) % 2 == 0:
                    question = PARAPHRASES[concept]
                answerable.append(QAItem(product.id, name, question, True, f"{words}: {value}", polarity))
            for bullet in ingested.product.bullets:
                words = bullet.rstrip(".").split()
                if 2 <= len(words) <= 6 and not {w.lower() for w in words} & {"not", "no", "never"}:
                    answerable.append(QAItem(product.id, name, f"Does it have {bullet.rstrip('.').lower()}?", True,
                                             bullet, "yes"))
            items += answerable[: per_product + 1]
            missing = [k for k in pool if not terms(k) & source and not set(k.split()) & _FIELDS]
            unanswerable = [QAItem(product.id, name, f"What is the {k}?", False) for k in missing[:per_product]]
            everyday = [q for q in EVERYDAY if not (terms(q) - {"safe"}) & source]
            unanswerable += [QAItem(product.id, name, q, False) for q in everyday[len(items) % 3:][:1]]
            items += unanswerable
    return items


def _content(text: str) -> list[str]:
    return [w for w in re.findall(r"[a-z0-9]+", text.lower()) if w not in _STOP]


def token_f1(answer: str, reference: str) -> float:
    a, r = Counter(_content(answer)), Counter(_content(reference))
    common = sum((a & r).values())
    if not common:
        return 0.0
    precision, recall = common / sum(a.values()), common / sum(r.values())
    return 2 * precision * recall / (precision + recall)


def score_answer(item: QAItem, answer, source_text: str) -> dict:
    from engine.scores.claims import claim_report

    row = {"answered": answer.answered, "text": answer.text, "score": answer.score, "writer": answer.writer}
    if not item.answerable:
        row["correct"] = not answer.answered
        row["contradicts"] = False
        return row
    f1 = token_f1(answer.text, item.fact) if answer.answered else 0.0
    flipped = bool(item.polarity and answer.polarity and answer.polarity != item.polarity)
    row["f1"] = f1
    row["correct"] = answer.answered and f1 >= F1_CORRECT and not flipped and (
        item.polarity is None or answer.polarity == item.polarity)
    flags = claim_report(answer.text, source_text)["flagged"] if answer.answered else []
    # A fact quoted back is the merchant's own (Luma lists "Cocona® performance fabric" beside
    # "Performance fabric: No"): only words the answer adds can contradict the listing.
    quoted = " ".join(answer.facts).lower()
    row["contradicts"] = flipped or any(f["kind"] == "contradiction" and f["text"].lower() not in quoted for f in flags)
    return row


def run_writer(items: list[QAItem], catalogs: list[Path], writer: str, device: str = "cpu",
               threshold: float | None = None) -> list[dict]:
    """Answer every item with ``writer``; each question is its own conversation (no follow-ups)."""
    from engine.ingest import ingest
    from engine.product import load_catalog
    from engine.qa import THRESHOLD, Conversation

    wanted = {(i.catalog, i.product_id) for i in items}
    products = {(c.parent.name, p.id): p for c in catalogs for p in load_catalog(c) if (c.parent.name, p.id) in wanted}
    conversations: dict = {}
    rows = []
    for item in items:
        key = (item.catalog, item.product_id)
        if key not in conversations:
            ingested = ingest(products[key].model_copy(update=dict(images=[], videos=[])))
            conversations[key] = Conversation(ingested, device=device, writer=writer,
                                              threshold=THRESHOLD if threshold is None else threshold)
        conversation = conversations[key]
        conversation.previous = None  # independent questions
        start = time.perf_counter()
        answer = conversation.ask(item.question)
        row = score_answer(item, answer, conversation.ingested.source_text())
        row.update(asdict(item), latency_s=time.perf_counter() - start)
        rows.append(row)
    return rows


def summarise(rows: list[dict]) -> dict:
    answerable = [r for r in rows if r["answerable"]]
    unanswerable = [r for r in rows if not r["answerable"]]
    share = lambda rs, key: sum(bool(r[key]) for r in rs) / len(rs) if rs else 0.0  # noqa: E731
    latencies = sorted(r["latency_s"] for r in rows)
    return {"answerable": len(answerable), "unanswerable": len(unanswerable),
            "answerable_correct": share(answerable, "correct"), "answerable_answered": share(answerable, "answered"),
            "unanswerable_declined": share(unanswerable, "correct"),
            "contradictions": sum(bool(r["contradicts"]) for r in rows),
            "lm_kept": share([r for r in answerable if r["answered"]], "writer_lm") if rows and "writer_lm" in rows[0] else None,
            "median_latency_s": latencies[len(latencies) // 2] if latencies else 0.0}


def calibration(rows: list[dict], thresholds=(0.3, 0.35, 0.4, 0.45, 0.5, 0.6, 0.7, 0.8)) -> list[dict]:
    """Answerable-correct and unanswerable-declined at each threshold, from one run at threshold 0.

    Exact: matches are tried best first, so an answer scored below t would have been declined at t."""
    table = []
    for t in thresholds:
        ok = [r for r in rows if r["answerable"]]
        no = [r for r in rows if not r["answerable"]]
        correct = sum(r["correct"] and r["score"] >= t for r in ok) / max(1, len(ok))
        declined = sum((not r["answered"]) or r["score"] < t for r in no) / max(1, len(no))
        table.append({"threshold": t, "answerable_correct": correct, "unanswerable_declined": declined})
    return table


def markdown(summaries: dict[str, dict], calib: list[dict], n_products: int, lm_limit: int | None) -> str:
    lines = [f"{n_products} products from the shared catalogs ({', '.join(SHARED_CATALOGS)}), "
             f"{summaries['template']['answerable']} answerable and {summaries['template']['unanswerable']} "
             "unanswerable questions (built by engine/evaluation/qa.py)."
             + (f" The language-model writer ran on the first {lm_limit} questions (CPU time)." if lm_limit else ""),
             "", "| writer | questions | answerable correct (F1 >= 0.5) | unanswerable declined | contradictions | median latency (s) |",
             "|---|---|---|---|---|---|"]
    for writer, s in summaries.items():
        lines.append(f"| {writer} | {s['answerable'] + s['unanswerable']} | {s['answerable_correct']:.1%} | "
                     f"{s['unanswerable_declined']:.1%} | {s['contradictions']} | {s['median_latency_s']:.3f} |")
    lines += ["", "Decline threshold (cosine + 0.5 x lexical share of the best fact), template writer:", "",
              "| threshold | answerable correct | unanswerable declined |", "|---|---|---|"]
    lines += [f"| {c['threshold']:.2f} | {c['answerable_correct']:.1%} | {c['unanswerable_declined']:.1%} |" for c in calib]
    return "\n".join(lines)


def evaluate_qa(catalogs: list[Path] | None = None, out: Path | None = None, per_catalog: int = 40,
                writers: tuple[str, ...] = ("template", "lm"), lm_limit: int | None = 60, device: str = "cpu") -> dict:
    """Build the question set, answer it with each writer, write results.json + table.md into ``out``."""
    from engine.qa import THRESHOLD

    catalogs = [Path(c) for c in catalogs] if catalogs else default_catalogs()
    items = build_items(catalogs, per_catalog)
    raw = run_writer(items, catalogs, "template", device, threshold=0.0)
    calib = calibration(raw)
    summaries, results = {}, {}
    for writer in writers:
        subset = items[:lm_limit] if writer == "lm" and lm_limit else items
        rows = run_writer(subset, catalogs, writer, device, threshold=THRESHOLD)
        for r in rows:
            r["writer_lm"] = r["writer"] == "lm"
        summaries[writer] = summarise(rows)
        results[writer] = rows
    if "lm" in summaries and lm_limit:  # the template on the same questions, for a fair comparison
        rows = [r for r in results["template"][:lm_limit]]
        summaries[f"template (same {len(rows)})"] = summarise(rows)
    n_products = len({(i.catalog, i.product_id) for i in items})
    table = markdown(summaries, calib, n_products, lm_limit if "lm" in writers else None)
    report = {"summary": summaries, "calibration": calib, "threshold": THRESHOLD, "markdown": table,
              "items": results}
    if out is not None:
        out = Path(out)
        out.mkdir(parents=True, exist_ok=True)
        (out / "results.json").write_text(json.dumps(report, indent=1, ensure_ascii=False, default=str))
        (out / "table.md").write_text(f"# Evaluation: Shopper Q&A\n\n{table}\n")
    return report
