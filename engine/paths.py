"""Where the studio keeps converted models, caches and history (all outside git)."""
from __future__ import annotations

import os
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parent.parent
ASSETS = REPO_ROOT / "assets"


def cache_dir() -> Path:
    """Converted model caches and WordNet; ``MCS_CACHE_DIR`` overrides the default."""
    path = Path(os.environ.get("MCS_CACHE_DIR", Path.home() / ".cache" / "merchant-content-studio"))
    path.mkdir(parents=True, exist_ok=True)
    return path


def data_dir() -> Path:
    """History database and generated files; ``MCS_DATA_DIR`` overrides the default."""
    path = Path(os.environ.get("MCS_DATA_DIR", REPO_ROOT / "runs" / "studio"))
    path.mkdir(parents=True, exist_ok=True)
    return path
