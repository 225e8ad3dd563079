"""The Compare tab: one product, methods (rows) x seeds or another setting (columns), filled in
cell by cell; click a row of the table to continue with that result in the Create tab."""
from __future__ import annotations

import html
import tempfile
from functools import partial
from pathlib import Path

import gradio as gr

from engine.workflows.compare import (COLUMN_SETTINGS, best_values, column_labels, format_score, grid_csv, grid_png, is_best,
                            iter_grid, parse_values, score_chart, score_columns, table_rows)
from engine.workflows.ablation import DELTA_COLUMNS, iter_leave_one_out
from engine.workflows.ablation import table_rows as ablation_rows
from engine.core.errors import StudioError
from engine.pipeline import default_copy_method, Studio, copy_methods
from engine.core.product import Product
from engine.inputs.samples import sample_products
from studio.create_tab import CreateTab, product_from_form, settings_from_knobs
from studio.render import slug

SOURCES = ("A sample product", "The product in the Create tab")

STYLE = """<style>
#mcs-compare-grid table {border-collapse:collapse; width:100%; font-size:13px}
#mcs-compare-grid th, #mcs-compare-grid td {border:1px solid #d0d5dd; padding:6px 8px; vertical-align:top}
#mcs-compare-grid th {background:#f4f5f8}
#mcs-compare-grid .mcs-cell-title {font-weight:600}
#mcs-compare-grid .mcs-cell-desc {color:#52525b; margin:2px 0 4px}
#mcs-compare-grid .mcs-cell-scores {display:flex; flex-wrap:wrap; gap:4px}
#mcs-compare-grid .mcs-s {font-size:11px; padding:1px 6px; border-radius:999px; background:#f4f4f5; white-space:nowrap}
#mcs-compare-grid .mcs-best {background:#e7f6ec; color:#135c2e; font-weight:700; border:1px solid #7cc79a}
#mcs-compare-grid .mcs-pending {color:#a1a1aa}
</style>"""


def grid_html(cells: list[dict], methods: list[str], values: list, column: str) -> str:
    """Methods down, column values across; each cell: title, start of description, scores with the
    best of each score in the grid highlighted. Cells not made yet show as pending."""
    labels = column_labels(cells)
    keys = score_columns(cells)
    best = best_values(cells)
    by_slot = {(c["method"], c["value"]): c for c in cells}
    head = "".join(f"<th>{html.escape(column)} = {html.escape(str(v))}</th>" for v in values)
    rows = []
    for method in methods:
        tds = []
        for value in values:
            cell = by_slot.get((method, value))
            if cell is None:
                tds.append('<td class="mcs-pending">⏳ waiting</td>')
                continue
            if cell["error"]:
                tds.append(f'<td class="mcs-error">⚠️ {html.escape(cell["error"])}</td>')
                continue
            text = cell["description"]
            short = text if len(text) <= 140 else text[:140].rsplit(" ", 1)[0] + "…"
            scores = "".join(
                f'<span class="mcs-s{" mcs-best" if is_best(cell, k, best) else ""}" data-metric="{k}">'
                f'{html.escape(labels.get(k, k))} {format_score(k, cell["scores"][k])}</span>'
                for k in keys if k in cell["scores"])
            tds.append(f'<td data-method="{html.escape(method)}" data-value="{html.escape(str(value))}">'
                       f'<div class="mcs-cell-title">{html.escape(cell["title"])}</div>'
                       f'<div class="mcs-cell-desc">{html.escape(short)}</div>'
                       f'<div class="mcs-cell-scores">{scores}</div></td>')
        rows.append(f"<tr><th>{html.escape(method)}</th>{''.join(tds)}</tr>")
    legend = "<p style='font-size:12px'>Green = the best value of that score in the grid.</p>" if cells else ""
    return f"{STYLE}<table><tr><th>method</th>{head}</tr>{''.join(rows)}</table>{legend}"


def chosen_product(source_value: str, sample_label: str, form: dict) -> Product:
    """The sample picked in this tab, or the product typed in the Create tab (``form``: its fields by
    ``studio.create_tab.FORM`` name)."""
    if source_value != SOURCES[0]:
        return product_from_form(**form)
    product = sample_products().get(sample_label)
    if product is None:
        raise StudioError("pick a sample product, or switch to the Create tab's product")
    return product


def create_fields(create: CreateTab, values) -> tuple[dict, dict]:
    """(the Create tab's product form, its settings widgets), each by name, from values given in the order
    ``[*create.form.values(), *create.knobs.values()]``."""
    values = list(values)
    return dict(zip(create.form, values[: len(create.form)])), dict(zip(create.knobs, values[len(create.form):]))


def build_compare_tab(studio: Studio, create: CreateTab, tabs: gr.Tabs) -> None:
    methods = copy_methods()
    samples = list(sample_products())
    gr.Markdown("### Compare copy methods on one product\nRows are copy methods, columns are seeds or another "
                "setting. The other settings (tone, platform, max tokens, ...) come from the **Create** tab.")
    with gr.Row():
        source = gr.Radio(list(SOURCES), value=SOURCES[0], label="Product", scale=2)
        sample = gr.Dropdown(samples, value=samples[0] if samples else None, label="Sample", scale=3)
    # Every row costs a full generation per column: start from the baselines and the default method.
    preselected = [m for m in methods if m in ("none", "template", default_copy_method())]
    method_box = gr.CheckboxGroup([(label, key) for key, label in methods.items()], value=preselected,
                                  label="Methods (rows)", elem_id="mcs-compare-methods",
                                  info="The baselines plus every fusion method with a trained checkpoint")
    with gr.Row():
        column = gr.Dropdown(list(COLUMN_SETTINGS), value="seed", label="Columns vary", scale=1)
        values = gr.Textbox("1, 2", label="Column values (comma-separated)", elem_id="mcs-compare-values", scale=2,
                            info="e.g. seeds 1, 2 · tones friendly, premium · temperatures 0, 0.7")
    run = gr.Button("Run the grid", variant="primary", elem_id="mcs-compare-run")
    status = gr.Markdown("Pick the methods and columns, then **Run the grid**.", elem_id="mcs-compare-status")
    grid = gr.HTML(elem_id="mcs-compare-grid")
    gr.Markdown("**Click a row** to open that result in the Create tab (settings, product and copy).")
    table = gr.Dataframe(show_label=False, interactive=False, wrap=False, elem_id="mcs-compare-table",
                         max_height=300)
    chart = gr.Image(show_label=False, type="filepath", elem_id="mcs-compare-chart", interactive=False, height=380)
    with gr.Row():
        export_png = gr.Button("Export PNG", size="sm", elem_id="mcs-compare-png")
        export_csv = gr.Button("Export CSV", size="sm", elem_id="mcs-compare-csv")
    exported = gr.File(label="Exports", file_count="multiple", elem_id="mcs-compare-files", interactive=False,
                       height=110)
    cells_state = gr.State([])
    ablation = build_ablation_section(methods)

    create_inputs = [*create.form.values(), *create.knobs.values()]
    run.click(partial(run_grid, studio, create, methods), [source, sample, method_box, column, values, *create_inputs],
              [grid, table, chart, status, cells_state], concurrency_id="model", api_name=False,
              show_progress_on=[status])

    send_targets = list(dict.fromkeys(create.shown + create_inputs + [tabs]))

    def send(cells, evt: gr.SelectData):  # Gradio hands the clicked row to a parameter typed gr.SelectData
        return send_to_create(create, tabs, cells, evt)

    table.select(send, cells_state, send_targets, api_name=False)
    export_png.click(partial(export_grid, "png"), cells_state, exported, api_name=False)
    export_csv.click(partial(export_grid, "csv"), cells_state, exported, api_name=False)
    ablation["run"].click(partial(run_ablation, studio, create),
                          [source, sample, ablation["method"], ablation["seed"], *create_inputs],
                          [ablation["table"], ablation["status"]], concurrency_id="model", api_name=False,
                          show_progress_on=[ablation["status"]])


# -- handlers: build_compare_tab wires them -----------------------------------------------------------------
def run_grid(studio: Studio, create: CreateTab, methods: dict, source_value, sample_label, chosen, column_value,
             values_text, *create_values, progress=gr.Progress()):
    """The grid, cell by cell: (grid, table, chart, status, cells) as each cell is written."""
    form, knobs = create_fields(create, create_values)
    try:
        product = chosen_product(source_value, sample_label, form)
        base = settings_from_knobs(knobs)
        wanted = parse_values(column_value, values_text)
        rows = [m for m in methods if m in (chosen or [])]
        if not rows:
            raise StudioError("tick at least one method")
    except (StudioError, ValueError) as exc:
        yield gr.update(), gr.update(), gr.update(), f"⚠️ {exc}", gr.update()
        return
    total = len(rows) * len(wanted)
    cells: list[dict] = []
    progress(0, desc=f"0 of {total} cells")
    yield grid_html(cells, rows, wanted, column_value), None, None, f"⏳ 0 of {total} cells…", cells
    try:
        for cell in iter_grid(studio, product, rows, wanted, column_value, base):
            cells.append(cell)
            progress(len(cells) / total, desc=f"{len(cells)} of {total} cells")
            header, data = table_rows(cells)
            yield (grid_html(cells, rows, wanted, column_value), gr.update(value=data, headers=header), gr.update(),
                   f"⏳ {len(cells)} of {total} cells…", cells)
    except StudioError as exc:  # the product itself was refused (e.g. an unreadable photo)
        yield gr.update(), gr.update(), gr.update(), f"⚠️ {exc}", cells
        return
    chart_path = score_chart(cells, Path(tempfile.mkdtemp(prefix="mcs-compare-")) / "chart.png")
    failed = sum(1 for c in cells if c["error"])
    note = f" · {failed} failed (see the cells)" if failed else ""
    yield (gr.update(), gr.update(), str(chart_path),
           f"✅ Grid done: {total} cells · {product.title or 'product'}{note}. Click a row below to open it in Create.", cells)


def send_to_create(create: CreateTab, tabs: gr.Tabs, cells, evt) -> dict:
    """The clicked row's result put into the Create tab (``evt``: the table's gr.SelectData)."""
    row = evt.index[0] if isinstance(evt.index, (list, tuple)) else evt.index
    if not cells or row is None or row >= len(cells) or cells[row]["result"] is None:
        return {}
    result = cells[row]["result"]
    update = create.restore(result, result.settings.model_dump(),
                            f"↩️ From the Compare tab: method **{result.settings.fusion}**, "
                            f"{cells[row]['column']} **{cells[row]['value']}**. Edit it, or Regenerate.")
    update[tabs] = gr.Tabs(selected="create")
    return update


def export_grid(kind: str, cells):
    """The grid as a PNG (``kind`` "png") or a CSV file."""
    if not cells:
        raise gr.Error("run the grid first")
    folder = Path(tempfile.mkdtemp(prefix="mcs-compare-"))
    name = slug(cells[0]["result"].product.title if cells[0]["result"] else "grid")
    if kind == "png":
        return [str(grid_png(cells, folder / f"compare-{name}.png"))]
    return [str(grid_csv(cells, folder / f"compare-{name}.csv"))]


def run_ablation(studio: Studio, create: CreateTab, source_value, sample_label, method, seed, *create_values,
                 progress=gr.Progress()):
    """One method's copy with every input, then without each: (table, status) as each version is written."""
    form, knobs = create_fields(create, create_values)
    try:
        product = chosen_product(source_value, sample_label, form)
        settings = settings_from_knobs(knobs).replace(seed=int(seed or 0))
        if not method:
            raise StudioError("pick the method whose inputs to take away")
    except (StudioError, ValueError) as exc:
        yield gr.update(), f"⚠️ {exc}"
        return
    rows: list[dict] = []
    progress(0, desc="all inputs")
    yield gr.update(value=None), f"⏳ Writing **{method}**'s copy with every input…"
    try:
        for row in iter_leave_one_out(studio, product, method, settings):
            rows.append(row)
            progress(len(rows) / 4, desc=row["label"])
            header, data = ablation_rows(rows, description_chars=90)
            yield gr.update(value=data, headers=header), f"⏳ {len(rows)} of 4 versions…"
    except (StudioError, ValueError) as exc:
        yield gr.update(), f"⚠️ {exc}"
        return
    taken = [r for r in rows[1:] if r["status"] in ("ran", "no copy")]
    changed = sum(1 for r in taken if r["changed"])
    notes = "".join(f"\n- **{r['label']}**: {r['note']}" for r in rows[1:] if r["note"])
    yield gr.update(), (f"✅ **{method}**, seed {settings.seed}, {product.title or 'product'}: taking away "
                        f"{changed} of the {len(taken)} inputs it could changed the copy. "
                        f"Δ = that version's score minus the first row's.{notes}")


def build_ablation_section(methods: dict[str, str]) -> dict:
    """Leave one input out (engine.workflows.ablation): what the copy loses without the photos, the text or
    the video; the measured counterpart of the gate-weight bars."""
    gr.Markdown("### What each input changes\nWrites one method's copy with every input, then again without "
                "the photos, without the text (photos and category only) and without the video, with the same "
                "seed and settings, and scores every version against the full product. **Gate weight** is what "
                "the fusion's bars show (how much it attends to an input); **what changed** and the **Δ** "
                "columns are what taking the input away actually did to the copy (the first row holds the scores "
                "the Δ are measured from).")
    with gr.Row():
        method = gr.Dropdown([(label, key) for key, label in methods.items()], value=default_copy_method(),
                             label="Method", elem_id="mcs-ablate-method", scale=3)
        seed = gr.Number(1, precision=0, minimum=0, label="Seed (every version)", elem_id="mcs-ablate-seed", scale=1)
        run = gr.Button("What each input changes", elem_id="mcs-ablate-run", scale=2)
    status = gr.Markdown("", elem_id="mcs-ablate-status")
    # Narrow number columns, room for the texts; the table scrolls sideways for the deltas.
    widths = ["110px", "70px", "190px", "170px", "300px"] + ["90px"] * len(DELTA_COLUMNS)
    table = gr.Dataframe(show_label=False, interactive=False, wrap=True, elem_id="mcs-ablate-table", max_height=420,
                         column_widths=widths)
    return {"method": method, "seed": seed, "run": run, "status": status, "table": table}

