"""Concurrent requests decoded together (engine/models/batching.py), each with its own seed and settings.

Real SmolLM2 on the CPU at its serving precision, a few tokens per request."""
from __future__ import annotations

import threading

import pytest
import torch

pytestmark = pytest.mark.slow

PROMPTS = [
    "Write a product description for a blue cotton towel, 500 gsm, 70x140 cm.",
    "Write one product title for: Brand: Asics; Category: Running shoes; Colour: black; Size: 9",
    "Write 4 short bullet points for a stainless steel water bottle, 750 ml.",
]
# greedy; sampled with a least length; sampled one-line (stops at the line end)
SETTINGS = [
    dict(temperature=0.0, top_p=0.9, seed=0, max_new_tokens=14),
    dict(temperature=0.7, top_p=0.9, seed=3, max_new_tokens=14, min_new_tokens=12),
    dict(temperature=0.9, top_p=0.8, seed=5, max_new_tokens=20, stop_at_newline=True),
]


@pytest.fixture(scope="module")
def lm():
    from engine.models.language import load_language_model

    return load_language_model("smollm2-135m", "cpu")


@pytest.fixture()
def batching():
    from engine.models.batching import set_request_batching

    set_request_batching(True, window_s=0.5, max_batch=8)
    yield
    set_request_batching(False)


def _messages(prompt: str) -> list[dict]:
    return [{"role": "user", "content": prompt}]


def _plain(lm) -> list[str]:
    from engine.models.batching import request_batching

    assert not request_batching()["enabled"]
    return [lm.generate(_messages(p), **s) for p, s in zip(PROMPTS, SETTINGS)]


def _together(lm, prompts=PROMPTS, settings=SETTINGS) -> list[str]:
    out: list = [None] * len(prompts)
    errors: list = []

    def ask(index):
        try:
            out[index] = lm.generate(_messages(prompts[index]), **settings[index])
        except Exception as exc:  # surfaced below
            errors.append(exc)

    threads = [threading.Thread(target=ask, args=(i,)) for i in range(len(prompts))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=300)
    assert not errors, errors
    return out


def test_concurrent_requests_share_one_decode_and_keep_their_own_text(lm):
    from engine.models.batching import batcher_for, set_request_batching

    plain = _plain(lm)
    assert plain[0] != plain[1] and all(plain)
    set_request_batching(True, window_s=0.5, max_batch=8)
    try:
        alone = [lm.generate(_messages(p), **s) for p, s in zip(PROMPTS, SETTINGS)]
        before = len(batcher_for(lm).sizes)
        together = _together(lm)
        sizes = batcher_for(lm).sizes[before:]
    finally:
        set_request_batching(False)
    # With batching on, one request alone writes what it writes with batching off (sampled ones too) ...
    assert alone == plain
    # ... and the three asked at once were decoded as one batch of three, each with its own seed and
    # settings: float16 weights keep float32 activations, so padding leaves every row's text unchanged.
    assert sizes == [3]
    assert together == plain
    assert "\n" not in together[2].strip()  # the one-line request stopped at its line end, the others did not


def test_a_grounded_request_keeps_its_own_rules_in_a_batch(lm):
    import re

    from engine.copywriting.grounded import finish, processor_for
    from engine.models.batching import set_request_batching
    from engine.core.settings import Settings

    prompt = _messages("Write a one-line title for a steel water bottle that holds 750 ml and weighs 300 g.")

    def grounded():
        rules = processor_for(Settings(), lm.tokenizer, [("Steel water bottle, 750 ml, 300 g", [])])
        return rules, dict(temperature=0.0, top_p=0.9, seed=0, max_new_tokens=24, logits_processor=rules)

    rules, kwargs = grounded()
    alone = finish(rules, [lm.generate(prompt, **kwargs)])[0]
    set_request_batching(True, window_s=0.5, max_batch=8)
    try:
        rules, kwargs = grounded()
        out = _together(lm, [prompt[0]["content"], PROMPTS[0]], [kwargs, SETTINGS[0]])
    finally:
        set_request_batching(False)
    assert finish(rules, [out[0]])[0] == alone  # its own rules, beside a request with none
    assert set(re.findall(r"\d+", alone)) <= {"750", "300"}


def test_a_caller_that_stops_reading_frees_its_row_and_the_others_finish(lm, batching):
    from engine.models.batching import batcher_for

    long_settings = dict(temperature=0.0, top_p=0.9, seed=0, max_new_tokens=60, min_new_tokens=60)
    done: dict = {}

    def leaver():
        stream = lm.stream(_messages(PROMPTS[0]), **long_settings)
        next(stream)
        stream.close()  # a cancelled UI event
        done["left"] = True

    def stayer():
        done["text"] = lm.generate(_messages(PROMPTS[1]), **SETTINGS[0])

    threads = [threading.Thread(target=leaver), threading.Thread(target=stayer)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=300)
    assert done.get("left") and done.get("text")
    assert batcher_for(lm).pending.empty()


def test_a_failing_decode_reaches_every_caller_of_its_batch_and_the_next_batch_runs(lm, batching):
    from engine.models.batching import batcher_for

    class Broken:
        def __call__(self, input_ids, scores):
            raise RuntimeError("broken rule")

    with pytest.raises(RuntimeError, match="broken rule"):
        lm.generate(_messages(PROMPTS[0]), temperature=0.0, top_p=0.9, seed=0, max_new_tokens=4,
                    logits_processor=Broken())
    assert lm.generate(_messages(PROMPTS[0]), **SETTINGS[0])  # the worker lives on
    assert batcher_for(lm)._worker.is_alive()


def test_batching_is_off_unless_asked_and_records_precision(lm):
    from engine.models.batching import request_batching
    from engine.models.serving import Float16Linear, GateUpMLP

    assert request_batching()["enabled"] is False
    assert lm.precision == "float16"  # the CPU default: float16 weights, float32 activations
    linear = lm.model.model.layers[0].self_attn.q_proj
    assert isinstance(linear, Float16Linear) and "float16" in repr(linear)
    assert isinstance(lm.model.model.layers[0].mlp, GateUpMLP)  # gate and up: one GEMM


def test_a_request_joins_a_running_decode_and_leaves_it_when_done(lm, batching):
    """Continuous batching: a short request that arrives while a long one is being decoded joins it at the
    next token (it does not wait for the long one to end), finishes first, and both write their solo text."""
    import time

    from engine.models.batching import batcher_for, set_request_batching

    long_settings = dict(temperature=0.0, top_p=0.9, seed=0, max_new_tokens=40, min_new_tokens=40)
    set_request_batching(False)
    solo_long = lm.generate(_messages(PROMPTS[0]), **long_settings)
    solo_short = lm.generate(_messages(PROMPTS[2]), **SETTINGS[2])
    set_request_batching(True, window_s=0.0, max_batch=8)
    finished: dict = {}

    def long_request():
        stream = lm.stream(_messages(PROMPTS[0]), **long_settings)
        text = next(stream)
        started.set()  # the long row is decoding now
        text += "".join(stream)
        finished["long"] = (time.monotonic(), text)

    started = threading.Event()
    before = len(batcher_for(lm).sizes)
    long_thread = threading.Thread(target=long_request)
    long_thread.start()
    assert started.wait(timeout=120)
    short_text = lm.generate(_messages(PROMPTS[2]), **SETTINGS[2])
    finished["short"] = time.monotonic()
    long_thread.join(timeout=300)
    sizes = batcher_for(lm).sizes[before:]
    assert sizes[:2] == [1, 2]  # the long row alone, then the short one joined it mid-decode
    assert finished["short"] < finished["long"][0]  # the short row left first; the long one went on
    assert short_text == solo_short and finished["long"][1] == solo_long


def test_a_request_whose_rules_fail_leaves_the_batch_and_the_others_write_their_text(lm, batching):
    """One user's failing grounded-decoding rules end that user's request with the error, not the other rows."""
    class BreaksLater:
        calls = 0

        def __call__(self, input_ids, scores):
            self.calls += 1
            if self.calls == 3:
                raise RuntimeError("broken rule")
            return scores

    settings = dict(temperature=0.0, top_p=0.9, seed=0, max_new_tokens=12, min_new_tokens=12)
    from engine.models.batching import set_request_batching

    set_request_batching(False)
    solo = lm.generate(_messages(PROMPTS[1]), **settings)
    set_request_batching(True, window_s=0.5, max_batch=8)
    outcome: dict = {}

    def broken():
        try:
            lm.generate(_messages(PROMPTS[0]), **settings, logits_processor=BreaksLater())
        except RuntimeError as exc:
            outcome["error"] = str(exc)

    def healthy():
        outcome["text"] = lm.generate(_messages(PROMPTS[1]), **settings)

    threads = [threading.Thread(target=broken), threading.Thread(target=healthy)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=300)
    assert outcome.get("error") == "broken rule"
    assert outcome.get("text") == solo  # decoded beside the broken row, then on its own: its solo text
