"""Provenance in the real studio (headless Chromium): after a Create, each sentence of the description lists
the input lines it states, and the title's words say where they come from.

Set ``MCS_SCREENSHOTS=<folder>`` to keep a screenshot.
"""
from __future__ import annotations

import os
from pathlib import Path

import pytest

from conftest import CHROMIUM

pytestmark = [pytest.mark.browser,
              pytest.mark.skipif(not CHROMIUM.exists(), reason="Debian chromium not installed (make setup installs it)")]


def test_each_sentence_shows_the_facts_it_states(server, tmp_path):
    from playwright.sync_api import expect, sync_playwright

    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=str(CHROMIUM), args=["--no-sandbox"])
        page = browser.new_page(viewport={"width": 1400, "height": 1600})
        page.goto(server)
        page.get_by_label("Draft title").fill("Printland Coffee Mug")
        page.get_by_label("Description or notes").fill("Material: Ceramic\nMug Capacity: 350 ml\nColor: White\n"
                                                       "Microwave Safe: Yes")
        page.get_by_label("Brand").fill("Printland")
        page.get_by_label("Copy method (fusion)").click()
        page.get_by_role("option", name="Rule-based template").click()
        page.locator("#mcs-generate").click()
        expect(page.locator("#mcs-status")).to_contain_text("Done", timeout=60_000)

        description = page.locator("#mcs-out-description textarea")
        expect(description).to_have_value(__import__("re").compile(r"Printland Coffee Mug.*350 ml"))
        panel = page.locator("#mcs-scores-description details.mcs-provenance")
        panel.locator("summary").click()
        rows = panel.locator("li")
        expect(rows.first).to_be_visible()
        texts = " ".join(rows.all_inner_texts()).lower()  # the notes' key: value lines are read in lower case
        assert "material: ceramic" in texts and "mug capacity: 350 ml" in texts, texts
        assert rows.first.get_attribute("data-origin") == "realised"
        tip = rows.nth(1).locator(".mcs-prov-sentence").get_attribute("title")
        assert tip.startswith("stated from your facts — from: "), tip
        title_words = page.locator("#mcs-scores-title details.mcs-provenance .mcs-prov-word")
        expect(title_words.first).to_have_attribute("title", __import__("re").compile(r"^from: "))
        folder = os.environ.get("MCS_SCREENSHOTS")
        page.screenshot(path=str(Path(folder or tmp_path) / "provenance.png"), full_page=True)
        browser.close()
