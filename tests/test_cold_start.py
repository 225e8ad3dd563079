"""Cold start (docs/PERFORMANCE.md, "Cold start"): the page is served while the models still load in the
background, a click in that time waits for that one load and then completes, and nothing loads twice.

Loaders are replaced by fakes that block until the test releases them, so nothing here depends on how
long anything takes; no wall-clock time is asserted."""
from __future__ import annotations

import threading
import urllib.request
from types import SimpleNamespace


import engine.pipeline as pipeline
from engine.pipeline import Studio
from engine.core.settings import Settings
from studio.serve import WarmingStudio, WarmUp, make_studio

WAIT = 60  # seconds: only a bound for a broken mechanism (a hang), never a measured time


class FakeLoaders:
    """Stand-ins for every loader ``Studio.warm_up`` calls; the language model blocks until ``release``."""

    def __init__(self, monkeypatch):
        self.release = threading.Event()
        self.entered = threading.Event()
        self.calls: list[str] = []
        self.in_flight = 0
        self.most_in_flight = 0
        self._lock = threading.Lock()
        tokenizer = object()
        monkeypatch.setattr(pipeline, "load_language_model", self._language_model(tokenizer))
        monkeypatch.setattr("engine.copywriting.grounded.processor_for", self._record("grounded"))
        monkeypatch.setattr("engine.conditioning.load_conditioned",
                            lambda name, device: SimpleNamespace(
                                language_model_at=lambda precision: SimpleNamespace(tokenizer=tokenizer, batcher=None)))
        monkeypatch.setattr("engine.encoders.text.encode_texts", self._record("text encoder"))
        monkeypatch.setattr("engine.encoders.image.encode_images", self._record("image encoder"))
        monkeypatch.setattr("engine.scores.claims.claim_report", self._record("wordnet"))
        # A fresh process as far as the warm-up knows: nothing warmed yet.
        monkeypatch.setitem(vars(pipeline), "_WARMED_UP", set())

    def _record(self, name):
        def fake(*args, **kwargs):
            self.calls.append(name)
        return fake

    def _language_model(self, tokenizer):
        def fake(name, device, precision=None):
            with self._lock:
                self.in_flight += 1
                self.most_in_flight = max(self.most_in_flight, self.in_flight)
            self.calls.append("language model")
            self.entered.set()
            try:
                assert self.release.wait(WAIT), "the test never released the fake load"
                return SimpleNamespace(tokenizer=tokenizer, batcher=None)  # the decoder is made on first use
            finally:
                with self._lock:
                    self.in_flight -= 1
        return fake


SETTINGS = Settings(fusion="film")  # a trained default: the warm-up also loads its checkpoint


def test_concurrent_warm_ups_load_once(monkeypatch):
    fakes = FakeLoaders(monkeypatch)
    studio = Studio(device="cpu")
    steps: list[str] = []
    first = threading.Thread(target=studio.warm_up, args=(SETTINGS, steps.append))
    first.start()
    assert fakes.entered.wait(WAIT)
    second = threading.Thread(target=Studio(device="cpu").warm_up, args=(SETTINGS,))  # another studio, same models
    second.start()
    second.join(0.2)
    assert second.is_alive(), "a second warm-up must wait for the one under way"
    fakes.release.set()
    first.join(WAIT)
    second.join(WAIT)
    assert fakes.calls.count("language model") == 1 and fakes.most_in_flight == 1
    assert fakes.calls.count("wordnet") == 1 and fakes.calls.count("text encoder") == 1
    assert steps[0] == "the language model" and "WordNet and the claim-check words" in steps
    studio.warm_up(SETTINGS)  # done: returns at once, loads nothing
    assert fakes.calls.count("language model") == 1


def test_a_click_during_the_warm_up_waits_for_it_then_runs(monkeypatch):
    fakes = FakeLoaders(monkeypatch)
    seen = {}

    def fake_stream(self, product, settings=Settings(), references=None, parent_id=None, store=True):
        seen["warm_up_done"] = self.warm.done.is_set()
        yield pipeline.Event("result", result="the copy")

    monkeypatch.setattr(Studio, "stream", fake_stream)
    studio = WarmingStudio(device="cpu")
    studio.warm = WarmUp(studio, settings=SETTINGS, log=lambda message: None).start()
    assert fakes.entered.wait(WAIT)
    assert "Loading models in the background" in studio.warm.status()
    assert "(the language model)" in studio.warm.status()

    events = []
    click = threading.Thread(target=lambda: events.extend(studio.stream("a product")))
    click.start()
    click.join(0.2)
    assert click.is_alive(), "the click must wait for the warm-up"
    assert [e.kind for e in events] == ["status"] and "Waiting for the models" in events[0].text  # said at once
    fakes.release.set()
    click.join(WAIT)
    assert [e.kind for e in events] == ["status", "result"]
    assert events[1].result == "the copy" and seen["warm_up_done"]
    assert studio.warm.status() == "" and fakes.calls.count("language model") == 1
    # After the warm-up every gated call passes straight through.
    assert [e.kind for e in studio.stream("a product")] == ["result"]


def test_a_failed_warm_up_is_shown_and_models_then_load_on_demand(monkeypatch):
    def broken(name, device, precision=None):
        raise OSError("no such model")

    monkeypatch.setattr(pipeline, "load_language_model", broken)
    monkeypatch.setitem(vars(pipeline), "_WARMED_UP", set())
    logged: list[str] = []
    studio = WarmingStudio(device="cpu")
    studio.warm = WarmUp(studio, settings=SETTINGS, log=logged.append).start()
    assert studio.warm.done.wait(WAIT)
    assert "failed" in studio.warm.status() and "no such model" in studio.warm.status()
    assert any("Warm-up failed" in line for line in logged)
    studio._wait_for_models()  # returns: the next click loads (and reports) on its own


def test_no_warm_up_keeps_loading_on_the_first_click():
    studio, warm = make_studio(SimpleNamespace(no_warm_up=True, device="cpu", threads=None))
    assert warm is None and type(studio) is Studio
    studio, warm = make_studio(SimpleNamespace(no_warm_up=False, device="cpu", threads=None))
    assert isinstance(studio, WarmingStudio) and studio.warm is warm
    assert not warm.done.is_set() and "Loading models" in warm.status()  # serve starts it once the page is up


def test_page_is_served_and_a_generation_completes_while_models_load(monkeypatch, sample_record):
    """The real app with the real template copy path; only the warm-up is held back by the test."""
    from gradio_client import Client, handle_file
    from gradio_client.utils import Status

    from studio.app import THEME, build_app
    from studio.render import CSS

    release, entered = threading.Event(), threading.Event()
    warmed = []

    def held_warm_up(self, settings=None, progress=None):
        (progress or (lambda step: None))("the language model")
        entered.set()
        assert release.wait(WAIT)
        warmed.append(True)

    monkeypatch.setattr(WarmingStudio, "warm_up", held_warm_up)
    studio = WarmingStudio(device="cpu")
    studio.warm = WarmUp(studio, log=lambda message: None).start()
    assert entered.wait(WAIT)
    app = build_app(studio, status=studio.warm.status)
    app.queue(default_concurrency_limit=1)
    app.launch(server_name="127.0.0.1", server_port=None, prevent_thread_lock=True, quiet=True, theme=THEME, css=CSS)
    try:
        url = app.local_url
        with urllib.request.urlopen(url, timeout=WAIT) as response:  # served, the warm-up still held
            assert response.status == 200
        assert not studio.warm.done.is_set()
        with urllib.request.urlopen(url + "config", timeout=WAIT) as response:
            assert "Loading models in the background" in response.read().decode()

        record = {k: v for k, v in sample_record.items() if k not in ("images", "videos")}
        client = Client(url, verbose=False)
        job = client.submit(record, {"fusion": "template", "seed": 0}, [handle_file(sample_record["images"][0])], [],
                            api_name="/generate")
        # Wait until the server runs the request: it then sits in the gate while the warm-up holds the models.
        for _ in range(WAIT * 20):
            if job.status().code == Status.PROCESSING or job.done():
                break
            threading.Event().wait(0.05)
        assert job.status().code == Status.PROCESSING and not job.done() and not warmed
        release.set()
        assert studio.warm.done.wait(WAIT)
        result = job.result(timeout=WAIT * 5)
        assert warmed == [True]
        assert result["copy"]["title"] and result["copy"]["description"] and result["scores"]["title"]
    finally:
        release.set()
        app.close()
