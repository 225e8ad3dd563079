"""The Shopper Q&A tab in the real studio (headless Chromium).

A merchant first uploads a product JSON whose photo is missing: the status names the file, no product
is selected and a question is refused (never answered about a sample). Then the JSON with its photo:
paraphrased questions meet their facts ("How much does it hold?" -> the capacity), an unanswerable
one is declined in plain English and listed under "Unanswered questions", and follow-ups ("How long?",
"and in black?") borrow the previous topic. A second test takes the Create tab's product in one click.

Set ``MCS_SCREENSHOTS=<folder>`` to keep a screenshot."""
from __future__ import annotations

import json
import os
import socket
from pathlib import Path

import pytest
from PIL import Image

from conftest import CHROMIUM, serve_studio

pytestmark = [pytest.mark.browser,
              pytest.mark.skipif(not CHROMIUM.exists(), reason="Debian chromium not installed (make setup installs it)")]

MUG = {"id": "MUG-B", "title": "Stoneware Coffee Mug", "images": ["mug.png"],
       "description": "A heavy mug. Not for microwave use.\nDishwasher safe: Yes",
       "attributes": {"Material": "Stoneware", "Colors": ["Blue", "Black"], "Mug Capacity": "350 ml",
                      "Warranty": "1 year"}}
ROUTER = {"id": "ROUTER-1", "title": "Dual Band Router", "images": ["router.jpg"], "attributes": {"Ports": "4"}}


def _ask(page, question: str) -> None:
    page.locator("#mcs-qa-question textarea").fill(question)
    page.locator("#mcs-qa-ask").click()


def _browser(pw):
    return pw.chromium.launch(executable_path=str(CHROMIUM), args=["--no-sandbox"])


def test_failed_load_then_paraphrases_and_follow_ups(studio, tmp_path):
    from playwright.sync_api import expect, sync_playwright

    router = tmp_path / "router.json"
    router.write_text(json.dumps(ROUTER))
    product = tmp_path / "mug.json"
    product.write_text(json.dumps(MUG))
    Image.new("RGB", (64, 64), (30, 60, 160)).save(tmp_path / "mug.png")
    url, app = serve_studio(studio)
    try:
        with sync_playwright() as pw:
            browser = _browser(pw)
            page = browser.new_page(viewport={"width": 1400, "height": 1400})
            page.goto(url)
            page.get_by_role("tab", name="Shopper Q&A").click()
            status, chat = page.locator("#mcs-qa-status"), page.locator("#mcs-qa-chat")

            upload = page.locator("#mcs-qa-upload input[type=file]")
            upload.set_input_files(str(router))
            expect(status).to_contain_text("Could not load the product", timeout=30_000)
            expect(status).to_contain_text("router.jpg")
            _ask(page, "How many ports does it have?")
            expect(page.get_by_text("No product is loaded").first).to_be_visible(timeout=30_000)
            expect(chat).not_to_contain_text("Wayfarer")
            expect(chat).not_to_contain_text("ports")

            page.locator("#mcs-qa-upload button[aria-label='Clear']").first.click()
            upload.set_input_files([str(product), str(tmp_path / "mug.png")])
            expect(status).to_contain_text("Stoneware Coffee Mug", timeout=30_000)
            expect(status).to_contain_text("1 photo")

            facts = page.locator("#mcs-qa-facts")
            _ask(page, "How much does it hold?")
            expect(chat).to_contain_text("It holds 350 ml.", timeout=30_000)
            expect(facts).to_contain_text("Mug Capacity: 350 ml")
            _ask(page, "What is this made out of?")
            expect(chat).to_contain_text("It is made of stoneware.", timeout=30_000)

            _ask(page, "Is there a guarantee?")
            expect(chat).to_contain_text("Yes, the warranty is 1 year.", timeout=30_000)
            _ask(page, "How long?")
            expect(chat.locator(".message-row").last).to_contain_text("The warranty is 1 year.", timeout=30_000)

            _ask(page, "Is it oven safe?")
            expect(chat).to_contain_text(
                "The listing doesn't say whether it is oven safe; it does say it is dishwasher safe.", timeout=30_000)
            expect(page.locator("#mcs-qa-unanswered")).to_contain_text("Is it oven safe?")

            _ask(page, "Does it come in red?")
            expect(chat).to_contain_text("the listing doesn't mention red", timeout=30_000)
            _ask(page, "and in black?")
            expect(chat).to_contain_text("Yes, it comes in blue or black.", timeout=30_000)
            page.screenshot(path=str(Path(os.environ.get("MCS_SCREENSHOTS") or tmp_path) / "qa.png"), full_page=True)
            browser.close()
    finally:
        app.close()


def test_the_create_tabs_product_in_one_click(studio):
    """The Create tab and the Q&A tab wired as studio/app.py wires Compare and Variants (``create`` passed)."""
    import gradio as gr
    from playwright.sync_api import expect, sync_playwright

    from studio.create_tab import build_create_tab
    from studio.qa_tab import build_qa_tab

    with gr.Blocks() as app:
        with gr.Tabs():
            with gr.Tab("Create"):
                create = build_create_tab(studio)
            with gr.Tab("Shopper Q&A"):
                build_qa_tab(studio, create)
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    app.queue(default_concurrency_limit=1)
    app.launch(server_name="127.0.0.1", server_port=port, prevent_thread_lock=True, quiet=True)
    try:
        with sync_playwright() as pw:
            browser = _browser(pw)
            page = browser.new_page(viewport={"width": 1400, "height": 1400})
            page.goto(f"http://127.0.0.1:{port}/")
            page.get_by_label("Draft title").fill("Trail Water Bottle")
            page.get_by_label("Description or notes").fill("A bottle for long trails.\nCapacity: 750 ml\nMaterial: Steel")
            page.get_by_role("tab", name="Shopper Q&A").click()
            page.locator("#mcs-qa-from-create").click()
            expect(page.locator("#mcs-qa-status")).to_contain_text("Trail Water Bottle", timeout=30_000)
            _ask(page, "How much water does it hold?")
            expect(page.locator("#mcs-qa-chat")).to_contain_text("It holds 750 ml.", timeout=30_000)
            browser.close()
    finally:
        app.close()
