"""Evaluation on a tiny real catalog (template + zero-shot LM), leak checks, and re-ranking."""
from __future__ import annotations

import json
from pathlib import Path

import pytest

from engine.core.errors import StudioError
from engine.evaluation import evaluate, load_items, score_output
from engine.copywriting.rerank import rerank, score_candidate
from engine.core.settings import Settings

FLIPKART = Path(__file__).resolve().parents[2] / "shared" / "data" / "flipkart-train" / "products.jsonl"
if not FLIPKART.exists():
    FLIPKART = Path("/work/shared/data/flipkart-train/products.jsonl")


@pytest.fixture(scope="module")
def tiny_catalog(tmp_path_factory) -> Path:
    rows = [json.loads(line) for line in FLIPKART.read_text().splitlines()[:40]]
    rows = [r for r in rows if not r.get("desc_boilerplate")][:3]
    for row in rows:
        row["images"] = [str(FLIPKART.parent / p) for p in row["images"]]
    path = tmp_path_factory.mktemp("catalog") / "products.jsonl"
    path.write_text("\n".join(json.dumps(r) for r in rows) + "\n")
    return path


@pytest.mark.parametrize("task", ["title", "description"])
def test_the_generator_never_sees_the_field_it_writes(tiny_catalog, task):
    from engine.copywriting.copy import build_messages

    items = load_items(tiny_catalog, task, split="all", val_percent=10, limit=None)
    assert items
    for item in items:
        hidden_field = getattr(item.hidden.product, task)
        assert hidden_field == ""
        prompt = json.dumps(build_messages(task, item.hidden, Settings(), hide=(task,)))
        if task == "description":  # the cleaned reference is a run of sentences from the description
            assert item.reference[:80] not in prompt and item.reference[:80] not in item.hidden.source_text()
        else:
            assert f"Draft title: {item.reference}" not in prompt


def test_evaluate_writes_table_json_and_chart(tiny_catalog, tmp_path):
    report = evaluate(tiny_catalog, task="title", methods=["template", "none"], out=tmp_path, split="all",
                      limit=1, device="cpu", progress=False)
    assert set(report["summary"]) == {"template", "none"}
    for method, summary in report["summary"].items():
        assert summary["n"] == 1
        assert 0 <= summary["meteor"] <= 1 and 0 <= summary["rouge_l"] <= 1 and 0 <= summary["grounded"] <= 1
        assert summary["latency_s"] > 0
    assert report["summary"]["template"]["grounded"] == 1.0  # the template only copies input facts
    for name in ("results.json", "table.md", "chart.png"):
        assert (tmp_path / name).stat().st_size > 0
    table = (tmp_path / "table.md").read_text()
    assert "Rule-based template" in table and "Zero-shot" in table and "METEOR" in table
    # Same folder, same products: the baselines are reused, not generated again.
    again = evaluate(tiny_catalog, task="title", methods=["template", "none"], out=tmp_path, split="all",
                     limit=1, device="cpu", progress=False)
    assert again["summary"] == report["summary"]


def test_unknown_or_untrained_method_is_refused(tiny_catalog, tmp_path):
    with pytest.raises(StudioError, match="no trained checkpoint"):
        evaluate(tiny_catalog, methods=["template", "nonexistent"], out=tmp_path, checkpoints=tmp_path,
                 split="all", progress=False)


def test_line_separator_inside_a_description_is_not_a_row_break(tmp_path):
    row = {"id": "A", "title": "Chaz Hoodie", "description": "Warm and soft.\u2028Made for cold-weather training and long days outdoors."}
    path = tmp_path / "products.jsonl"
    path.write_text(json.dumps(row, ensure_ascii=False) + "\n", encoding="utf-8")
    (item,) = load_items(path, "description", "all", 10, None)
    assert item.reference.startswith("Warm and soft.")


def test_invented_numbers_and_colours_are_counted():
    source = "Brand: Elegance\nColor: Multicolor\nLength: 213 cm\nMaterial: Polyester"
    row = score_output("title", "Elegance Red Silk Curtain 300 cm", "Elegance Polyester Curtain", source)
    assert row["invented_numbers"] == 1 and row["invented_colours"] == 1
    assert "silk" in [u.lower() for u in row["ungrounded"]]
    clean = score_output("title", "Elegance Polyester Curtain 213 cm", "Elegance Polyester Curtain", source)
    assert clean["ungrounded"] == [] and clean["meteor"] > row["meteor"]


def test_rerank_prefers_grounded_fluent_candidates():
    source = "Brand: Elegance\nCategory: Door Curtains\nColor: Blue\nMaterial: Cotton\nLength: 213 cm"
    texts = [
        "Elegance Red Silk Curtain 300 cm",           # three invented facts
        "Elegance Curtain Curtain Curtain Curtain Curtain Curtain",  # repeats itself
        "Elegance Blue Cotton Door Curtain, 213 cm",  # all grounded
    ]
    best, others = rerank("title", texts, source, Settings(), photo_colours=("blue",), seeds=[0, 1, 2])
    assert best.text == texts[2] and best.seed == 2 and best.ungrounded == []
    assert [c.text for c in others] == [texts[1], texts[0]]
    invented = score_candidate("title", texts[0], source)
    assert len(invented.ungrounded) == 3 and invented.score < best.score
    assert score_candidate("title", "", source).score < 0


def test_rerank_breaks_ties_by_consensus():
    """Equal on grounding, length and repetition: the candidate the others agree with wins."""
    from engine.copywriting.rerank import consensus_scores

    source = "Brand: Elegance\nColor: Blue\nMaterial: Cotton"
    texts = [
        "A soft blue cotton curtain that keeps the morning light out of your bedroom.",
        "Bright tropical parrots squawk loudly over the jungle canopy at dawn, every single day.",
        "A soft blue cotton curtain that keeps harsh light out of any bedroom.",
    ]
    agreement = consensus_scores(texts)
    assert agreement[1] < agreement[0] and max(agreement) == 1.0
    best, others = rerank("description", texts, source, Settings(), seeds=[0, 1, 2])
    assert best.text != texts[1] and others[-1].text == texts[1]
    assert best.parts["consensus"] == 1.0
    assert consensus_scores(["only one"]) == [1.0]
