"""What a client over the network may make the server read: only the files it uploaded.

The command line trusts its user with any path on their own machine. A catalog that arrives
through the studio (the ``/batch`` and ``/evaluate`` API, the Batch tab) does not: its photo and
video names must be relative names of files uploaded with it, either beside it (several files in
one upload) or inside one zip that holds the catalog and its media. Anything else (absolute paths,
``..``, symlinks out of the upload, URLs, drive paths, missing files) is refused by name.

A refusal never says whether the named file exists on the server: names that could reach outside
the upload are judged by their text alone, before the disk is touched, so a caller cannot use the
studio to probe the server's disk.
"""
from __future__ import annotations

import hashlib
import json
import os
import re
import shutil
import threading
import zipfile
from pathlib import Path
from typing import Iterable, Mapping, Sequence

from pydantic import ValidationError

from engine.core.errors import IngestError, StudioError, validation_error
from engine.core.paths import ASSETS, REPO_ROOT

CATALOG_SUFFIXES = (".csv", ".jsonl", ".json", ".ndjson")
ACCEPTED_NAMES = "files uploaded with the catalog, by relative name"
ACCEPTED_UPLOAD = ("one catalog (.csv or .jsonl) with its photos and videos uploaded alongside, or one .zip "
                   "holding the catalog and its media under relative names")

# Zip caps: far above a real catalog with its photos and short clips, far below what fills a disk.
MAX_ZIP_ENTRIES = 10_000
MAX_UNPACKED_BYTES = 2 * 1024 ** 3
# Photos and clips barely compress and catalog text squeezes ~5-10x; a zip bomb squeezes ~1000x.
# Small entries are exempt: whatever their ratio, they cannot fill the disk.
MAX_COMPRESSION_RATIO = 100
RATIO_EXEMPT_BYTES = 1024 ** 2
_CHUNK = 1024 ** 2

# "http://x", "file:/x", "s3://b/k", "C:\\x", "C:x": a scheme or drive letter before any slash.
_SCHEME = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]*:")
_MEDIA_FIELDS = (("image", "images"), ("video", "videos"))


# -- unpacking an upload --------------------------------------------------------------------
def unpack_upload(files: Sequence, into: Path | str | None = None) -> Path:
    """Uploaded files -> the catalog inside a folder of its own, with its media beside it.

    ``files``: the catalog alone, the catalog plus photos/videos (put side by side, by their own
    names), or one .zip holding the catalog and its media (folders kept). Items may be paths or
    Gradio file objects. ``into`` defaults to a folder named after the upload's content, so the
    same upload lands in the same place again (an evaluation then resumes).
    """
    paths = [Path(f if isinstance(f, (str, os.PathLike)) else f.name) for f in files or [] if f]
    if not paths:
        raise IngestError("upload", "no file was uploaded", ACCEPTED_UPLOAD)
    zips = [p for p in paths if p.suffix.lower() == ".zip"]
    if zips and len(paths) > 1:
        raise IngestError(zips[0].name, "a zip must come alone (put the catalog and every photo inside it)",
                          ACCEPTED_UPLOAD)
    folder = Path(into) if into else _upload_folder(paths)
    # Which file is the catalog is decided once, at unpacking: files written into the folder later
    # (a confined copy of the catalog, say) must not make a second upload of it ambiguous.
    catalog_name = folder.with_name(folder.name + ".catalog")
    if not folder.is_dir():  # a folder that exists was finished: it only appears by the rename below
        staging = folder.with_name(f"{folder.name}.{os.getpid()}-{threading.get_ident()}.partial")
        shutil.rmtree(staging, ignore_errors=True)
        staging.mkdir(parents=True)
        try:
            if zips:
                _extract_zip(zips[0], staging)
            else:
                _copy_side_by_side(paths, staging)
            catalog_name.write_text(_the_catalog(staging, (zips or paths)[0].name).relative_to(staging).as_posix())
            staging.rename(folder)
        except OSError as exc:
            if not folder.is_dir():  # not a second unpack of the same upload that finished first
                raise IngestError(paths[0].name, f"could not unpack the upload ({exc.strerror or exc})",
                                  ACCEPTED_UPLOAD) from exc
        finally:
            shutil.rmtree(staging, ignore_errors=True)
    return folder / catalog_name.read_text()


def _upload_folder(paths: list[Path]) -> Path:
    import tempfile

    digest = hashlib.sha256()
    for path in sorted(paths, key=lambda p: p.name):
        digest.update(path.name.encode() + b"\0")
        with path.open("rb") as handle:
            for chunk in iter(lambda: handle.read(_CHUNK), b""):
                digest.update(chunk)
    parent = Path(tempfile.gettempdir()) / "mcs-uploads"
    parent.mkdir(mode=0o700, exist_ok=True)
    return parent / digest.hexdigest()[:20]


def _copy_side_by_side(paths: list[Path], folder: Path) -> None:
    catalogs = [p.name for p in paths if p.suffix.lower() in CATALOG_SUFFIXES]
    if len(catalogs) != 1:
        problem = "no catalog among the uploaded files" if not catalogs else f"{len(catalogs)} catalogs uploaded " \
                  f"together ({', '.join(catalogs)}); send one at a time"
        raise IngestError("upload", problem, ACCEPTED_UPLOAD)
    if sum(p.stat().st_size for p in paths) > MAX_UNPACKED_BYTES:
        raise IngestError("upload", f"the files add up to more than {_gib(MAX_UNPACKED_BYTES)}", ACCEPTED_UPLOAD)
    for path in paths:
        target = folder / path.name
        if target.exists():  # the catalog names files by name: two with one name are ambiguous
            raise IngestError(path.name, "two uploaded files have this name; rename one", ACCEPTED_UPLOAD)
        shutil.copyfile(path, target)


def _extract_zip(archive_path: Path, folder: Path) -> None:
    name = archive_path.name
    try:
        archive = zipfile.ZipFile(archive_path)
    except (zipfile.BadZipFile, OSError) as exc:
        raise IngestError(name, f"not a readable zip file ({exc})", ACCEPTED_UPLOAD) from exc
    with archive:
        entries = archive.infolist()
        if len(entries) > MAX_ZIP_ENTRIES:
            raise IngestError(name, f"{len(entries)} entries; at most {MAX_ZIP_ENTRIES} are accepted", ACCEPTED_UPLOAD)
        if sum(e.file_size for e in entries) > MAX_UNPACKED_BYTES:
            raise IngestError(name, f"unpacks to more than {_gib(MAX_UNPACKED_BYTES)}", ACCEPTED_UPLOAD)
        # Every entry is judged before the first byte is written: a bad zip leaves nothing behind.
        kept = [(entry, parts) for entry in entries if (parts := _entry_parts(name, entry))]
        written = 0
        for entry, parts in kept:
            target = folder.joinpath(*parts)
            if entry.is_dir():
                target.mkdir(parents=True, exist_ok=True)
                continue
            target.parent.mkdir(parents=True, exist_ok=True)
            written = _extract_entry(archive, entry, target, name, written)


def _entry_parts(zip_name: str, entry: zipfile.ZipInfo) -> list[str]:
    """The folder parts of a zip entry to write, [] for packing litter; refuses anything unsafe."""
    raw = entry.filename
    name = raw.replace("\\", "/")  # zips made on Windows may use backslashes
    parts = [p for p in name.split("/") if p not in ("", ".")]

    def refuse(problem: str):
        raise IngestError(zip_name, f'entry "{raw}" {problem}', ACCEPTED_UPLOAD)

    if name.startswith("/") or _SCHEME.match(name):
        refuse("has an absolute name")
    if ".." in parts:
        refuse('climbs out of the zip with ".."')
    if (entry.external_attr >> 16) & 0o170000 == 0o120000:
        refuse("is a symbolic link")
    if entry.flag_bits & 0x1:
        refuse("is encrypted")
    if entry.file_size > RATIO_EXEMPT_BYTES and entry.file_size > MAX_COMPRESSION_RATIO * max(entry.compress_size, 1):
        refuse(f"unpacks more than {MAX_COMPRESSION_RATIO} times its packed size")
    if not parts or parts[0] == "__MACOSX" or parts[-1] == ".DS_Store":
        return []  # macOS packing litter, not the merchant's files
    return parts


def _extract_entry(archive: zipfile.ZipFile, entry: zipfile.ZipInfo, target: Path, zip_name: str,
                   written: int) -> int:
    """Copy one entry out, counting real bytes: a zip's declared sizes may lie."""
    own = 0
    try:
        with archive.open(entry) as source, target.open("xb") as sink:
            for chunk in iter(lambda: source.read(_CHUNK), b""):
                own += len(chunk)
                if written + own > MAX_UNPACKED_BYTES:
                    raise IngestError(zip_name, f"unpacks to more than {_gib(MAX_UNPACKED_BYTES)}", ACCEPTED_UPLOAD)
                if own > RATIO_EXEMPT_BYTES and own > MAX_COMPRESSION_RATIO * max(entry.compress_size, 1):
                    raise IngestError(zip_name, f'entry "{entry.filename}" unpacks more than '
                                      f"{MAX_COMPRESSION_RATIO} times its packed size", ACCEPTED_UPLOAD)
                sink.write(chunk)
    except FileExistsError as exc:
        raise IngestError(zip_name, f'entry "{entry.filename}" appears twice', ACCEPTED_UPLOAD) from exc
    except (zipfile.BadZipFile, EOFError, NotImplementedError) as exc:
        raise IngestError(zip_name, f'entry "{entry.filename}" cannot be read ({exc})', ACCEPTED_UPLOAD) from exc
    return written + own


def _the_catalog(folder: Path, upload_name: str) -> Path:
    catalogs = sorted(p for p in folder.rglob("*") if p.suffix.lower() in CATALOG_SUFFIXES and p.is_file())
    if len(catalogs) != 1:
        found = ", ".join(str(p.relative_to(folder)) for p in catalogs[:5])
        problem = "holds no catalog" if not catalogs else f"holds {len(catalogs)} catalogs ({found}); keep one"
        raise IngestError(upload_name, problem, ACCEPTED_UPLOAD)
    return catalogs[0]


def _gib(size: int) -> str:
    return f"{size / 1024 ** 3:g} GiB"


# -- confining media names ------------------------------------------------------------------
def media_problem(name: str, root: Path | str) -> str | None:
    """Why a media name in an uploaded catalog may not be opened, or None when it may.

    Names that could leave ``root`` are refused on their text alone, before any disk access, so
    the answer is the same whether or not the named file exists.
    """
    if not isinstance(name, str) or not name.strip():
        return "not a file name"
    if _SCHEME.match(name) or name.startswith(("//", "\\\\")):
        return "URLs and drive paths are not accepted over the network"
    if name.startswith(("/", "\\", "~")):
        return "absolute paths are not accepted over the network"
    if ".." in re.split(r"[\\/]", name):
        return '".." may not climb out of the upload'
    try:
        real = (Path(root) / name).resolve()  # follows symlinks, even dangling ones
        if not real.is_relative_to(Path(root).resolve()):
            return "points outside the uploaded files"
        return None if real.is_file() else "not among the uploaded files"
    except (OSError, RuntimeError, ValueError):  # a symlink loop, a NUL byte, a name too long
        return "not among the uploaded files"


def _problems(names_by_kind: Iterable[tuple[str, list]], root: Path) -> list[str]:
    return [f'{kind} "{name}": {problem}' for kind, names in names_by_kind for name in names
            if (problem := media_problem(name, root))]


def _refusal(number: int | None, product_id: str, problems: list[str]) -> dict:
    # The shape of engine.inputs.catalog's bad rows, so a refused product is reported like one.
    return {"line": number, "id": product_id, "error": f"{'; '.join(problems)} (accepted: {ACCEPTED_NAMES})"}


def refusal_message(catalog_name: str, record: dict) -> str:
    """One line for a refused product: ``catalog.jsonl line 3 (id X): image "/etc/passwd": ...``."""
    where = f" line {record['line']}" if record.get("line") is not None else ""
    who = f" (id {record['id']})" if record.get("id") else ""
    return f"{catalog_name}{where}{who}: {record['error']}"


def _as_written(path: str, roots: tuple[str, ...]) -> str:
    """The name a catalog wrote, from the path ``Product.from_record`` joined onto the catalog's folder."""
    for root in roots:
        if path.startswith(root + os.sep):
            return path[len(root) + 1:]
    return path


def confine(products: Sequence, root: Path | str, lines: Mapping[str, int | None] | None = None
            ) -> tuple[list, list[dict]]:
    """Split products read from an uploaded catalog into (kept, refused).

    ``root``: the folder the catalog was read from (the reader joined relative media names onto
    it). A product with any refused photo or video is refused as a whole, like a bad row, and the
    others still run. ``refused``: ``{"line", "id", "error"}`` like ``engine.inputs.catalog``'s bad rows,
    ``error`` naming each media name as written, why it is refused and what is accepted.
    ``lines``: product id -> its line in the catalog (``CatalogRows.lines``).
    """
    root = Path(root)
    roots = tuple(dict.fromkeys((str(root), str(root.resolve()))))
    kept, refused = [], []
    for product in products:
        names = [(kind, [_as_written(p, roots) for p in getattr(product, field)]) for kind, field in _MEDIA_FIELDS]
        problems = _problems(names, root)
        if problems:
            refused.append(_refusal((lines or {}).get(product.id), product.id, problems))
        else:
            kept.append(product)
    return kept, refused


def confine_rows(rows, root: Path | str):
    """``confine`` for an ``engine.inputs.catalog.CatalogRows`` -> (the rows with refused products among its
    bad rows, so ``run_batch`` reports them like any bad row; the refused alone)."""
    from engine.inputs.catalog import CatalogRows

    kept, refused = confine(rows.products, root, rows.lines)
    rejected = sorted([*rows.rejected, *refused], key=lambda r: (r["line"] is None, r["line"] or 0))
    return CatalogRows(rows.name, kept, {p.id: rows.lines.get(p.id) for p in kept}, rejected), refused


def confine_jsonl(catalog: Path | str) -> tuple[Path, list[dict]]:
    """An uploaded JSONL catalog -> (a copy beside it holding only the lines whose media are confined,
    refused lines). For readers that take raw lines rather than products (``engine.evaluation``)."""
    catalog = Path(catalog)
    if catalog.suffix.lower() not in (".jsonl", ".json", ".ndjson"):
        raise IngestError(catalog.name, "evaluation reads a JSONL catalog", "a .jsonl with one product per line")
    kept, refused = [], []
    # split("\n") as engine.evaluation.load_items reads it: U+2028 may sit inside a string
    for number, line in enumerate(catalog.read_text(encoding="utf-8").split("\n"), start=1):
        if not line.strip():
            continue
        try:
            row = json.loads(line)
        except json.JSONDecodeError:
            kept.append(line)  # not a path problem: the reader reports it as it always has
            continue
        problems = _row_problems(row, catalog.parent)
        if problems:
            refused.append(_refusal(number, str(row.get("id", "")), problems))
        else:
            kept.append(line)
    confined = catalog.with_name(f"{catalog.stem}.confined{catalog.suffix}")
    confined.write_text("".join(line + "\n" for line in kept), encoding="utf-8")
    return confined, refused


def _row_problems(row, root: Path) -> list[str]:
    if not isinstance(row, dict):
        return []
    problems = []
    for kind, field in _MEDIA_FIELDS:
        names = row.get(field) or []
        if not isinstance(names, list):
            problems.append(f"{field}: must be a list of file names")
            continue
        problems += _problems([(kind, names)], root)
    return problems


# -- other network inputs that name server things -------------------------------------------
def network_settings(raw: dict | None):
    """Settings sent over the network: the language model and copy method must be ones this studio
    offers by name. Both are otherwise loaded from a folder or name the caller chooses."""
    from engine.models.language import EMBEDDED_LANGUAGE_MODELS
    from engine.pipeline import copy_methods
    from engine.core.settings import Settings

    try:
        settings = Settings.model_validate(raw or {})
    except ValidationError as exc:
        raise validation_error(exc, "settings", Settings) from None
    if settings.language_model not in EMBEDDED_LANGUAGE_MODELS:
        raise StudioError(f'settings language_model "{settings.language_model}": only the embedded language models '
                          f"are accepted over the network (accepted: {', '.join(EMBEDDED_LANGUAGE_MODELS)})")
    methods = copy_methods()
    if settings.fusion not in methods:
        raise StudioError(f'settings fusion "{settings.fusion}": not a copy method of this studio '
                          f"(accepted: {', '.join(methods)})")
    return settings


def catalog_roots() -> list[Path]:
    """Folders whose catalogs a browser user may name by path: the bundled samples, the shared data
    beside the checkout, and the folders in ``MCS_CATALOG_ROOTS`` (``os.pathsep``-separated)."""
    extra = [Path(p).expanduser() for p in os.environ.get("MCS_CATALOG_ROOTS", "").split(os.pathsep) if p.strip()]
    return [p.resolve() for p in (ASSETS / "samples", REPO_ROOT.parent / "shared" / "data", *extra)]


def named_catalog(typed: str) -> Path:
    """A catalog path typed into the studio (a network input): only inside ``catalog_roots()``.

    Judged before the file is looked at, so the answer is the same whether or not it exists.
    """
    text = (typed or "").strip()
    path = Path(text).expanduser()
    try:
        inside = bool(text) and not _SCHEME.match(text) and any(path.resolve().is_relative_to(root)
                                                                for root in catalog_roots())
    except (OSError, RuntimeError, ValueError):  # a symlink loop, a NUL byte
        inside = False
    if not inside:
        raise IngestError(f'"{text}"', "only catalogs inside this studio's catalog folders can be named by path",
                          "upload the catalog instead, or add its folder to MCS_CATALOG_ROOTS where the studio runs")
    return path
