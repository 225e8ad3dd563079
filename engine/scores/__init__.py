"""Quality scores for every output; importing this package registers the built-in metrics."""
from .registry import KINDS, METRICS, Metric, Score, metrics_for, register_metric
from .text import TextContext, score_text, split_bullets, split_keywords
from . import reference, claims, style  # noqa: F401,E402 - registration side effects
from .grounding import extract_facts, grounding_report
from .claims import claim_report

__all__ = [
    "KINDS", "METRICS", "Metric", "Score", "metrics_for", "register_metric",
    "TextContext", "score_text", "split_bullets", "split_keywords",
    "extract_facts", "grounding_report", "claim_report",
]
