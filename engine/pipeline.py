"""``Studio``: the one facade the UI, the CLI and the Python API call.

ingest -> encode -> (fuse) -> generate -> score, with every step timed and the settings
stored in the result so it can be reproduced and restored.
"""
from __future__ import annotations

import hashlib
import threading
import time
import uuid
from dataclasses import asdict, dataclass, field, fields
from datetime import datetime, timezone
from pathlib import Path
from typing import Iterator

from engine.encoders.colors import dominant_colours
from engine.core.errors import StudioError
from engine.copywriting.bullets import fact_bullets
from engine.copywriting.compose import compose_description, title_provenance
from engine.copywriting.plan import plan_content
from engine.copywriting.plausibility import doubtful_facts
from engine.copywriting.realise import captions
from engine.copywriting.copy import Copy
from engine.copywriting.keywords import extract_keywords
from engine.copywriting.rerank import stream_candidates
from engine.ingest import IngestLimits, Ingested, ingest
from engine.models.batching import DEFAULT_BATCHING, RequestBatching, batcher_for
from engine.models.language import check_precision, load_language_model
from engine.encoders.photo_labels import enough_to_write, missing_input_message
from engine.core.product import Product
from engine.scores import Score, TextContext, score_text
from engine.scores.reference import with_reference_source
from engine.core.settings import Settings
from engine.writers import LM_FIELDS, WRITERS, FusionWriter, Writer, create_writer, is_baseline, list_writers, writer_label

TEXT_KINDS = ("title", "description", "bullets", "keywords")
# Fewer words than this in the description are notes, not a draft to compare the copy against.
DRAFT_MIN_WORDS = 15
# Deprecated: key -> label of the copy methods without a checkpoint; use ``engine.writers.list_writers(baseline=True)``
# and ``writer_label``.
BASELINES = {key: writer_label(key) for key in list_writers(baseline=True)}
# The warm-ups done in this process: the loaders' caches are process-wide, and so is what they hold.
_WARM_UP_LOCK = threading.Lock()
_WARMED_UP: set = set()


def _warm_int8_step(lm, say) -> None:
    """At precision int8, build the 8-bit decode graph of the model that writes now (packing its weights takes
    ~5-10 s and 151 MB for SmolLM2-135M), not at the first request's first token."""
    if getattr(lm, "precision", None) == "int8":  # (a stand-in model without one: not int8)
        from engine.models.int8_step import int8_decoder

        say(f"the int8 decode step of {lm.name}")
        int8_decoder(lm)


@dataclass
class Result:
    copy: Copy
    scores: dict[str, list[Score]]
    settings: Settings
    product: Product
    references: dict[str, str] = field(default_factory=dict)
    photo_colours: list[str] = field(default_factory=list)
    contributions: dict[str, float] | None = None
    alternatives: dict[str, list[dict]] = field(default_factory=dict)  # field -> ranked candidates
    warnings: list[str] = field(default_factory=list)  # problems: shown with a warning sign
    notes: list[str] = field(default_factory=list)  # news that is no problem (attribute lines read): shown as info
    # field -> {"tries", "as_written"}: how many texts the writer produced, and the claim check's share on
    # the first one (before retries and repairs), so methods compare on what they write, not on what the checks fixed
    checks: dict[str, dict] = field(default_factory=dict)
    # field -> what each part states: the description's sentences ({"text", "facts", "origin"}) and the
    # title's words ({"word", "from"}), so the person who publishes can see where every claim came from
    provenance: dict[str, list[dict]] = field(default_factory=dict)
    timings: dict[str, float] = field(default_factory=dict)
    models: dict[str, str] = field(default_factory=dict)
    parent_id: str | None = None  # the generation this one regenerates
    id: str = field(default_factory=lambda: uuid.uuid4().hex[:12])
    created_at: str = field(default_factory=lambda: datetime.now(timezone.utc).isoformat(timespec="seconds"))

    def to_dict(self) -> dict:
        """Everything the Result holds as plain JSON values: what ``result.json`` and the history store."""
        data = asdict(self)
        data["settings"] = self.settings.model_dump()
        data["product"] = self.product.model_dump()
        return data

    @classmethod
    def from_dict(cls, data: dict) -> "Result":
        """The Result ``to_dict`` gave (or ``History.result_dict`` gives back, with the operator's edits)."""
        known = {f.name for f in fields(cls)}
        values = {k: v for k, v in data.items() if k in known and v is not None}
        values["copy"] = Copy(**data["copy"])
        values["scores"] = {kind: [Score(**s) for s in items] for kind, items in (data.get("scores") or {}).items()}
        values["settings"] = Settings.model_validate(data["settings"])
        values["product"] = Product.model_validate(data["product"])
        values["contributions"] = data.get("contributions")
        values["parent_id"] = data.get("parent_id")
        return cls(**values)


@dataclass
class Event:
    """One step of a streamed generation: a status line, a growing field, or the final result."""

    kind: str  # "status" | "partial" | "result"
    field: str = ""
    text: str = ""
    result: Result | None = None


class Studio:
    """``precision``: how the models this Studio loads hold their weights (``auto``, ``float16``, ``float32``,
    ``int8``: float16 weights and a lone row decoded with 8-bit ones, CPU only; ``engine.models.language.PRECISIONS``);
    None follows the process default (``$MCS_PRECISION``).
    ``request_batching``: how the decoders of the models it writes with take requests (a
    ``engine.models.batching.RequestBatching``, or True/False for batching with the default window and size, or
    one at a time); None follows ``DEFAULT_BATCHING`` (off). The server passes both; the CLI and the Python API
    leave them to the defaults."""

    def __init__(self, device: str = "auto", limits: IngestLimits = IngestLimits(), history=None,
                 threads: int | None = None, checkpoints: Path | None = None, precision: str | None = None,
                 request_batching: RequestBatching | bool | None = None):
        from engine.models.devices import configure_threads

        configure_threads(threads)
        if precision is not None:
            check_precision(precision)
        if precision == "int8":  # CPU only: refused here on a GPU box, not at the first click
            from engine.models.devices import resolve_device
            from engine.models.language import resolve_precision

            resolve_precision(resolve_device(device), precision)
        if isinstance(request_batching, bool):
            request_batching = RequestBatching(enabled=request_batching)
        self.precision = precision
        self.request_batching = request_batching or DEFAULT_BATCHING
        self.device = device
        self.limits = limits
        self.history = history  # an engine.storage.history.History: every generation is stored there
        self.checkpoints = checkpoints  # a folder of trained methods other than the shipped ones (evaluation)
        self._cutouts: dict = {}  # last cut-out, so switching style or size does not re-run U2-Net
        self._scoring_inputs: dict[str, tuple] = {}  # Result id -> (source text, references): re-scoring edits
        self._scoring_lock = threading.Lock()

    def device_label(self) -> str:
        from engine.models.devices import resolve_device

        from engine.models.language import resolve_precision

        device = resolve_device(self.device)
        precision = resolve_precision(device, self.precision)
        weights = "float16 weights, 8-bit single-row decoding" if precision == "int8" else f"{precision} weights"
        if device.type == "cuda":
            import torch

            return f"GPU: {torch.cuda.get_device_name(device)}, {weights}"
        return f"CPU, {weights}"

    # -- steps -------------------------------------------------------------------------
    def ingest(self, product: Product) -> Ingested:
        return ingest(product, self.limits)

    def language_model(self, settings: Settings):
        """The base language model at this Studio's precision; its decoder takes this Studio's request batching."""
        lm = load_language_model(settings.language_model, self.device, self.precision)
        batcher_for(lm, self.request_batching)
        return lm

    def warm_up(self, settings: Settings = Settings(), progress=None) -> None:
        """Load the models now so the first click streams at once: the language model and its grounded-
        decoding tables, the default fusion checkpoint (its LoRA-merged writer), the text and image
        encoders (one tiny forward pass each) and WordNet with the claim-check words.

        Safe from several threads (studio/serve.py runs it in the background while the page is already
        served): the loaders' ``lru_cache`` does not stop two threads from loading the same model at
        once, so one process-wide lock (``_WARM_UP_LOCK``) is held for the whole warm-up; a concurrent call
        waits on it and then returns, and a later call with the same settings returns at once. ``progress(step)``,
        if given, is told each step before it starts. It calls the loaders, never an overridable method of
        ``self`` (a subclass that waits for the warm-up in those would wait on itself). The decoders of the
        models it loads take this Studio's ``request_batching``."""
        key = (settings.language_model, settings.fusion, settings.grounded_decoding, str(self.device), self.precision)
        say = progress or (lambda step: None)
        with _WARM_UP_LOCK:
            if key in _WARMED_UP:
                return
            say("the language model")
            lm = load_language_model(settings.language_model, self.device, self.precision)
            batcher_for(lm, self.request_batching)
            if is_baseline(settings.fusion):  # else the fusion writer below is what decodes
                _warm_int8_step(lm, say)
            if settings.grounded_decoding:  # its vocabulary tables take ~2 s to build, once
                from engine.copywriting.grounded import processor_for

                say("the grounded-decoding tables")
                processor_for(settings, lm.tokenizer, [("", [])])
            if not is_baseline(settings.fusion):  # the default copy method is a trained fusion checkpoint
                from engine.conditioning import load_conditioned

                say(f"the {settings.fusion} fusion checkpoint")
                writer = load_conditioned(settings.fusion, self.device).language_model_at(self.precision)  # ~1.3 s
                batcher_for(writer, self.request_batching)
                _warm_int8_step(writer, say)
                if settings.grounded_decoding and writer.tokenizer is not lm.tokenizer:
                    processor_for(settings, writer.tokenizer, [("", [])])
            from PIL import Image

            from engine.encoders.image import encode_images
            from engine.encoders.text import encode_texts

            say("the text encoder")
            encode_texts(["A warm-up sentence."], self.device, self.precision)  # the first pass is the slow one
            say("the image encoder")
            encode_images([Image.new("RGB", (32, 32))], self.device)
            from engine.scores.claims import claim_report

            say("WordNet and the claim-check words")
            claim_report("A warm-up sentence.", "warm-up")  # WordNet and the catalog words: ~3 s, once
            # The loaders freeze the heap after each load (engine/models/cache.py); the tables built on
            # first use since then (grounded decoding, claim-check words) live as long: frozen too.
            import gc

            gc.freeze()
            _WARMED_UP.add(key)

    def default_references(self, ingested: Ingested) -> dict[str, str]:
        """Without an operator reference, the merchant's own draft of a field is its reference: the draft
        title, the bullets they wrote, and the description when it reads as one. A few words of notes
        (often what is left once the attribute lines are taken out) are no draft, and BLEU against them
        would be a number about nothing."""
        p = ingested.product
        description = p.description if len(p.description.split()) >= DRAFT_MIN_WORDS else ""
        return {"title": p.title, "description": description, "bullets": "\n".join(p.bullets)}

    def references_for(self, ingested: Ingested, references: dict[str, str] | None = None) -> dict[str, tuple[str, str]]:
        """field -> (reference text, what it is): the operator's reference, else the merchant's draft."""
        drafts = {kind: (text, f"your draft {kind}") for kind, text in self.default_references(ingested).items()
                  if text.strip()}
        given = {kind: (text, f"your reference {kind}") for kind, text in (references or {}).items()
                 if text and text.strip()}
        return {**drafts, **given}

    def score(self, copy: Copy, ingested: Ingested, settings: Settings,
              references: dict[str, str] | None = None, photo_colours: list[str] = ()) -> dict[str, list[Score]]:
        picked = self.references_for(ingested, references)
        source = ingested.source_text()
        return {kind: self._score_field(kind, copy.text_of(kind), source, picked.get(kind), settings, photo_colours)
                for kind in TEXT_KINDS}

    def rescore(self, result: Result, kind: str, text: str) -> list[Score]:
        """Scores of one field after the operator edited it. Called on every keystroke: the product is
        read once per Result (its photos decoded once), not once per key."""
        inputs = self._scoring_inputs.get(result.id)
        if inputs is None:
            ingested = self.ingest(result.product)
            inputs = (ingested.source_text(), self.references_for(ingested, result.references))
            with self._scoring_lock:
                self._scoring_inputs[result.id] = inputs
                while len(self._scoring_inputs) > 16:  # the last few Results on screen
                    self._scoring_inputs.pop(next(iter(self._scoring_inputs)))
        source, picked = inputs
        # measured photo colours are suggestions, not facts: not passed
        return self._score_field(kind, text, source, picked.get(kind), result.settings)

    @staticmethod
    def _score_field(kind: str, text: str, source: str, reference: tuple[str, str] | None, settings: Settings,
                     photo_colours=()) -> list[Score]:
        reference_text, reference_from = reference or ("", "")
        scores = score_text(kind, text, TextContext(source_text=source, reference=reference_text or None,
                                                    settings=settings, photo_colors=tuple(photo_colours)))
        return with_reference_source(scores, reference_text, reference_from)

    # -- generation --------------------------------------------------------------------
    def stream(self, product: Product | Ingested, settings: Settings = Settings(),
               references: dict[str, str] | None = None, parent_id: str | None = None,
               store: bool = True, fields: tuple[str, ...] = LM_FIELDS) -> Iterator[Event]:
        """Events while one product's copy is written, the result last; it is stored in the history unless
        ``store=False`` (a batch stores it itself, once its results line is safe on disk). ``fields``: the
        fields the language model writes (an evaluation of titles needs no description)."""
        timings: dict[str, float] = {}
        clock = began = time.perf_counter()

        def lap(name: str) -> None:
            nonlocal clock
            now = time.perf_counter()
            timings[name] = round(now - clock, 4)
            clock = now

        ingested = product if isinstance(product, Ingested) else self.ingest(product)
        lap("ingest")
        # Measured and shown, but like a photo label only a suggestion: a colour reaches the prompt, the
        # grounded decoder and the claim check once the merchant confirms it as an attribute.
        photo_colours = self.photo_colours(ingested)
        lap("colours")
        contributions = None
        models = {"language_model": settings.language_model, "fusion": settings.fusion}
        copy = Copy()
        provenance: dict[str, list[dict]] = {}
        alternatives: dict[str, list[dict]] = {}
        notes: list[str] = []  # what the checks changed after writing
        checks: dict[str, dict] = {}
        # Too little input (a photo, a category): no copy is invented. A result with empty copy
        # and a message, not an error, so ad images and the video stay possible from the photo.
        missing = "" if enough_to_write(ingested) else missing_input_message(ingested, self.photo_suggestions(ingested))
        writer = self.writer(settings.fusion)  # engine.writers: the template, zero-shot or a fusion method
        if missing:
            yield Event("status", "", "Too little input: no copy written")
        elif not writer.uses_language_model:  # the template
            copy, checks, provenance = writer.write(ingested, settings)
        else:
            lm, prefix_embeds, contributions = self.model_for(ingested, settings)
            models["precision"] = lm.precision  # float16 weights on a CPU by default: part of what wrote the text
            lap("encode")
            started: dict[str, float] = {}
            for kind, (step, value) in self._field_events(ingested, settings, lm, prefix_embeds, fields):
                started.setdefault(kind, time.perf_counter())
                if step != "ranked":
                    yield Event(step, kind, value)
                    continue
                best, others = value
                checks[kind] = {"tries": best.tries, "as_written": best.as_written}
                if kind == "description":  # the plan's facts, in the model's licensed sentences or the realiser's
                    best, others, composed = self._compose(best, others, ingested, settings)
                    provenance[kind] = [s.to_dict() for s in composed.sentences]
                    checks[kind].update(composed.stats())
                    if composed.model_dropped:
                        notes.append(f"{composed.model_dropped} of the model's sentences were left out (a word "
                                     f"or claim your input does not support); "
                                     f"{composed.realised} sentence(s) state your facts instead.")
                elif best.note:
                    notes.append(best.note)
                setattr(copy, kind, [b for b in best.text.split("\n") if b] if kind == "bullets" else best.text)
                if others:
                    alternatives[kind] = [best.to_dict()] + [c.to_dict() for c in others]
                timings[f"generate_{kind}"] = round(time.perf_counter() - started[kind], 4)
            clock = time.perf_counter()
            copy.bullets = fact_bullets(ingested, settings.limits.bullets_max, settings.limits.bullet_max)
        if not missing:  # a value far outside what this kind of product ever is: the merchant checks it
            notes += [f"Check \"{fact.source}\": {why}, so the description leaves it out."
                      for fact, why in doubtful_facts(plan_content(ingested))]
        if copy.title:
            provenance["title"] = title_provenance(copy.title, ingested.source_text())
        copy.keywords = [] if missing else self.keywords(copy, ingested)
        lap("keywords")
        yield Event("status", "", "Scoring...")
        scores = self.score(copy, ingested, settings, references)
        lap("score")
        timings["total"] = round(time.perf_counter() - began, 4)  # fields written at once overlap: not a sum
        result = Result(
            copy=copy, scores=scores, settings=settings, product=ingested.product,
            references={k: v for k, v in (references or {}).items() if v},
            photo_colours=photo_colours, contributions=contributions, alternatives=alternatives, checks=checks,
            provenance=provenance,
            warnings=[missing] * bool(missing) + notes + list(ingested.warnings), notes=list(ingested.notes),
            timings=timings,
            models=models, parent_id=parent_id,
        )
        if self.history is not None and store:
            from engine.storage.history import HistoryWriteError

            try:
                self.history.add(result, parent_id=parent_id)
            except HistoryWriteError as exc:  # a full or read-only disk must not cost the copy just written
                result.warnings.append(f"Not saved to history: {exc}")
        yield Event("result", result=result)

    def generate(self, product: Product | Ingested, settings: Settings = Settings(),
                 references: dict[str, str] | None = None, parent_id: str | None = None,
                 store: bool = True, fields: tuple[str, ...] = LM_FIELDS) -> Result:
        for event in self.stream(product, settings, references, parent_id, store, fields):
            if event.kind == "result":
                return event.result
        raise RuntimeError("generation ended without a result")

    # -- creatives -----------------------------------------------------------------------
    def _photo(self, ingested: Ingested, settings: Settings):
        if not ingested.photos:
            raise StudioError("ad images need at least one product photo: upload a JPEG, PNG, WebP, GIF or HEIC photo")
        index = min(settings.photo_index, len(ingested.photos) - 1)
        return ingested.photos[index]

    def images(self, product: Product | Ingested, copy: Copy, settings: Settings,
               sizes: tuple[str, ...] | None = None) -> list:
        """Ad-ready images, one per size: the product cut out of its photo, composed, titled."""
        from engine.creatives.cutout import cut_out
        from engine.creatives.images import SIZES, make_creatives
        from engine.creatives.steps import step
        from engine.scores.image import colour_words_in

        ingested = product if isinstance(product, Ingested) else self.ingest(product)
        photo = self._photo(ingested, settings)
        # An unexpected failure becomes a StepError naming the size and photo; the sizes already
        # rendered ride along in its ``made`` so callers keep them.
        with step(f"ad images from photo {photo.name}: cutting out the product"):
            # Keyed by the pixels: every call re-ingests, so object identity would never match
            # (and a recycled id() could hand back another photo's cut-out).
            key = hashlib.sha256(photo.image.tobytes()).hexdigest()
            cutout = self._cutouts.get(key) or cut_out(photo.image, name=photo.name)
            self._cutouts = {key: cutout}
        with step(f"ad images from photo {photo.name}"):
            copy_text = " ".join([copy.title, copy.description, *copy.bullets])
            return make_creatives(photo.image, copy.title or ingested.product.title, settings,
                                  sizes=sizes or tuple(SIZES), colour_words=colour_words_in(copy_text),
                                  cutout=cutout, name=photo.name)

    def video(self, product: Product | Ingested, copy: Copy, settings: Settings, out_path: Path,
              aspect: str = "9x16", creatives: list | None = None, progress=None):
        """A 6-20 s explainer from the creatives, photos and clip keyframes, captioned with the copy."""
        from engine.creatives.steps import step
        from engine.creatives.video import make_video

        ingested = product if isinstance(product, Ingested) else self.ingest(product)
        frames = [c.image for c in (creatives or []) if c.size == aspect]
        frames += [p.image for p in ingested.photos] + [k.image for k in ingested.keyframes]
        narration = copy.description if settings.narration else None
        # captions read as copy from the plan ("Made of ceramic"), not as the bullets' "Material: Ceramic"
        lines = captions(plan_content(ingested)) or copy.bullets[:4]
        with step(f"video {aspect}"):  # make_video names its own steps; this catches the rest
            return make_video(frames[:6], copy.title or ingested.product.title, lines, Path(out_path),
                              aspect=aspect, narration_text=narration, seed=settings.seed, progress=progress)

    def keywords(self, copy: Copy, ingested: Ingested, photo_colours=()) -> list[str]:
        """Search phrases from the copy and the input, none of them a claim the check flagged."""
        from engine.scores.claims import claim_report

        source = ingested.source_text()
        flagged = [f["text"] for text in (copy.title, copy.description)
                   for f in claim_report(text, source, tuple(photo_colours))["flagged"]]
        return extract_keywords("\n".join([copy.title, copy.description, *copy.bullets, source]),
                                device=self.device, exclude=flagged, precision=self.precision)

    def photo_suggestions(self, product: Product | Ingested) -> list[dict]:
        """What the photos seem to show: ``[{"label", "confidence", "photo", "attribute"}]``, most
        confident first, one entry per label (from the photo where it scored highest), only labels at
        or above ``engine.encoders.photo_labels.CONFIDENT`` (attribute "Product type"), then the colours measured
        in the photos (attribute "Colour", confidence None). Hints to confirm, never facts: nothing here
        reaches the prompt or the claim check until the merchant adds it as an attribute."""
        from engine.encoders.photo_labels import photo_labels

        ingested = product if isinstance(product, Ingested) else self.ingest(product)
        best: dict[str, dict] = {}
        for photo, labels in zip(ingested.photos, photo_labels([p.image for p in ingested.photos], self.device)):
            for label, confidence in labels:
                if label not in best or confidence > best[label]["confidence"]:
                    best[label] = {"label": label, "confidence": confidence, "photo": photo.name,
                                   "attribute": "Product type"}
        suggestions = sorted(best.values(), key=lambda s: -s["confidence"])
        colours = self.photo_colours(ingested)
        if colours:  # what the pixels measure, offered like a label: the merchant confirms it
            suggestions.append({"label": ", ".join(colours), "confidence": None, "photo": ingested.photos[0].name,
                                "attribute": "Colour"})
        return suggestions

    def photo_colours(self, ingested: Ingested) -> list[str]:
        names: list[str] = []
        for photo in ingested.photos[:3]:
            for name in dominant_colours(photo.image):
                if name not in names:
                    names.append(name)
        return names

    @staticmethod
    def _compose(best, others, ingested: Ingested, settings: Settings):
        """The description composed from the plan (``engine.copywriting.compose``); the model's own text
        stays among the candidates when the composed one differs from it."""
        from engine.copywriting.licence import licence_for
        from engine.copywriting.rerank import score_candidate

        source = ingested.source_text()
        composed = compose_description(plan_content(ingested), best.text, source, settings,
                                       licence_for(source, (settings.audience,)))
        if composed.text == best.text:
            return best, others, composed
        planned = score_candidate("description", composed.text, source, settings, (), best.seed,
                                  best.parts.get("consensus", 1.0))
        planned.tries, planned.as_written = best.tries, best.as_written
        return planned, [best, *others], composed

    def _field_events(self, ingested: Ingested, settings: Settings, lm, prefix_embeds,
                      fields: tuple[str, ...] = LM_FIELDS) -> Iterator[tuple[str, tuple]]:
        """``(field, (step, value))`` while each field's candidates are written (``stream_candidates``).

        When the decoders batch concurrent requests (this Studio's ``request_batching``: the studio server),
        the title and the description are written at the same time, as two rows of one batched decode: a
        Create then costs little more than its description. Otherwise (the CLI, the Python API) writing both at
        once would gain nothing, and they are written one after the other."""
        from engine.core.interleave import interleave

        streams = {}
        for kind in fields:
            model, prefix = self.model_for_field(kind, settings, lm, prefix_embeds)
            streams[kind] = stream_candidates(model, kind, ingested, settings, (), prefix)
        if self.request_batching.enabled and len(streams) > 1:
            message = f"Writing the {' and the '.join(streams)}..."
            for kind in streams:
                yield kind, ("status", message)
            yield from interleave(streams)
            return
        for kind, stream in streams.items():
            yield kind, ("status", f"Writing the {kind}...")
            yield from ((kind, event) for event in stream)

    # -- copy methods (engine.writers) ------------------------------------------------------
    def writer(self, method: str) -> Writer:
        """The copy method ``method`` (``engine.writers.create_writer``) with this Studio's device, checkpoints
        folder, language model, precision and request batching. A trained checkpoint under a name the registry does not know (an
        evaluation's own folder) gets a ``FusionWriter`` of that name; one that is not there fails to load
        with the list of what is trained."""
        parts = {"device": self.device, "checkpoints": self.checkpoints, "base_model": self.language_model,
                 "precision": self.precision, "request_batching": self.request_batching}
        return create_writer(method, **parts) if method in WRITERS else FusionWriter(method, **parts)

    def model_for(self, ingested: Ingested, settings: Settings):
        """(language model, fused-feature prefix or None, contributions or None): what ``settings.fusion``
        writes this product with."""
        return self.writer(settings.fusion).model_for(ingested, settings)

    def model_for_field(self, kind: str, settings: Settings, lm, prefix):
        """(LM, prefix) for one field: a fusion model writes the fields it was trained on; the others
        (bullets) come from the base LM with the full prompt, never from a prefix not trained for them."""
        return self.writer(settings.fusion).model_for_field(kind, settings, lm, prefix)

    def _generator(self, ingested: Ingested, settings: Settings):
        """Deprecated: ``model_for``."""
        return self.model_for(ingested, settings)

    def _writer(self, kind: str, settings: Settings, lm, prefix):
        """Deprecated: ``model_for_field``."""
        return self.model_for_field(kind, settings, lm, prefix)


def copy_methods() -> dict[str, str]:
    """Method key -> label, of what this studio can write with now: every fusion method with a trained
    checkpoint, then the baselines (``engine.writers`` registers them all, with their labels)."""
    methods = {}
    try:
        from engine.conditioning import available_methods
    except ImportError:
        available = []
    else:
        available = available_methods()
    for info in available:
        methods[info["name"]] = writer_label(info["name"])
    methods.update({key: writer_label(key) for key in list_writers(baseline=True)[::-1]})
    return methods


def default_copy_method() -> str:
    """The fusion method that won on validation, else the zero-shot prompt (what ``Settings()`` uses)."""
    from engine.core.settings import default_fusion

    return default_fusion()
