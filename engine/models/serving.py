"""How a model's layers are held to serve on a CPU: float16 weights, fewer and thinner calls.

Decoding one token on a CPU multiplies one row by every weight matrix, so it is bound by reading
the weights: held in float16 (fbgemm's fp16 GEMM; activations and sums stay float32) they are read
twice as fast. At 135M parameters the fixed cost of each call is a visible share of a token too, so:

- ``Float16Linear`` calls fbgemm directly (torch.ao's dynamic-quantized ``Linear`` checks its dtype
  and version on every call, about 4 % of a token);
- a Llama-style MLP multiplies by its gate and up weights in one GEMM (``GateUpMLP``): both read the
  same input, and the stacked GEMM gives bitwise the outputs of the two (tests/test_serving_layers.py).
"""
from __future__ import annotations

import torch
from torch import nn

fp16_gemm = torch.ops.quantized.linear_dynamic_fp16
_pack = torch.ops.quantized.linear_prepack_fp16


class Float16Linear(nn.Module):
    """A ``nn.Linear`` whose weight (and bias) fbgemm holds packed in float16; float32 in, float32 out."""

    def __init__(self, weight: torch.Tensor, bias: torch.Tensor | None = None):
        super().__init__()
        self.in_features, self.out_features = weight.shape[1], weight.shape[0]
        self.packed = _pack(weight.detach().float(), None if bias is None else bias.detach().float())

    @classmethod
    def of(cls, linear: nn.Linear) -> "Float16Linear":
        return cls(linear.weight, linear.bias)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return fp16_gemm(x, self.packed)

    def extra_repr(self) -> str:
        return f"in_features={self.in_features}, out_features={self.out_features}, float16 weights"


class GateUpMLP(nn.Module):
    """``down(act(gate(x)) * up(x))`` with gate and up as one float16 GEMM."""

    def __init__(self, mlp: nn.Module):
        super().__init__()
        self.gate_up = Float16Linear(torch.cat([mlp.gate_proj.weight, mlp.up_proj.weight]))
        self.down_proj = Float16Linear.of(mlp.down_proj)
        self.act_fn = mlp.act_fn

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        gate, up = self.gate_up(x).chunk(2, dim=-1)
        return self.down_proj(self.act_fn(gate) * up)


def _is_gated_mlp(module: nn.Module) -> bool:
    """Llama's MLP and its kin (Qwen2, Mistral, ...): three bias-free linears and ``down(act(gate) * up)``."""
    parts = [getattr(module, name, None) for name in ("gate_proj", "up_proj", "down_proj")]
    return (hasattr(module, "act_fn") and all(type(p) is nn.Linear and p.bias is None for p in parts)
            and type(module).__name__.endswith("MLP") and len(list(module.children())) == 4)


def to_float16(model: nn.Module) -> nn.Module:
    """Every ``nn.Linear`` of ``model`` held in float16 (in place), gated MLPs as one gate-up GEMM."""
    for name, child in list(model.named_children()):
        if _is_gated_mlp(child):
            setattr(model, name, GateUpMLP(child))
        elif type(child) is nn.Linear:
            setattr(model, name, Float16Linear.of(child))
        else:
            to_float16(child)
    return model
