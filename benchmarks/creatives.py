"""Issue 4's creatives benchmark: all five image sizes for one product (warm, after the cut-out)
and a 10 s 720p video against the floor of encoding the same frames with ffmpeg alone.

    .venv/bin/python benchmarks/creatives.py [--runs N]

Runs the two focused benchmarks beside this file, one after the other, so each owns the CPU.
"""
from __future__ import annotations

import argparse
import subprocess
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent

if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    for script in ("creatives_images.py", "creatives_video.py"):
        print(f"\n== {script} ==", flush=True)
        subprocess.run([sys.executable, str(HERE / script), "--runs", str(args.runs)], check=True)
