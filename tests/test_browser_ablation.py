"""The Compare tab's "What each input changes" in headless Chromium: one method's copy with
every input, then without the photos, the text and the video, with the deltas in a table.

Set ``MCS_SCREENSHOTS=<folder>`` to keep a full-page screenshot of the tab.
"""
from __future__ import annotations

import os
from pathlib import Path

import pytest

from conftest import CHROMIUM

pytestmark = [pytest.mark.browser,
              pytest.mark.skipif(not CHROMIUM.exists(), reason="Debian chromium not installed (make setup installs it)")]
METHOD = "concat"  # a fusion method that reads the photos and is quick on CPU


def test_what_each_input_changes(server):
    from playwright.sync_api import expect, sync_playwright

    from engine.pipeline import copy_methods

    if METHOD not in copy_methods():
        pytest.skip(f"no trained {METHOD} checkpoint in assets/checkpoints")
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=str(CHROMIUM), args=["--no-sandbox"])
        page = browser.new_page(viewport={"width": 1400, "height": 1200})
        page.goto(server)
        # Short descriptions keep the two LM runs quick; the other settings come from the Create tab.
        tokens = page.get_by_label("Max tokens (description)").filter(visible=True).first
        tokens.fill("40")
        tokens.press("Enter")
        page.get_by_role("tab", name="Compare").click()
        page.locator("#mcs-ablate-method input").click()
        page.get_by_role("option", name=copy_methods()[METHOD]).click()
        page.locator("#mcs-ablate-run").click()
        status = page.locator("#mcs-ablate-status")
        expect(status).to_contain_text("of the 2 inputs it could changed the copy", timeout=300_000)
        expect(status).to_contain_text("without video: the product has no video")

        table = page.locator("#mcs-ablate-table")
        rows = table.locator(".virtual-body [role=row]")
        expect(rows).to_have_count(4)
        expect(rows.nth(0)).to_contain_text("all inputs")
        expect(rows.nth(1)).to_contain_text("without photos")
        expect(rows.nth(2)).to_contain_text("no copy written")  # photos + category alone: nothing is invented
        expect(rows.nth(3)).to_contain_text("not possible: the product has no video")
        expect(table).to_contain_text("gate weight")
        expect(table).to_contain_text("Δ description METEOR")
        folder = os.environ.get("MCS_SCREENSHOTS")
        if folder:
            Path(folder).mkdir(parents=True, exist_ok=True)
            page.locator("#mcs-ablate-run").scroll_into_view_if_needed()
            page.screenshot(path=str(Path(folder) / "compare-ablation.png"), full_page=True)
        browser.close()
