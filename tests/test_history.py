"""History in SQLite and settings carried inside PNG/MP4 files, on real generations."""
from __future__ import annotations

import json
import sqlite3
import threading
from pathlib import Path

import av
import numpy as np
import pytest
from PIL import Image

from engine.storage.history import History
from engine.storage.metadata import embed_png, read_settings, save_png, tag_mp4
from engine.pipeline import Studio
from engine.core.product import load_catalog
from engine.core.settings import Settings

LUMA = Path(__file__).resolve().parents[2] / "shared" / "data" / "luma" / "products.jsonl"
if not LUMA.exists():
    LUMA = Path("/work/shared/data/luma/products.jsonl")


@pytest.fixture(scope="module")
def results():
    """Three real generations with the template baseline (no LM: fast, deterministic)."""
    products = [p.model_copy(update={"images": p.images[:1]}) for p in load_catalog(LUMA, limit=3)]
    studio = Studio(device="cpu")
    settings = Settings(fusion="template", seed=3, tone="premium")
    return [studio.generate(p, settings.replace(seed=3 + i)) for i, p in enumerate(products)]


def test_add_get_keeps_everything(tmp_path, results):
    history = History(tmp_path / "h.sqlite")
    result = results[0]
    gid = history.add(result)
    assert history.add(result) == gid and len(history) == 1  # storing the same result twice: no-op
    row = history.get(gid)
    assert row["title"] == result.copy.title and row["bullets"] == result.copy.bullets
    assert row["product"]["title"] == result.product.title
    assert Settings.model_validate(row["settings"]) == result.settings  # restorable as-is
    assert row["seed"] == result.settings.seed
    assert row["models"] == result.models and row["timings"] == result.timings
    names = {s["name"] for s in row["scores"]["title"]}
    assert names == {s.name for s in result.scores["title"]}
    # A fresh History object on the same file sees the same row (nothing kept only in memory).
    assert History(tmp_path / "h.sqlite").get(gid)["outputs"]["title"] == result.copy.title


def test_edits_choice_and_search(tmp_path, results):
    history = History(tmp_path / "h.sqlite")
    ids = [history.add(r) for r in results]
    history.record_edit(ids[0], "title", "Hand-tuned hoodie for frosty mornings")
    history.record_edit(ids[0], "bullets", ["Warm", "Soft"])
    history.record_edit(ids[0], "title", "Hand-tuned hoodie, final")
    history.record_choice(ids[0], "description", 0)
    row = history.get(ids[0])
    assert [e["field"] for e in row["edits"]] == ["title", "bullets", "title"]
    assert all(e["at"] for e in row["edits"])
    assert row["title"] == "Hand-tuned hoodie, final" and row["bullets"] == ["Warm", "Soft"]
    assert row["outputs"]["title"] == results[0].copy.title  # what the generator wrote stays
    assert row["choice"] == {"description": 0}
    with pytest.raises(ValueError):
        history.record_edit(ids[0], "price", "1")
    with pytest.raises(KeyError):
        history.record_choice("nope", "title", 1)

    assert [r["id"] for r in history.search(limit=10)] == ids[::-1]  # newest first
    assert [r["id"] for r in history.search("frosty")] == [ids[0]]  # edits are searchable
    product_word = results[1].product.title.split()[0]
    assert ids[1] in [r["id"] for r in history.search(product_word)]
    assert history.search('"; DROP TABLE generations; --') == []  # input never reaches SQL/FTS syntax
    assert len(history) == 3


def test_regenerations_form_a_lineage(tmp_path, results):
    history = History(tmp_path / "h.sqlite")
    first = history.add(results[0])
    second = history.add(results[1], parent_id=first)
    third = history.add(results[2], parent_id=second)
    assert [r["id"] for r in history.children(first)] == [second]
    assert [r["id"] for r in history.lineage(third)] == [first, second, third]
    assert history.get(third)["parent_id"] == second
    with pytest.raises(KeyError):
        history.add(results[0].__class__(**{**results[0].__dict__, "id": "x1"}), parent_id="missing")


def test_threads_write_without_losing_rows(tmp_path, results):
    history = History(tmp_path / "h.sqlite")
    errors = []

    def work(n):
        try:
            for k in range(5):
                result = results[k % 3].__class__(**{**results[k % 3].__dict__, "id": f"t{n}-{k}"})
                gid = history.add(result)
                history.record_edit(gid, "description", f"edit {n} {k}")
                history.get(gid)
        except Exception as exc:  # surfaced below in the main thread
            errors.append(exc)

    threads = [threading.Thread(target=work, args=(n,)) for n in range(6)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors
    assert len(history) == 30
    with sqlite3.connect(tmp_path / "h.sqlite") as db:
        assert db.execute("SELECT COUNT(*) FROM edits").fetchone()[0] == 30


def test_png_carries_settings(tmp_path):
    settings = Settings(seed=42, tone="playful", style="studio", fusion="template")
    image = Image.new("RGB", (32, 32), "orange")
    path = save_png(image, tmp_path / "ad.png", settings)
    assert Settings.model_validate(read_settings(path)) == settings
    # Re-saving through PIL with embed_png keeps the chunk and any text already there.
    with Image.open(path) as reopened:
        reopened.load()
        reopened.text["Author"] = "team"
        reopened.save(tmp_path / "again.png", pnginfo=embed_png(reopened, settings.replace(seed=7)))
    with Image.open(tmp_path / "again.png") as again:
        assert again.text["Author"] == "team"
    assert read_settings(tmp_path / "again.png")["seed"] == 7
    Image.new("RGB", (8, 8)).save(tmp_path / "plain.png")
    assert read_settings(tmp_path / "plain.png") is None
    (tmp_path / "broken.png").write_bytes(b"not a png")
    assert read_settings(tmp_path / "broken.png") is None


def test_mp4_tag_by_remux(tmp_path):
    path = tmp_path / "clip.mp4"
    with av.open(str(path), "w") as out:
        stream = out.add_stream("libx264", rate=10)
        stream.width = stream.height = 64
        stream.pix_fmt = "yuv420p"
        for i in range(12):
            frame = av.VideoFrame.from_ndarray(np.full((64, 64, 3), i * 20, np.uint8), format="rgb24")
            for packet in stream.encode(frame):
                out.mux(packet)
        for packet in stream.encode():
            out.mux(packet)
    assert read_settings(path) is None
    settings = Settings(seed=9, narration=True, layout="classic")
    tag_mp4(path, settings)
    assert Settings.model_validate(read_settings(path)) == settings
    with av.open(str(path)) as container:  # same frames: remuxed, not re-encoded
        assert sum(1 for _ in container.decode(video=0)) == 12
        assert json.loads(container.metadata["comment"])["merchant_content_studio"]["settings"]["seed"] == 9
    assert read_settings(tmp_path / "missing.mp4") is None


def test_undo_keeps_the_log_and_shows_the_generated_text(tmp_path, results):
    # Issue 14.2: after "Undo my edits" the title, detail and lineage showed the undone text.
    history = History(tmp_path / "h.sqlite")
    parent = history.add(results[0])
    child = history.add(results[1], parent_id=parent)
    history.record_edit(parent, "title", "Undone title")
    history.record_edit(parent, "bullets", ["Undone bullet"])
    history.record_edit(parent, "description", "Undone description")
    history.record_choice(parent, "description", 0)  # a template result has no candidates: no text, a choice
    history.undo_edits(parent)
    row = history.get(parent)
    generated = results[0].copy
    assert row["title"] == generated.title and row["bullets"] == generated.bullets
    assert row["description"] == generated.description
    assert row["outputs"]["title"] == generated.title
    assert row["choice"] == {}  # no chosen candidate is in force after an undo
    log = [(e["field"], e.get("action")) for e in row["edits"]]
    assert log[:3] == [("title", "edit"), ("bullets", "edit"), ("description", "edit")]  # the log is kept
    assert sorted(log[3:]) == [("bullets", "undo"), ("description", "undo"), ("title", "undo")]
    assert history.search(limit=10)[-1]["title"] == generated.title
    assert history.lineage(child)[0]["title"] == generated.title
    assert history.lineage(parent)[0]["title"] == generated.title
    history.record_edit(parent, "title", "Edited again")  # edits after an undo apply on top of it
    assert history.get(parent)["title"] == "Edited again"
    history.undo_edits(parent)
    assert history.get(parent)["title"] == generated.title


def test_an_old_history_file_gains_the_edit_action(tmp_path, results):
    # A history written before undo was logged: its edits table has no action column.
    path = tmp_path / "old.sqlite"
    history = History(path)
    gid = history.add(results[0])
    with sqlite3.connect(path) as db:
        db.execute("ALTER TABLE edits DROP COLUMN action")
        db.execute("INSERT INTO edits (generation_id, field, text, at) VALUES (?, 'title', '\"Old edit\"', 'then')",
                   (gid,))
    reopened = History(path)
    assert reopened.get(gid)["title"] == "Old edit"
    reopened.undo_edits(gid)
    assert reopened.get(gid)["title"] == results[0].copy.title


def test_a_result_is_stored_and_restored_whole(tmp_path, results):
    """One way in (``Result.to_dict``) and one way out (``Result.from_dict``): checks, notes and provenance
    too, and the operator's edits applied to what comes back."""
    from engine.pipeline import Result

    history = History(tmp_path / "h.sqlite")
    result = results[1]
    history.add(result)
    back = Result.from_dict(history.result_dict(result.id))
    as_json = lambda r: json.loads(json.dumps(r.to_dict(), default=str))  # noqa: E731 (tuples are lists in JSON)
    assert as_json(back) == as_json(result)
    assert back.provenance and back.checks == result.checks and back.notes == result.notes
    history.record_edit(result.id, "title", "An edited title")
    assert Result.from_dict(history.result_dict(result.id)).copy.title == "An edited title"
