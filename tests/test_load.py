"""A short run of the load test (benchmarks/load.py): three gradio_client sessions at once against
a studio started the way users start it (launch.py in a subprocess, its own data folder)."""
from __future__ import annotations

import sys
from pathlib import Path

import pytest

from conftest import LUMA

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "benchmarks"))

import load  # noqa: E402

# One real fusion generation (the studio's default method), the rest template copy to stay cheap;
# every bad input the benchmark knows, each sent while other sessions are generating.
PLANS = [
    ["generate", "bad-attributes-list", "bad-settings"],
    ["generate-template", "batch", "bad-catalog-absolute-path"],
    ["generate-template", "bad-not-an-image", "bad-empty-product"],
]


@pytest.fixture(scope="module")
def run(tmp_path_factory):
    if not LUMA.exists():
        pytest.skip(f"sample data not found at {LUMA}")
    work = tmp_path_factory.mktemp("load")
    studio = load.start_studio(work / "data")
    try:
        with load.RssSampler(studio.process.pid) as rss:
            outcomes = load.run_load(studio.url, len(PLANS), 3600, work, plans=PLANS)
    finally:
        studio.stop()  # the history is read with the server gone: nothing is half-written
    expected = {i for o in outcomes if o.ok for i in o.generation_ids}
    return outcomes, rss, load.check_history(studio.data_dir / "history.sqlite", expected)


def test_every_planned_request_was_sent(run):
    outcomes, _, _ = run
    assert sorted(o.kind for o in outcomes) == sorted(k for plan in PLANS for k in plan)


def test_no_valid_request_fails(run):
    outcomes, _, _ = run
    failed = [(o.kind, o.message) for o in outcomes if not o.bad and not o.ok]
    assert not failed


def test_bad_inputs_are_refused_with_a_clear_message(run):
    outcomes, _, _ = run
    unclear = {o.kind: o.message for o in outcomes if o.bad and not o.ok}
    assert not unclear


def test_history_is_intact_and_each_generation_stored_once(run):
    outcomes, _, history = run
    # generate x3 and a two-product batch, each stored by the server as it finished
    assert sum(len(o.generation_ids) for o in outcomes) == 5
    assert history["integrity_check"] == "ok"
    assert history["missing"] == [] and history["duplicated"] == []
    assert history["stored"] == history["expected"] == 5 and history["unexpected"] == 0


def test_server_memory_was_sampled_throughout(run):
    _, rss, _ = run
    summary = rss.summary()
    assert summary["samples"] >= 2
    assert summary["before_mb"] <= summary["peak_mb"] and summary["after_mb"] <= summary["peak_mb"]


def test_report_lists_every_kind(run):
    outcomes, rss, history = run
    report = {"sessions": len(PLANS), "seconds": 1.0, "summary": load.summarize(outcomes),
              "rss": rss.summary(), "history": history}
    text = load.markdown(report)
    for kind in {k for plan in PLANS for k in plan}:
        assert f"| {kind} |" in text


def test_refusal_check_rejects_raw_exception_text():
    assert load.refusal_is_clean("photo.png: not an image in a supported format")
    assert load.refusal_is_clean("no product of c.jsonl can run:\nc.jsonl line 1 (id MS06): image \"/x.jpg\": "
                                 "absolute paths are not accepted over the network")
    assert not load.refusal_is_clean("")
    assert not load.refusal_is_clean("1 validation error for Settings\ntemperature\n  Input should be <= 2 "
                                     "[type=less_than_equal, input_value=9, input_type=int]")
    assert not load.refusal_is_clean("operands could not be broadcast together with shapes (3,) (4,)")
    assert not load.refusal_is_clean("'list' object has no attribute 'items'")


def test_percentile_is_a_measured_value():
    values = [3.0, 1.0, 2.0, 10.0]
    assert load.percentile(values, 0.5) == 2.0
    assert load.percentile(values, 0.99) == 10.0
    assert load.percentile([4.0], 0.9) == 4.0
