"""Train fusion + mapping (+ LoRA) on catalogs: ``train(paths, methods, out)``.

Cheap by design so that every method trains on a 2-core CPU: the LM stays frozen, encoder
features are computed once per product and cached, sequences are short (compact prompt,
titles <= 20 tokens, descriptions <= 40), the prefix is 4 tokens and each method runs a
few dozen to a few hundred steps with early stopping.
"""
from __future__ import annotations

import datetime as _dt
import json
import platform
import sys
import time
from dataclasses import asdict
from pathlib import Path

from engine.training.data import TASKS, ProductRecord, cached_records, clean_reference_description, split_of
from engine.training.trainer import TrainConfig, train_method


def load_records(paths: list[Path], limit: int | None = None, device: str = "auto",
                 progress: bool = True) -> list[ProductRecord]:
    """Records of every catalog, each catalog cached on its own."""
    records = []
    for path in paths:
        records += cached_records([Path(path)], limit, device, progress)
    return records


def write_provenance(folder: Path, method: str, meta: dict, paths: list[Path], command: str,
                     records: list[ProductRecord]) -> None:
    training, validation = meta["training"], meta["validation"]
    info = {
        "method": method,
        "date": _dt.datetime.now(_dt.timezone.utc).strftime("%Y-%m-%d %H:%M UTC"),
        "command": command,
        "data": [str(p) for p in paths],
        "products": len(records),
        "validation_products": sum(split_of(r.id, training["config"]["val_percent"]) == "val" for r in records),
        "split": f"{training['config']['val_percent']}% of products held out by sha1(product id); a training "
                 "example whose target (title or description) is also a held-out product's target is left out",
        "reference_cleaning": " ".join(clean_reference_description.__doc__.split()),
        "validation": validation,
        "training": training,
        "host": f"{platform.machine()} / python {platform.python_version()}",
        "weights": "fusion + mapping network (+ LoRA r=%d on q_proj/v_proj), float16; the LM itself is not included"
                   % training["config"]["lora_rank"],
    }
    parent = training["config"].get("init_from")
    if parent and (Path(parent) / method / "provenance.json").exists():  # fine-tuned: keep the lineage
        info["started_from"] = json.loads((Path(parent) / method / "provenance.json").read_text())
    (folder / "provenance.json").write_text(json.dumps(info, indent=2))
    render_provenance(folder)


def render_provenance(folder: Path) -> Path:
    """PROVENANCE.md from provenance.json plus the scores evaluation recorded in config.json."""
    info = json.loads((folder / "provenance.json").read_text())
    meta = json.loads((folder / "config.json").read_text()).get("meta", {})
    training, validation = info["training"], meta.get("validation", info["validation"])
    cleaning = info["reference_cleaning"]
    lines = [
        f"# {info['method']}: fusion-conditioned copy checkpoint",
        "",
        f"- **Trained**: {info['date']} on `{training['device']}`, {training['steps_run']} steps "
        f"in {training['seconds']:.0f} s ({training['stop']}); batch {training['config']['batch_size']}, "
        f"lr {training['config']['lr']}, prefix {training['config']['prefix_length']} tokens",
        f"- **Command**: `{info['command']}`",
        f"- **Data**: {', '.join(info['data'])} ({info['products']} products, {training['train_examples']} "
        f"training examples; {info['split']}, {info['validation_products']} validation products). "
        "Luma: AFL-3.0/OSL-3.0; Flipkart 2016 crawl: research use (see ../shared/data/README.md).",
        f"- **Reference cleaning**: {cleaning}",
        f"- **Validation loss** ({validation['examples']} title + description examples of held-out products): "
        f"cross-entropy {validation['loss']}, perplexity {validation['perplexity']}",
    ]
    earlier = info.get("started_from")
    while earlier:  # each fine-tuning run started from the one before it
        before = earlier["training"]
        lines.append(f"- **Started from** an earlier checkpoint: {before['steps_run']} steps in "
                     f"{before['seconds']:.0f} s on {earlier['date']}, `{earlier['command']}`")
        earlier = earlier.get("started_from")
    for key, scores in validation.get("scores", {}).items():
        lines.append(f"- **Validation scores, {key}** ({scores.get('n')} held-out products, greedy): "
                     + ", ".join(f"{k} {v}" for k, v in scores.items() if k != "n"))
    lines += [f"- **Weights**: {info['weights']}", "- **Loss curve**: loss.png"]
    path = folder / "PROVENANCE.md"
    path.write_text("\n".join(lines) + "\n")
    return path


def train(paths: list[Path], methods: list[str], out: Path, cfg: TrainConfig = TrainConfig(),
          limit: int | None = None, state_dir: Path | None = None, progress: bool = True,
          command: str | None = None, on_step=None, should_stop=None) -> dict[str, dict]:
    from engine.fusion import FUSION_METHODS

    methods = list(FUSION_METHODS) if methods == ["all"] else methods
    unknown = [m for m in methods if m not in FUSION_METHODS]
    if unknown:
        from engine.core.errors import StudioError

        raise StudioError(f"unknown fusion method(s) {unknown} (accepted: all, {', '.join(FUSION_METHODS)})")
    command = command or "python -m engine " + " ".join(sys.argv[1:])
    records = load_records(paths, limit, cfg.device, progress)
    results = {}
    for method in methods:
        started = time.perf_counter()
        if should_stop and should_stop():
            break
        meta = train_method(method, records, Path(out), cfg, state_dir=state_dir, progress=progress,
                            on_step=on_step, should_stop=should_stop)
        write_provenance(Path(out) / method, method, meta, paths, command, records)
        results[method] = meta
        print(f"{method}: val loss {meta['validation']['loss']} ({meta['training']['stop']}, "
              f"{time.perf_counter() - started:.0f} s)", flush=True)
    return results


__all__ = ["TrainConfig", "train", "train_method", "load_records", "clean_reference_description", "TASKS"]
