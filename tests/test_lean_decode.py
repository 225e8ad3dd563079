"""The lean decode step (engine/models/lean.py) writes what transformers' step writes: the same logits, bit
for bit, and so the same text for the same seed, with every logits rule on (grounded decoding, repetition
penalty, no repeated 4-gram, a least length, the row's own seed), after a fusion prefix, and across the
hand-overs between a row decoding alone and a batch.

Real SmolLM2 at its CPU serving precision (float16 weights), real products of the shared catalogs, a few
dozen tokens each; offline and deterministic."""
from __future__ import annotations

import json
import threading
from pathlib import Path

import pytest
import torch

pytestmark = pytest.mark.slow

DATA = Path(__file__).resolve().parents[2] / "shared" / "data"
PRODUCTS = [("luma", 0), ("luma", 7), ("flipkart-train", 0), ("flipkart-train", 11)]
SETTINGS = [dict(temperature=0.0, top_p=0.9, seed=0), dict(temperature=0.7, top_p=0.9, seed=5)]


def _source(catalog: str, line: int) -> str:
    path = DATA / catalog / "products.jsonl"
    if not path.exists():
        pytest.skip(f"{path} is not here")
    record = json.loads(path.read_text(encoding="utf-8").splitlines()[line])
    attributes = record.get("attributes") or {}
    pairs = attributes.items() if isinstance(attributes, dict) else [(a.get("name"), a.get("value")) for a in attributes]
    facts = [record.get("title") or "", *(f"{k}: {v}" for k, v in pairs), (record.get("description") or "")[:300]]
    return "\n".join(f for f in facts if f)


def _messages(source: str) -> list[dict]:
    return [{"role": "system", "content": "You write product copy. Use only the given facts."},
            {"role": "user", "content": f"Write a product description of 2 to 4 sentences.\n\n{source}"}]


@pytest.fixture(scope="module")
def lm():
    from engine.models.language import load_language_model

    return load_language_model("smollm2-135m", "cpu")


@pytest.fixture()
def lean_switch():
    from engine.models.lean import lean_decoding, set_lean_decoding

    before = lean_decoding()
    yield set_lean_decoding
    set_lean_decoding(before)


def _both(lm, lean_switch, write) -> dict[bool, object]:
    """``write()`` with transformers' step (False) and with the lean step (True)."""
    out = {}
    for lean in (False, True):
        lean_switch(lean)
        out[lean] = write()
    return out


@pytest.mark.parametrize("precision", ["float16", "float32"])
def test_lean_step_gives_bitwise_the_logits_of_transformers_step(precision):
    """float16: fbgemm on the packed weights (q, k, v as one GEMM); float32: ``F.linear`` on the model's
    own weights, the path a GPU takes in its half precision."""
    from transformers import DynamicCache

    from engine.models.language import load_language_model
    from engine.models.lean import LeanDecoder, supports

    lm = load_language_model("smollm2-135m", "cpu", precision)
    assert lm.precision == precision and supports(lm.model)
    ids = lm.chat_ids(_messages(_source("luma", 0)))
    with torch.inference_mode():
        cache = DynamicCache(config=lm.model.config)
        logits = lm.model(input_ids=ids, cache=cache, use_cache=True, logits_to_keep=1).logits[:, -1].float()
        lean = LeanDecoder(lm.model)
        lean.load(cache, need=ids.shape[1] + 4)  # too small on purpose: the cache grows mid-way
        mask = torch.ones(1, ids.shape[1], dtype=torch.long)
        token = int(logits.argmax())
        for _ in range(12):
            mask = torch.cat([mask, torch.ones(1, 1, dtype=torch.long)], 1)
            reference = lm.model(input_ids=torch.tensor([[token]]), attention_mask=mask,
                                 position_ids=mask.sum(1, keepdim=True) - 1, cache=cache, use_cache=True).logits[:, -1].float()
            assert torch.equal(lean.step(token), reference)
            token = int(reference.argmax())
        exported = lean.export()
        for mine, theirs in zip(exported.layers, cache.layers):
            assert torch.equal(mine.keys, theirs.keys) and torch.equal(mine.values, theirs.values)


@pytest.mark.parametrize("catalog,line", PRODUCTS)
def test_same_text_greedy_and_sampled_with_grounded_decoding(lm, lean_switch, catalog, line):
    from engine.copywriting.grounded import grounded_processor

    source = _source(catalog, line)
    for settings in SETTINGS:
        def write():
            return lm.generate(_messages(source), max_new_tokens=28, min_new_tokens=20,
                               logits_processor=grounded_processor(lm.tokenizer, [(source, [])]), **settings)

        texts = _both(lm, lean_switch, write)
        assert texts[True] == texts[False] and texts[True].strip(), (settings, texts)


def test_same_text_after_a_fusion_prefix(lm, lean_switch):
    torch.manual_seed(0)
    prefix = torch.randn(1, 4, lm.model.config.hidden_size) * 0.02
    source = _source("flipkart-train", 3)
    texts = _both(lm, lean_switch, lambda: lm.generate(_messages(source), max_new_tokens=20, temperature=0.7,
                                                       top_p=0.9, seed=2, prefix_embeds=prefix))
    assert texts[True] == texts[False] and texts[True].strip()


def test_rows_hand_the_cache_over_between_a_batch_and_the_lean_step(lm, lean_switch, monkeypatch):
    """Batching on: a short and a long request decode together; when the short one leaves, the long one goes
    on alone (the lean step takes the cache), and a third joining it takes the cache back into a batch."""
    from engine.models.batching import batcher_for, set_request_batching

    sources = [_source("luma", 3), _source("flipkart-train", 5), _source("luma", 9)]
    budgets = [(4, 4), (24, 24), (8, 8)]

    def together():
        out: list = [None] * 3
        errors: list = []

        def ask(index, delay):
            if delay:
                delay.wait(timeout=60)
            try:
                low, high = budgets[index]
                out[index] = lm.generate(_messages(sources[index]), max_new_tokens=high, min_new_tokens=low,
                                         temperature=0.7, top_p=0.9, seed=index)
            except Exception as exc:  # surfaced below
                errors.append(exc)

        set_request_batching(True, window_s=0.5, max_batch=8)
        try:
            batcher = batcher_for(lm)
            sizes = len(batcher.sizes)
            later = threading.Event()
            threads = [threading.Thread(target=ask, args=(0, None)), threading.Thread(target=ask, args=(1, None)),
                       threading.Thread(target=ask, args=(2, later))]
            for thread in threads:
                thread.start()
            # the third joins once the long row decodes alone (the short one had 4 tokens)
            threads[0].join(timeout=120)
            later.set()
            for thread in threads:
                thread.join(timeout=300)
            assert max(batcher.sizes[sizes:], default=0) >= 2  # the first two prefilled together
        finally:
            set_request_batching(False)
        assert not errors, errors
        return out

    from engine.models.lean import LeanDecoder

    calls = {"load": 0, "export": 0}
    for name in calls:
        def spy(self, *args, _name=name, _method=getattr(LeanDecoder, name), **kwargs):
            calls[_name] += 1
            return _method(self, *args, **kwargs)
        monkeypatch.setattr(LeanDecoder, name, spy)
    texts = _both(lm, lean_switch, together)
    assert texts[True] == texts[False] and all(texts[True])
    # the long row went on alone (load), and took the third in (export) where the timing let it
    assert calls["load"] >= 1
