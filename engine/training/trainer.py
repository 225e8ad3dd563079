"""A short nanoGPT-style loop: fusion + mapping (+ LoRA) on a frozen LM, cross-entropy on copy.

Per step: fuse a batch of cached modality features into Z, map Z to k prefix embeddings,
run the frozen LM over [prefix | compact prompt | reference] and take the cross-entropy on
the reference tokens only (logits are computed for those positions alone: the LM head over
49k words is a large share of the compute). A fixed validation subset, split by product id,
is scored every ``eval_every`` steps; the best weights are kept, training stops early after
``patience`` evaluations without improvement, and a resumable state is written each time.
"""
from __future__ import annotations

import copy
import json
import math
import random
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path

import torch
import torch.nn.functional as F
from tqdm.auto import tqdm

from engine.conditioning.model import ConditionedCopyModel, features_batch
from engine.conditioning.prompt import compact_messages
from engine.encoders.features import MODALITIES
from engine.encoders.image import IMAGE_DIM
from engine.core.errors import StudioError
from engine.models.language import load_language_model
from engine.training.data import TASKS, ProductRecord, faithful_target, held_out_targets, split_of, target_key


@dataclass
class TrainConfig:
    steps: int = 40
    batch_size: int = 6
    lr: float = 1e-3
    warmup: int = 3
    weight_decay: float = 0.01
    eval_every: int = 20
    patience: int = 2
    val_examples: int = 24
    prefix_length: int = 4
    lora_rank: int = 4
    fact_tokens: int = 96
    title_tokens: int = 20
    description_tokens: int = 64  # most Luma descriptions fit whole, end token included
    modality_dropout: float = 0.1  # drop text or photos now and then: products arrive with either missing
    video_from_photos: float = 0.3  # catalogs hold no clips: other views of a product stand in for keyframes
    val_percent: int = 10  # share of products (by id) held out for validation
    seed: int = 0
    device: str = "auto"
    time_budget_s: float | None = None  # per method; stops early (and says so) when spent
    language_model: str = "smollm2-135m"
    init_from: str | None = None  # a checkpoints folder: start each method from its weights there (fine-tuning)
    # Description targets keep only the sentences their input supports (engine.training.data.faithful_target):
    # a writer trained on what its input never said learns to say what the merchant never said.
    faithful_targets: bool = False


@dataclass
class Example:
    record: ProductRecord
    task: str
    prompt_ids: list[int]
    target_ids: list[int]


def make_examples(records: list[ProductRecord], tokenizer, cfg: TrainConfig, split: str) -> list[Example]:
    end = tokenizer.convert_tokens_to_ids("<|im_end|>")
    end = end if isinstance(end, int) and end != tokenizer.unk_token_id else tokenizer.eos_token_id
    limits = {"title": cfg.title_tokens, "description": cfg.description_tokens}
    # Variants of a held-out product (same title) and shared descriptions train nothing they would
    # be validated on: a training example whose target is also a validation target is left out.
    held_out = held_out_targets(records, cfg.val_percent) if split == "train" else None
    examples = []
    for record in records:
        if split_of(record.id, cfg.val_percent) != split:
            continue
        for task in TASKS:
            reference = record.references.get(task, "")
            if not reference or (held_out and target_key(reference) in held_out[task]):
                continue
            if cfg.faithful_targets and task == "description":
                reference = faithful_target(reference, record.source_text[task])
                if not reference:
                    continue
            messages = compact_messages(record.messages[task], tokenizer, cfg.fact_tokens)
            prompt = tokenizer.apply_chat_template(messages, add_generation_prompt=True, tokenize=True,
                                                   return_dict=True)["input_ids"]
            target = tokenizer(reference, add_special_tokens=False)["input_ids"]
            # A cut reference gets no end token: the model must never learn to stop mid-sentence.
            target = target[: limits[task]] if len(target) > limits[task] else target + [end]
            examples.append(Example(record, task, list(prompt), target))
    return examples


def modality_row(example: Example, rng: random.Random | None, cfg: TrainConfig) -> dict[str, torch.Tensor]:
    record = example.record
    text = record.text_features[example.task]
    photos = record.photo_features
    has_text, has_image = bool(text.abs().sum() > 0), len(photos) > 0
    video, has_video = torch.zeros(IMAGE_DIM), False
    image = photos.mean(0) if has_image else torch.zeros(IMAGE_DIM)
    if rng is not None:  # augment training rows only; validation sees products as they are
        if len(photos) >= 2 and rng.random() < cfg.video_from_photos:
            image, video, has_video = photos[0], photos[1:].mean(0), True
        if has_text and has_image and rng.random() < cfg.modality_dropout:
            if rng.random() < 0.5:
                has_text = False
            else:
                has_image = False
    mask = torch.tensor([has_text, has_image, has_video])
    return {"text": text * has_text, "image": image * has_image, "video": video * has_video, "mask": mask}


def collate(examples: list[Example], pad_id: int, rng, cfg: TrainConfig):
    length = max(len(e.prompt_ids) + len(e.target_ids) for e in examples)
    ids = torch.full((len(examples), length), pad_id, dtype=torch.long)
    attention = torch.zeros(len(examples), length, dtype=torch.long)
    is_target = torch.zeros(len(examples), length, dtype=torch.bool)
    for row, e in enumerate(examples):
        sequence = e.prompt_ids + e.target_ids
        ids[row, : len(sequence)] = torch.tensor(sequence)
        attention[row, : len(sequence)] = 1
        is_target[row, len(e.prompt_ids) : len(sequence)] = True
    features, mask = features_batch([modality_row(e, rng, cfg) for e in examples])
    return ids, attention, is_target, features, mask


def autocast_for(lm, device: torch.device):
    """bfloat16 autocast for a float32 LM on a GPU that runs bfloat16 natively; else no autocast.

    Training keeps float32 weights (``train_method``): AdamW on float16 LoRA weights underflows
    (eps 1e-8 and small squared gradients round to 0 in float16). Autocast then runs the matmuls
    in bfloat16, which needs no loss scaling. A float16-only GPU trains in plain float32.
    """
    from contextlib import nullcontext

    from engine.models.devices import preferred_dtype

    device = torch.device(device)
    if device.type == "cuda" and lm.dtype == torch.float32 and preferred_dtype(device) == torch.bfloat16:
        return torch.autocast("cuda", dtype=torch.bfloat16)
    return nullcontext()


def batch_loss(model: ConditionedCopyModel, lm, batch, device) -> torch.Tensor:
    ids, attention, is_target, features, mask = (x.to(device) if torch.is_tensor(x) else x for x in batch)
    features = {m: v.to(device) for m, v in features.items()}
    with autocast_for(lm, device):
        embeds = lm.get_input_embeddings()(ids)
        k = 0
        if model is not None:  # model=None: the plain LM, the reference a trained prefix must beat
            prefix, _ = model(features, mask)
            k = prefix.shape[1]
            embeds = torch.cat([prefix.to(embeds.dtype), embeds], 1)
        full_attention = torch.cat([torch.ones(len(ids), k, dtype=attention.dtype, device=device), attention], 1)
        hidden = lm.model(inputs_embeds=embeds, attention_mask=full_attention).last_hidden_state
    # Token t of ids sits at position k + t; it is predicted from the hidden state before it
    # (targets never start at t = 0: a prompt always comes first).
    before = torch.cat([hidden[:, :1] * 0, hidden], 1)[:, k : k + ids.shape[1]]
    predicting = before[is_target]
    logits = lm.lm_head(predicting).float()
    return F.cross_entropy(logits, ids[is_target])


@torch.no_grad()
def evaluate_loss(model, lm, examples, pad_id, cfg, device) -> float:
    model.eval() if model is not None else None
    total, count = 0.0, 0
    for start in range(0, len(examples), cfg.batch_size):
        chunk = examples[start : start + cfg.batch_size]
        loss = batch_loss(model, lm, collate(chunk, pad_id, None, cfg), device)
        total += float(loss) * len(chunk)
        count += len(chunk)
    model.train() if model is not None else None
    return total / max(count, 1)


def reference_loss(records: list[ProductRecord], cfg: TrainConfig) -> float:
    """Validation loss of the frozen LM alone (no prefix, no adapter) on the same examples."""
    base = load_language_model(cfg.language_model, cfg.device, precision="float32")
    val = make_examples(records, base.tokenizer, cfg, "val")
    val = random.Random(0).sample(val, min(cfg.val_examples, len(val)))
    pad_id = base.tokenizer.pad_token_id if base.tokenizer.pad_token_id is not None else base.tokenizer.eos_token_id
    return evaluate_loss(None, base.model, val, pad_id, cfg, base.device)


def validation_examples(records: list[ProductRecord], tokenizer, cfg: TrainConfig, every: bool = False) -> list[Example]:
    """The validation examples training scores: a fixed sample of ``cfg.val_examples`` (all with ``every``)."""
    val = make_examples(records, tokenizer, cfg, "val")
    return val if every else random.Random(0).sample(val, min(cfg.val_examples, len(val)))


@torch.no_grad()
def checkpoint_loss(records: list[ProductRecord], cfg: TrainConfig, folder: Path | None = None,
                    every: bool = False) -> dict[str, float]:
    """Validation loss of a saved checkpoint (``folder``; None: the frozen LM alone) on the
    examples training scores, so checkpoints trained on different data compare on one set.

    Returns the mean over all examples ("all") and per catalog folder name ("luma", ...).
    """
    base = load_language_model(cfg.language_model, cfg.device, precision="float32")
    lm, model = base.model, None
    if folder is not None:
        model = ConditionedCopyModel.load(Path(folder)).to(base.device)
        if model.lora:
            from peft import set_peft_model_state_dict

            from engine.conditioning.lora import add_lora

            lm = add_lora(copy.deepcopy(base.model), model.config["lora_rank"])
            lm.float() if base.device.type == "cpu" else None
            set_peft_model_state_dict(lm, model.lora)
        lm.eval()
    pad_id = base.tokenizer.pad_token_id if base.tokenizer.pad_token_id is not None else base.tokenizer.eos_token_id
    val = validation_examples(records, base.tokenizer, cfg, every)
    groups: dict[str, list[Example]] = {"all": val}
    for example in val:
        groups.setdefault(Path(example.record.catalog).parent.name, []).append(example)
    return {name: round(evaluate_loss(model, lm, examples, pad_id, cfg, base.device), 4)
            for name, examples in groups.items()} | {"examples": len(val)}


def lr_at(step: int, cfg: TrainConfig) -> float:
    if step < cfg.warmup:
        return cfg.lr * (step + 1) / cfg.warmup
    progress = (step - cfg.warmup) / max(1, cfg.steps - cfg.warmup)
    return cfg.lr * (0.1 + 0.9 * 0.5 * (1 + math.cos(math.pi * min(1.0, progress))))


def plot_history(history: dict, path: Path, title: str) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(6, 3.5), dpi=100)
    if history["train"]:
        steps, losses = zip(*history["train"])
        ax.plot(steps, losses, label="train (EMA)", color="#4c72b0")
    if history["val"]:
        steps, losses = zip(*history["val"])
        ax.plot(steps, losses, "o-", label="validation", color="#dd8452")
    ax.set_xlabel("step")
    ax.set_ylabel("cross-entropy")
    ax.set_title(title)
    ax.grid(alpha=0.3)
    ax.legend()
    fig.tight_layout()
    fig.savefig(path)
    plt.close(fig)


def start_from(model: ConditionedCopyModel, lm, folder: Path, cfg: TrainConfig) -> None:
    """Load a trained checkpoint's fusion, mapping and LoRA weights to fine-tune further."""
    saved = ConditionedCopyModel.load(folder)
    mismatched = {k: (saved.config[k], model.config[k]) for k in model.config if saved.config.get(k) != model.config[k]}
    if mismatched:
        raise StudioError(f"{folder}: cannot fine-tune from this checkpoint, its settings differ "
                          f"(saved vs asked): {mismatched}")
    model.load_state_dict(saved.state_dict())
    if cfg.lora_rank and saved.lora:
        from peft import set_peft_model_state_dict

        set_peft_model_state_dict(lm, saved.lora)


def _write_json(path: Path, data: dict) -> None:
    partial = path.with_suffix(".partial.json")
    partial.write_text(json.dumps(data))
    partial.replace(path)


def saved_step(state_dir: Path, method: str) -> int | None:
    """The step a rerun of ``method`` resumes from (its last saved state), or None."""
    try:
        return int(json.loads((Path(state_dir) / method / "state.json").read_text())["step"])
    except (OSError, ValueError, KeyError):
        return None


def train_method(method: str, records: list[ProductRecord], out_dir: Path, cfg: TrainConfig,
                 state_dir: Path | None = None, progress: bool = True,
                 on_step=None, should_stop=None, say=None) -> dict:
    """Train one fusion method; writes ``out_dir/<method>/`` (small checkpoint, loss.png, history.json).

    ``on_step(method, step, history)`` is called after every step (live loss curves);
    ``should_stop()`` is checked between steps: a cancelled run keeps its best weights so far.
    The state is saved at every evaluation; a rerun with the same settings resumes from it and
    ``say``s so (a killed run loses at most ``eval_every`` steps).
    """
    say = say or (lambda message: print(message, flush=True))
    torch.manual_seed(cfg.seed)
    rng = random.Random(cfg.seed)
    base = load_language_model(cfg.language_model, cfg.device, precision="float32")
    device, tokenizer = base.device, base.tokenizer
    # Train in float32 on every device: gradients through a float16 LM, or AdamW on float16 LoRA
    # weights, underflow. The base is asked for in float32 above; the ``.float()`` keeps that true
    # should it ever come in half precision (what serving uses on a GPU). The shared model is used
    # as it is when nothing of it trains. On a bfloat16 GPU the matmuls run under autocast.
    own_copy = bool(cfg.lora_rank) or base.model.dtype != torch.float32
    lm = copy.deepcopy(base.model).float() if own_copy else base.model
    if cfg.lora_rank:
        from engine.conditioning.lora import add_lora, lora_state

        lm = add_lora(lm, cfg.lora_rank)
        lm.float()  # the adapter takes the base layer's dtype: float32 here
    for name, param in lm.named_parameters():
        param.requires_grad_("lora_" in name)
    lm.eval()  # no dropout in the frozen LM; LoRA has none either

    model = ConditionedCopyModel(fusion=method, prefix_length=cfg.prefix_length, lora_rank=cfg.lora_rank,
                                 fact_tokens=cfg.fact_tokens, language_model=cfg.language_model).to(device)
    # Start the prefix at the norm of real token embeddings: a prefix far larger than any
    # token would swamp the frozen LM's attention before training has taught it anything.
    with torch.no_grad():
        model.mapping.scale.fill_(float(base.model.get_input_embeddings().weight.float().std()))
    if cfg.init_from:
        start_from(model, lm, Path(cfg.init_from) / method, cfg)
    params = list(model.parameters()) + [p for p in lm.parameters() if p.requires_grad]
    optimizer = torch.optim.AdamW(params, lr=cfg.lr, weight_decay=cfg.weight_decay)

    train = make_examples(records, tokenizer, cfg, "train")
    val = validation_examples(records, tokenizer, cfg)
    if not train or not val:
        raise ValueError(f"need training and validation examples (got {len(train)} train, {len(val)} val); "
                         "give a catalog with more products")
    pad_id = tokenizer.pad_token_id if tokenizer.pad_token_id is not None else tokenizer.eos_token_id

    state_dir = Path(state_dir or out_dir / ".state") / method
    state_path = state_dir / "state.pt"
    step, history, best, stale, elapsed, stop_reason = 0, {"train": [], "val": []}, float("inf"), 0, 0.0, ""
    best_weights = None
    if state_path.exists():  # resume where a stopped (cancelled, killed, crashed) run left off
        state = torch.load(state_path, weights_only=False, map_location="cpu")  # load_state_dict moves it
        changed = sorted(k for k in asdict(cfg) if state["config"].get(k) != asdict(cfg)[k])
        say(f"{method}: resuming from step {state['step']} of {cfg.steps} (saved state {state_path})" if not changed
            else f"{method}: the saved state {state_path} was for other settings ({', '.join(changed)}); "
                 "starting from step 0")
        if not changed:
            model.load_state_dict(state["model"])
            if cfg.lora_rank:
                from peft import set_peft_model_state_dict

                set_peft_model_state_dict(lm, state["lora"])
            optimizer.load_state_dict(state["optimizer"])
            step, history, best, stale = state["step"], state["history"], state["best"], state["stale"]
            elapsed, best_weights, stop_reason = state["elapsed"], state["best_weights"], state.get("stop_reason", "")
            if stop_reason.startswith("cancelled"):  # a cancel pauses; an early stop or spent budget is final
                stop_reason = ""
            rng.setstate(state["rng"])
            torch.set_rng_state(state["torch_rng"])

    def snapshot() -> dict:
        return {"model": {k: v.detach().cpu().clone() for k, v in model.state_dict().items()},
                "lora": lora_state(lm) if cfg.lora_rank else {}}

    def save_state() -> None:
        # Written aside, then renamed: a kill mid-write leaves the previous state whole.
        state_dir.mkdir(parents=True, exist_ok=True)
        torch.save({"config": asdict(cfg), "model": model.state_dict(), "optimizer": optimizer.state_dict(),
                    "lora": lora_state(lm) if cfg.lora_rank else {}, "step": step, "history": history,
                    "best": best, "stale": stale, "elapsed": elapsed, "best_weights": best_weights,
                    "rng": rng.getstate(), "torch_rng": torch.get_rng_state(), "stop_reason": stop_reason},
                   state_path.with_suffix(".partial"))
        state_path.with_suffix(".partial").replace(state_path)
        _write_json(state_dir / "state.json", {"step": step, "steps": cfg.steps})  # cheap to read for the studio

    model.train()
    ema = history["train"][-1][1] if history["train"] else None
    bar = tqdm(total=cfg.steps, initial=step, desc=f"train {method}", disable=not progress, dynamic_ncols=True)
    started = time.perf_counter() - elapsed
    while step < cfg.steps and not stop_reason:
        if should_stop and should_stop():
            stop_reason = f"cancelled at step {step}"
            if best_weights is None and step:  # keep something evaluated to compare with
                best = evaluate_loss(model, lm, val, pad_id, cfg, device)
                history["val"].append((step, best))
                best_weights = snapshot()
            save_state()
            break
        for group in optimizer.param_groups:
            group["lr"] = lr_at(step, cfg)
        batch = collate(rng.sample(train, min(cfg.batch_size, len(train))), pad_id, rng, cfg)
        loss = batch_loss(model, lm, batch, device)
        optimizer.zero_grad(set_to_none=True)
        loss.backward()
        torch.nn.utils.clip_grad_norm_(params, 1.0)
        optimizer.step()
        step += 1
        value = loss.item()
        ema = value if ema is None else 0.9 * ema + 0.1 * value
        history["train"].append((step, ema))
        bar.update(1)
        bar.set_postfix(loss=f"{ema:.3f}", best_val=f"{best:.3f}")
        elapsed = time.perf_counter() - started
        over_budget = bool(cfg.time_budget_s and elapsed > cfg.time_budget_s)
        if step % cfg.eval_every == 0 or step == cfg.steps or over_budget:
            val_loss = evaluate_loss(model, lm, val, pad_id, cfg, device)
            history["val"].append((step, val_loss))
            if val_loss < best - 1e-4:
                best, stale, best_weights = val_loss, 0, snapshot()
            else:
                stale += 1
                if stale >= cfg.patience:
                    stop_reason = f"early stop at step {step}: no validation gain in {stale} evaluations"
            if over_budget and not stop_reason:
                stop_reason = f"time budget of {cfg.time_budget_s:.0f} s spent at step {step}"
            save_state()
        if on_step:
            on_step(method, step, history)
    bar.close()
    if best_weights is None:  # not a single evaluation happened (resumed after the end)
        best_weights = snapshot()
    stop_reason = stop_reason or f"ran all {cfg.steps} steps"

    model.load_state_dict(best_weights["model"])
    model.lora = best_weights["lora"]
    folder = Path(out_dir) / method
    model.meta = {
        "validation": {"loss": round(best, 4), "examples": len(val), "perplexity": round(math.exp(best), 2)},
        "training": {"steps_run": step, "stop": stop_reason, "seconds": round(elapsed, 1),
                     "train_examples": len(train), "device": str(device), "config": asdict(cfg)},
    }
    model.save(folder)
    plot_history(history, folder / "loss.png", f"{method}: fusion + mapping + LoRA r={cfg.lora_rank}")
    (folder / "history.json").write_text(json.dumps(history))
    del lm
    return model.meta
