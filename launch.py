"""Start the studio: `python launch.py [--host H] [--port P] [--device auto|cpu|cuda] [--share] [--auth USER:PASS]`
(`--help` lists the rest)."""
from __future__ import annotations

import argparse
import ctypes
import os

os.environ.setdefault("GRADIO_ANALYTICS_ENABLED", "False")


def limit_malloc_arenas(arenas: int = 2) -> None:
    """glibc gives each new thread its own heap arena (up to 8 per core), each keeping its freed memory,
    and Gradio runs every request on a pool thread: under many sessions RSS kept creeping up. With two
    arenas it levels off (docs/PERFORMANCE.md, "Load"); one model call runs at a time, so there is
    little lock contention to pay. Must run before torch and Gradio start threads."""
    if "MALLOC_ARENA_MAX" in os.environ:  # the user's own setting, already applied by glibc
        return
    try:
        ctypes.CDLL("libc.so.6").mallopt(-8, arenas)  # -8: M_ARENA_MAX in glibc's malloc.h
    except (OSError, AttributeError):  # not glibc (macOS, Windows, musl): nothing to tune
        pass


def parse_args(argv=None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=7860)
    parser.add_argument("--device", default="auto", choices=["auto", "cpu", "cuda"])
    parser.add_argument("--share", action="store_true", help="also open a public Gradio link (needs --auth)")
    parser.add_argument("--auth", metavar="USER:PASS", help="require this login")
    parser.add_argument("--insecure-share", action="store_true", help="allow --share without --auth")
    parser.add_argument("--threads", type=int, help="torch CPU threads (default: 1 on <= 2 cores, else all)")
    parser.add_argument("--data-dir", help="where history and batch outputs live (default: runs/studio, or $MCS_DATA_DIR)")
    parser.add_argument("--no-batching", action="store_true",
                        help="write one request's copy at a time (default: concurrent requests are decoded together)")
    parser.add_argument("--precision", default="auto", choices=["auto", "float16", "float32", "int8"],
                        help="language-model weights: auto = float16 weights on a CPU, bf16/fp16 on a GPU; "
                             "float32 = the slower reference path; int8 = float16 weights with a single "
                             "request decoded by an 8-bit ONNX Runtime step (CPU only, ~2x faster, not the "
                             "same text; docs/EVALUATION.md)")
    parser.add_argument("--no-warm-up", action="store_true",
                        help="load models on the first click instead of in the background at start")
    return parser.parse_args(argv)


def main(argv=None) -> None:
    args = parse_args(argv)
    limit_malloc_arenas()
    from studio.serve import serve

    serve(args)


if __name__ == "__main__":
    main()
