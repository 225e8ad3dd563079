"""A training + evaluation run the studio can watch, cancel and promote, in a background thread.

The run writes into its own folder (never into the checkpoints that serve users), so cancelling
or crashing it can not corrupt the last good checkpoint; ``promote`` copies a finished method
over in one rename.

Each run keeps ``status.json`` in its folder, rewritten (atomically) at every step. A studio
that was killed leaves it saying "running" with a process that is gone: the restarted studio
reads that and says the run was stopped, and starting it again with the same settings reuses
the folder, so the trainer resumes from its last saved state.
"""
from __future__ import annotations

import json
import os
import threading
import time
import uuid
from dataclasses import asdict, dataclass, field
from datetime import datetime
from pathlib import Path

from engine.core.paths import data_dir
from engine.training.trainer import TrainConfig, plot_history, saved_step

STATUS_FILE = "status.json"
# Tells this studio process's runs from those of an earlier one: a restarted container often
# gets the same pid back, so the pid alone can not say a run died.
_PROCESS = uuid.uuid4().hex


def runs_root() -> Path:
    return data_dir(create=False) / "training"


@dataclass
class TrainingSession:
    catalogs: list[Path]
    methods: list[str]
    steps: int = 40
    limit: int | None = 120
    eval_limit: int = 6
    task: str = "title"
    config: TrainConfig | None = None  # defaults to TrainConfig(steps=steps)
    folder: Path = field(default_factory=lambda: runs_root() / datetime.now().strftime("%Y%m%d-%H%M%S"))
    histories: dict[str, dict] = field(default_factory=dict)
    status: str = "waiting to start"
    report: dict | None = None
    error: str | None = None
    step: int = 0
    method: str = ""
    resumed: dict[str, int] = field(default_factory=dict)  # method -> the saved step this run went on from
    _cancel: threading.Event = field(default_factory=threading.Event)
    _thread: threading.Thread | None = None

    def start(self) -> "TrainingSession":
        self.folder.mkdir(parents=True, exist_ok=True)
        saved = {m: saved_step(self.folder / ".state", m) for m in self.methods}
        self.resumed = {m: s for m, s in saved.items() if s}
        self.step = max(self.resumed.values(), default=0)
        self._report("resuming " + ", ".join(f"{m} from step {s}" for m, s in self.resumed.items()) if self.resumed
                     else "starting...")
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._thread.start()
        return self

    def cancel(self) -> None:
        self._cancel.set()
        self._report("cancelling after the current step...")

    @property
    def running(self) -> bool:
        return self._thread is not None and self._thread.is_alive()

    def _on_step(self, method: str, step: int, history: dict) -> None:
        self.histories[method] = {"train": list(history["train"]), "val": list(history["val"])}
        self.method, self.step = method, step
        resumed = f" (resumed from step {self.resumed[method]})" if method in self.resumed else ""
        self._report(f"training {method}: step {step} of {self.steps}{resumed}")

    def _run(self) -> None:
        from engine.evaluation import evaluate
        from engine.training import train

        try:
            self._report("encoding the catalog (photos and text, once)...")
            train(self.catalogs, self.methods, self.folder, self._config(), limit=self.limit, progress=False,
                  command=f"studio Train tab: {self.methods} on {[str(c) for c in self.catalogs]}",
                  on_step=self._on_step, should_stop=self._cancel.is_set)
            if self._cancel.is_set():
                self._report("cancelled: the checkpoints in use are untouched", "cancelled")
                return
            self._report("evaluating on held-out products...")
            self.report = evaluate(self.catalogs[0], task=self.task, methods=["template", "none", *self.methods],
                                   out=self.folder / "evaluation", limit=self.eval_limit, checkpoints=self.folder,
                                   progress=False)
            self._report("done", "done")
        except Exception as exc:  # reported in the UI; the thread must not die silently
            self.error = f"{type(exc).__name__}: {exc}"
            self._report("failed", "failed")

    def _config(self) -> TrainConfig:
        return self.config or TrainConfig(steps=self.steps)

    def _report(self, status: str, state: str = "running") -> None:
        """Set the status line and keep it on disk, where a restarted studio finds it."""
        self.status = status
        record = {"state": state, "status": status, "error": self.error, "method": self.method, "step": self.step,
                  "steps": self.steps, "catalogs": [str(c) for c in self.catalogs], "methods": self.methods,
                  "limit": self.limit, "eval_limit": self.eval_limit, "task": self.task,
                  "config": asdict(self._config()), "pid": os.getpid(), "process": _PROCESS,
                  "updated": datetime.now().isoformat(timespec="seconds")}
        partial = self.folder / (STATUS_FILE + ".partial")
        try:
            partial.write_text(json.dumps(record, indent=1))
            partial.replace(self.folder / STATUS_FILE)  # a kill mid-write leaves the previous status whole
        except OSError:
            pass  # only the notice after a restart is lost; the run itself reports its own write errors

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


# -- after a restart -------------------------------------------------------------------------
def read_status(folder: Path) -> dict | None:
    """A run folder's status, with ``state`` "stopped" for a run whose studio process is gone."""
    try:
        record = json.loads((Path(folder) / STATUS_FILE).read_text())
    except (OSError, ValueError):
        return None
    if record.get("state") == "running" and record.get("process") != _PROCESS and not _alive(record.get("pid")):
        record["state"] = "stopped"
    record["folder"] = str(folder)
    return record


def _alive(pid) -> bool:
    if not isinstance(pid, int) or pid == os.getpid():  # our pid but not our process token: a reused pid
        return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def last_run(root: Path | None = None) -> dict | None:
    """The status of the newest run folder under ``root`` (default: the studio's), or None."""
    root = Path(root) if root else runs_root()
    folders = sorted((p.parent for p in root.glob(f"*/{STATUS_FILE}")), key=lambda p: p.name)
    return read_status(folders[-1]) if folders else None


def stopped_notice(record: dict | None) -> str:
    """What the Train tab says about a run an earlier studio left unfinished; "" for none."""
    if not record or record.get("state") != "stopped":
        return ""
    names = ", ".join(Path(c).name for c in record.get("catalogs", []))
    where = f"at step {record['step']} of {record['steps']}" if record.get("step") else "while starting"
    saved = [saved_step(Path(record["folder"]) / ".state", m) for m in record.get("methods", [])]
    saved = max((s for s in saved if s), default=0)
    again = (f"Start it again with the same settings to resume from step {saved} (its last saved state)."
             if saved else "Start it again with the same settings to run it from the start (no state was saved yet).")
    return (f"The last training run ({', '.join(record.get('methods', []))} on {names}) was stopped {where} "
            f"when the studio stopped. The checkpoints in use are untouched. {again}")


def resumable_folder(catalogs: list[Path], methods: list[str], steps: int, limit: int | None,
                     eval_limit: int, root: Path | None = None) -> Path | None:
    """The folder of a stopped run with these settings, so a new start resumes it instead of starting over."""
    record = last_run(root)
    wanted = {"catalogs": [str(c) for c in catalogs], "methods": list(methods), "steps": steps, "limit": limit,
              "eval_limit": eval_limit}
    if record and record["state"] == "stopped" and all(record.get(k) == v for k, v in wanted.items()):
        return Path(record["folder"])
    return None
