"""Where the studio keeps converted models, caches and history (all outside git)."""
from __future__ import annotations

import os
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[2]
ASSETS = REPO_ROOT / "assets"


def cache_dir() -> Path:
    """Converted model caches and WordNet; ``MCS_CACHE_DIR`` overrides the default."""
    path = Path(os.environ.get("MCS_CACHE_DIR", Path.home() / ".cache" / "merchant-content-studio"))
    path.mkdir(parents=True, exist_ok=True)
    return path


def data_dir(create: bool = True) -> Path:
    """History database and generated files; ``MCS_DATA_DIR`` overrides the default.

    ``create=False`` only names it: a read-only or full disk must not stop a caller that can
    still read what is there."""
    path = Path(os.environ.get("MCS_DATA_DIR", REPO_ROOT / "runs" / "studio"))
    if create:
        path.mkdir(parents=True, exist_ok=True)
    return path


def storage_problem(exc: BaseException, folder: Path | str) -> str | None:
    """'the disk is full' or 'the folder is read-only' when ``exc`` means ``folder`` refuses writes.

    None for any other error, so callers re-raise what they do not understand. SQLite reports a
    read-only or full folder in several ways (READONLY, FULL, or CANTOPEN/IOERR when it cannot
    create its -wal/-shm files), so for the vague ones the folder itself is asked.
    """
    import errno
    import shutil
    import sqlite3

    full, read_only = "the disk is full", "the folder is read-only"
    if isinstance(exc, OSError):
        if exc.errno in (errno.ENOSPC, errno.EDQUOT, errno.EFBIG):
            return full
        if exc.errno in (errno.EROFS, errno.EACCES, errno.EPERM):
            return read_only
        return None
    if not isinstance(exc, sqlite3.Error):
        return None
    name = getattr(exc, "sqlite_errorname", "") or ""
    if name == "SQLITE_FULL":
        return full
    if name.startswith("SQLITE_READONLY"):
        return read_only
    if not name.startswith(("SQLITE_CANTOPEN", "SQLITE_IOERR")):
        return None
    folder = Path(folder)
    if not os.access(folder, os.W_OK):  # also false on a read-only mount, even for root
        return read_only
    try:
        if shutil.disk_usage(folder).free < 1 << 20:
            return full
    except OSError:
        pass
    return None
