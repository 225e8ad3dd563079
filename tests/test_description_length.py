"""Description length: the least a description runs to, from Settings to the real LM."""
from __future__ import annotations

import pytest

from engine.copywriting.copy import MIN_TOKENS, token_budget
from engine.core.settings import Settings


def test_token_budget_follows_the_setting_and_never_exceeds_the_most():
    assert token_budget("description", Settings()) == (MIN_TOKENS["standard"], 160)
    assert token_budget("description", Settings(description_length="short")) == (0, 160)
    assert token_budget("description", Settings(description_length="long", max_new_tokens=60)) == (60, 60)
    assert token_budget("title", Settings(description_length="long")) == (0, 32)
    with pytest.raises(ValueError, match="short"):
        Settings(description_length="huge")


def test_the_language_model_writes_at_least_the_least():
    from engine.models.language import load_language_model

    lm = load_language_model("smollm2-135m", "cpu")
    ask = [{"role": "user", "content": "Answer with one word: what colour is snow?"}]
    free = lm.generate(ask, max_new_tokens=40, temperature=0.0, top_p=1.0, seed=0)
    held = lm.generate(ask, max_new_tokens=40, min_new_tokens=24, temperature=0.0, top_p=1.0, seed=0)
    count = lambda text: len(lm.tokenizer(text, add_special_tokens=False)["input_ids"])  # noqa: E731
    assert count(free) < 24 <= count(held)
    assert held.startswith(free.strip()[:3])  # same greedy start, then it goes on


def test_cli_and_evaluation_take_the_setting():
    from engine.cli import build_parser, settings_from_args

    args = build_parser().parse_args(["generate", "p.json", "--out", "o", "--description-length", "long"])
    assert settings_from_args(args).description_length == "long"
    args = build_parser().parse_args(["evaluate", "c.jsonl", "--out", "o", "--description-length", "short"])
    assert args.description_length == "short"
