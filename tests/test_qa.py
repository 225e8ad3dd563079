"""Shopper Q&A (engine.qa): answers come only from the merchant's facts, with the facts shown;
what the listing does not say is declined with the line to add; negations answer "no";
follow-ups borrow the previous subject; the CLI speaks a WAV; `/ask` answers through gradio_client.
Real MiniLM retrieval, real Piper voice, template writer (fast)."""
from __future__ import annotations

import json
import wave

import pytest

from conftest import luma_record

MUG = {"id": "MUG-1", "title": "Stoneware Coffee Mug", "brand": "Kiln & Co",
       "description": "A heavy mug for slow mornings. Not for microwave use.\nDishwasher safe: Yes\nCapacity: 350 ml",
       "attributes": {"Material": "Stoneware", "Colors": ["Blue", "Black"]}, "bullets": ["Hand-glazed finish"]}


@pytest.fixture(scope="module")
def mug():
    from engine.ingest import ingest
    from engine.product import Product

    return ingest(Product.from_record(MUG))


def conversation(ingested, log=None):
    from engine.qa import Conversation

    return Conversation(ingested, device="cpu", log=log)


def test_attribute_question_is_answered_from_the_fact(mug):
    answer = conversation(mug).ask("What is it made of?")
    assert answer.answered and "Stoneware" in answer.text
    assert answer.facts == ["Material: Stoneware"]


def test_real_catalog_product_yes_no_attribute():
    from engine.product import Product
    from engine.qa import ask

    hoodie = Product.from_record({**luma_record("MH01"), "images": []})  # "performance_fabric": "No"
    answer, = ask(hoodie, "Is it performance fabric?")
    assert answer.polarity == "no" and answer.text.startswith("No") and answer.facts == ["Performance fabric: No"]


def test_unanswerable_is_declined_with_a_suggestion_and_logged(mug, tmp_path):
    from engine.qa import UnansweredLog

    log = UnansweredLog(tmp_path / "unanswered.json")
    answer = conversation(mug, log).ask("Is it oven safe?")  # shares "safe" with "Dishwasher safe: Yes"
    assert not answer.answered and answer.facts == []
    assert answer.text == "The listing doesn't say whether it is oven safe."
    assert "Oven safe: Yes" in answer.suggestion
    assert log.questions("MUG-1") == ["Is it oven safe?"]


def test_negation_in_the_notes_answers_no(mug):
    answer = conversation(mug).ask("Is it microwave safe?")
    assert answer.polarity == "no" and answer.text.startswith("No")
    assert answer.facts == ["Not for microwave use."]


def test_follow_up_reuses_the_previous_subject(mug):
    chat = conversation(mug)
    first = chat.ask("Does it come in red?")
    assert first.answered and "doesn't mention red" in first.text and first.facts == ["Colors: Blue, Black"]
    follow = chat.ask("and in black?")
    assert follow.follow_up and follow.polarity == "yes" and follow.facts == ["Colors: Blue, Black"]


def test_cli_ask_with_voice(tmp_path, capsys):
    from engine.cli import main

    path = tmp_path / "mug.json"
    path.write_text(json.dumps(MUG))
    wav = tmp_path / "answer.wav"
    assert main(["--device", "cpu", "ask", str(path), "Is it dishwasher safe?", "--voice", str(wav)]) == 0
    out = capsys.readouterr().out
    assert "Yes — Dishwasher safe: Yes." in out and "fact: Dishwasher safe: Yes" in out
    with wave.open(str(wav), "rb") as w:
        assert w.getnframes() / w.getframerate() > 0.3


def test_ask_endpoint_through_gradio_client(studio):
    from gradio_client import Client

    from conftest import serve_studio

    url, app = serve_studio(studio)
    try:
        client = Client(url, verbose=False)
        answer = client.predict(MUG, "and in black?", ["Does it come in blue?"], "template", api_name="/ask")
        assert answer["answered"] and answer["polarity"] == "yes" and answer["facts"] == ["Colors: Blue, Black"]
        declined = client.predict(MUG, "Does it have a warranty?", [], "template", api_name="/ask")
        assert not declined["answered"] and "Warranty" in declined["suggestion"]
    finally:
        app.close()


def test_questions_about_looks_show_the_merchants_photos(sample_product):
    from engine.ingest import ingest
    from engine.qa import Conversation
    from studio.qa_tab import _looks

    talk = Conversation(ingest(sample_product), device="cpu")
    looks, washing = talk.ask("What colour is it?"), talk.ask("Is it machine washable?")
    assert looks.about_looks and not washing.about_looks
    clip, photos = _looks(looks, talk)
    assert not clip["visible"] and photos["visible"] and len(photos["value"]) == len(sample_product.images)
    assert not _looks(washing, talk)[1]["visible"]
