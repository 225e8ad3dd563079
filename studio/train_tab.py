"""Train and evaluate: pick a catalog, methods and a budget; watch the loss; compare; promote."""
from __future__ import annotations

import time
from pathlib import Path

import gradio as gr

from engine.conditioning import promote
from engine.core.errors import StudioError
from engine.fusion import FUSION_METHODS
from engine.training.session import TrainingSession, last_run, resumable_folder, stopped_notice
from engine.inputs.uploads import named_catalog

SHARED = Path(__file__).resolve().parents[2] / "shared" / "data"
CATALOG_HINTS = [str(p) for p in (SHARED / "luma" / "products.jsonl", SHARED / "flipkart-train" / "products.jsonl") if p.exists()]


def _status_on_load() -> str:
    """After a restart, a run the old studio left unfinished is named, not forgotten."""
    notice = stopped_notice(last_run())
    return f"⚠️ {notice}" if notice else "Nothing running."


def build_train_tab() -> None:
    gr.Markdown("Train fusion methods on your own catalog, then compare them with the baselines on "
                "held-out products. Training writes to its own folder: the methods in use are only "
                "replaced when you press **Make default**.")
    with gr.Row():
        with gr.Column(scale=4):
            catalog = gr.Dropdown(CATALOG_HINTS, value=CATALOG_HINTS[0] if CATALOG_HINTS else None, allow_custom_value=True,
                                  label="Catalog (JSONL or CSV path on this machine)")
            methods = gr.CheckboxGroup(list(FUSION_METHODS), value=["gmu"], label="Fusion methods")
            # One slider a line: three side by side in this narrow column cut their labels and ends.
            with gr.Column(elem_id="mcs-train-sliders"):
                steps = gr.Slider(5, 400, value=30, step=5, label="Steps per method")
                limit = gr.Slider(20, 1000, value=80, step=10, label="Products used")
                eval_limit = gr.Slider(2, 40, value=4, step=1, label="Held-out products scored")
            with gr.Row():
                start = gr.Button("Train and evaluate", variant="primary", elem_id="mcs-train")
                cancel = gr.Button("Cancel", elem_id="mcs-train-cancel")
        with gr.Column(scale=6):
            status = gr.Markdown("Nothing running.", elem_id="mcs-train-status")
            curve = gr.Image(label="Loss (train EMA and validation)", type="filepath", height=300)
    table = gr.Markdown(elem_id="mcs-train-table")
    chart = gr.Image(label="Evaluation", type="filepath", height=320)
    with gr.Row():
        winner = gr.Dropdown([], label="Trained method to make the default", interactive=True)
        make_default = gr.Button("Make default", elem_id="mcs-make-default")
    session_state = gr.State(None)

    # Re-read on every page load, so a run a killed studio left behind is reported after a restart.
    gr.on(None, _status_on_load, None, status, api_visibility="private", show_progress="hidden", queue=False)
    start.click(run_training, [catalog, methods, steps, limit, eval_limit],
                [session_state, status, curve, table, chart, winner], concurrency_id="training", concurrency_limit=1,
                api_name=False)
    cancel.click(stop_training, session_state, status, queue=False, api_name=False)
    make_default.click(promote_method, [session_state, winner], status, api_name=False)


# -- handlers: build_train_tab wires them ------------------------------------------------------------------
def run_training(catalog_path, chosen, n_steps, n_products, n_eval):
    """Train the chosen methods on the catalog and evaluate them, the status streamed as it goes."""
    try:  # the menu takes typed paths: a network input, confined like the Batch tab's (engine/inputs/uploads.py)
        named_catalog(catalog_path)
    except StudioError as exc:
        yield None, f"⚠️ {exc}", None, "", None, gr.update()
        return
    if not Path(catalog_path).exists():
        yield None, f"⚠️ Catalog `{catalog_path}` not found (accepted: a JSONL or CSV path on this machine).", None, "", None, gr.update()
        return
    if not chosen:
        yield None, "⚠️ Pick at least one fusion method.", None, "", None, gr.update()
        return
    settings = dict(catalogs=[Path(catalog_path)], methods=list(chosen), steps=int(n_steps), limit=int(n_products),
                    eval_limit=int(n_eval))
    folder = resumable_folder(**settings)  # a run the studio lost when it stopped: resume it
    session = TrainingSession(**settings, **({"folder": folder} if folder else {})).start()
    while session.running:
        yield session, f"⏳ {session.status}", session.loss_plot(), "", None, gr.update()
        time.sleep(2)
    if session.error:
        yield session, f"⚠️ Training failed: {session.error}", session.loss_plot(), "", None, gr.update()
        return
    report = session.report or {}
    chart_path = session.folder / "evaluation" / "chart.png"
    trained = [m for m in chosen if (session.method_folder(m) / "weights.safetensors").exists()]
    yield (session, f"✅ {session.status} · run folder `{session.folder}`", session.loss_plot(),
           report.get("markdown", ""), str(chart_path) if chart_path.exists() else None,
           gr.update(choices=trained, value=trained[0] if trained else None))


def stop_training(session):
    if session is not None and session.running:
        session.cancel()
        return "⏳ Cancelling after the current step; the checkpoints in use are untouched."
    return "Nothing running."


def promote_method(session, method):
    if session is None or not method:
        return "⚠️ Train a method first."
    try:
        target = promote(session.method_folder(method))
    except StudioError as exc:
        return f"⚠️ {exc}"
    return f"✅ **{method}** is now the default copy method (saved in `{target}`); reload the page to see it in Create."
