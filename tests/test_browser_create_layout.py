"""The Create tab as a new merchant meets it (headless Chromium at 1440x900): Generate on the first screen,
copy methods explained, progress from the click on, an attributes table that takes typing, and ad images
that say when they no longer match the copy.

Set ``MCS_SCREENSHOTS=<folder>`` to keep screenshots of the first screen and the full page.
"""
from __future__ import annotations

import os
from pathlib import Path

import pytest

from conftest import CHROMIUM
from engine.core.paths import ASSETS

IDLE = "Fill in what you have"
SCREEN = {"width": 1440, "height": 900}
PHOTO = ASSETS / "samples" / "images" / "mb05-black-0.jpg"


# -- without a browser -------------------------------------------------------------------------
def test_every_copy_method_has_a_plain_description():
    from engine.fusion import FUSION_METHODS
    from engine.fusion.descriptions import METHOD_DESCRIPTIONS, method_label

    assert set(FUSION_METHODS) | {"none", "template"} <= set(METHOD_DESCRIPTIONS)
    assert method_label("film", recommended="film").endswith("(recommended)")
    assert "recommended" not in method_label("gmu", recommended="film")
    assert method_label("template").startswith("Rule-based template — ")
    assert method_label("my-new-method").startswith("my-new-method — ")  # a newly trained one is still offered


def test_method_choices_keep_their_values_and_mark_the_default():
    from engine.pipeline import copy_methods, default_copy_method
    from studio.create_tab import method_choices

    choices = method_choices()
    assert [value for _, value in choices] == list(copy_methods())  # settings and history keep working
    marked = [value for label, value in choices if "(recommended)" in label]
    assert marked == [default_copy_method()]
    # the mark follows the method's name, where the dropdown's box never cuts it off
    assert all(label.index("(recommended)") < label.index(" — ") for label, _ in choices if "(recommended)" in label)
    assert all(" — " in label for label, _ in choices)


def test_empty_attribute_rows_are_left_out_of_the_product():
    from studio.create_tab import _attributes, attribute_rows

    rows = attribute_rows({"Material": "canvas"})
    assert len(rows) >= 5 and rows[0] == ["Material", "canvas"]  # room to type more without a menu
    assert _attributes(rows + [[None, None], ["", "  "], ["Colour", ""]]) == {"Material": "canvas"}


# -- in the browser ----------------------------------------------------------------------------
def browser_only(test):
    test = pytest.mark.browser(test)
    return pytest.mark.skipif(not CHROMIUM.exists(), reason="Debian chromium not installed (make setup installs it)")(test)


@pytest.fixture()
def page(server):
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=str(CHROMIUM), args=["--no-sandbox"])
        page = browser.new_page(viewport=SCREEN)
        page.goto(server)
        page.locator("#mcs-generate").wait_for()
        yield page
        browser.close()


def _shot(page, name: str, full_page: bool = False) -> None:
    folder = os.environ.get("MCS_SCREENSHOTS")
    if folder:
        Path(folder).mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(Path(folder) / f"{name}.png"), full_page=full_page)


def _use_template(page) -> None:
    page.get_by_label("Copy method (fusion)").click()
    page.get_by_role("option", name="Rule-based template").click()


def _type(box, text: str) -> None:
    box.fill(text[:-1])
    box.press_sequentially(text[-1])  # fill alone fires no .input event


def _generate(page, title: str) -> None:
    from playwright.sync_api import expect

    _type(page.get_by_label("Draft title"), title)
    page.locator("#mcs-generate").click()
    expect(page.locator("#mcs-status")).to_contain_text("Done", timeout=120_000)


@browser_only
def test_generate_is_on_the_first_screen(page):
    from playwright.sync_api import expect

    box = page.locator("#mcs-generate").bounding_box()
    assert box is not None
    assert 0 <= box["y"] and box["y"] + box["height"] <= SCREEN["height"], box
    assert 0 <= box["x"] and box["x"] + box["width"] <= SCREEN["width"], box
    for button in ("#mcs-regenerate", "#mcs-reproduce"):
        other = page.locator(button).bounding_box()
        assert other["y"] + other["height"] <= SCREEN["height"], (button, other)
    expect(page.get_by_label("Temperature")).to_be_hidden()  # sampling closed by default
    expect(page.get_by_label("Top-p")).to_be_hidden()
    _shot(page, "create-first-screen")
    _shot(page, "create-full-page", full_page=True)


@browser_only
def test_generate_stays_in_reach_after_scrolling(page):
    page.mouse.move(SCREEN["width"] / 2, SCREEN["height"] / 2)
    page.mouse.wheel(0, 1500)
    try:
        page.wait_for_function("window.scrollY > 1000", timeout=10_000)
    except Exception:  # a wheel event sent while a loaded machine still lays the page out can be dropped
        page.evaluate("window.scrollBy(0, 1500)")
        page.wait_for_function("window.scrollY > 1000")
    box = page.locator("#mcs-generate").bounding_box()
    assert 0 <= box["y"] and box["y"] + box["height"] <= SCREEN["height"], box
    _shot(page, "create-scrolled")


@browser_only
def test_method_dropdown_explains_each_method(page):
    from engine.pipeline import default_copy_method

    page.get_by_label("Copy method (fusion)").click()
    options = page.get_by_role("option")
    options.first.wait_for()
    texts = [t.replace("✓", "").strip() for t in options.all_inner_texts()]  # the selected one carries a tick
    assert len(texts) >= 2 and all(" — " in t for t in texts), texts
    recommended = [t for t in texts if "(recommended)" in t]
    assert len(recommended) == 1, texts
    from engine.fusion.descriptions import METHOD_DESCRIPTIONS

    short = METHOD_DESCRIPTIONS.get(default_copy_method(), (default_copy_method(),))[0]
    assert recommended[0].startswith(short), recommended
    assert any(t.startswith("Rule-based template — ") for t in texts)
    _shot(page, "create-methods")


@browser_only
def test_status_shows_progress_from_the_click(page):
    from playwright.sync_api import expect

    # Every text the status shows, in order, recorded in the page (no timing involved).
    page.evaluate("""() => {
        const status = document.querySelector('#mcs-status');
        window.mcsSeen = [];
        // the words shown, not Gradio's progress timer drawn over them
        const shown = () => [...status.children].filter((el) => el.dataset.testid !== 'status-tracker')
            .map((el) => el.textContent).join(' ').trim();
        new MutationObserver(() => {
            const text = shown();
            if (text && text !== window.mcsSeen.at(-1)) window.mcsSeen.push(text);
        }).observe(status, {subtree: true, childList: true, characterData: true});
    }""")
    expect(page.locator("#mcs-status")).to_contain_text(IDLE)
    _use_template(page)
    _generate(page, "Canvas tote bag")
    seen = page.evaluate("window.mcsSeen")
    assert seen[0].startswith("⏳") and "Reading your product" in seen[0], seen  # the very first change
    steps = [s for s in seen if s.startswith("⏳")]
    assert any("Scoring" in s for s in steps), seen
    assert "Done" in seen[-1] and not any(IDLE in s for s in seen), seen


@browser_only
def test_typing_into_an_empty_attribute_cell_reaches_the_product(page, studio):
    rows = page.locator("#mcs-attributes .virtual-body [role=row]")
    rows.nth(4).wait_for(state="attached")  # the table draws its empty rows after the page loads
    assert rows.count() >= 5
    rows.nth(0).locator("[role=gridcell]").nth(0).click()
    page.keyboard.type("Material")  # straight into the selected cell: no double click, no menu
    page.keyboard.press("Tab")
    page.keyboard.type("waxed canvas")
    page.keyboard.press("Enter")
    from playwright.sync_api import expect

    # The edit is committed to the table's value asynchronously; generate only once it shows.
    expect(rows.nth(0).locator("[role=gridcell]").nth(0)).to_contain_text("Material", timeout=10_000)
    expect(rows.nth(0).locator("[role=gridcell]").nth(1)).to_contain_text("waxed canvas", timeout=10_000)
    _use_template(page)
    _generate(page, "Market tote bag")
    stored = studio.history.get(studio.history.search(limit=1)[0]["id"])
    assert stored["product"]["attributes"] == {"Material": "waxed canvas"}


@browser_only
def test_old_ad_images_are_marked_stale_after_a_new_generation(page):
    from playwright.sync_api import expect

    page.locator("#mcs-photos input[type=file]").set_input_files(str(PHOTO))  # ad images start from a photo
    _use_template(page)
    _generate(page, "Harbor canvas tote")
    first_title = page.locator("#mcs-out-title textarea").input_value()
    page.locator("#mcs-make-images").click()
    expect(page.locator("#mcs-media-status")).to_contain_text("✅", timeout=180_000)
    stale = page.locator("#mcs-media-stale")
    expect(stale).to_be_hidden()  # fresh images: nothing to warn about
    expect(page.locator("#mcs-images")).to_contain_text(first_title)  # which copy they show

    _generate(page, "Summit hiking backpack")
    assert page.locator("#mcs-out-title textarea").input_value() != first_title
    expect(stale).to_be_visible(timeout=30_000)
    expect(stale).to_contain_text(f"made for the title “{first_title}”")
    expect(stale).to_contain_text("generate images again for the new copy")
    _shot(page, "create-stale-images", full_page=True)
