"""A catalog that arrives over the network may make the server open only the files uploaded with it.

Unit tests of engine/inputs/uploads.py (unpacking, confinement, typed paths, settings), then the same
attacks through gradio_client against a running studio: absolute paths, "..", symlinks and
URL-looking names are refused by name, with the same message whether or not the target exists,
and a good zip with a real photo still runs.
"""
from __future__ import annotations

import json
import re
import zipfile
from pathlib import Path

import pytest

from conftest import LUMA, luma_record, serve_studio
from engine.core.errors import IngestError, StudioError
from engine.core.product import Product
from engine.inputs.uploads import (MAX_ZIP_ENTRIES, confine, confine_jsonl, media_problem, named_catalog, network_settings,
                            refusal_message, unpack_upload)

PHOTO = LUMA.parent / "images" / "mt05-blue_main.jpg"  # a real image on the server, outside any upload
MISSING = LUMA.parent / "images" / "no-such-photo.jpg"

pytestmark = pytest.mark.skipif(not PHOTO.exists(), reason=f"sample data not found at {LUMA}")


def write_jsonl(path: Path, records: list[dict]) -> Path:
    path.write_text("".join(json.dumps(r) + "\n" for r in records), encoding="utf-8")
    return path


def write_zip(path: Path, entries: list[tuple]) -> Path:
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in entries:
            archive.writestr(name, data)
    return path


def same_apart_from_name(first: str, first_name: str, second: str, second_name: str) -> bool:
    """Two refusals that differ only in the name they quote: nothing tells the targets apart."""
    assert first_name in first and second_name in second
    return first.replace(first_name, "NAME") == second.replace(second_name, "NAME")


def product(product_id: str, images=(), videos=(), base: Path | None = None) -> Product:
    record = {"id": product_id, "title": f"Product {product_id}", "images": list(images), "videos": list(videos)}
    return Product.from_record(record, base or ".")


# -- unpacking ------------------------------------------------------------------------------
def test_a_catalog_and_its_photos_land_side_by_side(tmp_path):
    catalog = write_jsonl(tmp_path / "shop.jsonl", [{"id": "A", "title": "Tank", "images": [PHOTO.name]}])
    unpacked = unpack_upload([catalog, PHOTO], into=tmp_path / "upload")
    assert unpacked == tmp_path / "upload" / "shop.jsonl"
    assert (unpacked.parent / PHOTO.name).read_bytes() == PHOTO.read_bytes()
    # The same upload again finds the same catalog, even with a confined copy written beside it.
    confine_jsonl(unpacked)
    assert unpack_upload([catalog, PHOTO], into=tmp_path / "upload") == unpacked


def test_an_upload_needs_exactly_one_catalog_and_unique_names(tmp_path):
    first = write_jsonl(tmp_path / "a.jsonl", [{"id": "A", "title": "x"}])
    second = write_jsonl(tmp_path / "b.jsonl", [{"id": "B", "title": "y"}])
    with pytest.raises(IngestError, match="2 catalogs uploaded together"):
        unpack_upload([first, second], into=tmp_path / "two")
    with pytest.raises(IngestError, match="no catalog among the uploaded files"):
        unpack_upload([PHOTO], into=tmp_path / "none")
    (tmp_path / "other").mkdir()
    twin = tmp_path / "other" / PHOTO.name
    twin.write_bytes(b"another photo with the same name")
    with pytest.raises(IngestError, match="two uploaded files have this name"):
        unpack_upload([first, twin, PHOTO], into=tmp_path / "twins")


def test_a_good_zip_with_a_real_photo_unpacks_and_its_products_are_kept(tmp_path):
    record = {**luma_record(), "images": [f"images/{PHOTO.name}"]}
    archive = write_zip(tmp_path / "shop.zip", [("shop/catalog.jsonl", json.dumps(record) + "\n"),
                                                (f"shop/images/{PHOTO.name}", PHOTO.read_bytes()),
                                                ("__MACOSX/shop/._catalog.jsonl", "litter")])
    catalog = unpack_upload([archive], into=tmp_path / "upload")
    assert catalog == tmp_path / "upload" / "shop" / "catalog.jsonl"
    assert not (tmp_path / "upload" / "__MACOSX").exists()
    from engine.inputs.catalog import read_catalog

    kept, refused = confine(read_catalog(catalog), catalog.parent)
    assert refused == [] and [p.id for p in kept] == [record["id"]]
    assert Path(kept[0].images[0]).read_bytes() == PHOTO.read_bytes()


@pytest.mark.parametrize("entry, problem", [
    ("../evil.txt", 'entry "../evil.txt" climbs out of the zip with ".."'),
    ("photos/../../evil.txt", 'climbs out of the zip with ".."'),
    ("..\\evil.txt", 'climbs out of the zip with ".."'),
    ("/tmp/evil.txt", 'entry "/tmp/evil.txt" has an absolute name'),
    ("C:/evil.txt", "has an absolute name"),
])
def test_zip_slip_entries_are_refused_and_nothing_is_written(tmp_path, entry, problem):
    archive = write_zip(tmp_path / "slip.zip", [("catalog.jsonl", "{}\n"), (entry, "gotcha")])
    with pytest.raises(IngestError, match=re.escape(problem)):
        unpack_upload([archive], into=tmp_path / "upload")
    assert not (tmp_path / "upload").exists() and not (tmp_path / "evil.txt").exists()
    assert not list(tmp_path.glob("*.partial"))


def test_a_zip_with_a_symlink_entry_is_refused(tmp_path):
    link = zipfile.ZipInfo("photo.jpg")
    link.external_attr = 0o120777 << 16  # how zip -y stores a symbolic link: its target as the data
    archive = write_zip(tmp_path / "link.zip", [("catalog.jsonl", "{}\n"), (link, str(PHOTO))])
    with pytest.raises(IngestError, match='entry "photo.jpg" is a symbolic link'):
        unpack_upload([archive], into=tmp_path / "upload")


def test_zip_bombs_are_refused(tmp_path):
    bomb = write_zip(tmp_path / "bomb.zip", [("catalog.jsonl", "{}\n"), ("zeros.bin", b"\0" * (20 * 2 ** 20))])
    with pytest.raises(IngestError, match="unpacks more than 100 times its packed size"):
        unpack_upload([bomb], into=tmp_path / "bomb")
    crowd = write_zip(tmp_path / "crowd.zip", [("catalog.jsonl", "{}\n")] +
                      [(f"f{i}.txt", "") for i in range(MAX_ZIP_ENTRIES)])
    with pytest.raises(IngestError, match=f"at most {MAX_ZIP_ENTRIES} are accepted"):
        unpack_upload([crowd], into=tmp_path / "crowd")


def test_a_zip_comes_alone(tmp_path):
    archive = write_zip(tmp_path / "shop.zip", [("catalog.jsonl", "{}\n")])
    with pytest.raises(IngestError, match="a zip must come alone"):
        unpack_upload([archive, PHOTO], into=tmp_path / "upload")


# -- confinement ----------------------------------------------------------------------------
def test_absolute_paths_are_refused_alike_whether_or_not_the_file_exists(tmp_path):
    kept, refused = confine([product("real", [str(PHOTO)], base=tmp_path), product("ok", base=tmp_path),
                             product("missing", [str(MISSING)], base=tmp_path)], tmp_path, {"real": 2, "missing": 4})
    assert [p.id for p in kept] == ["ok"]
    real, missing = refused
    assert (real["line"], real["id"], missing["line"], missing["id"]) == (2, "real", 4, "missing")
    assert real["error"] == (f'image "{PHOTO}": absolute paths are not accepted over the network '
                             "(accepted: files uploaded with the catalog, by relative name)")
    assert same_apart_from_name(real["error"], str(PHOTO), missing["error"], str(MISSING))
    assert refusal_message("catalog.jsonl", real) == f"catalog.jsonl line 2 (id real): {real['error']}"


def test_dot_dot_is_refused_alike_whether_or_not_the_file_exists(tmp_path):
    root = tmp_path / "upload"
    root.mkdir()
    (tmp_path / "outside.jpg").write_bytes(PHOTO.read_bytes())
    names = ["../outside.jpg", "../absent.jpg", "photos/../../outside.jpg", "..\\outside.jpg"]
    kept, refused = confine([product(str(i), [n], base=root) for i, n in enumerate(names)], root)
    assert kept == [] and len(refused) == 4
    for record, name in zip(refused, names):
        assert record["error"].startswith(f'image "{name}": ".." may not climb out of the upload')
    assert same_apart_from_name(refused[0]["error"], names[0], refused[1]["error"], names[1])


def test_a_symlink_out_of_the_upload_is_refused_alike_whether_or_not_its_target_exists(tmp_path):
    root = tmp_path / "upload"
    root.mkdir()
    (root / "inside.jpg").write_bytes(PHOTO.read_bytes())
    (root / "real.jpg").symlink_to(PHOTO)
    (root / "dangling.jpg").symlink_to(MISSING)
    (root / "fine.jpg").symlink_to(root / "inside.jpg")  # a link that stays inside is just a file of the upload
    products = [product(n, [f"{n}.jpg"], base=root) for n in ("real", "dangling", "fine", "inside")]
    kept, refused = confine(products, root)
    assert [p.id for p in kept] == ["fine", "inside"]
    assert refused[0]["error"].startswith('image "real.jpg": points outside the uploaded files')
    assert same_apart_from_name(refused[0]["error"], "real.jpg", refused[1]["error"], "dangling.jpg")


@pytest.mark.parametrize("name", ["http://127.0.0.1/x.jpg", "https://example.com/x.jpg", "file:///etc/passwd",
                                  "file:/etc/passwd", "s3://bucket/x.jpg", "//host/share/x.jpg",
                                  "\\\\host\\share\\x.jpg", "C:\\Windows\\win.ini", "C:/x.jpg"])
def test_url_looking_names_are_refused_without_a_look_at_the_disk(tmp_path, name):
    assert media_problem(name, tmp_path) == "URLs and drive paths are not accepted over the network"


def test_url_looking_names_that_reach_confine_are_refused(tmp_path):
    names = ["file:/etc/passwd", "//host/share/x.jpg", "C:\\Windows\\win.ini"]
    kept, refused = confine([product(str(i), [n], base=tmp_path) for i, n in enumerate(names)], tmp_path)
    assert kept == []
    for record, name in zip(refused, names):
        assert record["error"].startswith(f'image "{name}": URLs and drive paths are not accepted over the network')


def test_missing_and_video_names_are_refused_too(tmp_path):
    (tmp_path / "clip.mp4").write_bytes(b"not checked here")
    kept, refused = confine([product("a", [], ["clip.mp4"], base=tmp_path),
                             product("b", ["nope.jpg"], ["/etc/hostname"], base=tmp_path)], tmp_path)
    assert [p.id for p in kept] == ["a"]
    assert refused[0]["error"] == ('image "nope.jpg": not among the uploaded files; video "/etc/hostname": absolute '
                                   "paths are not accepted over the network (accepted: files uploaded with the "
                                   "catalog, by relative name)")


def test_confine_jsonl_keeps_the_good_lines_and_names_the_refused_ones(tmp_path):
    (tmp_path / "front.jpg").write_bytes(PHOTO.read_bytes())
    catalog = tmp_path / "catalog.jsonl"
    catalog.write_text("\n".join([json.dumps({"id": "A", "title": "x", "images": ["front.jpg"]}), "",
                                  json.dumps({"id": "B", "title": "y", "images": [str(PHOTO)]}),
                                  json.dumps({"id": "C", "title": "z", "images": "front.jpg"})]) + "\n")
    confined, refused = confine_jsonl(catalog)
    assert [json.loads(line)["id"] for line in confined.read_text().splitlines()] == ["A"]
    assert [(r["line"], r["id"]) for r in refused] == [(3, "B"), (4, "C")]
    assert "absolute paths are not accepted" in refused[0]["error"]
    assert "must be a list of file names" in refused[1]["error"]


# -- typed catalog paths and settings -------------------------------------------------------
def test_typed_catalog_paths_stay_inside_the_catalog_folders(tmp_path, monkeypatch):
    assert named_catalog(str(LUMA)) == LUMA
    outside = tmp_path / "products.jsonl"
    outside.write_text("{}\n")
    refusals = []
    for typed in (str(outside), str(tmp_path / "absent.jsonl"), f"{LUMA.parent}/../../../{outside}",
                  "file:///etc/passwd"):
        with pytest.raises(IngestError, match="only catalogs inside this studio's catalog folders") as caught:
            named_catalog(typed)
        refusals.append(str(caught.value).replace(typed, "NAME"))
    assert refusals[0] == refusals[1]  # nothing says whether the file exists
    monkeypatch.setenv("MCS_CATALOG_ROOTS", str(tmp_path))
    assert named_catalog(str(outside)) == outside


def test_the_batch_tab_confines_typed_and_uploaded_catalogs(studio, tmp_path):
    from engine.core.settings import Settings
    from studio.batch_tab import _catalog_path, run_catalog

    with pytest.raises(IngestError, match="only catalogs inside"):
        _catalog_path(None, "/etc/passwd")
    upload = write_jsonl(tmp_path / "tab.jsonl", [{"id": "OK", "title": "Rocco gym tank, blue"},
                                                  {"id": "BAD", "title": "Probe", "images": [str(PHOTO)]}])
    catalog = _catalog_path(str(upload), "")
    assert catalog.parent != upload.parent  # unpacked into a folder of its own
    updates = list(run_catalog(studio, catalog, None, Settings(fusion="template"), 1))
    rows, problems = updates[-1][0], updates[-1][3]["value"]
    assert [row[1] for row in rows] == ["OK"]
    assert [(p[1], p[2]) for p in problems] == [("BAD", "read")]
    assert f'image "{PHOTO}": absolute paths are not accepted over the network' in problems[0][3]


def test_network_settings_name_only_what_the_studio_offers():
    assert network_settings({"fusion": "template", "seed": 3}).seed == 3
    with pytest.raises(StudioError, match='language_model "/tmp": only the embedded language models'):
        network_settings({"language_model": "/tmp"})
    with pytest.raises(StudioError, match=r'fusion "\.\./\.\./tmp/x": not a copy method of this studio'):
        network_settings({"fusion": "../../tmp/x"})


# -- through gradio_client against a running studio -----------------------------------------
@pytest.fixture(scope="module")
def client(studio):
    from gradio_client import Client

    url, app = serve_studio(studio)
    yield Client(url, verbose=False)
    app.close()


def test_batch_refuses_outside_paths_by_name_and_runs_the_rest(client, tmp_path):
    from gradio_client import handle_file

    probes = {
        "ABS_REAL": {"images": [str(PHOTO)]}, "ABS_MISSING": {"images": [str(MISSING)]},
        "UP_REAL": {"images": [f"../../../../..{PHOTO}"]}, "UP_MISSING": {"images": [f"../../../../..{MISSING}"]},
        "FILE_URL": {"images": ["file:/etc/passwd"]}, "DRIVE": {"images": ["C:\\Windows\\win.ini"]},
        "VIDEO": {"videos": ["/etc/hostname"]},
    }
    records = [{"id": "OK1", "title": "Rocco gym tank, blue", "description": "Material: cotton"}]
    records += [{"id": key, "title": f"Probe {key}", **media} for key, media in probes.items()]
    records += [{"id": "URL", "title": "Probe URL", "images": ["http://127.0.0.1:9/x.jpg"]}]
    catalog = write_jsonl(tmp_path / "probes.jsonl", records)

    results, summary = client.predict(handle_file(str(catalog)), {"fusion": "template"}, 0, api_name="/batch")
    lines = [json.loads(line) for line in Path(results).read_text().splitlines()]
    assert [line["id"] for line in lines] == ["OK1"] and summary["done"] == 1
    refused = {r["id"]: r for r in summary["refused"]}
    assert set(refused) == set(probes)
    assert refused["ABS_REAL"]["line"] == 2
    for key, media in probes.items():
        name = (media.get("images") or media.get("videos"))[0]
        assert f'"{name}"' in refused[key]["error"], key
    assert same_apart_from_name(refused["ABS_REAL"]["error"], str(PHOTO), refused["ABS_MISSING"]["error"],
                                str(MISSING))
    assert same_apart_from_name(refused["UP_REAL"]["error"], f"../../../../..{PHOTO}", refused["UP_MISSING"]["error"],
                                f"../../../../..{MISSING}")
    # Every refused product, the web address too, is listed as a bad row the client can act on.
    failures = {f["id"]: f for f in summary["failures"]}
    assert set(failures) == set(probes) | {"URL"}
    assert "http://127.0.0.1:9/x.jpg" in failures["URL"]["error"]


def test_batch_refuses_a_catalog_that_only_probes(client, tmp_path):
    from gradio_client import handle_file

    catalog = write_jsonl(tmp_path / "probe-only.jsonl", [{"id": "P", "title": "Probe", "images": [str(PHOTO)]}])
    with pytest.raises(Exception) as caught:
        client.predict(handle_file(str(catalog)), {"fusion": "template"}, 0, api_name="/batch")
    message = str(caught.value)
    assert "no product of probe-only.jsonl can run" in message
    assert f'probe-only.jsonl line 1 (id P): image "{PHOTO}": absolute paths are not accepted' in message


def test_batch_refuses_a_zip_with_a_symlink_or_a_climbing_entry(client, tmp_path):
    from gradio_client import handle_file

    link = zipfile.ZipInfo("photo.jpg")
    link.external_attr = 0o120777 << 16
    catalog = json.dumps({"id": "L", "title": "Linked", "images": ["photo.jpg"]}) + "\n"
    linked = write_zip(tmp_path / "linked.zip", [("catalog.jsonl", catalog), (link, str(PHOTO))])
    with pytest.raises(Exception, match='linked.zip: entry "photo.jpg" is a symbolic link'):
        client.predict(handle_file(str(linked)), {"fusion": "template"}, 0, api_name="/batch")
    slip = write_zip(tmp_path / "slip.zip", [("catalog.jsonl", catalog), ("../photo.jpg", PHOTO.read_bytes())])
    with pytest.raises(Exception, match='slip.zip: entry "../photo.jpg" climbs out of the zip'):
        client.predict(handle_file(str(slip)), {"fusion": "template"}, 0, api_name="/batch")


def test_batch_runs_a_zip_and_a_catalog_with_its_photo_alongside(client, tmp_path):
    from gradio_client import handle_file

    record = {**luma_record(), "images": [f"images/{PHOTO.name}"]}
    archive = write_zip(tmp_path / "tank.zip", [("catalog.jsonl", json.dumps(record) + "\n"),
                                                (f"images/{PHOTO.name}", PHOTO.read_bytes())])
    results, summary = client.predict(handle_file(str(archive)), {"fusion": "template"}, 0, api_name="/batch")
    (line,) = [json.loads(row) for row in Path(results).read_text().splitlines()]
    assert summary["refused"] == [] and summary["done"] == 1 and line["id"] == record["id"]
    used = Path(line["product"]["images"][0])
    assert used != PHOTO and used.name == PHOTO.name and used.read_bytes() == PHOTO.read_bytes()

    alongside = write_jsonl(tmp_path / "alongside.jsonl", [{**record, "id": "MT05-2", "images": [PHOTO.name]}])
    results, summary = client.predict(handle_file(str(alongside)), {"fusion": "template"}, 0,
                                      [handle_file(str(PHOTO))], api_name="/batch")
    assert summary["refused"] == [] and summary["done"] == 1


def test_evaluate_leaves_out_refused_products_and_says_so(client, tmp_path):
    from gradio_client import handle_file

    rows = [{**json.loads(line), "images": []} for line in LUMA.read_text().splitlines()[:40]]
    rows.append({"id": "PROBE", "title": "Probe", "description": "x", "images": [str(PHOTO)]})
    catalog = write_jsonl(tmp_path / "evaluate-probe.jsonl", rows)
    table, numbers = client.predict(handle_file(str(catalog)), "title", "template", 1, api_name="/evaluate")
    assert numbers["template"]["n"] == 1
    assert [(r["line"], r["id"]) for r in numbers["refused"]] == [(41, "PROBE")]
    assert f'evaluate-probe.jsonl line 41 (id PROBE): image "{PHOTO}": absolute paths' in table


def test_generate_refuses_settings_that_name_server_paths(client):
    with pytest.raises(Exception, match='language_model "/tmp": only the embedded language models'):
        client.predict({"title": "Bag"}, {"fusion": "template", "language_model": "/tmp"}, [], [],
                       api_name="/generate")
