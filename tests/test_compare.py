"""The compare grid on a real product: cells as they finish, best values, CSV, PNG, CLI."""
from __future__ import annotations

import csv
import json

import pytest
from PIL import Image

from engine.compare import (best_values, compare_grid, grid_csv, grid_png, is_best, method_means, parse_values,
                            score_chart, table_rows)
from engine.errors import StudioError
from engine.settings import Settings


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

    from engine.compare import add_compare_subcommand

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
