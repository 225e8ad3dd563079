"""Catalog runs on Ray (engine/workflows/distributed.py): a worker killed mid-run loses nothing and doubles
nothing, a stopped run resumes, and the driver stays the only writer. A local Ray instance
with 2 workers; the default trained method with short outputs, so the LM loads in each worker."""
from __future__ import annotations

import json
import os
import pickle
import signal
import subprocess
import sys
from collections import Counter
from pathlib import Path

import pytest

from engine.workflows.batch import StepFailed, read_failures, read_results, run_batch
from engine.core.errors import IngestError, StudioError
from engine.core.settings import Settings
from conftest import luma_catalog

ROOT = Path(__file__).resolve().parents[1]
LUMA = ROOT.parent / "shared" / "data" / "luma" / "products.jsonl"
PRODUCTS = 20
SHORT = Settings(max_new_tokens=12)  # the default (trained) method, a few tokens per field

pytestmark = pytest.mark.skipif(not LUMA.exists(), reason=f"sample data not found at {LUMA}")


def ids_written(out: Path) -> Counter:
    return Counter(row["id"] for row in read_results(out))


def test_engine_imports_without_ray_and_says_how_to_get_it(tmp_path):
    code = ("import sys; sys.modules['ray'] = None\n"  # as if Ray were not installed
            "import engine.workflows.batch, engine.cli, engine.workflows.distributed\n"
            "from engine.cli import main\n"
            f"sys.exit(main(['batch', {str(tmp_path / 'c.jsonl')!r}, '--out', {str(tmp_path / 'o')!r}, '--ray', "
            "'--fusion', 'template']))")
    (tmp_path / "c.jsonl").write_text(json.dumps({"id": "A", "title": "Steel bottle"}) + "\n", encoding="utf-8")
    done = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=300,
                          env={**os.environ, "HF_HUB_OFFLINE": "1"})
    assert done.returncode == 2, done.stderr
    assert "--ray needs Ray: pip install" in done.stderr


def test_outcomes_survive_pickling():
    from engine.workflows.distributed import portable

    for error in (StepFailed("score", KeyError("x")), IngestError("a.json", "not JSON", "an object")):
        back = pickle.loads(pickle.dumps(portable(error)))
        assert isinstance(back, StudioError) and str(back) == str(error)
    plain = StudioError("too little input")
    assert portable(plain) is plain


@pytest.fixture(scope="module")
def runner():
    pytest.importorskip("ray")
    from engine.workflows.distributed import RayRunner

    with RayRunner(workers=2, device="cpu") as ray_runner:
        yield ray_runner


@pytest.mark.slow
def test_killed_worker_loses_nothing_and_writes_nothing_twice_then_resumes(tmp_path, runner):
    catalog, ids = luma_catalog(tmp_path, PRODUCTS, photos=1)
    out = tmp_path / "out"
    pids = runner.worker_pids()
    killed = []

    def kill_one(done, total, record):
        if not killed:  # the first results line is on disk: kill a worker while both have chunks queued
            os.kill(pids[1], signal.SIGKILL)
            killed.append(pids[1])

    summary = run_batch(catalog, out, SHORT, batch_size=2, runner=runner, progress=kill_one)
    assert killed and runner.stats["resent"] >= 1  # the dead worker's chunks were sent again
    assert summary["new"] == PRODUCTS and summary["failed"] == 0 and summary["done"] == PRODUCTS
    assert ids_written(out) == Counter(ids)  # every product exactly once
    assert read_failures(out) == []
    assert all(row["settings"]["max_new_tokens"] == 12 and row["title"] for row in read_results(out))
    assert runner.worker_pids()[1] != pids[1]  # the killed actor came back in a new process

    again = run_batch(catalog, out, SHORT, batch_size=2, runner=runner)
    assert again["new"] == 0 and again["skipped"] == PRODUCTS and again["failed"] == 0
    assert ids_written(out) == Counter(ids)


@pytest.mark.slow
def test_stopped_ray_run_resumes_where_it_stopped(tmp_path, runner):
    catalog, ids = luma_catalog(tmp_path, PRODUCTS, photos=1)
    out = tmp_path / "out"
    seen = []
    first = run_batch(catalog, out, SHORT, batch_size=2, runner=runner,
                      progress=lambda done, total, record: seen.append(record["id"]),
                      should_stop=lambda: len(seen) >= 4)
    assert first["stopped"] and 4 <= first["new"] < PRODUCTS  # chunks already on a worker are written
    assert ids_written(out) == Counter(seen)
    rest = run_batch(catalog, out, SHORT, batch_size=2, runner=runner)
    assert rest["skipped"] == first["new"] and rest["new"] == PRODUCTS - first["new"] and not rest["stopped"]
    assert ids_written(out) == Counter(ids) and read_failures(out) == []
