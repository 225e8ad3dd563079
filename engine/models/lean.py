"""A lean decode step for Llama-family models: one token of one row without transformers' per-layer Python.

Decoding one token of SmolLM2-135M reads every weight once (~270 MB in float16). What transformers adds
on top of those reads is Python: per layer, module calls, keyword plumbing, a cache object that
concatenates the keys and values it holds into new tensors every token, and an attention interface
that re-decides its kernel. At 135M parameters that is a visible share of a token.

``LeanDecoder`` is the same arithmetic written out once, over the model's own weights (the float16 GEMMs
of ``engine/models/serving.py`` are called on their packed weights directly), in as few tensor calls as
the arithmetic allows, since at this size each call's fixed cost (a few microseconds) adds up:

- a static key/value cache: one preallocated buffer for all layers, each token's keys and values written
  in place at its position (``DynamicCache`` concatenates new tensors for every layer, every token), and
  every layer's views of it taken with one ``unbind`` per token;
- q, k and v as one GEMM (the one copy this makes: ~33 MB of stacked float16 weights);
- RoPE on q and k together, from cos/sin tables computed once by the model's own rotary module;
- then attention over the cache, o, and the MLP (gate and up as one GEMM, as served).

Every operation is the one transformers runs for this model, in the same order and on the same
dtypes (RMSNorm's float32 upcast, ``rotate_half``, ``scaled_dot_product_attention`` with grouped
query heads and no mask), so the logits are bitwise those of ``model(...)`` with a ``DynamicCache``
(tests/test_lean_decode.py): the same seed writes the same text. The prompt is still prefilled by
transformers (one call, compute-bound; a fusion prefix's embeddings go in there), and its cache is
copied into the static buffers (``load``). Only one row is decoded here: batched rows amortise the
per-layer Python over the batch, and keep transformers' left-padded path (engine/models/batching.py).

Everything is device-agnostic: on a GPU the same step runs on the model's bfloat16 ``nn.Linear``
weights (``F.linear``), and its fixed shapes (one token, a preallocated cache) are what a captured
graph needs.
"""
from __future__ import annotations

import os
import weakref
from dataclasses import dataclass
from typing import Callable

import torch
import torch.nn.functional as F
from torch import nn

from engine.models.serving import Float16Linear, GateUpMLP, fp16_gemm

# Room added to a request's own need when the cache grows, so that the next requests mostly reuse it.
CACHE_SLACK = 64
_config = {"enabled": os.environ.get("MCS_LEAN_DECODE", "1") != "0"}


def set_lean_decoding(enabled: bool) -> None:
    """Decode single rows with ``LeanDecoder`` (the default) or with transformers' own step (the reference)."""
    _config["enabled"] = bool(enabled)


def lean_decoding() -> bool:
    return _config["enabled"]


def _linear(module: nn.Module) -> Callable[[torch.Tensor], torch.Tensor]:
    """The cheapest exact call of a linear layer: fbgemm on its packed float16 weight, ``F.linear`` on a
    plain one, else the module itself (anything else a caller merged in)."""
    if isinstance(module, Float16Linear):
        packed = module.packed
        return lambda x: fp16_gemm(x, packed)
    if type(module) is nn.Linear:
        weight, bias = module.weight, module.bias
        return lambda x: F.linear(x, weight, bias)
    return module


# An attention module's q/k/v as one call, made once per module: models that share layers (a fusion
# method's writer shares every layer its adapter leaves alone) share these too.
_FUSED_QKV: "weakref.WeakKeyDictionary[nn.Module, Callable]" = weakref.WeakKeyDictionary()


def _qkv(attention: nn.Module) -> Callable[[torch.Tensor], torch.Tensor]:
    if attention not in _FUSED_QKV:
        _FUSED_QKV[attention] = _fuse_qkv(attention)
    return _FUSED_QKV[attention]


def _fuse_qkv(attention: nn.Module) -> Callable[[torch.Tensor], torch.Tensor]:
    """q, k and v as one call. float16 weights: one GEMM over the three stacked (a column of fbgemm's output
    depends on its own weights alone, so the same bits as three GEMMs; ~33 MB more for SmolLM2-135M)."""
    parts = [attention.q_proj, attention.k_proj, attention.v_proj]
    if all(isinstance(p, Float16Linear) for p in parts):
        unpacked = [torch.ops.quantized.linear_unpack_fp16(p.packed) for p in parts]
        biases = [b for _, b in unpacked]
        bias = None if all(b is None for b in biases) else torch.cat(
            [b if b is not None else torch.zeros(w.shape[0]) for (w, _), b in zip(unpacked, biases)])
        return _linear(Float16Linear(torch.cat([w for w, _ in unpacked]), bias))
    q, k, v = (_linear(p) for p in parts)
    return lambda x: torch.cat([q(x), k(x), v(x)], dim=-1)


@dataclass
class _Layer:
    """One decoder layer's weights, as the step reads them."""

    input_norm: torch.Tensor
    qkv: Callable  # (1, 1, D) -> (1, 1, (heads + 2 kv_heads) * head_dim)
    o: Callable
    post_norm: torch.Tensor
    mlp: Callable  # (1, 1, D) -> (1, 1, D)


def _mlp(module: nn.Module) -> Callable[[torch.Tensor], torch.Tensor]:
    act = module.act_fn
    if type(act).__name__ in ("SiLUActivation", "SiLU"):  # both are F.silu: skip the module call
        act = F.silu
    if isinstance(module, GateUpMLP):  # gate and up as one GEMM (engine/models/serving.py)
        gate_up, down = _linear(module.gate_up), _linear(module.down_proj)

        def forward(x):
            gate, up = gate_up(x).chunk(2, dim=-1)
            return down(act(gate) * up)
        return forward
    gate, up, down = _linear(module.gate_proj), _linear(module.up_proj), _linear(module.down_proj)
    return lambda x: down(act(gate(x)) * up(x))


def supports(model: nn.Module) -> bool:
    """Whether ``LeanDecoder`` computes exactly what ``model`` computes: a transformers Llama with the
    default rotary embedding and SDPA attention (eager attention, dynamic RoPE and other families keep
    transformers' own step)."""
    config = getattr(model, "config", None)
    if type(model).__name__ != "LlamaForCausalLM" or config is None:
        return False
    rope = (getattr(config, "rope_parameters", None) or {}).get("rope_type", "default")
    layer = model.model.layers[0]
    return (rope == "default" and config._attn_implementation == "sdpa"
            and type(layer.input_layernorm).__name__ == "LlamaRMSNorm"
            and getattr(config, "num_hidden_layers", 0) == len(model.model.layers))


class LeanDecoder:
    """One row's decoding state for one model: its static key/value cache and the step over it."""

    def __init__(self, model: nn.Module):
        inner = model.model
        config = model.config
        self.model = model
        self.heads = config.num_attention_heads
        self.kv_heads = config.num_key_value_heads
        self.head_dim = getattr(config, "head_dim", None) or config.hidden_size // self.heads
        self.scale = inner.layers[0].self_attn.scaling
        self.eps = inner.norm.variance_epsilon
        self.embed = inner.embed_tokens.weight
        self.final_norm = inner.norm.weight
        self.lm_head = _linear(model.lm_head)
        self.layers = [
            _Layer(input_norm=layer.input_layernorm.weight, qkv=_qkv(layer.self_attn),
                   o=_linear(layer.self_attn.o_proj), post_norm=layer.post_attention_layernorm.weight,
                   mlp=_mlp(layer.mlp))
            for layer in inner.layers]
        self.device, self.dtype = self.embed.device, self.embed.dtype
        self.cache = torch.empty(len(self.layers), 0, 2 * self.kv_heads, self.head_dim, dtype=self.dtype,
                                 device=self.device)  # see _reserve
        self.keys = self.values = self.cache[:, :, :0].permute(0, 2, 1, 3).unsqueeze(1)
        self.cos = self.sin_signed = torch.empty(0, 2, self.head_dim // 2, device=self.device)
        # One token's rotated queries and keys, then its values: (heads + 2 kv_heads, 2, head_dim / 2).
        self.row = torch.empty(self.heads + 2 * self.kv_heads, 2, self.head_dim // 2, dtype=self.dtype, device=self.device)
        rotated = self.heads + self.kv_heads  # q and k heads; v follows
        self.row_qk, self.row_v = self.row[:rotated], self.row[rotated:]
        self.query = self.row[:self.heads].view(1, self.heads, 1, self.head_dim)
        self.key_value = self.row[self.heads:].view(2 * self.kv_heads, self.head_dim)
        self.length = 0  # positions held in the cache

    # -- the cache ---------------------------------------------------------------------------
    def _reserve(self, capacity: int) -> None:
        """Buffers for ``capacity`` positions (kept across requests; grown, never shrunk)."""
        held = self.cache.shape[1]
        if capacity <= held:
            return
        capacity += CACHE_SLACK
        # One buffer, (layers, capacity, 2 * kv_heads, head_dim): at each position a layer's keys then its
        # values, so that a token's keys and values are written in one copy per layer. Uninitialised: a
        # position is always written before any step reads it.
        old = self.cache
        self.cache = torch.empty(len(self.layers), capacity, *old.shape[2:], dtype=self.dtype, device=self.device)
        self.cache[:, :self.length] = old[:, :self.length]
        # What attention reads: (layers, 1, kv_heads, capacity, head_dim) views of the keys and the values.
        self.keys = self.cache[:, :, :self.kv_heads].permute(0, 2, 1, 3).unsqueeze(1)
        self.values = self.cache[:, :, self.kv_heads:].permute(0, 2, 1, 3).unsqueeze(1)
        # The rotary table of every position, by the model's own module (the same bits as per token).
        positions = torch.arange(capacity, device=self.device)[None]
        with torch.inference_mode():
            cos, sin = self.model.model.rotary_emb(self.embed[:1][None], position_ids=positions)
        # Kept as (positions, 2, dim / 2) halves, and sin with its first half negated (``step``).
        half = self.head_dim // 2
        self.cos = cos[0].view(capacity, 2, half)
        self.sin_signed = torch.cat([-sin[0, :, :half], sin[0, :, half:]], dim=-1).view(capacity, 2, half)

    def load(self, cache, need: int) -> None:
        """Take over a one-row transformers cache (after prefill), with room for ``need`` positions in all."""
        length = cache.layers[0].keys.shape[2]
        self.length = 0
        self._reserve(max(need, length + 1))
        for layer, keys, values in zip(cache.layers, self.keys, self.values):
            keys[:, :, :length] = layer.keys
            values[:, :, :length] = layer.values
        self.length = length

    def export(self):
        """The cache as a transformers ``DynamicCache`` (for the batched path, when other rows join)."""
        from transformers import DynamicCache

        cache = DynamicCache(config=self.model.config)
        for index, (keys, values) in enumerate(zip(self.keys, self.values)):
            cache.update(keys[:, :, :self.length].contiguous(), values[:, :, :self.length].contiguous(), index)
        return cache

    # -- the step ----------------------------------------------------------------------------
    def _norm(self, x: torch.Tensor, weight: torch.Tensor) -> torch.Tensor:
        # LlamaRMSNorm, op for op: float32 statistics, then the weight times the input's dtype.
        dtype = x.dtype
        if dtype != torch.float32:  # (``.to`` of a float32 tensor is itself: skipped, not a call)
            x = x.to(torch.float32)
        x = x * torch.rsqrt(x.pow(2).mean(-1, keepdim=True) + self.eps)
        return weight * (x if dtype == torch.float32 else x.to(dtype))

    @torch.inference_mode()
    def step(self, token: int) -> torch.Tensor:
        """The (1, V) float32 logits after ``token``, which takes the next position of the cache."""
        position = self.length
        if position >= self.cache.shape[1]:
            self._reserve(position + 1)
        end = position + 1
        rotated = self.heads + self.kv_heads  # q and k heads; v follows
        x = F.embedding(torch.tensor([[token]], device=self.device), self.embed)  # (1, 1, D)
        cos, sin = self.cos[position], self.sin_signed[position]  # (2, dim / 2) each, see _reserve
        # Every layer's slot for this token and its keys and values so far, as views: one call each for all layers.
        slots = self.cache.select(1, position).unbind(0)
        keys, values = self.keys.narrow(3, 0, end).unbind(0), self.values.narrow(3, 0, end).unbind(0)
        for layer, slot, key, value in zip(self.layers, slots, keys, values):
            qkv = layer.qkv(self._norm(x, layer.input_norm)).view(-1, 2, self.head_dim // 2)
            # RoPE on q and k at once: x * cos + rotate_half(x) * sin, where rotate_half(x) * sin is
            # [-x2 * sin1, x1 * sin2] = [x2, x1] * [-sin1, sin2]: the same bits, with one flip and no cat.
            qk = qkv[:rotated]
            torch.add(qk * cos, qk.flip(1) * sin, out=self.row_qk)
            self.row_v.copy_(qkv[rotated:])
            slot.copy_(self.key_value)
            # What transformers' SDPA interface calls for one query token and no padding.
            attn = F.scaled_dot_product_attention(self.query, key, value, scale=self.scale, enable_gqa=True)
            x = x + layer.o(attn.view(1, 1, -1))
            x = x + layer.mlp(self._norm(x, layer.post_norm))
        self.length = end
        return self.lm_head(self._norm(x, self.final_norm))[:, -1].float()


def lean_decoder(lm) -> LeanDecoder | None:
    """The lean step of one loaded ``LanguageModel`` (made once, kept with it), or None where lean decoding
    is off or the model is not one it computes exactly (``supports``)."""
    if not _config["enabled"] or not supports(lm.model):
        return None
    if lm.lean is None or lm.lean.model is not lm.model:
        lm.lean = LeanDecoder(lm.model)
    return lm.lean
