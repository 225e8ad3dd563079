"""Named API endpoints for gradio_client (documented in the README), over the same engine calls."""
from __future__ import annotations

import gradio as gr

from engine.errors import StudioError
from engine.pipeline import Studio
from engine.product import Product
from engine.settings import Settings


def build_api(studio: Studio) -> None:
    """Hidden components carrying the `/generate` endpoint: product JSON + photo and clip files in,
    result JSON out. Media paths inside the product JSON are ignored: a remote caller uploads files."""

    def generate(product: dict, settings: dict, photos: list | None, videos: list | None = None) -> dict:
        try:
            record = dict(product or {})
            record["images"] = [getattr(p, "name", p) for p in photos or []]
            record["videos"] = [getattr(v, "name", v) for v in videos or []]
            result = studio.generate(Product.from_record(record), Settings.model_validate(settings or {}))
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
    trigger.click(generate, [product, settings, photos, videos], out, api_name="generate", concurrency_id="model",
                  api_description="Generate title, description, bullets, keywords and scores for one product.")
