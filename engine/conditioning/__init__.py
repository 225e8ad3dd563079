"""Fusion-conditioned copy: trained fusion + mapping (+ LoRA) checkpoints and how to load them.

Only methods with a checkpoint are offered: untrained weights never serve a user. Checkpoints
come from two places: those shipped in ``assets/checkpoints`` and those a team trained in the
studio and promoted into ``<data dir>/checkpoints`` (``promote``), which take precedence.
"""
from __future__ import annotations

import json
from pathlib import Path

from engine.conditioning.model import TRAINED_FIELDS, ConditionedCopyModel, ConditionedLanguageModel
from engine.core.errors import StudioError
from engine.models.cache import load_once
from engine.core.paths import ASSETS, data_dir

CHECKPOINTS = ASSETS / "checkpoints"


def user_checkpoints() -> Path:
    return data_dir() / "checkpoints"


def checkpoint_dir(name: str, root: Path | None = None) -> Path:
    if root is None and (user_checkpoints() / name / "weights.safetensors").exists():
        return user_checkpoints() / name
    return Path(root or CHECKPOINTS) / name


def promote(trained_folder: Path, make_default: bool = True) -> Path:
    """Copy a finished method folder into the user's checkpoints, replacing any older one in one
    rename (a crash leaves the old checkpoint intact), and optionally make it the default."""
    import shutil

    trained_folder = Path(trained_folder)
    if not (trained_folder / "weights.safetensors").exists():
        raise StudioError(f"{trained_folder}: no finished checkpoint to promote (weights.safetensors missing)")
    target = user_checkpoints() / trained_folder.name
    staging = target.with_name(target.name + ".incoming")
    shutil.rmtree(staging, ignore_errors=True)
    shutil.copytree(trained_folder, staging)
    retired = target.with_name(target.name + ".retired")
    shutil.rmtree(retired, ignore_errors=True)
    if target.exists():
        target.rename(retired)
    staging.rename(target)
    shutil.rmtree(retired, ignore_errors=True)
    if make_default:
        (user_checkpoints() / "default.json").write_text(json.dumps({"best": target.name}))
    _load_conditioned.cache_clear()
    return target


def available_methods(root: Path | None = None) -> list[dict]:
    """[{name, label, checkpoint, validation}] for every method with trained weights on disk."""
    from engine.fusion import FUSION_METHODS

    if root is None:  # shipped methods, overridden by the user's promoted ones
        merged = {m["name"]: m for m in available_methods(CHECKPOINTS)}
        merged.update({m["name"]: m for m in available_methods(user_checkpoints())})
        return [merged[name] for name in sorted(merged)]
    found = []
    root = Path(root)
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
            # validation loss is only comparable between checkpoints trained on equally long targets
            "description_tokens": meta.get("training", {}).get("config", {}).get("description_tokens"),
        })
    return found


def best_method(root: Path | None = None) -> str | None:
    """The method that won on validation: the evaluation summary's pick, else lowest val loss."""
    methods = {m["name"]: m for m in available_methods(root)}
    summaries = [Path(root) / "summary.json"] if root else [user_checkpoints() / "default.json", CHECKPOINTS / "summary.json"]
    for summary in summaries:
        if summary.exists():
            best = json.loads(summary.read_text()).get("best")
            if best in methods:
                return best
    scored = [(m["validation"].get("loss", float("inf")), name) for name, m in methods.items()]
    return min(scored)[1] if scored else None


def load_conditioned(name: str, device="auto", root: str | None = None) -> ConditionedCopyModel:
    """A trained method by name (cached: switching back and forth does not reload)."""
    return _load_conditioned(name, str(device), str(root) if root else None)


@load_once(maxsize=2)
def _load_conditioned(name: str, device: str, root: str | None) -> ConditionedCopyModel:
    folder = checkpoint_dir(name, Path(root) if root else None)
    if not (folder / "weights.safetensors").exists():
        offered = ", ".join(m["name"] for m in available_methods(Path(root) if root else None)) or "none trained yet"
        raise StudioError(f"fusion method {name!r} has no trained checkpoint in {folder.parent} "
                          f"(accepted: {offered}, or 'none'/'template'); train one with `python -m engine train`")
    return ConditionedCopyModel.load(folder, device)


__all__ = ["TRAINED_FIELDS", "ConditionedCopyModel", "ConditionedLanguageModel", "available_methods", "best_method",
           "load_conditioned", "checkpoint_dir", "promote", "user_checkpoints", "CHECKPOINTS"]
