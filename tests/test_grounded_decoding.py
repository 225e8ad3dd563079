"""Grounded decoding: the LM cannot write numbers, colours or materials the input lacks.

The processor is checked token by token on the real SmolLM2 tokenizer, then end to end: real
generations with grounded decoding on state nothing the grounding score flags.
"""
from __future__ import annotations

import pytest
import torch

from engine.copywriting.copy import clean_description
from engine.copywriting.grounded import grounded_processor
from engine.scores.grounding import grounded_vocabulary, grounding_report

SOURCE = "Ceramic mug, red, 330 ml, pack of 2. Price: 1,299 rs"


@pytest.fixture(scope="module")
def lm():
    from engine.models.language import load_language_model

    return load_language_model("smollm2-135m", "cpu")


def allowed_after(lm, text: str, source: str = SOURCE) -> set[str]:
    """The tokens grounded decoding still allows after ``text``, decoded."""
    tokenizer = lm.tokenizer
    processor = grounded_processor(tokenizer, [(source, [])])
    ids = torch.tensor([tokenizer(text, add_special_tokens=False)["input_ids"]])
    scores = processor(ids, torch.zeros(1, len(tokenizer)))
    return {tokenizer.decode([i]) for i in torch.isfinite(scores[0]).nonzero().flatten().tolist()}


def test_vocabulary_lists_stated_numbers_with_units_and_unstated_terms():
    numbers, terms = grounded_vocabulary(SOURCE, ("white",))
    assert numbers["330"] == {"ml"} and numbers["2"] is None
    assert numbers["1,299"] == numbers["1299"] == {"rs"}
    assert "navy" in terms and "polyester" in terms
    assert "red" not in terms and "ceramic" not in terms and "white" not in terms  # photo colour counts


def test_only_digits_of_stated_numbers_may_be_written(lm):
    digits = set("0123456789")
    assert allowed_after(lm, "It holds ") & digits == {"3", "2", "1"}  # 330, 2, 1,299 / 1299
    assert allowed_after(lm, "It holds 3") & digits == {"3"}
    mid = allowed_after(lm, "It holds 33")
    assert mid == {"0"}, "an unfinished number cannot be left"
    assert allowed_after(lm, "Costs 1") & (digits | {","}) == {",", "2"}


def test_a_stated_number_keeps_its_unit(lm):
    after = allowed_after(lm, "It holds 330")
    assert " ml" in after and " hours" not in after and " kg" not in after
    assert " hours" in allowed_after(lm, "Pack of 2"), "a number stated without a unit takes any word"


def test_a_size_takes_no_unit(lm):
    # Luma MP05 wrote "keep you in top shape for the next 36 hours" from "available sizes: 32, 33, 34, 36"
    source = "Kratos Gym Pant\navailable sizes: 32, 33, 34, 36"
    after = allowed_after(lm, "Keeps you going for the next 36", source)
    assert " hours" not in after and " weeks" not in after and " kg" not in after and " inch" not in after
    assert " and" in after  # the text goes on, only a unit is ruled out
    assert grounding_report("Keeps you going for the next 36 hours.", source)["ungrounded"] == ["36 hours"]
    assert grounding_report("Available in sizes 32 to 36.", source)["ungrounded"] == []


def test_codes_glued_to_letters_are_left_alone(lm):
    assert set("0123456789") <= allowed_after(lm, "Model MB00")


def test_unstated_colours_and_materials_are_banned_whole_words(lm):
    after = allowed_after(lm, "A lovely")
    assert " red" in after and " ceramic" in after
    assert " navy" not in after and " Navy" not in after and " polyester" not in after
    assert "red" in allowed_after(lm, "It got bo"), "a one-token term inside a word stays allowed"


def test_real_generation_keeps_stated_numbers_and_units(lm):
    """Made to state a weight, the free LM invents one ("6 grams" for a 6 mm mat); grounded
    decoding may only reuse the stated number with its own unit."""
    from transformers import LogitsProcessorList

    source = "Yoga mat. Thickness: 6 mm. Colour: purple."
    prompt = lm.chat_ids([{"role": "user", "content": f"Product facts: {source}\nDescribe the mat."}])
    lead = "This mat weighs "
    ids = torch.cat([prompt, lm.tokenizer(lead, return_tensors="pt", add_special_tokens=False)["input_ids"]], 1)

    def continue_with(processors) -> str:
        out = lm.model.generate(ids, attention_mask=torch.ones_like(ids), max_new_tokens=20, do_sample=False,
                                logits_processor=processors)
        return lead + lm.tokenizer.decode(out[0, ids.shape[1]:], skip_special_tokens=True)

    free = continue_with(LogitsProcessorList())
    assert grounding_report(free, source)["ungrounded"], f"the free LM was expected to invent a weight: {free}"
    grounded = continue_with(LogitsProcessorList([grounded_processor(lm.tokenizer, [(source, [])])]))
    assert grounding_report(grounded, source)["ungrounded"] == [], grounded
    assert "6" in grounded


def test_studio_descriptions_are_grounded_end_to_end(studio):
    from engine.copywriting.copy import stream_field
    from engine.ingest import ingest
    from engine.core.product import Product
    from engine.core.settings import Settings

    product = Product(title="Trail water bottle", description="Keeps drinks cold on long hikes.",
                      attributes={"capacity": "750 ml", "material": "stainless steel"})
    item = ingest(product)
    raw = ""
    for raw in stream_field(studio.language_model(Settings()), "description", item,
                            Settings(temperature=0.0, max_new_tokens=70)):
        pass
    text = clean_description(raw, 2000)
    assert text and grounding_report(text, item.source_text())["ungrounded"] == [], text


def test_a_number_that_cannot_be_finished_ends_the_text_and_is_dropped(lm):
    """When the only digit that finishes a stated number is already ruled out (no-repeat rule),
    the row ends there and its unfinished number is cut, instead of letting any number through."""
    from engine.copywriting.grounded import drop_unfinished_number

    tokenizer = lm.tokenizer
    processor = grounded_processor(tokenizer, [(SOURCE, [])])
    ids = torch.tensor([tokenizer("It holds 33", add_special_tokens=False)["input_ids"]])
    scores = torch.zeros(1, len(tokenizer))
    scores[0, tokenizer.convert_tokens_to_ids("0")] = -float("inf")
    out = processor(ids, scores)
    assert set(torch.isfinite(out[0]).nonzero().flatten().tolist()) <= set(processor.end_ids)
    assert processor.cut_rows == {0}
    # a minimum length had ruled the end out as well: the row still ends, no all -inf row
    scores = torch.zeros(1, len(tokenizer))
    scores[0, tokenizer.convert_tokens_to_ids("0")] = -float("inf")
    scores[0, processor.end_ids] = -float("inf")
    out = grounded_processor(tokenizer, [(SOURCE, [])])(ids, scores)
    assert set(torch.isfinite(out[0]).nonzero().flatten().tolist()) == set(processor.end_ids)
    assert drop_unfinished_number("Holds 330 ml (33") == "Holds 330 ml"


def test_plurals_of_unstated_materials_are_banned_too(lm):
    after = allowed_after(lm, "A set of six", source="Bar set with a shaker and a jigger")
    assert " glass" not in after and " glasses" not in after and " Glasses" not in after


def test_hyphenated_forms_of_unstated_terms_are_banned(lm):
    after = allowed_after(lm, "A multi-")
    assert "colored" not in after and "color" not in after
