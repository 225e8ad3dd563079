"""The team tabs of the real studio in headless Chromium: a compare grid, restoring from
History, a catalog batch exported as Shopify CSV, and a dropped PNG restoring settings.

Set ``MCS_SCREENSHOTS=<folder>`` to keep a full-page screenshot of each tab.
"""
from __future__ import annotations

import csv
import io
import json
import os
import urllib.request
import zipfile
from pathlib import Path

import pytest

from conftest import CHROMIUM, serve_studio
from engine.core.paths import ASSETS

PHOTO = ASSETS / "samples" / "images" / "mb05-black-0.jpg"
pytestmark = [pytest.mark.browser,
              pytest.mark.skipif(not CHROMIUM.exists(), reason="Debian chromium not installed (make setup installs it)")]


@pytest.fixture(scope="module")
def data_folder(tmp_path_factory):
    folder = tmp_path_factory.mktemp("studio-data")
    before = os.environ.get("MCS_DATA_DIR")
    os.environ["MCS_DATA_DIR"] = str(folder)  # history and batch folders of this test only
    yield folder
    if before is None:
        os.environ.pop("MCS_DATA_DIR")
    else:
        os.environ["MCS_DATA_DIR"] = before


@pytest.fixture(scope="module")
def team_studio(studio, data_folder):
    """The session's models, with a history of its own."""
    from engine.storage.history import History
    from engine.pipeline import Studio

    return Studio(device=studio.device, history=History(data_folder / "history.sqlite"))


@pytest.fixture(scope="module")
def server(team_studio):
    url, app = serve_studio(team_studio)
    yield url
    app.close()


@pytest.fixture()
def page(server):
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=str(CHROMIUM), args=["--no-sandbox"])
        page = browser.new_page(viewport={"width": 1400, "height": 1200}, accept_downloads=True)
        page.goto(server)
        yield page
        browser.close()


def _shot(page, name: str) -> None:
    folder = os.environ.get("MCS_SCREENSHOTS")
    if folder:
        Path(folder).mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(Path(folder) / f"{name}.png"), full_page=True)


def _visible(locator):
    return locator.filter(visible=True)


def _rows(page, table_id: str):
    """Data rows of a gr.Dataframe (Gradio 6 draws them as a virtual grid, not <tbody><tr>)."""
    return page.locator(f"#{table_id} .virtual-body [role=row]")


def _fetch(page, link_selector: str) -> bytes:
    href = page.locator(link_selector).first.get_attribute("href")
    with urllib.request.urlopen(href if href.startswith("http") else page.url.rstrip("/") + href) as response:
        return response.read()


def test_compare_grid_three_methods_two_seeds(page):
    from playwright.sync_api import expect

    from engine.pipeline import copy_methods

    trained = [m for m in copy_methods() if m not in ("none", "template")]
    if not trained:
        pytest.skip("no trained fusion method (python -m engine train); the grid needs a third method")
    rows = ["template", "none", trained[0]]
    # Short descriptions keep the LM cells quick; the Compare tab takes its other settings from Create.
    tokens = _visible(page.get_by_label("Max tokens (description)")).first
    tokens.fill("40")
    tokens.press("Enter")
    page.get_by_role("tab", name="Compare").click()
    boxes = page.locator("#mcs-compare-methods")
    for key, label in copy_methods().items():
        box = boxes.get_by_label(label, exact=True)
        if (key in rows) != box.is_checked():
            box.click()
    page.locator("#mcs-compare-values textarea, #mcs-compare-values input").first.fill("1, 2")
    page.locator("#mcs-compare-run").click()
    expect(page.locator("#mcs-compare-status")).to_contain_text("Grid done: 6 cells", timeout=420_000)
    filled = page.locator("#mcs-compare-grid td[data-method]")
    expect(filled).to_have_count(6)
    for method in rows:
        expect(page.locator(f"#mcs-compare-grid td[data-method='{method}']")).to_have_count(2)
    assert page.locator("#mcs-compare-grid .mcs-best").count() >= 1
    expect(page.locator("#mcs-compare-chart img")).to_be_visible()
    _shot(page, "compare")

    page.locator("#mcs-compare-csv").click()
    expect(page.locator("#mcs-compare-files a").first).to_be_visible(timeout=60_000)
    table = list(csv.DictReader(io.StringIO(_fetch(page, "#mcs-compare-files a").decode("utf-8"))))
    assert sorted((r["method"], r["seed"]) for r in table) == sorted((m, s) for m in rows for s in ("1", "2"))
    none_seed_2 = next(r for r in table if r["method"] == "none" and r["seed"] == "2")

    # Clicking a row sends that result to the Create tab: the 4th row is "none", seed 2.
    _rows(page, "mcs-compare-table").nth(3).locator("[role=gridcell]").nth(2).click()
    expect(page.locator("#mcs-out-title textarea")).to_have_value(none_seed_2["title"], timeout=30_000)
    expect(page.locator("#mcs-status")).to_contain_text("Compare tab")
    expect(_visible(page.get_by_label("Seed", exact=True))).to_have_value("2")


def test_restore_generation_from_history(page, team_studio, sample_product):
    from playwright.sync_api import expect

    from engine.core.settings import Settings

    parent = team_studio.generate(sample_product, Settings(fusion="template", seed=7, tone="technical"))
    child = team_studio.generate(sample_product, Settings(fusion="template", seed=8, tone="technical"),
                                 parent_id=parent.id)
    team_studio.history.record_edit(child.id, "title", "Rocco tank, edited by the team")
    page.get_by_role("tab", name="History").click()
    page.locator("#mcs-history-query input, #mcs-history-query textarea").first.fill("edited by the team")
    page.locator("#mcs-history-search").click()
    rows = _rows(page, "mcs-history-table")
    expect(rows).to_have_count(1, timeout=30_000)
    rows.first.locator("[role=gridcell]").nth(1).click()
    expect(page.locator("#mcs-history-detail")).to_contain_text("Rocco tank, edited by the team", timeout=30_000)
    expect(page.locator("#mcs-history-lineage")).to_contain_text(parent.id)
    expect(page.locator("#mcs-history-lineage")).to_contain_text(child.id)
    _shot(page, "history")
    page.locator("#mcs-history-restore").click()
    expect(page.locator("#mcs-out-title textarea")).to_have_value("Rocco tank, edited by the team", timeout=30_000)
    expect(page.locator("#mcs-out-description textarea")).to_have_value(child.copy.description)
    expect(page.get_by_label("Draft title")).to_have_value(sample_product.title)
    expect(_visible(page.get_by_label("Seed", exact=True))).to_have_value("8")
    expect(page.locator("#mcs-status")).to_contain_text(child.id)

    # An edit made after restoring is recorded when the field loses focus ...
    page.locator("#mcs-out-title textarea").press_sequentially(" XL")
    page.locator("#mcs-out-title textarea").press("Tab")
    for _ in range(50):
        if team_studio.history.get(child.id)["title"].endswith(" XL"):
            break
        page.wait_for_timeout(200)
    assert team_studio.history.get(child.id)["title"] == "Rocco tank, edited by the team XL"
    # ... and Regenerate makes a child of the restored generation.
    page.locator("#mcs-regenerate").click()
    expect(page.locator("#mcs-status")).to_contain_text("Done", timeout=120_000)
    assert [c["parent_id"] for c in team_studio.history.children(child.id)] == [child.id]


def test_batch_of_ten_exported_as_shopify_csv(page, tmp_path, data_folder):
    from playwright.sync_api import expect

    from conftest import LUMA

    records = [json.loads(line) for line in LUMA.read_text(encoding="utf-8").splitlines()[:10]]
    catalog = tmp_path / "team-catalog.csv"
    with catalog.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["id", "title", "description", "bullets", "category", "brand", "price"])
        for r in records:
            writer.writerow([r["id"], r["title"], r["description"], "|".join(r.get("bullets") or []),
                             r.get("category") or "/".join(r.get("category_path") or []), "Luma",
                             r.get("price") or r.get("price_usd") or ""])
    page.get_by_role("tab", name="Batch").click()
    page.locator("#mcs-batch-file input[type=file]").set_input_files(str(catalog))
    # the Batch tab starts on Create's default (the trained writer); the template keeps ten products quick
    page.locator("#mcs-batch-method input").click()
    page.get_by_role("option", name="Rule-based template").click()
    page.locator("#mcs-batch-length input").click()
    page.get_by_role("option", name="Long: about 70 words or more").click()
    page.locator("#mcs-batch-run").click()
    expect(page.locator("#mcs-batch-status")).to_contain_text("Done: 10 of 10", timeout=300_000)
    expect(_rows(page, "mcs-batch-table")).to_have_count(10)
    _shot(page, "batch")
    page.locator("#mcs-export-shopify").click()
    expect(page.locator("#mcs-export-files a").first).to_have_attribute("download", "products_shopify.csv",
                                                                       timeout=60_000)
    rows = list(csv.DictReader(io.StringIO(_fetch(page, "#mcs-export-files a").decode("utf-8"))))
    assert len(rows) == 10 and len({r["Handle"] for r in rows}) == 10
    assert sorted(r["Variant SKU"] for r in rows) == sorted(r["id"] for r in records)
    assert all(r["Title"] and r["Body (HTML)"].startswith("<p>") and r["Vendor"] == "Luma" for r in rows)
    results = data_folder / "batches" / "team-catalog" / "results.jsonl"
    assert len(results.read_text().splitlines()) == 10  # the folder the next run resumes from
    assert json.loads(results.read_text().splitlines()[0])["settings"]["description_length"] == "long"

    page.locator("#mcs-batch-run").click()  # the same catalog again: everything is kept, nothing redone
    expect(page.locator("#mcs-batch-status")).to_contain_text("0 new, 10 kept from before", timeout=120_000)
    assert len(results.read_text().splitlines()) == 10
    page.locator("#mcs-export-zip").click()
    expect(page.locator("#mcs-export-files a").first).to_have_attribute("download", "team-catalog.zip", timeout=60_000)
    with zipfile.ZipFile(io.BytesIO(_fetch(page, "#mcs-export-files a"))) as archive:
        assert {"products_shopify.csv", "products.jsonl"} <= set(archive.namelist())


def test_dropped_png_restores_settings(page, tmp_path):
    from playwright.sync_api import expect
    from PIL import Image

    from engine.storage.metadata import save_png
    from engine.core.settings import Settings

    png = save_png(Image.open(PHOTO).convert("RGB").resize((64, 64)), tmp_path / "ad-square.png",
                   Settings(fusion="template", seed=4242, tone="playful", temperature=0.35))
    page.get_by_role("tab", name="History").click()
    page.locator("#mcs-drop input[type=file]").set_input_files(str(png))
    expect(page.locator("#mcs-status")).to_contain_text("ad-square.png", timeout=30_000)
    expect(_visible(page.get_by_label("Seed", exact=True))).to_have_value("4242")
    expect(_visible(page.get_by_label("Tone", exact=True))).to_have_value("playful")
    _shot(page, "create-after-drop")
