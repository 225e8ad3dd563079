"""Start the studio: `python launch.py [--host H] [--port P] [--device auto|cpu|cuda] [--share] [--auth USER:PASS]`."""
from __future__ import annotations

import argparse
import os

os.environ.setdefault("GRADIO_ANALYTICS_ENABLED", "False")


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
    parser.add_argument("--no-warm-up", action="store_true", help="load models on the first click instead of at start")
    return parser.parse_args(argv)


def main(argv=None) -> None:
    args = parse_args(argv)
    from studio.serve import serve

    serve(args)


if __name__ == "__main__":
    main()
