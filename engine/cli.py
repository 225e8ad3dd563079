"""``python -m engine``: everything the studio does, from the command line."""
from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from engine.errors import StudioError
from engine.settings import PLATFORMS, Settings

SETTING_FLAGS = {
    "tone": str, "audience": str, "platform": str, "temperature": float, "top_p": float,
    "max_new_tokens": int, "seed": int, "language_model": str, "fusion": str, "candidates": int,
    "style": str, "palette": str, "layout": str, "photo_index": int, "price": str, "call_to_action": str,
}


def add_setting_flags(parser: argparse.ArgumentParser) -> None:
    group = parser.add_argument_group("settings (defaults as in the studio)")
    for name, kind in SETTING_FLAGS.items():
        group.add_argument("--" + name.replace("_", "-"), dest=name, type=kind, default=None)
    group.add_argument("--settings", type=Path, help="a settings JSON (e.g. from a result.json); flags override it")


def settings_from_args(args: argparse.Namespace) -> Settings:
    base = {}
    if args.settings:
        data = json.loads(args.settings.read_text())
        base = data.get("settings", data)
    overrides = {k: getattr(args, k) for k in SETTING_FLAGS if getattr(args, k) is not None}
    return Settings.model_validate({**base, **overrides})


def cmd_generate(args: argparse.Namespace) -> int:
    from engine.pipeline import Studio
    from engine.product import Product

    product = Product.from_json_file(args.product)
    studio = Studio(device=args.device)
    references = {"title": args.reference_title, "description": args.reference_description}
    result = studio.generate(product, settings_from_args(args), references)
    args.out.mkdir(parents=True, exist_ok=True)
    path = args.out / "result.json"
    path.write_text(json.dumps(result.to_dict(), indent=2, ensure_ascii=False))
    print(f"{result.copy.title}\n-> {path}")
    return 0


def cmd_batch(args: argparse.Namespace) -> int:
    from engine.batch import run_batch

    summary = run_batch(args.catalog, args.out, settings_from_args(args), device=args.device, limit=args.limit)
    print(f"{summary['done']} products written, {summary['failed']} failed -> {summary['path']}")
    return 0 if summary["failed"] == 0 else 1


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m engine", description=__doc__)
    parser.add_argument("--device", default="auto", choices=["auto", "cpu", "cuda"])
    sub = parser.add_subparsers(dest="command", required=True)

    gen = sub.add_parser("generate", help="write copy and scores for one product JSON")
    gen.add_argument("product", type=Path)
    gen.add_argument("--out", type=Path, required=True)
    gen.add_argument("--reference-title", default="")
    gen.add_argument("--reference-description", default="")
    add_setting_flags(gen)
    gen.set_defaults(func=cmd_generate)

    batch = sub.add_parser("batch", help="run a whole catalog (JSONL) into results.jsonl; resumes")
    batch.add_argument("catalog", type=Path)
    batch.add_argument("--out", type=Path, required=True)
    batch.add_argument("--limit", type=int, default=None, help="only the first N products")
    add_setting_flags(batch)
    batch.set_defaults(func=cmd_batch)

    plat = sub.add_parser("platforms", help="list target platforms and their length limits")
    plat.set_defaults(func=lambda a: print("\n".join(
        f"{k:8} {p.label}: title <= {p.title_max}, description <= {p.description_max}" for k, p in PLATFORMS.items())) or 0)

    try:
        from engine.cli_fusion import add_subcommands
    except ImportError:
        pass
    else:
        add_subcommands(sub)
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        return args.func(args)
    except (StudioError, ValueError) as exc:  # pydantic's ValidationError is a ValueError
        print(f"error: {exc}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
