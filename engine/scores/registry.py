"""One registry for every score: text, image and video metrics register here by name.

A metric is a plain function ``fn(output, context) -> Score``. The UI and CLI list whatever
the registry holds for a kind of output, so adding a metric is one function + one decorator.
"""
from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any, Callable

KINDS = ("title", "description", "bullets", "keywords", "image", "video")


@dataclass(frozen=True)
class Score:
    name: str
    label: str
    value: float | None  # None: not applicable here (e.g. no reference given)
    display: str  # how the badge reads: "0.42", "92%", "n/a"
    explanation: str  # one sentence shown beside the badge
    good: bool | None = None  # passes the metric's threshold; None when there is none
    details: dict[str, Any] = field(default_factory=dict)  # e.g. {"ungrounded": ["42", "red"]}

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass(frozen=True)
class Metric:
    name: str
    label: str
    kinds: tuple[str, ...]
    explanation: str
    fn: Callable[..., Score]


METRICS: dict[str, Metric] = {}


def register_metric(name: str, label: str, kinds: tuple[str, ...], explanation: str):
    """Decorator: ``@register_metric("bleu", "BLEU", ("title", "description"), "...")``."""
    unknown = set(kinds) - set(KINDS)
    if unknown:
        raise ValueError(f"unknown output kinds {unknown}")

    def wrap(fn: Callable[..., Score]) -> Callable[..., Score]:
        METRICS[name] = Metric(name, label, tuple(kinds), explanation, fn)
        return fn

    return wrap


def metrics_for(kind: str) -> list[Metric]:
    return [m for m in METRICS.values() if kind in m.kinds]
