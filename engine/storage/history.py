"""Every generation, stored in SQLite: inputs, settings, seed, model versions, outputs, scores,
timings, the operator's edits and chosen candidate, and regenerations as parent -> child.

One short-lived connection per call (WAL journal) so Gradio's worker threads never share a
connection; a process-wide lock serialises writers so two clicks never race on one row.
Search uses SQLite's FTS5 when the build has it and falls back to LIKE.

A full disk or a read-only data folder never costs what is stored: a write that cannot happen
raises ``HistoryWriteError`` (a ``StudioError`` saying why and what to do) after SQLite has rolled
it back, and reading falls back to a read-only connection so the History tab keeps working.
"""
from __future__ import annotations

import json
import sqlite3
import threading
from contextlib import contextmanager
from datetime import datetime, timezone
from pathlib import Path
from typing import Iterator

from engine.core.errors import StudioError
from engine.core.paths import data_dir, storage_problem

SCHEMA = """
CREATE TABLE IF NOT EXISTS generations (
    id TEXT PRIMARY KEY,
    parent_id TEXT REFERENCES generations(id),
    created_at TEXT NOT NULL,
    product_id TEXT,
    product_title TEXT,
    title TEXT,
    seed INTEGER,
    product TEXT NOT NULL,
    settings TEXT NOT NULL,
    models TEXT NOT NULL,
    outputs TEXT NOT NULL,
    alternatives TEXT NOT NULL DEFAULT '[]',
    scores TEXT NOT NULL,
    timings TEXT NOT NULL,
    extra TEXT NOT NULL DEFAULT '{}',
    media TEXT NOT NULL DEFAULT '[]',
    choice TEXT
);
CREATE INDEX IF NOT EXISTS generations_parent ON generations(parent_id);
CREATE INDEX IF NOT EXISTS generations_created ON generations(created_at);
CREATE TABLE IF NOT EXISTS edits (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    generation_id TEXT NOT NULL REFERENCES generations(id),
    field TEXT NOT NULL,
    text TEXT NOT NULL,
    at TEXT NOT NULL,
    action TEXT NOT NULL DEFAULT 'edit'
);
CREATE INDEX IF NOT EXISTS edits_generation ON edits(generation_id);
"""
FTS_SCHEMA = "CREATE VIRTUAL TABLE IF NOT EXISTS generations_fts USING fts5(id UNINDEXED, body)"
EDITABLE = ("title", "description", "bullets", "keywords")
_LOCK = threading.Lock()


class HistoryWriteError(StudioError):
    """Something could not be stored (full disk, read-only folder); all stored before is intact."""


def _now() -> str:
    return datetime.now(timezone.utc).isoformat(timespec="milliseconds")


def _dump(value) -> str:
    return json.dumps(value, ensure_ascii=False, default=str)


# The parts of a Result kept beside its copy, scores and settings (``Result.to_dict`` names them).
RESULT_EXTRAS = ("references", "photo_colours", "contributions", "warnings", "notes", "checks", "provenance")


def _add_edit_action(db: sqlite3.Connection) -> None:
    """Histories written before undo was logged lack ``edits.action``; their rows are all edits."""
    if "action" not in {column[1] for column in db.execute("PRAGMA table_info(edits)")}:
        db.execute("ALTER TABLE edits ADD COLUMN action TEXT NOT NULL DEFAULT 'edit'")


def _existing(folder: Path) -> Path:
    """``folder`` or its nearest existing parent: the one whose disk and permissions matter."""
    while not folder.exists() and folder.parent != folder:
        folder = folder.parent
    return folder


class History:
    def __init__(self, path: Path | str | None = None):
        self.path = Path(path) if path else data_dir(create=False) / "history.sqlite"
        self.fts = False
        self._ready = False  # schema in place; retried before each write while the folder refuses writes
        try:
            with self._writing():
                pass
        except HistoryWriteError:
            # The studio still starts and shows what is stored; each write says why it fails.
            with self._connect() as db:
                self.fts = bool(db.execute("SELECT 1 FROM sqlite_master WHERE name='generations_fts'").fetchone())

    def _create_schema(self) -> None:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        with self._transaction() as db:
            db.execute("PRAGMA journal_mode=WAL")
            db.executescript(SCHEMA)
            _add_edit_action(db)
            try:
                db.execute(FTS_SCHEMA)
                self.fts = True
            except sqlite3.OperationalError as exc:  # SQLite built without FTS5
                if "fts5" not in str(exc):
                    raise
        self._ready = True

    @contextmanager
    def _transaction(self) -> Iterator[sqlite3.Connection]:
        db = self._open(self.path)
        try:
            with db:  # commits on success, rolls back on error
                yield db
        finally:
            db.close()

    @contextmanager
    def _writing(self) -> Iterator[sqlite3.Connection]:
        """One write transaction; a full or read-only folder raises ``HistoryWriteError``.

        SQLite rolls a failed transaction back (a crash leaves it uncommitted in the -wal), so
        every row stored before stays exactly as it was."""
        try:
            if not self._ready:
                self._create_schema()
            with self._transaction() as db:
                yield db
        except (sqlite3.Error, OSError) as exc:
            problem = storage_problem(exc, _existing(self.path.parent))
            if problem is None:
                raise
            raise HistoryWriteError(
                f"could not save to history at {self.path}: {problem}. Everything saved before is kept; "
                "free some space or make the folder writable, or start the studio with --data-dir "
                "pointing at a writable folder") from exc

    @contextmanager
    def _connect(self) -> Iterator[sqlite3.Connection]:
        """A connection for reading; read-only when the folder takes no writes."""
        try:
            db = self._open(self.path)
            db.execute("SELECT 1 FROM sqlite_master LIMIT 1")  # SQLite opens its -wal/-shm files here
        except (sqlite3.Error, OSError) as exc:
            if storage_problem(exc, _existing(self.path.parent)) is None:
                raise
            db = self._open_read_only()
        try:
            with db:
                yield db
        finally:
            db.close()

    @staticmethod
    def _open(target) -> sqlite3.Connection:
        db = sqlite3.connect(target, timeout=30, uri=isinstance(target, str))
        db.row_factory = sqlite3.Row
        return db

    def _open_read_only(self) -> sqlite3.Connection:
        """Read what is stored although the folder takes no writes.

        A WAL database closed cleanly keeps no -wal file (or an empty one, where a full disk
        stopped SQLite from setting up its -shm), and SQLite can not build its -shm here, so it is
        opened immutable: every row is in the main file and nothing can change it meanwhile. A
        -wal with rows in it (left by a crash) needs plain read-only mode, which reads them too."""
        if not self.path.exists():  # nothing stored yet: an empty history, not an error
            db = self._open(":memory:")
            db.executescript(SCHEMA)
            return db
        wal = self.path.with_name(self.path.name + "-wal")
        flags = "mode=ro" if wal.exists() and wal.stat().st_size else "mode=ro&immutable=1"
        return self._open(f"{self.path.resolve().as_uri()}?{flags}")

    # -- writing -------------------------------------------------------------------------
    def add(self, result, parent_id: str | None = None, media: list[str] = ()) -> str:
        """Store a ``pipeline.Result``; returns its id. ``parent_id``: the generation it regenerates."""
        data = result.to_dict()  # the one way a Result becomes plain values (engine.pipeline.Result)
        copy, product, settings = data["copy"], data["product"], data["settings"]
        extra = {key: data.get(key) for key in RESULT_EXTRAS}
        alternatives = dict(data.get("alternatives") or {})  # field -> ranked candidates
        with _LOCK, self._writing() as db:
            if db.execute("SELECT 1 FROM generations WHERE id=?", (result.id,)).fetchone():
                return result.id  # a Result never changes: storing it twice is a no-op
            if parent_id and not db.execute("SELECT 1 FROM generations WHERE id=?", (parent_id,)).fetchone():
                raise KeyError(f"no generation {parent_id!r} to regenerate from")
            db.execute(
                "INSERT INTO generations (id, parent_id, created_at, product_id, product_title, title, seed, product,"
                " settings, models, outputs, alternatives, scores, timings, extra, media)"
                " VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)",
                (data["id"], parent_id, data.get("created_at") or _now(), product.get("id", ""),
                 product.get("title", ""), copy.get("title", ""), settings.get("seed"), _dump(product),
                 _dump(settings), _dump(data.get("models") or {}), _dump(copy), _dump(alternatives),
                 _dump(data.get("scores") or {}), _dump(data.get("timings") or {}), _dump(extra),
                 _dump([str(m) for m in media])),
            )
            self._index(db, result.id)
        return result.id

    def record_edit(self, generation_id: str, field: str, text: str | list[str]) -> None:
        """An operator's hand edit of one field; every edit is kept, the latest one wins."""
        if field not in EDITABLE:
            raise ValueError(f"cannot edit {field!r}; editable fields: {', '.join(EDITABLE)}")
        with _LOCK, self._writing() as db:
            self._require(db, generation_id)
            db.execute("INSERT INTO edits (generation_id, field, text, at, action) VALUES (?,?,?,?,'edit')",
                       (generation_id, field, _dump(text), _now()))
            if field == "title":
                db.execute("UPDATE generations SET title=? WHERE id=?", (text, generation_id))
            self._index(db, generation_id)

    def undo_edits(self, generation_id: str) -> None:
        """The operator's "Undo my edits": every field back to what the generator wrote.

        The edits stay in the log; an ``undo`` entry per edited field (holding the generated text)
        follows them, so the current state and the title in listings and lineage are the generated
        text again, and chosen candidates no longer apply."""
        with _LOCK, self._writing() as db:
            row = self._require(db, generation_id)
            outputs = json.loads(row["outputs"])
            latest = {e["field"]: e["action"] for e in db.execute(
                "SELECT field, action FROM edits WHERE generation_id=? ORDER BY seq", (generation_id,))}
            at = _now()
            for field, action in latest.items():
                if action != "undo":
                    db.execute("INSERT INTO edits (generation_id, field, text, at, action) VALUES (?,?,?,?,'undo')",
                               (generation_id, field, _dump(outputs.get(field, [] if field in ("bullets", "keywords")
                                                                        else "")), at))
            db.execute("UPDATE generations SET title=?, choice=NULL WHERE id=?", (outputs.get("title", ""), generation_id))
            self._index(db, generation_id)

    def record_choice(self, generation_id: str, field: str, candidate_index: int) -> None:
        """Which ranked candidate of ``field`` the operator kept (0 = the one the studio picked).

        The chosen text itself is recorded as an edit, so edits and choices apply in the order made.
        """
        with _LOCK, self._writing() as db:
            row = self._require(db, generation_id)
            choice = json.loads(row["choice"]) if isinstance(row["choice"], str) else {}
            choice[field] = int(candidate_index)
            db.execute("UPDATE generations SET choice=? WHERE id=?", (json.dumps(choice), generation_id))
        ranked = json.loads(row["alternatives"] or "{}")
        if isinstance(ranked, dict) and 0 <= candidate_index < len(ranked.get(field, [])):
            text = ranked[field][candidate_index]["text"]
            self.record_edit(generation_id, field, text.split("\n") if field == "bullets" else text)

    def add_media(self, generation_id: str, paths: list[str | Path]) -> None:
        """Attach generated images/videos (kept in order, no duplicates)."""
        with _LOCK, self._writing() as db:
            row = self._require(db, generation_id)
            media = json.loads(row["media"])
            media += [str(p) for p in paths if str(p) not in media]
            db.execute("UPDATE generations SET media=? WHERE id=?", (_dump(media), generation_id))

    def delete(self, generation_id: str) -> None:
        """Remove one generation; its children keep their place and point at no parent."""
        with _LOCK, self._writing() as db:
            db.execute("UPDATE generations SET parent_id=NULL WHERE parent_id=?", (generation_id,))
            db.execute("DELETE FROM edits WHERE generation_id=?", (generation_id,))
            db.execute("DELETE FROM generations WHERE id=?", (generation_id,))
            if self.fts:
                db.execute("DELETE FROM generations_fts WHERE id=?", (generation_id,))

    # -- reading -------------------------------------------------------------------------
    def get(self, generation_id: str) -> dict:
        """One generation in full. ``title``/``description``/``bullets``/``keywords`` hold the text
        after the operator's edits (``outputs`` keeps what the model wrote), so the row feeds
        ``engine.workflows.export`` directly."""
        with self._connect() as db:
            row = self._require(db, generation_id)
            edits = db.execute("SELECT * FROM edits WHERE generation_id=? ORDER BY seq", (generation_id,)).fetchall()
        return self._full(row, edits)

    def result_dict(self, generation_id: str) -> dict:
        """One generation in the shape of ``Result.to_dict`` (the operator's edits applied), for
        ``Result.from_dict``: restored into the Create tab, it re-scores, edits and regenerates with
        its lineage kept."""
        row = self.get(generation_id)
        data = {key: row.get(key) for key in RESULT_EXTRAS + ("id", "parent_id", "created_at", "product",
                                                               "settings", "scores", "timings", "models")}
        data["copy"] = {key: row[key] for key in ("title", "description", "bullets", "keywords")}
        data["alternatives"] = row["alternatives"] if isinstance(row["alternatives"], dict) else {}
        return data

    def search(self, text: str = "", limit: int = 50, offset: int = 0) -> list[dict]:
        """Newest first. ``text`` matches generated/edited titles and the product's own text."""
        text = text.strip()
        with self._connect() as db:
            if not text:
                rows = db.execute("SELECT * FROM generations ORDER BY created_at DESC, rowid DESC LIMIT ? OFFSET ?",
                                  (limit, offset)).fetchall()
            elif self.fts:
                # Every word as a quoted prefix term: user input never reaches FTS5 syntax.
                query = " ".join('"' + w.replace('"', '""') + '"*' for w in text.split())
                rows = db.execute(
                    "SELECT g.* FROM generations_fts f JOIN generations g ON g.id = f.id WHERE generations_fts MATCH ?"
                    " ORDER BY g.created_at DESC, g.rowid DESC LIMIT ? OFFSET ?", (query, limit, offset)).fetchall()
            else:
                pattern = "%" + text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
                rows = db.execute(
                    "SELECT * FROM generations WHERE title LIKE ?1 ESCAPE '\\' OR product_title LIKE ?1 ESCAPE '\\'"
                    " OR product LIKE ?1 ESCAPE '\\' ORDER BY created_at DESC, rowid DESC LIMIT ?2 OFFSET ?3",
                    (pattern, limit, offset)).fetchall()
        return [self._summary(r) for r in rows]

    def summaries(self, generation_ids) -> dict[str, dict]:
        """id -> summary for the ids that are in the history (one query; the History table names each
        row's parent by its seed and time, not by an id nobody can read)."""
        ids = list(dict.fromkeys(i for i in generation_ids if i))
        if not ids:
            return {}
        with self._connect() as db:
            rows = db.execute(f"SELECT * FROM generations WHERE id IN ({','.join('?' * len(ids))})", ids).fetchall()
        return {r["id"]: self._summary(r) for r in rows}

    def children(self, generation_id: str) -> list[dict]:
        with self._connect() as db:
            rows = db.execute("SELECT * FROM generations WHERE parent_id=? ORDER BY created_at, rowid",
                              (generation_id,)).fetchall()
        return [self._summary(r) for r in rows]

    def lineage(self, generation_id: str) -> list[dict]:
        """The chain of regenerations from the first ancestor down to ``generation_id``."""
        chain: list[dict] = []
        seen: set[str] = set()
        with self._connect() as db:
            current: str | None = generation_id
            while current and current not in seen:
                seen.add(current)
                row = self._require(db, current) if not chain else \
                    db.execute("SELECT * FROM generations WHERE id=?", (current,)).fetchone()
                if row is None:
                    break
                chain.append(self._summary(row))
                current = row["parent_id"]
        return chain[::-1]

    def __len__(self) -> int:
        with self._connect() as db:
            return db.execute("SELECT COUNT(*) FROM generations").fetchone()[0]

    # -- helpers -------------------------------------------------------------------------
    @staticmethod
    def _require(db: sqlite3.Connection, generation_id: str) -> sqlite3.Row:
        row = db.execute("SELECT * FROM generations WHERE id=?", (generation_id,)).fetchone()
        if row is None:
            raise KeyError(f"no generation {generation_id!r} in the history")
        return row

    def _index(self, db: sqlite3.Connection, generation_id: str) -> None:
        if not self.fts:
            return
        row = db.execute("SELECT title, outputs, product FROM generations WHERE id=?", (generation_id,)).fetchone()
        product, outputs = json.loads(row["product"]), json.loads(row["outputs"])
        edited = [json.loads(r[0]) for r in db.execute("SELECT text FROM edits WHERE generation_id=?", (generation_id,))]
        parts = [row["title"] or "", outputs.get("title", ""), product.get("title", ""), product.get("brand", ""),
                 product.get("category", ""), product.get("description", "")[:2000], product.get("id", "")]
        parts += [e if isinstance(e, str) else " ".join(map(str, e)) for e in edited]
        db.execute("DELETE FROM generations_fts WHERE id=?", (generation_id,))
        db.execute("INSERT INTO generations_fts (id, body) VALUES (?, ?)", (generation_id, "\n".join(parts)))

    @staticmethod
    def _summary(row: sqlite3.Row) -> dict:
        settings = json.loads(row["settings"])
        return {
            "id": row["id"], "parent_id": row["parent_id"], "created_at": row["created_at"],
            "product_id": row["product_id"], "product_title": row["product_title"], "title": row["title"],
            "seed": row["seed"], "fusion": settings.get("fusion"), "tone": settings.get("tone"),
            "choice": json.loads(row["choice"]) if isinstance(row["choice"], str) else {},
        }

    @staticmethod
    def _full(row: sqlite3.Row, edits: list[sqlite3.Row]) -> dict:
        outputs = json.loads(row["outputs"])
        # A read-only history written before undo was logged has no action column: all its rows are edits.
        edit_list = [{"field": e["field"], "text": json.loads(e["text"]), "at": e["at"],
                      "action": e["action"] if "action" in e.keys() else "edit"} for e in edits]
        current = dict(outputs)
        alternatives = json.loads(row["alternatives"])
        choice = json.loads(row["choice"]) if isinstance(row["choice"], str) else {}
        for edit in edit_list:
            current[edit["field"]] = edit["text"]
        extra = json.loads(row["extra"])
        return {
            "id": row["id"], "parent_id": row["parent_id"], "created_at": row["created_at"], "seed": row["seed"],
            "title": current.get("title", ""), "description": current.get("description", ""),
            "bullets": current.get("bullets", []), "keywords": current.get("keywords", []),
            "product": json.loads(row["product"]), "settings": json.loads(row["settings"]),
            "models": json.loads(row["models"]), "outputs": outputs, "alternatives": alternatives,
            "scores": json.loads(row["scores"]), "timings": json.loads(row["timings"]),
            "media": json.loads(row["media"]), "edits": edit_list, "choice": choice, **extra,
        }
