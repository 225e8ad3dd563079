"""The "Shopper Q&A" tab and the `/ask` endpoint: a thin UI over ``engine.qa``.

The merchant picks a sample or uploads a product JSON, types questions as a shopper would and
sees each answer with the facts it used; questions the listing cannot answer are collected
below, as the facts to add.
"""
from __future__ import annotations

import html
import tempfile
from pathlib import Path

import gradio as gr

from engine import qa
from engine.errors import StudioError
from engine.pipeline import Studio
from engine.product import Product
from engine.samples import sample_products
from studio.render import servable

PLACEHOLDER = "Pick a sample or upload a product JSON, then ask what a shopper would ask."


def _facts_html(answer: qa.Answer) -> str:
    if not answer.answered:
        return (f'<div id="mcs-qa-facts" class="mcs-qa-declined"><p>No fact in the listing answers this.</p>'
                f"<p>{html.escape(answer.suggestion)}</p></div>")
    items = "".join(f"<li>{html.escape(f)}</li>" for f in answer.facts)
    return f'<div id="mcs-qa-facts"><p>Facts used:</p><ul>{items}</ul></div>'


def _unanswered_md(log: qa.UnansweredLog, conversation: qa.Conversation | None) -> str:
    if conversation is None:
        return ""
    asked = log.questions(qa.product_key(conversation.ingested.product))
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


def _product(sample: str | None, upload) -> Product:
    if upload is not None:
        return Product.from_json_file(getattr(upload, "name", upload))
    samples = sample_products()
    if not sample or sample not in samples:
        raise StudioError("pick a sample product or upload a product JSON first")
    return samples[sample]


def build_qa_tab(studio: Studio) -> None:
    log = qa.UnansweredLog()
    samples = list(sample_products())

    def load(sample, upload):
        try:
            conversation = qa.Conversation(studio.ingest(_product(sample, upload)), device=studio.device, log=log)
        except (StudioError, ValueError) as exc:
            raise gr.Error(str(exc)) from None
        title = conversation.ingested.product.title or "this product"
        return (conversation, [], f"Asking about **{title}** ({len(conversation.facts)} facts).",
                "", _unanswered_md(log, conversation), None, gr.update(visible=False, value=None),
                gr.update(visible=False, value=None))

    def ask(conversation, history, question):
        if conversation is None:
            conversation = load(samples[0] if samples else None, None)[0]
        try:
            answer = conversation.ask(question)
        except ValueError as exc:
            raise gr.Error(str(exc)) from None
        history = [*history, {"role": "user", "content": question},
                   {"role": "assistant", "content": answer.text}]
        return (conversation, history, "", _facts_html(answer), _unanswered_md(log, conversation), answer.text,
                *_looks(answer, conversation))

    def speak(text):
        if not text:
            raise gr.Error("ask a question first")
        return str(qa.speak(text, Path(tempfile.mkdtemp(prefix="mcs-qa-")) / "answer.wav"))

    gr.Markdown("Answers come only from the listing's own facts; when the listing does not say, the answer "
                "says so and suggests the line to add.")
    with gr.Row():
        sample = gr.Dropdown(samples, value=samples[0] if samples else None, label="Sample product", elem_id="mcs-qa-sample")
        upload = gr.File(label="…or a product JSON", file_types=[".json"], elem_id="mcs-qa-upload")
        load_button = gr.Button("Use this product", elem_id="mcs-qa-load")
    status = gr.Markdown(PLACEHOLDER, elem_id="mcs-qa-status")
    conversation = gr.State(None)
    last = gr.State("")
    chat = gr.Chatbot(label="Shopper Q&A", elem_id="mcs-qa-chat", height=360, buttons=["copy"], layout="panel")
    with gr.Row():
        question = gr.Textbox(label="Shopper's question", placeholder="Is it machine washable?", scale=4,
                              elem_id="mcs-qa-question")
        ask_button = gr.Button("Ask", variant="primary", elem_id="mcs-qa-ask", scale=1)
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
    load_button.click(load, [sample, upload], loaded, api_name=False)
    sample.change(load, [sample, gr.State(None)], loaded, api_name=False)
    upload.upload(load, [sample, upload], loaded, api_name=False)
    asked = [conversation, chat, question, facts, unanswered, last, clip, photos]
    question.submit(ask, [conversation, chat, question], asked, concurrency_id="qa", api_name=False)
    ask_button.click(ask, [conversation, chat, question], asked, concurrency_id="qa", api_name=False)
    speak_button.click(speak, last, audio, api_name=False)
    build_ask_api(studio, log)


def build_ask_api(studio: Studio, log: qa.UnansweredLog | None = None) -> None:
    """`/ask`: product JSON + question (+ earlier questions of the conversation) -> answer with its facts."""

    def ask_api(product: dict, question: str, earlier: list | None = None, writer: str = "template") -> dict:
        try:
            if not isinstance(product, dict):
                Product.from_record(product)  # the one-line message for a list, text, number ...
            record = {k: v for k, v in product.items() if k not in ("images", "videos")}  # text facts only
            conversation = qa.Conversation(studio.ingest(Product.from_record(record)), device=studio.device,
                                           writer=writer or "template")
            for previous in earlier or []:  # replayed so a follow-up sees its subject
                conversation.ask(str(previous))
            conversation.log = log
            return conversation.ask(question).to_dict()
        except (StudioError, ValueError) as exc:
            raise gr.Error(str(exc)) from None

    with gr.Row(visible=False):
        product = gr.JSON(label="product")
        question = gr.Textbox(label="question")
        earlier = gr.JSON(label="earlier questions")
        writer = gr.Textbox(label="writer", value="template")
        out = gr.JSON(label="answer")
        trigger = gr.Button("ask")
    trigger.click(ask_api, [product, question, earlier, writer], out, api_name="ask", concurrency_id="qa",
                  api_description="Answer a shopper's question from the product's own facts (and say which).")
