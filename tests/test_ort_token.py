"""benchmarks/ort_token.py (issue 25): the one-token ONNX Runtime graph with standard-op attention computes a
Llama decode step (the GroupQueryAttention graph is the engine's int8 step: tests/test_int8_step.py).

A tiny random 2-layer Llama (grouped heads) in float32: prefill by transformers, then a few steps of the graph
against transformers' own steps on the same tokens; the graph's weights are 8-bit (block 32), so the logits
agree to the weights' and the int8 row's rounding, not bitwise."""
from __future__ import annotations

import sys
from pathlib import Path

import pytest
import torch

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "benchmarks"))
pytest.importorskip("onnxruntime")
transformers = pytest.importorskip("transformers")

from conftest import tiny_llama  # noqa: E402
from ort_token import OrtTokenStep  # noqa: E402


@pytest.mark.parametrize("accuracy, tolerance", [(4, 0.03)])
def test_the_graph_follows_transformers_step_by_step(accuracy, tolerance):
    model = tiny_llama()
    ids = torch.tensor([[5, 17, 42, 8, 91, 3, 60]])
    forced = [11, 70, 2, 33, 54]
    step = OrtTokenStep(model, capacity=24, bits=8, block=32, accuracy=accuracy)
    with torch.inference_mode():
        cache = transformers.DynamicCache(config=model.config)  # filled in place
        model(input_ids=ids, cache=cache, use_cache=True)
        step.load(cache)
        for token in forced:
            reference = model(input_ids=torch.tensor([[token]]), cache=cache, use_cache=True).logits[0, -1]
            logits = step.step(token)[0]
            error = float((logits - reference).norm() / reference.norm())
            assert error < tolerance, error
    assert step.length == ids.shape[1] + len(forced)
    # the cache the graph wrote holds the keys transformers holds (rotated), to the weights' rounding
    keys = cache.layers[1].keys[0]  # [kv, positions, hd]
    held = step.keys[1, :, :, :step.length].transpose(-1, -2)
    assert float((held - keys).norm() / keys.norm()) < tolerance
