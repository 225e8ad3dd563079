"""One short, prepared device check: load, batched title + description, fusion training.

    python benchmarks/gpu.py --device cuda                      # sized for one GPU (a few minutes)
    python benchmarks/gpu.py --device cpu --products 4 --batch-size 2 --steps 3   # CPU smoke run

1. **Load** the studio's models on the device (language model, the default fusion method's
   LoRA-merged copy, text and image encoders, the claim checker) and print the seconds.
2. **Generate** copy for ``--products`` products of the shared catalogs (Luma, then
   flipkart-train; repeated when more are asked than they hold) with the catalog batch path,
   ``engine.workflows.batch.generate_batch``: ``Studio.generate`` for ``--batch-size`` products at once,
   their language-model calls decoded together, under the default settings (the fusion method
   that won on validation, ``engine.conditioning.best_method``). Prints products/s end to end
   (ingest, encoders, fusion prefix, generation with its retries and checks, keywords, scores)
   and for the language-model writing alone, plus the seconds of each stage summed over products
   (the products of a batch run at once, so their stages overlap). One small batch runs first as
   a warm-up, untimed.
3. **Train** one fusion method (the default one, else gmu) for ``--steps`` steps with the
   trainer ``python -m engine train`` uses (``engine.training.train``), into a temporary folder,
   one evaluation at the end, and print steps/s.
4. On a GPU, print the peak GPU memory of each phase. Last line: one JSON summary (``--json PATH``
   also writes it).

``--device cuda`` on a machine without a CUDA GPU stops at once with exit status 2; a run in which
any product failed ends with exit status 1 (the first failures are printed).
"""
from __future__ import annotations

import argparse
import json
import os
import platform
import sys
import tempfile
import time
from pathlib import Path

os.environ.setdefault("HF_HUB_OFFLINE", "1")
ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

KINDS = ("title", "description")
CATALOGS = ("luma", "flipkart-train")


def default_data() -> Path:
    for candidate in (ROOT / "shared" / "data", ROOT.parent / "shared" / "data"):
        if candidate.is_dir():
            return candidate
    return ROOT.parent / "shared" / "data"


def parse_args(argv=None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--device", default="cuda", choices=["cuda", "cpu", "auto"])
    parser.add_argument("--products", type=int, default=256, help="products to write title + description for")
    parser.add_argument("--batch-size", type=int, default=64,
                        help="products written at once, their language-model calls decoded together")
    parser.add_argument("--steps", type=int, default=300, help="training steps of one fusion method")
    parser.add_argument("--train-batch-size", type=int, default=6, help="examples per training step")
    parser.add_argument("--train-products", type=int, default=40,
                        help="Luma products the training run encodes (10%% are held out for its one evaluation)")
    parser.add_argument("--method", default=None, help="fusion method to generate with (default: the studio's)")
    parser.add_argument("--train-method", default=None, help="fusion method to train (default: --method, else gmu)")
    parser.add_argument("--data", type=Path, default=default_data(), help="folder holding luma/ and flipkart-train/")
    parser.add_argument("--threads", type=int, default=None, help="torch CPU threads (default: the studio's choice)")
    parser.add_argument("--skip-train", action="store_true")
    parser.add_argument("--json", type=Path, default=None, help="also write the summary here")
    args = parser.parse_args(argv)
    if args.products < 1 or args.batch_size < 1 or args.steps < 0:
        parser.error("--products and --batch-size must be >= 1, --steps >= 0")
    return args


def load_products(data: Path, count: int) -> list:
    from engine.inputs.catalog import read_catalog

    pool = []
    for name in CATALOGS:
        path = data / name / "products.jsonl"
        if not path.is_file():
            raise SystemExit(f"error: {path} not found; pass --data FOLDER (the shared data: luma/, flipkart-train/)")
        pool += read_catalog(path, limit=count - len(pool))
        if len(pool) >= count:
            break
    if not pool:
        raise SystemExit(f"error: no readable products under {data}")
    return [pool[i % len(pool)] for i in range(count)]  # repeated when the catalogs hold fewer


def cuda_sync(device) -> None:
    import torch

    if device.type == "cuda":
        torch.cuda.synchronize(device)


def peak_memory_gb(device) -> float | None:
    import torch

    if device.type != "cuda":
        return None
    return round(torch.cuda.max_memory_allocated(device) / 2**30, 3)


def reset_peak(device) -> None:
    import torch

    if device.type == "cuda":
        torch.cuda.reset_peak_memory_stats(device)


def writing_seconds(result) -> float:
    """How long one product's ``Studio.generate`` spent writing: its total less the stages around the
    writing (ingest, colours, encode, keywords, score), so fields written at once count once."""
    timings = result.timings
    around = sum(v for k, v in timings.items() if k != "total" and not k.startswith("generate_"))
    return max(0.0, timings.get("total", 0.0) - around)


def generate(studio, products: list, settings, batch_size: int, device) -> dict:
    from engine.workflows.batch import generate_batch
    from engine.pipeline import Result

    ok, failures, lm_seconds, chars, stages = 0, [], 0.0, {kind: 0 for kind in KINDS}, {}
    started = time.perf_counter()
    for start in range(0, len(products), batch_size):
        chunk = products[start:start + batch_size]
        clock = time.perf_counter()
        outcomes = generate_batch(studio, chunk, settings)
        cuda_sync(device)
        writing = [0.0]
        for outcome in outcomes:
            if isinstance(outcome, Result):
                ok += 1
                writing.append(writing_seconds(outcome))
                for stage, value in outcome.timings.items():
                    if stage != "total":
                        stages[stage] = stages.get(stage, 0.0) + value
                for kind in KINDS:
                    chars[kind] += len(getattr(outcome.copy, kind) or "")
            else:
                failures.append(f"{type(outcome).__name__}: {outcome}")
        # the chunk's products write at once: the language model's share is the longest of them
        lm_seconds += max(writing)
        print(f"  batch {start // batch_size + 1}: {len(chunk)} products in {time.perf_counter() - clock:.1f} s",
              flush=True)
    seconds = time.perf_counter() - started
    return {"seconds": seconds, "ok": ok, "failures": failures, "lm_seconds": lm_seconds,
            "stage_seconds": {k: round(v, 2) for k, v in stages.items()},
            "mean_chars": {kind: round(chars[kind] / max(ok, 1), 1) for kind in KINDS}}


def train_steps(args, method: str, device) -> dict:
    from engine.training import TrainConfig, train

    stamps: dict[int, float] = {}

    def on_step(_method, step, _history):
        cuda_sync(device)
        stamps[step] = time.perf_counter()

    cfg = TrainConfig(steps=args.steps, batch_size=args.train_batch_size, eval_every=max(args.steps, 1),
                      patience=10**6, val_examples=min(24, 4 * args.train_batch_size), device=str(device),
                      seed=0)
    catalog = args.data / "luma" / "products.jsonl"
    with tempfile.TemporaryDirectory(prefix="gpu-bench-") as folder:
        clock = time.perf_counter()
        results = train([catalog], [method], Path(folder) / "out", cfg, limit=args.train_products,
                        state_dir=Path(folder) / "state", progress=False,
                        command="benchmarks/gpu.py", on_step=on_step)
        total = time.perf_counter() - clock
    meta = results[method]
    steps_run = meta["training"]["steps_run"]
    loop_seconds = meta["training"]["seconds"]
    # Steady rate: from the end of step 1 (kernels warmed, caches filled) to the end of the step before
    # the last (the last one's time includes the one evaluation).
    last = max(stamps, default=0)
    if last >= 3 and 1 in stamps and last - 1 in stamps:
        steady = (last - 2) / max(stamps[last - 1] - stamps[1], 1e-9)
    else:
        steady = steps_run / max(loop_seconds, 1e-9)
    return {"method": method, "steps_run": steps_run, "loop_seconds": round(loop_seconds, 2),
            "seconds_with_data": round(total, 2), "steps_per_s": round(steady, 3),
            "steps_per_s_with_eval": round(steps_run / max(loop_seconds, 1e-9), 3),
            "val_loss": meta["validation"]["loss"], "train_examples": meta["training"]["train_examples"],
            "device": meta["training"]["device"]}


def main(argv=None) -> int:
    args = parse_args(argv)
    import torch

    if args.device == "cuda" and not torch.cuda.is_available():
        print("error: --device cuda, but torch sees no CUDA GPU here (torch "
              f"{torch.__version__}, CUDA build {torch.version.cuda}); run with --device cpu for the CPU smoke run",
              file=sys.stderr)
        return 2

    from engine.conditioning import best_method
    from engine.models.devices import resolve_device
    from engine.pipeline import Studio
    from engine.core.settings import Settings

    device = resolve_device(args.device)
    device_name = torch.cuda.get_device_name(device) if device.type == "cuda" else platform.processor() or "cpu"
    method = args.method or best_method() or "none"
    settings = Settings(fusion=method)
    print(f"device {device} ({device_name}), torch {torch.__version__}; generating with fusion method {method!r}",
          flush=True)

    # 1. load
    clock = time.perf_counter()
    studio = Studio(device=str(device), threads=args.threads)
    studio.warm_up(settings)
    writer = studio.language_model(settings)
    if method not in ("none", "template"):
        from engine.conditioning import load_conditioned

        writer = load_conditioned(method, str(device)).language_model  # the LoRA-merged copy
    cuda_sync(device)
    load_s = time.perf_counter() - clock
    # float16 weights on a CPU by default; bfloat16/float16 on a GPU (engine.models.language)
    dtype = getattr(writer, "precision", None) or str(writer.model.dtype).replace("torch.", "")
    print(f"load: {load_s:.1f} s (language model in {dtype} on {writer.device}, "
          f"{torch.get_num_threads()} CPU thread(s))", flush=True)

    # 2. generate
    products = load_products(args.data, args.products)
    clock = time.perf_counter()
    generate(studio, products[:min(2, len(products))], settings.replace(max_new_tokens=8), 2, device)  # warm-up
    warmup_s = time.perf_counter() - clock
    reset_peak(device)
    print(f"generate: {len(products)} products, batch size {args.batch_size} (warm-up took {warmup_s:.1f} s)",
          flush=True)
    gen = generate(studio, products, settings, args.batch_size, device)
    gen_peak = peak_memory_gb(device)
    products_per_s = gen["ok"] / gen["seconds"]
    lm_products_per_s = gen["ok"] / gen["lm_seconds"] if gen["lm_seconds"] else 0.0
    print(f"generate: {gen['ok']}/{len(products)} products in {gen['seconds']:.1f} s = {products_per_s:.2f} "
          f"products/s end to end; language-model writing alone {gen['lm_seconds']:.1f} s = "
          f"{lm_products_per_s:.2f} products/s", flush=True)
    print("generate: seconds by stage, summed over products (a batch's products run at once): "
          + ", ".join(f"{k} {v:.1f}" for k, v in gen["stage_seconds"].items()), flush=True)
    for failure in gen["failures"][:5]:
        print(f"  failed: {failure}", flush=True)
    if gen_peak is not None:
        print(f"generate: peak GPU memory {gen_peak:.2f} GiB", flush=True)

    # 3. train
    trained, train_peak = None, None
    if not args.skip_train and args.steps > 0:
        train_method = args.train_method or (method if method not in ("none", "template") else "gmu")
        reset_peak(device)
        print(f"train: {train_method}, {args.steps} steps, batch {args.train_batch_size}", flush=True)
        trained = train_steps(args, train_method, device)
        train_peak = peak_memory_gb(device)
        print(f"train: {trained['steps_run']} steps, {trained['steps_per_s']:.2f} steps/s "
              f"({trained['steps_per_s_with_eval']:.2f} with the final evaluation; val loss {trained['val_loss']})",
              flush=True)
        if train_peak is not None:
            print(f"train: peak GPU memory {train_peak:.2f} GiB", flush=True)

    summary = {
        "device": str(device), "device_name": device_name, "torch": torch.__version__, "dtype": dtype,
        "cpu_threads": torch.get_num_threads(), "method": method, "load_s": round(load_s, 2),
        "products": len(products), "products_ok": gen["ok"], "products_failed": len(gen["failures"]),
        "batch_size": args.batch_size, "generate_s": round(gen["seconds"], 2),
        "products_per_s": round(products_per_s, 4), "lm_products_per_s": round(lm_products_per_s, 4),
        "stage_s": gen["stage_seconds"], "mean_chars": gen["mean_chars"], "peak_gpu_gib_generate": gen_peak,
        "train_method": trained and trained["method"], "steps": args.steps if trained else 0,
        "steps_run": trained and trained["steps_run"], "steps_per_s": trained and trained["steps_per_s"],
        "steps_per_s_with_eval": trained and trained["steps_per_s_with_eval"],
        "train_s": trained and trained["loop_seconds"], "val_loss": trained and trained["val_loss"],
        "peak_gpu_gib_train": train_peak,
    }
    line = json.dumps(summary, ensure_ascii=False)
    if args.json:
        args.json.parent.mkdir(parents=True, exist_ok=True)
        args.json.write_text(line + "\n")
    print(line, flush=True)
    return 0 if gen["ok"] == len(products) else 1


if __name__ == "__main__":
    sys.exit(main())
