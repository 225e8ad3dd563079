"""``python -m engine``: the files it writes, and bad inputs refused with a message naming the file.

Most runs call ``engine.cli.main`` in this process (models load once per session) with the
rule-based template writer, because here the files and messages are the point, not the LM;
one run goes through a real ``python -m engine`` subprocess for the exit status and stderr.
"""
from __future__ import annotations

import io
import json
import os
import struct
import subprocess
import sys
import zlib
from pathlib import Path

import pytest
from PIL import Image

from engine.cli import main
from engine.core.paths import REPO_ROOT

from media import make_video

TEMPLATE = ["--fusion", "template"]


def write_product(folder: Path, **fields) -> Path:
    path = folder / "product.json"
    record = {"id": "P1", "title": "Canvas tote bag", "attributes": {"material": "Cotton canvas"}, **fields}
    path.write_text(json.dumps(record))
    return path


def test_generate_writes_result_json(tmp_path, sample_record):
    product = tmp_path / "mt05.json"
    product.write_text(json.dumps(sample_record))
    out = tmp_path / "out"
    assert main(["generate", str(product), "--out", str(out), "--seed", "7", *TEMPLATE,
                 "--reference-title", "Rocco Gym Tank"]) == 0
    data = json.loads((out / "result.json").read_text())
    copy = data["copy"]
    assert copy["title"] and copy["description"]
    assert len(copy["bullets"]) >= 1 and copy["keywords"]
    assert set(data["scores"]) == {"title", "description", "bullets", "keywords"}
    title_scores = {s["name"]: s for s in data["scores"]["title"]}
    assert title_scores["bleu"]["value"] is not None and title_scores["bleu"]["explanation"]
    assert data["settings"]["seed"] == 7 and data["settings"]["fusion"] == "template"
    assert data["timings"]["total"] >= data["timings"]["score"] >= 0
    assert data["references"] == {"title": "Rocco Gym Tank"}
    assert data["product"]["id"] == "MT05" and len(data["product"]["images"]) == 2


def test_settings_file_reproduces_a_result(tmp_path):
    product = write_product(tmp_path)
    assert main(["generate", str(product), "--out", str(tmp_path / "a"), "--seed", "11", "--platform", "ebay", *TEMPLATE]) == 0
    first = json.loads((tmp_path / "a" / "result.json").read_text())
    assert main(["generate", str(product), "--out", str(tmp_path / "b"),
                 "--settings", str(tmp_path / "a" / "result.json")]) == 0
    second = json.loads((tmp_path / "b" / "result.json").read_text())
    assert second["settings"] == first["settings"] and second["copy"] == first["copy"]


def test_batch_writes_one_line_per_product_and_resumes(tmp_path, sample_record):
    catalog = tmp_path / "catalog.jsonl"
    lines = [sample_record, {"id": "T2", "title": "Steel water bottle", "category": "Kitchen/Bottles",
                             "attributes": {"material": "Stainless steel", "capacity": "750 ml"}}]
    catalog.write_text("".join(json.dumps(r) + "\n" for r in lines))
    out = tmp_path / "out"
    assert main(["batch", str(catalog), "--out", str(out), *TEMPLATE]) == 0
    rows = [json.loads(l) for l in (out / "results.jsonl").read_text().splitlines()]
    assert [r["id"] for r in rows] == ["MT05", "T2"]
    for row in rows:
        assert {"id", "title", "description", "bullets", "keywords", "scores"} <= set(row)
        assert row["title"] and row["bullets"] and row["keywords"]
        assert "grounding" in row["scores"]["title"]
    assert main(["batch", str(catalog), "--out", str(out), *TEMPLATE]) == 0  # nothing left to do
    assert len((out / "results.jsonl").read_text().splitlines()) == 2


# ------------------------------------------------------------------------ bad inputs

def corrupt_jpeg(folder: Path) -> Path:
    data = io.BytesIO()
    Image.effect_noise((256, 256), 60).convert("RGB").save(data, "JPEG", quality=90)
    path = folder / "broken.jpg"
    path.write_bytes(data.getvalue()[: len(data.getvalue()) // 2])
    return path


def text_as_png(folder: Path) -> Path:
    path = folder / "notes.png"
    path.write_text("Material: cotton\nthis is not a picture\n")
    return path


def huge_png(folder: Path) -> Path:
    """A real PNG header claiming 100000 x 100000 pixels (a decompression bomb), almost no data."""
    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))
    header = struct.pack(">IIBBBBB", 100_000, 100_000, 8, 2, 0, 0, 0)
    path = folder / "huge.png"
    path.write_bytes(b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(b"\0" * 16))
                     + chunk(b"IEND", b""))
    return path


def empty_video(folder: Path) -> Path:
    path = folder / "empty.mp4"
    path.write_bytes(b"")
    return path


def long_video(folder: Path) -> Path:
    return make_video(folder / "long.mp4", seconds=62, size=(32, 32), fps=1)  # over the 60 s cap


BAD_INPUTS = {
    "corrupt jpeg": ("images", corrupt_jpeg, "corrupt"),
    "text named png": ("images", text_as_png, "not an image"),
    "oversized image": ("images", huge_png, "megapixel"),
    "0-byte video": ("videos", empty_video, "empty"),
    "video over the cap": ("videos", long_video, "60 s"),
}


@pytest.mark.parametrize("case", BAD_INPUTS)
def test_bad_input_exits_non_zero_naming_the_file(case, tmp_path, capsys):
    field, make, reason = BAD_INPUTS[case]
    bad = make(tmp_path)
    # A bad photo with no text to write from is refused; beside text it is skipped with a warning
    # (issue 24.6, tests/test_ingest.py).
    alone = {"title": "", "attributes": {}} if field == "images" else {}
    product = write_product(tmp_path, **{field: [str(bad)]}, **alone)
    out = tmp_path / "out"
    assert main(["generate", str(product), "--out", str(out), *TEMPLATE]) != 0
    message = capsys.readouterr().err
    assert message.startswith("error: ") and bad.name in message and reason in message.lower(), message
    assert "Traceback" not in message
    assert not (out / "result.json").exists()


def test_missing_product_file_is_named(tmp_path, capsys):
    assert main(["generate", str(tmp_path / "nowhere.json"), "--out", str(tmp_path)]) != 0
    assert "nowhere.json" in capsys.readouterr().err


def test_real_process_exit_status_and_message(tmp_path):
    product = write_product(tmp_path, images=[str(text_as_png(tmp_path))], title="", attributes={})  # nothing else
    env = {**os.environ, "HF_HUB_OFFLINE": "1"}
    done = subprocess.run([sys.executable, "-m", "engine", "generate", str(product), "--out", str(tmp_path / "out")],
                          cwd=REPO_ROOT, env=env, capture_output=True, text=True, timeout=120)
    assert done.returncode == 2
    assert "notes.png" in done.stderr and "not an image" in done.stderr
    assert "Traceback" not in done.stderr
