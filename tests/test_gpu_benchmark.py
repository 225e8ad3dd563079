"""benchmarks/gpu.py, the prepared device check, runs end to end: here on the CPU with tiny sizes."""
from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
SCRIPT = ROOT / "benchmarks" / "gpu.py"


def _run(*flags: str, timeout: int) -> subprocess.CompletedProcess:
    env = {**os.environ, "HF_HUB_OFFLINE": "1"}
    return subprocess.run([sys.executable, str(SCRIPT), *flags], cwd=ROOT, env=env, capture_output=True,
                          text=True, timeout=timeout)


@pytest.mark.slow
def test_tiny_cpu_run_generates_and_trains(tmp_path):
    summary_path = tmp_path / "gpu.json"
    done = _run("--device", "cpu", "--products", "4", "--batch-size", "2", "--steps", "3",
                "--train-batch-size", "2", "--json", str(summary_path), timeout=240)
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
    last = done.stdout.strip().splitlines()[-1]
    summary = json.loads(last)  # the last line is the JSON summary ...
    assert json.loads(summary_path.read_text()) == summary  # ... and --json writes the same
    assert summary["device"] == "cpu" and summary["peak_gpu_gib_generate"] is None
    assert summary["products"] == 4 and summary["products_ok"] == 4 and summary["products_failed"] == 0
    assert summary["batch_size"] == 2
    assert summary["products_per_s"] > 0 and summary["lm_products_per_s"] >= summary["products_per_s"]
    assert summary["mean_chars"]["title"] > 0 and summary["mean_chars"]["description"] > 0
    assert summary["steps"] == 3 and summary["steps_run"] == 3 and summary["steps_per_s"] > 0
    assert summary["load_s"] > 0 and summary["val_loss"] > 0


def test_cuda_without_a_gpu_stops_with_status_2():
    import torch

    if torch.cuda.is_available():
        pytest.skip("a GPU is present")
    done = _run("--device", "cuda", "--products", "1", timeout=60)
    assert done.returncode == 2
    assert "no CUDA GPU" in done.stderr and "--device cpu" in done.stderr
