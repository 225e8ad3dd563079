"""The sample products shipped in assets/samples (Luma demo catalog, see its PROVENANCE.md)."""
from __future__ import annotations

from engine.core.paths import ASSETS
from engine.core.product import Product, load_catalog

SAMPLES_FILE = ASSETS / "samples" / "products.jsonl"


def sample_products() -> dict[str, Product]:
    """Label shown in the menu -> product."""
    return {f"{p.title} ({p.id})": p for p in load_catalog(SAMPLES_FILE)}
