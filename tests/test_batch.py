"""Catalog batch: CSV/JSONL catalogs, exactly-once resume after SIGKILL, products written at once
(the one path itself, batch against Create: tests/test_batch_one_path.py)."""
from __future__ import annotations

import csv
import json
import os
import signal
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path

import pytest

from engine.workflows.batch import _drop_partial_last_line, read_results
from engine.inputs.catalog import read_catalog
from engine.core.errors import IngestError
from engine.core.settings import Settings
from conftest import luma_catalog

ROOT = Path(__file__).resolve().parents[1]
LUMA = ROOT.parent / "shared" / "data" / "luma" / "products.jsonl"


def test_csv_catalog_with_documented_header(tmp_path):
    (tmp_path / "photos").mkdir()
    path = tmp_path / "catalog.csv"
    with path.open("w", encoding="utf-8-sig", newline="") as handle:  # Excel writes a BOM
        writer = csv.writer(handle, delimiter=";")
        writer.writerow(["ID", "Title", "Brand", "Product Type", "Price", "Currency", "Material", "Bullets", "Images"])
        writer.writerow(["A1", "Chaz Hoodie", "Luma", "Men/Tops/Hoodies", "$1,299.50", "USD", "Wool",
                         "Warm | Soft\nHood", "photos/a.jpg|photos/b.jpg"])
        writer.writerow(["", "Steel bottle", "", "Kitchen", "12,50", "EUR", "", "", ""])
    first, second = read_catalog(path)
    assert first.id == "A1" and first.title == "Chaz Hoodie" and first.brand == "Luma"
    assert first.category == "Men/Tops/Hoodies" and first.price == 1299.5 and first.currency == "USD"
    assert first.attributes == {"material": "Wool"}
    assert first.bullets == ["Warm", "Soft", "Hood"]
    assert first.images == [str(tmp_path / "photos/a.jpg"), str(tmp_path / "photos/b.jpg")]
    assert second.id == "row-3" and second.price == 12.5 and second.images == []


def test_catalog_errors_name_file_line_and_fix(tmp_path):
    duplicate = tmp_path / "dup.csv"
    duplicate.write_text("id,title\nX,One\nX,Two\n", encoding="utf-8")
    assert [p.title for p in read_catalog(duplicate)] == ["One"]  # the later row is set aside (tests/test_batch_failures.py)
    empty_row = tmp_path / "empty.csv"
    empty_row.write_text("id,title,notes\nA,,\n", encoding="utf-8")
    with pytest.raises(IngestError, match=r"empty.csv: line 2 \(id A\): .*photo.*no row can run"):
        read_catalog(empty_row)
    no_header = tmp_path / "nohead.csv"
    no_header.write_text("sku,colour\n1,red\n", encoding="utf-8")
    with pytest.raises(IngestError, match="none of title, description, images"):
        read_catalog(no_header)
    with pytest.raises(IngestError, match="unsupported catalog type '.xlsx'"):
        (tmp_path / "c.xlsx").write_bytes(b"PK")
        read_catalog(tmp_path / "c.xlsx")
    jsonl_path, ids = luma_catalog(tmp_path, 3)
    assert [p.id for p in read_catalog(jsonl_path)] == ids


def test_line_separator_inside_a_value_is_not_a_row_break(tmp_path):
    # U+2028 occurs in real catalogs (pasted from web pages); str.splitlines() breaks rows on it.
    text = "Soft\u2028Warm"
    results = tmp_path / "results.jsonl"
    results.write_text(json.dumps({"id": "A", "title": text}, ensure_ascii=False) + "\n", encoding="utf-8")
    assert [r["title"] for r in read_results(results)] == [text]
    path = tmp_path / "catalog.csv"
    path.write_text(f"ID,Title,Description\nA1,Hoodie,{text}\nA2,Tee,Cotton\n", encoding="utf-8")
    assert [(p.id, p.description) for p in read_catalog(path)] == [("A1", text), ("A2", "Cotton")]


def test_partial_last_line_is_dropped(tmp_path):
    path = tmp_path / "results.jsonl"
    path.write_text('{"id": "A"}\n{"id": "B"}\n{"id": "C', encoding="utf-8")
    _drop_partial_last_line(path)
    assert [r["id"] for r in read_results(path)] == ["A", "B"]


def test_sigkill_mid_batch_then_resume_gives_every_product_once(tmp_path):
    catalog, ids = luma_catalog(tmp_path, 40)
    out = tmp_path / "out"
    results = out / "results.jsonl"
    command = [sys.executable, "-m", "engine", "--device", "cpu", "batch", str(catalog), "--out", str(out),
               "--fusion", "template"]
    env = {**os.environ, "HF_HUB_OFFLINE": "1", "MCS_DATA_DIR": str(tmp_path / "data")}
    process = subprocess.Popen(command, cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    deadline = time.monotonic() + 300
    while time.monotonic() < deadline and process.poll() is None:
        if results.exists() and results.read_text(encoding="utf-8").count("\n") >= 2:
            break
        time.sleep(0.02)
    assert process.poll() is None, f"batch ended before it could be killed: {process.stderr.read().decode()[-2000:]}"
    process.send_signal(signal.SIGKILL)
    process.wait()
    assert process.returncode == -signal.SIGKILL
    finished = read_results(results)
    assert 2 <= len(finished) < len(ids)
    # A kill during a write leaves a torn last line; simulate the worst case.
    with results.open("a", encoding="utf-8") as handle:
        handle.write('{"id": "' + ids[len(finished)] + '", "title": "cut sh')

    resumed = subprocess.run([*command, "--export", "shopify,jsonl"], cwd=ROOT, env=env, capture_output=True,
                             text=True, timeout=600)
    assert resumed.returncode == 0, resumed.stderr[-2000:]
    assert f"({len(finished)} already done)" in resumed.stdout
    rows = read_results(results)
    assert Counter(r["id"] for r in rows) == Counter(ids)  # every product, exactly once
    assert [r["id"] for r in rows[: len(finished)]] == [r["id"] for r in finished]  # nothing redone
    assert results.read_text(encoding="utf-8").endswith("\n")
    with (out / "products_shopify.csv").open(encoding="utf-8", newline="") as handle:
        skus = [line["Variant SKU"] for line in csv.DictReader(handle) if line["Title"]]
    assert sorted(skus) == sorted(ids)


def test_run_batch_in_process_stores_history_and_stops(tmp_path, studio):
    from engine.workflows.batch import run_batch
    from engine.storage.history import History

    catalog, ids = luma_catalog(tmp_path, 4)
    history = History(tmp_path / "history.sqlite")
    seen = []
    summary = run_batch(catalog, tmp_path / "out", Settings(fusion="template"), studio=studio, history=history,
                        progress=lambda done, total, record: seen.append((done, total, record["id"])),
                        should_stop=lambda: len(seen) >= 2)
    assert summary["stopped"] and summary["done"] == 2 and seen == [(1, 4, ids[0]), (2, 4, ids[1])]
    summary = run_batch(catalog, tmp_path / "out", Settings(fusion="template"), studio=studio, history=history)
    assert summary == {**summary, "done": 4, "skipped": 2, "new": 2, "failed": 0, "stopped": False}
    assert len(history) == 4
    assert {r["product_id"] for r in history.search(limit=10)} == set(ids)


def test_generate_batch_returns_scored_results_and_errors_in_order(tmp_path, studio):
    from engine.workflows.batch import generate_batch
    from engine.core.product import Product

    good = [p.model_copy(update={"images": []}) for p in read_catalog(LUMA, limit=2)]
    # a photo that is not there is skipped beside text; alone it is the whole input, refused by name
    broken = Product(id="BAD", images=[str(tmp_path / "missing.jpg")])
    outcomes = generate_batch(studio, [good[0], broken, good[1]], Settings(fusion="none", temperature=0.0,
                                                                          max_new_tokens=12))
    assert isinstance(outcomes[1], IngestError) and "missing.jpg" in str(outcomes[1])
    for product, result in zip(good, (outcomes[0], outcomes[2])):
        assert result.product.id == product.id and result.copy.title and result.copy.description
        assert result.copy.keywords and "grounding" in {s.name for s in result.scores["title"]}
        assert set(result.checks) >= {"title", "description"}  # what Studio.generate records, batch or not


def test_batch_with_media_renders_images_and_zips_them(tmp_path, studio):
    import zipfile

    from engine.workflows import export
    from engine.workflows.batch import run_batch

    products = [p for p in read_catalog(ROOT / "assets" / "samples" / "products.jsonl")][:2]
    summary = run_batch(products, tmp_path / "out", Settings(fusion="template"), studio=studio, media=True)
    assert summary["done"] == 2
    rows = read_results(tmp_path / "out")
    for row in rows:
        assert len(row["media"]) == 5 and all(Path(p).exists() for p in row["media"])
    zipped = export.media_zip(export.media_names(rows), tmp_path / "media.zip")
    with zipfile.ZipFile(zipped) as archive:
        assert len(archive.namelist()) == 10
    export.shopify_csv(rows, tmp_path / "shopify.csv")
    with (tmp_path / "shopify.csv").open(newline="", encoding="utf-8") as handle:
        image_cells = [r["Image Src"] for r in csv.DictReader(handle) if r["Image Src"]]
    assert set(image_cells) <= set(archive_names := [n for n in zipfile.ZipFile(zipped).namelist()])
    assert len(image_cells) == len(archive_names)


def test_changed_settings_run_every_product_again_and_exports_follow_them(tmp_path, studio):
    """Issue 14.3: a second run with another setting answered "0 new, 3 kept" and exported the old copy."""
    from engine.workflows import export
    from engine.workflows.batch import run_batch

    catalog, ids = luma_catalog(tmp_path, 3)
    out = tmp_path / "out"
    first, changed = Settings(fusion="template"), Settings(fusion="template", seed=7, tone="friendly")
    assert run_batch(catalog, out, first, studio=studio)["new"] == 3
    summary = run_batch(catalog, out, changed, studio=studio)
    assert (summary["new"], summary["skipped"], summary["done"]) == (3, 0, 3)
    assert summary["other_settings"] == 3  # the first run's rows stay in the file, not in the exports
    again = run_batch(catalog, out, changed, studio=studio)  # the same settings still resume exactly once
    assert (again["new"], again["skipped"]) == (0, 3)
    assert "seed 7" in again["settings"] and "friendly" in again["settings"]

    rows = read_results(out, settings=changed)
    assert sorted(r["id"] for r in rows) == sorted(ids)
    assert {(r["settings"]["seed"], r["settings"]["tone"]) for r in rows} == {(7, "friendly")}
    exported = [json.loads(line) for line in
                export.jsonl(rows, tmp_path / "p.jsonl").read_text(encoding="utf-8").splitlines()]
    assert {r["settings"]["seed"] for r in exported} == {7}
    # Settings that only shape the ad images do not make copy run again when no media is made.
    restyled = run_batch(catalog, out, changed.replace(style="bold", palette="dark"), studio=studio)
    assert (restyled["new"], restyled["skipped"]) == (0, 3)


def test_start_over_moves_results_aside_and_cli_flag(tmp_path, studio):
    from engine.workflows.batch import run_batch, start_over

    catalog, ids = luma_catalog(tmp_path, 2)
    out = tmp_path / "out"
    run_batch(catalog, out, Settings(fusion="template"), studio=studio)
    backup = start_over(out)
    assert backup is not None and backup.parent == out and backup.name.startswith("previous-")
    assert sorted(r["id"] for r in read_results(backup)) == sorted(ids)  # kept, never deleted silently
    assert read_results(out) == [] and start_over(out) is None  # nothing left to move

    command = [sys.executable, "-m", "engine", "--device", "cpu", "batch", str(catalog), "--out", str(out),
               "--fusion", "template"]
    env = {**os.environ, "HF_HUB_OFFLINE": "1", "MCS_DATA_DIR": str(tmp_path / "data")}
    for extra, already in (([], 0), ([], 2), (["--start-over"], 0)):
        finished = subprocess.run([*command, *extra], cwd=ROOT, env=env, capture_output=True, text=True, timeout=600)
        assert finished.returncode == 0, finished.stderr[-2000:]
        assert f"({already} already done)" in finished.stdout and "settings: method template" in finished.stdout
    assert "moved aside" in finished.stdout
    assert len(list(out.glob("previous-*"))) == 2
    assert Counter(r["id"] for r in read_results(out)) == Counter(ids)


def test_batch_tab_status_names_the_settings_and_start_over_clears(tmp_path, studio):
    from studio.batch_tab import batch_folder, clear_catalog, run_catalog

    source, ids = luma_catalog(tmp_path, 2)
    catalog = source.rename(tmp_path / "tab-settings-catalog.jsonl")
    template = Settings(fusion="template")
    list(run_catalog(studio, catalog, None, template, 1))
    status = list(run_catalog(studio, catalog, None, template, 1))[-1][1]
    assert "0 new, 2 kept from before" in status and "method template" in status and "seed 0" in status
    updates = list(run_catalog(studio, catalog, None, template.replace(seed=3), 1))
    assert "2 earlier results under other settings" in updates[0][1]
    assert "2 new, 0 kept from before" in updates[-1][1] and "seed 3" in updates[-1][1]

    message = clear_catalog(None, None, str(batch_folder(catalog.name)))
    assert "moved aside" in message
    assert read_results(batch_folder(catalog.name)) == []
    [backup] = batch_folder(catalog.name).glob("previous-*")
    assert len(read_results(backup)) == 4
