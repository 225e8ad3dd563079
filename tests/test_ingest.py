"""Ingest refuses bad files with a message naming the file and the problem, and cleans the rest.

Every bad file here is a real file made at test time (truncated JPEG, text named .png, PNG
header claiming huge dimensions, 0-byte and sound-only clips, a clip over the duration cap).
"""
from __future__ import annotations

import io
import struct
import zlib
from pathlib import Path

import numpy as np
import pytest
from PIL import Image, ImageDraw, ImageFilter

from engine.core.errors import IngestError, StudioError
from engine.ingest import (IngestLimits, Ingested, clean_text, extract_keyframes, ingest, load_photo,
                           parse_attribute_lines)
from engine.ingest.video import _choose, _describe, sharpness
from engine.core.product import Product, load_catalog
from engine.core.settings import Settings

from media import SCENE_COLOURS, make_audio_only, make_video

LUMA = Path(__file__).resolve().parents[2] / "shared" / "data" / "luma" / "products.jsonl"  # ../shared/data
needs_luma = pytest.mark.skipif(not LUMA.exists(), reason="luma catalog not present")


def _photo(size=(64, 48), colour=(200, 30, 30), mode="RGB") -> Image.Image:
    image = Image.new(mode, size, colour if mode == "RGB" else colour + (255,))
    ImageDraw.Draw(image).rectangle([0, 0, size[0] // 4, size[1] // 4], fill=(0, 0, 255) + ((255,) if mode == "RGBA" else ()))
    return image


def _save(image: Image.Image, path: Path, **kwargs) -> Path:
    image.save(path, **kwargs)
    return path


def _png_header(width: int, height: int) -> bytes:
    """A PNG whose header claims ``width`` x ``height`` RGB pixels but holds almost no data."""
    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))
    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(b"\0" * 16)) + chunk(b"IEND", b"")


def _refused(call, *names_and_words):
    with pytest.raises(IngestError) as info:
        call()
    message = str(info.value).lower()
    for word in names_and_words:
        assert word.lower() in message, f"{word!r} not in {message!r}"
    return info.value


# ---------------------------------------------------------------- photos: refused

def test_truncated_jpeg_is_refused(tmp_path):
    data = io.BytesIO()
    Image.effect_noise((256, 256), 60).convert("RGB").save(data, "JPEG", quality=90)
    path = tmp_path / "cut.jpg"
    path.write_bytes(data.getvalue()[: len(data.getvalue()) // 2])
    error = _refused(lambda: load_photo(path), "cut.jpg", "corrupt or truncated")
    assert "JPEG, PNG, WebP, GIF or HEIC" in error.accepted


def test_text_named_png_is_not_an_image(tmp_path):
    path = tmp_path / "notes.png"
    path.write_text("Material: cotton\nthis is not a picture\n")
    _refused(lambda: load_photo(path), "notes.png", "not an image")


def test_bmp_is_refused_by_content(tmp_path):
    path = _save(_photo(), tmp_path / "scan.jpg", format="BMP")  # a BMP wearing a .jpg name
    _refused(lambda: load_photo(path), "scan.jpg", "not an image")


def test_empty_and_missing_photos_are_refused(tmp_path):
    empty = tmp_path / "empty.jpg"
    empty.write_bytes(b"")
    _refused(lambda: load_photo(empty), "empty.jpg", "empty", "0 bytes")
    _refused(lambda: load_photo(tmp_path / "gone.png"), "gone.png", "not found")
    _refused(lambda: load_photo(b"", name="upload.webp"), "upload.webp", "empty")


def test_pixel_cap_is_checked_from_the_header(tmp_path):
    # a header claiming 8000x6000 (48 MP, under PIL's own bomb limit) with no pixel data behind it
    path = tmp_path / "bomb.png"
    path.write_bytes(_png_header(8000, 6000))
    _refused(lambda: load_photo(path), "bomb.png", "8000x6000", "48.0 megapixels", "over the 40.0 megapixels limit")
    # 100000 x 100000: PIL refuses to even open it; still our message, naming the file
    huge = tmp_path / "huge.png"
    huge.write_bytes(_png_header(100_000, 100_000))
    _refused(lambda: load_photo(huge), "huge.png", "too large")
    # a real, complete image over a small cap
    small_cap = IngestLimits(max_image_pixels=1000)
    real = _save(_photo((64, 48)), tmp_path / "real.png")
    _refused(lambda: load_photo(real, limits=small_cap), "real.png", "64x48", "3,072 pixels", "1,000 pixels")


def test_byte_cap(tmp_path):
    path = _save(Image.effect_noise((200, 200), 80).convert("RGB"), tmp_path / "big.png")
    _refused(lambda: load_photo(path, limits=IngestLimits(max_image_bytes=10_000)), "big.png", "mb limit")
    _refused(lambda: load_photo(path.read_bytes(), name="big.png", limits=IngestLimits(max_image_bytes=10_000)),
             "big.png", "mb limit")


# ---------------------------------------------------------------- photos: accepted

def test_exif_rotated_jpeg_is_turned_upright(tmp_path):
    image = _photo((80, 40))  # landscape pixels, blue marker top-left
    exif = Image.Exif()
    exif[0x0112] = 6  # "rotate 90 clockwise to display": phones store portrait shots like this
    path = _save(image, tmp_path / "phone.jpg", exif=exif, quality=95)
    photo = load_photo(path)
    assert photo.image.size == (40, 80) and photo.image.mode == "RGB" and photo.name == "phone.jpg"
    r, g, b = photo.image.getpixel((35, 5))  # after a clockwise turn the marker sits top-right
    assert b > 150 and r < 100


def test_rgba_png_keeps_alpha_and_composites_on_white(tmp_path):
    image = Image.new("RGBA", (40, 40), (0, 0, 0, 0))
    ImageDraw.Draw(image).rectangle([10, 10, 29, 29], fill=(200, 0, 0, 255))
    photo = load_photo(_save(image, tmp_path / "cutout.png"))
    assert photo.image.mode == "RGB" and photo.alpha is not None and photo.alpha.mode == "L"
    assert photo.image.getpixel((0, 0)) == (255, 255, 255)
    assert photo.image.getpixel((20, 20)) == (200, 0, 0)
    assert photo.alpha.getpixel((0, 0)) == 0 and photo.alpha.getpixel((20, 20)) == 255
    opaque = load_photo(_save(_photo(mode="RGBA"), tmp_path / "opaque.png"))
    assert opaque.alpha is None  # an alpha channel that hides nothing is not a cut-out


def test_webp_and_bytes_and_downscale(tmp_path):
    webp = load_photo(_save(_photo((300, 150)), tmp_path / "shot.webp", quality=90),
                      limits=IngestLimits(max_image_side=100))
    assert webp.image.size == (100, 50) and webp.image.mode == "RGB"
    data = io.BytesIO()
    _photo((2400, 1200)).save(data, "JPEG")
    big = load_photo(data.getvalue(), name="upload.jpg")
    assert big.image.size == (1024, 512) and big.name == "upload.jpg"


# ---------------------------------------------------------------- video

@pytest.fixture(scope="module")
def clip(tmp_path_factory) -> Path:
    return make_video(tmp_path_factory.mktemp("video") / "demo.mp4", seconds=3.0)


@pytest.mark.parametrize("container", ["mp4", "mov", "webm"])
def test_keyframes_from_a_valid_clip(tmp_path, container):
    path = make_video(tmp_path / f"turn.{container}", seconds=3.0, codec_container=container)
    frames = extract_keyframes(path)
    assert 2 <= len(frames) <= IngestLimits().max_keyframes_per_video
    times = [f.timestamp for f in frames]
    assert times == sorted(set(times)) and 0.0 <= times[0] and times[-1] <= 3.0
    assert all(f.image.mode == "RGB" and f.image.size == (160, 120) and f.source == f"turn.{container}"
               for f in frames)
    assert all(f.sharpness > 0 for f in frames)
    assert len({int(t) for t in times}) == 3  # spread over the clip: one pick or more in every second


def test_keyframes_cover_each_scene_colour(clip):
    frames = extract_keyframes(clip)
    found = set()
    for frame in frames:
        pixels = np.asarray(frame.image).reshape(-1, 3).astype(float)
        brightest = pixels[pixels.sum(1) < 600].max(0)  # the lighter checker squares = scene colour
        found.add(int(np.argmin([np.abs(brightest - np.array(c)).sum() for c in SCENE_COLOURS[:3]])))
    assert found == {0, 1, 2}


def test_keyframe_cap_and_downscale(clip):
    frames = extract_keyframes(clip, IngestLimits(max_keyframes_per_video=2, max_image_side=80))
    assert len(frames) == 2 and all(f.image.size == (80, 60) for f in frames)


def test_video_over_duration_cap_is_refused(clip):
    error = _refused(lambda: extract_keyframes(clip, IngestLimits(max_video_seconds=2)),
                     "demo.mp4", "3.0 s long", "2 s limit")
    assert isinstance(error, StudioError)


def test_bad_videos_are_refused(tmp_path, clip):
    empty = tmp_path / "empty.mp4"
    empty.write_bytes(b"")
    _refused(lambda: extract_keyframes(empty), "empty.mp4", "empty", "0 bytes")
    text = tmp_path / "fake.mov"
    text.write_text("not a video at all\n" * 50)
    _refused(lambda: extract_keyframes(text), "fake.mov", "not a readable video")
    cut = tmp_path / "cut.mp4"
    cut.write_bytes(clip.read_bytes()[: clip.stat().st_size // 2])  # the index (moov) is at the end
    _refused(lambda: extract_keyframes(cut), "cut.mp4", "not a readable video")
    damaged = bytearray(clip.read_bytes())
    start = damaged.find(b"mdat") + 200  # noise over the first frames' compressed data
    damaged[start:start + 8000] = np.random.default_rng(0).integers(0, 256, 8000, dtype=np.uint8).tobytes()
    (tmp_path / "damaged.mp4").write_bytes(bytes(damaged))
    _refused(lambda: extract_keyframes(tmp_path / "damaged.mp4"), "damaged.mp4", "cannot be decoded")
    _refused(lambda: extract_keyframes(make_audio_only(tmp_path / "voice.mp4")), "voice.mp4", "no video track")
    avi = tmp_path / "clip.avi"
    avi.write_bytes(clip.read_bytes())
    _refused(lambda: extract_keyframes(avi), "clip.avi", ".avi", "MP4, MOV or WebM")
    _refused(lambda: extract_keyframes(clip, IngestLimits(max_video_bytes=1000)), "demo.mp4", "mb limit")
    _refused(lambda: extract_keyframes(tmp_path / "gone.webm"), "gone.webm", "not found")


def test_blurry_frames_are_skipped_and_duplicates_dropped():
    base = Image.new("RGB", (160, 120))
    base.paste(Image.fromarray((np.indices((120, 160)).sum(0) // 8 % 2 * 200).astype(np.uint8)).convert("RGB"))
    blurred = base.filter(ImageFilter.GaussianBlur(4))
    assert sharpness(np.asarray(blurred.convert("L"))) < 0.1 * sharpness(np.asarray(base.convert("L")))
    pattern = (np.indices((120, 160)).sum(0) // 8 % 2).astype(bool)
    other = np.full((120, 160, 3), (20, 120, 40), np.uint8)
    other[pattern] = (250, 250, 250)
    other = Image.fromarray(other)  # a different scene (colours), as detailed as the first
    candidates = [_describe(base, 0.0), _describe(base.copy(), 0.5), _describe(blurred, 1.0),
                  _describe(other, 1.5)]
    chosen = _choose(candidates, 5, duration=2.0)
    assert [c.timestamp for c in chosen] == [0.0, 1.5]  # duplicate at 0.5 and blur at 1.0 left out


# ---------------------------------------------------------------- text

def test_clean_text_strips_html_and_caps_at_a_word():
    text, notes = clean_text("<p>Soft &amp; warm&nbsp;hoodie</p><script>alert(1)</script>"
                             "<ul><li>Ribbed   cuffs</li></ul>", 5000, "description")
    assert text == "Soft & warm hoodie\n\n- Ribbed cuffs"
    assert notes == ["description: HTML tags removed"]
    capped, notes = clean_text("lightweight " * 600, 5000, "description")
    assert len(capped) <= 5000 and capped.endswith("lightweight")
    assert any("description cut to 5000 characters" in n for n in notes)
    assert clean_text("5 < 10 and a>b", 100, "title") == ("5 < 10 and a>b", [])
    assert clean_text(" Two\n lines\u200b ", 100, "title", single_line=True)[0] == "Two lines"


def test_attribute_lines_leave_prose_alone():
    attributes, rest = parse_attribute_lines(
        "A warm hoodie for cold mornings.\nMaterial: Cotton\n- Country of Origin: India\n"
        "Ideal for cold-weather training or work outdoors: the hoodie keeps you warm\n"
        "Open at 10:30 daily\nhttps://shop.example/x")
    assert attributes == {"material": "Cotton", "country_of_origin": "India"}
    assert rest.splitlines() == ["A warm hoodie for cold mornings.",
                                 "Ideal for cold-weather training or work outdoors: the hoodie keeps you warm",
                                 "Open at 10:30 daily", "https://shop.example/x"]


# ---------------------------------------------------------------- ingest()

def test_ingest_cleans_text_and_merges_attributes(tmp_path, clip):
    photo = _save(_photo(), tmp_path / "front.jpg")
    product = Product(title="  <b>Chaz</b>   Hoodie ", description="<p>Warm &amp; soft.</p>Material: Wool\nFit: relaxed",
                      bullets=["<li>Drawstring hood</li>", "  "], brand="Luma", category="Men/Tops",
                      attributes={"material": "Cotton", "colors": ["Black", "Gray"], "eco": True, "_other": ["1 year warranty"]},
                      price=52.0, currency="USD", images=[str(photo)], videos=[str(clip)])
    result = ingest(product)
    assert isinstance(result, Ingested)
    assert result.product.title == "Chaz Hoodie" and result.product.description == "Warm & soft."
    assert result.product.bullets == ["Drawstring hood"]
    assert result.attributes == {"material": "Cotton", "colors": "Black, Gray", "eco": "Yes", "fit": "relaxed"}
    assert len(result.photos) == 1 and 1 <= len(result.keyframes) <= 5
    source = result.source_text()
    for needle in ("Chaz Hoodie", "Warm & soft.", "Drawstring hood", "Men/Tops", "Luma", "colors: Black, Gray",
                   "fit: relaxed", "1 year warranty", "52"):
        assert needle in source
    assert product.title == "  <b>Chaz</b>   Hoodie "  # the caller's product is left as it was
    assert any("attribute line" in n for n in result.notes)  # news, not a problem: not a warning
    assert not any("attribute line" in w for w in result.warnings)
    assert result.content_hash() == ingest(product).content_hash()
    assert result.content_hash() != ingest(product.model_copy(update={"title": "Chaz Hoodie 2"})).content_hash()


def test_ingest_caps_and_warns(tmp_path):
    paths = [str(_save(_photo(colour=(10 * i, 0, 0)), tmp_path / f"p{i}.png")) for i in range(3)]
    product = Product(title="word " * 100, description="x " * 40, images=paths)
    result = ingest(product, IngestLimits(max_images=2, max_title_chars=50, max_text_chars=20))
    assert len(result.photos) == 2 and len(result.product.title) <= 50 and len(result.product.description) <= 20
    assert "title cut to 50 characters" in " ".join(result.warnings)
    assert "only the first 2" in " ".join(result.warnings)


def test_ingest_names_the_bad_file(tmp_path):
    # A bad photo with nothing else to go on is refused, naming the file.
    bad = tmp_path / "label.png"
    bad.write_text("hello")
    _refused(lambda: ingest(Product(images=[str(bad)])), "label.png", "not an image")


def test_a_bad_photo_beside_good_ones_is_skipped_by_name(tmp_path):
    # Issue 14.12: one bad photo used to stop everything although a good one was there.
    good = str(_save(_photo(), tmp_path / "front.jpg"))
    also_good = str(_save(_photo(colour=(0, 120, 0)), tmp_path / "back.png"))
    bad = tmp_path / "label.png"
    bad.write_text("hello")
    result = ingest(Product(title="Mug", images=[good, str(bad), also_good]))
    assert [p.name for p in result.photos] == ["front.jpg", "back.png"]
    skipped = [w for w in result.warnings if "label.png" in w]
    assert len(skipped) == 1 and "skipped" in skipped[0] and "not an image" in skipped[0]
    assert result.product.images == [good, also_good]  # history and a restore keep the photos used
    # Only bad files and no text: nothing to go on, the clear message as before (naming the first).
    worse = tmp_path / "empty.jpg"
    worse.write_bytes(b"")
    _refused(lambda: ingest(Product(images=[str(bad), str(worse)])), "label.png", "not an image")


def test_a_bad_photo_alone_beside_text_follows_the_same_rule(tmp_path):
    # Issue 24.6: a bad photo next to valid text stopped everything ("Nothing generated"), while beside a
    # good photo it was skipped. One rule now: skipped with the same named warning, the text still used.
    good = str(_save(_photo(), tmp_path / "front.jpg"))
    bad = tmp_path / "label.png"
    bad.write_text("hello")
    beside_photo = ingest(Product(title="Mug", images=[good, str(bad)]))
    beside_text = ingest(Product(title="Mug", images=[str(bad)]))
    warning = [w for w in beside_photo.warnings if "label.png" in w]
    assert [w for w in beside_text.warnings if "label.png" in w] == warning
    assert warning[0].startswith("photo skipped: label.png: not an image")
    assert beside_text.photos == [] and beside_text.product.images == [] and beside_text.product.title == "Mug"
    # two bad ones beside text: both named, in order
    worse = tmp_path / "empty.jpg"
    worse.write_bytes(b"")
    both = ingest(Product(title="Mug", images=[str(bad), str(worse)]))
    assert [w.split(":")[1].strip() for w in both.warnings] == ["label.png", "empty.jpg"]


def test_a_bad_photo_beside_text_still_gets_its_copy_written(studio, tmp_path):
    bad = tmp_path / "label.png"
    bad.write_text("hello")
    result = studio.generate(Product(title="Canvas tote bag", attributes={"material": "Cotton canvas"},
                                     images=[str(bad)]), Settings(fusion="template"), store=False)
    assert result.copy.title and result.copy.description and result.copy.bullets
    assert any(w.startswith("photo skipped: label.png: not an image") for w in result.warnings)


def test_attribute_lines_read_are_a_note_not_a_warning():
    # Issue 14.6: a successful read showed as "⚠️ read 2 attribute line(s)".
    result = ingest(Product(title="Watch", description="A sturdy watch.\nStrap Color: Black\nCase: Steel"))
    assert result.notes == ["read 2 attribute line(s) from the description: strap_color, case"]
    assert result.warnings == []
    assert result.product.attributes == {"strap_color": "Black", "case": "Steel"}  # stored, so a restore has them


@needs_luma
def test_ingest_real_luma_products():
    products = load_catalog(LUMA, limit=3)
    for product in products:
        result = ingest(product)
        assert result.product.title == product.title.strip()
        assert len(result.photos) == len(product.images[:12]) > 0
        assert all(p.image.mode == "RGB" and max(p.image.size) <= 1024 for p in result.photos)
        assert result.attributes and all(isinstance(v, str) for v in result.attributes.values())
        assert product.title in result.source_text() and len(result.content_hash()) == 64


def test_a_shops_line_is_no_attribute():
    attributes, rest = parse_attribute_lines(
        "Flipkart.com: Buy Playboy London And New York Combo Set online only for Rs. 599\n"
        "Note: Buy two, save more\nMaterial: Cotton")
    assert attributes == {"material": "Cotton"}  # a web address's line and a "Buy ..." value stay text
    assert "Flipkart.com" in rest and "Buy two" in rest
