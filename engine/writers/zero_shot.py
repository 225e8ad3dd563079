"""The zero-shot prompt: the language model writes from the merchant's text alone."""
from __future__ import annotations

from engine.core.settings import Settings
from engine.writers.base import Writer
from engine.writers.registry import register_writer


@register_writer("none", "Zero-shot prompt", "the language model writes from your text only; photos are not used",
                 family="zero-shot")
class ZeroShotWriter(Writer):
    def model_for(self, ingested, settings: Settings):
        return self.base_model(settings), None, None
