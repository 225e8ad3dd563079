"""Photo only, in the real studio in headless Chromium: the Create tab says what the photo looks
like and asks for more instead of inventing a title; one click on the suggestion adds the row
``Product type | bath towel`` to the attributes, and then the copy is written from it.

Set ``MCS_SCREENSHOTS=<folder>`` to keep a screenshot of the suggestion.
"""
from __future__ import annotations

import os
from pathlib import Path

import pytest

from conftest import CHROMIUM, SHARED_DATA

TOWEL = SHARED_DATA / "flipkart-train" / "images" / "d0fee79693c7dc3132d30491323b6407.jpg"  # a cotton bath towel
pytestmark = [pytest.mark.browser,
              pytest.mark.skipif(not CHROMIUM.exists(), reason="Debian chromium not installed (make setup installs it)"),
              pytest.mark.skipif(not TOWEL.exists(), reason=f"catalog photo not found: {TOWEL}")]


def test_photo_only_shows_what_it_sees_and_asks_before_using_it(server, tmp_path):
    from playwright.sync_api import expect, sync_playwright

    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=str(CHROMIUM), args=["--no-sandbox"])
        page = browser.new_page(viewport={"width": 1400, "height": 1400})
        page.goto(server)
        page.locator("#mcs-photos input[type=file]").set_input_files(str(TOWEL))
        seen = page.locator("#mcs-seen")
        expect(seen).to_contain_text("Looks like", timeout=60_000)
        expect(seen).to_contain_text("bath towel (0.77)")
        expect(page.locator("#mcs-attributes")).not_to_contain_text("bath towel")  # nothing added on its own

        page.locator("#mcs-generate").click()
        status = page.locator("#mcs-status")
        expect(status).to_contain_text("No copy written", timeout=60_000)
        expect(status).to_contain_text("Add a title or a few facts")
        expect(status).to_contain_text("the photo looks like: bath towel (0.77), use it?")
        assert page.locator("#mcs-out-title textarea").input_value() == ""  # no invented title
        assert page.locator("#mcs-out-description textarea").input_value() == ""
        expect(page.locator("#mcs-attributes")).not_to_contain_text("bath towel")
        folder = os.environ.get("MCS_SCREENSHOTS")
        page.screenshot(path=str(Path(folder or tmp_path) / "photo-suggestion.png"), full_page=True)

        page.locator("#mcs-seen-use-0").click()  # the merchant confirms: one visible, editable row
        table = page.locator("#mcs-attributes")
        expect(table).to_contain_text("Product type", timeout=30_000)
        expect(table).to_contain_text("bath towel")
        expect(seen).not_to_contain_text("bath towel")  # confirmed, so no longer asked (the colours still are)
        expect(status).to_contain_text("Added Product type: bath towel")
        expect(page.locator("#mcs-scores-title")).not_to_contain_text("Length")  # no scores for copy never written
        if folder:
            page.screenshot(path=str(Path(folder) / "photo-suggestion-confirmed.png"), full_page=True)

        page.get_by_label("Copy method (fusion)").click()  # the rule-based writer: quick and deterministic
        page.get_by_role("option", name="Rule-based template").click()
        page.locator("#mcs-generate").click()
        expect(status).to_contain_text("Done", timeout=60_000)
        assert "bath towel" in page.locator("#mcs-out-title textarea").input_value().lower()
        browser.close()
