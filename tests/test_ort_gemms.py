"""benchmarks/ort_gemms.py (``decode.py --kernels``' ONNX Runtime rows): the hand-written graphs run, and the
weights packed by hand for ``MatMulNBits`` (engine/models/onnx_graph.py, which the int8 decode step uses too)
are the weights ORT multiplies by."""
from __future__ import annotations

import sys
from pathlib import Path

import numpy as np
import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "benchmarks"))
pytest.importorskip("onnxruntime")

from engine.models.onnx_graph import quantise_blocks  # noqa: E402
from ort_gemms import ort_kernels  # noqa: E402


def test_packing_round_trips_within_half_a_step():
    weight = np.random.default_rng(0).standard_normal((6, 40)).astype(np.float32)  # 40: a padded last block
    for bits in (4, 8):
        q, scale, dequantised = quantise_blocks(weight, bits, 32)
        assert q.shape == (6, 2, 32 * bits // 8) and scale.shape == (6, 2)
        step = np.repeat(scale, 32, axis=1)[:, :40]
        assert np.all(np.abs(dequantised - weight) <= step / 2 + 1e-6)


def test_every_graph_multiplies_by_the_weights_it_holds():
    rng = np.random.default_rng(1)
    weights = [rng.standard_normal((n, k)).astype(np.float32) for n, k in ((48, 64), (64, 160))]
    made = ort_kernels(weights)
    assert "ORT MatMul float32 (MLAS)" in made["kernels"]
    for name, (run, seen, (arithmetic, overall)) in made["kernels"].items():
        run()
        assert seen > 0
        # float32 arithmetic: exact to rounding; int8 arithmetic (accuracy 4) and float16: a few parts in 1,000
        assert arithmetic < (2e-2 if "accuracy 4" in name or "float16" in name else 1e-5), name
        assert overall < (0.2 if "4-bit" in name else 3e-2), name
