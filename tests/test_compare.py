"""The compare grid on a real product: cells as they finish, best values, CSV, PNG, CLI."""
from __future__ import annotations

import csv
import json

import pytest
from PIL import Image

from engine.workflows.compare import (best_values, compare_grid, grid_csv, grid_png, is_best, method_means, parse_values,
                            score_chart, table_rows)
from engine.core.errors import StudioError
from engine.core.settings import Settings


@pytest.fixture(scope="module")
def cells(studio, sample_product):
    seen = []
    grid = compare_grid(studio, sample_product, ["template", "no-such-method"], [1, 2], "seed",
                        Settings(tone="premium"), on_cell=seen.append)
    assert [c["method"] for c in seen] == ["template", "template", "no-such-method", "no-such-method"]
    return grid


def test_grid_cells_carry_copy_scores_and_settings(cells, sample_product):
    template = [c for c in cells if c["method"] == "template"]
    assert [c["value"] for c in template] == [1, 2]
    for cell in template:
        assert cell["title"] and cell["description"] and not cell["error"]
        assert cell["result"].settings.seed == cell["value"]
        assert cell["result"].settings.tone == "premium"  # base settings kept, only the column varies
        assert cell["scores"]["title.grounding"] == 1.0  # the template only repeats the input
        assert cell["scores"]["description.as_written"] == 1.0  # what it wrote, before any check touched it
        assert cell["labels"]["description.as_written"] == "Description claims as written"
    broken = [c for c in cells if c["method"] == "no-such-method"]
    assert all("no-such-method" in c["error"] and not c["scores"] for c in broken)  # named, and the grid went on


def test_best_values_and_means(cells):
    best = best_values(cells)
    for key, value in best.items():
        assert value == max(c["scores"][key] for c in cells if key in c["scores"])
        assert any(is_best(c, key, best) for c in cells)
    means = method_means(cells)
    assert set(means) == {"template"}
    header, rows = table_rows(cells)
    assert header[:4] == ["method", "seed", "title", "description"] and len(rows) == 4
    assert rows[2][2].startswith("⚠️")


def test_csv_and_png_exports(cells, tmp_path):
    path = grid_csv(cells, tmp_path / "grid.csv")
    with path.open(newline="", encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    assert [r["method"] for r in rows] == ["template", "template", "no-such-method", "no-such-method"]
    assert rows[0]["generation_id"] == cells[0]["id"] and rows[0]["title"] == cells[0]["title"]
    assert float(rows[0]["title.grounding"]) == 1.0 and rows[0]["best_title.grounding"] == "1"
    assert "no-such-method" in rows[2]["error"]
    for make in (grid_png, score_chart):
        image = Image.open(make(cells, tmp_path / f"{make.__name__}.png"))
        assert image.format == "PNG" and image.width > 600


def test_parse_values_checks_against_settings():
    assert parse_values("seed", "1, 2,2") == [1, 2]
    assert parse_values("tone", "friendly,premium") == ["friendly", "premium"]
    assert parse_values("temperature", "0, 0.7") == [0.0, 0.7]
    with pytest.raises(StudioError, match="tone value 'grumpy'"):
        parse_values("tone", "grumpy")
    with pytest.raises(StudioError, match="accepted: seed"):
        parse_values("colour", "red")


def test_compare_command_line(tmp_path, sample_record):
    import argparse

    from engine.cli.compare import add_compare_subcommand

    product = tmp_path / "product.json"
    product.write_text(json.dumps(sample_record))
    parser = argparse.ArgumentParser()
    add_compare_subcommand(parser.add_subparsers(dest="command"))
    args = parser.parse_args(["compare", str(product), "--methods", "template", "--column", "tone",
                              "--values", "friendly,technical", "--out", str(tmp_path / "out")])
    args.device = "cpu"
    assert args.func(args) == 0
    with (tmp_path / "out" / "grid.csv").open(newline="", encoding="utf-8") as handle:
        assert [r["tone"] for r in csv.DictReader(handle)] == ["friendly", "technical"]
    assert (tmp_path / "out" / "grid.png").exists() and (tmp_path / "out" / "chart.png").exists()


# -- leave one input out (engine.workflows.ablation) ------------------------------------------------
# concat: a fusion method that reads the photos, quick on CPU; short descriptions keep it so.
ABLATE_SETTINGS = Settings(seed=1, max_new_tokens=40)


@pytest.fixture(scope="module")
def ablation(studio, sample_product):
    from engine.workflows.ablation import leave_one_out
    from engine.pipeline import copy_methods

    if "concat" not in copy_methods():
        pytest.skip("no trained concat checkpoint in assets/checkpoints")
    seen = []
    rows = leave_one_out(studio, sample_product, "concat", ABLATE_SETTINGS, on_row=seen.append)
    assert [r["label"] for r in seen] == ["all inputs", "without photos", "without text", "without video"]
    return rows


def test_without_photos_is_a_real_rerun_scored_against_the_full_product(ablation, studio, sample_product):
    full, photos, text, video = ablation
    assert full["status"] == "ran" and full["title"] and full["result"].settings.fusion == "concat"
    assert photos["status"] == "ran"
    assert photos["result"].product.images == [] and photos["result"].settings == full["result"].settings  # same seed
    # what changed is named: since descriptions are written from the plan of the merchant's facts (issue 22),
    # photos alone may change nothing here (they state no fact until a label is confirmed)
    assert set(photos["changed"]) <= {"title", "description", "bullets"}
    assert all((photos[k] != full[k]) == (k in photos["changed"]) for k in ("title", "description", "bullets"))
    for key, delta in photos["deltas"].items():
        assert delta == pytest.approx(photos["scores"][key] - full["scores"][key], abs=1e-4)
    assert "description.meteor" in photos["deltas"] and "title.grounding" in photos["deltas"]
    # the gate weight rides along, so the table can set it beside what the copy lost
    assert photos["gate_weight"] == pytest.approx(full["result"].contributions["image"])
    # scored against the full product: the merchant's draft stays the reference without the photos
    rescored = studio.score(photos["result"].copy, studio.ingest(sample_product), photos["result"].settings)
    meteor = next(s.value for s in rescored["description"] if s.name == "meteor")
    assert photos["scores"]["description.meteor"] == pytest.approx(meteor)
    # photos + category alone: the studio writes nothing rather than invent the product
    assert text["status"] == "no copy" and "too little" in text["note"].lower() and not text["deltas"]
    assert {"title", "description"} <= set(text["changed"])
    assert text["result"].product.images == sample_product.images and not text["result"].product.title
    assert video["status"] == "not possible" and video["note"] == "the product has no video"


def test_template_ignores_photos_so_no_change_is_possible(studio, sample_product):
    from engine.workflows.ablation import leave_one_out, table_rows

    rows = leave_one_out(studio, sample_product, "template", ABLATE_SETTINGS)
    by_input = {r["removed"]: r for r in rows}
    assert by_input["photos"]["status"] == "no change possible"
    assert "does not read the photos" in by_input["photos"]["note"] and by_input["photos"]["result"] is None
    assert by_input["text"]["status"] == "no copy"  # it does read the text: without it there is nothing to fill
    header, table = table_rows(rows)
    assert header[:3] == ["version", "gate weight", "what changed"] and "Δ description METEOR" in header
    assert table[1][2].startswith("no change possible") and table[3][2].startswith("not possible")
    assert table[2][2] == "no copy written: A category alone is too little to write honest copy from"


def test_without_keeps_what_a_product_needs(sample_product):
    from engine.workflows.ablation import without
    from engine.core.product import Product

    reduced, why = without(sample_product, "text")
    assert why == "" and reduced.images == sample_product.images and reduced.category == sample_product.category
    assert not (reduced.title or reduced.description or reduced.bullets or reduced.attributes)
    assert without(Product(title="Rocco Gym Tank"), "text") == (None, "the product has no photo or video to write from instead")
    assert without(Product(title="Rocco Gym Tank"), "photos") == (None, "the product has no photos")
    with pytest.raises(StudioError, match="accepted: photos, text, video"):
        without(sample_product, "smell")


def test_ablate_command_line(tmp_path, sample_record, capsys):
    import argparse

    from engine.cli.compare import add_compare_subcommand

    product = tmp_path / "product.json"
    product.write_text(json.dumps(sample_record))
    parser = argparse.ArgumentParser()
    add_compare_subcommand(parser.add_subparsers(dest="command"))
    args = parser.parse_args(["compare", str(product), "--ablate", "template", "--seed", "3",
                              "--out", str(tmp_path / "out")])
    args.device = "cpu"
    assert args.func(args) == 0
    printed = capsys.readouterr().out
    assert "without photos: no change possible" in printed and "without video: not possible" in printed
    with (tmp_path / "out" / "ablation.csv").open(newline="", encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    assert [r["version"] for r in rows] == ["all inputs", "without photos", "without text", "without video"]
    assert rows[0]["title"] and float(rows[0]["title.grounding"]) == 1.0
    lines = (tmp_path / "out" / "ablation.jsonl").read_text().splitlines()
    assert "result" not in json.loads(lines[0]) and json.loads(lines[1])["status"] == "no change possible"


def test_contribution_bars_say_they_are_gate_weights():
    from studio.render import contributions_panel

    panel = contributions_panel({"text": 0.53, "image": 0.47, "video": 0.0}, [])
    assert "Gate weight" in panel and "not how much the copy changes" in panel
    assert "What each input changes" in panel and "image" in panel and "47%" in panel
