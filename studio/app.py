"""Build the Gradio app. ``launch.py`` parses flags and calls ``build_app`` + ``launch``."""
from __future__ import annotations

import gradio as gr

from engine.storage.history import History
from engine.pipeline import Studio
from studio.api import build_api, build_batch_and_evaluate_api
from studio.batch_tab import build_batch_tab
from studio.compare_tab import build_compare_tab
from studio.create_tab import build_create_tab
from studio.history_tab import build_history_tab
from studio.qa_tab import build_qa_tab
from studio.train_tab import build_train_tab
from studio.variants_tab import build_variants_tab

HEADER = """<div id="mcs-header"><h1>Merchant Content Studio</h1>
<p>Drop in what you have for a product; get a title, description, bullets and keywords with quality scores.
Everything runs on this machine ({device}).</p></div>"""


def build_app(studio: Studio | None = None, notice: str = "", status=None) -> gr.Blocks:
    """``notice``: text (or a callable, re-read on each page load) shown under the header. ``status``: a
    callable giving a live status line ("" hides it), polled every second until it is empty, e.g. while
    studio/serve.py still loads the models in the background."""
    studio = studio or Studio()
    if studio.history is None:  # every generation of the app is kept, under engine.core.paths.data_dir()
        studio.history = History()
    with gr.Blocks(title="Merchant Content Studio") as app:
        gr.HTML(HEADER.format(device=studio.device_label()))
        if notice:
            gr.Markdown(notice, elem_id="mcs-notice")  # a callable is re-read on every page load
        if status is not None:
            build_status_line(app, status)
        with gr.Tabs(elem_id="mcs-tabs") as tabs:
            with gr.Tab("Create", id="create"):
                create = build_create_tab(studio)
            with gr.Tab("Compare", id="compare"):
                build_compare_tab(studio, create, tabs)
            with gr.Tab("Variants", id="variants"):
                build_variants_tab(studio, create)
            with gr.Tab("History", id="history") as history_tab:
                build_history_tab(studio, create, tabs, history_tab)
            with gr.Tab("Shopper Q&A", id="qa"):
                build_qa_tab(studio, create)
            with gr.Tab("Batch", id="batch"):
                build_batch_tab(studio)
            with gr.Tab("Train & evaluate", id="train"):
                build_train_tab()
        build_api(studio)
        build_batch_and_evaluate_api(studio)
    return app


def build_status_line(app: gr.Blocks, status) -> None:
    """A line under the header that follows ``status()`` once a second, and stops asking once it is empty."""

    def refresh():
        text = status()
        return gr.update(value=text, visible=bool(text)), gr.Timer(active=bool(text))

    first = status()
    line = gr.Markdown(first, visible=bool(first), elem_id="mcs-loading")
    timer = gr.Timer(1.0, active=bool(first))
    # Re-read on every page load (a page opened after the warm-up shows nothing), then once a second.
    # Not in the model queue (no concurrency limit): the line moves on while a generation runs.
    for listen in (app.load, timer.tick):
        listen(refresh, None, [line, timer], show_progress="hidden", concurrency_limit=None, api_name=False)


THEME = gr.themes.Soft(primary_hue="indigo")
