"""Load test: concurrent gradio_client sessions against a running studio.

    python benchmarks/load.py --sessions 16 --minutes 5                 # starts its own studio
    python benchmarks/load.py --url http://127.0.0.1:7860/ --data-dir runs/studio --sessions 4 --minutes 1

Every session is its own ``gradio_client.Client`` looping over a seeded mix of calls: ``/generate``
(a real Luma product with a photo upload), ``/batch`` (a two-product catalog with its two photos
uploaded alongside, template copy, limit 2), ``/evaluate`` (the API's method comparison: template copy on two held-out products) and bad
inputs that must be refused with a clear one-line message. The studio serves ad images and the
Compare grid only through the UI (those events are ``api_name=False``), so they are not in the mix.

Reported: requests by kind, failed valid requests (the target is 0), bad inputs refused cleanly or
not, latency p50/p90/p99 per kind (from the client: upload + queue + work), the server's RSS
(process and children, sampled every 0.5 s) before/after/peak, and afterwards the history
database: ``PRAGMA integrity_check`` and every successful generation stored exactly once.
"""
from __future__ import annotations

import argparse
import json
import math
import os
import random
import socket
import sqlite3
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
from collections import Counter
from contextlib import nullcontext
from dataclasses import asdict, dataclass, field
from pathlib import Path

os.environ.setdefault("HF_HUB_OFFLINE", "1")

REPO = Path(__file__).resolve().parents[1]
LUMA = REPO.parent / "shared" / "data" / "luma" / "products.jsonl"

# kind -> weight in a session's mix; "bad-*" kinds must be refused. Bad inputs are cheap, so they
# are a large share of the requests without being a large share of the server's time.
DEFAULT_MIX = {
    "generate": 6, "generate-template": 2, "batch": 2, "evaluate": 1,
    "bad-attributes-list": 1, "bad-empty-product": 1, "bad-not-an-image": 1, "bad-settings": 1,
    "bad-catalog-absolute-path": 1,
}
# Text that only a raw Python exception (or Gradio's stand-in for one) puts in front of a user.
RAW_ERROR_MARKERS = ("Traceback", "validation error for", "errors.pydantic.dev", "input_value=", "[type=",
                     "object has no attribute",
                     "operands could not be broadcast", "has raised an exception", "NoneType", "[Errno",
                     "unsupported operand", "KeyError", "IndexError", "TypeError")


# -- the studio under test --------------------------------------------------------------------
def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@dataclass
class StudioProcess:
    process: subprocess.Popen
    url: str
    data_dir: Path
    log: Path

    def stop(self) -> None:
        self.process.terminate()
        try:
            self.process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait(timeout=30)


def start_studio(data_dir: Path, port: int | None = None, env: dict | None = None,
                 timeout: float = 300, extra_args: tuple[str, ...] = (), warm_up: bool = False) -> StudioProcess:
    """``launch.py`` in a subprocess, as a user starts it; returns once it answers HTTP. Without
    ``warm_up`` the models load on the first request (``--no-warm-up``)."""
    port = port or free_port()
    data_dir.mkdir(parents=True, exist_ok=True)
    log = data_dir / "studio.log"
    env = {**os.environ, "PYTHONUNBUFFERED": "1", **(env or {})}
    with log.open("w") as out:
        process = subprocess.Popen([sys.executable, "launch.py", "--port", str(port),
                                    *(() if warm_up else ("--no-warm-up",)), "--data-dir", str(data_dir), *extra_args],
                                   cwd=REPO, env=env, stdout=out, stderr=subprocess.STDOUT)
    studio = StudioProcess(process, f"http://127.0.0.1:{port}/", data_dir, log)
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"the studio exited with {process.returncode}:\n{log.read_text()[-3000:]}")
        try:
            with urllib.request.urlopen(studio.url, timeout=5) as response:
                if response.status == 200:
                    return studio
        except OSError:
            pass
        time.sleep(1)
    studio.stop()
    raise RuntimeError(f"the studio did not answer within {timeout:.0f} s:\n{log.read_text()[-3000:]}")


def server_pid(url: str) -> int | None:
    """The process listening on ``url``'s port (for a studio this script did not start)."""
    import psutil
    from urllib.parse import urlparse

    port = urlparse(url).port
    for conn in psutil.net_connections(kind="tcp"):
        if conn.laddr and conn.laddr.port == port and conn.status == psutil.CONN_LISTEN:
            return conn.pid
    return None


class RssSampler:
    """Resident memory of a process and its children, sampled every ``interval`` s in a thread."""

    def __init__(self, pid: int, interval: float = 0.5):
        import psutil

        self.process = psutil.Process(pid)
        self.interval = interval
        self.samples: list[tuple[float, int]] = []
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def rss(self) -> int:
        import psutil

        total = 0
        for proc in [self.process, *self.process.children(recursive=True)]:
            try:
                total += proc.memory_info().rss
            except psutil.Error:  # a child that just exited
                pass
        return total

    def _run(self) -> None:
        while not self._stop.is_set():
            self.samples.append((time.monotonic(), self.rss()))
            self._stop.wait(self.interval)

    def __enter__(self) -> "RssSampler":
        self.before = self.rss()
        self._thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self._stop.set()
        self._thread.join()
        self.after = self.rss()

    def summary(self) -> dict:
        values = [rss for _, rss in self.samples] + [self.before, self.after]
        # The highest RSS of each minute: a bounded cache levels off, a leak keeps climbing.
        start = self.samples[0][0] if self.samples else 0.0
        per_minute: dict[int, int] = {}
        for at, rss in self.samples:
            minute = int((at - start) // 60)
            per_minute[minute] = max(per_minute.get(minute, 0), rss)
        return {"before_mb": _mb(self.before), "after_mb": _mb(self.after), "peak_mb": _mb(max(values)),
                "samples": len(self.samples), "peak_per_minute_mb": [_mb(v) for _, v in sorted(per_minute.items())]}


def _mb(value: int) -> float:
    return round(value / 2**20, 1)


# -- the requests -----------------------------------------------------------------------------
def luma_records(path: Path = LUMA) -> list[dict]:
    """Catalog lines with their first photo as an absolute path (the client uploads it)."""
    records = []
    with path.open(encoding="utf-8") as handle:
        for line in handle:
            record = json.loads(line)
            photos = [path.parent / p for p in record.get("images", [])[:1]]
            if photos and photos[0].exists():
                records.append({**record, "images": [str(photos[0])]})
    return records


@dataclass
class Outcome:
    session: int
    kind: str
    seconds: float
    ok: bool  # valid kinds: answered; bad kinds: refused cleanly
    message: str = ""
    generation_ids: list[str] = field(default_factory=list)  # what a valid call stored in the history

    @property
    def bad(self) -> bool:
        return self.kind.startswith("bad-")


def refusal_is_clean(message: str) -> bool:
    """A refusal a user can read: a short first line saying what is wrong, none of a raw exception's
    wording. Further lines are allowed because a catalog refusal names each offending line on its own."""
    message = message.strip()
    first = message.split("\n", 1)[0]
    return bool(first) and len(first) <= 400 and not any(m in message for m in RAW_ERROR_MARKERS)


class Caller:
    """The calls of one session; ``settings`` are the generation settings of /generate."""

    def __init__(self, client, records: list[dict], work: Path, rng: random.Random, settings: dict):
        self.client, self.records, self.work, self.rng, self.settings = client, records, work, rng, settings
        self.count = 0

    def _file(self, name: str, text: str) -> str:
        self.count += 1
        path = self.work / f"{self.count}-{name}"
        path.write_text(text, encoding="utf-8")
        return str(path)

    def _product(self) -> tuple[dict, str]:
        record = dict(self.rng.choice(self.records))
        photo = record.pop("images")[0]
        return record, photo

    def generate(self, settings: dict | None = None) -> list[str]:
        from gradio_client import handle_file

        product, photo = self._product()
        settings = {**self.settings, **(settings or {}), "seed": self.rng.randrange(1000)}
        result = self.client.predict(product, settings, [handle_file(photo)], [], api_name="/generate")
        if not (result.get("copy") or {}).get("title") and not result.get("warnings"):
            raise AssertionError(f"/generate answered without a title or a warning: {result}")
        return [result["id"]]

    def generate_template(self) -> list[str]:
        return self.generate({"fusion": "template"})

    def _catalog(self, rows: list[dict], photos: bool = False) -> str:
        """A JSONL catalog; with ``photos`` each row names its photo by file name (uploaded alongside)."""
        lines = "".join(json.dumps({**r, "images": [Path(p).name for p in r["images"]] if photos else []}) + "\n"
                        for r in rows)
        return self._file("catalog.jsonl", lines)

    def batch(self) -> list[str]:
        from gradio_client import handle_file

        rows = self.rng.sample(self.records, 2)
        media = [handle_file(p) for r in rows for p in r["images"]]
        results, summary = self.client.predict(handle_file(self._catalog(rows, photos=True)), {"fusion": "template"},
                                               2, media, api_name="/batch")
        lines = [json.loads(line) for line in Path(results).read_text(encoding="utf-8").splitlines() if line]
        if summary.get("done") != 2 or len(lines) != 2 or summary.get("refused"):
            raise AssertionError(f"/batch of 2 products answered {summary}")
        # A catalog sent before resumes: its generations were stored by the earlier call.
        return [line["generation_id"] for line in lines]

    def evaluate(self) -> list[str]:
        from gradio_client import handle_file

        # The first 40 Luma lines hold held-out products (evaluation splits by id); a window without any
        # is refused with a clear message, which is right but is not the valid call measured here.
        table, numbers = self.client.predict(handle_file(self._catalog(self.records[:40])),
                                             "title", "template", 2, [], api_name="/evaluate")
        if numbers.get("template", {}).get("n") != 2:
            raise AssertionError(f"/evaluate answered {numbers}")
        return []

    # Each bad input is a mistake a real caller makes; the studio must say what is wrong.
    def bad_attributes_list(self) -> None:
        product, _ = self._product()
        self.client.predict({**product, "attributes": ["red", "large"]}, {"fusion": "template"}, [], [],
                            api_name="/generate")

    def bad_empty_product(self) -> None:
        self.client.predict({}, {"fusion": "template"}, [], [], api_name="/generate")

    def bad_not_an_image(self) -> None:
        """A file that is no photo as the whole input (beside text it is skipped with a warning instead)."""
        from gradio_client import handle_file

        photo = self._file("photo.png", "these are notes, not a photo")
        self.client.predict({}, {"fusion": "template"}, [handle_file(photo)], [], api_name="/generate")

    def bad_settings(self) -> None:
        product, _ = self._product()
        self.client.predict(product, {"fusion": "template", "temperature": 9}, [], [], api_name="/generate")

    def bad_catalog_absolute_path(self) -> None:
        """A catalog pointing at a file on the server's disk that was not uploaded with it."""
        from gradio_client import handle_file

        row = {**self.rng.choice(self.records)}  # its images: an absolute path on this machine
        catalog = self._file("catalog.jsonl", json.dumps(row) + "\n")
        self.client.predict(handle_file(catalog), {"fusion": "template"}, 1, [], api_name="/batch")


def call(caller: Caller, session: int, kind: str) -> Outcome:
    """One request, timed and judged: valid kinds must answer, bad kinds must be refused cleanly."""
    from gradio_client.exceptions import AppError

    started = time.perf_counter()
    try:
        ids = getattr(caller, kind.replace("-", "_"))()
    except AppError as exc:
        seconds = time.perf_counter() - started
        message = str(exc)
        return Outcome(session, kind, seconds, kind.startswith("bad-") and refusal_is_clean(message), message)
    except Exception as exc:  # noqa: BLE001 - a failure of any sort is what this test counts
        return Outcome(session, kind, time.perf_counter() - started, False, f"{type(exc).__name__}: {exc}")
    seconds = time.perf_counter() - started
    if kind.startswith("bad-"):
        return Outcome(session, kind, seconds, False, "accepted")
    return Outcome(session, kind, seconds, True, generation_ids=ids or [])


def session_plan(rng: random.Random, mix: dict[str, int], length: int) -> list[str]:
    kinds, weights = zip(*mix.items())
    return rng.choices(kinds, weights, k=length)


def run_session(url: str, session: int, plan: list[str], deadline: float, records: list[dict],
                work: Path, settings: dict, outcomes: list[Outcome], lock: threading.Lock) -> None:
    """Calls ``plan`` in order until it ends or ``deadline`` (time.monotonic) passes."""
    import httpx
    from gradio_client import Client

    rng = random.Random(session)
    folder = work / f"session-{session}"
    folder.mkdir(parents=True, exist_ok=True)
    try:
        # Generous timeouts: on a busy CPU the server's event loop can take longer than httpx's
        # default 5 s to answer a new session, which is slowness, not a failed request.
        client = Client(url, verbose=False, httpx_kwargs={"timeout": httpx.Timeout(600, connect=60)})
    except Exception as exc:  # noqa: BLE001 - a session that cannot connect is a failed request
        with lock:
            outcomes.append(Outcome(session, "connect", 0.0, False, f"{type(exc).__name__}: {exc}"))
        return
    caller = Caller(client, records, folder, rng, settings)
    for kind in plan:
        if time.monotonic() >= deadline:
            break
        outcome = call(caller, session, kind)
        with lock:
            outcomes.append(outcome)
    client.close()


def run_load(url: str, sessions: int, seconds: float, work: Path, settings: dict | None = None,
             mix: dict[str, int] | None = None, plans: list[list[str]] | None = None,
             records: list[dict] | None = None) -> list[Outcome]:
    """``sessions`` clients at once, each following its plan (seeded from ``mix``) for ``seconds``."""
    records = records or luma_records()
    settings = settings or {}
    if plans is None:
        plans = [session_plan(random.Random(1000 + s), mix or DEFAULT_MIX, 10_000) for s in range(sessions)]
    deadline = time.monotonic() + seconds
    outcomes: list[Outcome] = []
    lock = threading.Lock()
    threads = [threading.Thread(target=run_session,
                                args=(url, s, plans[s], deadline, records, work, settings, outcomes, lock))
               for s in range(sessions)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return outcomes


# -- afterwards -------------------------------------------------------------------------------
def check_history(db_path: Path, expected_ids: set[str]) -> dict:
    """Integrity of the history database, and each expected generation stored exactly once."""
    db = sqlite3.connect(f"file:{db_path}?mode=ro", uri=True)
    try:
        integrity = db.execute("PRAGMA integrity_check").fetchone()[0]
        stored = [row[0] for row in db.execute("SELECT id FROM generations")]
    finally:
        db.close()
    counts = Counter(stored)
    return {
        "integrity_check": integrity,
        "stored": len(stored),
        "expected": len(expected_ids),
        "missing": sorted(i for i in expected_ids if counts[i] == 0),
        "duplicated": sorted(i for i in expected_ids if counts[i] > 1),
        "unexpected": len(set(stored) - expected_ids),
    }


def percentile(values: list[float], share: float) -> float:
    """Nearest-rank percentile: with few samples the reported value is one that was measured."""
    ordered = sorted(values)
    return ordered[min(len(ordered), max(1, math.ceil(share * len(ordered)))) - 1]


def summarize(outcomes: list[Outcome]) -> dict:
    by_kind: dict[str, dict] = {}
    for kind in sorted({o.kind for o in outcomes}):
        mine = [o for o in outcomes if o.kind == kind]
        seconds = [o.seconds for o in mine]
        by_kind[kind] = {
            "requests": len(mine), "ok": sum(o.ok for o in mine),
            "p50_s": round(percentile(seconds, 0.5), 2), "p90_s": round(percentile(seconds, 0.9), 2),
            "p99_s": round(percentile(seconds, 0.99), 2),
        }
    valid = [o for o in outcomes if not o.bad]
    bad = [o for o in outcomes if o.bad]
    return {
        "requests": len(outcomes),
        "valid": len(valid), "valid_failed": sum(not o.ok for o in valid),
        "bad": len(bad), "bad_refused_cleanly": sum(o.ok for o in bad),
        "by_kind": by_kind,
        "failures": [asdict(o) for o in outcomes if not o.ok][:20],
        "refusals": {o.kind: o.message for o in bad if o.ok},  # one example message per bad kind
    }


def markdown(report: dict) -> str:
    s, rss, history = report["summary"], report.get("rss") or {}, report.get("history") or {}
    lines = [
        f"{report['sessions']} sessions for {report['seconds']:.0f} s: {s['requests']} requests, "
        f"{s['valid_failed']} of {s['valid']} valid ones failed, {s['bad_refused_cleanly']} of {s['bad']} "
        "bad ones refused cleanly.", "",
        "| kind | requests | ok | p50 s | p90 s | p99 s |", "|---|---|---|---|---|---|",
    ]
    lines += [f"| {kind} | {k['requests']} | {k['ok']} | {k['p50_s']} | {k['p90_s']} | {k['p99_s']} |"
              for kind, k in s["by_kind"].items()]
    if rss:
        lines += ["", f"Server RSS (process + children): before {rss['before_mb']} MB, after {rss['after_mb']} MB, "
                      f"peak {rss['peak_mb']} MB ({rss['samples']} samples every 0.5 s); highest per minute: "
                      f"{', '.join(str(v) for v in rss['peak_per_minute_mb'])} MB."]
    if history:
        lines += ["", f"History: integrity_check {history['integrity_check']!r}; {history['stored']} rows stored, "
                      f"{history['expected']} successful generations expected; missing {len(history['missing'])}, "
                      f"duplicated {len(history['duplicated'])}, unexpected {history['unexpected']}."]
    for failure in s["failures"]:
        lines.append(f"- failed: session {failure['session']} {failure['kind']}: {failure['message'][:300]}")
    return "\n".join(lines)


def warm_up(url: str, work: Path, settings: dict, records: list[dict]) -> list[str]:
    """Each valid call once before measuring, so 'before' holds the models and code every call loads."""
    plan = ["generate", "generate-template", "batch", "evaluate"]
    outcomes = run_load(url, 1, 3600, work / "warm-up", settings, plans=[plan], records=records)
    failed = [o for o in outcomes if not o.ok]
    if failed:
        raise RuntimeError(f"warm-up failed: {failed}")
    return [i for o in outcomes for i in o.generation_ids]


def main(argv=None) -> dict:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sessions", type=int, default=16)
    parser.add_argument("--minutes", type=float, default=5.0)
    parser.add_argument("--url", help="a running studio (default: start one on a free port with a temp data dir)")
    parser.add_argument("--data-dir", help="that studio's --data-dir, to check its history afterwards")
    parser.add_argument("--fusion", default="", help="copy method for /generate (default: the studio's)")
    parser.add_argument("--json", type=Path, help="also write the report here")
    args = parser.parse_args(argv)

    work = Path(tempfile.mkdtemp(prefix="mcs-load-"))  # kept afterwards: the studio's log and data are here
    records = luma_records()
    studio = None
    if args.url:
        url, data_dir, pid = args.url, Path(args.data_dir) if args.data_dir else None, server_pid(args.url)
    else:
        studio = start_studio(work / "data")
        url, data_dir, pid = studio.url, studio.data_dir, studio.process.pid
    settings = {"fusion": args.fusion} if args.fusion else {}
    try:
        expected = set(warm_up(url, work, settings, records))
        sampler = RssSampler(pid) if pid else None
        started = time.monotonic()
        with sampler or nullcontext():
            outcomes = run_load(url, args.sessions, args.minutes * 60, work, settings, records=records)
        seconds = time.monotonic() - started
    finally:
        if studio:
            studio.stop()  # the history is checked with the server gone: nothing is half-written
    expected |= {i for o in outcomes if o.ok for i in o.generation_ids}
    report = {
        "sessions": args.sessions, "seconds": seconds, "url": url, "work": str(work),
        "summary": summarize(outcomes), "rss": sampler.summary() if sampler else None,
        "history": check_history(data_dir / "history.sqlite", expected) if data_dir else None,
    }
    print(markdown(report))
    if args.json:
        args.json.write_text(json.dumps(report, indent=2))
    return report


if __name__ == "__main__":
    main()
