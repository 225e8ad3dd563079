"""The Create tab: product inputs on the left, generated copy with live scores on the right."""
from __future__ import annotations

import json
import logging
import random
import tempfile
from contextlib import contextmanager
from dataclasses import dataclass
from functools import partial
from pathlib import Path
from typing import Callable

import gradio as gr

from engine.core.errors import StudioError
from engine.writers import RECOMMENDED, writer_choice, writer_label
from engine.pipeline import Result, Studio, copy_methods, default_copy_method
from engine.core.product import Product
from engine.inputs.samples import sample_products
from engine.core.settings import PLATFORMS, Settings
from studio.creatives_panel import build_creatives_panel
from studio.queueing import copy_events
from studio.render import contributions_panel, provenance_panel, score_badges, servable, slug

log = logging.getLogger(__name__)
OUTPUT_KINDS = ("title", "description", "bullets", "keywords")
TONES = ["neutral", "friendly", "premium", "playful", "technical"]
DESCRIPTION_LENGTHS = [("Short: the model stops where it likes", "short"),
                       ("Standard: about 35 words or more", "standard"),
                       ("Long: about 70 words or more", "long")]


def _cell(value) -> str:
    return "" if value is None else str(value).strip()


def _attributes(rows) -> dict[str, str]:
    """The table's filled rows; the empty ones kept for typing (and half-filled ones) are left out."""
    attributes = {}
    for row in rows or []:
        if len(row) >= 2 and _cell(row[0]) and _cell(row[1]):
            attributes[_cell(row[0])] = _cell(row[1])
    return attributes


ATTRIBUTE_ROWS = 5  # empty rows ready to type into: adding one through the table's menu is hard to find
SPARE_ROWS = 2  # blank rows kept below a loaded product's attributes


def attribute_rows(attributes: dict) -> list[list[str]]:
    """The attributes table for a product: its attributes, then blank rows to type more into."""
    rows = [[k, ", ".join(v) if isinstance(v, list) else str(v)] for k, v in attributes.items()]
    blanks = max(ATTRIBUTE_ROWS - len(rows), SPARE_ROWS)
    return rows + [["", ""] for _ in range(blanks)]


def method_choices() -> list[tuple[str, str]]:
    """(plain description, key) for the copy method dropdown; the key stays what settings store. The
    "(recommended)" mark follows the method's name: at the end of a long description the dropdown's
    box cut it off, so the one word that says which method to pick was the one not shown."""
    recommended = default_copy_method()
    choices = []
    for key in copy_methods():
        label = writer_choice(key)
        if key == recommended:
            name, _, what = label.partition(" — ")
            label = f"{name} ({RECOMMENDED}) — {what}"
        choices.append((label, key))
    return choices


# Gradio 6's Dataframe starts editing on the first key press in a selected cell but mounts its
# text box only afterwards, so that key (and any typed before the box has focus) is dropped.
# Keep those keys and put them into the box when it takes focus. Tables opt in by CSS class.
TYPED_TABLE = "mcs-typed-table"
CELL_TYPING_JS = """
(() => {
  if (window.mcsCellTyping) return;
  window.mcsCellTyping = true;
  let pending = "";
  document.addEventListener("keydown", (event) => {
    const target = event.target;
    if (!(target instanceof Element) || target.tagName === "TEXTAREA") return;
    if (!target.closest(".%(cls)s [role=gridcell]")) return;
    if (event.key.length !== 1 || event.ctrlKey || event.metaKey || event.altKey) return;
    pending += event.key;
  }, true);
  document.addEventListener("focusin", (event) => {
    const box = event.target;
    if (!pending || !(box instanceof HTMLTextAreaElement) || !box.closest(".%(cls)s")) return;
    const text = pending;
    pending = "";
    box.setRangeText(text, box.selectionStart, box.selectionEnd, "end");
    box.dispatchEvent(new Event("input", { bubbles: true }));
  }, true);
  document.addEventListener("mousedown", () => { pending = ""; }, true);
})();
""" % {"cls": TYPED_TABLE}


def _paths(files) -> list[str]:
    paths = []
    for item in files or []:
        if isinstance(item, (tuple, list)):  # gallery items are (path, caption)
            item = item[0]
        if isinstance(item, dict):
            item = item.get("path") or item.get("name")
        paths.append(str(getattr(item, "name", item)))
    return paths


PRODUCT_TYPE = "Product type"  # the attribute a confirmed photo label becomes
MAX_SUGGESTIONS = 3  # two labels at most pass the threshold, plus the measured colours


def add_attribute(rows, key: str, value: str) -> list[list[str]]:
    """The attributes table with ``key | value`` set: an existing ``key`` row gets the new value,
    else the first empty row is filled, else a row is appended."""
    rows = [[str(c) if c is not None else "" for c in row] + [""] * (2 - len(row)) for row in rows or []]
    for row in rows:
        if row[0].strip().lower() == key.lower():
            row[1] = value
            return rows
    for row in rows:
        if not any(c.strip() for c in row):
            row[:2] = [key, value]
            return rows
    return rows + [[key, value]]


def open_suggestions(suggestions: list[dict], rows) -> list[dict]:
    """Photo labels the merchant has not put into the attributes yet (a confirmed one disappears;
    deleting its row brings it back)."""
    values = {str(v).strip().lower() for v in _attributes(rows).values()}
    return [s for s in suggestions or [] if s["label"].lower() not in values][:MAX_SUGGESTIONS]


def suggestion_text(suggestions: list[dict]) -> str:
    if not suggestions:
        return ""
    labels = [s for s in suggestions if s.get("confidence") is not None]
    colours = [s for s in suggestions if s.get("confidence") is None]
    lines = []
    if labels:
        seen = " or ".join(f"**{s['label']}** ({s['confidence']:.2f})" for s in labels)
        lines.append(f"📷 Looks like: {seen} — use it?")
    if colours:
        lines.append(f"🎨 Colours measured in the photo: **{colours[0]['label']}** — use them?")
    return ("  \n".join(lines) + "  \n<small>Guesses (an image classifier that knows 1000 everyday objects, and the "
            "photo's dominant pixels), not facts: nothing is added to your product until you click.</small>")


def check_photos(paths: list[str]) -> tuple[list[str], list[str]]:
    """(the paths that load as photos, a "photo skipped: <file>: <problem>" line for each that does not):
    the words ``engine.ingest`` uses when Generate skips the file."""
    from engine.ingest import load_photo

    good, problems = [], []
    for path in paths:
        try:
            load_photo(path)
        except StudioError as exc:
            problems.append(f"photo skipped: {exc}")
        else:
            good.append(path)
    return good, problems


# The product form's inputs, by the ``product_from_form`` parameter each fills, in the form's order.
FORM = ("title", "description", "bullets", "category", "brand", "price", "attributes", "photos", "video")
# The settings widgets, by the ``Settings`` field each sets, in the order the tab wires them.
KNOBS = ("fusion", "tone", "audience", "platform", "temperature", "top_p", "max_new_tokens", "seed", "candidates",
         "grounded_decoding", "description_length")


def product_from_form(title, description, bullets, category, brand, price, attributes, photos, video) -> Product:
    try:
        price_value = float(price) if str(price or "").strip() else None
    except ValueError:
        raise StudioError(f"price {price!r} is not a number (accepted: e.g. 49.90)") from None
    return Product(
        title=title or "", description=description or "",
        bullets=[b.strip(" -•\t") for b in (bullets or "").splitlines() if b.strip(" -•\t")],
        category=category or "", brand=brand or "", price=price_value,
        attributes=_attributes(attributes), images=_paths(photos), videos=_paths([video] if video else []),
    )


def settings_from_knobs(knobs: dict) -> Settings:
    """The ``Settings`` the settings widgets hold, read by name (``KNOBS``: ``{"fusion": ..., "seed": ...}``)."""
    return Settings(fusion=knobs["fusion"], tone=knobs["tone"], audience=knobs["audience"] or "everyday shoppers",
                    platform=knobs["platform"], temperature=knobs["temperature"], top_p=knobs["top_p"],
                    max_new_tokens=int(knobs["max_new_tokens"]), seed=int(knobs["seed"]),
                    candidates=int(knobs["candidates"]), grounded_decoding=bool(knobs.get("grounded_decoding", True)),
                    description_length=knobs.get("description_length") or "standard")


def settings_from_form(method, tone, audience, platform, temperature, top_p, max_new_tokens, seed, candidates,
                       grounded_decoding=True, description_length="standard") -> Settings:
    """``settings_from_knobs`` for values in the widgets' order (kept for callers that pass them so)."""
    return settings_from_knobs(dict(zip(KNOBS, (method, tone, audience, platform, temperature, top_p, max_new_tokens,
                                                seed, candidates, grounded_decoding, description_length))))


def load_sample(label):
    product = sample_products().get(label)
    if product is None:
        return [gr.update()] * len(FORM)
    return form_values(product)


def form_values(product: Product) -> tuple:
    """The Create tab's form fields for a product, in ``FORM`` order (photos that no longer exist are left out)."""
    return (product.title, product.description, "\n".join(product.bullets), product.category, product.brand,
            "" if product.price is None else f"{product.price:g}", attribute_rows(product.attributes),
            servable([p for p in product.images if Path(p).is_file()]),
            next(iter(servable([v for v in product.videos if Path(v).is_file()])), None))


def knob_values(settings: dict) -> dict:
    """The settings widgets' values for a settings dict (from history or a dropped file), by ``KNOBS`` name."""
    defaults = Settings().model_dump()
    s = {**defaults, **{k: v for k, v in settings.items() if k in defaults}}
    values = {name: s[name] for name in KNOBS}
    if values["fusion"] not in copy_methods():  # its checkpoint may be gone: the dropdown keeps what it shows
        values["fusion"] = gr.update()
    return values


@dataclass
class CreateTab:
    """What other tabs need to fill the Create tab: its fields, and how to show a result there."""

    form: dict  # FORM name -> its input, in the form's order
    knobs: dict  # KNOBS name (a Settings field) -> its widget
    shown: list  # every component ``show`` updates
    show: Callable[[Result], dict]
    status: gr.Markdown
    creative_knobs: dict  # Settings field -> ad-image widget (studio.creatives_panel.CREATIVE_KNOBS)

    def product(self, values: dict) -> Product:
        """The product the form says, from ``{form input: value}`` or ``{FORM name: value}``."""
        return product_from_form(**_by_name(self.form, values))

    def settings(self, values: dict) -> Settings:
        """The settings the widgets say, from ``{widget: value}`` or ``{KNOBS name: value}``."""
        return settings_from_knobs(_by_name(self.knobs, values))

    def knob_updates(self, settings: dict) -> dict:
        """{widget: value} that put a settings dict into the settings widgets."""
        return {self.knobs[name]: value for name, value in knob_values(settings).items()}

    def restore(self, result: Result, settings: dict, note: str) -> dict:
        """Updates that put a result (inputs, settings, copy) into the Create tab, with a status note."""
        update = dict(zip(self.form.values(), form_values(result.product)))
        update.update(self.knob_updates(settings))
        update.update(self.show(result))
        update[self.status] = note
        return update


def _by_name(widgets: dict, values: dict) -> dict:
    """``values`` keyed by the names of ``widgets`` (name -> component), whether keyed by name or by component."""
    return {name: values[widget] if widget in values else values[name] for name, widget in widgets.items()}


IDLE_STATUS = "Fill in what you have (or load a sample) and press **Generate**."
STARTING = "⏳ Reading your product and photos..."  # shown on the click, before any work


@dataclass
class CreateView:
    """The Create tab's widgets that its handlers (the module-level functions below) read and update."""

    form: dict  # FORM name -> input
    knobs: dict  # KNOBS name -> widget
    references: dict  # "title", "description" -> the optional reference copy
    outputs: dict  # OUTPUT_KINDS -> textbox
    badges: dict  # OUTPUT_KINDS -> scores
    pickers: dict  # "title", "description", "bullets" -> other candidates
    status: gr.Markdown
    insight: gr.HTML
    result_state: gr.State
    download: gr.DownloadButton
    seen_state: gr.State  # what the photos look like (photo_suggestions)
    seen_box: gr.Column
    seen_text: gr.Markdown
    seen_buttons: list

    @property
    def seed(self):
        return self.knobs["seed"]

    def inputs(self) -> list:
        """A Create's inputs in the order ``read`` takes them apart: the form, the settings, the references."""
        return [*self.form.values(), *self.knobs.values(), *self.references.values()]

    def read(self, values) -> tuple[dict, dict, dict]:
        """(form, settings widgets, references), each by name, from values in ``inputs()`` order."""
        names = [*(("form", n) for n in self.form), *(("knobs", n) for n in self.knobs),
                 *(("references", n) for n in self.references)]
        parts: dict[str, dict] = {"form": {}, "knobs": {}, "references": {}}
        for (part, name), value in zip(names, values):
            parts[part][name] = value
        return parts["form"], parts["knobs"], parts["references"]

    def out_fields(self) -> list:
        return [self.outputs[k] for k in OUTPUT_KINDS] + [self.badges[k] for k in OUTPUT_KINDS]

    def all_outputs(self) -> list:
        return self.out_fields() + [self.status, self.insight, self.result_state, self.seed, self.download] + \
            list(self.pickers.values())

    def seen_outputs(self) -> list:
        return [self.seen_box, self.seen_text, *self.seen_buttons]


# -- handlers: build_create_tab wires them to its widgets -------------------------------------------------
def show_seen(view: CreateView, suggestions, rows) -> list:
    """The photo-label suggestions the merchant has not used yet, as the panel and its buttons show them."""
    shown = open_suggestions(suggestions, rows)
    updates = [gr.update(visible=bool(shown)), suggestion_text(shown)]
    for i in range(len(view.seen_buttons)):
        label = (f"Use “{shown[i]['label']}” as {shown[i].get('attribute', PRODUCT_TYPE).lower()}"
                 if i < len(shown) else "")
        updates.append(gr.update(visible=i < len(shown), value=label))
    return updates


def flag_bad_photos(photos) -> list:
    """On upload, before anything slow: a file that is no readable photo is named at once and taken off
    the gallery (it showed as a blank thumbnail, unexplained until Generate), in the words ingest uses
    when it skips one."""
    good, problems = check_photos(_paths(photos))
    if not problems:
        return [gr.update(), gr.update()]
    for problem in problems:
        gr.Warning(problem)
    return [good, "".join(f"⚠️ {p}  \n" for p in problems) + "Your other inputs are still used."]


def look(studio: Studio, view: CreateView, photos, rows) -> list:
    """What the photos seem to show (suggestions only), kept and shown."""
    good, _ = check_photos(_paths(photos))  # a bad file is named by flag_bad_photos (or by Generate)
    try:
        suggestions = studio.photo_suggestions(Product(images=good)) if good else []
    except (StudioError, ValueError):
        suggestions = []
    return [suggestions, *show_seen(view, suggestions, rows)]


def use_suggestion(view: CreateView, index: int, suggestions, rows) -> list:
    """The ``index``-th open suggestion put into the attributes table."""
    shown = open_suggestions(suggestions, rows)
    if index >= len(shown):
        return [gr.update()] * (2 + len(view.seen_outputs()))
    label, key = shown[index]["label"], shown[index].get("attribute", PRODUCT_TYPE)
    rows = add_attribute(rows, key, label)
    note = (f"➕ Added **{key}: {label}** to the attributes (edit or remove it there). "
            "Add anything else you know, then press **Generate**.")
    return [rows, note, *show_seen(view, suggestions, rows)]


def run_create(studio: Studio, view: CreateView, *values, seed_override=None, parent=None):
    """Generate: the copy streamed into the tab, then the result. ``values`` in ``view.inputs()`` order."""
    form, knobs, refs = view.read(values)
    if seed_override is not None:
        knobs["seed"] = seed_override
    status, seed = view.status, view.seed
    empty = {o: gr.update() for o in view.out_fields()}
    try:
        yield {**empty, status: STARTING}  # before any work: the click is answered at once
        product = product_from_form(**form)
        settings = settings_from_knobs(knobs)
        ingested = studio.ingest(product)
        yield {**empty, status: _preparing(settings), seed: settings.seed}
        texts = {k: "" for k in OUTPUT_KINDS}
        for event in studio.stream(ingested, settings, refs, parent_id=parent.id if parent is not None else None):
            if event.kind == "status":
                yield {**empty, status: f"⏳ {event.text}", seed: settings.seed}
            elif event.kind == "partial":
                texts[event.field] = event.text
                yield {**empty, view.outputs[event.field]: event.text}
            else:
                yield show_result(view, event.result)
    except (StudioError, ValueError) as exc:
        yield {**empty, status: f"⚠️ **Nothing generated.** {exc}"}
        gr.Warning(str(exc))
    except Exception as exc:  # the server keeps running; the user sees a message, not a trace
        log.exception("generation failed")
        yield {**empty, status: f"⚠️ Something went wrong: {type(exc).__name__}: {exc}"}


def regenerate(studio: Studio, view: CreateView, *values):
    """Generate again with a new random seed; the result on screen (the last value) becomes the parent."""
    yield from run_create(studio, view, *values[:-1], seed_override=random.randint(1, 2**31 - 1), parent=values[-1])


def reproduce(studio: Studio, view: CreateView, *values):
    """Generate again with the same seed; the result on screen (the last value) becomes the parent."""
    yield from run_create(studio, view, *values[:-1], parent=values[-1])


def show_result(view: CreateView, result: Result) -> dict:
    """Updates that show ``result``: the copy, its scores and candidates, result.json to download."""
    copy = result.copy
    path = Path(tempfile.mkdtemp(prefix="mcs-")) / f"{slug(copy.title or 'product')}-seed{result.settings.seed}.json"
    path.write_text(json.dumps(result.to_dict(), indent=2, ensure_ascii=False))
    outputs = view.outputs
    update = {
        outputs["title"]: copy.title, outputs["description"]: copy.description,
        outputs["bullets"]: "\n".join(copy.bullets), outputs["keywords"]: ", ".join(copy.keywords),
        view.insight: contributions_panel(result.contributions, result.photo_colours),
        view.result_state: result, view.seed: result.settings.seed,
        view.download: gr.update(value=str(path), interactive=True),
        view.status: _status_line(result),
    }
    written = any([copy.title, copy.description, copy.bullets])  # else too little input: no scores to show
    update.update({view.badges[k]: score_badges(result.scores[k]) + provenance_panel(k, result.provenance.get(k))
                   if written else "" for k in OUTPUT_KINDS})
    for kind, picker in view.pickers.items():
        ranked = result.alternatives.get(kind, [])
        update[picker] = gr.update(choices=[(_candidate_label(i, c), i) for i, c in enumerate(ranked)],
                                   value=0 if ranked else None, visible=bool(ranked))
    return update


def rescore_field(studio: Studio, kind: str, text, result):
    """The badges of one field as the operator edits it."""
    if result is None:
        return ""
    return score_badges(studio.rescore(result, kind, text))


def record_edit(studio: Studio, kind: str, text, result):
    """On leaving the field (not per keystroke): the history keeps the operator's edit."""
    if result is None or studio.history is None:
        return
    value = [b.strip(" -•\t") for b in text.splitlines() if b.strip(" -•\t")] if kind == "bullets" else \
        [k.strip() for k in text.split(",") if k.strip()] if kind == "keywords" else text
    with _history_write():
        if studio.history.get(result.id)[kind] != value:
            studio.history.record_edit(result.id, kind, value)


def pick_candidate(studio: Studio, kind: str, index, result):
    """Another candidate of one field on screen, with its scores; the history records the choice."""
    ranked = result.alternatives.get(kind, []) if result is not None else []
    if index is None or not 0 <= int(index) < len(ranked):
        return gr.update(), gr.update()
    text = ranked[int(index)]["text"]
    if studio.history is not None:
        with _history_write():
            studio.history.record_choice(result.id, kind, int(index))
    return text, score_badges(studio.rescore(result, kind, text))


def undo_edits(studio: Studio, view: CreateView, result):
    """The generated copy back on screen, and in the history (the edits stay in its log)."""
    if result is None:
        return {}
    if studio.history is not None:
        with _history_write():
            studio.history.undo_edits(result.id)
    return show_result(view, result)


def build_create_tab(studio: Studio) -> CreateTab:
    # The action bar comes first and stays in view (CSS in studio/render.py): the form below is
    # long, and a new merchant has to see how to start without scrolling.
    with gr.Row(equal_height=True, elem_id="mcs-actionbar"):
        method = gr.Dropdown(method_choices(), value=default_copy_method(), label="Copy method (fusion)",
                             info="What writes the copy; “recommended” scored best on validation",
                             scale=7, min_width=420, elem_id="mcs-method")
        generate = gr.Button("Generate", variant="primary", size="lg", scale=2, min_width=150, elem_id="mcs-generate")
        regenerate_button = gr.Button("Regenerate (new seed)", size="md", scale=2, min_width=170,
                                      elem_id="mcs-regenerate")
        reproduce_button = gr.Button("Reproduce (same seed)", size="md", scale=2, min_width=170,
                                     elem_id="mcs-reproduce")
        seed = gr.Number(value=0, precision=0, minimum=0, label="Seed", scale=1, min_width=90)
    with gr.Row(equal_height=False):
        with gr.Column(scale=5, min_width=360):
            gr.Markdown("### 1 · Your product")
            with gr.Row():
                sample = gr.Dropdown(list(sample_products()), label="Load sample", value=None, scale=4)
                load = gr.Button("Load", scale=1, size="sm")
            title_in = gr.Textbox(label="Draft title", placeholder="e.g. Wayfarer messenger bag, black")
            description_in = gr.Textbox(label="Description or notes", lines=4,
                                        placeholder="Anything you know: materials, use, care. 'Key: value' lines become attributes.")
            bullets_in = gr.Textbox(label="Existing bullet points (one per line)", lines=3)
            with gr.Row():
                category_in = gr.Textbox(label="Category", placeholder="Gear/Bags")
                brand_in = gr.Textbox(label="Brand")
                price_in = gr.Textbox(label="Price", placeholder="45.00")
            attributes_in = gr.Dataframe(value=attribute_rows({}), headers=["attribute", "value"],
                                         datatype=["str", "str"], type="array", row_count=ATTRIBUTE_ROWS,
                                         column_count=(2, "fixed"), label="Attributes (click a cell and type)",
                                         elem_id="mcs-attributes", elem_classes=[TYPED_TABLE])
            gr.HTML("", js_on_load=CELL_TYPING_JS, padding=False, container=False, elem_id="mcs-cell-typing")
            photos_in = gr.Gallery(label="Photos (JPEG, PNG, WebP, GIF, HEIC)", type="filepath", interactive=True,
                                   file_types=["image", ".heic", ".heif"], columns=4, height=200, elem_id="mcs-photos",
                                   # The whole photo in its thumbnail. "cover" cropped a wide photo, and one photo
                                   # spread over the four columns became a 480 px square of which the 200 px box
                                   # showed the top: the white above a wide product, the product itself cut off.
                                   object_fit="contain", fit_columns=False)
            with gr.Column(visible=False, variant="panel", elem_id="mcs-seen") as seen_box:
                seen_text = gr.Markdown(elem_id="mcs-seen-text")
                with gr.Row():
                    seen_buttons = [gr.Button(size="sm", visible=False, elem_id=f"mcs-seen-use-{i}")
                                    for i in range(MAX_SUGGESTIONS)]
            video_in = gr.Video(label="Short clip (mp4, mov, webm; up to 60 s)", sources=["upload"], height=200)
            with gr.Accordion("2 · Settings", open=True):
                with gr.Row():
                    tone = gr.Dropdown(TONES, value="neutral", label="Tone")
                    platform = gr.Dropdown([(p.label, k) for k, p in PLATFORMS.items()], value=Settings().platform, label="Platform")
                    length = gr.Dropdown(DESCRIPTION_LENGTHS, value="standard", label="Description length",
                                         elem_id="mcs-length")
                with gr.Row():
                    audience = gr.Textbox(label="Audience", value="everyday shoppers", scale=2)
                    max_tokens = gr.Slider(40, 400, value=160, step=10, label="Max tokens (description)", scale=2)
                grounded = gr.Checkbox(value=True, label="Only facts from my input",
                                       info="The model cannot write a number, colour or material that is not in "
                                            "your text, attributes or photos (grounded decoding)",
                                       elem_id="mcs-grounded")
                # Sampling is for people comparing runs; the defaults suit everyone else.
                with gr.Accordion("Sampling (temperature, top-p, candidates)", open=False, elem_id="mcs-sampling"):
                    with gr.Row():
                        temperature = gr.Slider(0, 1.5, value=0.7, step=0.05, label="Temperature", info="0 = greedy")
                        top_p = gr.Slider(0.1, 1, value=0.9, step=0.05, label="Top-p")
                        candidates = gr.Slider(1, 4, value=1, step=1, label="Candidates")
            with gr.Accordion("Reference copy for BLEU / METEOR / ROUGE (optional)", open=False):
                gr.Markdown("Without a reference, your draft title and description are the reference.")
                ref_title = gr.Textbox(label="Reference title")
                ref_description = gr.Textbox(label="Reference description", lines=3)

        with gr.Column(scale=7, min_width=420):
            gr.Markdown("### 3 · Generated copy")
            status = gr.Markdown(IDLE_STATUS, elem_id="mcs-status")
            outputs, badges, pickers = {}, {}, {}
            for kind, lines in (("title", 1), ("description", 6), ("bullets", 5), ("keywords", 2)):
                outputs[kind] = gr.Textbox(label=kind.capitalize(), lines=lines, interactive=True,
                                           elem_id=f"mcs-out-{kind}", buttons=["copy"])
                badges[kind] = gr.HTML(elem_id=f"mcs-scores-{kind}")
                if kind != "keywords":
                    pickers[kind] = gr.Dropdown(label=f"Other {kind} candidates (best first)", visible=False,
                                                interactive=True, elem_id=f"mcs-pick-{kind}")
            insight = gr.HTML(elem_id="mcs-insight")
            with gr.Row():
                revert = gr.Button("Undo my edits", size="sm")
                download = gr.DownloadButton("Download result.json", size="sm", value=None, interactive=False)
            creative_controls = build_creatives_panel(studio)

    view = CreateView(
        form=dict(zip(FORM, (title_in, description_in, bullets_in, category_in, brand_in, price_in, attributes_in,
                             photos_in, video_in))),
        knobs=dict(zip(KNOBS, (method, tone, audience, platform, temperature, top_p, max_tokens, seed, candidates,
                               grounded, length))),
        references={"title": ref_title, "description": ref_description},
        outputs=outputs, badges=badges, pickers=pickers, status=status, insight=insight, result_state=gr.State(None),
        download=download, seen_state=gr.State([]), seen_box=seen_box, seen_text=seen_text, seen_buttons=seen_buttons)
    form = list(view.form.values())
    load.click(load_sample, sample, form)

    # What the photos look like: suggestions only. A label becomes a fact when the merchant clicks
    # it into the attributes table (visible, editable, removable), never on its own.
    seen_outputs = view.seen_outputs()
    photos_in.upload(flag_bad_photos, photos_in, [photos_in, status], show_progress="hidden", api_name=False)
    photos_in.change(partial(look, studio, view), [photos_in, attributes_in], [view.seen_state, *seen_outputs],
                     show_progress="hidden", api_name=False)
    attributes_in.change(partial(show_seen, view), [view.seen_state, attributes_in], seen_outputs,
                         show_progress="hidden", api_name=False)
    for index, button in enumerate(seen_buttons):
        button.click(partial(use_suggestion, view, index), [view.seen_state, attributes_in],
                     [attributes_in, status, *seen_outputs], api_name=False)
    sample.select(load_sample, sample, form)

    all_outputs, inputs, result_state = view.all_outputs(), view.inputs(), view.result_state
    queued = copy_events(studio.request_batching)
    # The first status comes from the browser on the click itself, even while the model queue is busy.
    generate.click(None, None, status, js=f"() => {json.dumps(STARTING)}", queue=False, api_name=False) \
        .then(partial(run_create, studio, view), inputs, all_outputs, api_name=False, **queued)
    # Both remake the result on screen, so it becomes the new one's parent in the history.
    regenerate_button.click(partial(regenerate, studio, view), inputs + [result_state], all_outputs, api_name=False,
                            **queued)
    reproduce_button.click(partial(reproduce, studio, view), inputs + [result_state], all_outputs, api_name=False,
                           **queued)

    for kind in OUTPUT_KINDS:
        outputs[kind].input(partial(rescore_field, studio, kind), [outputs[kind], result_state], badges[kind],
                            trigger_mode="always_last", show_progress="hidden", api_name=False)
        outputs[kind].blur(partial(record_edit, studio, kind), [outputs[kind], result_state], None,
                           show_progress="hidden", api_name=False)
    for kind, picker in pickers.items():
        picker.input(partial(pick_candidate, studio, kind), [picker, result_state], [outputs[kind], badges[kind]],
                     api_name=False)
    revert.click(partial(undo_edits, studio, view), result_state, all_outputs, api_name=False)
    creative_controls.wire(result_state, [outputs["title"], outputs["description"], outputs["bullets"]])
    return CreateTab(form=view.form, knobs=view.knobs, shown=all_outputs, show=partial(show_result, view),
                     status=status, creative_knobs=creative_controls.knobs)


def _preparing(settings: Settings) -> str:
    """The step between reading the input and writing the first field (the slow one on a first run)."""
    if settings.fusion == "template":
        return "⏳ Filling in the template..."
    return (f"⏳ Loading the writer ({writer_label(settings.fusion)}) and encoding your photos... "
            "the first run also loads the model, which can take a minute on a CPU")


@contextmanager
def _history_write():
    """An edit, a pick or an undo stays on screen even when the history cannot keep it."""
    try:
        yield
    except KeyError:  # a result the history never stored
        pass
    except StudioError as exc:  # a full or read-only data folder (engine.storage.history.HistoryWriteError)
        gr.Warning(f"Not saved to history: {exc}")


def _candidate_label(index: int, candidate: dict) -> str:
    invented = candidate.get("ungrounded") or []
    note = f" · not in input: {', '.join(invented)}" if invented else " · nothing flagged"
    preview = candidate["text"].replace("\n", " / ")[:70]
    return f"#{index + 1} (rank score {candidate['score']:.2f}{note}) {preview}"


def _status_line(result: Result) -> str:
    t = result.timings
    if not any([result.copy.title, result.copy.description, result.copy.bullets]) and result.warnings:
        # Too little input (engine.encoders.photo_labels.enough_to_write): the engine wrote nothing on purpose.
        rest = "".join(f"\n\n⚠️ {w}" for w in result.warnings[1:]) + "".join(f"\n\nℹ️ {n}" for n in result.notes)
        return f"✋ **No copy written.** {result.warnings[0]}{rest}"
    warn = "".join(f"\n\n⚠️ {w}" for w in result.warnings)  # problems only
    info = "".join(f"\n\nℹ️ {n}" for n in result.notes)  # what went as expected (attribute lines read)
    flagged = [kind for kind, scores in result.scores.items()
               if any(s.name == "grounding" and s.good is False for s in scores)]
    # A field left empty is no success: "✅ Done" above 0 bullets said the listing was complete.
    empty = [kind for kind in ("title", "description", "bullets") if not result.copy.text_of(kind).strip()]
    gaps = (f"🟨 **No {' and no '.join(empty)}:** your input states no facts to write there (add attributes "
            "such as material, size, colour or care, then Generate again). " if empty else "")
    mark = (f"🟥 **Check before publishing:** the claim check flagged the {' and '.join(flagged)} (marked in red below). "
            + gaps if flagged else gaps or "✅ ")
    return (f"{mark}Done in {t.get('total', 0):.1f} s · method **{result.settings.fusion}** · seed **{result.settings.seed}** "
            f"· {result.settings.limits.label}{warn}{info}")

