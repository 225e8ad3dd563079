"""The claim check in the real studio (headless Chromium): an edited title with a misspelt brand and a
thing the merchant never mentioned turns the Claims badge red and marks exactly those words; putting the
merchant's own facts back ("Silver" and "Black" from the notes' key: value lines) turns it green.

Set ``MCS_SCREENSHOTS=<folder>`` to keep a screenshot.
"""
from __future__ import annotations

import os
from pathlib import Path

import pytest

from conftest import CHROMIUM, edit

pytestmark = [pytest.mark.browser,
              pytest.mark.skipif(not CHROMIUM.exists(), reason="Debian chromium not installed (make setup installs it)")]


def test_flagged_words_are_marked_and_true_facts_pass(server, tmp_path):
    from playwright.sync_api import expect, sync_playwright

    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=str(CHROMIUM), args=["--no-sandbox"])
        page = browser.new_page(viewport={"width": 1400, "height": 1500})
        page.goto(server)
        page.get_by_label("Draft title").fill("Titan analog watch for men")
        page.get_by_label("Description or notes").fill("A classic analog watch.\nDial Color: Silver\nStrap Color: Black")
        page.get_by_label("Brand").fill("Titan")
        page.get_by_label("Copy method (fusion)").click()
        page.get_by_role("option", name="Rule-based template").click()
        page.locator("#mcs-generate").click()
        expect(page.locator("#mcs-status")).to_contain_text("Done", timeout=60_000)

        title = page.locator("#mcs-out-title textarea")
        badges = page.locator("#mcs-scores-title")
        edit(title, "Tantan Sapphire Analog Watch with Silver Dial and Black Strap")
        expect(badges.locator("[data-metric=grounding]")).to_contain_text("2 flagged", timeout=30_000)
        expect(badges.locator("[data-metric=grounding]")).to_have_class("mcs-badge mcs-bad")
        marks = badges.locator("mark.mcs-claim")
        expect(marks).to_have_count(2)
        expect(marks.nth(0)).to_have_text("Tantan")
        expect(marks.nth(1)).to_have_text("Sapphire")
        expect(badges.locator(".mcs-flagged")).to_contain_text('misspelling of "Titan"')
        folder = os.environ.get("MCS_SCREENSHOTS")
        page.screenshot(path=str(Path(folder or tmp_path) / "claims-flagged.png"), full_page=True)

        edit(title, "Titan Analog Watch with Silver Dial and Black Strap")  # the notes' own facts
        expect(badges.locator("[data-metric=grounding]")).to_have_class("mcs-badge mcs-good", timeout=30_000)
        expect(badges.locator("mark.mcs-claim")).to_have_count(0)
        browser.close()
