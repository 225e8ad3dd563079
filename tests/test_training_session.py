"""The studio's training run: live loss, cancel without touching served checkpoints, promote."""
from __future__ import annotations

import time

from test_training import tiny_catalog  # noqa: F401 - the same tiny real catalog fixture

from engine.training import TrainConfig
from engine.training.session import TrainingSession


def test_cancel_keeps_served_checkpoints_and_promote_makes_default(tiny_catalog, tmp_path, monkeypatch):  # noqa: F811
    monkeypatch.setenv("MCS_DATA_DIR", str(tmp_path))
    from engine.conditioning import available_methods, best_method, checkpoint_dir, promote, user_checkpoints

    served_before = {m["name"]: m["checkpoint"] for m in available_methods()}
    cfg = TrainConfig(steps=500, batch_size=2, eval_every=1, val_percent=40, lora_rank=2, val_examples=2,
                      device="cpu", patience=1000)
    session = TrainingSession([tiny_catalog], ["gmu"], config=cfg, folder=tmp_path / "run").start()
    deadline = time.time() + 300
    while not session.histories and time.time() < deadline:
        time.sleep(0.5)
    assert session.histories["gmu"]["train"], "no live loss reported"
    assert session.loss_plot().exists()
    session.cancel()
    session._thread.join(timeout=300)
    assert session.status.startswith("cancelled"), session.status
    assert session.report is None  # no evaluation after a cancel
    assert {m["name"]: m["checkpoint"] for m in available_methods()} == served_before
    steps_run = len(session.histories["gmu"]["train"])
    assert 0 < steps_run < 500

    target = promote(session.method_folder("gmu"))
    assert target == user_checkpoints() / "gmu" and checkpoint_dir("gmu") == target
    assert best_method() == "gmu"
    assert any(m["name"] == "gmu" and m["checkpoint"] == str(target) for m in available_methods())
