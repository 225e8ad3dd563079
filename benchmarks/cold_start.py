"""Cold start: from `python launch.py` to a studio that answers, and to a studio that has written copy.

    python benchmarks/cold_start.py                    # 3 fresh starts, median table
    python benchmarks/cold_start.py --runs 5 --write   # also (re)writes "## Cold start" in docs/PERFORMANCE.md
    python benchmarks/cold_start.py --json before.json # keep the raw runs (e.g. before a change) ...
    python benchmarks/cold_start.py --before before.json --write   # ... and compare against them
    python benchmarks/cold_start.py --before-repo /tmp/old-checkout --write  # interleaved: old, new, old, ...

Each run starts a fresh ``python launch.py --port P`` (default models, default warm-up, an empty data
folder, ``HF_HUB_OFFLINE=1``) and measures, from just before the process is spawned:

- **page up**: the first ``GET /`` that answers 200 (polled every 50 ms). The UI is there; what is
  still loading is said on the page.
- **models ready**: when the server prints ``Models ready`` (the background warm-up finished); empty
  when it does not print it (the old path printed nothing: its page came up only after the models).
- **first generation done** ("usable"): as soon as the page answers, a ``gradio_client.Client``
  connects and calls ``/generate`` with a real Luma product (its first photo uploaded, the studio's
  default settings: the default copy method, grounded decoding, claim check, scores; fixed seed), as
  an operator who clicks the moment the page appears. Done when the full result is back: non-empty
  title and description, bullets, keywords and scores. This includes writing the copy itself
  (**generation work**, the result's own ``timings["total"]``), which no start-up change removes;
  **waited on start-up** is the rest: first generation done - page up - generation work (model
  loads, the client's connect and upload, the queue).

Median over ``--runs`` runs. On a shared machine the load of other processes moves every number by
seconds: ``--before-repo`` (a copy of the code before a change, e.g. ``git worktree``) alternates the
two, so both see the same load. Nothing here asserts a time: tests/test_cold_start.py checks the
mechanism (serving before the warm-up ends, one load only).
"""
from __future__ import annotations

import argparse
import json
import os
import re
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
from pathlib import Path

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("GRADIO_ANALYTICS_ENABLED", "False")

REPO = Path(__file__).resolve().parents[1]
LUMA = REPO.parent / "shared" / "data" / "luma" / "products.jsonl"
sys.path.insert(0, str(REPO / "benchmarks"))

from report import DOC, machine, write_section  # noqa: E402

SECTION = "## Cold start"
COLUMNS = [("page_up", "page up"), ("models_ready", "models ready"), ("first_generation", "first generation done"),
           ("generation_work", "generation work"), ("waited", "waited on start-up")]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def luma_product(path: Path = LUMA) -> tuple[dict, str]:
    """The first Luma product with a photo on disk: (record without images, photo path)."""
    with path.open(encoding="utf-8") as handle:
        for line in handle:
            record = json.loads(line)
            photos = [path.parent / p for p in record.get("images", [])]
            if photos and photos[0].exists():
                record.pop("images")
                record.pop("videos", None)
                return record, str(photos[0])
    raise SystemExit(f"no Luma product with a photo in {path}")


class LogWatcher(threading.Thread):
    """Reads the server's output; notes when each line arrived (seconds since ``start``)."""

    def __init__(self, stream, start: float):
        super().__init__(daemon=True)
        self.stream, self.t0 = stream, start
        self.lines: list[tuple[float, str]] = []

    def run(self) -> None:
        for line in iter(self.stream.readline, ""):
            self.lines.append((time.perf_counter() - self.t0, line.rstrip()))

    def first(self, pattern: str) -> float | None:
        return next((t for t, line in list(self.lines) if re.search(pattern, line)), None)

    def text(self) -> str:
        return "\n".join(line for _, line in self.lines)


def one_run(args, product: dict, photo: str, repo: Path = REPO) -> dict:
    from gradio_client import Client, handle_file

    port = free_port()
    url = f"http://127.0.0.1:{port}/"
    with tempfile.TemporaryDirectory(prefix="mcs-cold-") as data:
        env = {**os.environ, "MCS_DATA_DIR": data, "PYTHONUNBUFFERED": "1"}
        start = time.perf_counter()
        server = subprocess.Popen([sys.executable, "launch.py", "--port", str(port), *args.launch_args],
                                  cwd=repo, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
        watcher = LogWatcher(server.stdout, start)
        watcher.start()
        try:
            page_up = None
            while page_up is None:
                if server.poll() is not None:
                    time.sleep(0.2)
                    raise RuntimeError(f"launch.py exited with {server.returncode}:\n{watcher.text()}")
                if time.perf_counter() - start > args.timeout:
                    raise RuntimeError(f"no page after {args.timeout} s:\n{watcher.text()}")
                try:
                    with urllib.request.urlopen(url, timeout=5) as response:
                        if response.status == 200:
                            page_up = time.perf_counter() - start
                except OSError:
                    time.sleep(0.05)
            client = Client(url, verbose=False)
            result = client.predict(product, {"seed": 0}, [handle_file(photo)], [], api_name="/generate")
            first_generation = time.perf_counter() - start
            copy = result.get("copy") or {}
            if not (copy.get("title") and copy.get("description") and copy.get("bullets") and copy.get("keywords")
                    and result.get("scores")):
                raise RuntimeError(f"/generate answered without full copy and scores: {json.dumps(result)[:2000]}")
            deadline = time.perf_counter() + 60
            while watcher.first(r"Models ready") is None and time.perf_counter() < deadline \
                    and watcher.first(r"Loading models in the background") is not None:
                time.sleep(0.1)  # the new path says when its warm-up ends; wait for it (bounded)
            work = float(result.get("timings", {}).get("total", 0.0))
            return {
                "page_up": page_up,
                "models_ready": watcher.first(r"Models ready"),
                "first_generation": first_generation,
                "generation_work": work,
                "waited": first_generation - page_up - work,
                "fusion": (result.get("models") or {}).get("fusion"),
                "log": watcher.text(),
            }
        finally:
            server.terminate()
            try:
                server.wait(timeout=30)
            except subprocess.TimeoutExpired:
                server.kill()
                server.wait()


def median(runs: list[dict], key: str) -> float | None:
    values = [r[key] for r in runs if r.get(key) is not None]
    return statistics.median(values) if values else None


def fmt(value: float | None) -> str:
    return "—" if value is None else f"{value:.1f} s"


def table(rows: list[tuple[str, list[dict]]]) -> str:
    head = "| | runs | " + " | ".join(label for _, label in COLUMNS) + " |"
    lines = [head, "|" + "---|" * (len(COLUMNS) + 2)]
    for name, runs in rows:
        lines.append(f"| {name} | {len(runs)} | " + " | ".join(fmt(median(runs, k)) for k, _ in COLUMNS) + " |")
    return "\n".join(lines)


SECTION_TEXT = """{section}

Process start to a usable studio, measured by `{command}` ({machine}; {runs} fresh starts each, medians).
Each run spawns `python launch.py --port P` with the default models and warm-up and an empty data folder,
and times from just before the spawn:

- **page up**: `GET /` answers 200, the whole UI is there. While models still load, the page says so
  in a status line under the header ("Loading models in the background ...") and a click waits for
  the load already under way, never starting a second one.
- **models ready** (our definition of *usable*: the page is there and a click streams at once): the
  background warm-up printed `Models ready` (language model, grounded-decoding tables, default fusion
  checkpoint, text and image encoders, WordNet and the claim-check words).
- **first generation done**: the moment the page answers, a
  `gradio_client` calls `/generate` with the first Luma product and its photo, default settings
  (the default copy method `{fusion}`, grounded decoding, claim check, scores), seed 0, and gets the
  full result back: title, description, bullets, keywords and scores.
- **generation work**: the result's own `timings["total"]`, the writing itself, which start-up
  cannot remove; **waited on start-up** = first generation done - page up - generation work.

{table}

Before: the code before this change, measured by the same script in alternation with it (a copy of
the working tree with the old `launch.py`, `studio/serve.py`, `studio/app.py` and `Studio.warm_up`):
`serve` loaded the models, then imported Gradio, built the UI and launched, so the page appeared only
after the whole warm-up, and the first click still loaded the default fusion checkpoint's writer and
ran the encoders' first pass. After: `serve` imports Gradio, builds the UI and serves, then one
background thread warms everything the default first generation needs (the fusion writer and the
encoders' first pass included). Studio calls that reach a model wait until it is done
(`studio/serve.py`, `WarmingStudio`), so nothing loads twice. Loading in the background while Gradio
was still being imported was slower for both the page and the models here: the two threads fight over
the GIL on two cores.

The machine is shared: other jobs kept its load average at {load} during these runs (2 cores), so
every number moves by seconds from run to run and sits well above what an idle machine gives; before
and after alternate so both met the same load.

{profile}
"""


DEFAULT_PROFILE = "(not given: pass --profile FILE with a Markdown list)"


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--timeout", type=float, default=300, help="seconds to wait for the page")
    parser.add_argument("--launch-args", nargs=argparse.REMAINDER, default=[],
                        help="extra flags for launch.py (last on the line), e.g. --launch-args --no-warm-up")
    parser.add_argument("--json", type=Path, help="write the raw runs here")
    parser.add_argument("--before", type=Path, help="raw runs (--json) of the code before a change, to compare")
    parser.add_argument("--before-repo", type=Path, help="a checkout of the code before a change: its runs "
                        "alternate with this code's")
    parser.add_argument("--from-json", type=Path, help="no runs: table (and --write) from a --json file")
    parser.add_argument("--profile", type=Path, help="Markdown on where the time goes (and what is left), for --write")
    parser.add_argument("--load", help="what the machine's load was, for --write (default: the load average now)")
    parser.add_argument("--write", action="store_true", help=f"(re)write '{SECTION}' in docs/PERFORMANCE.md")
    args = parser.parse_args(argv)

    product, photo = luma_product()
    runs, before = [], []
    if args.from_json:
        saved = json.loads(args.from_json.read_text(encoding="utf-8"))
        runs, before = (saved["after"], saved["before"]) if isinstance(saved, dict) else (saved, [])
        args.runs = len(runs)
    for i in range(0 if args.from_json else args.runs):
        order = [("after", REPO, runs)]
        if args.before_repo:  # alternate which goes first, so neither always meets the other's leftovers
            order.insert(i % 2, ("before", args.before_repo.resolve(), before))
        for name, repo, into in order:
            run = one_run(args, product, photo, repo)
            into.append(run)
            print(f"run {i + 1}/{args.runs} {name if args.before_repo else ''}: "
                  + ", ".join(f"{label} {fmt(run[k])}" for k, label in COLUMNS), flush=True)
    if args.json:
        args.json.write_text(json.dumps({"after": runs, "before": before} if before else runs, indent=1),
                             encoding="utf-8")
    rows = []
    if args.before:
        saved = json.loads(args.before.read_text(encoding="utf-8"))
        before = saved.get("before", []) if isinstance(saved, dict) else saved
    if before:
        rows.append(("before", before))
    rows.append(("after" if before else "this code", runs))
    rendered = table(rows)
    print(rendered)
    if args.write:
        command = "python benchmarks/cold_start.py" + (f" --runs {args.runs}" if args.runs != 3 else "") \
            + (" --before-repo OLD_CHECKOUT" if before else "") + " --write"
        profile = args.profile.read_text(encoding="utf-8").strip() if args.profile else DEFAULT_PROFILE
        write_section(SECTION_TEXT.format(section=SECTION, command=command, machine=machine(), runs=args.runs,
                                          fusion=runs[0].get("fusion") or "?", table=rendered, profile=profile,
                                          load=args.load or f"{os.getloadavg()[0]:.1f} (at the end)"), SECTION)
        print(f"wrote '{SECTION}' in {DOC}")


if __name__ == "__main__":
    main()
