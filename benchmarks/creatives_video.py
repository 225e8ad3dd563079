"""How close video rendering gets to the cost of encoding alone.

Renders a 10 s 720x1280 (9:16) explainer from four photos of one Luma product with
``make_video`` (layout + frame composition + H.264 encoding through PyAV), then encodes the
SAME frames (yuv420p, as make_video feeds x264), rendered once to a raw file beforehand, with imageio-ffmpeg's ffmpeg binary alone
(same libx264 preset and CRF). Median of 3 runs each; the ratio is ours / floor.

    .venv/bin/python benchmarks/creatives_video.py [--runs 3]
"""
from __future__ import annotations

import argparse
import json
import os
import resource
import statistics
import subprocess
import tempfile
import time
from pathlib import Path

import imageio_ffmpeg
from PIL import Image

from engine.creatives.video import ENCODER, Storyboard, make_video

DATA = Path(os.environ.get("STUDIO_DATA", Path(__file__).resolve().parents[2] / "shared" / "data")) / "luma"
PRODUCT = "MH01"


def load_product(sku: str = PRODUCT):
    for line in (DATA / "products.jsonl").read_text().splitlines():
        p = json.loads(line)
        if p["id"] == sku:
            images = [Image.open(DATA / rel).convert("RGB") for rel in p["images"][:4]]
            return p["title"], p["bullets"], images
    raise SystemExit(f"{sku} not in {DATA / 'products.jsonl'}")


def cpu(who) -> float:
    usage = resource.getrusage(who)
    return usage.ru_utime + usage.ru_stime


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--seconds", type=float, default=10.0)
    args = ap.parse_args()
    title, bullets, images = load_product()
    tmp = Path(tempfile.mkdtemp(dir="/dev/shm" if Path("/dev/shm").is_dir() else None))

    # The SAME frames, rendered once up front: yuv420p, which is what make_video hands x264.
    board = Storyboard(images, title, bullets, "9x16", args.seconds)
    raw = tmp / "frames.yuv"
    with raw.open("wb") as f:
        for k in range(board.n_frames):
            f.write(board.frame(k).to_ndarray().tobytes())
    w, h = board.size
    cmd = [imageio_ffmpeg.get_ffmpeg_exe(), "-loglevel", "error", "-y", "-f", "rawvideo", "-pix_fmt", "yuv420p",
           "-s", f"{w}x{h}", "-r", str(board.fps), "-i", str(raw), "-c:v", ENCODER["codec"],
           "-preset", ENCODER["preset"], "-crf", str(ENCODER["crf"]), "-pix_fmt", ENCODER["pix_fmt"],
           "-movflags", "+faststart", str(tmp / "floor.mp4")]

    # Interleaved, so load from other processes on a shared machine hits both sides alike;
    # CPU seconds (user+sys) are reported beside wall time because they barely depend on load.
    ours, floor, ours_cpu, floor_cpu = [], [], [], []
    for _ in range(args.runs):
        c0, t = cpu(resource.RUSAGE_SELF), time.perf_counter()
        r = make_video(images, title, bullets, tmp / "ours.mp4", "9x16", seconds=args.seconds, score=False)
        ours.append(time.perf_counter() - t)
        ours_cpu.append(cpu(resource.RUSAGE_SELF) - c0)
        c0, t = cpu(resource.RUSAGE_CHILDREN), time.perf_counter()
        subprocess.run(cmd, check=True)
        floor.append(time.perf_counter() - t)
        floor_cpu.append(cpu(resource.RUSAGE_CHILDREN) - c0)

    o, f = statistics.median(ours), statistics.median(floor)
    print(f"video {w}x{h} {r.duration:.1f} s @ {r.fps} fps, {board.n_frames} frames, "
          f"libx264 preset={ENCODER['preset']} crf={ENCODER['crf']}, {os.cpu_count()} CPUs")
    print(f"ours  (make_video, layout+compose+encode): median {o:.2f} s  runs {[round(x, 2) for x in ours]}")
    print(f"floor (ffmpeg on the same raw frames):     median {f:.2f} s  runs {[round(x, 2) for x in floor]}")
    print(f"ratio ours/floor: {o / f:.2f}x wall (target <= 1.5x); CPU seconds "
          f"{statistics.median(ours_cpu):.2f} vs {statistics.median(floor_cpu):.2f} = "
          f"{statistics.median(ours_cpu) / statistics.median(floor_cpu):.2f}x")
    for p in tmp.iterdir():
        p.unlink()
    tmp.rmdir()


if __name__ == "__main__":
    main()
