"""What every copy method shares: the language model it writes with, its prefix, and which fields use it."""
from __future__ import annotations

from typing import Callable

from engine.core.settings import Settings

# What a copy method writes; bullets are built from the merchant's facts (engine/copywriting/bullets.py).
LM_FIELDS = ("title", "description")


class Writer:
    """One copy method, made by ``create_writer(name, device=..., checkpoints=..., base_model=...)``. Light
    to make: models load on first use through the cached loaders, so a Studio makes one per generation.

    ``model_for`` gives the language model to write a product with, the fusion prefix that steers it (or
    None) and each modality's share (or None); ``model_for_field`` the (model, prefix) one field is written
    with. ``base_model(settings)`` is the language model without a prefix (the Studio passes its own)."""

    uses_language_model = True  # the template writes without one

    def __init__(self, name: str, device="auto", checkpoints=None, base_model: Callable | None = None,
                 precision: str | None = None, request_batching=None):
        self.name, self.device, self.checkpoints = name, device, checkpoints
        self.precision = precision  # how the models it loads hold their weights; None: the process default
        # an engine.models.batching.RequestBatching the decoders of the models it loads take; None: as they are
        self.request_batching = request_batching
        self._base_model = base_model

    def base_model(self, settings: Settings):
        if self._base_model is not None:
            return self._base_model(settings)
        from engine.models.language import load_language_model

        return self.decoding(load_language_model(settings.language_model, self.device, self.precision))

    def decoding(self, lm):
        """``lm``, its decoder given this writer's ``request_batching`` (when it has one)."""
        if self.request_batching is not None:
            from engine.models.batching import batcher_for

            batcher_for(lm, self.request_batching)
        return lm

    def model_for(self, ingested, settings: Settings):
        raise NotImplementedError

    def model_for_field(self, kind: str, settings: Settings, lm, prefix):
        """A fusion model writes the fields it was trained on; the others (bullets) come from the base LM
        with the full prompt, never from a prefix that was not trained for them."""
        from engine.conditioning.model import TRAINED_FIELDS

        if prefix is None or kind in TRAINED_FIELDS:
            return lm, prefix
        return self.base_model(settings), None
