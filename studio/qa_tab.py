"""The "Shopper Q&A" tab and the `/ask` endpoint: a thin UI over ``engine.workflows.qa``.

The merchant picks a sample, takes the product in the Create tab (one click) or uploads a product
JSON with its photos, types questions as a shopper would (or says them: the microphone or a recording,
transcribed offline by engine.inputs.speech) and sees each answer with the facts it used; questions the
listing cannot answer are collected below, as the facts to add. A product that fails to load says
what failed and leaves no product selected (never a sample in its place). The unanswered list is
this session's (and, behind a login, that merchant's), never another visitor's.
"""
from __future__ import annotations

import html
import tempfile
from dataclasses import dataclass
from pathlib import Path

import gradio as gr

from engine.inputs import speech
from engine.workflows import qa
from engine.core.errors import StudioError
from engine.pipeline import Studio
from engine.core.product import Product
from engine.inputs.samples import sample_products
from engine.inputs.uploads import unpack_upload
from studio.render import servable

PLACEHOLDER = "Pick a sample, take the Create tab's product or upload a product JSON, then ask what a shopper would ask."
NO_PRODUCT = "No product is loaded: pick a sample, take the Create tab's product or upload a product JSON first."


def _facts_html(answer: qa.Answer) -> str:
    if not answer.answered:
        return (f'<div id="mcs-qa-facts" class="mcs-qa-declined"><p>No fact in the listing answers this.</p>'
                f"<p>{html.escape(answer.suggestion)}</p></div>")
    items = "".join(f"<li>{html.escape(f)}</li>" for f in answer.facts)
    return f'<div id="mcs-qa-facts"><p>Facts used:</p><ul>{items}</ul></div>'


def _owner(request: gr.Request | None) -> str | None:
    """The login that asked, when the studio runs behind one; None for an anonymous visitor."""
    return getattr(request, "username", None) or None


def _unanswered_md(log: qa.UnansweredLog, conversation: qa.Conversation | None) -> str:
    """This session's declined questions, plus (behind a login) what the same merchant was asked before."""
    if conversation is None:
        return ""
    asked = list(conversation.unanswered)
    if conversation.log is not None:
        earlier = log.questions(qa.product_key(conversation.ingested.product), owner=conversation.owner)
        asked = [*earlier, *[q for q in asked if q not in earlier]]
    if not asked:
        return ""
    return "**Unanswered questions: add these facts to your listing**\n\n" + "\n".join(f"- {q}" for q in asked)


def _looks(answer: qa.Answer, conversation: qa.Conversation) -> tuple:
    """For "how does it look" questions, the merchant's own clip (or else photos) beside the answer."""
    product = conversation.ingested.product
    if not answer.about_looks:
        return gr.update(visible=False, value=None), gr.update(visible=False, value=None)
    clips = servable([v for v in product.videos if Path(v).is_file()])
    if clips:
        return gr.update(visible=True, value=clips[0]), gr.update(visible=False, value=None)
    photos = servable([p for p in product.images if Path(p).is_file()])
    return gr.update(visible=False, value=None), gr.update(visible=bool(photos), value=photos or None)


def uploaded_product(files) -> Product:
    """A product JSON uploaded alone or with its photos (side by side, by their own names)."""
    files = [f for f in (files if isinstance(files, list) else [files]) if f]
    if not files:
        raise StudioError("no file was uploaded: add the product JSON (and the photos it names)")
    return Product.from_json_file(unpack_upload(files))


def sample_product(sample: str | None) -> Product:
    product = sample_products().get(sample or "")
    if product is None:
        raise StudioError("pick a sample product first")
    return product


@dataclass
class QAHandlers:
    """The tab's handlers, as plain methods over one Studio and one unanswered-questions log (methods rather
    than partials because Gradio finds the ``gr.Request`` parameter, the login, through their type hints)."""

    studio: Studio
    log: qa.UnansweredLog

    def after_load(self, conversation: qa.Conversation | None, note: str) -> tuple:
        hidden = gr.update(visible=False, value=None)
        return (conversation, [], note, "", _unanswered_md(self.log, conversation), None, hidden, hidden)

    def load(self, make_product, request: gr.Request | None = None) -> tuple:
        """A product that fails to load leaves none selected: the next question is refused, not answered
        about whatever was there before or about a sample."""
        try:
            owner = _owner(request)
            ingested = self.studio.ingest(make_product())
            # Ingest skips a bad photo and goes on; here the merchant named the product by its file, so a
            # photo it names and we cannot read means the wrong upload: say so rather than answer without it.
            skipped = [w.removeprefix("photo skipped: ") for w in ingested.warnings if w.startswith("photo skipped:")]
            if skipped:
                raise StudioError("; ".join(skipped) + ". Upload the photos the JSON names together with it.")
            conversation = qa.Conversation(ingested, device=self.studio.device, precision=self.studio.precision,
                                           log=self.log if owner else None, owner=owner or "local")
        except (StudioError, ValueError, OSError) as exc:
            return self.after_load(None, f"**Could not load the product:** {html.escape(str(exc))}\n\n{NO_PRODUCT}")
        title = conversation.ingested.product.title or "this product"
        photos = len(conversation.ingested.photos)
        return self.after_load(conversation, f"Asking about **{html.escape(title)}** ({len(conversation.facts)} facts"
                                         + (f", {photos} photo{'s' * (photos != 1)})." if photos else ")."))

    def load_sample(self, sample, request: gr.Request):
        return self.load(lambda: sample_product(sample), request)

    def load_upload(self, files, request: gr.Request):
        return self.load(lambda: uploaded_product(files), request)

    def load_create(self, title, description, bullets, category, brand, price, attributes, photos, video,
                    request: gr.Request):
        from studio.create_tab import product_from_form

        form = dict(title=title, description=description, bullets=bullets, category=category, brand=brand,
                    price=price, attributes=attributes, photos=photos, video=video)
        return self.load(lambda: product_from_form(**form), request)

    def ask(self, conversation, history, question):
        if conversation is None:
            raise gr.Error(NO_PRODUCT)
        try:
            answer = conversation.ask(question)
        except ValueError as exc:
            raise gr.Error(str(exc)) from None
        history = [*history, {"role": "user", "content": question},
                   {"role": "assistant", "content": answer.text}]
        return (conversation, history, "", _facts_html(answer), _unanswered_md(self.log, conversation), answer.text,
                *_looks(answer, conversation))

    def ask_spoken(self, conversation, history, recording):
        """A question said into the microphone (or an uploaded recording): transcribed offline
        (engine.inputs.speech), the transcript shown, then asked as if typed."""
        if not recording:
            return (gr.skip(),) * 9
        if conversation is None:
            raise gr.Error(NO_PRODUCT)
        try:
            heard = speech.transcribe(recording)
        except StudioError as exc:
            raise gr.Error(str(exc)) from None
        outputs = self.ask(conversation, history, heard)
        return (*outputs, f"Heard: \u201c{html.escape(heard)}\u201d")

    def ask_api(self, product: dict, question: str, earlier: list | None = None, writer: str = "template",
                audio: str | None = None, request: gr.Request = None) -> dict:
        """`/ask`: product JSON + question (+ earlier questions of the conversation) -> answer with its facts."""
        try:
            transcript = speech.transcribe(audio) if audio else None
            if not isinstance(product, dict):
                Product.from_record(product)  # the one-line message for a list, text, number ...
            record = {k: v for k, v in product.items() if k not in ("images", "videos")}  # text facts only
            conversation = qa.Conversation(self.studio.ingest(Product.from_record(record)), device=self.studio.device,
                                           precision=self.studio.precision, writer=writer or "template")
            for previous in earlier or []:  # replayed so a follow-up sees its subject
                conversation.ask(str(previous))
            owner = _owner(request)
            if owner and self.log is not None:  # only a login owns a list kept between requests
                conversation.log, conversation.owner = self.log, owner
            answer = conversation.ask(transcript if transcript is not None else question).to_dict()
            return answer if transcript is None else {**answer, "transcript": transcript}
        except (StudioError, ValueError) as exc:
            raise gr.Error(str(exc)) from None


def speak(text):
    if not text:
        raise gr.Error("ask a question first")
    return str(qa.speak(text, Path(tempfile.mkdtemp(prefix="mcs-qa-")) / "answer.wav"))


def build_qa_tab(studio: Studio, create=None) -> None:
    """``create``: the Create tab (studio.create_tab.CreateTab), whose product one click brings here."""
    handlers = QAHandlers(studio, qa.UnansweredLog())
    samples = list(sample_products())

    gr.Markdown("Answers come only from the listing's own facts; when the listing does not say, the answer "
                "says so and suggests the line to add.")
    with gr.Row():
        sample = gr.Dropdown(samples, value=None, label="Sample product", elem_id="mcs-qa-sample")
        upload = gr.File(label="…or a product JSON with its photos", file_count="multiple",
                         file_types=[".json", "image"], elem_id="mcs-qa-upload")
        with gr.Column(min_width=160):
            load_button = gr.Button("Use the uploaded product", elem_id="mcs-qa-load")
            from_create = gr.Button("Use the Create tab's product", elem_id="mcs-qa-from-create",
                                    visible=create is not None)
    status = gr.Markdown(PLACEHOLDER, elem_id="mcs-qa-status")
    conversation = gr.State(None)
    last = gr.State("")
    chat = gr.Chatbot(label="Shopper Q&A", elem_id="mcs-qa-chat", height=360, buttons=["copy"], layout="panel")
    with gr.Row():
        question = gr.Textbox(label="Shopper's question", placeholder="Is it machine washable?", scale=4,
                              elem_id="mcs-qa-question")
        ask_button = gr.Button("Ask", variant="primary", elem_id="mcs-qa-ask", scale=1)
    with gr.Row(visible=speech.available()):
        spoken = gr.Audio(sources=["microphone", "upload"], type="filepath", label="…or ask out loud",
                          elem_id="mcs-qa-spoken")
        heard = gr.Markdown(elem_id="mcs-qa-heard")
    facts = gr.HTML(elem_id="mcs-qa-facts-box")
    with gr.Row():
        clip = gr.Video(label="How it looks: the merchant's clip", visible=False, interactive=False,
                        elem_id="mcs-qa-clip")
        photos = gr.Gallery(label="How it looks: the merchant's photos", visible=False, columns=4, height=220,
                            elem_id="mcs-qa-photos")
    with gr.Row():
        speak_button = gr.Button("Speak the answer", elem_id="mcs-qa-speak")
        audio = gr.Audio(label="Spoken answer", type="filepath", interactive=False, elem_id="mcs-qa-audio")
    unanswered = gr.Markdown(elem_id="mcs-qa-unanswered")

    loaded = [conversation, chat, status, facts, unanswered, audio, clip, photos]
    # The tab's own events stay off the API: `/ask` below is the endpoint for scripts.
    load_button.click(handlers.load_upload, [upload], loaded, api_name=False)
    sample.input(handlers.load_sample, [sample], loaded, api_name=False)
    upload.upload(handlers.load_upload, [upload], loaded, api_name=False)
    if create is not None:
        from_create.click(handlers.load_create, list(create.form.values()), loaded, api_name=False)
    asked = [conversation, chat, question, facts, unanswered, last, clip, photos]
    question.submit(handlers.ask, [conversation, chat, question], asked, concurrency_id="qa", api_name=False)
    ask_button.click(handlers.ask, [conversation, chat, question], asked, concurrency_id="qa", api_name=False)
    for event in (spoken.stop_recording, spoken.upload):
        event(handlers.ask_spoken, [conversation, chat, spoken], [*asked, heard], concurrency_id="qa",
              api_name=False)
    speak_button.click(speak, last, audio, api_name=False)
    build_ask_api(handlers)


def build_ask_api(handlers: QAHandlers) -> None:
    """`/ask`: product JSON + question (+ earlier questions of the conversation) -> answer with its facts.
    Or a spoken question: ``audio`` (a recording, 0.3-30 s) is transcribed offline and asked in place of
    ``question``; the answer then carries ``transcript``, what was heard."""
    with gr.Row(visible=False):
        product = gr.JSON(label="product")
        question = gr.Textbox(label="question")
        earlier = gr.JSON(label="earlier questions")
        writer = gr.Textbox(label="writer", value="template")
        audio = gr.Audio(label="spoken question", type="filepath", sources=["upload"])
        out = gr.JSON(label="answer")
        trigger = gr.Button("ask")
    trigger.click(handlers.ask_api, [product, question, earlier, writer, audio], out, api_name="ask", concurrency_id="qa",
                  api_description="Answer a shopper's question (typed, or spoken as audio) from the product's own "
                                  "facts (and say which).")
