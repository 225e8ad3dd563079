"""CLI subcommands for fusion methods: ``train``, ``evaluate`` and ``methods``.

``engine.cli`` calls ``add_subcommands(subparsers)``; every heavy import happens inside the
command so ``python -m engine --help`` stays fast.
"""
from __future__ import annotations

import argparse
import json
from pathlib import Path


def cmd_train(args: argparse.Namespace) -> int:
    from engine.training import TrainConfig, train

    cfg = TrainConfig(steps=args.steps, batch_size=args.batch_size, lr=args.lr, eval_every=args.eval_every,
                      patience=args.patience, lora_rank=args.lora_rank, prefix_length=args.prefix_length,
                      val_percent=args.val_percent, seed=args.seed, device=args.device,
                      title_tokens=args.title_tokens, description_tokens=args.description_tokens,
                      val_examples=args.val_examples, init_from=str(args.init_from) if args.init_from else None,
                      time_budget_s=args.time_budget_min * 60 if args.time_budget_min else None,
                      faithful_targets=args.faithful_targets)
    methods = [m.strip() for m in args.fusion.split(",") if m.strip()]
    results = train(args.catalogs, methods, args.out, cfg, limit=args.limit, state_dir=args.state_dir)
    print(json.dumps({m: r["validation"] for m, r in results.items()}, indent=2))
    return 0


def cmd_evaluate(args: argparse.Namespace) -> int:
    if args.task == "qa":  # its own question set, built from the shared catalogs (engine/evaluation/qa.py)
        from engine.evaluation.qa import evaluate_qa

        report = evaluate_qa([args.catalog] if args.catalog else None, args.out or Path("docs/evaluation/qa"),
                             per_catalog=args.limit or 40, lm_limit=args.lm_questions, device=args.device)
        print(report["markdown"])
        return 0
    if args.catalog is None or args.out is None:
        raise SystemExit("error: evaluate needs CATALOG and --out (only --task qa has defaults)")
    from engine.evaluation import evaluate

    methods = [m.strip() for m in args.methods.split(",") if m.strip()]
    report = evaluate(args.catalog, task=args.task, methods=methods, out=args.out, limit=args.limit,
                      split=args.split, checkpoints=args.checkpoints, candidates=args.candidates,
                      device=args.device, val_percent=args.val_percent,
                      retrain_methods=tuple(m for m in args.redo.split(",") if m),
                      grounded_decoding=not args.no_grounded_decoding,
                      description_length=args.description_length)
    print(report["markdown"])
    if args.record:
        from engine.evaluation import record_scores

        print(f"recorded; default method now: {record_scores(report, args.checkpoints)}")
    return 0


def cmd_methods(args: argparse.Namespace) -> int:
    from engine.conditioning import available_methods, best_method

    methods = available_methods(args.checkpoints)
    if args.json:
        print(json.dumps(methods, indent=2))
        return 0
    if not methods:
        print("no trained fusion method yet; train one with `python -m engine train CATALOG.jsonl --fusion all --out assets/checkpoints`")
        return 0
    best = best_method(args.checkpoints)
    print(f"{'method':10} {'val loss':>8} {'ppl':>7} {'targets':>7}  scores (validation)")
    for m in methods:
        v = m["validation"]
        scores = "; ".join(f"{key}: METEOR {s['meteor']:.3f} ROUGE-L {s['rouge_l']:.3f} grounded {s['grounded']:.0%}"
                           for key, s in v.get("scores", {}).items())
        mark = "  <- default (won on validation)" if m["name"] == best else ""
        targets = f"{m['description_tokens']} tok" if m.get("description_tokens") else "?"
        print(f"{m['name']:10} {v.get('loss', float('nan')):8.3f} {v.get('perplexity', float('nan')):7.2f} "
              f"{targets:>7}  {scores}{mark}")
    return 0


def add_subcommands(subparsers) -> None:
    train = subparsers.add_parser("train", help="train fusion + mapping (+ LoRA) on catalog JSONL files")
    train.add_argument("catalogs", type=Path, nargs="+", help="one or more catalog JSONL files")
    train.add_argument("--fusion", default="all", help="a method name, a comma list, or 'all'")
    train.add_argument("--out", type=Path, required=True, help="checkpoint folder (one subfolder per method)")
    train.add_argument("--steps", type=int, default=40)
    train.add_argument("--batch-size", type=int, default=6)
    train.add_argument("--lr", type=float, default=1e-3)
    train.add_argument("--eval-every", type=int, default=20)
    train.add_argument("--patience", type=int, default=2, help="evaluations without gain before stopping")
    train.add_argument("--lora-rank", type=int, default=4, help="0 trains fusion + mapping only")
    train.add_argument("--prefix-length", type=int, default=4)
    train.add_argument("--val-percent", type=int, default=10)
    train.add_argument("--val-examples", type=int, default=24,
                       help="held-out examples scored every --eval-every steps")
    train.add_argument("--title-tokens", type=int, default=20,
                       help="longest title target in tokens (a longer one is cut and gets no end token)")
    train.add_argument("--description-tokens", type=int, default=64,
                       help="longest description target in tokens")
    train.add_argument("--limit", type=int, default=None, help="only the first N products of each catalog")
    train.add_argument("--time-budget-min", type=float, default=None, help="per method")
    train.add_argument("--state-dir", type=Path, default=Path("runs/training-state"),
                       help="resumable state (optimizer etc.); rerun the same command to resume")
    train.add_argument("--seed", type=int, default=0)
    train.add_argument("--faithful-targets", action="store_true",
                       help="train descriptions on the sentences of their targets that the input supports only")
    train.add_argument("--init-from", type=Path, default=None,
                       help="a checkpoints folder (e.g. assets/checkpoints): fine-tune each method from its weights")
    # SUPPRESS: no default here, or it would overwrite `python -m engine --device cuda train ...`'s
    # value with "auto" (argparse lets a subcommand's defaults win over the main parser's values).
    train.add_argument("--device", default=argparse.SUPPRESS, choices=["auto", "cpu", "cuda"],
                       help="where to train: auto (a GPU when present), cpu or cuda")
    train.set_defaults(func=cmd_train)

    ev = subparsers.add_parser("evaluate", help="per-method table of BLEU, METEOR, ROUGE-L, grounding, latency")
    ev.add_argument("catalog", type=Path, nargs="?", help="catalog JSONL (--task qa: defaults to the shared catalogs)")
    ev.add_argument("--task", choices=["title", "description", "bullets", "qa"], default="title")
    ev.add_argument("--lm-questions", type=int, default=60,
                    help="--task qa: questions the language-model writer answers (CPU time)")
    ev.add_argument("--methods", default="template,none,all",
                    help="comma list: template, none (zero-shot), trained method names, or all (every trained one)")
    ev.add_argument("--out", type=Path, default=None, help="required, except for --task qa (docs/evaluation/qa)")
    ev.add_argument("--split", choices=["val", "all"], default="val", help="held-out products only (default)")
    ev.add_argument("--val-percent", type=int, default=10)
    ev.add_argument("--limit", type=int, default=None, help="at most N products")
    ev.add_argument("--candidates", type=int, default=1, help="candidates per product, re-ranked")
    ev.add_argument("--description-length", choices=["short", "standard", "long"], default="standard",
                    help="the least a description runs to, as the studio's setting")
    ev.add_argument("--no-grounded-decoding", action="store_true",
                    help="let the LM write numbers, colours and materials the input lacks (the old behaviour)")
    ev.add_argument("--checkpoints", type=Path, default=None)
    ev.add_argument("--device", default=argparse.SUPPRESS, choices=["auto", "cpu", "cuda"])
    ev.add_argument("--redo", default="", help="comma list of methods to generate again in an existing --out")
    ev.add_argument("--record", action="store_true",
                    help="write the scores into the checkpoints and re-pick the default method")
    ev.set_defaults(func=cmd_evaluate)

    methods = subparsers.add_parser("methods", help="list trained fusion methods with validation scores")
    methods.add_argument("--checkpoints", type=Path, default=None)
    methods.add_argument("--json", action="store_true")
    methods.set_defaults(func=cmd_methods)
