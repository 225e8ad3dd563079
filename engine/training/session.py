"""A training + evaluation run the studio can watch, cancel and promote, in a background thread.

The run writes into its own folder (never into the checkpoints that serve users), so cancelling
or crashing it can not corrupt the last good checkpoint; ``promote`` copies a finished method
over in one rename.
"""
from __future__ import annotations

import threading
import time
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

from engine.paths import data_dir
from engine.training.trainer import TrainConfig, plot_history


@dataclass
class TrainingSession:
    catalogs: list[Path]
    methods: list[str]
    steps: int = 40
    limit: int | None = 120
    eval_limit: int = 6
    task: str = "title"
    config: TrainConfig | None = None  # defaults to TrainConfig(steps=steps)
    folder: Path = field(default_factory=lambda: data_dir() / "training" / datetime.now().strftime("%Y%m%d-%H%M%S"))
    histories: dict[str, dict] = field(default_factory=dict)
    status: str = "waiting to start"
    report: dict | None = None
    error: str | None = None
    _cancel: threading.Event = field(default_factory=threading.Event)
    _thread: threading.Thread | None = None

    def start(self) -> "TrainingSession":
        self.folder.mkdir(parents=True, exist_ok=True)
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._thread.start()
        return self

    def cancel(self) -> None:
        self._cancel.set()
        self.status = "cancelling after the current step..."

    @property
    def running(self) -> bool:
        return self._thread is not None and self._thread.is_alive()

    def _on_step(self, method: str, step: int, history: dict) -> None:
        self.histories[method] = {"train": list(history["train"]), "val": list(history["val"])}
        self.status = f"training {method}: step {step} of {self.steps}"

    def _run(self) -> None:
        from engine.evaluation import evaluate
        from engine.training import train

        try:
            self.status = "encoding the catalog (photos and text, once)..."
            cfg = self.config or TrainConfig(steps=self.steps)
            train(self.catalogs, self.methods, self.folder, cfg, limit=self.limit, progress=False,
                  command=f"studio Train tab: {self.methods} on {[str(c) for c in self.catalogs]}",
                  on_step=self._on_step, should_stop=self._cancel.is_set)
            if self._cancel.is_set():
                self.status = "cancelled: the checkpoints in use are untouched"
                return
            self.status = "evaluating on held-out products..."
            self.report = evaluate(self.catalogs[0], task=self.task, methods=["template", "none", *self.methods],
                                   out=self.folder / "evaluation", limit=self.eval_limit, checkpoints=self.folder,
                                   progress=False)
            self.status = "done"
        except Exception as exc:  # reported in the UI; the thread must not die silently
            self.error = f"{type(exc).__name__}: {exc}"
            self.status = "failed"

    def loss_plot(self) -> Path | None:
        """The loss curves of the method training now (or the last one), as a PNG."""
        if not self.histories:
            return None
        method = next(reversed(self.histories))
        path = self.folder / f"loss-{time.time_ns()}.png"  # a new name, so the browser reloads it
        plot_history(self.histories[method], path, f"{method}: loss so far")
        return path

    def method_folder(self, method: str) -> Path:
        return self.folder / method
