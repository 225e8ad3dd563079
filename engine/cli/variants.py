"""``python -m engine variants``: copy, ad sets and images per shopper segment, exported for Google Ads
Editor and Meta bulk upload."""
from __future__ import annotations

from pathlib import Path

from engine.workflows.variants import (PRESETS, export_variants, make_variants, product_name, resolve_segments,
                             variant_images, variant_passes)


def add_variants_subcommand(sub) -> None:
    """``python -m engine variants PRODUCT.json --segments a,b,c --out DIR``."""
    variants = sub.add_parser("variants", help="copy, ad sets and images per shopper segment, exported for "
                                               "Google Ads Editor and Meta bulk upload")
    variants.add_argument("product", type=Path)
    variants.add_argument("--segments", default="students,parents,gift buyers",
                          help=f"comma-separated presets ({', '.join(PRESETS)}) or free text")
    variants.add_argument("--out", type=Path, required=True)
    variants.add_argument("--campaign", default="", help="campaign name in the exports (default: the product title)")
    variants.add_argument("--final-url", default="", help="landing page written in the exports")
    variants.add_argument("--no-images", action="store_true", help="copy and ad sets only")
    variants.set_defaults(func=_cmd_variants)


def _cmd_variants(args) -> int:
    from engine.pipeline import Studio
    from engine.core.product import Product

    product = Product.from_json_file(args.product)
    segments = resolve_segments(args.segments)  # a bad list is refused before any model loads
    studio = Studio(device=args.device)
    ingested = studio.ingest(product)
    colours = studio.photo_colours(ingested)
    pairs = make_variants(ingested, segments, studio.device, colours, precision=studio.precision)
    images = None
    if not args.no_images and ingested.photos:
        images = {v.segment: variant_images(studio, ingested, v) for v, _ in pairs}
    paths = export_variants(pairs, args.out, args.campaign or product_name(ingested), args.final_url, images)
    for variant, adset in pairs:
        state = "ok" if variant_passes(variant, adset) else "; ".join(adset.problems) or "claim check flagged"
        print(f"{variant.label}: {variant.title} [{state}]")
    for kind, path in paths.items():
        print(f"{kind}: {path}")
    return 0 if all(variant_passes(v, a) for v, a in pairs) else 1
