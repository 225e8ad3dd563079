"""Train the Q&A second reading's matcher: a logistic head over (question, fact) features.

    HF_HUB_OFFLINE=1 .venv/bin/python scripts/train_qa_matcher.py [--validate] [--write]

Pairs come from the hand-written question sets that may be tuned on (never the blind sets): for each question,
every fact of its product is a pair, positive when it holds the expected fact, negative otherwise (every fact
of an unanswerable question is negative). The features are ``engine.workflows.qa.matcher_features``.
``--validate`` holds each set out in turn (trained on the others) and reports, per set, what the whole answer
path would do with the head deciding the second reading, next to the cosine rules it replaces; the threshold is
chosen on those held-out folds. ``--write`` fits on every set and writes assets/checkpoints/qa_matcher/matcher.json.
Deterministic: liblinear, fixed seed, the sets in file order.
"""
from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from engine.evaluation import qa as evaluation  # noqa: E402
from engine.workflows import qa  # noqa: E402

SETS = {"first": evaluation.SHOPPER_QUESTIONS, "tuning": evaluation.TUNING_QUESTIONS,
        "tuning2": evaluation.TUNING2_QUESTIONS,
        "tuning3": evaluation.SHOPPER_QUESTIONS.with_name("shopper_questions_tuning3.txt")}
THRESHOLDS = [round(t, 2) for t in np.arange(0.30, 0.95, 0.05)]
FALSE_COST = 3.0   # a false answer costs three right ones: the threshold maximises correct - 3 x false
SEED = 0


def collect(name: str, path: Path) -> list[dict]:
    """One record per question: the first reading's verdict, and the features and labels of every fact."""
    from engine.ingest import ingest
    from engine.core.product import load_catalog

    questions = evaluation.load_shopper_questions(path)
    wanted = {(q.catalog, q.product_id) for q in questions}
    conversations = {(c.parent.name, p.id): qa.Conversation(ingest(p.model_copy(update=dict(images=[], videos=[]))))
                     for c in evaluation.default_catalogs() for p in load_catalog(c) if (c.parent.name, p.id) in wanted}
    records = []
    for item in questions:
        conversation = conversations[(item.catalog, item.product_id)]
        question = qa.understand(item.question, None, conversation.product_words)
        first = None
        for match in qa.retrieve(question, conversation.facts, product_words=conversation.product_words):
            first = qa.template_answer(question, match)
            if first is not None:
                break
        rules = None
        if first is None:
            rules = qa.semantic_match(question, conversation.facts, product_words=conversation.product_words)
        facts, rows = qa.matcher_features(question, conversation.facts, product_words=conversation.product_words)
        expected = [piece.lower() for piece in item.expected]
        labels = [int(any(piece in fact.text.lower() for piece in expected)) for fact in facts]
        declined = qa.Answer(item.question, "", False, [])
        records.append({
            "set": name, "question": item.question, "answerable": item.answerable,
            "first": evaluation.judge(item, first) if first is not None else None,
            "rules": (None if first is not None else "declined" if rules is None else
                      "correct" if item.answerable and any(p in rules.fact.text.lower() for p in expected) else "false"),
            "gated": bool(question.without or question.quantities),
            "rows": rows, "labels": labels, "facts": [f.text for f in facts],
            "decline": evaluation.judge(item, declined)})
    return records


def fit(records: list[dict], C: float) -> dict:
    from sklearn.linear_model import LogisticRegression

    X = np.array([row for r in records for row in r["rows"]], dtype=float)
    y = np.array([label for r in records for label in r["labels"]])
    mean, scale = X.mean(0), X.std(0)
    scale[scale == 0] = 1.0
    model = LogisticRegression(C=C, solver="liblinear", random_state=SEED, max_iter=1000)
    model.fit((X - mean) / scale, y)
    return {"features": list(qa.MATCHER_FEATURES), "mean": mean.round(6).tolist(), "scale": scale.round(6).tolist(),
            "weights": model.coef_[0].round(6).tolist(), "bias": round(float(model.intercept_[0]), 6),
            "threshold": 0.5, "C": C}


def outcome(record: dict, head: dict | None, threshold: float) -> str:
    """correct | false | declined (answerable) | right decline: what the answer path does with this head."""
    if record["first"] is not None:
        return {"false answer": "false"}.get(record["first"], record["first"])
    if head is None:  # the cosine rules
        verdict = record["rules"]
    elif record["gated"] or not record["rows"]:
        verdict = "declined"
    else:
        rows = [[(x - m) / s for x, m, s in zip(r, head["mean"], head["scale"])] for r in record["rows"]]
        scores = qa.matcher_scores(head, rows)
        i = int(np.argmax(scores))
        verdict = "declined" if scores[i] < threshold else "correct" if record["labels"][i] else "false"
    if verdict == "declined" and not record["answerable"]:
        return "right decline"
    return verdict


def tally(records: list[dict], head: dict | None, threshold: float) -> dict:
    verdicts = [outcome(r, head, threshold) for r in records]
    answerable = [v for v, r in zip(verdicts, records) if r["answerable"]]
    unanswerable = [v for v, r in zip(verdicts, records) if not r["answerable"]]
    return {"correct": answerable.count("correct") / max(1, len(answerable)),
            "declined_unanswerable": unanswerable.count("right decline") / max(1, len(unanswerable)),
            "false": verdicts.count("false"), "n_correct": answerable.count("correct")}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--validate", action="store_true")
    parser.add_argument("--write", action="store_true")
    parser.add_argument("--cache", type=Path, help="keep the collected pairs here (a JSON file)")
    parser.add_argument("--C", type=float, nargs="*", default=[0.03, 0.1, 0.3, 1.0])
    args = parser.parse_args()
    if args.cache and args.cache.exists():
        records = json.loads(args.cache.read_text())
    else:
        records = [r for name, path in SETS.items() if path.exists() for r in collect(name, path)]
        if args.cache:
            args.cache.write_text(json.dumps(records))
    names = list(dict.fromkeys(r["set"] for r in records))
    best = (None, None, -1e9)
    if args.validate:
        for name in names:
            rules = tally([r for r in records if r["set"] == name], None, 0)
            print(f"{name:8s} rules      correct {rules['correct']:.1%}  unanswerable declined "
                  f"{rules['declined_unanswerable']:.1%}  false {rules['false']}")
        for C in args.C:
            heads = {name: fit([r for r in records if r["set"] != name], C) for name in names}
            for threshold in THRESHOLDS:
                results = {name: tally([r for r in records if r["set"] == name], heads[name], threshold) for name in names}
                gain = sum(s["n_correct"] - FALSE_COST * s["false"] for s in results.values())
                print(f"C={C:<5} t={threshold:.2f} " + "  ".join(
                    f"{n} {s['correct']:.1%}/{s['declined_unanswerable']:.1%}/{s['false']}" for n, s in results.items())
                    + f"  score {gain:.0f}")
                if gain > best[2]:
                    best = (C, threshold, gain)
        print("chosen on the held-out folds: C=%s threshold=%s" % best[:2])
    if args.write:
        C, threshold = (best[0], best[1]) if best[0] is not None else (args.C[0], 0.5)
        head = fit(records, C)
        head["threshold"] = threshold
        head["trained_on"] = names
        qa.MATCHER_PATH.parent.mkdir(parents=True, exist_ok=True)
        qa.MATCHER_PATH.write_text(json.dumps(head, indent=1) + "\n")
        print(f"wrote {qa.MATCHER_PATH} (C={C}, threshold={threshold}, {len(records)} questions)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
