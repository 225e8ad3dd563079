"""The Batch tab: a whole catalog through one method, a running table, resume, and exports.

Each catalog writes into its own folder under the data folder (``<data>/batches/<catalog name>``),
so running the same catalog again with the same settings resumes it: finished products are kept
and skipped. Other settings (method, tone, seed ...) run every product again, and the exports take
the rows of the settings on screen only (engine/workflows/batch.py). **Start over** moves a catalog's results
aside. Bad rows and failed products are listed under the progress (line, id, reason) and offered
as failures.jsonl. Every product is written by ``Studio.generate``, the Create tab's own path, so
the claims column reads the claim check's verdict as the Create tab's badge does ("⚠ 2 flagged"),
and the Shopify export holds a product with a flagged claim back as a draft (engine/workflows/export.py).
"""
from __future__ import annotations

import queue
import shutil
import tempfile
import threading
from functools import partial
from pathlib import Path

import gradio as gr

from engine.workflows import export
from engine.workflows.batch import FAILURES, read_failures, read_results, run_batch, settings_label, start_over
from engine.inputs.catalog import read_catalog_rows
from engine.core.errors import StudioError
from engine.core.paths import data_dir
from engine.pipeline import Studio, default_copy_method
from engine.core.settings import PLATFORMS, Settings
from engine.inputs.uploads import confine_rows, named_catalog, unpack_upload
from studio.create_tab import DESCRIPTION_LENGTHS, TONES, method_choices
from studio.render import slug

HEADERS = ["#", "id", "generated title", "description", "claims", "status"]
FAILURE_HEADERS = ["line", "id", "stage", "error"]
# Shares of the table's width: without them Gradio sizes columns by their text, and a long
# description pushed the status column past the right edge (issue 14.13).
COLUMN_WIDTHS = ["5%", "11%", "24%", "38%", "8%", "14%"]
FAILURE_WIDTHS = ["8%", "16%", "10%", "66%"]
_STOPS: dict[str, threading.Event] = {}  # batch folder -> its stop flag, shared by Run and Stop


def batch_folder(catalog_name: str) -> Path:
    return data_dir() / "batches" / (slug(Path(catalog_name).stem) or "catalog")


def _row(number: int, record: dict, status: str) -> list:
    if "error" in record:
        return [number, record["id"], "", "", "", f"⚠️ {record['error']}"]
    description = record["description"]
    return [number, record["id"], record["title"],
            description if len(description) <= 100 else description[:100].rsplit(" ", 1)[0] + "…",
            claims_cell(record), status]


def claims_cell(record: dict) -> str:
    """The claim check's verdict on the description as the Create tab's badge reads ("✅ 3/3 in input",
    "⚠ 2 flagged"), and the title's when something in it is flagged too."""
    verdicts = record.get("claims")
    if verdicts is None:  # a line written before results held the verdicts: only the share is known
        share = ((record.get("scores") or {}).get("description") or {}).get("grounding")
        return "" if share is None else "✅ nothing flagged" if share >= 1 else f"⚠ flagged ({share:.0%} in input)"

    def verdict(claim: dict) -> str:
        mark = {True: "✅ ", False: "⚠ "}.get(claim.get("good"), "")
        return mark + claim.get("display", "")

    cell = verdict(verdicts["description"]) if "description" in verdicts else ""
    title = verdicts.get("title")
    if title and title.get("good") is False:
        cell = f"{cell} · title {verdict(title)}" if cell else f"title {verdict(title)}"
    return cell


def failure_rows(records: list[dict]) -> list[list]:
    """failures.jsonl records -> rows of the table under the progress."""
    return [["" if r.get("line") is None else r["line"], r.get("id") or "", r.get("stage", ""), r["error"]]
            for r in records]


def _problems(records: list[dict]) -> tuple[dict, str]:
    """The table of bad rows and failed products, shown only when there are some, and its count."""
    count = f" · ⚠️ {len(records)} not run (listed below)" if records else ""
    return gr.update(value=failure_rows(records), visible=bool(records)), count


def run_catalog(studio: Studio, catalog: Path, limit: int | None, settings: Settings, batch_size: int,
                progress=None):
    """What the Run button does, as a generator of (products table, status, batch folder,
    bad rows and failures table, failures.jsonl download) updates."""
    hidden = gr.update(visible=False)
    try:
        # The catalog arrived over the network: it may name only the files beside it (engine/inputs/uploads.py).
        catalog_rows, _ = confine_rows(read_catalog_rows(catalog, limit), catalog.parent)
    except (StudioError, ValueError) as exc:  # the file as a whole cannot be used
        yield gr.update(), f"⚠️ {exc}", gr.update(), hidden, hidden
        return
    products = catalog_rows.products
    out = batch_folder(catalog.name)
    finished = {r["id"]: r for r in read_results(out, settings)}  # these settings' rows only
    rows = [_row(i, finished[p.id], "✅ done earlier") if p.id in finished else [i, p.id, "", "", "", "⏳"]
            for i, p in enumerate(products, 1)]
    position = {p.id: i for i, p in enumerate(products)}
    total, already = len(products), sum(1 for p in products if p.id in finished)
    problems = [{**r, "stage": "read"} for r in catalog_rows.rejected]
    table, count = _problems(problems)
    others = len(read_results(out)) - len(finished)
    older = (f" ({others} earlier results under other settings are kept but not exported; **Start over** moves "
             "them aside)") if others else ""
    yield (rows, f"⏳ {already} of {total} already done in `{out}` under these settings: {settings_label(settings)}"
                 f"{older}; running the rest…{count}", str(out), table, hidden)

    events: queue.Queue = queue.Queue()
    stop_flag = _STOPS.setdefault(str(out), threading.Event())
    stop_flag.clear()

    def work():
        try:
            summary = run_batch(catalog_rows, out, settings, limit=None, batch_size=batch_size,
                                progress=lambda done, todo, record: events.put(("row", done, todo, record)),
                                should_stop=stop_flag.is_set, history=studio.history, studio=studio)
            events.put(("end", summary))
        except Exception as exc:  # shown in the UI; finished products are already on disk
            events.put(("error", exc))

    threading.Thread(target=work, daemon=True).start()
    while True:
        event = events.get()
        if event[0] == "row":
            _, done, todo, record = event
            rows[position[record["id"]]] = _row(position[record["id"]] + 1, record,
                                                "⚠️ failed" if "error" in record else "✅ new")
            if "error" in record:
                problems.append(record)
                table, count = _problems(problems)
            else:
                table = gr.update()
            if progress:
                progress(done / max(todo, 1), desc=f"{already + done} of {total} products")
            yield rows, f"⏳ {already + done} of {total} products…{count}", gr.update(), table, gr.update()
        elif event[0] == "end":
            s = event[1]
            word = "Stopped" if s["stopped"] else "Done"
            problems = read_failures(out)  # the whole list, as the file holds it
            table, _ = _problems(problems)
            download = gr.update(value=_publish([out / FAILURES]), visible=True) if problems else hidden
            rejected = f", {s['rejected']} bad rows skipped" if s["rejected"] else ""
            listed = "; the rows not run are listed below" if problems else ""
            yield (rows, f"{'⚠️' if problems else '✅'} {word}: {s['done']} of {s['total']} products in `{out}` "
                         f"({s['new']} new, {s['skipped']} kept from before, {s['failed']} failed{rejected}){listed}. "
                         f"Settings: {s['settings']}. Export below (these settings' copy only).", gr.update(), table,
                   download)
            return
        else:
            yield (rows, f"⚠️ The batch stopped: {event[1]}. Finished products are kept; Run resumes.", gr.update(),
                   gr.update(), gr.update())
            return


def _catalog_path(upload, typed) -> Path:
    # Both come from the browser: an upload (a catalog, or a zip of it and its photos) is unpacked
    # into a folder of its own; a typed path must lie in a catalog folder this studio offers.
    if upload:
        return unpack_upload([upload])
    if typed and typed.strip():
        return named_catalog(typed)
    raise StudioError("upload a catalog (CSV or JSONL, or a zip of it with its photos) first")


# The tab's settings widgets, by the ``Settings`` field each sets, in the order the tab wires them.
BATCH_KNOBS = ("fusion", "tone", "platform", "description_length", "temperature", "max_new_tokens", "seed")


def batch_settings(knobs: dict) -> Settings:
    """The settings on screen, by ``BATCH_KNOBS`` name; Run writes under them and the exports read the rows
    written under them."""
    return Settings(fusion=knobs["fusion"], tone=knobs["tone"], platform=knobs["platform"],
                    temperature=knobs["temperature"], max_new_tokens=int(knobs["max_new_tokens"]),
                    seed=int(knobs["seed"] or 0), description_length=knobs["description_length"])


def clear_catalog(upload, typed, folder: str) -> str:
    """What Start over does: the chosen catalog's (or the last run's) results move into a backup folder."""
    out = batch_folder(_catalog_path(upload, typed).name) if upload or (typed and typed.strip()) else None
    if out is None and not folder:
        raise StudioError("upload the catalog to start over first")
    out = out or Path(folder)
    backup = start_over(out)
    if backup is None:
        return f"Nothing to start over: `{out.name}` has no results yet. Press **Run**."
    return (f"🗂 Earlier results moved aside into `{backup}` (nothing deleted). Press **Run** to write every "
            "product again.")


def _publish(paths: list[Path]) -> list[str]:
    """Exports live in the data folder; Gradio serves copies from its temp folder."""
    folder = Path(tempfile.mkdtemp(prefix="mcs-export-"))
    return [str(shutil.copy(p, folder / p.name)) for p in paths]


def build_batch_tab(studio: Studio) -> None:
    gr.Markdown("### Run a whole catalog\nUpload your product list as a **CSV** (columns such as id, title, "
                "description, bullets, category, brand, price, images) or a **JSONL** file (one product per line), "
                "or a **.zip** of it together with its photos. Running the same catalog again with the same "
                "settings **resumes** it: finished products are kept, not redone. Changed settings write every "
                "product again; **Start over** moves earlier results aside.")
    with gr.Row():
        upload = gr.File(label="Catalog (.csv or .jsonl, or a .zip of it and its photos)",
                         file_types=[".csv", ".jsonl", ".json", ".ndjson", ".zip"],
                         type="filepath", elem_id="mcs-batch-file", scale=2)
        with gr.Column(scale=2):
            typed = gr.Textbox(label="…or the name of a catalog already on the studio's computer",
                               elem_id="mcs-batch-path",
                               info="Only for catalogs your admin placed in the studio's catalog folders; "
                                    "otherwise upload the file above",
                               placeholder="Leave empty and upload your CSV, JSONL or zip above")
            limit = gr.Number(value=0, precision=0, minimum=0, label="Only the first N products (0 = all)")
    with gr.Row():
        # One default everywhere: the method Create starts with (the one that won on validation), with
        # the same plain descriptions; the rule-based template stays one pick away for a quick first pass.
        method = gr.Dropdown(method_choices(), value=default_copy_method(), label="Copy method",
                             elem_id="mcs-batch-method")
        tone = gr.Dropdown(TONES, value="neutral", label="Tone")
        platform = gr.Dropdown([(p.label, k) for k, p in PLATFORMS.items()], value=Settings().platform, label="Platform")
        length = gr.Dropdown(DESCRIPTION_LENGTHS, value="standard", label="Description length",
                             elem_id="mcs-batch-length")
    with gr.Row():
        temperature = gr.Slider(0, 1.5, value=0.7, step=0.05, label="Temperature")
        max_tokens = gr.Slider(40, 400, value=160, step=10, label="Max tokens (description)")
        seed = gr.Number(value=0, precision=0, minimum=0, label="Seed")
        batch_size = gr.Slider(1, 16, value=8, step=1, label="Products at once",
                               info="Written together, their language-model calls batched: faster, and the "
                                    "same copy, checks and flags as the Create tab at any size")
    with gr.Row():
        run = gr.Button("Run / resume batch", variant="primary", elem_id="mcs-batch-run")
        stop = gr.Button("Stop after this step", elem_id="mcs-batch-stop")
        restart = gr.Button("Start over (move earlier results aside)", variant="stop", elem_id="mcs-batch-start-over")
    status = gr.Markdown("Upload a catalog and press **Run**.", elem_id="mcs-batch-status")
    problems = gr.Dataframe(headers=FAILURE_HEADERS, interactive=False, wrap=True, elem_id="mcs-batch-failures",
                            column_widths=FAILURE_WIDTHS, elem_classes=["mcs-fit-table"],
                            max_height=260, label="Rows not run: fix these lines in the catalog and press Run again",
                            visible=False)
    failures_file = gr.File(label="failures.jsonl (every row not run, with its line and reason)", interactive=False,
                            elem_id="mcs-batch-failures-file", height=60, visible=False)
    table = gr.Dataframe(headers=HEADERS, interactive=False, wrap=True, elem_id="mcs-batch-table", max_height=420,
                         label="Products", column_widths=COLUMN_WIDTHS, elem_classes=["mcs-fit-table"])
    gr.Markdown("#### Export the finished products")
    with gr.Row():
        shopify = gr.Button("Shopify CSV", elem_id="mcs-export-shopify")
        jsonl = gr.Button("JSONL", elem_id="mcs-export-jsonl")
        zipped = gr.Button("Zip (CSV, JSONL, images, videos)", elem_id="mcs-export-zip")
    image_base = gr.Textbox(label="Image URL prefix for the Shopify CSV (optional)",
                            placeholder="https://cdn.shopify.com/s/files/1/…/files/",
                            info="Empty: Image Src holds the file names inside the zip")
    files = gr.File(label="Exports", file_count="multiple", interactive=False, elem_id="mcs-export-files",
                    height=110)
    folder_state = gr.State("")
    knobs = [method, tone, platform, length, temperature, max_tokens, seed]  # BATCH_KNOBS order

    run.click(partial(start_batch, studio), [upload, typed, limit, *knobs, batch_size],
              [table, status, folder_state, problems, failures_file], concurrency_id="model", api_name=False,
              show_progress_on=[status])
    stop.click(request_stop, folder_state, status, api_name=False)
    restart.click(request_start_over, [upload, typed, folder_state], [status, table], api_name=False)
    for button, kind in ((shopify, "shopify"), (jsonl, "jsonl"), (zipped, "zip")):
        button.click(partial(export_batch, kind), [folder_state, image_base, *knobs], files, api_name=False)


# -- handlers: build_batch_tab wires them -----------------------------------------------------------------
def start_batch(studio: Studio, upload_path, typed_path, limit_n, *values, progress=gr.Progress()):
    """Run (or resume) the catalog: ``values`` are the settings widgets (``BATCH_KNOBS``), then the batch size."""
    *knobs, size = values
    try:
        catalog = _catalog_path(upload_path, typed_path)
        settings = batch_settings(dict(zip(BATCH_KNOBS, knobs)))
    except (StudioError, ValueError) as exc:
        yield gr.update(), f"⚠️ {exc}", gr.update(), gr.update(visible=False), gr.update(visible=False)
        return
    yield from run_catalog(studio, catalog, int(limit_n or 0) or None, settings, int(size), progress)


def request_stop(folder):
    if folder and folder in _STOPS:
        _STOPS[folder].set()
        return "⏸ Stopping after the current step; press Run to resume later."
    return gr.update()


def request_start_over(upload_path, typed_path, folder):
    try:
        return clear_catalog(upload_path, typed_path, folder), []
    except (StudioError, ValueError) as exc:  # e.g. a batch still writing into that folder
        return f"⚠️ {exc}", gr.update()


def export_batch(kind: str, folder, base_url, *knobs):
    """The finished products written under the settings on screen (``BATCH_KNOBS``), as ``kind``: "shopify",
    "jsonl" or "zip"."""
    if not folder:
        raise gr.Error("run a batch first")
    settings = batch_settings(dict(zip(BATCH_KNOBS, knobs)))
    rows = read_results(folder, settings)  # what the dropdowns say, never another run's copy
    if not rows:
        raise gr.Error(f"no finished products under these settings ({settings_label(settings)}); press Run")
    target = Path(folder) / "exports"
    if kind == "shopify":
        csv_path = export.shopify_csv(rows, target / "products_shopify.csv", image_base_url=base_url or "")
        review = export.review_path(csv_path)  # the products held back as drafts, and why
        return _publish([csv_path, *([review] if review.exists() else [])])
    if kind == "jsonl":
        return _publish([export.jsonl(rows, target / "products.jsonl")])
    written = export.export_all(rows, target, image_base_url=base_url or "")
    # The CSV names the merchant's own photos when nothing was generated; ship those too.
    pairs = [(written["shopify"], "products_shopify.csv"), (written["jsonl"], "products.jsonl")]
    if "review" in written:
        pairs.append((written["review"], written["review"].name))
    pairs += export.media_names(rows) or [(Path(p), Path(p).name) for r in rows
                                          for p in (r.get("product") or {}).get("images") or []
                                          if Path(p).is_file()]
    return _publish([export.media_zip(pairs, target / f"{Path(folder).name}.zip")])
