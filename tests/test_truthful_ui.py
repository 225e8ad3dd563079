"""What a merchant sees says what happened (issue 24): the status line over an empty field, one default
copy method in Create and Batch, a photo problem named at upload, the Compare grid's reading ease on its
scale, the method dropdown's "(recommended)", and the History column that names a regeneration's parent."""
from __future__ import annotations

import gradio as gr
import pytest
from PIL import Image

from engine.copywriting.copy import Copy
from engine.pipeline import Result, default_copy_method
from engine.core.product import Product
from engine.core.settings import Settings


def _result(**copy) -> Result:
    return Result(copy=Copy(**copy), scores={k: [] for k in ("title", "description", "bullets", "keywords")},
                  settings=Settings(fusion="template", seed=3), product=Product(title="Towel"),
                  timings={"total": 1.2})


def test_done_is_not_said_over_an_empty_field():
    from studio.create_tab import _status_line

    whole = _status_line(_result(title="Bath towel", description="A soft bath towel.", bullets=["Material: Cotton"]))
    assert whole.startswith("✅ Done in 1.2 s")
    # a photo-only run after a label was confirmed: a title and a description, no facts to list as bullets
    gaps = _status_line(_result(title="Bath towel", description="A bath towel.", bullets=[]))
    assert not gaps.startswith("✅") and gaps.startswith("🟨 **No bullets:**") and "Done in 1.2 s" in gaps
    assert "add attributes such as material, size, colour or care" in gaps and "seed **3**" in gaps


def test_batch_starts_on_the_default_copy_method_of_create(studio):
    from studio.batch_tab import build_batch_tab
    from studio.create_tab import build_create_tab, method_choices

    with gr.Blocks() as blocks:
        with gr.Tab("Create"):
            build_create_tab(studio)
        with gr.Tab("Batch"):
            build_batch_tab(studio)
    dropdowns = {b.elem_id: b for b in blocks.blocks.values() if isinstance(b, gr.Dropdown)}
    create, batch = dropdowns["mcs-method"], dropdowns["mcs-batch-method"]
    assert create.value == batch.value == default_copy_method()
    assert batch.choices == create.choices == [(label, key) for label, key in method_choices()]
    photos = next(b for b in blocks.blocks.values() if getattr(b, "elem_id", None) == "mcs-photos")
    assert photos.object_fit == "contain"  # a wide photo's thumbnail shows all of it, not its top


def test_recommended_follows_the_method_name():
    from studio.create_tab import method_choices

    label = next(label for label, key in method_choices() if key == default_copy_method())
    name, _, what = label.partition(" — ")
    assert name.endswith("(recommended)") and what and "recommended" not in what


def test_a_bad_photo_is_named_at_upload(tmp_path):
    from studio.create_tab import check_photos

    good = tmp_path / "front.jpg"
    Image.new("RGB", (300, 100), (200, 30, 30)).save(good)
    bad = tmp_path / "label.png"
    bad.write_text("hello")
    kept, problems = check_photos([str(good), str(bad)])
    assert kept == [str(good)]
    # the words Generate's warning uses (engine.ingest), so the merchant reads one message for one problem
    from engine.ingest import ingest

    assert problems == [w for w in ingest(Product(title="Mug", images=[str(good), str(bad)])).warnings
                        if "label.png" in w]
    assert problems[0].startswith("photo skipped: label.png: not an image")


def test_compare_grid_shows_reading_ease_on_its_scale():
    from engine.workflows.compare import format_score
    from studio.compare_tab import grid_html

    cell = {"method": "template", "value": 1, "error": "", "title": "Towel", "description": "A towel.",
            "scores": {"description.readability": 100.0, "title.grounding": 1.0},
            "labels": {"description.readability": "Description Readability", "title.grounding": "Title Grounding"}}
    page = grid_html([cell], ["template"], [1], "seed")
    assert "Description Readability 100<" in page and "Title Grounding 1.00<" in page
    assert format_score("title.bleu", 31.94) == "32" and format_score("title.meteor", 0.4567) == "0.46"


def test_compare_cells_keep_readability_in_range(studio):
    # Readability -10.75 in the Compare grid: a cell reads the same score the Create badge shows
    from engine.workflows.compare import cell_dict

    for text, shown in (("Go. Run. Be. Do it.", 100.0), ("Incorporating multifunctional compartmentalization, this "
                        "organizational apparatus facilitates comprehensive accessorization interoperability.", 0.0)):
        result = _result(title="Towel", description=text, bullets=["Soft"])
        result.scores = studio.score(result.copy, studio.ingest(result.product), result.settings)
        cell = cell_dict("template", "seed", 1, result)
        assert cell["scores"]["description.readability"] == shown


def test_history_names_the_parent_by_seed_and_time(studio, tmp_path):
    from engine.storage.history import History
    from studio.history_tab import HEADERS, _table, parent_label

    history = History(tmp_path / "history.sqlite")
    product = Product(title="Rocco Gym Tank", attributes={"material": "Cotton"})
    parent = studio.generate(product, Settings(fusion="template", seed=7), store=False)
    child = studio.generate(product, Settings(fusion="template", seed=8), store=False, parent_id=parent.id)
    history.add(parent)
    history.add(child, parent_id=parent.id)
    rows = history.search()
    table = _table(rows, history.summaries(r["parent_id"] for r in rows))
    column = HEADERS.index("regenerated from")
    by_seed = {row[4]: row for row in table}
    assert by_seed[7][column] == ""
    assert by_seed[8][column] == f"seed 7 · {parent.created_at[5:16].replace('T', ' ')}"  # "seed 7 · 12-07 04:35"
    assert parent.id not in by_seed[8][column]  # the id stays in its own column
    assert parent_label(None) == ""


@pytest.mark.parametrize("kind", ["title", "description", "bullets"])
def test_status_names_each_empty_field(kind):
    from studio.create_tab import _status_line

    copy = {"title": "Bath towel", "description": "A soft towel.", "bullets": ["Material: Cotton"]}
    copy[kind] = [] if kind == "bullets" else ""
    assert f"no {kind}" in _status_line(_result(**copy)).lower()
