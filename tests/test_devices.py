"""Device and dtype choice (engine.models.devices), the train CLI's --device, and the trainer's
float32-on-every-device rule: checked on the CPU with torch.cuda answers faked."""
from __future__ import annotations

import pytest
import torch

from engine.core.errors import StudioError
from engine.models import devices
from engine.models.devices import preferred_dtype, resolve_device


def test_cpu_runs_in_float32():
    assert preferred_dtype(torch.device("cpu")) is torch.float32
    assert preferred_dtype("cpu") is torch.float32


def test_gpu_prefers_native_bfloat16_else_float16(monkeypatch):
    asked = {}

    def native(including_emulation=True):
        asked["emulation"] = including_emulation
        return True

    monkeypatch.setattr(devices.torch.cuda, "is_bf16_supported", native)
    assert preferred_dtype(torch.device("cuda")) is torch.bfloat16
    assert asked["emulation"] is False  # emulated bfloat16 is slower than float16: not chosen
    monkeypatch.setattr(devices.torch.cuda, "is_bf16_supported", lambda including_emulation=True: False)
    assert preferred_dtype("cuda:0") is torch.float16


def test_gpu_dtype_on_a_torch_without_the_emulation_argument(monkeypatch):
    monkeypatch.setattr(devices.torch.cuda, "is_bf16_supported", lambda: True)
    assert preferred_dtype("cuda") is torch.bfloat16


def test_cuda_without_a_gpu_is_a_clear_error(monkeypatch):
    monkeypatch.setattr(devices.torch.cuda, "is_available", lambda: False)
    with pytest.raises(StudioError, match="no CUDA GPU"):
        resolve_device("cuda")
    assert resolve_device("auto").type == "cpu"


@pytest.mark.parametrize("argv, device", [
    (["train", "a.jsonl", "--out", "o", "--device", "cuda"], "cuda"),
    (["--device", "cuda", "train", "a.jsonl", "--out", "o"], "cuda"),  # the main parser's flag is kept
    (["--device", "cpu", "train", "a.jsonl", "--out", "o"], "cpu"),
    (["train", "a.jsonl", "--out", "o"], "auto"),
    (["--device", "cuda", "evaluate", "a.jsonl", "--out", "e"], "cuda"),
])
def test_train_and_evaluate_take_the_device_flag(argv, device):
    from engine.cli import build_parser

    assert build_parser().parse_args(argv).device == device


@pytest.mark.filterwarnings("ignore:CUDA is not available")
def test_training_autocasts_only_a_float32_lm_on_a_bfloat16_gpu(monkeypatch):
    from contextlib import nullcontext

    from engine.training.trainer import autocast_for

    lm = torch.nn.Linear(2, 2)
    lm.dtype = torch.float32  # what a transformers model reports
    assert isinstance(autocast_for(lm, torch.device("cpu")), nullcontext)
    monkeypatch.setattr(devices.torch.cuda, "is_bf16_supported", lambda including_emulation=True: True)
    context = autocast_for(lm, torch.device("cuda"))
    assert isinstance(context, torch.autocast) and context.fast_dtype is torch.bfloat16
    lm.dtype = torch.float16  # already half: never autocast it again
    assert isinstance(autocast_for(lm, torch.device("cuda")), nullcontext)
    monkeypatch.setattr(devices.torch.cuda, "is_bf16_supported", lambda including_emulation=True: False)
    lm.dtype = torch.float32  # a float16-only GPU trains in plain float32 (float16 would need loss scaling)
    assert isinstance(autocast_for(lm, torch.device("cuda")), nullcontext)


@pytest.mark.slow
def test_training_keeps_float32_weights_when_the_lm_comes_in_half_precision(monkeypatch, tmp_path):
    """A GPU serves the LM in bfloat16/float16: training must still step float32 weights (AdamW on
    half LoRA weights underflows) and leave the shared model as it was. bfloat16 on the CPU stands in."""
    import dataclasses
    import json
    from pathlib import Path

    import engine.training.trainer as trainer
    from engine.models.language import load_language_model, load_weights, model_source
    from engine.training import TrainConfig, load_records

    base = load_language_model("smollm2-135m", "cpu", precision="float32")
    weights = load_weights(model_source(base.name), torch.device("cpu"), "float32").to(torch.bfloat16)
    half = dataclasses.replace(base, model=weights, precision="bfloat16")
    monkeypatch.setattr(trainer, "load_language_model", lambda *args, **kwargs: half)
    luma = Path(__file__).resolve().parents[2] / "shared" / "data" / "luma" / "products.jsonl"
    rows = [json.loads(line) for line in luma.read_text().splitlines()[:6]]
    for row in rows:  # one photo each keeps it fast; absolute paths: the file moves
        row["images"] = [str(luma.parent / row["images"][0])]
    catalog = tmp_path / "products.jsonl"
    catalog.write_text("\n".join(json.dumps(r) for r in rows) + "\n")
    records = load_records([catalog], device="cpu", progress=False)
    stepped = set()
    step = torch.optim.AdamW.step

    def spy(self, *args, **kwargs):
        stepped.update(p.dtype for group in self.param_groups for p in group["params"])
        return step(self, *args, **kwargs)

    monkeypatch.setattr(torch.optim.AdamW, "step", spy)
    cfg = TrainConfig(steps=1, batch_size=2, eval_every=1, val_percent=40, val_examples=2, lora_rank=2, device="cpu")
    meta = trainer.train_method("gmu", records, tmp_path / "out", cfg, progress=False)
    assert stepped == {torch.float32}
    assert meta["validation"]["loss"] == meta["validation"]["loss"] < 20  # finite, not NaN
    assert half.model.dtype is torch.bfloat16 and not any("lora_" in n for n, _ in half.model.named_parameters())
