"""Fusion + mapping network (+ LoRA): the trainable part of a fusion-conditioned copy model.

``prefix(features)`` turns one product's modality features into k prefix embeddings for
the language model and a per-modality contribution for the UI. ``language_model`` is the
LM to write with: the shared base model when there is no adapter, else a copy with the
trained LoRA merged in, whose ``chat_ids`` compacts the prompt exactly as in training.
"""
from __future__ import annotations

import json
import os
import threading
from dataclasses import dataclass
from pathlib import Path

import torch
from safetensors.torch import load_file, save_file
from torch import nn

from engine.conditioning.mapping import MappingNetwork
from engine.conditioning.prompt import compact_messages
from engine.encoders.features import MODALITIES, ModalityFeatures
from engine.core.errors import ModelLoadError
from engine.fusion import create_fusion
from engine.models.language import LanguageModel, for_inference, load_language_model, model_source

_MERGE_LOCK = threading.Lock()
# The fields a conditioned model is trained to write; others (bullets) are written by the base LM.
TRAINED_FIELDS = ("title", "description")

DEFAULTS = dict(fusion="gmu", hidden=128, z_dim=256, prefix_length=4, mapping_hidden=256,
                lora_rank=4, fact_tokens=96, language_model="smollm2-135m", lm_dim=576)


@dataclass
class ConditionedLanguageModel(LanguageModel):
    """The base LM API, reading the compact prompt the prefix was trained with."""

    fact_tokens: int = 96

    def chat_ids(self, messages: list[dict]) -> torch.Tensor:
        return super().chat_ids(compact_messages(messages, self.tokenizer, self.fact_tokens))


class ConditionedCopyModel(nn.Module):
    def __init__(self, **config):
        super().__init__()
        unknown = set(config) - set(DEFAULTS)
        if unknown:
            raise ValueError(f"unknown config keys {sorted(unknown)}")
        self.config = {**DEFAULTS, **config}
        c = self.config
        self.fusion = create_fusion(c["fusion"], hidden=c["hidden"], z_dim=c["z_dim"])
        self.mapping = MappingNetwork(c["z_dim"], c["lm_dim"], c["prefix_length"], c["mapping_hidden"])
        self.lora: dict[str, torch.Tensor] = {}  # trained adapter weights, empty = none
        self.meta: dict = {}  # provenance and validation numbers, written by training
        self.device_name = "auto"
        self._lms: dict[str, LanguageModel] = {}  # precision -> the LM it writes with

    @property
    def name(self) -> str:
        return self.config["fusion"]

    def forward(self, features: dict[str, torch.Tensor], mask: torch.Tensor):
        out = self.fusion(features, mask)
        return self.mapping(out.z), out

    @torch.no_grad()
    def prefix(self, features: ModalityFeatures) -> tuple[torch.Tensor, dict[str, float]]:
        """(1, k, lm_dim) prefix embeddings and {modality: share} summing to 1."""
        self.eval()
        batch, mask = features.as_batch()
        prefix, out = self(batch, mask)
        return prefix, out.contribution_dict(0)

    # ---- the language model it writes with
    @property
    def language_model(self) -> LanguageModel:
        """``language_model_at`` the process default precision."""
        return self.language_model_at(None)

    def language_model_at(self, precision: str | None) -> LanguageModel:
        """The base model at ``precision`` (None: the process default) with this method's LoRA merged in."""
        base = load_language_model(self.config["language_model"], self.device_name, precision)
        with _MERGE_LOCK:  # concurrent first requests share one merged copy (and so one batch)
            if base.precision not in self._lms:
                self._lms[base.precision] = self._merged_language_model(base)
        return self._lms[base.precision]

    def _merged_language_model(self, base: LanguageModel) -> LanguageModel:
        model = base.model
        if self.lora:  # the adapted layers merged from their original weights; every other layer shared
            from engine.conditioning.lora import merged_sharing

            weights = adapted_weights(model_source(base.name), self.lora)
            model = merged_sharing(base.model, {k: v.to(base.device) for k, v in weights.items()},
                                   self.config["lora_rank"], {k: v.to(base.device) for k, v in self.lora.items()},
                                   lambda layer: _serving_layer(layer.to(base.device), base.precision))
        return ConditionedLanguageModel(name=f"{base.name}+{self.name}", model=model, tokenizer=base.tokenizer,
                                        device=base.device, precision=base.precision,
                                        fact_tokens=self.config["fact_tokens"])

    # ---- files: config.json + weights.safetensors (+ adapter.safetensors), all small
    def save(self, folder: Path | str) -> Path:
        folder = Path(folder)
        folder.mkdir(parents=True, exist_ok=True)
        # float16 on disk halves the shipped size; training and inference run in float32.
        weights = {k: v.detach().cpu().to(torch.float16).contiguous() for k, v in self.state_dict().items()}
        # Each file is written beside its final name and renamed into place, so a run killed while
        # saving leaves the previous file whole, never a half-written one.
        _replace(folder / "weights.safetensors", lambda tmp: save_file(weights, tmp))
        if self.lora:
            adapter = {k: v.to(torch.float16).contiguous() for k, v in self.lora.items()}
            _replace(folder / "adapter.safetensors", lambda tmp: save_file(adapter, tmp))
        config = json.dumps({"config": self.config, "meta": self.meta}, indent=2)
        _replace(folder / "config.json", lambda tmp: tmp.write_text(config))
        return folder

    @classmethod
    def load(cls, folder: Path | str, device: str = "auto") -> "ConditionedCopyModel":
        folder = Path(folder)
        try:
            saved = json.loads((folder / "config.json").read_text())
            weights = load_file(folder / "weights.safetensors")
        except (OSError, ValueError) as exc:
            raise ModelLoadError(f"{folder}: not a fusion checkpoint ({exc}); expected config.json and "
                                 "weights.safetensors written by `python -m engine train`") from exc
        model = cls(**saved["config"])
        model.load_state_dict({k: v.float() for k, v in weights.items()})
        if (folder / "adapter.safetensors").exists():
            model.lora = {k: v.float() for k, v in load_file(folder / "adapter.safetensors").items()}
        model.meta = saved.get("meta", {})
        model.device_name = device
        return model.eval()


def adapted_weights(source: str, adapter: dict[str, torch.Tensor]) -> dict[str, torch.Tensor]:
    """The original float32 weights of the layers an adapter adapts, read from the model's files alone
    (the loaded base may hold them in float16 already)."""
    from pathlib import Path

    from safetensors import safe_open

    names = sorted({key.rsplit(".lora_", 1)[0] + ".weight" for key in adapter})
    files = sorted(Path(source).glob("*.safetensors")) if Path(source).is_dir() else []
    if not files:  # a hub id: its weights are in the HF cache, under its own layout
        from engine.models.language import load_weights

        state = load_weights(source, torch.device("cpu"), "float32").state_dict()
        return {name: state[name].float() for name in names}
    found = {}
    for file in files:
        with safe_open(str(file), "pt") as handle:
            found.update({name: handle.get_tensor(name).float() for name in names if name in handle.keys()})
    missing = [n for n in names if n not in found]
    if missing:
        raise ModelLoadError(f"{source}: the adapter adapts layers the model does not have ({', '.join(missing[:3])})")
    return found


def _serving_layer(layer: nn.Linear, precision: str) -> nn.Module:
    """One merged layer held like the rest of the model it joins (float16 weights on a CPU)."""
    holder = nn.Sequential(layer)  # to_float16 swaps children, never the module it is given
    if precision in ("float16", "bfloat16") and next(layer.parameters()).device.type == "cuda":
        return layer.to(getattr(torch, precision))
    return for_inference(holder, precision)[0]


def features_batch(rows: list[dict[str, torch.Tensor]]) -> tuple[dict[str, torch.Tensor], torch.Tensor]:
    """Stack per-product {modality: vector, "mask": (3,)} rows into a fusion batch."""
    return ({m: torch.stack([r[m] for r in rows]) for m in MODALITIES},
            torch.stack([r["mask"] for r in rows]))


def _replace(path: Path, write) -> None:
    temporary = path.with_name(path.name + ".saving")
    write(temporary)
    os.replace(temporary, path)
