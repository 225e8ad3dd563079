"""Fusion-conditioned copy: trained fusion + mapping (+ LoRA) checkpoints and how to load them.

Only methods with a shipped checkpoint are offered: untrained weights never serve a user.
"""
from __future__ import annotations

import json
from functools import lru_cache
from pathlib import Path

from engine.conditioning.model import ConditionedCopyModel, ConditionedLanguageModel
from engine.errors import StudioError
from engine.paths import ASSETS

CHECKPOINTS = ASSETS / "checkpoints"


def checkpoint_dir(name: str, root: Path | None = None) -> Path:
    return Path(root or CHECKPOINTS) / name


def available_methods(root: Path | None = None) -> list[dict]:
    """[{name, label, checkpoint, validation}] for every method with trained weights on disk."""
    from engine.fusion import FUSION_METHODS

    found = []
    root = Path(root or CHECKPOINTS)
    for config in sorted(root.glob("*/config.json")):
        folder = config.parent
        if not (folder / "weights.safetensors").exists():
            continue
        meta = json.loads(config.read_text()).get("meta", {})
        name = folder.name
        found.append({
            "name": name,
            "label": FUSION_METHODS.get(name, {}).get("label", name),
            "checkpoint": str(folder),
            "validation": meta.get("validation", {}),
        })
    return found


def best_method(root: Path | None = None) -> str | None:
    """The method that won on validation: the evaluation summary's pick, else lowest val loss."""
    root = Path(root or CHECKPOINTS)
    methods = {m["name"]: m for m in available_methods(root)}
    summary = root / "summary.json"
    if summary.exists():
        best = json.loads(summary.read_text()).get("best")
        if best in methods:
            return best
    scored = [(m["validation"].get("loss", float("inf")), name) for name, m in methods.items()]
    return min(scored)[1] if scored else None


def load_conditioned(name: str, device="auto", root: str | None = None) -> ConditionedCopyModel:
    """A trained method by name (cached: switching back and forth does not reload)."""
    return _load_conditioned(name, str(device), str(root) if root else None)


@lru_cache(maxsize=2)
def _load_conditioned(name: str, device: str, root: str | None) -> ConditionedCopyModel:
    folder = checkpoint_dir(name, Path(root) if root else None)
    if not (folder / "weights.safetensors").exists():
        offered = ", ".join(m["name"] for m in available_methods(Path(root) if root else None)) or "none trained yet"
        raise StudioError(f"fusion method {name!r} has no trained checkpoint in {folder.parent} "
                          f"(accepted: {offered}, or 'none'/'template'); train one with `python -m engine train`")
    return ConditionedCopyModel.load(folder, device)


__all__ = ["ConditionedCopyModel", "ConditionedLanguageModel", "available_methods", "best_method",
           "load_conditioned", "checkpoint_dir", "CHECKPOINTS"]
