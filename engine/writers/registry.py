"""Copy methods created by name, like ``timm.create_model``: ``create_writer("film")``, ``list_writers()``.

One file per family registers its methods (``register_writer``) with the label and one-line description
people choose by: ``template.py`` (the rule-based template), ``zero_shot.py`` (the language model from the
text alone) and ``fusion.py`` (one per fusion method of ``engine.fusion``, each with its trained
checkpoint). The Studio, the studio's dropdowns, the evaluation's tables and ``engine.pipeline.copy_methods``
all read them here.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Callable

from engine.core.errors import StudioError

RECOMMENDED = "recommended"


@dataclass(frozen=True)
class WriterInfo:
    name: str  # the key settings store: "film", "template", "none"
    label: str  # "FiLM", "Rule-based template"
    description: str  # what it does, in shop words
    family: str  # "template" | "zero-shot" | "fusion"
    cls: type

    @property
    def baseline(self) -> bool:
        """Writes without a trained checkpoint (the template and the zero-shot prompt)."""
        return self.family != "fusion"


WRITERS: dict[str, WriterInfo] = {}


def register_writer(name: str, label: str, description: str, family: str) -> Callable[[type], type]:
    def wrap(cls: type) -> type:
        WRITERS[name] = WriterInfo(name, label, description, family, cls)
        return cls

    return wrap


def list_writers(family: str | None = None, baseline: bool | None = None) -> list[str]:
    """Registered method names in registration order: the template, zero-shot, then the fusion methods."""
    return [name for name, info in WRITERS.items()
            if (family is None or info.family == family) and (baseline is None or info.baseline == baseline)]


def writer_info(name: str) -> WriterInfo:
    if name not in WRITERS:
        raise StudioError(f"unknown copy method {name!r} (accepted: {', '.join(WRITERS)})")
    return WRITERS[name]


def create_writer(name: str, **parts):
    """``create_writer("film", device="cpu")``: a ``engine.writers.base.Writer``; ``parts`` are its
    ``device``, ``checkpoints`` folder, ``base_model`` (settings -> language model), ``precision`` and
    ``request_batching``."""
    return writer_info(name).cls(name, **parts)


def is_baseline(name: str) -> bool:
    return name in WRITERS and WRITERS[name].baseline


def writer_label(name: str) -> str:
    """"FiLM", "Rule-based template"; a method trained under a name not registered is called by its name."""
    return WRITERS[name].label if name in WRITERS else name


def writer_choice(name: str, recommended: str | None = None) -> str:
    """``"FiLM — your photos and clip ... (recommended)"``, for a dropdown; a method trained under a name not
    registered keeps its name, so it is still offered."""
    info = WRITERS.get(name)
    label, what = (info.label, info.description) if info else (name, "a trained fusion method")
    mark = f" ({RECOMMENDED})" if name == recommended else ""
    return f"{label} — {what}{mark}"
