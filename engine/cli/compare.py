"""``python -m engine compare``: a grid of copy methods x one setting for one product, or what each input
changes (``--ablate``)."""
from __future__ import annotations

from pathlib import Path

from engine.cli.settings import add_setting_flags, settings_from_args
from engine.workflows.compare import COLUMN_SETTINGS, compare_grid, grid_csv, grid_jsonl, grid_png, parse_values, score_chart
from engine.core.product import Product


def cmd_compare(args) -> int:
    from engine.pipeline import Studio

    product = Product.from_json_file(args.product)
    studio = Studio(device=args.device)
    if args.ablate:
        return cmd_ablate(studio, product, args)
    methods = [m.strip() for m in args.methods.split(",") if m.strip()]
    values = parse_values(args.column, args.values)

    def report(cell: dict) -> None:
        print(f"{cell['method']:>10} {args.column}={cell['value']}: {cell['title'] or 'error: ' + cell['error']}",
              flush=True)

    cells = compare_grid(studio, product, methods, values, args.column, settings_from_args(args), report)
    args.out.mkdir(parents=True, exist_ok=True)
    for path in (grid_csv(cells, args.out / "grid.csv"), grid_jsonl(cells, args.out / "grid.jsonl"),
                 grid_png(cells, args.out / "grid.png"), score_chart(cells, args.out / "chart.png")):
        print(f"-> {path}")
    return 0 if not any(c["error"] for c in cells) else 1


def cmd_ablate(studio, product: Product, args) -> int:
    """``--ablate METHOD``: the method's copy with every input, then without each one (engine.workflows.ablation)."""
    from engine.workflows.ablation import ablation_csv, ablation_jsonl, leave_one_out, summary

    def report(row: dict) -> None:
        gate = "" if row["gate_weight"] is None else f" (gate weight {row['gate_weight']:.0%})"
        deltas = ", ".join(f"{k} {v:+.3f}" for k, v in row["deltas"].items() if v)
        print(f"{row['label']:>15}{gate}: {summary(row)}" + (f" | {row['title']}" if row["title"] else "")
              + (f" | {deltas}" if deltas else ""), flush=True)

    rows = leave_one_out(studio, product, args.ablate.strip(), settings_from_args(args), on_row=report)
    args.out.mkdir(parents=True, exist_ok=True)
    for path in (ablation_csv(rows, args.out / "ablation.csv"), ablation_jsonl(rows, args.out / "ablation.jsonl")):
        print(f"-> {path}")
    return 0


def add_compare_subcommand(subparsers) -> None:
    """``python -m engine compare PRODUCT.json --methods template,none --values 1,2 --out DIR``, or
    ``... --ablate METHOD --out DIR`` for what each input changes."""
    parser = subparsers.add_parser("compare", help="a grid of methods x seeds (or another setting) for one product")
    parser.add_argument("product", type=Path, help="one product JSON (as for `generate`)")
    parser.add_argument("--methods", default="template,none", help="comma-separated copy methods (rows)")
    parser.add_argument("--column", default="seed", choices=list(COLUMN_SETTINGS), help="the setting the columns vary")
    parser.add_argument("--values", default="1,2", help="comma-separated values of --column")
    parser.add_argument("--ablate", metavar="METHOD", default="",
                        help="instead of a grid: METHOD's copy with every input, then without the photos, the text "
                             "and the video (same seed and settings), with what changed and the score deltas")
    parser.add_argument("--out", type=Path, required=True)
    add_setting_flags(parser)
    parser.set_defaults(func=cmd_compare)
