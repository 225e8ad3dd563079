"""One decode step of the writer as ONE ONNX Runtime graph (issue 25): the standard-op prototype against the
engine's int8 step (engine/models/int8_step.py, GroupQueryAttention: what ``precision="int8"`` serves).

The lean step (engine/models/lean.py) spends ~24 ms of a ~32 ms token in fbgemm's float16 GEMMs and the rest
in ~35 tensor calls a layer. ORT's ``MatMulNBits`` with 8-bit weights and int8 arithmetic (accuracy_level 4)
runs the GEMMs ~2x as fast (docs/PERFORMANCE.md), but called layer by layer from Python the gain is eaten
(benchmarks/ort_step.py). Here the whole token of one row is one graph, run by one ``run_with_iobinding``:

  inputs   x          [1, D]  float32: the token's input embedding row (embeddings stay in torch)
           cos, sin   [1, hd] float32: the position's RoPE rows (sin with its first half negated, as the lean
                      step keeps it: ``rotate_half(x) * sin`` = ``[x2, x1] * [-sin1, sin2]``)
           length     [1]     int64: positions already in the cache (the new token's position)
           keys{l}    [kv, hd, T] float32 per layer: the static cache's keys, held transposed (so that q K^T is
                      a plain MatMul), T = the cache's capacity (the prompt + the new tokens: any T, one
                      graph; positions >= length are masked)
           values{l}  [kv, T, hd] float32 per layer
  outputs  logits     [1, V]  float32
           k_new, v_new [kv, L, hd] float32: this token's (rotated) keys and values, which the caller writes
                      into the cache at ``length`` (two torch copies a token)

Per layer: RMSNorm in float32 (ReduceMean of x*x, ORT fuses it), q/k/v as one ``MatMulNBits``, RoPE with
Split/Concat/Mul/Add, attention over the cache with grouped heads without repeating k/v (q viewed as
[kv, heads/kv, hd] against each kv head's [hd, T] keys), the new token's own score and value added beside the
cache's, a length mask, Softmax; o, gate_up as one ``MatMulNBits``, SiLU times up, down; the final norm and the
output layer (``MatMulNBits`` too). Every ``MatMulNBits``: 8-bit (or 4-bit) symmetric per-block weights packed
by engine/models/onnx_graph.py (``quantise_blocks``), block 32 or 128, accuracy_level 4. The graph is written
as protobuf bytes by hand with that module's helpers (``onnx`` is not installed). ``--attention gqa`` runs the
engine's ``Int8Decoder`` (8-bit, block 32).

    python benchmarks/ort_token.py [--runs 5] [--block 32] [--bits 8] [--products 5] [--attention ops gqa]

Greedy decoding of 128 new tokens after the 50-token prompt of benchmarks/decode.py, one row, 1 thread (torch
and ORT intra_op 1 / inter_op 1), tokens/s = 128 / seconds from the call to the last token (the prompt's
prefill by transformers on the float16 serving weights included, the same for both), median of ``--runs``
runs, the lean float16 step and the ORT graph alternating run by run. Agreement: how many of the 128 tokens
are the lean step's, and over ``--products`` real products' prompts (luma), the top-1 agreement with the
lean step teacher-forced on the lean step's own greedy continuation (so one early difference does not
change every later position).
"""
from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import time
from pathlib import Path

import numpy as np
import torch
from torch import nn

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_VERBOSITY", "error")
sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from engine.models.int8_step import Int8Decoder, llama_weights, mlp_block, output_layer  # noqa: E402
from engine.models.onnx_graph import FLOAT, INT64, GraphBuilder, pb_value_info, session_options  # noqa: E402


# ----------------------------------------------------------------------------- the standard-op graph

def ops_token_graph(w: dict, bits: int = 8, block: int = 32, accuracy: int = 4) -> tuple[bytes, int]:
    """The one-token graph with attention in standard ops (the inputs and outputs of the module docstring) and
    the bytes of the packed weights (and scales) it holds. The GroupQueryAttention graph is the engine's
    (engine/models/int8_step.py: ``token_graph``)."""
    graph = GraphBuilder(bits, block, accuracy)
    heads, kv, hd = w["heads"], w["kv_heads"], w["head_dim"]
    group, d, n_layers = heads // kv, w["layers"][0]["o"].shape[0], len(w["layers"])
    vocab = w["lm_head"].shape[0]
    c = {name: graph.constant(name, value) for name, value in {  # shared constants
        "axis_last": np.array([-1], np.int64), "shape_qkv": np.array([heads + 2 * kv, hd], np.int64),
        "split_qk_v": np.array([heads + kv, kv], np.int64), "split_half": np.array([hd // 2, hd // 2], np.int64),
        "split_q_k": np.array([heads, kv], np.int64), "shape_q": np.array([kv, group, hd], np.int64),
        "shape_kv": np.array([kv, 1, hd], np.int64), "shape_row": np.array([1, d], np.int64),
        "zero_i": np.array([0], np.int64), "minus_one": np.array([-1], np.int64), "big": np.array([1 << 40], np.int64),
        "index_t": np.array(2, np.int64), "step_i": np.array(1, np.int64), "start_i": np.array(0, np.int64),
        "scale": np.array([w["scale"]], np.float32),
        "zero_f": np.array([0.0], np.float32), "masked": np.array([-1e30], np.float32),
    }.items()}
    op = graph.op
    # the length mask over the cache's T positions, then a 0 for the new token's own score: [T + 1]
    capacity = op("Gather", [op("Shape", ["keys0"]), c["index_t"]], axis=0)  # T, a scalar
    positions = op("Range", [c["start_i"], capacity, c["step_i"]])
    mask = op("Where", [op("Less", [positions, "length"]), c["zero_f"], c["masked"]])
    mask = op("Concat", [mask, c["zero_f"]], axis=0)

    x = "x"
    k_rows, v_rows = [], []
    for index, layer in enumerate(w["layers"]):
        h = graph.rms_norm(x, layer["input_norm"], f"in_norm{index}", w["eps"])
        qkv = op("Reshape", [graph.linear(h, layer["qkv"], f"qkv{index}"), c["shape_qkv"]])
        qk, v = op("Split", [qkv, c["split_qk_v"]], 2, axis=0)
        x1, x2 = op("Split", [qk, c["split_half"]], 2, axis=-1)
        rotated = op("Concat", [x2, x1], axis=-1)
        qk = op("Add", [op("Mul", [qk, "cos"]), op("Mul", [rotated, "sin"])])
        q, k = op("Split", [qk, c["split_q_k"]], 2, axis=0)
        q, k, v = op("Reshape", [q, c["shape_q"]]), op("Reshape", [k, c["shape_kv"]]), op("Reshape", [v, c["shape_kv"]])
        k_rows.append(k)
        v_rows.append(v)
        past = op("MatMul", [q, f"keys{index}"])  # [kv, group, T]
        own = op("ReduceSum", [op("Mul", [q, k]), c["axis_last"]], keepdims=1)  # [kv, group, 1]
        scores = op("Add", [op("Mul", [op("Concat", [past, own], axis=-1), c["scale"]]), mask])
        p = op("Softmax", [scores], axis=-1)
        p_past = op("Slice", [p, c["zero_i"], c["minus_one"], c["axis_last"]])
        p_own = op("Slice", [p, c["minus_one"], c["big"], c["axis_last"]])
        attn = op("Add", [op("MatMul", [p_past, f"values{index}"]), op("Mul", [p_own, v])])  # [kv, group, hd]
        x = op("Add", [x, graph.linear(op("Reshape", [attn, c["shape_row"]]), layer["o"], f"o{index}")])
        x = mlp_block(graph, x, layer, index, w["eps"])
    output_layer(graph, x, w)
    op("Concat", k_rows, ["k_new"], axis=1)  # [kv, L, hd]
    op("Concat", v_rows, ["v_new"], axis=1)

    inputs = [pb_value_info("x", FLOAT, (1, d)), pb_value_info("cos", FLOAT, (1, hd)), pb_value_info("sin", FLOAT, (1, hd)),
              pb_value_info("length", INT64, (1,))]
    for index in range(n_layers):
        inputs += [pb_value_info(f"keys{index}", FLOAT, (kv, hd, "T")), pb_value_info(f"values{index}", FLOAT, (kv, "T", hd))]
    outputs = [pb_value_info("logits", FLOAT, (1, vocab)), pb_value_info("k_new", FLOAT, (kv, n_layers, hd)),
               pb_value_info("v_new", FLOAT, (kv, n_layers, hd))]
    return graph.model(inputs, outputs, producer="benchmarks/ort_token.py"), graph.weight_bytes


# ----------------------------------------------------------------------------- the step

class OrtTokenStep:
    """One row's decoding with the standard-op graph: a static float32 cache of ``capacity`` positions held in
    torch tensors that ORT reads in place (IO binding), the graph's outputs bound to preallocated tensors; the
    step writes the new keys and values into the cache (two torch copies). The GroupQueryAttention variant is
    the engine's ``Int8Decoder`` (precision int8), which ``make_step`` returns for "gqa"."""

    def __init__(self, model: nn.Module, capacity: int, bits: int = 8, block: int = 32, accuracy: int = 4):
        import onnxruntime as ort

        w = llama_weights(model)
        graph, self.weight_bytes = ops_token_graph(w, bits, block, accuracy)
        self.session = ort.InferenceSession(graph, session_options(), providers=["CPUExecutionProvider"])
        self.model, self.n_layers, self.kv, self.hd = model, len(w["layers"]), w["kv_heads"], w["head_dim"]
        self.embed = model.model.embed_tokens.weight.detach().float()
        d, vocab = w["layers"][0]["o"].shape[0], w["lm_head"].shape[0]
        self.binding = self.session.io_binding()
        self.x, self.row_cos, self.row_sin = torch.zeros(1, d), torch.zeros(1, self.hd), torch.zeros(1, self.hd)
        self.position = torch.zeros(1, dtype=torch.int64)
        self.logits = torch.zeros(1, vocab)
        self.k_new, self.v_new = torch.zeros(self.kv, self.n_layers, self.hd), torch.zeros(self.kv, self.n_layers, self.hd)
        for name, tensor in (("x", self.x), ("cos", self.row_cos), ("sin", self.row_sin), ("length", self.position)):
            self._bind(name, tensor)
        for name, tensor in (("k_new", self.k_new), ("v_new", self.v_new), ("logits", self.logits)):
            self._bind(name, tensor, output=True)
        self.capacity, self.length = 0, 0
        self._reserve(capacity)

    def _bind(self, name: str, tensor: torch.Tensor, output: bool = False) -> None:
        dtype = {torch.int64: np.int64, torch.int32: np.int32}.get(tensor.dtype, np.float32)
        bind = self.binding.bind_output if output else self.binding.bind_input
        bind(name, "cpu", 0, dtype, tuple(tensor.shape), tensor.data_ptr())

    def _reserve(self, capacity: int) -> None:
        """A cache of exactly ``capacity`` positions (the graph reads every one of them, masked past
        ``length``: a cache sized to the request, as the lean step narrows its own to the positions held)."""
        if capacity == self.capacity:
            return
        positions = torch.arange(capacity)[None]
        with torch.inference_mode():
            cos, sin = self.model.model.rotary_emb(self.embed[:1][None], position_ids=positions)
        half = self.hd // 2
        self.cos = cos[0].float().contiguous()
        self.sin = torch.cat([-sin[0, :, :half], sin[0, :, half:]], dim=-1).float().contiguous()
        # zeros, not empty: a masked position's score is -1e30 + its product, and 0 x NaN would be NaN
        self.keys = torch.zeros(self.n_layers, self.kv, self.hd, capacity)
        self.values = torch.zeros(self.n_layers, self.kv, capacity, self.hd)
        for index in range(self.n_layers):
            self._bind(f"keys{index}", self.keys[index])
            self._bind(f"values{index}", self.values[index])
        self.capacity, self.length = capacity, 0

    def load(self, cache, need: int | None = None) -> None:
        """Take over a one-row transformers cache (after prefill), with room for ``need`` positions in all."""
        length = cache.layers[0].keys.shape[2]
        self._reserve(max(need or self.capacity, length + 1))
        self.keys.zero_()
        self.values.zero_()
        for index, layer in enumerate(cache.layers):
            self.keys[index, :, :, :length] = layer.keys[0].transpose(-1, -2).float()
            self.values[index, :, :length] = layer.values[0].float()
        self.length = length

    @torch.inference_mode()
    def step(self, token: int) -> torch.Tensor:
        """The (1, V) float32 logits after ``token``, which takes the next position of the cache."""
        position = self.length
        assert position < self.capacity, "the cache is full"
        self.x.view(-1).copy_(self.embed[token])
        self.row_cos.copy_(self.cos[position])
        self.row_sin.copy_(self.sin[position])
        self.position[0] = position
        self.session.run_with_iobinding(self.binding)
        self.keys[:, :, :, position] = self.k_new.transpose(0, 1)
        self.values[:, :, position] = self.v_new.transpose(0, 1)
        self.length = position + 1
        return self.logits


def make_step(model: nn.Module, capacity: int, attention: str, bits: int = 8, block: int = 32):
    """The standard-op graph's step ("ops"), or the engine's int8 step ("gqa": block 32, 8-bit only)."""
    if attention == "ops":
        return OrtTokenStep(model, capacity, bits, block)
    if (bits, block) != (8, 32):
        raise SystemExit("--attention gqa is the engine's Int8Decoder: 8-bit, block 32 only")
    return Int8Decoder(model, threads=1)


# ----------------------------------------------------------------------------- the benchmark

def prefill(model, ids: torch.Tensor):
    from transformers import DynamicCache

    cache = DynamicCache(config=model.config)  # filled in place
    with torch.inference_mode():
        out = model(input_ids=ids, cache=cache, use_cache=True)
    return out.logits[0, -1].float(), cache


def greedy(model, step, ids: torch.Tensor, new: int, forced: list[int] | None = None):
    """Greedy decoding of ``new`` tokens with ``step`` (``load`` + ``step``): (seconds, tokens, the argmax at
    every position, seconds of the steps alone). ``forced``: feed these tokens instead of the step's own choices
    (teacher forcing)."""
    start = time.perf_counter()
    logits, cache = prefill(model, ids)
    step.load(cache, ids.shape[1] + new)
    steps = time.perf_counter()
    choice = int(logits.argmax())
    tokens, choices = [forced[0] if forced else choice], [choice]
    for index in range(1, new):
        choice = int(step.step(tokens[-1]).argmax())
        choices.append(choice)
        tokens.append(forced[index] if forced else choice)
    end = time.perf_counter()
    return end - start, tokens, choices, end - steps


def product_prompts(count: int) -> list[str]:
    """The first ``count`` luma products as writer-style prompts (title, description, bullets, attributes)."""
    luma = Path(__file__).resolve().parents[2] / "shared" / "data" / "luma" / "products.jsonl"
    if not luma.exists():
        luma = Path("/work/shared/data/luma/products.jsonl")
    prompts = []
    with luma.open(encoding="utf-8") as lines:
        for line in lines:
            record = json.loads(line)
            attributes = record.get("attributes", {})
            facts = "; ".join(f"{k}: {', '.join(v) if isinstance(v, list) else v}" for k, v in attributes.items()
                              if k in ("material", "pattern", "climate", "available_colors"))
            prompts.append(f"{record['title']}. {record['description']} {' '.join(record.get('bullets', []))} "
                           f"{facts}. Write a product description.")
            if len(prompts) == count:
                break
    return prompts


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--bits", type=int, choices=(4, 8), default=8)
    parser.add_argument("--block", type=int, choices=(32, 128), default=32)
    parser.add_argument("--new-tokens", type=int, default=128)
    parser.add_argument("--products", type=int, default=5, help="real products' prompts for the top-1 agreement")
    parser.add_argument("--agreement-tokens", type=int, default=64)
    parser.add_argument("--attention", nargs="+", choices=("ops", "gqa"), default=["ops", "gqa"])
    args = parser.parse_args()
    from decode import load_language_model, prompt_ids
    from engine.models.lean import LeanDecoder
    from report import machine

    load_start = os.getloadavg()[0]
    torch.set_num_threads(1)
    lm = load_language_model("smollm2-135m", "cpu", "float16")
    model = lm.model
    ids = prompt_ids(lm.tokenizer, 50)
    built = time.perf_counter()
    made = {}
    for attention in args.attention:
        built = time.perf_counter()
        made[attention] = make_step(model, ids.shape[1] + args.new_tokens, attention, args.bits, args.block)
        print(f"ORT graph ({attention}) built in {time.perf_counter() - built:.1f} s, "
              f"{made[attention].weight_bytes / 1e6:.0f} MB of packed weights", flush=True)
    lean = LeanDecoder(model)
    label = {"ops": "standard-op attention", "gqa": "GroupQueryAttention"}
    steps = {"lean float16 (fbgemm)": lean,
             **{f"ORT one graph, {label[a]} ({args.bits}-bit, block {args.block}, acc 4)": s for a, s in made.items()}}
    for step in steps.values():  # warm, untimed
        greedy(model, step, ids, args.new_tokens)
    speed, step_ms, tokens = {name: [] for name in steps}, {name: [] for name in steps}, {}
    for index in range(args.runs):
        for name, step in steps.items():
            seconds, tokens[name], _, stepping = greedy(model, step, ids, args.new_tokens)
            speed[name].append(args.new_tokens / seconds)
            step_ms[name].append(1e3 * stepping / (args.new_tokens - 1))
        print(f"run {index}: " + ", ".join(f"{n} {v[-1]:.1f} tokens/s ({step_ms[n][-1]:.1f} ms a step)"
                                            for n, v in speed.items()) + f" (load {os.getloadavg()[0]:.1f})", flush=True)
    lean_name = next(iter(steps))
    base = tokens[lean_name]
    print(f"medians over {args.runs} runs, 128 new tokens after a 50-token prompt, prefill included (1 thread):")
    for name in steps:
        tps = statistics.median(speed[name])
        paired = statistics.median(b / a for a, b in zip(speed[lean_name], speed[name]))
        differs = next((i for i, (a, b) in enumerate(zip(base, tokens[name])) if a != b), None)
        print(f"  {name}: {tps:.1f} tokens/s, {tps / statistics.median(speed[lean_name]):.2f}x the lean step "
              f"(run by run, median {paired:.2f}x); {statistics.median(step_ms[name]):.1f} ms a step (prefill left out)"
              + ("" if name == lean_name else f"; the lean step's tokens in place: {sum(a == b for a, b in zip(base, tokens[name]))} "
                 f"of {args.new_tokens}" + (f", the first difference at token {differs}" if differs is not None else "")),
              flush=True)

    prompts = product_prompts(args.products)
    counts = {a: [0, 0, 0, 0] for a in made}  # forced hits, forced total, free same, free total
    for prompt in prompts:
        p_ids = lm.tokenizer(prompt, return_tensors="pt")["input_ids"]
        n = args.agreement_tokens
        _, lean_tokens, _, _ = greedy(model, lean, p_ids, n)
        for attention, ort_step in made.items():
            _, _, ort_choices, _ = greedy(model, ort_step, p_ids, n, forced=lean_tokens)
            _, ort_tokens, _, _ = greedy(model, ort_step, p_ids, n)
            hits = sum(a == b for a, b in zip(lean_tokens[1:], ort_choices[1:]))  # position 0: the shared prefill's
            same = sum(a == b for a, b in zip(lean_tokens, ort_tokens))
            first = next((i for i, (a, b) in enumerate(zip(lean_tokens, ort_tokens)) if a != b), None)
            c = counts[attention]
            c[0], c[1], c[2], c[3] = c[0] + hits, c[1] + n - 1, c[2] + same, c[3] + n
            print(f"  {p_ids.shape[1]}-token prompt, {attention}: top-1 teacher-forced {hits}/{n - 1}; free-running "
                  f"same in place {same}/{n}, first difference {first}", flush=True)
    for attention, (hits, total, same, free) in counts.items():
        print(f"{attention}: top-1 agreement with the lean step (teacher-forced on its tokens, {len(prompts)} luma "
              f"products): {hits}/{total} = {100 * hits / total:.1f} %; free-running tokens in place: {same}/{free}")
    print(f"Machine: {machine()}; load average {load_start:.1f} at the start")


if __name__ == "__main__":
    main()
