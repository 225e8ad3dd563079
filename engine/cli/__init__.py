"""``python -m engine``: everything the studio does, from the command line."""
from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from engine.cli.settings import SETTING_FLAGS, add_setting_flags, settings_from_args  # noqa: F401 (public names)
from engine.core.errors import IngestError, StudioError
from engine.core.settings import PLATFORMS

def cmd_generate(args: argparse.Namespace) -> int:
    from engine.storage.media import write_media
    from engine.pipeline import Studio
    from engine.core.product import Product

    product = Product.from_json_file(args.product)
    settings = settings_from_args(args)  # both checked before any model loads: a typo costs nothing
    studio = Studio(device=args.device)
    ingested = studio.ingest(product)
    references = {"title": args.reference_title, "description": args.reference_description}
    result = studio.generate(ingested, settings, references)
    args.out.mkdir(parents=True, exist_ok=True)
    record = result.to_dict()
    if not args.no_media:
        videos = () if args.no_video else ("9x16", "1x1")
        record["media"] = write_media(studio, ingested, result, args.out, videos=videos)
        for problem in record["media"]["problems"]:
            print(f"warning: {problem}", file=sys.stderr)
    path = args.out / "result.json"
    path.write_text(json.dumps(record, indent=2, ensure_ascii=False))
    if not any([result.copy.title, result.copy.description, result.copy.bullets]) and result.warnings:
        print(f"no copy written: {result.warnings[0]}", file=sys.stderr)  # too little input
    print(f"{result.copy.title}\n-> {path}")
    return 0


def cmd_suggest(args: argparse.Namespace) -> int:
    from engine.encoders.photo_labels import CONFIDENT, describe
    from engine.pipeline import Studio
    from engine.core.product import Product

    product = Product.from_json_file(args.product)
    if not product.images:
        raise IngestError(args.product.name, "no photo to look at", 'photo paths, e.g. ["front.jpg"]', field="images")
    suggestions = Studio(device=args.device).photo_suggestions(product)
    if args.json:
        print(json.dumps(suggestions, indent=2, ensure_ascii=False))
    elif not suggestions:
        print(f"no confident label: no photo looks enough like an ImageNet class (threshold {CONFIDENT:.2f})")
    else:
        for s in suggestions:
            print(f"{s['attribute']}\t{describe(s)}\t{s['photo']}")
        print("Hints, not facts: add one as an attribute (\"Product type: ...\", \"Colour: ...\") to use it.",
              file=sys.stderr)
    return 0


LOCAL_RAY = "local"  # --ray without an address


def cmd_batch(args: argparse.Namespace) -> int:
    from tqdm import tqdm

    from engine.workflows.batch import read_results, run_batch
    from engine.inputs.catalog import describe

    unknown = set(args.export) - {"shopify", "jsonl", "zip"}
    if unknown:
        raise StudioError(f"--export {','.join(sorted(unknown))}: unknown export (accepted: shopify, jsonl, zip)")
    settings = settings_from_args(args)
    runner = None
    if args.ray is not None:
        if args.workers < 1:
            raise StudioError(f"--workers {args.workers}: give at least 1")
        from engine.workflows.distributed import RayRunner

        runner = RayRunner(None if args.ray == LOCAL_RAY else args.ray, workers=args.workers, device=args.device)
    # Each bad row and failed product gets its own stderr line as it happens (tqdm.write keeps the bar intact).
    try:
        summary = run_batch(args.catalog, args.out, settings, device=args.device, limit=args.limit,
                            batch_size=args.batch_size, media=args.media, start_over_first=args.start_over,
                            on_failure=lambda record: tqdm.write(describe(record), file=sys.stderr), runner=runner)
    finally:
        if runner is not None:
            runner.close()
    if summary["moved_to"]:
        print(f"earlier results moved aside into {summary['moved_to']}")
    print(f"{summary['done']} products written ({summary['skipped']} already done), "
          f"{summary['failed']} failed, {summary['rejected']} bad rows skipped -> {summary['path']}")
    print(f"settings: {summary['settings']} (key {summary['settings_key']})")
    if summary["other_settings"]:
        print(f"{summary['other_settings']} earlier results under other settings stay in results.jsonl and are "
              "not exported; --start-over moves them aside")
    if summary["failed"] or summary["rejected"]:
        print(f"{summary['failed'] + summary['rejected']} rows not written, each with its line and reason: "
              f"{summary['failures_path']}", file=sys.stderr)
    if args.export:
        from engine.workflows import export

        rows = read_results(args.out, settings, args.media)  # this run's settings only, never a mix
        for kind in args.export:
            if kind == "shopify":
                path = export.shopify_csv(rows, args.out / "products_shopify.csv", image_base_url=args.image_base_url)
            elif kind == "jsonl":
                path = export.jsonl(rows, args.out / "products.jsonl")
            else:
                pairs = export.media_names(rows)
                if not pairs:
                    print("zip: no generated images or videos to pack")
                    continue
                path = export.media_zip(pairs, args.out / "media.zip")
            print(f"{kind}: {path}")
    return 0 if summary["failed"] == 0 and summary["rejected"] == 0 else 1


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m engine", description=__doc__)
    parser.add_argument("--device", default="auto", choices=["auto", "cpu", "cuda"])
    parser.add_argument("--precision", default="auto", choices=["auto", "float16", "float32", "int8"],
                        help="language-model weights: auto = float16 weights on a CPU (2x+ faster, same text; "
                             "docs/EVALUATION.md), bf16/fp16 on a GPU; float32 = the slower reference path; "
                             "int8 = float16 weights with a single request decoded by an 8-bit ONNX Runtime "
                             "step (CPU only, ~2x faster again, not the same text)")
    sub = parser.add_subparsers(dest="command", required=True)

    gen = sub.add_parser("generate", help="write copy and scores for one product JSON")
    gen.add_argument("product", type=Path)
    gen.add_argument("--out", type=Path, required=True)
    gen.add_argument("--reference-title", default="")
    gen.add_argument("--reference-description", default="")
    gen.add_argument("--no-media", action="store_true", help="copy only: no images, no videos")
    gen.add_argument("--no-video", action="store_true", help="images but no videos")
    gen.add_argument("--narration", action="store_true", help="speak the description over the videos")
    add_setting_flags(gen)
    gen.set_defaults(func=cmd_generate)

    batch = sub.add_parser("batch", help="run a whole catalog (CSV or JSONL) into results.jsonl; resumes")
    batch.add_argument("catalog", type=Path, help="CSV (see docs/CATALOG_FORMAT.md) or JSONL")
    batch.add_argument("--out", type=Path, required=True)
    batch.add_argument("--limit", type=int, default=None, help="only the first N products")
    batch.add_argument("--media", action="store_true", help="also render each product's ad images (5 sizes)")
    batch.add_argument("--batch-size", type=int, default=1,
                       help="products written at once, their language-model calls decoded together (faster; each product keeps its own seed and writes what Create writes, see engine/workflows/batch.py)")
    batch.add_argument("--export", type=lambda v: [k.strip() for k in v.split(",") if k.strip()], default=[],
                       metavar="shopify,jsonl,zip", help="also write these exports into --out when the batch ends")
    batch.add_argument("--image-base-url", default="", help="prefix for Image Src in the Shopify CSV")
    batch.add_argument("--start-over", action="store_true",
                       help="move --out's earlier results aside (into previous-<time>/) and run every product again")
    batch.add_argument("--ray", nargs="?", const=LOCAL_RAY, default=None, metavar="ADDRESS",
                       help="spread the catalog over Ray workers: a cluster's address, or none for a local "
                            "instance (needs pip install .[ray]; see engine/workflows/distributed.py)")
    batch.add_argument("--workers", type=int, default=2, help="with --ray: worker actors, each loads the models once")
    add_setting_flags(batch)
    batch.set_defaults(func=cmd_batch)

    suggest = sub.add_parser("suggest", help="what the product's photos look like (ImageNet labels to confirm)")
    suggest.add_argument("product", type=Path)
    suggest.add_argument("--json", action="store_true", help="[{label, confidence, photo}, ...] as JSON")
    suggest.set_defaults(func=cmd_suggest)

    plat = sub.add_parser("platforms", help="list target platforms and their length limits")
    plat.set_defaults(func=lambda a: print("\n".join(
        f"{k:8} {p.label}: title <= {p.title_max}, description <= {p.description_max}" for k, p in PLATFORMS.items())) or 0)

    from engine.cli.compare import add_compare_subcommand
    from engine.cli.variants import add_variants_subcommand

    add_compare_subcommand(sub)
    add_variants_subcommand(sub)
    from engine.workflows.qa import add_ask_subcommand

    add_ask_subcommand(sub)
    from engine.cli.ask import add_audio_option

    add_audio_option(sub)
    try:
        from engine.cli.fusion import add_subcommands
    except ImportError:
        pass
    else:
        add_subcommands(sub)
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    from engine.models.language import set_precision

    set_precision(args.precision)
    try:
        return args.func(args)
    except (StudioError, ValueError) as exc:  # pydantic's ValidationError is a ValueError
        print(f"error: {exc}", file=sys.stderr)
        return 2
    except Exception as exc:  # a bug, not the user's input: one line, the trace only on request
        import os
        import traceback

        if os.environ.get("MCS_DEBUG"):
            traceback.print_exc()
        print(f"error: {args.command} failed unexpectedly: {type(exc).__name__}: {exc}\n"
              "hint: run with MCS_DEBUG=1 for the traceback", file=sys.stderr)
        return 3


if __name__ == "__main__":
    sys.exit(main())
