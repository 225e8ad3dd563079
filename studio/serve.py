"""Serve the app: login, public link, queue sized to the device, honest notices.

Start-up order (docs/PERFORMANCE.md, "Cold start"): the UI is built and served first (it needs no
model), then one background thread loads the models; the page says so in a status line, and a click in
that time waits for the one load under way (``WarmingStudio``). Loading while Gradio was still being
imported was slower on both counts on 2 cores: the two threads fight over the GIL (page up and models
ready both later than one after the other, measured).
"""
from __future__ import annotations

import functools
import os
import secrets
import threading
import time
from pathlib import Path

from engine.pipeline import Event, Studio

SERVER_STATE = {"notice": ""}
# Gradio keeps a per-session copy of the whole app's component config (~0.4 MB for this app,
# measured) plus the session's last outputs, for up to 10000 sessions by default: under load
# that read as a leak (RSS +20-30 MB per 50 new gradio_client sessions, never flat). The least
# recently used sessions beyond this many are dropped; a handful of operators never get near it.
SESSION_CAPACITY = 128


def resolve_auth(args) -> tuple[tuple[str, str] | None, str]:
    """(auth, message to print). A public link never goes out without a login unless asked."""
    if args.auth:
        user, sep, password = args.auth.partition(":")
        if not sep or not user or not password:
            raise SystemExit("--auth must look like USER:PASS")
        return (user, password), ""
    if args.share and not args.insecure_share:
        password = secrets.token_urlsafe(9)
        return ("studio", password), (f"Public link requested without --auth: log in as user 'studio' with "
                                      f"password '{password}' (or pass --insecure-share to allow anyone).")
    return None, ""


def _say(message: str) -> None:
    print(message, flush=True)


class WarmUp:
    """``studio.warm_up()`` on a background thread, with what it is doing for the page's status line."""

    def __init__(self, studio: Studio, settings=None, log=None):
        self.studio, self.settings, self.log = studio, settings, log or _say
        self.step = "starting"
        self.error: BaseException | None = None
        self.done = threading.Event()
        self.seconds: float | None = None

    def start(self) -> "WarmUp":
        threading.Thread(target=self._run, name="mcs-warm-up", daemon=True).start()
        return self

    def _progress(self, step: str) -> None:
        self.step = step

    def _run(self) -> None:
        start = time.perf_counter()
        try:
            if self.settings is None:
                self.studio.warm_up(progress=self._progress)
            else:
                self.studio.warm_up(self.settings, progress=self._progress)
        except Exception as exc:  # noqa: BLE001 - shown on the page; the first click loads (and reports) again
            self.error = exc
            self.log(f"Warm-up failed ({type(exc).__name__}: {exc}); models load on the first click.")
        else:
            self.seconds = time.perf_counter() - start
            self.log(f"Models ready (warm-up {self.seconds:.1f} s).")
        finally:
            self.done.set()

    def status(self) -> str:
        """The page's status line: empty once the models are ready."""
        if not self.done.is_set():
            return (f"⏳ **Loading models in the background** ({self.step}). The studio is ready to use: "
                    "a generation started now waits for them, then runs.")
        if self.error is not None:
            return (f"⚠️ Loading the models at start failed ({self.error}). They load on the first click, "
                    "which reports what went wrong if it fails again.")
        return ""


def _waits_for_models(method):
    """``method`` of ``Studio``, called once the background warm-up is done (``WarmingStudio``)."""
    @functools.wraps(method)
    def waiting(self, *args, **kwargs):
        self._wait_for_models()
        return method(self, *args, **kwargs)
    return waiting


class WarmingStudio(Studio):
    """A ``Studio`` whose model work waits for the background warm-up: a click during the warm-up waits
    for that one load (``Studio.warm_up`` holds a lock for it) instead of starting a second one. After the
    warm-up each call passes straight through. Generation streams say that they wait."""

    warm: WarmUp | None = None

    def _wait_for_models(self) -> None:
        # After the warm-up (even a failed one: then the models load on demand, as with --no-warm-up)
        # this returns at once.
        if self.warm is not None:
            self.warm.done.wait()

    def stream(self, *args, **kwargs):
        if self.warm is not None and not self.warm.done.is_set():
            yield Event("status", "", f"Waiting for the models to finish loading ({self.warm.step})...")
        self._wait_for_models()
        yield from super().stream(*args, **kwargs)

    # Everything else that can reach a model (the Q&A, Variants and Batch tabs start with ingest).
    ingest = _waits_for_models(Studio.ingest)
    language_model = _waits_for_models(Studio.language_model)
    score = _waits_for_models(Studio.score)
    rescore = _waits_for_models(Studio.rescore)
    keywords = _waits_for_models(Studio.keywords)
    photo_suggestions = _waits_for_models(Studio.photo_suggestions)
    model_for = _waits_for_models(Studio.model_for)  # the language model (and fusion checkpoint) to write with


def make_studio(args, log=None) -> tuple[Studio, WarmUp | None]:
    """The studio to serve and its warm-up (not started yet), or no warm-up with ``--no-warm-up``: then
    the first click loads the models."""
    from engine.models.batching import RequestBatching

    # What the studio's models are built with: --precision, and request batching unless --no-batching (the
    # copy events' queue slots are sized from it when the UI is built: studio/queueing.py).
    parts = dict(device=args.device, threads=args.threads, precision=getattr(args, "precision", "auto"),
                 request_batching=RequestBatching(enabled=not getattr(args, "no_batching", False)))
    if getattr(args, "no_warm_up", False):
        return Studio(**parts), None
    studio = WarmingStudio(**parts)
    studio.warm = WarmUp(studio, log=log)
    return studio, studio.warm


def serve(args) -> None:
    if args.data_dir:
        os.environ["MCS_DATA_DIR"] = str(Path(args.data_dir).expanduser().resolve())
    auth, message = resolve_auth(args)
    if message:
        print(message, flush=True)
    from engine.models.language import set_precision

    # The Studio holds --precision (make_studio); the process default still serves the models loaded outside
    # it: the keyword extractor's text encoder (engine/copywriting/keywords.py) and the Q&A workflow's model.
    set_precision(getattr(args, "precision", "auto"))
    studio, warm = make_studio(args)
    from studio.app import THEME, build_app  # Gradio: imported only now, after the flags were checked
    from studio.render import CSS

    app = build_app(studio, notice=lambda: SERVER_STATE["notice"], status=warm.status if warm else None)
    # One model per process: model events share one concurrency slot (on a GPU too; the 135M model is
    # fast there), so two users never load two copies or run out of memory. Copy generation has its own
    # slots when request batching is on: those requests' decodes are batched together (studio/queueing.py).
    app.queue(default_concurrency_limit=1)
    if warm is not None and args.share:  # creating a public link can wait on the network: load meanwhile
        warm.log("Loading models in the background...")
        warm.start()
    app.launch(server_name=args.host, server_port=args.port, share=args.share, auth=auth,
               theme=THEME, css=CSS, prevent_thread_lock=True, show_error=False, quiet=False,
               state_session_capacity=SESSION_CAPACITY)
    if warm is not None and not args.share:  # served: now the models (a click until then waits, WarmingStudio)
        warm.log("Loading models in the background...")
        warm.start()
    if args.share and not app.share_url:
        SERVER_STATE["notice"] = ("⚠️ The public share link could not be created (this machine looks offline). "
                                  f"The studio keeps working locally at http://{args.host}:{args.port}.")
        print(SERVER_STATE["notice"], flush=True)
    app.block_thread()
