"""Crash safety with real processes, real files and real filesystems.

Kills: a child process does real work (generations into a History, a CLI batch, a CLI training
run, the studio's training session) and is SIGKILLed once a file on disk shows it is under way;
the test then "restarts" (a new History, the same command again) and checks what survived.

Full and read-only disks: the child runs in its own user + mount namespace (``unshare``) on a
real filesystem: a 1 MiB tmpfs it fills up (the kernel answers ENOSPC, as on a full disk) and
a read-only bind mount of a folder on disk (the kernel answers EROFS, as on a read-only
volume). Both hold for root too, unlike chmod, and nothing is faked inside the process.
"""
from __future__ import annotations

import fcntl
import hashlib
import json
import os
import shutil
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest

from conftest import LUMA

REPO = Path(__file__).resolve().parents[1]
pytestmark = pytest.mark.skipif(not LUMA.exists(), reason=f"sample data not found at {LUMA}")


# -- helpers ------------------------------------------------------------------------------------
def _env(data_dir: Path) -> dict:
    return {**os.environ, "MCS_DATA_DIR": str(data_dir), "HF_HUB_OFFLINE": "1", "OMP_NUM_THREADS": "1",
            "PYTHONPATH": str(REPO), "PYTHONUNBUFFERED": "1"}


def _catalog(folder: Path, count: int) -> Path:
    """The first ``count`` Luma products, one photo each, photo paths absolute (the file moves)."""
    rows = [json.loads(line) for line in LUMA.read_text(encoding="utf-8").splitlines()[:count]]
    for row in rows:
        row["images"] = [str(LUMA.parent / row["images"][0])]
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / "products.jsonl"
    path.write_text("\n".join(json.dumps(r) for r in rows) + "\n", encoding="utf-8")
    return path


def _start(args: list[str], data_dir: Path, log: Path) -> subprocess.Popen:
    handle = log.open("w")
    return subprocess.Popen(args, cwd=REPO, env=_env(data_dir), stdout=handle, stderr=subprocess.STDOUT)


def _kill_when(proc: subprocess.Popen, ready, log: Path, deadline_s: float = 600) -> None:
    """SIGKILL ``proc`` as soon as ``ready()`` is true; fail if it exits first.

    The deadline only stops a hung child from hanging the suite; nothing asserts on time."""
    give_up = time.monotonic() + deadline_s
    while not ready():
        if proc.poll() is not None:
            pytest.fail(f"the child ended (rc {proc.returncode}) before it could be killed:\n{log.read_text()[-3000:]}")
        if time.monotonic() > give_up:
            proc.kill()
            pytest.fail(f"the child never got under way:\n{log.read_text()[-3000:]}")
        time.sleep(0.05)
    os.kill(proc.pid, signal.SIGKILL)
    assert proc.wait() == -signal.SIGKILL


def _lines(path: Path) -> list[str]:
    return path.read_text(encoding="utf-8").split("\n") if path.exists() else []


def _json_or_none(path: Path):
    try:
        return json.loads(path.read_text())
    except (OSError, ValueError):
        return None


def _hashes(*roots: Path) -> dict[str, str]:
    return {str(f): hashlib.sha256(f.read_bytes()).hexdigest()
            for root in roots for f in sorted(root.rglob("*")) if f.is_file()}


def _integrity(db_path: Path) -> str:
    with sqlite3.connect(db_path) as db:
        return db.execute("PRAGMA integrity_check").fetchone()[0]


# -- killed during generation -------------------------------------------------------------------
GENERATE_FOREVER = r"""
import dataclasses, sys, uuid
from pathlib import Path
from engine.storage.history import History
from engine.pipeline import Studio
from engine.core.product import load_catalog
from engine.core.settings import Settings

history = History(sys.argv[1])
log = Path(sys.argv[2])
studio = Studio(device="cpu", history=history)

def finished(generation_id):  # written only once History.add has returned
    with log.open("a") as handle:
        handle.write(generation_id + "\n")

results = []
for product in load_catalog(sys.argv[3]):
    result = studio.generate(product, Settings(fusion="template"))  # stored inside, as in the studio
    results.append(result)
    finished(result.id)
while True:  # regenerations as fast as History takes them, so the kill lands inside a write or between two
    for parent in results:
        child = dataclasses.replace(parent, id=uuid.uuid4().hex[:12], parent_id=parent.id)
        history.add(child, parent_id=parent.id)
        finished(child.id)
"""


def test_kill_during_generation_keeps_history_whole(tmp_path):
    db_path, log = tmp_path / "data" / "history.sqlite", tmp_path / "finished.txt"
    catalog = _catalog(tmp_path / "catalog", 3)
    proc = _start([sys.executable, "-c", GENERATE_FOREVER, str(db_path), str(log), str(catalog)],
                  tmp_path / "data", tmp_path / "child.log")
    _kill_when(proc, lambda: len(_lines(log)) > 3 + 30, tmp_path / "child.log")

    from engine.storage.history import History

    assert _integrity(db_path) == "ok"
    finished = [line for line in _lines(log) if len(line) == 12]  # a line cut by the kill is no id
    history = History(db_path)  # the restarted studio
    stored = {row["id"]: row for row in history.search(limit=10_000)}
    assert set(finished) <= set(stored), "a finished generation is missing"
    assert len(stored) - len(finished) in (0, 1)  # at most the one killed between commit and log line
    for generation_id in stored:  # none is half there: every row loads in full, with its lineage
        row = history.get(generation_id)
        assert row["title"] and row["scores"] and row["product"]["id"]
        assert row["parent_id"] is None or row["parent_id"] in stored
    with sqlite3.connect(db_path) as db:  # the search index moved in the same transactions
        assert db.execute("SELECT COUNT(*) FROM generations_fts").fetchone()[0] == len(stored)
    history.record_edit(finished[0], "title", "Edited after the restart")  # and it takes writes again
    assert history.get(finished[0])["title"] == "Edited after the restart"


# -- killed during a batch ---------------------------------------------------------------------
def test_kill_during_batch_resumes_each_product_exactly_once(tmp_path):
    catalog, out = _catalog(tmp_path / "catalog", 8), tmp_path / "batch"
    results = out / "results.jsonl"
    command = [sys.executable, "-m", "engine", "--device", "cpu", "batch", str(catalog), "--out", str(out),
               "--fusion", "template"]
    proc = _start(command, tmp_path / "data", tmp_path / "first.log")
    _kill_when(proc, lambda: len([l for l in _lines(results) if l]) >= 2, tmp_path / "first.log")
    before = results.read_bytes()
    kept = before[: before.rfind(b"\n") + 1]  # a line cut short by the kill runs again
    assert 2 <= kept.count(b"\n") < 8, "the kill came too late to test resuming"

    with (out / "batch.lock").open("w") as handle:  # the dead process holds no lock
        fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        fcntl.flock(handle, fcntl.LOCK_UN)
    rerun = subprocess.run(command, cwd=REPO, env=_env(tmp_path / "data"), capture_output=True, text=True)
    assert rerun.returncode == 0, rerun.stdout + rerun.stderr

    after = results.read_bytes()
    assert after.startswith(kept), "a finished line was changed or lost"
    ids = [json.loads(line)["id"] for line in after.decode().splitlines()]
    expected = [json.loads(line)["id"] for line in catalog.read_text().splitlines()]
    assert sorted(ids) == sorted(expected) and len(ids) == len(set(ids))


# -- killed during training ---------------------------------------------------------------------
TRAIN_FLAGS = ["--fusion", "gmu", "--steps", "8", "--batch-size", "2", "--eval-every", "1", "--val-percent", "40",
               "--lora-rank", "2", "--val-examples", "2", "--patience", "1000"]


def _promoted_checkpoint(monkeypatch, data_dir: Path) -> Path:
    """A checkpoint promoted into the data folder the way the Train tab does it."""
    monkeypatch.setenv("MCS_DATA_DIR", str(data_dir))
    from engine.conditioning import CHECKPOINTS, promote, user_checkpoints

    promote(CHECKPOINTS / "gmu")
    return user_checkpoints()


def test_kill_during_training_resumes_and_leaves_served_checkpoints(tmp_path, monkeypatch):
    from engine.conditioning import CHECKPOINTS

    data_dir = tmp_path / "data"
    promoted = _promoted_checkpoint(monkeypatch, data_dir)
    served = _hashes(promoted, CHECKPOINTS)
    catalog, run, state = _catalog(tmp_path / "catalog", 6), tmp_path / "run", tmp_path / "state"
    command = [sys.executable, "-m", "engine", "--device", "cpu", "train", str(catalog), "--out", str(run),
               "--state-dir", str(state), *TRAIN_FLAGS]
    proc = _start(command, data_dir, tmp_path / "first.log")
    _kill_when(proc, lambda: (_json_or_none(state / "gmu" / "state.json") or {}).get("step", 0) >= 2,
               tmp_path / "first.log")
    saved = json.loads((state / "gmu" / "state.json").read_text())["step"]
    assert not (run / "gmu" / "weights.safetensors").exists(), "the kill came too late to test resuming"

    rerun = subprocess.run(command, cwd=REPO, env=_env(data_dir), capture_output=True, text=True)
    assert rerun.returncode == 0, rerun.stdout + rerun.stderr
    assert f"gmu: resuming from step {saved} of 8" in rerun.stdout
    history = json.loads((run / "gmu" / "history.json").read_text())
    assert [step for step, _ in history["train"]] == list(range(1, 9))  # continued, not started over
    assert json.loads((run / "gmu" / "provenance.json").read_text())["training"]["steps_run"] == 8
    assert _hashes(promoted, CHECKPOINTS) == served


SESSION = r"""
import sys
from pathlib import Path
from engine.training import TrainConfig
from engine.training.session import TrainingSession

cfg = TrainConfig(steps=12, batch_size=2, eval_every=1, val_percent=40, lora_rank=2, val_examples=2,
                  device="cpu", patience=1000)
session = TrainingSession([Path(sys.argv[1])], ["gmu"], steps=12, limit=6, eval_limit=2, config=cfg,
                          folder=Path(sys.argv[2])).start()
session._thread.join()
"""


def test_killed_studio_training_session_says_stopped_and_resumes(tmp_path, monkeypatch):
    from engine.conditioning import CHECKPOINTS
    from engine.training import TrainConfig
    from engine.training.session import TrainingSession, last_run, resumable_folder, stopped_notice

    data_dir = tmp_path / "data"
    promoted = _promoted_checkpoint(monkeypatch, data_dir)
    served = _hashes(promoted, CHECKPOINTS)
    catalog, folder = _catalog(tmp_path / "catalog", 6), data_dir / "training" / "20240101-000000"
    proc = _start([sys.executable, "-c", SESSION, str(catalog), str(folder)], data_dir, tmp_path / "studio.log")
    _kill_when(proc, lambda: (_json_or_none(folder / ".state" / "gmu" / "state.json") or {}).get("step", 0) >= 2,
               tmp_path / "studio.log")
    saved = json.loads((folder / ".state" / "gmu" / "state.json").read_text())["step"]
    assert json.loads((folder / "status.json").read_text())["state"] == "running"  # what the dead studio left

    record = last_run()  # the restarted studio
    assert record["state"] == "stopped" and record["folder"] == str(folder)
    notice = stopped_notice(record)
    assert "was stopped at step" in notice and f"resume from step {saved}" in notice
    assert "checkpoints in use are untouched" in notice
    from studio.train_tab import _status_on_load

    assert _status_on_load().startswith("⚠️ The last training run (gmu on products.jsonl) was stopped")
    assert resumable_folder([catalog], ["gmu"], 12, 6, 2) == folder
    assert resumable_folder([catalog], ["gmu"], 30, 6, 2) is None  # other settings start a new run

    cfg = TrainConfig(steps=12, batch_size=2, eval_every=1, val_percent=40, lora_rank=2, val_examples=2,
                      device="cpu", patience=1000)
    again = TrainingSession([catalog], ["gmu"], steps=12, limit=6, eval_limit=2, config=cfg, folder=folder)
    again._cancel.set()  # resume, then stop at once: the evaluation after training is not under test
    again.start()
    assert again.resumed == {"gmu": saved}
    again._thread.join()
    assert again.status.startswith("cancelled"), again.error
    assert last_run()["state"] == "cancelled" and stopped_notice(last_run()) == ""
    assert _hashes(promoted, CHECKPOINTS) == served


# -- full and read-only disks ---------------------------------------------------------------------
FULL_AND_READ_ONLY = r"""
import errno, json, sqlite3, subprocess, sys
from pathlib import Path
from engine.workflows.batch import read_results, run_batch
from engine.storage.history import History, HistoryWriteError
from engine.pipeline import Studio
from engine.core.product import load_catalog
from engine.core.settings import Settings

full, read_only, catalog = Path(sys.argv[1]), Path(sys.argv[2]), sys.argv[3]
products, settings, report = load_catalog(catalog), Settings(fusion="template"), {}

def fill(folder):  # write until the kernel says the disk is full
    with (folder / "filler").open("wb", buffering=0) as handle:
        try:
            while True:
                handle.write(b"\0" * 4096)
        except OSError as exc:
            assert exc.errno == errno.ENOSPC, exc

def attempt(history, studio, product):
    result = studio.generate(product, settings)  # the copy comes back whatever the disk does
    try:
        history.add(result)
        error = ""
    except HistoryWriteError as exc:
        error = str(exc)
    return {"title": result.copy.title, "warnings": result.warnings, "error": error}

# A full disk: two generations stored, the disk filled, a third written, space freed, a fourth stored.
history = History(full / "history.sqlite")
studio = Studio(device="cpu", history=history)
for product in products[:2]:
    studio.generate(product, settings)
run_batch(products[:2], full / "batch", settings, studio=studio)
report["batch_first"] = [r["id"] for r in read_results(full / "batch")]
report["stored"] = [r["id"] for r in history.search()]  # two generations and the two of the batch
fill(full)
report["full"] = attempt(history, studio, products[2])
report["full_rows"] = [r["id"] for r in History(full / "history.sqlite").search()]  # a restart on the full disk
try:
    run_batch(products[:4], full / "batch", settings, studio=studio)
    report["batch_full"] = "no error"
except Exception as exc:
    report["batch_full"] = f"{type(exc).__name__}: {exc}"
report["batch_rows"] = [r["id"] for r in read_results(full / "batch")]
(full / "filler").unlink()
report["full_integrity"] = sqlite3.connect(full / "history.sqlite").execute("PRAGMA integrity_check").fetchone()[0]
report["after_freeing"] = attempt(history, studio, products[3])

# A read-only folder: two generations stored, the folder made read-only, the studio restarted.
history = History(read_only / "history.sqlite")
studio.history = history
report["ro_stored"] = [studio.generate(p, settings).id for p in products[:2]]
subprocess.run(["mount", "-o", "remount,bind,ro", str(read_only)], check=True)
history = History(read_only / "history.sqlite")  # the restart must not fail
studio.history = history
report["ro_rows"] = [r["id"] for r in history.search()]
report["ro_get"] = history.get(report["ro_stored"][0])["title"]
report["ro"] = attempt(history, studio, products[2])
try:
    history.record_edit(report["ro_stored"][0], "title", "an edit")
    report["ro_edit"] = ""
except HistoryWriteError as exc:
    report["ro_edit"] = str(exc)
report["ro_empty"] = len(History(read_only / "nothing-here" / "history.sqlite"))
print("REPORT " + json.dumps(report))
"""


@pytest.fixture(scope="module")
def disk_report(tmp_path_factory):
    if not shutil.which("unshare"):
        pytest.skip("needs unshare(1) for a private tmpfs and read-only bind mount")
    root = tmp_path_factory.mktemp("disks")
    full, read_only = root / "full", root / "read-only"
    full.mkdir()
    read_only.mkdir()
    catalog = _catalog(root / "catalog", 4)
    mounts = ('mount -t tmpfs -o size=1m tmpfs "$0" && mount --bind "$1" "$1" && exec "$2" -c "$3" "$0" "$1" "$4"')
    command = ["unshare", "--user", "--map-root-user", "--mount", "sh", "-c", mounts,
               str(full), str(read_only), sys.executable, FULL_AND_READ_ONLY, str(catalog)]
    probe = subprocess.run(["unshare", "--user", "--map-root-user", "--mount", "mount", "-t", "tmpfs", "tmpfs", str(root)],
                           capture_output=True, text=True)
    if probe.returncode:
        pytest.skip(f"this kernel does not allow a private mount namespace: {probe.stderr.strip()}")
    done = subprocess.run(command, cwd=REPO, env=_env(root / "data"), capture_output=True, text=True)
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
    line = next(l for l in done.stdout.splitlines() if l.startswith("REPORT "))
    return {**json.loads(line[len("REPORT "):]), "read_only_path": read_only}


def test_full_disk_says_so_keeps_the_copy_and_loses_nothing(disk_report):
    report = disk_report
    full = report["full"]
    assert full["title"], "the copy is still there"
    assert full["error"].startswith("could not save to history at ") and "the disk is full" in full["error"]
    assert "--data-dir" in full["error"]
    assert any(w.startswith("Not saved to history: ") and "the disk is full" in w for w in full["warnings"])
    assert report["full_rows"] == report["stored"] and len(report["stored"]) == 4  # nothing lost or half-written
    assert report["full_integrity"] == "ok"
    assert len(report["batch_first"]) == 2 and report["batch_rows"][:2] == report["batch_first"]
    assert report["after_freeing"]["error"] == "" and not any("history" in w for w in report["after_freeing"]["warnings"])


def test_read_only_folder_says_so_keeps_the_copy_and_loses_nothing(disk_report):
    report = disk_report
    ro = report["ro"]
    assert ro["title"]
    assert "the folder is read-only" in ro["error"] and "the folder is read-only" in report["ro_edit"]
    assert any(w.startswith("Not saved to history: ") and "read-only" in w for w in ro["warnings"])
    assert report["ro_rows"][::-1] == report["ro_stored"] and report["ro_get"]
    assert report["ro_empty"] == 0
    db_path = report["read_only_path"] / "history.sqlite"  # back outside the namespace: the files themselves
    assert _integrity(db_path) == "ok"
    from engine.storage.history import History

    assert [r["id"] for r in History(db_path).search()][::-1] == report["ro_stored"]
