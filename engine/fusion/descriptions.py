"""Plain-language names and one-line descriptions of every copy method, for people choosing one.

The one place a copy method is named: the studio's dropdowns, the CLI's method listing and ``--help``,
the evaluation's tables and ``engine.pipeline.copy_methods`` all read it. The baselines (``BASELINES``)
write without a trained checkpoint; every other method is a fusion method of ``engine.fusion.registry``.
The registry's ``explanation`` (``register_fusion``) is for the Train tab and papers.
"""
from __future__ import annotations

# method key -> (short name, what it does, in shop words)
METHOD_DESCRIPTIONS: dict[str, tuple[str, str]] = {
    "none": ("Zero-shot prompt", "the language model writes from your text only; photos are not used"),
    "template": ("Rule-based template", "fills a fixed pattern with your facts; instant and invents nothing"),
    "film": ("FiLM", "your photos and clip adjust how your text is read before writing"),
    "gmu": ("GMU", "weighs text, photos and clip per product, leaning on the clearest"),
    "attention": ("Attention", "reads text, photo and clip features together and picks what matters"),
    "concat": ("Concatenation", "puts text, photo and clip features side by side and mixes them"),
    "sum": ("Sum", "averages text, photo and clip features: the simplest fusion"),
    "tfn": ("TFN", "mixes every pairing of text, photos and clip: the largest fusion"),
    "lmf": ("LMF", "a lighter TFN: the same mixing with far fewer weights"),
}

RECOMMENDED = "recommended"
BASELINES = ("template", "none")  # the copy methods that need no trained checkpoint


def is_baseline(key: str) -> bool:
    return key in BASELINES


def method_name(key: str) -> str:
    """"FiLM", "Rule-based template"; a newly trained method is called by its key."""
    return METHOD_DESCRIPTIONS.get(key, (key, ""))[0]


def method_label(name: str, recommended: str | None = None) -> str:
    """``"FiLM — your photos and clip ... (recommended)"``; an unknown (e.g. newly trained) method keeps
    its key as its name, so it is still offered."""
    short, what = METHOD_DESCRIPTIONS.get(name, (name, "a trained fusion method"))
    mark = f" ({RECOMMENDED})" if name == recommended else ""
    return f"{short} — {what}{mark}"
