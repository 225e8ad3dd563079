"""Two shoppers' tabs click Generate at once: their copy is decoded in one batch, each tab gets its own.

The real app with request batching on (as `launch.py` serves it), two browser pages in headless
Chromium, the default trained copy method."""
from __future__ import annotations

import threading

import pytest

from conftest import CHROMIUM, edit, serve_studio

pytestmark = [pytest.mark.browser,
              pytest.mark.skipif(not CHROMIUM.exists(), reason="Debian chromium not installed (make setup installs it)")]

TITLES = ("Cotton bath towel, navy, 70 x 140 cm", "Stainless steel water bottle, 750 ml")


@pytest.fixture(scope="module")
def batched_server(studio):
    from engine.models.batching import set_request_batching

    set_request_batching(True, window_s=1.0)  # before the UI is built: it sizes the copy slots from this
    url, app = serve_studio(studio)
    yield url
    app.close()
    set_request_batching(False)


def test_two_tabs_generating_at_once_share_a_decode_and_each_get_their_own_copy(batched_server, studio):
    from playwright.sync_api import expect, sync_playwright

    from engine.models.batching import batcher_for
    from engine.core.settings import Settings

    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=str(CHROMIUM), args=["--no-sandbox"])
        pages = [browser.new_page(viewport={"width": 1400, "height": 900}) for _ in TITLES]
        for page, title in zip(pages, TITLES):
            page.goto(batched_server)
            page.locator("#mcs-generate").wait_for()
            edit(page.get_by_label("Draft title"), title)
        writer = studio._generator(studio.ingest(_product(TITLES[0])), Settings())[0]
        before = len(batcher_for(writer).sizes)
        for page in pages:  # both clicks land within the gathering window
            page.locator("#mcs-generate").click()
        for page in pages:
            expect(page.locator("#mcs-status")).to_contain_text("Done", timeout=180_000)
        titles = [page.locator("#mcs-out-title textarea").input_value() for page in pages]
        browser.close()
    # Each tab writes its title and description at once (two rows): three or more rows is both tabs in one decode.
    assert max(batcher_for(writer).sizes[before:]) >= 3
    assert "towel" in titles[0].lower() and "bottle" in titles[1].lower()  # each tab got its own product's copy


def _product(title: str):
    from engine.core.product import Product

    return Product.from_record({"title": title})
