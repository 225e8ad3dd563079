"""Build the Gradio app. ``launch.py`` parses flags and calls ``build_app`` + ``launch``."""
from __future__ import annotations

import gradio as gr

from engine.pipeline import Studio
from studio.api import build_api
from studio.create_tab import build_create_tab
from studio.render import CSS

HEADER = """<div id="mcs-header"><h1>Merchant Content Studio</h1>
<p>Drop in what you have for a product; get a title, description, bullets and keywords with quality scores.
Everything runs on this machine ({device}).</p></div>"""


def build_app(studio: Studio | None = None, notice: str = "") -> gr.Blocks:
    studio = studio or Studio()
    with gr.Blocks(title="Merchant Content Studio") as app:
        gr.HTML(HEADER.format(device=studio.device_label()))
        if notice:
            gr.Markdown(notice, elem_id="mcs-notice")  # a callable is re-read on every page load
        with gr.Tab("Create"):
            build_create_tab(studio)
        build_api(studio)
    return app


THEME = gr.themes.Soft(primary_hue="indigo")
