"""Deprecated: the copy methods' labels and descriptions live where each method is registered, in
``engine.writers`` (``writer_info(name).label`` / ``.description``, ``writer_label``, ``writer_choice``,
``list_writers(baseline=True)``). These names are kept so old imports keep working."""
from __future__ import annotations

from engine.writers.registry import RECOMMENDED, WRITERS, is_baseline, list_writers
from engine.writers.registry import writer_choice as method_label  # noqa: F401  (deprecated name)
from engine.writers.registry import writer_label as method_name  # noqa: F401  (deprecated name)

# method key -> (short name, what it does, in shop words)
METHOD_DESCRIPTIONS: dict[str, tuple[str, str]] = {name: (info.label, info.description) for name, info in WRITERS.items()}
BASELINES = tuple(list_writers(baseline=True))  # ("template", "none"): the copy methods that need no trained checkpoint

__all__ = ["METHOD_DESCRIPTIONS", "RECOMMENDED", "BASELINES", "is_baseline", "method_name", "method_label"]
