"""Named API endpoints for gradio_client (documented in the README), over the same engine calls."""
from __future__ import annotations

import gradio as gr

from engine.core.errors import StudioError
from engine.pipeline import Studio
from engine.core.product import Product
from engine.inputs.uploads import confine_jsonl, confine_rows, network_settings, refusal_message, unpack_upload
from studio.queueing import copy_events


def build_api(studio: Studio) -> None:
    """Hidden components carrying the `/generate` endpoint: product JSON + photo and clip files in,
    result JSON out. Media paths inside the product JSON are ignored: a remote caller uploads files."""

    def generate(product: dict, settings: dict, photos: list | None, videos: list | None = None) -> dict:
        try:
            if product is not None and not isinstance(product, dict):
                Product.from_record(product)  # raises the one-line message for a list, text, number ...
            record = dict(product or {})
            record["images"] = [getattr(p, "name", p) for p in photos or []]
            record["videos"] = [getattr(v, "name", v) for v in videos or []]
            result = studio.generate(Product.from_record(record), network_settings(settings))
        except (StudioError, ValueError) as exc:
            raise gr.Error(str(exc)) from None
        data = result.to_dict()
        data["scores"] = {k: [s.to_dict() for s in v] for k, v in result.scores.items()}
        return data

    with gr.Row(visible=False):
        product = gr.JSON(label="product")
        settings = gr.JSON(label="settings")
        photos = gr.File(file_count="multiple", label="photos")
        videos = gr.File(file_count="multiple", label="videos")
        out = gr.JSON(label="result")
        trigger = gr.Button("api")
    trigger.click(generate, [product, settings, photos, videos], out, api_name="generate",
                  **copy_events(studio.request_batching),
                  api_description="Generate title, description, bullets, keywords and scores for one product.")


def _nothing_runs(catalog, refused: list[dict]) -> StudioError:
    shown = "\n".join(refusal_message(catalog.name, r) for r in refused[:5])
    more = f"\n… and {len(refused) - 5} more" if len(refused) > 5 else ""
    return StudioError(f"no product of {catalog.name} can run:\n{shown}{more}")


def build_batch_and_evaluate_api(studio: Studio) -> None:
    """`/batch` (catalog file -> results.jsonl + summary) and `/evaluate` (catalog -> table + numbers).

    Both take the catalog alone, with its photos and videos uploaded alongside, or one zip of both;
    the catalog may name only those files (engine/inputs/uploads.py), anything else is refused by name."""
    import hashlib
    import tempfile
    from pathlib import Path

    from engine.workflows.batch import read_results, run_batch
    from engine.inputs.catalog import read_catalog_rows
    from engine.evaluation import evaluate as evaluate_catalog
    from engine.workflows.export import jsonl
    from engine.core.paths import data_dir

    def _folder(kind: str, catalog: Path) -> Path:
        digest = hashlib.sha256(catalog.read_bytes()).hexdigest()[:10]
        return data_dir() / kind / f"{catalog.stem}-{digest}"

    def batch(catalog, settings: dict, limit: float | None, media: list | None = None) -> tuple[str, dict]:
        try:
            chosen = network_settings(settings)
            source = unpack_upload([catalog, *(media or [])])
            rows, refused = confine_rows(read_catalog_rows(source, int(limit) if limit else None), source.parent)
            if not rows.products:
                raise _nothing_runs(source, refused)
            out = _folder("api-batches", source)  # the same catalog resumes instead of starting over
            summary = run_batch(rows, out, chosen, studio=studio)
        except (StudioError, ValueError) as exc:
            raise gr.Error(str(exc)) from None
        # Gradio serves files from its temp area, not the data folder; and only these settings' rows go
        # out (the folder may also hold rows an earlier call wrote with other settings).
        download = jsonl(read_results(out, chosen), Path(tempfile.mkdtemp(prefix="mcs-batch-")) / f"{source.stem}-results.jsonl")
        # A "path" key in JSON output makes Gradio treat it as a file to serve: name the folder instead.
        return str(download), {**{k: v for k, v in summary.items() if k != "path"}, "folder": str(out),
                               "refused": refused}

    def evaluate(catalog, task: str, methods: str, limit: float | None, media: list | None = None) -> tuple[str, dict]:
        try:
            source = unpack_upload([catalog, *(media or [])])
            confined, refused = confine_jsonl(source)
            if refused and not confined.read_text(encoding="utf-8").strip():
                raise _nothing_runs(source, refused)
            report = evaluate_catalog(confined, task=task or "title",
                                      methods=[m.strip() for m in (methods or "template,none,all").split(",") if m.strip()],
                                      out=_folder("api-evaluations", source) / (task or "title"),
                                      limit=int(limit) if limit else 6, progress=False)
        except (StudioError, ValueError) as exc:
            raise gr.Error(str(exc)) from None
        if not refused:
            return report["markdown"], report["summary"]
        note = "\n\n**Refused, not evaluated:**\n" + "\n".join(f"- {refusal_message(source.name, r)}" for r in refused)
        return report["markdown"] + note, {**report["summary"], "refused": refused}

    with gr.Row(visible=False):
        catalog = gr.File(label="catalog")
        settings = gr.JSON(label="settings")
        limit = gr.Number(label="limit")
        media = gr.File(file_count="multiple", label="media")
        results = gr.File(label="results.jsonl")
        summary = gr.JSON(label="summary")
        run_batch_button = gr.Button("batch")
        task = gr.Textbox(label="task")
        methods = gr.Textbox(label="methods")
        table = gr.Markdown()
        numbers = gr.JSON(label="numbers")
        run_eval_button = gr.Button("evaluate")
    run_batch_button.click(batch, [catalog, settings, limit, media], [results, summary], api_name="batch",
                           concurrency_id="model",
                           api_description="Run a catalog (CSV or JSONL, or a zip with its media): results.jsonl "
                                           "and a summary; resumes.")
    run_eval_button.click(evaluate, [catalog, task, methods, limit, media], [table, numbers], api_name="evaluate",
                          concurrency_id="model",
                          api_description="Score copy methods on held-out products of a catalog (title or description).")
