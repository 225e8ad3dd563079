"""The History tab: every generation, searchable; one shown in full with its parent -> child
lineage; restored into the Create tab; or restored from a studio-made PNG/MP4 dropped here."""
from __future__ import annotations

import html
import json
from functools import partial
from pathlib import Path

import gradio as gr

from engine.copywriting.copy import Copy
from engine.storage.metadata import read_settings
from engine.pipeline import Result, Studio
from engine.core.product import Product
from engine.scores import Score
from engine.core.settings import Settings
from studio.create_tab import CreateTab
from studio.creatives_panel import CREATIVE_KNOBS

HEADERS = ["created", "generated title", "product", "method", "seed", "regenerated from", "id"]


def creative_values(settings: dict) -> dict:
    """The Create tab's ad-image widgets for a settings dict (a dropped ad image carries them), by
    ``CREATIVE_KNOBS`` name (the photo counted from 1, as the widget shows it)."""
    s = {**Settings().model_dump(), **settings}
    return {name: s[name] + 1 if name == "photo_index" else s[name] for name in CREATIVE_KNOBS}


def parent_label(parent: dict | None) -> str:
    """What a regeneration was made from, as a merchant knows it: the parent's seed and time (its id,
    which this column used to show, says nothing; it stays one click away in the lineage)."""
    if parent is None:
        return ""
    return f"seed {parent['seed']} · {parent['created_at'][5:16].replace('T', ' ')}"  # "seed 3 · 12-07 04:35"


def _table(rows: list[dict], parents: dict[str, dict] | None = None) -> list[list]:
    parents = parents or {}
    return [[r["created_at"][:19].replace("T", " "), r["title"], r["product_title"], r["fusion"], r["seed"],
             parent_label(parents.get(r["parent_id"])) if r["parent_id"] else "", r["id"]] for r in rows]


def detail_markdown(row: dict) -> str:
    s = row["settings"]
    in_force, undone = _edit_state(row["edits"])
    lines = [
        f"#### {html.escape(row['title'] or '(no title)')}",
        f"`{row['id']}` · {row['created_at']} · method **{s.get('fusion')}** · seed **{row['seed']}** · tone "
        f"**{s.get('tone')}** · platform **{s.get('platform')}** · temperature {s.get('temperature')} · "
        f"model {row['models'].get('language_model', '?')}",
        "", html.escape(row["description"]), "",
        *[f"- {html.escape(b)}" for b in row["bullets"]], "",
        f"**Keywords:** {html.escape(', '.join(row['keywords']))}", "",
        f"**Product:** {html.escape(row['product'].get('title') or '')} "
        f"({len(row['product'].get('images') or [])} photos)",
    ]
    if in_force:
        lines += ["", f"**Edited by the operator:** {', '.join(in_force)} (the text above includes the edits)"]
    if undone:
        lines += ["", f"**Edits undone:** {', '.join(undone)} (the text above is what the generator wrote; "
                      f"the {sum(e.get('action', 'edit') == 'edit' for e in row['edits'])} edit(s) stay in the log)"]
    if row["choice"]:
        picked = ", ".join(f"{field} #{index + 1}" for field, index in row["choice"].items())
        lines += ["", f"**Chosen candidates:** {picked}"]
    if row["media"]:
        lines += ["", "**Media:** " + ", ".join(Path(m).name for m in row["media"])]
    return "\n".join(lines)


def _edit_state(edits: list[dict]) -> tuple[list[str], list[str]]:
    """(fields whose edit is in force, fields whose edits were undone), each sorted."""
    last = {e["field"]: e.get("action", "edit") for e in edits}  # the log is oldest first: the latest wins
    return (sorted(f for f, a in last.items() if a != "undo"), sorted(f for f, a in last.items() if a == "undo"))


def lineage_markdown(chain: list[dict], children: list[dict]) -> str:
    def name(r: dict) -> str:
        return f"`{r['id']}` seed {r['seed']} · {html.escape((r['title'] or '')[:50])}"

    if len(chain) <= 1 and not children:
        return "**Lineage:** an original generation, not regenerated yet."
    lines = ["**Lineage** (parent → child):"]
    lines += [f"{'  ' * i}- {'**' if i == len(chain) - 1 else ''}{name(r)}{'** ← this one' if i == len(chain) - 1 else ''}"
              for i, r in enumerate(chain)]
    lines += [f"{'  ' * len(chain)}- {name(c)}" for c in children]
    return "\n".join(lines)


def build_history_tab(studio: Studio, create: CreateTab, tabs: gr.Tabs, tab: gr.Tab) -> None:
    history = studio.history
    gr.Markdown(f"### Every generation, stored in `{history.path}`\nSearch by words of the title, product, "
                "brand or category. Click a row to see it in full.")
    with gr.Row():
        query = gr.Textbox(label="Search", placeholder="e.g. messenger bag", scale=4, elem_id="mcs-history-query")
        search = gr.Button("Search", scale=1, elem_id="mcs-history-search")
    # Shares of the width, so the id column stays on screen whatever the titles' length (issue 14.13).
    table = gr.Dataframe(headers=HEADERS, interactive=False, wrap=True, elem_id="mcs-history-table", max_height=320,
                         column_widths=["15%", "27%", "18%", "9%", "6%", "12%", "13%"], elem_classes=["mcs-fit-table"],
                         label="Newest first")
    with gr.Row():
        chosen = gr.Textbox(label="Generation id", elem_id="mcs-history-id", scale=3,
                            info="Filled by clicking a row; you can paste an id too")
        show = gr.Button("Show", scale=1, elem_id="mcs-history-show")
        restore = gr.Button("Restore into Create tab", variant="primary", scale=2, elem_id="mcs-history-restore")
    with gr.Row(equal_height=False):
        detail = gr.Markdown(elem_id="mcs-history-detail")
        lineage = gr.Markdown(elem_id="mcs-history-lineage")
    with gr.Accordion("Everything stored (JSON: inputs, settings, models, outputs, scores, edits, timings)",
                      open=False):
        raw = gr.JSON()
    gr.Markdown("### Restore settings from a file\nDrop an ad image (PNG) or a video (MP4) the studio made: the "
                "settings it was made with go back into the Create tab.")
    dropped = gr.File(label="Studio-made PNG or MP4", file_types=[".png", ".mp4", ".mov", ".m4v"],
                      elem_id="mcs-drop", type="filepath", height=140)
    drop_status = gr.Markdown(elem_id="mcs-drop-status")

    listed = partial(listing, history)
    search.click(listed, query, table, api_name=False)
    query.submit(listed, query, table, api_name=False)
    tab.select(listed, query, table, api_name=False, show_progress="hidden")

    described = partial(describe, history)
    table.select(pick, table, chosen, api_name=False).then(described, chosen, [detail, lineage, raw], api_name=False)
    show.click(described, chosen, [detail, lineage, raw], api_name=False)
    chosen.submit(described, chosen, [detail, lineage, raw], api_name=False)

    targets = list(dict.fromkeys(create.shown + [*create.form.values()] + [*create.knobs.values()] + [tabs, detail]))
    restore.click(partial(restore_generation, history, create, tabs, detail), chosen, targets, api_name=False)
    dropped.upload(partial(restore_file, create, tabs, drop_status), dropped,
                   list(dict.fromkeys([*create.knobs.values(), *create.creative_knobs.values(), create.status,
                                       drop_status, tabs])),
                   api_name=False)


# -- handlers: build_history_tab wires them ------------------------------------------------------------------
def listing(history, text):
    """The table of generations whose title, product, brand or category holds ``text``, newest first."""
    rows = history.search(text or "", limit=200)
    return _table(rows, history.summaries(r["parent_id"] for r in rows))


def pick(rows, evt: gr.SelectData):
    """The id of the clicked row."""
    index = evt.index[0] if isinstance(evt.index, (list, tuple)) else evt.index
    try:
        return rows.iloc[index]["id"] if hasattr(rows, "iloc") else rows[index][-1]
    except (IndexError, KeyError, TypeError):
        return gr.update()


def describe(history, generation_id):
    """(details, lineage, everything stored) of one generation."""
    generation_id = (generation_id or "").strip()
    if not generation_id:
        return "", "", None
    try:
        row = history.get(generation_id)
    except KeyError:
        return f"⚠️ No generation `{html.escape(generation_id)}` in the history.", "", None
    return (detail_markdown(row), lineage_markdown(history.lineage(generation_id), history.children(generation_id)),
            json.loads(json.dumps(row, default=str)))


def restore_generation(history, create: CreateTab, tabs: gr.Tabs, detail: gr.Markdown, generation_id):
    """A stored generation put back into the Create tab (``Result.from_dict``)."""
    try:
        result = Result.from_dict(history.result_dict((generation_id or "").strip()))
    except KeyError:
        return {detail: f"⚠️ Pick a generation first (no `{html.escape(generation_id or '')}` in the history)."}
    settings = result.settings.model_dump()
    update = create.restore(result, settings,
                            f"↩️ Restored generation `{result.id}` from the history (seed {result.settings.seed}, "
                            f"method **{result.settings.fusion}**). Regenerate to make a child of it.")
    update[tabs] = gr.Tabs(selected="create")
    return update


def restore_file(create: CreateTab, tabs: gr.Tabs, drop_status: gr.Markdown, path):
    """The settings a studio-made PNG or MP4 carries put back into the Create tab's widgets."""
    if not path:
        return {drop_status: ""}
    settings = read_settings(path)
    name = Path(path).name
    if settings is None:
        return {drop_status: f"⚠️ **{html.escape(name)}** carries no studio settings (accepted: a PNG or MP4 "
                             "made by this studio, which stores its settings inside the file)."}
    try:
        Settings.model_validate(settings)
    except ValueError as exc:
        return {drop_status: f"⚠️ **{html.escape(name)}**: its settings are not valid here: {exc}"}
    update = create.knob_updates(settings)
    update.update({create.creative_knobs[field]: value for field, value in creative_values(settings).items()})
    message = (f"↩️ Settings restored from **{html.escape(name)}**: method **{settings.get('fusion')}**, seed "
               f"**{settings.get('seed')}**, tone **{settings.get('tone')}**. Load the product and Generate.")
    update[create.status] = message
    update[drop_status] = message
    update[tabs] = gr.Tabs(selected="create")
    return update
