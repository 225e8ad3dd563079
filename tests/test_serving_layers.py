"""The CPU serving layers (engine/models/serving.py) compute exactly what the layers they replace compute
with float16 weights: fbgemm's fp16 GEMM, called once for gate and up together."""
from __future__ import annotations

import torch
from torch import nn


class TinyMLP(nn.Module):
    # The shape of transformers' LlamaMLP. Widths are multiples of 16, as in real models: the activation then
    # runs fully vectorized on the gate half of the stacked output as on a gate of its own (same bits).
    def __init__(self):
        super().__init__()
        self.gate_proj = nn.Linear(16, 64, bias=False)
        self.up_proj = nn.Linear(16, 64, bias=False)
        self.down_proj = nn.Linear(64, 16, bias=False)
        self.act_fn = nn.SiLU()

    def forward(self, x):
        return self.down_proj(self.act_fn(self.gate_proj(x)) * self.up_proj(x))


def _reference(module: nn.Module) -> nn.Module:
    """torch.ao's float16 dynamic quantization of the same layers: what the studio served before."""
    import copy
    import warnings

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return torch.ao.quantization.quantize_dynamic(copy.deepcopy(module), {nn.Linear}, dtype=torch.float16)


def test_float16_layers_give_bitwise_the_outputs_of_torch_ao_float16():
    from engine.models.serving import Float16Linear, GateUpMLP, to_float16

    torch.manual_seed(0)
    model = nn.Sequential(TinyMLP(), nn.Linear(16, 8, bias=True))
    reference = _reference(model)
    served = to_float16(model)
    assert isinstance(served[0], GateUpMLP) and isinstance(served[1], Float16Linear)
    for rows in (1, 7):
        x = torch.randn(2, rows, 16)
        assert torch.equal(served(x), reference(x))
    # float16 is a real rounding: the outputs differ from float32's, slightly
    torch.manual_seed(1)
    full = nn.Sequential(TinyMLP(), nn.Linear(16, 8))
    x = torch.randn(1, 3, 16)
    with torch.no_grad():
        out32 = full(x)
        out16 = to_float16(full)(x)
    assert not torch.equal(out16, out32)
    assert torch.allclose(out16, out32, atol=1e-2)


def test_only_llama_style_mlps_are_fused():
    from engine.models.serving import GateUpMLP, to_float16

    class BiasedMLP(TinyMLP):
        def __init__(self):
            super().__init__()
            self.gate_proj = nn.Linear(16, 64, bias=True)

    served = to_float16(nn.Sequential(BiasedMLP()))
    assert not isinstance(served[0], GateUpMLP)  # a bias on gate: left as three float16 linears
    assert type(served[0].gate_proj).__name__ == "Float16Linear"
