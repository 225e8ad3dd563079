"""Single-stream decoding against the hardware's limit (issue 25), in one run on one machine.

For a 50-token prompt and exactly 128 new tokens, greedy, one row, at 1 and at 2 torch threads:

  bare       a plain ``transformers`` ``generate`` on the converted weights in float32;
  today      the studio's decoder as it was: float16 serving layers (engine/models/serving.py), the
             decoding loop of engine/models/batching.py with every row rule (repetition penalty, no
             repeated 4-gram, the least length), transformers' own step (``set_lean_decoding(False)``);
  lean       the same decoder with the lean step (engine/models/lean.py): static key/value cache, the
             layers written out over the same weights; checked here to write the same tokens as today.
  int8       the same decoder at ``precision="int8"``: the lone row stepped by ``Int8Decoder``
             (engine/models/int8_step.py: one ONNX Runtime graph a token, 8-bit ``MatMulNBits`` weights),
             the prefill on the float16 serving weights; ONNX Runtime's intra-op threads = the thread count.

tokens/s = 128 / seconds from the call to the last token (prompt prefill included), median of ``--runs``
runs; the paths and thread counts alternate run by run so that they see the same load. The decoder paths
run ``RunningBatch`` in this thread (the studio runs it in its batcher's worker thread: the same calls,
without the queue hand-off), so that ``torch.set_num_threads`` governs them.

The bound: one token reads every weight once, plus the key/value cache so far. bytes per token =
2 bytes x the parameters of every linear layer (float16; the output layer included) + the norms and one
embedding row + the mean key/value cache read over the 128 steps; single-core read bandwidth = the best
of several ``sum`` passes over a 512 MB float32 tensor at 1 thread. bound (tokens/s) = bandwidth / bytes.
The int8 row's bound counts the bytes its graph holds instead of the float16 weights: 8-bit weights and one
float32 scale a block of 32 (the output layer included), plus the same norms, embedding row and cache.

``--kernels`` also times the model's linear layers alone (one token's GEMMs) in float16 (fbgemm), int8
dynamic (fbgemm) and int8 weight-only (``torch._weight_int8pack_mm``), and as ONNX Runtime graphs
(benchmarks/ort_gemms.py: ``MatMul`` in float32 and float16, ``MatMulNBits`` with 4- and 8-bit weights):
what 8-bit (or 4-bit) weights would buy. The kernels alternate round by round, so that they see the same
load. ``--kernels-only`` times only those (no decoding) and prints the table.

    python benchmarks/decode.py [--runs 5] [--kernels] [--write]
    python benchmarks/decode.py --kernels-only [--kernel-runs 15]
"""
from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from pathlib import Path

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_VERBOSITY", "error")

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))
sys.path.insert(0, str(REPO / "benchmarks"))

import torch  # noqa: E402

from engine.models.batching import Request, RunningBatch  # noqa: E402
from engine.models.lean import set_lean_decoding  # noqa: E402
from engine.models.language import convert_embedded, load_language_model  # noqa: E402
from report import machine, write_section  # noqa: E402

SECTION = "## Single-stream decoding (issue 25)"
PROMPT = ("Rocco Gym Tank. A sleeveless training top in a light, breathable polyester and elastane blend that wicks "
          "sweat and dries quickly. Relaxed fit, racerback cut, flatlock seams that do not chafe, a reflective logo "
          "for early runs. Machine wash cold, tumble dry low. Sizes XS to XL. Colours: blue, black, grey. "
          "Write a product description.")
PATHS = ("bare", "today", "lean", "int8")


READING = """
What the lean step is (engine/models/lean.py) and what was chosen where the issue left it open:

- **Single rows only.** A row decoding alone (one user; a Create written one field at a time; the last
  row of a batch) is stepped by `LeanDecoder`; batched rows keep transformers' left-padded step, whose
  per-layer Python is paid once for all the rows. The batch hands its cache to the lean step when one row
  is left and takes it back (`export`) when another joins (engine/models/batching.py), so the server's
  batching and the studio's Create both use it.
- **Exact, not compiled.** The step runs the same tensor operations transformers runs, in the same order
  (RMSNorm's float32 statistics, RoPE, `scaled_dot_product_attention` with grouped heads and no mask), on
  a static cache with fewer calls: q/k/v as one float16 GEMM (stacked columns: the same bits), RoPE on q
  and k together (`rotate_half(x) * sin` as a flip times a sign-folded sin: the same bits), one `unbind`
  for every layer's cache views. Its logits are bitwise transformers' (tests/test_lean_decode.py, float16
  and float32), so every logits rule sees the same scores and the same seed writes the same text.
  `torch.compile` was not adopted: Inductor fuses the pointwise work and reorders the reductions
  (RMSNorm's mean, the softmax), which changes the last bits, and then the same-text guarantee is gone;
  it also costs a compile at every start on a 2-core box.
- **8-bit weights: an opt-in precision, `int8`.** On this AVX2 CPU (no VNNI) fbgemm's int8 kernels do not
  buy the 2x the bound promises (their arithmetic, not the bytes, sets their pace); ONNX Runtime's
  `MatMulNBits` (MLAS, int8 arithmetic: `accuracy_level` 4) does, 1.8-2.2x fbgemm float16 for one token's
  GEMMs (the ORT table in the next section), but only with the whole token as one ORT graph: swapped in
  layer by layer under the lean step (`benchmarks/ort_step.py`), 271 calls a token ate the gain. So
  `precision="int8"` (engine/models/int8_step.py) steps a lone row with one graph a token
  (GroupQueryAttention over a static cache bound in place, 8-bit weights in blocks of 32), prefill and
  batched rows on the float16 weights. Its logits are not float16's (the weights' rounding, about 1 % of
  each layer's output, and the row's int8 rounding): the same-text guarantee does not hold across
  precisions, so it is opt-in with its own quality table (docs/EVALUATION.md), and the default stays
  float16. 4-bit with per-block rounding is too coarse for a 135M model (13-27 % per layer).
- **Threads: 1.** Two threads split fbgemm's GEMMs over both cores, but on a shared 2-core machine the
  second OpenMP thread waits on a core another job holds, and decoding collapses (measured with
  `--threads 1 2` while other jobs ran: 1-8 tokens/s with 2 threads against 31 with 1); a server also runs encoders and scores in other threads (each with its own OpenMP pool). The
  studio keeps `configure_threads`' 1 thread on machines with 2 cores or fewer; `--threads 2` remains the
  operator's choice for a machine of their own.
- **GPU.** No GPU was lent to this task. The step is device-agnostic (`F.linear` on a GPU's bfloat16
  weights, the cache and tables on the model's device; the float32 `F.linear` path is checked bitwise on
  the CPU), and its fixed shapes are what a captured graph needs; capturing one, and `benchmarks/gpu.py`'s
  products/s at batch sizes 1, 8 and 64, remain for a task that has a GPU.
"""


# ----------------------------------------------------------------------------- the three paths

def prompt_ids(tokenizer, length: int) -> torch.Tensor:
    ids = tokenizer(PROMPT, return_tensors="pt")["input_ids"][:, :length]
    assert ids.shape[1] == length, f"the prompt has only {ids.shape[1]} tokens"
    return ids


def bare_run(model, ids: torch.Tensor, new: int, eos: int) -> tuple[float, float, list[int]]:
    start, cpu = time.perf_counter(), time.thread_time()
    with torch.inference_mode():
        out = model.generate(input_ids=ids, attention_mask=torch.ones_like(ids), do_sample=False,
                             min_new_tokens=new, max_new_tokens=new, pad_token_id=eos)
    seconds, cpu = time.perf_counter() - start, time.thread_time() - cpu
    assert out.shape[1] - ids.shape[1] == new
    return seconds, cpu, out[0, ids.shape[1]:].tolist()


def decoder_run(lm, ids: torch.Tensor, new: int, lean: bool) -> tuple[float, float, list[int]]:
    """One request through the studio's decoding loop (engine/models/batching.py), greedy, exactly ``new`` tokens."""
    set_lean_decoding(lean)
    request = Request(input_ids=ids, max_new_tokens=new, min_new_tokens=new, temperature=0.0, top_p=1.0, seed=0,
                      stop_ids=frozenset({lm.tokenizer.eos_token_id}))
    start, cpu = time.perf_counter(), time.thread_time()
    batch = RunningBatch(lm)
    batch.join([request])
    while batch:
        batch.step()
    seconds, cpu = time.perf_counter() - start, time.thread_time() - cpu
    assert len(request.tokens) == new, len(request.tokens)
    return seconds, cpu, list(request.tokens)


def int8_run(lm8, decoders: dict, ids: torch.Tensor, new: int) -> tuple[float, float, list[int]]:
    """``decoder_run`` at precision int8, with the int8 step whose ONNX Runtime session has torch's thread count."""
    lm8.int8 = decoders[torch.get_num_threads()]
    return decoder_run(lm8, ids, new, lean=True)


# ----------------------------------------------------------------------------- the bound

def read_bandwidth(threads: int = 1, megabytes: int = 512, passes: int = 7) -> float:
    """Bytes per second one ``sum`` reads from a tensor far larger than the caches (best of ``passes``)."""
    torch.set_num_threads(threads)
    x = torch.ones(megabytes * 1024 * 1024 // 4)
    x.sum()
    best = min(_timed(x.sum) for _ in range(passes))
    return x.numel() * 4 / best


def _timed(function) -> float:
    start = time.perf_counter()
    function()
    return time.perf_counter() - start


def bytes_per_token(config, prompt: int, new: int) -> dict[str, float]:
    """What one decode step reads: the linear weights at 2 bytes, norms and one embedding row at 4 bytes,
    and the key/value cache (float32) so far, averaged over the ``new`` steps."""
    d, layers = config.hidden_size, config.num_hidden_layers
    head = getattr(config, "head_dim", None) or d // config.num_attention_heads
    kv = config.num_key_value_heads * head
    per_layer = d * d * 2 + d * kv * 2 + 3 * d * config.intermediate_size  # q, o; k, v; gate, up, down
    linear = layers * per_layer + config.vocab_size * d  # the output layer (tied to the embedding, held apart)
    small = (2 * layers + 1) * d * 4 + d * 4
    cache = layers * 2 * kv * 4 * (prompt + new / 2)
    return {"weights": linear * 2.0, "small": float(small), "cache": cache, "total": linear * 2.0 + small + cache,
            "total_int8": linear * 1.0 + small + cache}


# ----------------------------------------------------------------------------- 8-bit kernels

def kernel_times(lm, runs: int = 11, ort: bool = True) -> dict:
    """One token's GEMMs (every linear layer of the model once, one row, 1 thread) by kernel: name ->
    {"seconds": median, "bytes": the weights (and scales) the kernel reads, "error": the largest relative error
    of its product against float32 arithmetic on the weights it holds, and on the float16 serving weights (ORT
    rows; None for torch's)}. The kernels
    alternate round by round (each round runs every kernel once), so that each sees the same load; the
    median is over ``runs`` rounds. ``ort``: also the ONNX Runtime kernels of benchmarks/ort_gemms.py."""
    import warnings

    from engine.models.serving import Float16Linear

    torch.set_num_threads(1)
    weights = []
    for module in lm.model.modules():
        if isinstance(module, Float16Linear):
            weights.append(torch.ops.quantized.linear_unpack_fp16(module.packed)[0])
    inputs = [torch.randn(1, w.shape[1]) for w in weights]
    fp16 = [torch.ops.quantized.linear_prepack_fp16(w, None) for w in weights]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        scales = [w.abs().amax(1).clamp(min=1e-8) / 127 for w in weights]
        dynamic = [torch.ops.quantized.linear_prepack(torch.quantize_per_channel(
            w, s, torch.zeros(len(s), dtype=torch.long), 0, torch.qint8), None) for w, s in zip(weights, scales)]
    int8 = [(w / s[:, None]).round().clamp(-127, 127).to(torch.int8) for w, s in zip(weights, scales)]
    elements = sum(w.numel() for w in weights)
    rows = sum(w.shape[0] for w in weights)
    kernels = {
        "float16 (fbgemm, today)": (lambda: [torch.ops.quantized.linear_dynamic_fp16(x, p) for x, p in zip(inputs, fp16)],
                                    2 * elements, None),
        "int8 dynamic (fbgemm)": (lambda: [torch.ops.quantized.linear_dynamic(x, p, True) for x, p in zip(inputs, dynamic)],
                                  elements + 4 * rows, None),
        "int8 weight-only (_weight_int8pack_mm)": (lambda: [torch._weight_int8pack_mm(x, w, s)
                                                            for x, w, s in zip(inputs, int8, scales)],
                                                   elements + 4 * rows, None),
    }
    skipped = {}
    if ort:
        try:
            import onnxruntime  # noqa: F401
            from ort_gemms import ort_kernels
        except ImportError as error:  # onnxruntime not installed: the torch rows alone
            skipped = {"ONNX Runtime": str(error)}
        else:
            made = ort_kernels([w.numpy() for w in weights])
            kernels.update(made["kernels"])
            skipped = made["skipped"]
    times = {name: [] for name in kernels}
    with torch.inference_mode():
        for run, _, _ in kernels.values():
            run()
        for _ in range(runs):
            for name, (run, _, _) in kernels.items():
                times[name].append(_timed(run))
    return {"kernels": {name: {"seconds": statistics.median(times[name]), "bytes": seen, "error": error}
                        for name, (_, seen, error) in kernels.items()},
            "skipped": skipped, "runs": runs}


def kernel_table(kernels: dict) -> str:
    """The markdown rows of ``kernel_times``: time, the weights' read rate, the ratio to fbgemm float16."""
    base = kernels["kernels"]["float16 (fbgemm, today)"]["seconds"]
    rows = ["| kernel | time | weights read at | vs float16 (fbgemm) | relative error: arithmetic | and weights |",
            "|---|---|---|---|---|---|"]
    for name, k in kernels["kernels"].items():
        rows.append(f"| {name} | {1e3 * k['seconds']:.1f} ms | {k['bytes'] / k['seconds'] / 1e9:.1f} GB/s "
                    f"({k['bytes'] / 1e6:.0f} MB) | {base / k['seconds']:.2f}x | "
                    + (" | ".join(f"{e:.1e}" for e in k["error"]) if k["error"] is not None else " | ") + " |")
    for name, why in kernels["skipped"].items():
        rows.append(f"| {name} | not run: {why} | | | | |")
    return "\n".join(rows)


# ----------------------------------------------------------------------------- a whole Create

def create_ab(runs: int, product_id: str = "MT05") -> dict:
    """``Studio.generate`` (title, description, bullets, keywords, scores; the Create tab's defaults) three ways,
    alternating seed by seed (seeds 0..runs-1, 1 thread): transformers' step and the lean step at float16 (one
    Studio, ``set_lean_decoding``), and a Studio at ``precision="int8"``; and how often the copy matched."""
    import json

    from engine.pipeline import Studio
    from engine.core.product import Product
    from engine.core.settings import Settings

    luma = REPO.parent / "shared" / "data" / "luma" / "products.jsonl"
    record = next(json.loads(line) for line in luma.open(encoding="utf-8") if json.loads(line)["id"] == product_id)
    product = Product.from_record(record, luma.parent)
    torch.set_num_threads(1)
    studio, studio8 = Studio(device="cpu"), Studio(device="cpu", precision="int8")
    studio.warm_up(Settings())
    studio8.warm_up(Settings())  # builds the int8 graphs (the writer's and the base model's)

    def create(way: str, seed: int) -> dict:
        set_lean_decoding(way != "today")
        return (studio8 if way == "int8" else studio).generate(product, Settings(seed=seed), store=False).copy.to_dict()

    ways = ("today", "lean", "int8")
    seconds = {way: [] for way in ways}
    same = {"today": 0, "int8": 0}  # the copy the lean step wrote, word for word
    for way in ways:  # first calls (caches, tables) untimed
        create(way, 0)
    for seed in range(runs):
        copies = {}
        for way in ways:
            start = time.perf_counter()
            copies[way] = create(way, seed)
            seconds[way].append(time.perf_counter() - start)
        same["today"] += copies["today"] == copies["lean"]
        same["int8"] += copies["int8"] == copies["lean"]
        print(f"Create seed {seed}: " + ", ".join(f"{w} {seconds[w][-1]:.2f} s" for w in ways), flush=True)
    set_lean_decoding(True)
    return {**{way: statistics.median(seconds[way]) for way in ways},
            "paired": statistics.median(a / b for a, b in zip(seconds["today"], seconds["lean"])),
            "paired_int8": statistics.median(a / b for a, b in zip(seconds["lean"], seconds["int8"])),
            "paired_int8_today": statistics.median(a / b for a, b in zip(seconds["today"], seconds["int8"])),
            "same": same["today"], "same_int8": same["int8"], "runs": runs, "product": f"{product.id} ({product.title})"}


# ----------------------------------------------------------------------------- report

def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--prompt-tokens", type=int, default=50)
    parser.add_argument("--new-tokens", type=int, default=128)
    parser.add_argument("--threads", type=int, nargs="+", default=[1, 2])
    parser.add_argument("--kernels", action="store_true", help="also time one token's GEMMs by kernel (torch and ONNX Runtime)")
    parser.add_argument("--kernel-runs", type=int, default=11, help="rounds of the --kernels timing (median)")
    parser.add_argument("--no-ort", action="store_true", help="--kernels without the ONNX Runtime kernels")
    parser.add_argument("--kernels-only", action="store_true",
                        help="time one token's GEMMs by kernel and print the table; no decoding (not with --write)")
    parser.add_argument("--create", type=int, default=0, metavar="N",
                        help="also time N whole Creates (seeds 0..N-1) with today's step, the lean one and at int8")
    parser.add_argument("--write", action="store_true", help=f"replace the '{SECTION}' section of docs/PERFORMANCE.md")
    args = parser.parse_args()
    command = ("python benchmarks/decode.py" + ("" if args.kernels_only else
                                                 f" --runs {args.runs} --threads {' '.join(map(str, args.threads))}")
               + (" --kernels" if args.kernels else "") + (" --kernels-only" if args.kernels_only else "")
               + (f" --kernel-runs {args.kernel_runs}" if args.kernel_runs != 11 else "") + (" --no-ort" if args.no_ort else "")
               + (f" --create {args.create}" if args.create else "")
               + (" --write" if args.write else ""))
    load_start = os.getloadavg()[0]

    from transformers import AutoModelForCausalLM

    lm = load_language_model("smollm2-135m", "cpu", "float16")
    if args.kernels_only:
        if args.write:
            parser.error("--kernels-only prints its table; --write needs the whole run")
        kernels = kernel_times(lm, args.kernel_runs, ort=not args.no_ort)
        print(f"Command: `{command}`  \nMachine: {machine()}; load average {load_start:.1f} at the start.\n\n" + kernel_table(kernels))
        return
    bare = AutoModelForCausalLM.from_pretrained(convert_embedded("smollm2-135m"), dtype=torch.float32).eval()
    ids = prompt_ids(lm.tokenizer, args.prompt_tokens)
    eos = lm.tokenizer.eos_token_id
    from engine.models.int8_step import Int8Decoder

    lm8 = load_language_model("smollm2-135m", "cpu", "int8")  # float16 serving weights, the int8 step
    int8_steps = {threads: Int8Decoder(lm8.model, threads=threads) for threads in args.threads}
    run = {"bare": lambda: bare_run(bare, ids, args.new_tokens, eos),
           "today": lambda: decoder_run(lm, ids, args.new_tokens, lean=False),
           "lean": lambda: decoder_run(lm, ids, args.new_tokens, lean=True),
           "int8": lambda: int8_run(lm8, int8_steps, ids, args.new_tokens)}

    seconds = {(p, t): [] for p in PATHS for t in args.threads}
    cpu = {(p, t): [] for p in PATHS for t in args.threads}
    tokens = {}
    for threads in args.threads:  # warm every path at every thread count, untimed
        torch.set_num_threads(threads)
        for path in PATHS:
            run[path]()
    for index in range(args.runs):
        for threads in args.threads:
            torch.set_num_threads(threads)
            for path in PATHS:
                elapsed, busy, tokens[path, threads, index] = run[path]()
                seconds[path, threads].append(elapsed)
                cpu[path, threads].append(busy)
        print(f"run {index}: " + ", ".join(f"{p}@{t} {args.new_tokens / seconds[p, t][-1]:.1f}"
                                            for t in args.threads for p in PATHS) + " tokens/s", flush=True)
    set_lean_decoding(True)
    same = all(tokens["lean", t, i] == tokens["today", t, i] for t in args.threads for i in range(args.runs))
    first = tokens["lean", args.threads[0], 0], tokens["int8", args.threads[0], 0]
    int8_same = sum(a == b for a, b in zip(*first))
    int8_differs = next((i for i, (a, b) in enumerate(zip(*first)) if a != b), None)
    lm8.int8 = None  # the Create's int8 Studio builds its own at 1 thread
    tps = {key: args.new_tokens / statistics.median(value) for key, value in seconds.items()}
    # tokens per second of this thread's CPU time: what a core of its own would give, had the other jobs on
    # the machine not taken turns on it (their pull on memory bandwidth still counts). 1 thread only: with
    # 2, the second thread's work is not this thread's time.
    cpu_tps = {key: args.new_tokens / statistics.median(value) for key, value in cpu.items()}

    bandwidth = read_bandwidth(1)
    bandwidth2 = read_bandwidth(2) if 2 in args.threads else None
    need = bytes_per_token(lm.model.config, args.prompt_tokens, args.new_tokens)
    bound = bandwidth / need["total"]
    need_int8 = int8_steps[args.threads[0]].weight_bytes + need["small"] + need["cache"]
    bound_int8 = bandwidth / need_int8
    kernels = kernel_times(lm, args.kernel_runs, ort=not args.no_ort) if args.kernels else {}
    create = create_ab(args.create) if args.create else None
    torch.set_num_threads(1)
    load_end = os.getloadavg()[0]

    rows = []
    for threads in args.threads:
        for path, label in (("bare", "bare transformers generate, float32"), ("today", "today's decoder (float16 layers, transformers step)"),
                            ("lean", "lean decoder (float16 layers, lean step)"),
                            ("int8", "int8 decoder (one ONNX Runtime graph, 8-bit weights)")):
            value = tps[path, threads]
            its_bound = bound_int8 if path == "int8" else bound
            on_cpu = (f"{cpu_tps[path, threads]:.1f} ({100 * cpu_tps[path, threads] / its_bound:.0f} %)"
                      if threads == 1 else "")
            rows.append(f"| {label} | {threads} | {value:.1f} | {value / tps['bare', threads]:.2f}x | "
                        f"{value / tps['today', threads]:.2f}x | {value / tps['lean', threads]:.2f}x | "
                        f"{100 * value / its_bound:.0f} % | {on_cpu} |")
    table = "\n".join(rows)
    text = (f"{SECTION}\n\nOne row, a {args.prompt_tokens}-token prompt and exactly {args.new_tokens} new tokens, greedy; "
            f"tokens/s = {args.new_tokens} / seconds from the call to the last token (prefill included), median of "
            f"{args.runs} runs, paths and thread counts alternating run by run.\n\n"
            f"Command: `{command}`  \nMachine: {machine()}; load average {load_start:.1f} at the start. "
            "The machine is shared with other jobs (2 cores): the numbers move with their load.\n\n"
            f"| path | threads | tokens/s | vs bare | vs today | vs lean | of its 1-core bound | per CPU-second (of the bound) |\n"
            f"|---|---|---|---|---|---|---|---|\n{table}\n\n"
            "Its bound: the float16 one for bare, today and lean (bare reads float32 weights: twice the bytes), "
            "the 8-bit one for int8.\n\n"
            "Per CPU-second: 128 / the decoding thread's own CPU seconds, 1 thread: the speed with a core to "
            "itself (other jobs' turns on the core left out; their pull on memory bandwidth is not).\n\n"
            f"Same tokens from the lean step as from today's decoder: {'yes' if same else 'NO'}, every run and thread count. "
            f"The int8 step's tokens equal to the lean step's in place: {int8_same} of {args.new_tokens}"
            + (f" (the first change at token {int8_differs})" if int8_differs is not None else "") + ".\n\n"
            f"The bound: a token reads {need['total'] / 1e6:.0f} MB (float16 linear weights {need['weights'] / 1e6:.0f} MB, "
            f"norms and an embedding row {need['small'] / 1e6:.2f} MB, the key/value cache {need['cache'] / 1e6:.1f} MB on "
            f"average); one core reads {bandwidth / 1e9:.1f} GB/s (best `sum` over 512 MB, 1 thread"
            + (f"; {bandwidth2 / 1e9:.1f} GB/s with 2 threads" if bandwidth2 else "")
            + f"), so **{bound:.0f} tokens/s** at float16 and {bandwidth / need['total_int8']:.0f} tokens/s with 8-bit weights "
            f"without scales; the int8 graph holds {int8_steps[args.threads[0]].weight_bytes / 1e6:.0f} MB of 8-bit weights and "
            f"scales, a token reads {need_int8 / 1e6:.0f} MB: **{bound_int8:.0f} tokens/s**.\n")
    if kernels:
        text += ("\nOne token's GEMMs alone (every linear layer once, one row, 1 thread), by kernel: median of "
                 f"{kernels['runs']} rounds, the kernels alternating within each round; bytes/s = the bytes of the "
                 "weights (and scales) in that format / time; vs float16 = fbgemm float16's time / this one's (same "
                 "run); relative error = the largest over the layers of ||error|| / ||output|| (a random normal row) "
                 "against float32 arithmetic on the weights the kernel holds (what its arithmetic adds: int8 rows "
                 "at accuracy 4), and on the float16 serving weights (the weights' rounding too); ORT rows only:\n\n"
                 + kernel_table(kernels) + "\n")
    if create:
        text += (f"\nA whole Create (title, description, bullets, keywords, scores; the Create tab's defaults, product "
                 f"{create['product']}, seeds 0..{create['runs'] - 1}, 1 thread, alternating): today's step "
                 f"{create['today']:.2f} s, the lean step {create['lean']:.2f} s, int8 {create['int8']:.2f} s (medians); "
                 f"per seed, the lean step is {create['paired']:.2f}x as fast as today's and int8 {create['paired_int8']:.2f}x "
                 f"as fast as the lean step ({create['paired_int8_today']:.2f}x today's) (medians). Same copy as the lean "
                 f"step: today's {create['same']} of {create['runs']}, int8 {create['same_int8']} of {create['runs']}.\n")
    text += READING
    print("\n" + text + f"\nload average at the end: {load_end:.1f}")
    if args.write:
        write_section(text, SECTION)
        print("-> docs/PERFORMANCE.md")


if __name__ == "__main__":
    main()
