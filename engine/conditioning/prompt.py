"""The conditioned model's prompt: a compact form of the zero-shot prompt of engine.copywriting.copy.

The zero-shot prompt spends ~60 tokens on instructions and holds every fact. A CPU-trained
prefix model cannot afford that per training step, so it reads the same messages compacted:
the tone from the system prompt, the first ``fact_tokens`` tokens of the facts block without
its yes-flags and price (catalog flags like "Compass: Yes" and prices fill the token budget and
rarely appear in copy), and a short ask. Training and serving both go through
``compact_messages``, so the model is served exactly the prompt shape it was trained on.
"""
from __future__ import annotations

import re

ASKS = {"title": "Write the product title.", "description": "Write the product description.",
        "bullets": "Write 4 bullet points, one per line, each starting with '- '."}


_SKIPPED_LINE = re.compile(r"^(?:Price: .*|[^:]{1,40}: (?:yes|true))$", re.I)


def field_of(ask: str) -> str:
    ask = ask.lower()
    if "title" in ask:
        return "title"
    if "bullet" in ask:
        return "bullets"
    return "description"


def compact_messages(messages: list[dict], tokenizer, fact_tokens: int = 96) -> list[dict]:
    system = next((m["content"] for m in messages if m["role"] == "system"), "")
    user = next((m["content"] for m in messages if m["role"] == "user"), "")
    facts, _, ask = user.rpartition("\n\n")
    if not facts:  # not the shape build_messages writes: keep the user text whole
        facts, ask = user, "description"
    facts = facts.removeprefix("Product facts:\n")
    facts = "\n".join(line for line in facts.splitlines() if not _SKIPPED_LINE.match(line))
    ids = tokenizer(facts, add_special_tokens=False)["input_ids"]
    if len(ids) > fact_tokens:
        facts = tokenizer.decode(ids[:fact_tokens]).rstrip() + " ..."
    # Only the tone survives from the system prompt: every token here costs a training step.
    tone = re.search(r"You write (.+?) product copy", system)
    return [{"role": "system", "content": f"{tone.group(1) if tone else 'Clear'} product copy.".capitalize()},
            {"role": "user", "content": f"{facts}\n\n{ASKS[field_of(ask)]}"}]
