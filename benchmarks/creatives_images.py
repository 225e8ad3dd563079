"""Time ad creatives for one product in all five sizes, warm (cut-out done once beforehand).

    python benchmarks/creatives_images.py [--runs 5] [--styles studio,marble,...]

Prints the median over runs of the whole ``make_creatives`` call (render + scores) per style,
plus the per-size split from the last run. Target: all five sizes under 2 s on a 2-core CPU.
"""
from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from PIL import Image  # noqa: E402

from engine.creatives.backgrounds import list_backgrounds  # noqa: E402
from engine.creatives.cutout import cut_out  # noqa: E402
from engine.creatives.images import SIZES, make_creatives  # noqa: E402
from engine.core.settings import Settings  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--photo", default=str(ROOT / "assets/samples/photos/luma-yoga-brick.jpg"))
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--styles", default=",".join(list_backgrounds()))
    args = parser.parse_args()

    photo = Image.open(args.photo).convert("RGB")
    start = time.perf_counter()
    cutout = cut_out(photo, Path(args.photo).name)
    print(f"cut-out (cold, includes model load): {time.perf_counter() - start:.2f} s")
    title = "Sprite Foam Yoga Brick in Blue"
    # CPU seconds are shown too: on a shared machine wall time mostly measures the neighbours.
    print(f"{'style':<10} {'median 5 sizes (s)':>19} {'min (s)':>8} {'median CPU (s)':>15}  per size, last run (s)")
    for style in args.styles.split(","):
        settings = Settings(style=style, layout="classic", price="$24.00", call_to_action="Shop now", seed=1)
        make_creatives(photo, title, settings, cutout=cutout, sizes=["1x1"])  # warm caches (palette, fonts)
        times, cpu, per_size = [], [], {}
        for _ in range(args.runs):
            start, cpu_start = time.perf_counter(), time.process_time()
            for key in SIZES:
                t0 = time.perf_counter()
                make_creatives(photo, title, settings, cutout=cutout, sizes=[key])
                per_size[key] = time.perf_counter() - t0
            times.append(time.perf_counter() - start)
            cpu.append(time.process_time() - cpu_start)
        split = " ".join(f"{k}={v:.2f}" for k, v in per_size.items())
        print(f"{style:<10} {statistics.median(times):>19.2f} {min(times):>8.2f} {statistics.median(cpu):>15.2f}  {split}")


if __name__ == "__main__":
    main()
