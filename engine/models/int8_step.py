"""The int8 decode step: one token of one row as ONE ONNX Runtime graph with 8-bit weights (``precision="int8"``).

Decoding one token reads every weight once, so on a CPU it is bound by memory bandwidth. ONNX Runtime's
``MatMulNBits`` with 8-bit weights and int8 arithmetic (``accuracy_level`` 4) reads half the bytes of the
float16 serving weights and runs one token's GEMMs about 2x as fast on this AVX2 CPU; called layer by
layer from Python that gain is eaten, so the whole token is one graph, run by one ``run_with_iobinding``
(docs/PERFORMANCE.md, "One decode step as one ONNX Runtime graph"):

  inputs   x                   [1, 1, D] float32: the token's input embedding row (embeddings stay in torch)
           seqlens             [1] int32: positions already in the cache (the new token's position)
           total               [] int32: seqlens + 1
           cos_cache, sin_cache [T, head_dim / 2] float32: the model's own rotary tables, every position
           past_keys{l}, past_values{l}  [1, kv_heads, T, head_dim] float32: the static cache of layer l
  outputs  logits              [1, 1, V] float32
           present_keys{l}, present_values{l}: bound to the same buffers as the past ones, so that
                               ``GroupQueryAttention`` writes the new token's keys and values in place

Per layer: RMSNorm in float32, q/k/v as one ``MatMulNBits``, com.microsoft ``GroupQueryAttention`` (RoPE
inside, grouped heads, the cache of T positions read up to ``total``), o, gate and up as one
``MatMulNBits``, SiLU(gate) * up, down; then the final norm and the output layer, ``MatMulNBits`` too.
Every ``MatMulNBits``: 8-bit symmetric weights in blocks of 32 along K, one float32 scale a block.

**Not the same logits as float16.** The weights are rounded to 8 bits (about 1 % of each layer's output)
and each row to int8 inside the kernel: top-1 agreement with the float16 step was 98.4 % on real
products' prompts (teacher-forced), so ``int8`` is an opt-in precision with its own quality table
(docs/EVALUATION.md), never the default. Only the logits come from here: every rule (grounded and
licensed decoding, repetition rules, the least length, each row's seed and sampler) is applied to them by
engine/models/batching.py exactly as to the float16 step's.

``Int8Decoder`` has ``LeanDecoder``'s interface (``load`` a transformers cache after prefill, ``step``,
``export`` it back when other rows join), so the batch hands a row decoding alone to it in the same way.
The prompt is prefilled by transformers on the float16 serving weights (with a fusion method's prefix
embeddings), and batched rows keep transformers' float16 step. CPU only: ``GroupQueryAttention`` and
``MatMulNBits`` run here on the CPU provider.
"""
from __future__ import annotations

import numpy as np
import torch
from torch import nn

from engine.core.errors import StudioError
from engine.models.lean import CACHE_SLACK, supports
from engine.models.onnx_graph import FLOAT, INT32, GraphBuilder, pb_value_info, session_options
from engine.models.serving import Float16Linear

BITS = 8
# Block 32 over 128: within the noise in speed, 2-3 points better top-1 agreement (docs/PERFORMANCE.md).
BLOCK = 32
ACCURACY_LEVEL = 4  # int8 arithmetic: the only MatMulNBits mode faster than fbgemm float16 on AVX2


# ----------------------------------------------------------------------------- the model's weights

def linear_weight(module: nn.Module) -> np.ndarray:
    """A bias-free linear layer's weight [N, K] as float32: the float16 serving weights, or ``nn.Linear``'s."""
    if isinstance(module, Float16Linear):
        weight, bias = torch.ops.quantized.linear_unpack_fp16(module.packed)
    else:
        weight, bias = module.weight, module.bias
    if bias is not None:
        raise StudioError("int8 decoding supports Llama-style linear layers without a bias")
    return weight.detach().float().cpu().numpy()


def llama_weights(model: nn.Module) -> dict:
    """What the graph needs of a transformers Llama (float16 serving layers or plain ``nn.Linear``)."""
    inner, config = model.model, model.config
    layers = []
    for layer in inner.layers:
        attention, mlp = layer.self_attn, layer.mlp
        if hasattr(mlp, "gate_up"):  # engine/models/serving.py's GateUpMLP: gate and up stacked already
            gate_up = linear_weight(mlp.gate_up)
        else:
            gate_up = np.concatenate([linear_weight(mlp.gate_proj), linear_weight(mlp.up_proj)])
        layers.append({
            "input_norm": layer.input_layernorm.weight.detach().float().numpy(),
            "qkv": np.concatenate([linear_weight(p) for p in (attention.q_proj, attention.k_proj, attention.v_proj)]),
            "o": linear_weight(attention.o_proj),
            "post_norm": layer.post_attention_layernorm.weight.detach().float().numpy(),
            "gate_up": gate_up, "down": linear_weight(mlp.down_proj)})
    heads = config.num_attention_heads
    return {"layers": layers, "final_norm": inner.norm.weight.detach().float().numpy(),
            "lm_head": linear_weight(model.lm_head), "heads": heads, "kv_heads": config.num_key_value_heads,
            "head_dim": getattr(config, "head_dim", None) or config.hidden_size // heads,
            "eps": float(inner.norm.variance_epsilon), "scale": float(inner.layers[0].self_attn.scaling)}


# ----------------------------------------------------------------------------- the graph

def mlp_block(graph: GraphBuilder, x: str, layer: dict, index: int, eps: float) -> str:
    """A layer's second half: post-norm, SiLU(gate) * up with gate and up as one GEMM, down, the residual."""
    h = graph.rms_norm(x, layer["post_norm"], f"post_norm{index}", eps)
    inter = layer["down"].shape[1]
    sizes = graph.constant(f"split_mlp{inter}", np.array([inter, inter], np.int64))
    gate, up = graph.op("Split", [graph.linear(h, layer["gate_up"], f"gate_up{index}"), sizes], 2, axis=-1)
    act = graph.op("Mul", [graph.op("Mul", [gate, graph.op("Sigmoid", [gate])]), up])
    return graph.op("Add", [x, graph.linear(act, layer["down"], f"down{index}")])


def output_layer(graph: GraphBuilder, x: str, w: dict) -> str:
    """The final norm and the output layer, into the graph output ``logits``."""
    logits = graph.linear(graph.rms_norm(x, w["final_norm"], "final_norm", w["eps"]), w["lm_head"], "lm_head")
    return graph.op("Identity", [logits], ["logits"])


def token_graph(w: dict, bits: int = BITS, block: int = BLOCK, accuracy: int = ACCURACY_LEVEL) -> tuple[bytes, int]:
    """The one-token graph (the module docstring's inputs and outputs) and the bytes of packed weights it holds."""
    graph = GraphBuilder(bits, block, accuracy)
    heads, kv, hd = w["heads"], w["kv_heads"], w["head_dim"]
    d, vocab = w["layers"][0]["o"].shape[0], w["lm_head"].shape[0]
    x = "x"
    for index, layer in enumerate(w["layers"]):
        qkv = graph.linear(graph.rms_norm(x, layer["input_norm"], f"in_norm{index}", w["eps"]), layer["qkv"], f"qkv{index}")
        # qkv packed: query, key and value left out as separate inputs ("")
        attention = graph.op(
            "GroupQueryAttention",
            [qkv, "", "", f"past_keys{index}", f"past_values{index}", "seqlens", "total", "cos_cache", "sin_cache"],
            [f"attention{index}", f"present_keys{index}", f"present_values{index}"], "com.microsoft",
            num_heads=heads, kv_num_heads=kv, do_rotary=1, rotary_interleaved=0, scale=w["scale"])[0]
        x = graph.op("Add", [x, graph.linear(attention, layer["o"], f"o{index}")])
        x = mlp_block(graph, x, layer, index, w["eps"])
    output_layer(graph, x, w)
    cache_shape = (1, kv, "T", hd)
    inputs = [pb_value_info("x", FLOAT, (1, 1, d)), pb_value_info("seqlens", INT32, (1,)),
              pb_value_info("total", INT32, ()), pb_value_info("cos_cache", FLOAT, ("T", hd // 2)),
              pb_value_info("sin_cache", FLOAT, ("T", hd // 2))]
    outputs = [pb_value_info("logits", FLOAT, (1, 1, vocab))]
    for index in range(len(w["layers"])):
        inputs += [pb_value_info(f"past_keys{index}", FLOAT, cache_shape),
                   pb_value_info(f"past_values{index}", FLOAT, cache_shape)]
        outputs += [pb_value_info(f"present_keys{index}", FLOAT, cache_shape),
                    pb_value_info(f"present_values{index}", FLOAT, cache_shape)]
    return graph.model(inputs, outputs, producer="engine/models/int8_step.py"), graph.weight_bytes


# ----------------------------------------------------------------------------- the step

def _numpy_type(tensor: torch.Tensor):
    return {torch.float32: np.float32, torch.int32: np.int32, torch.int64: np.int64}[tensor.dtype]


class Int8Decoder:
    """One row's decoding state for one model: the int8 graph's session, its static float32 key/value cache
    (torch tensors ORT reads and writes in place) and the step over it. ``threads``: ORT's intra-op threads
    (default: torch's, as the Studio configured them)."""

    def __init__(self, model: nn.Module, threads: int | None = None):
        import onnxruntime as ort

        w = llama_weights(model)
        graph, self.weight_bytes = token_graph(w)
        self.threads = threads or torch.get_num_threads()
        self.session = ort.InferenceSession(graph, session_options(self.threads), providers=["CPUExecutionProvider"])
        self.model = model
        self.layers, self.kv_heads, self.head_dim = len(w["layers"]), w["kv_heads"], w["head_dim"]
        embed = model.model.embed_tokens.weight
        self.cache_dtype = embed.dtype  # what transformers' cache holds (``export``)
        self.embed = embed.detach().float()
        hidden, vocab = w["layers"][0]["o"].shape[0], w["lm_head"].shape[0]
        self.binding = self.session.io_binding()
        self.x, self.logits = torch.zeros(1, 1, hidden), torch.zeros(1, 1, vocab)
        self.seqlens, self.total = torch.zeros(1, dtype=torch.int32), torch.zeros((), dtype=torch.int32)
        for name, tensor in (("x", self.x), ("seqlens", self.seqlens), ("total", self.total)):
            self._bind(name, tensor)
        self._bind("logits", self.logits, output=True)
        # (layers, 1, kv_heads, capacity, head_dim) each: see _reserve
        self.keys = self.values = torch.zeros(self.layers, 1, self.kv_heads, 0, self.head_dim)
        self.length = 0  # positions held in the cache

    def _bind(self, name: str, tensor: torch.Tensor, output: bool = False) -> None:
        bind = self.binding.bind_output if output else self.binding.bind_input
        bind(name, "cpu", 0, _numpy_type(tensor), tuple(tensor.shape), tensor.data_ptr())

    # -- the cache ---------------------------------------------------------------------------
    @property
    def capacity(self) -> int:
        return self.keys.shape[3]

    def _reserve(self, capacity: int) -> None:
        """Buffers for ``capacity`` positions (kept across requests; grown, never shrunk), bound to the graph."""
        if capacity <= self.capacity:
            return
        capacity += CACHE_SLACK
        # zeros, not empty: attention never reads a position past ``total``, but the memory is bound as is
        keys = torch.zeros(self.layers, 1, self.kv_heads, capacity, self.head_dim)
        values = torch.zeros_like(keys)
        keys[:, :, :, :self.length] = self.keys[:, :, :, :self.length]
        values[:, :, :, :self.length] = self.values[:, :, :, :self.length]
        self.keys, self.values = keys, values
        # The rotary tables of every position, by the model's own module (what transformers' step uses).
        positions = torch.arange(capacity)[None]
        with torch.inference_mode():
            cos, sin = self.model.model.rotary_emb(self.embed[:1][None], position_ids=positions)
        half = self.head_dim // 2
        self.cos_cache = cos[0, :, :half].float().contiguous()
        self.sin_cache = sin[0, :, :half].float().contiguous()
        self._bind("cos_cache", self.cos_cache)
        self._bind("sin_cache", self.sin_cache)
        for index in range(self.layers):  # past and present: one buffer, written in place by the graph
            for name, buffer in (("keys", self.keys[index]), ("values", self.values[index])):
                self._bind(f"past_{name}{index}", buffer)
                self._bind(f"present_{name}{index}", buffer, output=True)

    def load(self, cache, need: int) -> None:
        """Take over a one-row transformers cache (after prefill), with room for ``need`` positions in all."""
        length = cache.layers[0].keys.shape[2]
        self.length = 0
        self._reserve(max(need, length + 1))
        for index, layer in enumerate(cache.layers):
            self.keys[index, :, :, :length] = layer.keys
            self.values[index, :, :, :length] = layer.values
        self.length = length

    def export(self):
        """The cache as a transformers ``DynamicCache`` (for the batched path, when other rows join)."""
        from transformers import DynamicCache

        cache = DynamicCache(config=self.model.config)
        for index in range(self.layers):
            cache.update(self.keys[index, :, :, :self.length].to(self.cache_dtype, copy=True),
                         self.values[index, :, :, :self.length].to(self.cache_dtype, copy=True), index)
        return cache

    # -- the step ----------------------------------------------------------------------------
    @torch.inference_mode()
    def step(self, token: int) -> torch.Tensor:
        """The (1, V) float32 logits after ``token``, which takes the next position of the cache."""
        position = self.length
        if position >= self.capacity:
            self._reserve(position + 1)
        self.x.view(-1).copy_(self.embed[token])
        self.seqlens[0] = position
        self.total.fill_(position + 1)
        self.session.run_with_iobinding(self.binding)
        self.length = position + 1
        return self.logits.view(1, -1).clone()  # the bound buffer is overwritten by the next step


def int8_decoder(lm) -> Int8Decoder:
    """The int8 step of one loaded ``LanguageModel`` (its graph built once, ~3-5 s, and kept with it)."""
    if lm.int8 is None or lm.int8.model is not lm.model:  # checked once, when built (and at load)
        check_int8_model(lm.model)
        lm.int8 = Int8Decoder(lm.model)
    return lm.int8


def check_int8_model(model: nn.Module) -> None:
    """Raise ``StudioError`` unless the int8 graph computes ``model``: a transformers Llama on the CPU with the
    default rotary embedding (``engine.models.lean.supports``) and bias-free linear layers."""
    config = getattr(model, "config", None)
    biased = config is not None and (getattr(config, "attention_bias", False) or getattr(config, "mlp_bias", False))
    if not supports(model) or biased:
        raise StudioError(f"precision 'int8' decodes Llama-family models only ({type(model).__name__} given): "
                          "use float16 or float32")
    if next(model.parameters()).device.type != "cpu":
        raise StudioError("precision 'int8' runs on the CPU only: use auto, float16 or float32 on a GPU")
