"""The real studio, served on a free local port, driven through gradio_client and Chromium."""
from __future__ import annotations

from pathlib import Path

import pytest

from conftest import CHROMIUM
from engine.core.paths import ASSETS

PHOTO = ASSETS / "samples" / "images" / "mb05-black-0.jpg"


def test_api_generate_through_gradio_client(server, tmp_path):
    from gradio_client import Client, handle_file

    client = Client(server, verbose=False)
    product = {"title": "Wayfarer messenger bag", "description": "Material: nylon\nAdjustable shoulder strap.",
               "category": "Gear/Bags"}
    settings = {"fusion": "template", "seed": 5}
    result = client.predict(product, settings, [handle_file(str(PHOTO))], [], api_name="/generate")
    assert result["settings"]["seed"] == 5
    assert "Wayfarer" in result["copy"]["title"]
    assert result["copy"]["keywords"]
    grounding = {s["name"]: s for s in result["scores"]["title"]}["grounding"]
    assert grounding["value"] == 1.0
    assert result["photo_colours"]  # measured from the uploaded photo


def _bad_files(tmp_path: Path) -> dict[str, tuple[list, list, str]]:
    """name -> (photos, videos, words the error must contain)."""
    from media import make_video
    from test_ingest import _png_header

    corrupt = tmp_path / "corrupt.jpg"
    corrupt.write_bytes(PHOTO.read_bytes()[:1500])
    text_png = tmp_path / "notes.png"
    text_png.write_text("this is not an image")
    empty = tmp_path / "empty.mp4"
    empty.write_bytes(b"")
    huge = tmp_path / "huge.png"  # a PNG header declaring 8000 x 6000 pixels (48 MP, over the 40 MP cap)
    huge.write_bytes(_png_header(8000, 6000))
    long_clip = make_video(tmp_path / "long.mp4", seconds=61.0, size=(32, 32), fps=1)
    return {
        "corrupt jpeg": ([corrupt], [], "corrupt.jpg"),
        "text file named .png": ([text_png], [], "notes.png"),
        "0-byte video": ([], [empty], "empty.mp4"),
        "oversized image": ([huge], [], "huge.png"),
        "video over the duration cap": ([], [long_clip], "long.mp4"),
    }


def test_api_reports_each_bad_input_by_name(server, tmp_path):
    from gradio_client import Client, handle_file

    client = Client(server, verbose=False)
    for case, (photos, videos, words) in _bad_files(tmp_path).items():
        with pytest.raises(Exception, match=words) as caught:
            # a bad photo beside text is skipped with a warning (issue 24.6): alone, it is refused by name
            client.predict({} if photos else {"title": "Bag"}, {"fusion": "template"},
                           [handle_file(str(p)) for p in photos],
                           [handle_file(str(v)) for v in videos], api_name="/generate")
        assert "Traceback" not in str(caught.value), case


@pytest.mark.browser
@pytest.mark.skipif(not CHROMIUM.exists(), reason="Debian chromium not installed (make setup installs it)")
def test_browser_upload_generate_and_scores(server, studio, tmp_path):
    from playwright.sync_api import expect, sync_playwright

    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=str(CHROMIUM), args=["--no-sandbox"])
        page = browser.new_page(viewport={"width": 1400, "height": 1600})
        page.goto(server)
        page.locator("#mcs-photos input[type=file]").set_input_files(str(PHOTO))
        page.get_by_label("Draft title").fill("Wayfarer messenger bag")
        page.get_by_label("Description or notes").fill("Material: nylon\nAdjustable shoulder strap.")
        page.get_by_label("Max tokens (description)").first.fill("40")
        page.get_by_label("Max tokens (description)").first.press("Enter")
        page.get_by_label("Only facts from my input").uncheck()
        page.locator("#mcs-length input").click()
        page.get_by_role("option", name="Short: the model stops where it likes").click()
        page.locator("#mcs-generate").click()
        expect(page.locator("#mcs-status")).to_contain_text("Done", timeout=300_000)
        # the unticked box reached the settings stored with the result
        stored = studio.history.get(studio.history.search(limit=1)[0]["id"])["settings"]
        assert stored["grounded_decoding"] is False and stored["max_new_tokens"] == 40
        assert stored["description_length"] == "short"
        title = page.locator("#mcs-out-title textarea").input_value()
        assert title.strip()
        expect(page.locator("#mcs-scores-title [data-metric=grounding]")).to_be_visible()
        expect(page.locator("#mcs-scores-description [data-metric=length]")).to_be_visible()
        expect(page.locator("#mcs-insight")).to_contain_text("Colours measured in the photos")
        # Editing the title re-scores it live: an invented number is flagged.
        page.locator("#mcs-out-title textarea").press_sequentially(" 999 pack")
        expect(page.locator("#mcs-scores-title")).to_contain_text("999", timeout=30_000)
        page.screenshot(path=str(tmp_path / "studio.png"), full_page=True)
        browser.close()


@pytest.mark.browser
@pytest.mark.skipif(not CHROMIUM.exists(), reason="Debian chromium not installed (make setup installs it)")
def test_browser_bad_photo_shows_clear_error(server, tmp_path):
    from playwright.sync_api import expect, sync_playwright

    broken = tmp_path / "broken.jpg"
    broken.write_bytes(PHOTO.read_bytes()[:2000])  # a truncated JPEG
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=str(CHROMIUM), args=["--no-sandbox"])
        page = browser.new_page()
        page.goto(server)
        page.get_by_label("Draft title").fill("Bag")
        page.locator("#mcs-photos input[type=file]").set_input_files(str(broken))
        # named on upload, before Generate (a click racing the upload once wrote without the photo)
        expect(page.locator("#mcs-status")).to_contain_text("broken.jpg", timeout=60_000)
        expect(page.locator("#mcs-status")).to_contain_text("Your other inputs are still used")
        expect(page.locator("#mcs-photos img")).to_have_count(0)  # taken off the gallery, not a blank thumbnail
        page.locator("#mcs-generate").click()
        expect(page.locator("#mcs-status")).to_contain_text("Done in", timeout=120_000)
        expect(page.get_by_label("Draft title")).to_have_value("Bag")  # nothing the user typed is lost
        browser.close()


def test_api_batch_and_evaluate_through_gradio_client(server, tmp_path):
    import json

    from gradio_client import Client, handle_file

    from conftest import LUMA

    rows = [json.loads(line) for line in LUMA.read_text().splitlines()[:40]]
    catalog = tmp_path / "text-only.jsonl"  # text only: an uploaded catalog's relative photo paths do not travel
    catalog.write_text("".join(json.dumps({**r, "images": []}) + "\n" for r in rows))
    client = Client(server, verbose=False)

    results, summary = client.predict(handle_file(str(catalog)), {"fusion": "template"}, 3, api_name="/batch")
    lines = [json.loads(line) for line in Path(results).read_text().splitlines()]
    assert summary["done"] == 3 and [line["id"] for line in lines] == [r["id"] for r in rows[:3]]
    assert all(line["title"] and line["scores"]["title"] for line in lines)

    table, numbers = client.predict(handle_file(str(catalog)), "title", "template", 2, api_name="/evaluate")
    assert "template" in numbers and numbers["template"]["n"] == 2
    assert "METEOR" in table
