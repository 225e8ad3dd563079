"""Seeds that mean what they say (issue 24.4): a retry draws from a seed derived from the requested one,
never from a seed a person can ask for, so Compare columns with different seeds differ.

In Compare, seeds 1 and 2 gave the same text for a method: seed 1's flagged first title was written again
with seed 2, which is seed 2's own first draft. The fast tests drive the real pipeline with a stand-in
writer whose text depends on the seed only; the slow one runs the real language model.
"""
from __future__ import annotations

import pytest

from engine.copywriting.rerank import DERIVED_SEED_BASE, RETRIES, candidate_seed
from engine.core.product import Product
from engine.core.settings import Settings

# A title the claim check flags (a pack size the input never states) and two that it passes.
PRODUCT = Product(title="Rocco Gym Tank", category="Men/Tops/Tanks", attributes={"material": "Cotton"})
FLAGGED = "Rocco Gym Tank, 3-Pack"
SEED_TWO = "Rocco Gym Tank in Cotton"
DERIVED = "Cotton Rocco Gym Tank"


class SeedWriter:
    """A stand-in language model: the title it writes is a function of the seed alone (seed 1's first
    draft is flagged), and it records every seed it is asked to sample with."""

    precision = "float32"
    tokenizer = None

    def __init__(self):
        self.seeds: list[int] = []

    def stream(self, messages, *, seed, stop_at_newline=False, **_):
        self.seeds.append(seed)
        if not stop_at_newline:  # the description: composed from the plan downstream
            yield "A cotton tank for the gym."
            return
        yield {1: FLAGGED, 2: SEED_TWO}.get(seed, DERIVED)


def test_derived_seeds_are_out_of_reach_of_every_requested_seed():
    top = Settings.model_fields["seed"].metadata[-1].le  # the largest seed a person can ask for
    assert top == DERIVED_SEED_BASE - 1
    for seed in (0, 1, 2, 7, top):
        assert candidate_seed(seed, 0) == seed  # the first draft is the seed asked for
        derived = [candidate_seed(seed, i) for i in range(1, 9)]
        assert all(DERIVED_SEED_BASE <= s < 2 * DERIVED_SEED_BASE for s in derived)
        assert len(set(derived)) == len(derived)
    assert candidate_seed(1, 1) != candidate_seed(2, 1)  # each requested seed has its own
    assert candidate_seed(5, 3) == candidate_seed(5, 3)  # and the same settings give the same seeds


def test_a_retry_never_lands_on_another_requested_seed():
    from engine.copywriting.rerank import stream_candidates
    from engine.ingest import ingest

    ingested = ingest(PRODUCT)
    writer = SeedWriter()
    events = list(stream_candidates(writer, "title", ingested, Settings(fusion="none", seed=1,
                                                                         grounded_decoding=False)))
    best, others = events[-1][1]
    assert writer.seeds[0] == 1 and len(writer.seeds) == 2  # the flagged draft, then one retry
    assert writer.seeds[1] == candidate_seed(1, 1) >= DERIVED_SEED_BASE
    assert best.text == DERIVED and best.seed == candidate_seed(1, 1) and best.flagged == []
    assert others[0].seed == 1 and others[0].flagged  # the flagged first draft stays an alternative
    retry_status = [v for step, v in events if step == "status"]
    assert retry_status == [f"Every title so far has a flagged claim: writing it again (seed {candidate_seed(1, 1)}, "
                            "derived from 1)..."]
    assert RETRIES["title"] >= 1


def test_compare_columns_with_seeds_1_and_2_differ(studio, monkeypatch):
    from engine.workflows.compare import compare_grid

    writer = SeedWriter()
    monkeypatch.setattr(studio, "language_model", lambda settings: writer)
    cells = compare_grid(studio, PRODUCT, ["none"], [1, 2], "seed",
                         Settings(fusion="none", grounded_decoding=False))
    by_seed = {c["value"]: c for c in cells}
    assert not any(c["error"] for c in cells)
    # before: seed 1's retry was seed 2 and both columns showed "Rocco Gym Tank in Cotton"
    assert by_seed[1]["title"] != by_seed[2]["title"]
    assert by_seed[2]["title"] == SEED_TWO and by_seed[1]["title"] == DERIVED
    requested_elsewhere = {2}
    asked_for_seed_1 = writer.seeds[: writer.seeds.index(2)]
    assert not requested_elsewhere & set(asked_for_seed_1)
    assert by_seed[1]["result"].alternatives["title"][0]["seed"] == candidate_seed(1, 1)


@pytest.mark.slow
def test_compare_with_the_language_model_seeds_1_and_2_differ(studio):
    """The real writer (zero-shot SmolLM2) in a Compare grid: the two seeds' copy differs."""
    from engine.workflows.compare import compare_grid

    product = Product(title="Frankie Sweatshirt", category="Women/Tops/Hoodies & Sweatshirts",
                      attributes={"material": "Organic Cotton", "pattern": "Solid"})
    cells = compare_grid(studio, product, ["none"], [1, 2], "seed", Settings(fusion="none", max_new_tokens=60))
    one, two = cells
    assert not one["error"] and not two["error"]
    assert (one["title"], one["description"]) != (two["title"], two["description"])
    for cell in cells:
        seeds = {c["seed"] for field in cell["result"].alternatives.values() for c in field}
        others = {1, 2} - {cell["value"]}
        assert not seeds & others, (cell["value"], seeds)
