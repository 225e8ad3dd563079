"""Compare copy methods on a catalog: template, zero-shot LM and every trained fusion method.

For each held-out product (same split by product id as training) the generator gets the
product with the target field hidden (the title task never sees the real title, the
description task never sees the real description), writes the field, and is scored
against the real one: BLEU, METEOR, ROUGE-L, grounding (share of numbers, colours and
materials found in the input), invented numbers and colours per output, mean length and
latency. Writes ``results.json``, ``table.md`` and ``chart.png`` to ``out``.
"""
from __future__ import annotations

import json
import re
import time
from dataclasses import dataclass, field
from pathlib import Path

from engine.core.errors import StudioError
from engine.writers import list_writers, writer_label

BASELINES = {key: writer_label(key) for key in list_writers(baseline=True)}  # the methods needing no checkpoint
METRICS = ("bleu", "meteor", "rouge_l", "grounded", "claims_clean", "invented_numbers", "invented_things",
           "bad_names", "meta_text", "brand_kept", "unsupported_nouns", "made_up_word", "product_named", "name_twice",
           "facts_stated", "realised_sentences", "dropped_sentences", "words", "latency_s")
SHARES = ("grounded", "claims_clean", "brand_kept", "made_up_word", "product_named", "name_twice", "retried")
LABELS = {"bleu": "BLEU", "meteor": "METEOR", "rouge_l": "ROUGE-L", "grounded": "Grounded",
          "claims_clean": "No flagged claim", "invented_numbers": "Invented numbers / output",
          "invented_colours": "Invented colours / output", "invented_things": "Invented things / output",
          "bad_names": "Misspelt or unknown names / output", "meta_text": "Meta-text / output",
          "brand_kept": "Brand or line verbatim", "words": "Mean words", "latency_s": "Latency (s)",
          "unsupported_nouns": "Unsupported nouns / output", "made_up_word": "With a made-up word",
          "product_named": "Product named", "name_twice": "A name twice", "facts_stated": "Input facts stated",
          "realised_sentences": "Realised sentences", "dropped_sentences": "Model sentences left out",
          "retried": "Retried"}
TASKS = ("title", "description", "bullets")


@dataclass
class Item:
    id: str
    reference: str
    hidden: object  # Ingested with the target field blanked
    outputs: dict[str, dict] = field(default_factory=dict)


def resolve_methods(methods: list[str], checkpoints: Path | None) -> list[str]:
    from engine.conditioning import available_methods

    trained = [m["name"] for m in available_methods(checkpoints)]
    resolved: list[str] = []
    for name in methods:
        names = trained if name == "all" else [name]
        for n in names:
            if n not in BASELINES and n not in trained:
                raise StudioError(f"method {n!r} has no trained checkpoint (accepted: template, none, "
                                  f"all, {', '.join(trained) or 'no trained method yet'})")
            if n not in resolved:
                resolved.append(n)
    return resolved


def load_items(catalog: Path, task: str, split: str, val_percent: int, limit: int | None) -> list[Item]:
    from engine.ingest import ingest
    from engine.core.product import Product
    from engine.training.data import clean_reference_description, hidden_copy, split_of

    catalog = Path(catalog)
    if not catalog.is_file():
        raise StudioError(f"{catalog}: catalog not found (accepted: a JSONL file, one product per line)")
    items = []
    for line in catalog.read_text(encoding="utf-8").split("\n"):  # not splitlines(): U+2028 may sit inside a string
        if not line.strip():
            continue
        row = json.loads(line)
        if split == "val" and split_of(str(row.get("id", "")), val_percent) != "val":
            continue
        product = Product.from_record(row, catalog.parent)
        try:
            ingested = ingest(product)
        except StudioError:
            continue
        if task == "title":
            reference = ingested.product.title
        elif task == "bullets":  # most catalogs have none: scored by the claim check alone
            reference = "\n".join(ingested.product.bullets) or " "
        else:
            reference = clean_reference_description(ingested.product.description, ingested.product.title,
                                                    bool(row.get("desc_boilerplate")))
        if not reference:
            continue
        items.append(Item(product.id, reference, hidden_copy(ingested, task)))
        if limit and len(items) >= limit:
            break
    return items


from engine.evaluation.faithfulness import measures  # noqa: E402


def score_output(task: str, text: str, reference: str, source_text: str, names: tuple[str, ...] = ()) -> dict:
    """Reference metrics, the claim check's flags by kind, and (titles) whether the brand or product line
    of the input is written exactly as given."""
    from engine.scores.claims import claim_report
    from engine.scores.grounding import extract_facts, grounding_report
    from engine.scores.reference import bleu, meteor, rouge_l
    from engine.scores.text import TextContext

    reference = reference.strip()
    context = TextContext(source_text=source_text, reference=reference or None)
    report = grounding_report(text, source_text)
    claims = claim_report(text, source_text)
    kinds = [f["kind"] for f in claims["flagged"]]
    facts = extract_facts(text)
    ungrounded = {u.lower() for u in report["ungrounded"]}
    lines = [l for l in text.splitlines() if l.strip()] if task == "bullets" else [text]
    return {
        "bleu": bleu(text, context, kind=task).value or 0.0,
        "meteor": meteor(text, context, kind=task).value or 0.0,
        "rouge_l": rouge_l(text, context, kind=task).value or 0.0,
        "has_reference": bool(reference),
        "checked": len(report["checked"]),
        "ungrounded": report["ungrounded"],
        "invented_numbers": sum(n.lower() in ungrounded for n in facts["numbers"]),
        "invented_colours": sum(c.lower() in ungrounded for c in facts["colors"]),
        "flagged": claims["flagged"],
        "claims_clean": not claims["flagged"],
        "invented_things": kinds.count("thing"),
        "bad_names": kinds.count("misspelt name") + kinds.count("unknown name"),
        "meta_text": kinds.count("meta-text"),
        # bullets: each line on its own states a fact of the input and nothing flagged
        "units": len(lines),
        "units_stating_a_fact": sum(_states_fact(l, source_text) for l in lines),
        "brand_kept": None if not names or task != "title" else all(name in text for name in names),
        "words": len(text.split()),
    }


def _states_fact(line: str, source_text: str) -> bool:
    from engine.scores.claims import claim_report

    words = {w for w in re.findall(r"[a-z0-9]+", line.lower()) if len(w) > 2}
    return bool(words & set(re.findall(r"[a-z0-9]+", source_text.lower()))) and not claim_report(line, source_text)["flagged"]


def _generate(studio, method: str, task: str, item: Item, settings, candidates: int) -> tuple[str, dict]:
    """What the studio writes for the field, through the one path from a product to a Result
    (``Studio.generate``: candidates re-ranked by the claim check, names as the input spells them, the
    description composed from the plan, bullets from the facts). Returns (text, the field's checks)."""
    run = settings.replace(fusion=method, candidates=candidates)
    fields = (task,) if task in ("title", "description") else ()
    result = studio.generate(item.hidden, run, store=False, fields=fields)
    return result.copy.text_of(task), result.checks.get(task, {})


# What a report made before a setting existed was generated with (reports store their settings).
_OLD_DEFAULTS = {"grounded_decoding": False, "description_length": "short", "checked": False}


def _previous_rows(out, task, catalog, items, decoding: dict) -> dict[str, list[dict]]:
    """Rows of an earlier run into the same folder, reused when settings match and it scored
    every one of these products against the same reference.

    An evaluation of eight methods takes a while on a CPU; rerunning with one more method
    (or after an interruption, or over fewer products) only generates what is missing;
    ``retrain_methods`` names methods to generate again (e.g. after retraining their checkpoint).
    """
    path = Path(out) / "results.json" if out else None
    if not path or not path.exists():
        return {}
    old = json.loads(path.read_text())
    same = (old.get("task") == task and old.get("catalog") == str(catalog)
            and all(old.get(k, _OLD_DEFAULTS.get(k)) == v for k, v in decoding.items()))
    scored = {i["id"]: i for i in old["items"]}
    if not same or any(i.id not in scored or scored[i.id]["reference"] != i.reference for i in items):
        return {}
    return {m: [scored[i.id]["outputs"][m] for i in items] for m in old["summary"]}


def summarise(rows: list[dict]) -> dict:
    n = max(len(rows), 1)
    checked = sum(r["checked"] for r in rows)
    ungrounded = sum(len(r["ungrounded"]) for r in rows)
    referenced = [r for r in rows if r.get("has_reference", True)]
    with_names = [r["brand_kept"] for r in rows if r.get("brand_kept") is not None]
    units = sum(r.get("units", 1) for r in rows)
    return {
        # None when no product has a reference (most catalogs have no bullets): shown as n/a
        "bleu": sum(r["bleu"] for r in referenced) / len(referenced) if referenced else None,
        "meteor": sum(r["meteor"] for r in referenced) / len(referenced) if referenced else None,
        "rouge_l": sum(r["rouge_l"] for r in referenced) / len(referenced) if referenced else None,
        "claims_clean": sum(bool(r.get("claims_clean")) for r in rows) / n,
        "invented_things": sum(r.get("invented_things", 0) for r in rows) / n,
        "bad_names": sum(r.get("bad_names", 0) for r in rows) / n,
        "meta_text": sum(r.get("meta_text", 0) for r in rows) / n,
        "brand_kept": sum(with_names) / len(with_names) if with_names else None,
        "with_brand": len(with_names),
        "states_a_fact": sum(r.get("units_stating_a_fact", 0) for r in rows) / units if units else None,
        # micro share over every checked fact; 1.0 when no output stated any checkable fact
        "grounded": (checked - ungrounded) / checked if checked else 1.0,
        "invented_numbers": sum(r["invented_numbers"] for r in rows) / n,
        "invented_colours": sum(r["invented_colours"] for r in rows) / n,
        "words": sum(r["words"] for r in rows) / n,
        # what is left, measured (engine/evaluation/faithfulness.py), and how the writer got there
        "unsupported_nouns": sum(len(r.get("unsupported_nouns", [])) for r in rows) / n,
        "made_up_word": sum(bool(r.get("made_up_words")) for r in rows) / n,
        "product_named": _share_of(rows, "product_named"),
        "name_twice": _share_of(rows, "name_twice"),
        "retried": sum(r.get("checks", {}).get("tries", 1) > 1 for r in rows) / n,
        "model_sentences": sum(r.get("checks", {}).get("model_sentences", 0) for r in rows) / n,
        "dropped_sentences": sum(r.get("checks", {}).get("dropped_sentences", 0) for r in rows) / n,
        "realised_sentences": sum(r.get("checks", {}).get("realised_sentences", 0) for r in rows) / n,
        "facts_stated": sum(r.get("checks", {}).get("facts_stated", 0) for r in rows) / n,
        "latency_s": sum(r["latency_s"] for r in rows) / n,
        "n": len(rows),
    }


def _share_of(rows: list[dict], key: str) -> float | None:
    values = [bool(r[key]) for r in rows if r.get(key) is not None]
    return sum(values) / len(values) if values else None


def markdown_table(task: str, summary: dict[str, dict], labels: dict[str, str], decoding: dict | None = None) -> str:
    head = "| method | " + " | ".join(LABELS[m] for m in METRICS) + " |"
    lines = [head, "|" + "---|" * (len(METRICS) + 1)]
    for method, s in summary.items():
        cells = []
        for m in METRICS:
            value = s.get(m)
            cells.append("n/a" if value is None else f"{value:.1%}" if m in SHARES
                         else f"{value:.1f}" if m in ("bleu", "words")
                         else f"{value:.3f}" if m in ("meteor", "rouge_l") else f"{value:.2f}")
        lines.append(f"| {labels.get(method, method)} | " + " | ".join(cells) + " |")
    n = next(iter(summary.values()))["n"] if summary else 0
    baselines = [summary[b] for b in BASELINES if b in summary]
    notes = [f"Task: **{task}**, {n} held-out products; BLEU 0-100 (sacrebleu sentence BLEU, mean), "
             "METEOR and ROUGE-L 0-1 (means), Grounded = share of all numbers/colours/materials in the "
             "outputs that appear in the input, No flagged claim = share of outputs the claim check passes "
             "(engine/scores/claims.py), Invented things / names / meta-text = flags of that kind per output, "
             "Brand or line verbatim = share of titles that write the input's brand (and product line) exactly, "
             "latency = seconds per output on this machine."]
    if task == "bullets":
        share = {m: s.get("states_a_fact") for m, s in summary.items()}
        notes.append("Bullets stating an input fact (each bullet on its own: shares a word with the input, nothing "
                     "flagged): " + ", ".join(f"{labels.get(m, m)} {v:.0%}" for m, v in share.items() if v is not None)
                     + ". METEOR etc. over the products that have real bullets.")
    if decoding:
        from engine.copywriting.copy import MIN_TOKENS

        length = decoding.get("description_length", "short")
        n = decoding["candidates"]
        how = "greedy" if n == 1 else f"{n} candidates (greedy, then {n - 1} sampled at temperature 0.7) re-ranked"
        notes.append(f"Decoding: {how}, at most {decoding['max_new_tokens']} "
                     f"new tokens, grounded decoding {'on' if decoding.get('grounded_decoding') else 'off'}"
                     + (f", description length {length} (at least {MIN_TOKENS[length]} tokens)"
                        if task == "description" else "") + ".")
    trained = {m: s for m, s in summary.items() if m not in BASELINES}
    if baselines and trained and all(s["meteor"] is not None for s in summary.values()):
        best = max(trained, key=lambda m: trained[m]["meteor"] + trained[m]["rouge_l"])
        gains = []
        for metric in ("meteor", "rouge_l"):
            top = max(b[metric] for b in baselines)
            gains.append(f"{LABELS[metric]} {trained[best][metric] / top - 1:+.0%}" if top > 0 else f"{LABELS[metric]} n/a")
        notes.append(f"Best trained method: **{best}**; relative to the stronger baseline: {', '.join(gains)}.")
    return "\n".join(lines) + "\n\n" + "\n".join(notes) + "\n"


def bar_chart(summary: dict[str, dict], path: Path, title: str) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    import numpy as np

    shown = ("meteor", "rouge_l", "grounded", "claims_clean")
    methods = list(summary)
    x = np.arange(len(methods))
    fig, ax = plt.subplots(figsize=(max(6, 1.1 * len(methods) + 2), 3.8), dpi=100)
    width = 0.8 / (len(shown) + 1)
    for i, metric in enumerate(shown):
        ax.bar(x + i * width, [summary[m][metric] or 0.0 for m in methods], width, label=LABELS[metric])
    ax.bar(x + len(shown) * width, [(summary[m]["bleu"] or 0.0) / 100 for m in methods], width, label="BLEU / 100")
    ax.set_xticks(x + 0.4 - width / 2, methods, rotation=20)
    ax.set_ylim(0, 1.05)
    ax.set_title(title)
    ax.legend(fontsize=8, ncol=4, loc="upper center", bbox_to_anchor=(0.5, -0.22))
    ax.grid(axis="y", alpha=0.3)
    fig.tight_layout()
    fig.savefig(path)
    plt.close(fig)


def evaluate(catalog: Path, task: str = "title", methods: list[str] = ("template", "none", "all"),
             out: Path | None = None, limit: int | None = None, split: str = "val", checkpoints: Path | None = None,
             candidates: int = 1, device: str = "auto", val_percent: int = 10, max_new_tokens: int = 80,
             progress: bool = True, retrain_methods: tuple[str, ...] = (), grounded_decoding: bool = True,
             description_length: str = "standard") -> dict:
    """Score every method on the same held-out products; returns {summary, items, markdown}."""
    from tqdm.auto import tqdm

    from engine.copywriting.checks import product_names
    from engine.core.settings import Settings

    if task not in TASKS:
        raise StudioError(f"unknown task {task!r} (accepted: {', '.join(TASKS)})")
    methods = resolve_methods(list(methods), checkpoints)
    items = load_items(catalog, task, split, val_percent, limit)
    if not items:
        raise StudioError(f"{catalog}: no {split} products with a reference {task} to evaluate on")
    # Greedy decoding: an evaluation must give the same table twice.
    settings = Settings(temperature=0.0, max_new_tokens=max_new_tokens, grounded_decoding=grounded_decoding,
                        description_length=description_length)
    # "checked": names repaired and flagged fields written again (engine/copywriting/checks.py); older
    # reports were not, so they are never reused for a new one.
    decoding = {"candidates": candidates, "max_new_tokens": max_new_tokens, "grounded_decoding": grounded_decoding,
                "checked": True}
    if task == "description":  # titles do not depend on it: title reports stay reusable
        decoding["description_length"] = description_length
    rows: dict[str, list[dict]] = {m: [] for m in methods}
    previous = _previous_rows(out, task, catalog, items, decoding)
    from engine.pipeline import Studio

    studio = Studio(device=device, checkpoints=checkpoints)
    for method in methods:
        reuse = previous.get(method) if method not in retrain_methods else None
        for index, item in enumerate(tqdm(items, desc=f"{task}: {method}", disable=not progress or bool(reuse))):
            if reuse:  # resumed: same products, same settings; scored again with today's scorers (cheap)
                text, latency, checks = reuse[index]["text"], reuse[index]["latency_s"], reuse[index].get("checks", {})
            else:
                started = time.perf_counter()
                text, checks = _generate(studio, method, task, item, settings, candidates)
                latency = time.perf_counter() - started
            row = score_output(task, text, item.reference, item.hidden.source_text(), tuple(product_names(item.hidden)))
            row.update(measures(task, text, item.hidden))
            row.update(id=item.id, text=text, latency_s=latency, checks=checks)
            item.outputs[method] = row
            rows[method].append(row)
    summary = {m: summarise(r) for m, r in rows.items()}
    labels = {m: writer_label(m) for m in methods}
    markdown = markdown_table(task, summary, labels, decoding)
    report = {
        "task": task, "catalog": str(catalog), "split": split, "val_percent": val_percent,
        "decoding": "greedy" if candidates == 1 else "greedy, then sampled; re-ranked", **decoding,
        "summary": summary,
        "items": [{"id": i.id, "reference": i.reference, "outputs": i.outputs} for i in items],
        "markdown": markdown,
    }
    if out:
        out = Path(out)
        out.mkdir(parents=True, exist_ok=True)
        (out / "results.json").write_text(json.dumps(report, indent=2))
        (out / "table.md").write_text(f"# Evaluation: {task} on {Path(catalog).parent.name}\n\n{markdown}")
        bar_chart(summary, out / "chart.png", f"{task} on {Path(catalog).parent.name} ({len(items)} held-out products)")
    return report


def record_scores(report: dict, root: Path | None = None) -> str | None:
    """Write a report's validation scores into each trained checkpoint and re-pick the default.

    Each checkpoint's config.json gains ``meta.validation.scores["<catalog>/<task>"]``; the
    default method (``summary.json``) is the one with the best mean of METEOR and ROUGE-L
    over every recorded catalog/task, which is what ``best_method`` and the UI read.
    """
    from engine.conditioning import CHECKPOINTS

    root = Path(root or CHECKPOINTS)
    key = f"{Path(report['catalog']).parent.name}/{report['task']}"
    for method, summary in report["summary"].items():
        config = root / method / "config.json"
        if method in BASELINES or not config.exists():
            continue
        saved = json.loads(config.read_text())
        scores = saved["meta"].setdefault("validation", {}).setdefault("scores", {})
        scores[key] = {m: round(summary[m], 4) for m in ("bleu", "meteor", "rouge_l", "grounded")} | {"n": summary["n"]}
        config.write_text(json.dumps(saved, indent=2))
        if (root / method / "provenance.json").exists():
            from engine.training import render_provenance

            render_provenance(root / method)
    summary_path = root / "summary.json"
    board = json.loads(summary_path.read_text()) if summary_path.exists() else {"reports": {}}
    board["reports"][key] = {m: {k: round(v, 4) for k, v in s.items()} for m, s in report["summary"].items()}
    means: dict[str, list[float]] = {}
    for table in board["reports"].values():
        for method, s in table.items():
            if method not in BASELINES:
                means.setdefault(method, []).append((s["meteor"] + s["rouge_l"]) / 2)
    complete = {m: sum(v) / len(v) for m, v in means.items() if len(v) == len(board["reports"])}
    board["best"] = max(complete, key=complete.get) if complete else None
    board["rule"] = "highest mean of METEOR and ROUGE-L over every recorded validation report"
    summary_path.write_text(json.dumps(board, indent=2))
    return board["best"]


__all__ = ["evaluate", "record_scores", "score_output", "summarise", "markdown_table", "BASELINES", "METRICS"]
