"""Fusion methods as copy methods: each method of ``engine.fusion`` writes with its trained checkpoint.

The method itself (and its technical name and explanation, for the Train tab and papers) is
``engine/fusion/<name>.py``; here is what people choosing a copy method read.
"""
from __future__ import annotations

from engine.fusion import FUSION_METHODS
from engine.core.settings import Settings
from engine.writers.base import Writer
from engine.writers.registry import register_writer

# fusion method -> (label, what it does, in shop words)
SHOP_WORDS: dict[str, tuple[str, str]] = {
    "film": ("FiLM", "your photos and clip adjust how your text is read before writing"),
    "gmu": ("GMU", "weighs text, photos and clip per product, leaning on the clearest"),
    "attention": ("Attention", "reads text, photo and clip features together and picks what matters"),
    "concat": ("Concatenation", "puts text, photo and clip features side by side and mixes them"),
    "sum": ("Sum", "averages text, photo and clip features: the simplest fusion"),
    "tfn": ("TFN", "mixes every pairing of text, photos and clip: the largest fusion"),
    "lmf": ("LMF", "a lighter TFN: the same mixing with far fewer weights"),
}


class FusionWriter(Writer):
    """Writes with the trained checkpoint called ``name`` (in ``checkpoints``, else the shipped and promoted
    ones): its LoRA-merged language model, steered by a prefix built from the product's fused features.
    Made directly for a checkpoint trained under a name the registry does not know (an evaluation's)."""

    def model_for(self, ingested, settings: Settings):
        from engine.conditioning import load_conditioned  # trained fusion checkpoints
        from engine.encoders import encode_product

        conditioned = load_conditioned(self.name, self.device, self.checkpoints)
        prefix, contributions = conditioned.prefix(encode_product(ingested, self.device, self.precision))
        return self.decoding(conditioned.language_model_at(self.precision)), prefix, contributions


for _name in FUSION_METHODS:
    register_writer(_name, *SHOP_WORDS.get(_name, (_name, "a trained fusion method")), family="fusion")(FusionWriter)
