"""The Shopper Q&A tab in the real studio (headless Chromium): a merchant loads a product JSON and
asks three questions; an answerable one shows its fact, an unanswerable one is declined and listed
under "Unanswered questions", a follow-up borrows the previous subject.

Set ``MCS_SCREENSHOTS=<folder>`` to keep a screenshot."""
from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from conftest import CHROMIUM, serve_studio

pytestmark = [pytest.mark.browser,
              pytest.mark.skipif(not CHROMIUM.exists(), reason="Debian chromium not installed (make setup installs it)")]

MUG = {"id": "MUG-B", "title": "Stoneware Coffee Mug",
       "description": "A heavy mug. Not for microwave use.\nDishwasher safe: Yes",
       "attributes": {"Material": "Stoneware", "Colors": ["Blue", "Black"]}}


def test_three_questions_in_the_qa_tab(studio, tmp_path):
    from playwright.sync_api import expect, sync_playwright

    product = tmp_path / "mug.json"
    product.write_text(json.dumps(MUG))
    url, app = serve_studio(studio)
    try:
        with sync_playwright() as pw:
            browser = pw.chromium.launch(executable_path=str(CHROMIUM), args=["--no-sandbox"])
            page = browser.new_page(viewport={"width": 1400, "height": 1400})
            page.goto(url)
            page.get_by_role("tab", name="Shopper Q&A").click()
            page.locator("#mcs-qa-upload input[type=file]").set_input_files(str(product))
            expect(page.locator("#mcs-qa-status")).to_contain_text("Stoneware Coffee Mug", timeout=30_000)

            chat, facts = page.locator("#mcs-qa-chat"), page.locator("#mcs-qa-facts")
            box = page.locator("#mcs-qa-question textarea")

            box.fill("Is it microwave safe?")
            page.locator("#mcs-qa-ask").click()
            expect(chat).to_contain_text("No — Not for microwave use.", timeout=30_000)
            expect(facts).to_contain_text("Not for microwave use.")

            box.fill("Does it have a warranty?")
            page.locator("#mcs-qa-ask").click()
            expect(chat).to_contain_text("The listing doesn't say whether it has a warranty.", timeout=30_000)
            expect(facts).to_contain_text('"Warranty: Yes"')
            expect(page.locator("#mcs-qa-unanswered")).to_contain_text("Does it have a warranty?")

            box.fill("Does it come in red?")
            page.locator("#mcs-qa-ask").click()
            expect(chat).to_contain_text("it doesn't mention red", timeout=30_000)
            box.fill("and in black?")
            page.locator("#mcs-qa-ask").click()
            expect(chat).to_contain_text("Yes — Colors: Blue, Black.", timeout=30_000)
            expect(facts).to_contain_text("Colors: Blue, Black")
            page.screenshot(path=str(Path(os.environ.get("MCS_SCREENSHOTS") or tmp_path) / "qa.png"), full_page=True)
            browser.close()
    finally:
        app.close()
