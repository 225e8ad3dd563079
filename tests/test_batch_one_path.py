"""One path from a product to a Result: a batch writes each product with ``Studio.generate``, so the
same product, seed and settings give the same copy, checks and flags in a batch as in the Create tab.

The products of a batch run at once and their language-model calls are decoded together
(engine/workflows/batch.py, ``generate_batch``); here three small Luma products, short outputs."""
from __future__ import annotations

import threading

import pytest

from engine.workflows.batch import StepFailed, claim_verdicts, decoding_together, generate_batch, result_line
from engine.inputs.catalog import read_catalog
from engine.models.batching import request_batching, set_request_batching
from engine.core.settings import Settings
from conftest import LUMA

pytestmark = pytest.mark.skipif(not LUMA.exists(), reason=f"sample data not found at {LUMA}")


@pytest.fixture(scope="module")
def products():
    return [p.model_copy(update={"images": []}) for p in read_catalog(LUMA, limit=3)]


def same_as_create(studio, products, settings):
    """(Create's results, one by one, and the batch's) for the same products and settings."""
    created = [studio.generate(product, settings, store=False) for product in products]
    batched = generate_batch(studio, products, settings)
    return created, batched


def assert_same(created, batched):
    for alone, together in zip(created, batched, strict=True):
        assert not isinstance(together, Exception), together
        assert together.product.id == alone.product.id
        assert (together.copy.title, together.copy.description) == (alone.copy.title, alone.copy.description)
        assert together.copy.bullets == alone.copy.bullets and together.copy.keywords == alone.copy.keywords
        assert together.checks == alone.checks
        assert claim_verdicts(together.scores) == claim_verdicts(alone.scores)
        assert together.warnings == alone.warnings and together.notes == alone.notes
        assert together.alternatives == alone.alternatives and together.provenance == alone.provenance


@pytest.fixture(scope="module")
def zero_shot(studio, products):
    """The zero-shot baseline, short outputs: Create's results, the batch's, the decoder's batch sizes
    during the batch, and request batching before and after it."""
    from engine.models.batching import batcher_for

    settings = Settings(fusion="none", max_new_tokens=24, seed=3)
    decoder = batcher_for(studio.language_model(settings))
    found = request_batching()
    created = [studio.generate(product, settings, store=False) for product in products]
    before = len(decoder.sizes)
    batched = generate_batch(studio, products, settings)
    return created, batched, decoder.sizes[before:], found, request_batching()


@pytest.mark.slow  # loads the language model
def test_batch_writes_what_create_writes_and_decodes_together(zero_shot):
    created, batched, sizes, found, after = zero_shot
    assert_same(created, batched)
    assert max(sizes) > 1  # the products' language-model calls really shared a decode
    assert after == found  # the decoder's switch is as the batch found it


@pytest.mark.slow  # loads the language model
def test_rows_carry_the_checks_and_verdicts_create_shows(zero_shot):
    """A results line holds the Result's checks, warnings, notes, alternatives, provenance and claim verdicts; the
    Batch tab's claims column reads the verdict as the Create tab's badge does."""
    from studio.batch_tab import claims_cell

    for result in zero_shot[1]:
        row = result_line(result.product, result)
        assert row["checks"] == result.checks and row["warnings"] == result.warnings
        assert row["notes"] == result.notes and row["alternatives"] == result.alternatives
        assert row["provenance"] == result.provenance
        for kind in ("title", "description"):
            claim = next(s for s in result.scores[kind] if s.name == "grounding")
            verdict = row["claims"][kind]
            assert (verdict["display"], verdict["good"], verdict["share"]) == (claim.display, claim.good, claim.value)
            assert [(f["text"], f["reason"]) for f in verdict["flagged"]] == \
                [(f["text"], f["reason"]) for f in claim.details.get("flagged", [])]
        claim = next(s for s in result.scores["description"] if s.name == "grounding")
        assert claims_cell(row).startswith(("✅ " if claim.good else "⚠ ") + claim.display)


@pytest.mark.slow  # loads the language model
def test_default_trained_method_writes_the_same_in_a_batch(studio, products):
    """The default copy method (a trained fusion checkpoint: a prefix from the product's features)."""
    settings = Settings(max_new_tokens=24, seed=1)
    if settings.fusion in ("none", "template"):
        pytest.skip("no trained fusion checkpoint here")
    assert_same(*same_as_create(studio, products, settings))


def test_decoding_together_is_shared_by_overlapping_runs_and_restored_by_the_last():
    found = request_batching()
    set_request_batching(False, window_s=0.2, max_batch=8)
    try:
        with decoding_together(6):
            assert request_batching() == {"enabled": True, "window_s": 0.2, "max_batch": 6}
            with decoding_together(4):  # a second batch run while the first is still writing
                assert request_batching()["max_batch"] == 10
            assert request_batching() == {"enabled": True, "window_s": 0.2, "max_batch": 6}
        assert request_batching() == {"enabled": False, "window_s": 0.2, "max_batch": 8}
        set_request_batching(True, window_s=0.05, max_batch=8)  # a server that batches already
        with decoding_together(4):
            assert request_batching() == {"enabled": True, "window_s": 0.05, "max_batch": 8}
        assert request_batching() == {"enabled": True, "window_s": 0.05, "max_batch": 8}
    finally:
        set_request_batching(**found)


class SharedDecodeFails:
    """A studio whose generation fails inside a batch (as when a shared decode runs out of GPU memory)
    and works alone, except for one product that always fails."""

    def __init__(self):
        self.calls = []

    def generate(self, product, settings, references=None, store=True):
        together = threading.current_thread().name.startswith("batch-product")
        self.calls.append((product.id, together))
        if together or product.id == "BROKEN":
            raise RuntimeError("out of memory")
        return f"copy of {product.id}"


def test_products_failed_by_a_shared_decode_are_written_again_alone():
    from engine.core.product import Product

    studio = SharedDecodeFails()
    products = [Product(id=name, title="Mug") for name in ("A", "BROKEN", "C")]
    outcomes = generate_batch(studio, products, Settings(fusion="none"))
    assert outcomes[0] == "copy of A" and outcomes[2] == "copy of C"
    assert isinstance(outcomes[1], StepFailed) and "out of memory" in str(outcomes[1])
    assert sorted(studio.calls) == sorted([(p.id, True) for p in products] + [(p.id, False) for p in products])
