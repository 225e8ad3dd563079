"""Shopper Q&A: time to the first text of an answer, models warm.

    python benchmarks/qa.py [--runs 15] [--writer template|lm] [--json out.json]

One Luma product (MH01, text only) answers a mix of questions (answerable, unanswerable, a
follow-up) ``--runs`` times each after a warm-up that loads MiniLM and encodes the facts. With
the template writer the whole answer is the first text; with ``--writer lm`` the time to the
first streamed token of the language model's rewording is measured. Reports the median.
"""
from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import time
from pathlib import Path

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_VERBOSITY", "error")
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

QUESTIONS = ["What is it made of?", "Is it performance fabric?", "Does it come in black?", "and in red?",
             "Does it have a warranty?"]


def first_text_seconds(conversation, question: str, writer: str) -> float:
    from engine.workflows import qa

    start = time.perf_counter()
    answer = conversation.ask(question)
    if writer == "lm" and answer.answered:
        from engine.models.language import load_language_model

        lm = load_language_model("smollm2-135m", "cpu")
        messages = [{"role": "user", "content": qa.LM_PROMPT.format(facts="\n".join(answer.facts), question=question)}]
        stream = lm.stream(messages, max_new_tokens=40, temperature=0, top_p=1.0, seed=0, stop_at_newline=True)
        next(iter(stream), None)
        stream.close()
    return time.perf_counter() - start


def main() -> None:
    import torch

    from engine.evaluation.qa import default_catalogs
    from engine.ingest import ingest
    from engine.core.product import load_catalog
    from engine.workflows.qa import Conversation

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=15)
    parser.add_argument("--writer", choices=["template", "lm"], default="template")
    parser.add_argument("--threads", type=int, default=1)
    parser.add_argument("--json", type=Path, default=None)
    args = parser.parse_args()
    torch.set_num_threads(args.threads)

    luma = next(c for c in default_catalogs() if c.parent.name == "luma")
    product = next(p for p in load_catalog(luma) if p.id == "MH01").model_copy(update=dict(images=[], videos=[]))
    conversation = Conversation(ingest(product), device="cpu")
    for question in QUESTIONS:  # warm-up: MiniLM (and the LM) loaded, facts encoded
        first_text_seconds(conversation, question, args.writer)
    times = []
    for _ in range(args.runs):
        conversation.previous = None
        times += [first_text_seconds(conversation, q, args.writer) for q in QUESTIONS]
    result = {"writer": args.writer, "questions": len(times), "median_s": statistics.median(times),
              "p90_s": sorted(times)[int(0.9 * (len(times) - 1))], "threads": args.threads}
    print(json.dumps(result, indent=2))
    if args.json:
        args.json.write_text(json.dumps(result, indent=2))


if __name__ == "__main__":
    main()
