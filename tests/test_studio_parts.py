"""What a Studio builds with (issue 26, item 4): its precision and request batching are options it holds and
passes into the models and decoders it uses, not process-wide switches. No model is loaded here."""
from __future__ import annotations

from types import SimpleNamespace

import pytest

from engine import pipeline
from engine.core.errors import StudioError
from engine.core.settings import Settings
from engine.models.batching import DEFAULT_BATCHING, RequestBatching, batcher_for, request_batching
from engine.pipeline import Studio


@pytest.fixture
def loads(monkeypatch):
    """The language-model loader replaced: each call's (name, device, precision), and a stand-in model."""
    calls = []

    def load(name, device, precision=None):
        calls.append((name, device, precision))
        return SimpleNamespace(batcher=None)

    monkeypatch.setattr(pipeline, "load_language_model", load)
    return calls


def test_a_studio_builds_its_language_model_at_its_precision_with_its_batching(loads):
    batching = RequestBatching(enabled=True, window_s=0.1, max_batch=3)
    studio = Studio(device="cpu", precision="float32", request_batching=batching)
    lm = studio.language_model(Settings())
    assert loads == [(Settings().language_model, "cpu", "float32")]
    assert lm.batcher.options is batching  # the decoder of the model follows the Studio's options
    writer = studio.writer("none")
    assert (writer.precision, writer.request_batching) == ("float32", batching)


def test_the_defaults_are_what_the_process_had(loads):
    studio = Studio(device="cpu")
    assert studio.precision is None and studio.request_batching is DEFAULT_BATCHING
    studio.language_model(Settings())
    assert loads[-1][2] is None  # the process default ($MCS_PRECISION)
    assert Studio(device="cpu", request_batching=True).request_batching.as_dict() == \
        {"enabled": True, "window_s": 0.05, "max_batch": 8}
    with pytest.raises(StudioError, match="unknown precision"):
        Studio(device="cpu", precision="half")


def test_a_decoder_keeps_its_options_until_another_studio_gives_it_others():
    lm = SimpleNamespace(batcher=None)
    assert batcher_for(lm).options is DEFAULT_BATCHING
    mine = RequestBatching(enabled=True)
    assert batcher_for(lm, mine).options is mine and batcher_for(lm).options is mine


def test_a_batch_run_widens_its_studios_batching_only():
    from engine.workflows.batch import decoding_together

    found = request_batching()
    mine = RequestBatching(enabled=False, window_s=0.2, max_batch=8)
    with decoding_together(6, mine):
        assert mine.as_dict() == {"enabled": True, "window_s": 0.2, "max_batch": 6}
        with decoding_together(4, mine):
            assert mine.max_batch == 10
        assert request_batching() == found  # the process default is not touched
    assert mine.as_dict() == {"enabled": False, "window_s": 0.2, "max_batch": 8}


def test_the_server_gives_its_studio_the_flags():
    from studio.queueing import copy_events
    from studio.serve import make_studio

    studio, _ = make_studio(SimpleNamespace(no_warm_up=True, device="cpu", threads=None, precision="float32",
                                            no_batching=False))
    assert studio.precision == "float32" and studio.request_batching.enabled
    assert copy_events(studio.request_batching) == {"concurrency_id": "copy", "concurrency_limit": 8}
    quiet, _ = make_studio(SimpleNamespace(no_warm_up=True, device="cpu", threads=None, no_batching=True))
    assert not quiet.request_batching.enabled and copy_events(quiet.request_batching) == {"concurrency_id": "model"}
    assert not request_batching()["enabled"]  # building the server's studio turned nothing on process-wide
