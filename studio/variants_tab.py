"""The Variants tab: one product told to several shopper segments (columns) field by field (rows),
every cell scored (claim check, platform limit, distinct headlines); edit a cell and re-check it,
regenerate a segment, export for Google Ads Editor and Meta bulk upload, images zipped. Also the
``/variants`` API endpoint. All the work is in ``engine.workflows.variants`` and ``engine.workflows.adsets``."""
from __future__ import annotations

import html
import tempfile
from functools import partial
from pathlib import Path

import gradio as gr

from engine.workflows import variants as engine_variants
from engine.core.errors import StudioError
from engine.pipeline import Studio
from engine.core.product import Product
from engine.inputs.samples import sample_products
from studio.compare_tab import SOURCES, chosen_product
from studio.create_tab import CreateTab

STYLE = """<style>
#mcs-variants-grid table {border-collapse:collapse; width:100%; font-size:13px}
#mcs-variants-grid th, #mcs-variants-grid td {border:1px solid #d0d5dd; padding:6px 8px; vertical-align:top}
#mcs-variants-grid th {background:#f4f5f8; text-align:left}
#mcs-variants-grid .mcs-cell-text {white-space:pre-line; margin-bottom:4px}
</style>"""
FIELD_LABELS = {name: label for name, label, _, _ in engine_variants.FIELDS}


def _badge(name: str, ok: bool | None, tip: str = "") -> str:
    if ok is None:
        return ""
    state = "mcs-good" if ok else "mcs-bad"
    text = {"claims": "claims", "limit": "limit", "distinct": "distinct"}[name] + (" ✓" if ok else " ✗")
    return f'<span class="mcs-badge {state}" data-metric="{name}" title="{html.escape(tip)}">{text}</span>'


def grid_html(ingested, pairs) -> str:
    """Fields down, segments across; each cell its text and its badges."""
    if not pairs:
        return "<p>Pick segments and press <b>Make variants</b>.</p>"
    head = "".join(f'<th data-segment="{html.escape(v.segment)}">{html.escape(v.label)}</th>' for v, _ in pairs)
    rows = []
    for name, label, _, _ in engine_variants.FIELDS:
        cells = []
        for variant, adset in pairs:
            scores = engine_variants.cell_scores(ingested, variant, adset, name)
            badges = (_badge("claims", scores["claims"], "flagged: " + ", ".join(scores["flagged"]))
                      + _badge("limit", scores["limit"]) + _badge("distinct", scores["distinct"]))
            text = engine_variants.cell_text(variant, adset, name)
            cells.append(f'<td data-segment="{html.escape(variant.segment)}" data-field="{name}">'
                         f'<div class="mcs-cell-text">{html.escape(text)}</div>'
                         f'<div class="mcs-badges">{badges}</div></td>')
        rows.append(f"<tr><th>{html.escape(label)}</th>{''.join(cells)}</tr>")
    return f"{STYLE}<table><tr><th>field</th>{head}</tr>{''.join(rows)}</table>"


def _ingested(studio: Studio, state: dict):
    return studio.ingest(Product.model_validate(state["product"]))


def _save_images(studio: Studio, ingested, variant, folder: Path) -> list[str]:
    creatives = engine_variants.variant_images(studio, ingested, variant)
    paths = []
    for creative in creatives:
        path = folder / f"{variant.segment}-{creative.size}.png"
        creative.image.save(path)
        paths.append(str(path))
    return paths


def _gallery(state: dict) -> list:
    return [(p, label) for segment, label in state["labels"].items() for p in state["images"].get(segment, [])]


def _choices(state: dict) -> gr.Dropdown:
    labels = state["labels"]
    return gr.Dropdown([(label, key) for key, label in labels.items()], value=next(iter(labels), None))


def build_variants_tab(studio: Studio, create: CreateTab) -> None:
    samples = list(sample_products())
    presets = [(s.label, s.key) for s in engine_variants.PRESETS.values()]
    state = gr.State(None)
    with gr.Row():
        source = gr.Radio(list(SOURCES), value=SOURCES[0], label="Product", scale=2)
        sample = gr.Dropdown(samples, value=samples[0] if samples else None, label="Sample", scale=3)
    with gr.Row():
        chosen = gr.CheckboxGroup(presets, value=["students", "parents"], label="Segments", scale=3,
                                  elem_id="mcs-variants-segments")
        other = gr.Textbox(label="Other segments (free text, comma-separated)", scale=2,
                           placeholder="e.g. remote workers who travel", elem_id="mcs-variants-other")
        with_images = gr.Checkbox(value=True, label="Ad images", scale=1)
    make = gr.Button("Make variants", variant="primary", elem_id="mcs-variants-make")
    status = gr.Markdown(elem_id="mcs-variants-status")
    grid = gr.HTML(grid_html(None, []), elem_id="mcs-variants-grid")
    gallery = gr.Gallery(label="Ad images per segment", columns=4, height="auto")
    with gr.Accordion("Edit a cell, regenerate a segment", open=True):
        with gr.Row():
            segment = gr.Dropdown([], label="Segment", elem_id="mcs-variants-segment")
            field = gr.Dropdown([(label, name) for name, label in FIELD_LABELS.items()], value="title",
                                label="Field", elem_id="mcs-variants-field")
        text = gr.Textbox(label="Cell text (one line per headline or bullet)", lines=3, elem_id="mcs-variants-text")
        with gr.Row():
            apply = gr.Button("Apply edit and re-check", elem_id="mcs-variants-apply")
            again = gr.Button("Regenerate segment", elem_id="mcs-variants-regenerate")
    with gr.Row():
        campaign = gr.Textbox(label="Campaign (default: the product title)")
        url = gr.Textbox(label="Final URL / link")
    export = gr.Button("Export Google Ads + Meta CSVs and images", elem_id="mcs-variants-export")
    files = gr.File(label="Exports", file_count="multiple", interactive=False, elem_id="mcs-variants-files")

    # api_name: the names these events had as closures (their endpoints stay where they were)
    make.click(partial(run_variants, studio, create), [source, sample, chosen, other, with_images, *create.form.values()],
               [state, grid, gallery, segment, status], concurrency_id="model", api_name="run")
    segment.change(load_cell, [state, segment, field], text)
    field.change(load_cell, [state, segment, field], text)
    apply.click(partial(apply_edit, studio), [state, segment, field, text], [state, grid, status],
                api_name="apply_edit")
    regenerated = again.click(partial(regenerate_segment, studio), [state, segment, with_images],
                              [state, grid, gallery, status], concurrency_id="model", api_name="regenerate")
    regenerated.then(load_cell, [state, segment, field], text)
    export.click(do_export, [state, campaign, url], files)
    build_variants_api(studio)


# -- handlers: build_variants_tab wires them ----------------------------------------------------------------
def run_variants(studio: Studio, create: CreateTab, source_value, sample_label, picked, free, images, *form_values):
    """Make the variants: (state, grid, gallery, segment choices, status)."""
    try:
        product = chosen_product(source_value, sample_label, dict(zip(create.form, form_values)))
        ingested = studio.ingest(product)
        names = list(picked or []) + [s for s in (free or "").split(",") if s.strip()]
        colours = studio.photo_colours(ingested)
        pairs = engine_variants.make_variants(ingested, engine_variants.resolve_segments(names), studio.device,
                                              colours, precision=studio.precision)
        folder = Path(tempfile.mkdtemp(prefix="mcs-variants-"))
        shown = {}
        if images and ingested.photos:
            shown = {v.segment: _save_images(studio, ingested, v, folder) for v, _ in pairs}
    except (StudioError, ValueError) as exc:
        raise gr.Error(str(exc)) from None
    data = {"product": ingested.product.model_dump(), "pairs": pairs, "images": shown, "folder": str(folder),
            "labels": {v.segment: v.label for v, _ in pairs}, "shifts": {}, "colours": colours}
    passed = sum(engine_variants.variant_passes(v, a) for v, a in pairs)
    note = f"Done: {len(pairs)} variants, {passed} pass the claim check and every platform limit."
    return data, grid_html(ingested, pairs), _gallery(data), _choices(data), note


def load_cell(data, segment_key, name):
    """The text of one cell (segment, field) of the grid."""
    if not data or not segment_key:
        return ""
    pair = next((p for p in data["pairs"] if p[0].segment == segment_key), None)
    return engine_variants.cell_text(*pair, name) if pair else ""


def apply_edit(studio: Studio, data, segment_key, name, new_text):
    """One cell edited and checked again: (state, grid, status)."""
    if not data:
        raise gr.Error("make variants first")
    ingested = _ingested(studio, data)
    for variant, adset in data["pairs"]:
        if variant.segment == segment_key:
            engine_variants.edit_cell(ingested, variant, adset, name, new_text, data["colours"])
            scores = engine_variants.cell_scores(ingested, variant, adset, name, data["colours"])
            passes = scores["claims"] and scores["limit"] is not False and scores["distinct"] is not False
            verdict = "passes" if passes else "fails: " + (", ".join(scores["flagged"]) or "a platform rule")
            return data, grid_html(ingested, data["pairs"]), f"{variant.label} / {FIELD_LABELS[name]} {verdict}."
    raise gr.Error("pick a segment")


def regenerate_segment(studio: Studio, data, segment_key, images):
    """One segment written again (the next seed shift): (state, grid, gallery, status)."""
    if not data:
        raise gr.Error("make variants first")
    ingested = _ingested(studio, data)
    shift = data["shifts"].get(segment_key, 0) + 1
    data["shifts"][segment_key] = shift
    others = [v for v, _ in data["pairs"]]
    for i, (variant, _) in enumerate(data["pairs"]):
        if variant.segment == segment_key:
            data["pairs"][i] = engine_variants.regenerate(ingested, variant.label, others, shift, studio.device,
                                                          data["colours"], precision=studio.precision)
            if images and ingested.photos:
                data["images"][segment_key] = _save_images(studio, ingested, data["pairs"][i][0],
                                                           Path(data["folder"]))
    return data, grid_html(ingested, data["pairs"]), _gallery(data), f"Regenerated {data['labels'].get(segment_key)}."


def do_export(data, campaign_name, link):
    """The Google Ads and Meta CSVs (and images) of the variants."""
    if not data:
        raise gr.Error("make variants first")
    name = campaign_name or data["product"].get("title") or "Campaign"
    out = Path(tempfile.mkdtemp(prefix="mcs-variants-export-"))
    paths = engine_variants.export_variants(data["pairs"], out, name, link, data["images"] or None)
    return [str(p) for k, p in paths.items() if k != "json"]


def build_variants_api(studio: Studio) -> None:
    """``/variants``: product JSON + photos + segments in; variants with ad sets and the export files out."""
    def variants(product: dict, segments: str, photos: list | None, final_url: str = "") -> tuple[dict, list]:
        try:
            if product is not None and not isinstance(product, dict):
                Product.from_record(product)  # raises the one-line message for a list, text, number ...
            record = dict(product or {})
            record["images"] = [getattr(p, "name", p) for p in photos or []]
            ingested = studio.ingest(Product.from_record(record))
            colours = studio.photo_colours(ingested)
            pairs = engine_variants.make_variants(ingested, engine_variants.resolve_segments(segments or ""),
                                                  studio.device, colours, precision=studio.precision)
            images = {v.segment: engine_variants.variant_images(studio, ingested, v) for v, _ in pairs} \
                if ingested.photos else None
            out = Path(tempfile.mkdtemp(prefix="mcs-variants-api-"))
            paths = engine_variants.export_variants(pairs, out, engine_variants.product_name(ingested), final_url,
                                                    images)
        except (StudioError, ValueError) as exc:
            raise gr.Error(str(exc)) from None
        data = {"variants": [{"variant": v.to_dict(), "adset": a.to_dict(),
                              "passes": engine_variants.variant_passes(v, a)} for v, a in pairs]}
        return data, [str(p) for k, p in paths.items() if k != "json"]

    with gr.Row(visible=False):
        product = gr.JSON(label="product")
        segments = gr.Textbox(label="segments")
        photos = gr.File(file_count="multiple", label="photos")
        final_url = gr.Textbox(label="final_url")
        out = gr.JSON(label="variants")
        files = gr.File(file_count="multiple", label="exports")
        trigger = gr.Button("variants api")
    trigger.click(variants, [product, segments, photos, final_url], [out, files], api_name="variants",
                  concurrency_id="model",
                  api_description="Copy and ad sets per shopper segment (comma-separated presets or free text), "
                                  "with Google Ads Editor and Meta CSVs and the ad images zipped.")
