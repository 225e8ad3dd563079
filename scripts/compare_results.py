"""Same inputs, same outputs: snapshot what ``Studio`` writes for the sample products, then compare snapshots.

    python scripts/compare_results.py snapshot OUT_DIR [--methods template,none,default] [--seeds 0]
    python scripts/compare_results.py compare BEFORE_DIR AFTER_DIR

``snapshot`` generates, for each of the five sample products (``engine/inputs/samples.py``), each method and
each seed, with every other setting at its default, and writes the Result's ``to_dict()`` as JSON to
``OUT_DIR/<product id>.<method>.seed<seed>.json``, without what is never the same twice: the Result's
``id``, ``created_at`` and ``timings``, and any ``latency``/``seconds`` key nested inside; paths inside the
checkout are written relative to it (a snapshot of a ``git worktree`` compares with one of the main
checkout). ``default`` is the method ``Settings()`` picks (the trained fusion method that won on
validation). Nothing is stored in the history. On two CPU cores the default (template, zero-shot, the default fusion method; seed 0) takes
a few minutes, most of it in the two language-model methods.

``compare`` reports, per file, the fields whose bytes differ (and files only on one side), and exits 1
when there is any difference, 0 when every file is byte-identical.
"""
from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

VOLATILE_TOP = ("id", "created_at", "timings")  # differ on every run by design
VOLATILE_ANYWHERE = ("latency", "latency_s", "seconds", "elapsed", "elapsed_s", "timestamp")


def _strip(value, top: bool = False):
    if isinstance(value, dict):
        return {k: _strip(v) for k, v in value.items()
                if k not in VOLATILE_ANYWHERE and not (top and k in VOLATILE_TOP)}
    if isinstance(value, list):
        return [_strip(v) for v in value]
    if isinstance(value, str):  # sample photo paths: relative to the checkout, so two checkouts compare
        return value.replace(f"{ROOT}/", "")
    return value


def dump(data: dict) -> str:
    return json.dumps(_strip(data, top=True), indent=2, sort_keys=True, ensure_ascii=False) + "\n"


def snapshot(out: Path, methods: list[str], seeds: list[int]) -> int:
    from engine.pipeline import Studio
    from engine.inputs.samples import sample_products
    from engine.core.settings import Settings, default_fusion

    out.mkdir(parents=True, exist_ok=True)
    methods = [default_fusion() if m == "default" else m for m in methods]
    studio = Studio(device="cpu")
    products = list(sample_products().values())
    for product in products:
        for method in dict.fromkeys(methods):
            for seed in seeds:
                started = time.perf_counter()
                result = studio.generate(product, Settings(fusion=method, seed=seed), store=False)
                path = out / f"{product.id}.{method}.seed{seed}.json"
                path.write_text(dump(result.to_dict()), encoding="utf-8")
                print(f"{path.name}: {time.perf_counter() - started:.1f} s", flush=True)
    (out / "_meta.json").write_text(json.dumps({"methods": methods, "seeds": seeds,
                                                "products": [p.id for p in products]}, indent=2) + "\n")
    return 0


def _differing_fields(a, b, path: str = "") -> list[str]:
    if isinstance(a, dict) and isinstance(b, dict):
        out = []
        for key in sorted(set(a) | set(b), key=str):
            where = f"{path}.{key}" if path else str(key)
            if key not in a or key not in b:
                out.append(f"{where} (only in {'after' if key not in a else 'before'})")
            else:
                out += _differing_fields(a[key], b[key], where)
        return out
    if isinstance(a, list) and isinstance(b, list) and len(a) == len(b):
        return [f for i, (x, y) in enumerate(zip(a, b)) for f in _differing_fields(x, y, f"{path}[{i}]")]
    return [] if json.dumps(a, sort_keys=True) == json.dumps(b, sort_keys=True) else [path or "(whole file)"]


def compare(before: Path, after: Path) -> int:
    names_a = {p.name for p in before.glob("*.json") if not p.name.startswith("_")}
    names_b = {p.name for p in after.glob("*.json") if not p.name.startswith("_")}
    different = 0
    for name in sorted(names_a | names_b):
        if name not in names_a or name not in names_b:
            print(f"{name}: only in {before if name in names_a else after}")
            different += 1
            continue
        bytes_a, bytes_b = (before / name).read_bytes(), (after / name).read_bytes()
        if bytes_a == bytes_b:
            print(f"{name}: identical ({len(bytes_a)} bytes)")
            continue
        different += 1
        fields = _differing_fields(json.loads(bytes_a), json.loads(bytes_b))
        print(f"{name}: DIFFERENT in {len(fields)} field(s): {', '.join(fields[:20])}"
              + (" ..." if len(fields) > 20 else ""))
    total = len(names_a | names_b)
    print(f"{total - different} of {total} identical" + ("" if total else " (no snapshots found)"))
    return 1 if different or not total else 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    sub = parser.add_subparsers(dest="command", required=True)
    snap = sub.add_parser("snapshot", help="generate the sample products and write each Result as JSON")
    snap.add_argument("out", type=Path)
    snap.add_argument("--methods", default="template,none,default",
                      help="comma list of copy methods; 'default' is the one Settings() picks")
    snap.add_argument("--seeds", default="0", help="comma list of seeds")
    cmp = sub.add_parser("compare", help="byte differences per product; exit 1 if any")
    cmp.add_argument("before", type=Path)
    cmp.add_argument("after", type=Path)
    args = parser.parse_args(argv)
    if args.command == "snapshot":
        return snapshot(args.out, [m.strip() for m in args.methods.split(",") if m.strip()],
                        [int(s) for s in args.seeds.split(",") if s.strip()])
    return compare(args.before, args.after)


if __name__ == "__main__":
    sys.exit(main())
