"""Serve the app: login, public link, queue sized to the device, honest notices."""
from __future__ import annotations

import os
import secrets
from pathlib import Path

from engine.pipeline import Studio
from studio.app import THEME, build_app
from studio.render import CSS

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


def serve(args) -> None:
    if args.data_dir:
        os.environ["MCS_DATA_DIR"] = str(Path(args.data_dir).expanduser().resolve())
    auth, message = resolve_auth(args)
    if message:
        print(message, flush=True)
    studio = Studio(device=args.device, threads=args.threads)
    if not args.no_warm_up:
        print("Loading models...", flush=True)
        studio.warm_up()
    app = build_app(studio, notice=lambda: SERVER_STATE["notice"])
    # One model per process: generation events share one concurrency slot (on a GPU too; the
    # 135M model is fast there), so two users never load two copies or run out of memory.
    app.queue(default_concurrency_limit=1)
    app.launch(server_name=args.host, server_port=args.port, share=args.share, auth=auth,
               theme=THEME, css=CSS, prevent_thread_lock=True, show_error=False, quiet=False,
               state_session_capacity=SESSION_CAPACITY)
    if args.share and not app.share_url:
        SERVER_STATE["notice"] = ("⚠️ The public share link could not be created (this machine looks offline). "
                                  f"The studio keeps working locally at http://{args.host}:{args.port}.")
        print(SERVER_STATE["notice"], flush=True)
    app.block_thread()
