"""Text that does not fit (issue 12): a 200-character word with no spaces in a title or bullet,
and a product given as one photo and no text, through the ad images, the video (decoded back
with PyAV) and ``python -m engine generate``; and a failing step named, with what was made kept.

Photos are real Luma catalog photos; videos are kept small (low height and fps) where the API
allows, except where the crash needs the default 720 px wide frame."""
from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import av
import numpy as np
import pytest
from PIL import Image, ImageDraw

from engine.cli import main
from engine.creatives.cutout import cut_out
from engine.creatives.images import SIZES, make_creatives
from engine.creatives.layouts import fit_text as fit_block, list_layouts
from engine.creatives.steps import StepError, step
from engine.creatives.text_fit import ELLIPSIS, fit_line, fit_text, font, text_width, wrap
from engine.creatives.video import _Caption, caption_layout, frame_size, make_video, render_caption
from engine.core.errors import StudioError
from engine.core.paths import REPO_ROOT
from engine.core.settings import Settings

LUMA = Path(__file__).resolve().parents[2] / "shared" / "data" / "luma"
PHOTO = LUMA / "images" / "mt05-blue_main.jpg"
WORD = "".join("abcdefghij"[i % 10] for i in range(200))  # 200 characters, no space to wrap at
TITLE = f"Rocco Gym Tank {WORD}"
BULLETS = [f"Light blue heather gray tank. {WORD}", WORD, "Quick-drying, moisture-wicking."]
TEMPLATE = ["--fusion", "template"]


@pytest.fixture(scope="module")
def photo() -> Image.Image:
    if not PHOTO.exists():
        pytest.skip(f"Luma photos not found at {LUMA}")
    return Image.open(PHOTO).convert("RGB")


@pytest.fixture(scope="module")
def cutout(photo):
    return cut_out(photo, PHOTO.name)


def decode(path: Path) -> tuple[str, tuple[int, int], int]:
    """(codec, frame size, frames decoded): the file is read back to its last frame."""
    with av.open(str(path)) as container:
        stream = container.streams.video[0]
        frames = [f for f in container.decode(video=0)]
        return stream.codec_context.name, (frames[0].width, frames[0].height), len(frames)


def within(inner, outer) -> bool:
    return outer[0] <= inner[0] <= inner[2] <= outer[2] and outer[1] <= inner[1] <= inner[3] <= outer[3]


# -- the helper -----------------------------------------------------------------------------

@pytest.mark.parametrize("text", [WORD, TITLE, "Rocco Gym Tank", "W" * 40, "", "   "])
@pytest.mark.parametrize("box", [(600, 200), (604, 600), (120, 40), (30, 12), (5, 3), (1, 1)])
@pytest.mark.parametrize("bold", [False, True])
def test_fitted_text_never_exceeds_its_box(text, box, bold):
    width, height = box
    fitted = fit_text(text, width, height, max_size=48, min_size=14, bold=bold, max_lines=3)
    assert fitted.width <= width and fitted.height <= height, (fitted, box)
    assert len(fitted.lines) <= 3
    face = font(fitted.size, bold)
    for line in fitted.lines:  # the measured box is the widest line, measured again here
        assert text_width(face, line) <= width
    ascent, descent = face.getmetrics()
    if fitted.lines:
        assert fitted.height == (len(fitted.lines) - 1) * fitted.line_height + ascent + descent


def test_a_long_word_is_broken_not_dropped():
    face = font(30, True)
    lines = wrap(f"Tank {WORD} in blue", face, 300)
    assert "".join(lines).replace(" ", "") == f"Tank{WORD}inblue"  # every character kept, in order
    assert all(text_width(face, line) <= 300 for line in lines)
    fitted = fit_text(WORD, 300, 2000, max_size=30, min_size=12)
    assert not fitted.cut and "".join(fitted.lines) == WORD


def test_what_cannot_fit_is_cut_with_an_ellipsis():
    fitted = fit_text(WORD, 300, 60, max_size=30, min_size=14, max_lines=2)
    assert fitted.cut and fitted.lines[-1].endswith(ELLIPSIS) and len(fitted.lines) == 2
    assert fitted.size == 14  # shrunk to the floor before cutting
    assert fit_line("$" + "9" * 31, 120, 20, True).endswith(ELLIPSIS)
    assert fit_line("$24", 120, 20, True) == "$24"


def test_drawn_ink_stays_in_the_measured_box():
    """The measured box is the pixels: draw the fitted lines and find the ink."""
    fitted = fit_text(TITLE, 400, 200, max_size=40, min_size=12, bold=True, max_lines=4)
    canvas = Image.new("L", (400, 200), 0)
    draw = ImageDraw.Draw(canvas)
    for i, line in enumerate(fitted.lines):
        draw.text((0, i * fitted.line_height), line, font=fitted.font, fill=255)
    ys, xs = np.nonzero(np.asarray(canvas))
    assert xs.max() < fitted.width and ys.max() < fitted.height


# -- ad images ------------------------------------------------------------------------------

def test_long_word_renders_every_ad_size_inside_its_boxes(photo, cutout):
    # The longest price and call to action the settings accept, so the meta row is squeezed too.
    for layout in list_layouts():
        settings = Settings(layout=layout, style="gradient", price="$" + "9" * 31, call_to_action="W" * 40)
        creatives = make_creatives(photo, TITLE, settings, cutout=cutout, name=PHOTO.name)
        assert [c.size for c in creatives] == list(SIZES)
        for creative in creatives:
            width, height = SIZES[creative.size]
            assert creative.image.size == (width, height)
            roles = [t.role for t in creative.context.text]
            assert roles == (["title"] if layout == "minimal" else ["title", "price", "cta"]), (layout, creative.size)
            for text in creative.context.text:
                assert within(text.block.ink, (0, 0, width, height)), (layout, creative.size, text.role)
                if text.role == "title":
                    assert within(text.block.ink, text.block.box), (layout, creative.size)


def test_title_block_in_a_box_lower_than_a_line():
    block = fit_block(WORD, (10, 10, 300, 18), max_size=40, min_size=14, bold=True)
    assert within(block.ink, block.box) and block.lines


# -- video ------------------------------------------------------------------------------------

@pytest.mark.parametrize("aspect", ["9x16", "1x1"])
@pytest.mark.parametrize("bold", [True, False])
def test_caption_card_is_inside_the_frame_at_default_size(aspect, bold):
    size = frame_size(aspect)
    for text in (WORD, TITLE, BULLETS[0], "Rocco Gym Tank"):
        layout = caption_layout(text, size, bold, bottom_margin=round(size[1] * 0.16))
        assert layout.fit.width <= layout.room[0] and layout.fit.height <= layout.room[1]
        assert len(layout.fit.lines) <= 3
        x, y = layout.position
        assert within((x, y, x + layout.card[0], y + layout.card[1]), (0, 0, *size)), (aspect, text[:20])
        card, position = render_caption(text, size, bold, round(size[1] * 0.16))
        assert card.size == layout.card and position == layout.position


def test_caption_wider_than_the_frame_is_refused_by_name():
    # The card the old wrapping made for a 48-character word: 882 px into a 720 px frame.
    with pytest.raises(ValueError, match="caption card 882x178 at .* is outside the 720x1280 frame"):
        _Caption(Image.new("RGBA", (881, 178)), (-81, 900), (720, 1280))


@pytest.mark.parametrize("aspect,size", [("9x16", (180, 320)), ("1x1", (320, 320))])
def test_long_word_video_plays(photo, tmp_path, aspect, size):
    r = make_video([photo], TITLE, BULLETS, tmp_path / f"{aspect}.mp4", aspect, height=320, fps=8, score=False)
    codec, frame, n = decode(r.path)
    assert (codec, frame) == ("h264", size)
    assert n == round(r.duration * 8)
    assert any(WORD[:20] in text for _, _, text in r.captions)


def test_long_title_at_full_width_720_plays(photo, tmp_path):
    """720 px wide is where the report's caption (3380 px) overflowed; 6 s at 4 fps keeps it short."""
    r = make_video([photo], TITLE, [WORD], tmp_path / "wide.mp4", "1x1", seconds=6, fps=4, score=False)
    assert decode(r.path)[1:] == ((720, 720), round(r.duration * 4))


# -- failures name their step and keep what was made --------------------------------------------

def test_an_unexpected_error_names_its_step():
    with pytest.raises(StepError) as info:
        with step("video 9x16: rendering the caption for frame 12", made=["kept"]):
            np.zeros((178, 82)) * np.zeros((178, 882))  # the numpy error from the report
    message = str(info.value)
    assert message.startswith("video 9x16: rendering the caption for frame 12 failed (ValueError: operands")
    assert info.value.made == ["kept"] and isinstance(info.value, StudioError)
    with pytest.raises(StudioError, match="^no photo$"):  # a message for the user passes unchanged
        with step("ad image 1x1"):
            raise StudioError("no photo")


def test_write_media_keeps_the_rest_when_a_file_fails(studio, tmp_path):
    from engine.storage.media import write_media
    from engine.core.product import Product

    product = Product(title="Rocco Gym Tank", bullets=[WORD], images=[str(PHOTO)])
    ingested = studio.ingest(product)
    result = studio.generate(ingested, Settings(fusion="template"))
    out = tmp_path / "out"
    (out / "image-4x5-1080x1350.png").mkdir(parents=True)  # squatters: these two files cannot be written
    (out / "video-1x1.mp4").mkdir()
    media = write_media(studio, ingested, result, out, videos=("1x1",))
    assert sorted(i["size"] for i in media["images"]) == sorted(set(SIZES) - {"4x5"})
    assert all(Path(i["path"]).is_file() for i in media["images"])
    assert media["videos"] == []
    assert len(media["problems"]) == 2
    assert media["problems"][0].startswith("ad image 4x5: saving image-4x5-1080x1350.png failed (IsADirectoryError")
    assert media["problems"][1].startswith("video 1x1: encoding video-1x1.mp4 failed (")


# -- the CLI ------------------------------------------------------------------------------------

def test_one_photo_and_no_text_gives_images_and_videos(tmp_path):
    product = tmp_path / "photo-only.json"
    product.write_text(json.dumps({"images": [str(PHOTO)]}))
    out = tmp_path / "out"
    assert main(["generate", str(product), "--out", str(out), *TEMPLATE]) == 0
    data = json.loads((out / "result.json").read_text())
    assert data["copy"]["title"] == "" and data["warnings"]  # no copy invented from a photo
    media = data["media"]
    assert media["problems"] == []
    assert sorted(i["size"] for i in media["images"]) == sorted(SIZES)
    for video in media["videos"]:
        codec, size, n = decode(Path(video["path"]))
        assert codec == "h264" and list(size) == video["pixels"] and n > 0


def test_cli_long_word_product_exits_0_with_media(tmp_path):
    record = json.loads(next(line for line in (LUMA / "products.jsonl").read_text().splitlines()
                             if json.loads(line)["id"] == "MT05"))
    record.update(title=TITLE, bullets=BULLETS, images=[str(LUMA / p) for p in record["images"][:2]])
    product = tmp_path / "long-word.json"
    product.write_text(json.dumps(record))
    out = tmp_path / "out"
    run = subprocess.run([sys.executable, "-m", "engine", "generate", str(product), "--out", str(out), *TEMPLATE],
                         cwd=REPO_ROOT, capture_output=True, text=True, env={**os.environ, "HF_HUB_OFFLINE": "1"})
    assert run.returncode == 0, run.stderr[-2000:]
    assert "warning" not in run.stderr and "Traceback" not in run.stderr
    media = json.loads((out / "result.json").read_text())["media"]
    assert media["problems"] == []
    assert sorted(i["size"] for i in media["images"]) == sorted(SIZES)
    assert sorted(v["aspect"] for v in media["videos"]) == ["1x1", "9x16"]
    for video in media["videos"]:
        codec, size, n = decode(Path(video["path"]))
        assert codec == "h264" and list(size) == video["pixels"] and n == round(video["duration"] * 24)


def test_cli_unexpected_error_is_one_line_and_exit_3(tmp_path, capsys, monkeypatch):
    product = tmp_path / "p.json"
    product.write_text(json.dumps({"title": "Canvas tote bag", "attributes": {"material": "Cotton canvas"}}))
    out = tmp_path / "out"
    (out / "result.json").mkdir(parents=True)  # a folder where the result file goes: an OSError, not a user error
    monkeypatch.delenv("MCS_DEBUG", raising=False)
    assert main(["generate", str(product), "--out", str(out), "--no-media", *TEMPLATE]) == 3
    err = capsys.readouterr().err
    assert "error: generate failed unexpectedly: IsADirectoryError: " in err
    assert "run with MCS_DEBUG=1 for the traceback" in err and "Traceback" not in err
    monkeypatch.setenv("MCS_DEBUG", "1")
    assert main(["generate", str(product), "--out", str(out), "--no-media", *TEMPLATE]) == 3
    assert "Traceback" in capsys.readouterr().err


def test_studio_panel_shows_images_for_a_photo_without_text(studio):
    """The Create tab's image button on a photo-only product: the images, no error."""
    from engine.copywriting.copy import Copy
    from engine.core.product import Product
    from studio.creatives_panel import make_images

    product = Product(images=[str(PHOTO)])
    saved, creatives, problem = make_images(studio, product, Copy(), Settings(fusion="template"))
    assert problem == ""
    assert [item["size"] for item in saved] == [c.size for c in creatives] == list(SIZES)
    assert all(Image.open(item["path"]).size == SIZES[item["size"]] for item in saved)
