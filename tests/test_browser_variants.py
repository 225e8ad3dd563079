"""The Variants tab in the real studio (headless Chromium): variants for two segments of a sample
product, a grid with one column per segment and scores in every cell, an edit re-checked, and the
Google Ads / Meta CSVs and the images zip exported and read back.

Set ``MCS_SCREENSHOTS=<folder>`` to keep a screenshot.
"""
from __future__ import annotations

import csv
import os
import zipfile
from pathlib import Path

import pytest

from conftest import CHROMIUM

pytestmark = [pytest.mark.browser,
              pytest.mark.skipif(not CHROMIUM.exists(),
                                 reason="Debian chromium not installed (make setup installs it)")]


def test_variants_for_two_segments_are_scored_edited_and_exported(server, tmp_path):
    from playwright.sync_api import expect, sync_playwright

    from engine.workflows import adsets

    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=str(CHROMIUM), args=["--no-sandbox"])
        page = browser.new_page(viewport={"width": 1400, "height": 1500})
        page.goto(server)
        page.get_by_role("tab", name="Variants").click()
        page.locator("#mcs-variants-make").click()  # the first sample, students and parents (the default)
        expect(page.locator("#mcs-variants-status")).to_contain_text("2 variants, 2 pass", timeout=90_000)

        grid = page.locator("#mcs-variants-grid")
        expect(grid.locator("th[data-segment]")).to_have_text(["Students", "Parents"])
        cells = grid.locator("td[data-field=google_headlines]")
        expect(cells).to_have_count(2)
        expect(cells.nth(0).locator("[data-metric=limit]")).to_have_class("mcs-badge mcs-good")
        expect(cells.nth(0).locator("[data-metric=distinct]")).to_have_class("mcs-badge mcs-good")
        expect(grid.locator("[data-metric=claims].mcs-bad")).to_have_count(0)

        # edit the students' title with a thing the merchant never named: the cell turns red
        edited = "For students: Wayfarer Messenger Bag with sapphire"
        page.locator("#mcs-variants-text textarea").fill(edited)
        # under load the click can reach the server before the textarea's new value does: wait for it
        expect(page.locator("#mcs-variants-text textarea")).to_have_value(edited)
        page.wait_for_timeout(300)
        page.locator("#mcs-variants-apply").click()
        title = grid.locator("td[data-segment=students][data-field=title]")
        expect(title.locator("[data-metric=claims]")).to_have_class("mcs-badge mcs-bad", timeout=30_000)
        expect(page.locator("#mcs-variants-status")).to_contain_text("fails: sapphire")

        page.screenshot(path=str(Path(os.environ.get("MCS_SCREENSHOTS") or tmp_path) / "variants.png"), full_page=True)
        page.locator("#mcs-variants-export").click()
        links = page.locator("#mcs-variants-files a")
        expect(links).to_have_count(3, timeout=30_000)
        saved = {}
        for i in range(3):
            with page.expect_download() as info:
                links.nth(i).click()
            download = info.value
            saved[download.suggested_filename] = Path(tmp_path / download.suggested_filename)
            download.save_as(saved[download.suggested_filename])
        browser.close()

    rows = adsets.read_google_ads_csv(saved["google_ads.csv"])
    assert [r["Ad group"] for r in rows] == ["Students", "Parents"]
    assert list(rows[0]) == adsets.GOOGLE_COLUMNS and adsets.check_google_ads_rows(rows) == []
    with saved["meta_ads.csv"].open(encoding="utf-8-sig", newline="") as handle:
        assert [r["Ad Set Name"] for r in csv.DictReader(handle)] == ["Students", "Parents"]
    with zipfile.ZipFile(saved["images.zip"]) as archive:
        assert sorted(archive.namelist()) == ["parents-1.91x1.png", "parents-1x1.png", "students-1.91x1.png",
                                              "students-1x1.png"]


def test_variants_endpoint_returns_checked_ad_sets_and_csvs(server):
    """``/variants`` over gradio_client (same server): a text-only real product, a preset and free text."""
    from gradio_client import Client

    from conftest import luma_record
    from engine.workflows import adsets

    record = luma_record()
    record.pop("images")
    data, files = Client(server, verbose=False).predict(record, "students, people who lift weights", [], "",
                                                        api_name="/variants")
    assert [d["variant"]["label"] for d in data["variants"]] == ["Students", "People who lift weights"]
    assert all(d["passes"] for d in data["variants"])
    google = next(f for f in files if f.endswith("google_ads.csv"))
    assert adsets.check_google_ads_rows(adsets.read_google_ads_csv(google)) == []
