"""Merchant Content Studio engine: ingest -> encode -> fuse -> generate -> score.

No UI code lives here; ``studio/`` is a thin Gradio layer over ``Studio``.
"""
from engine.core.product import Product, load_catalog
from engine.core.settings import PLATFORMS, Settings

__all__ = ["Product", "Settings", "PLATFORMS", "load_catalog", "Studio"]


def __getattr__(name):  # keep `import engine` light: torch loads only when Studio is used
    if name == "Studio":
        from engine.pipeline import Studio

        return Studio
    raise AttributeError(name)
