"""Licensed decoding: the LM writes only words the input licenses (its words, their forms, house words).

The licence is checked word by word, the house vocabulary against the claim words, the processor
token by token on the real SmolLM2 tokenizer, and then end to end: a real greedy generation with
licensed and grounded decoding holds no unlicensed word, also through the request decoder.
"""
from __future__ import annotations

import json
import subprocess
import sys
import time
from pathlib import Path

import pytest
import torch

from engine.copywriting.licence import (LicensedDecoding, claim_words, drop_unfinished_word, finish, house_words,
                                        licence_for, licensed_processor)

MUG = "Printland ceramic coffee mug. Capacity: 350 ml. Printed with a funny quote."
SHIRT = "Wooden buttons. Half Sleeve shirt, Washable."
ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module")
def lm():  # tests that take it are marked slow: they load the language model
    from engine.models.language import load_language_model

    return load_language_model("smollm2-135m", "cpu")


def allowed_after(lm, text: str, source: str = MUG) -> set[str]:
    """The tokens licensed decoding still allows after ``text``, decoded."""
    tokenizer = lm.tokenizer
    processor = licensed_processor(tokenizer, [(source, [])])
    ids = torch.tensor([tokenizer(text, add_special_tokens=False)["input_ids"]])
    scores = processor(ids, torch.zeros(1, len(tokenizer)))
    return {tokenizer.decode([i]) for i in torch.isfinite(scores[0]).nonzero().flatten().tolist()}


# -- the licence -------------------------------------------------------------------------------------

def test_input_words_license_their_forms():
    licence = licence_for(SHIRT)
    assert licence.allows("wood") and licence.allows("Woods") and licence.allows("WOODEN")  # "Wooden" -> wood
    assert licence.allows("half-sleeved") and licence.allows("sleeves")  # "Half Sleeve" -> half-sleeved
    assert licence.allows("wash") and licence.allows("washed")  # "Washable" -> wash
    assert licence.allows("button") and licence.allows("shirts")
    assert not licence.allows("half-zip") and not licence.allows("sleeveless")


def test_claims_need_the_input():
    licence = licence_for(MUG)
    for claim in ("waterproof", "seaweed", "dishwasher", "microwave", "organic", "warranty", "tea", "handle"):
        assert not licence.allows(claim), claim
    for house in ("the", "not", "never", "without", "stylish", "perfect", "design", "everyday", "quality",
                  "made", "use", "it's", "don't"):
        assert licence.allows(house), house
    assert licence.allows("mugs") and licence.allows("Printland") and licence.allows("printed")
    assert licence.allows("350") and licence.allows("350ml") and not licence.allows("350kg")
    text = "This waterproof mug is perfect for seaweed tea."
    assert licence.unlicensed(text) == [(text.index(w), text.index(w) + len(w), w) for w in ("waterproof", "seaweed", "tea")]
    assert licence_for(MUG + " Dishwasher safe.").allows("dishwasher")


def test_house_vocabulary_states_no_fact():
    from engine.scores.vocab import COLORS, MATERIALS, NUMBER_WORDS, UNITS

    house, claims = house_words(), claim_words()
    assert 300 <= len(house) <= 1500, len(house)
    assert not house & claims
    for claim in ("waterproof", "water", "resistant", "organic", "natural", "warranty", "guarantee", "safe",
                  "dishwasher", "microwave", "wireless", "battery", "durable", "handmade", "free"):
        assert claim in claims and claim not in house, claim
    # "off" white, "down" filled: only the whole term is a colour or material
    assert not house & ({w for term in (*COLORS, *MATERIALS) for w in term.split()} - {"off", "down", "color", "colour"})
    assert not house & {u for u in UNITS if u.isalpha() and len(u) > 1} and not house & set(NUMBER_WORDS)
    assert {"not", "no", "never", "without", "stylish", "perfect", "easy", "design", "quality"} <= house
    data = json.loads((ROOT / "assets" / "vocab" / "house_words.json").read_text())
    assert data["words"] == sorted(data["words"]) and data["rule"] and data["version"]


def test_committed_house_vocabulary_is_what_the_script_builds(tmp_path):
    from conftest import SHARED_DATA

    if not (SHARED_DATA / "luma" / "products.jsonl").exists():
        pytest.skip("the training catalogs are not beside the checkout")
    out = tmp_path / "house_words.json"
    subprocess.run([sys.executable, "scripts/build_house_vocab.py", "--out", str(out)], cwd=ROOT, check=True,
                   capture_output=True)
    assert out.read_text() == (ROOT / "assets" / "vocab" / "house_words.json").read_text(), \
        "rebuild assets/vocab/house_words.json with scripts/build_house_vocab.py"


def test_drop_unfinished_word():
    assert drop_unfinished_word("A stylish mug for wo") == "A stylish mug for"
    assert drop_unfinished_word("Holds 350") == "Holds 350"


# -- the processor, token by token --------------------------------------------------------------------

@pytest.mark.slow
def test_a_word_may_only_start_as_a_licensed_one(lm):
    after = allowed_after(lm, "A lovely")
    assert {" design", " Design", " ceramic", " m", ".", ",", "\n", " the"} <= after  # " m" + "ug"
    assert " waterproof" not in after and " seaweed" not in after and " tea" not in after
    assert " wood" in allowed_after(lm, "A lovely", SHIRT) and " wooden" in allowed_after(lm, "A lovely", SHIRT)


@pytest.mark.slow
def test_a_word_goes_on_only_towards_a_licensed_one(lm):
    after = allowed_after(lm, "Made of wo", SHIRT)  # " w" + "o": wood, wooden, woods, work, world...
    assert "od" in after and "rl" in after
    assert "." not in after and " the" not in after and "\n" not in after, "a word may not end unlicensed"
    assert "ol" not in after  # "wool": no material the input lacks
    assert "OD" not in after, "a word keeps one case: no 'woOD'"
    done = allowed_after(lm, "Made of wood", SHIRT)
    assert "." in done and " and" in done and "en" in done and "ol" not in done


@pytest.mark.slow
def test_a_dead_end_ends_the_text_and_is_dropped(lm):
    """When every licensed continuation is already ruled out (the no-repeat rule), the row ends
    there, even under a minimum length, and its unfinished word is cut."""
    tokenizer = lm.tokenizer
    processor = licensed_processor(tokenizer, [(SHIRT, [])])
    ids = torch.tensor([tokenizer("Made of wo", add_special_tokens=False)["input_ids"]])
    scores = torch.zeros(1, len(tokenizer))
    scores[0, processor.tables[0].continuations("wo")] = -float("inf")
    scores[0, processor.end_ids] = -float("inf")
    out = processor(ids, scores)
    assert set(torch.isfinite(out[0]).nonzero().flatten().tolist()) == set(processor.end_ids)
    assert processor.cut_rows == {0}
    assert finish(processor, ["Made of wo"]) == ["Made of"]


@pytest.mark.slow
def test_each_row_keeps_its_own_licence(lm):
    tokenizer = lm.tokenizer
    wood, mug = tokenizer.convert_tokens_to_ids("Ġwood"), tokenizer.convert_tokens_to_ids("Ġceramic")
    ids = torch.tensor([tokenizer("A lovely", add_special_tokens=False)["input_ids"]] * 2)
    both = LicensedDecoding(tokenizer, [licence_for(SHIRT), licence_for(MUG)])(ids, torch.zeros(2, len(tokenizer)))
    assert torch.isfinite(both[0, wood]) and not torch.isfinite(both[0, mug])
    assert torch.isfinite(both[1, mug]) and not torch.isfinite(both[1, wood])
    one = LicensedDecoding(tokenizer, [licence_for(MUG)])(ids, torch.zeros(2, len(tokenizer)))
    assert torch.isfinite(one[:, mug]).all() and not torch.isfinite(one[:, wood]).any()


# -- real generations ---------------------------------------------------------------------------------

class Timed:
    """A logits processor that keeps the time its inner one takes."""

    def __init__(self, inner):
        self.inner, self.seconds, self.calls = inner, 0.0, 0

    def __call__(self, input_ids, scores):
        start = time.perf_counter()
        scores = self.inner(input_ids, scores)
        self.seconds += time.perf_counter() - start
        self.calls += 1
        return scores


def _checked(licence, text: str, cut: bool) -> str:
    """The text as the check sees it: a word cut by the token budget or a dead end is left out."""
    return drop_unfinished_word(text) if cut or text[-1:].isalpha() else text


@pytest.mark.slow
def test_real_generation_writes_only_licensed_words(lm):
    from transformers import LogitsProcessorList

    from engine.copywriting.grounded import grounded_processor
    from engine.models.language import NO_REPEAT_NGRAM, REPETITION_PENALTY
    from engine.scores.grounding import grounding_report

    tokenizer = lm.tokenizer
    prompt = lm.chat_ids([
        {"role": "system", "content": "You write product copy. Use only the given facts."},
        {"role": "user", "content": f"Product facts:\n{MUG}\n\nWrite a product description of 2 to 4 sentences."}])

    def generate(processors, tokens: int = 64) -> tuple[str, float]:
        start = time.perf_counter()
        out = lm.model.generate(prompt, attention_mask=torch.ones_like(prompt), max_new_tokens=tokens,
                                min_new_tokens=tokens, do_sample=False, no_repeat_ngram_size=NO_REPEAT_NGRAM,
                                repetition_penalty=REPETITION_PENALTY, logits_processor=processors)
        new = out[0, prompt.shape[1]:]
        return tokenizer.decode(new, skip_special_tokens=True), len(new) / (time.perf_counter() - start)

    free, free_speed = generate(LogitsProcessorList())
    licence = licence_for(MUG)
    assert licence.unlicensed(free), f"the free LM was expected to write a word the input lacks: {free}"
    licensed = Timed(licensed_processor(tokenizer, [(MUG, [])]))
    grounded = Timed(grounded_processor(tokenizer, [(MUG, [])]))
    text, speed = generate(LogitsProcessorList([grounded, licensed]))  # licensed last: it sees every ban
    print(f"\nfree ({free_speed:.1f} tokens/s): {free}\nlicensed ({speed:.1f} tokens/s): {text}\n"
          f"licensed decoding {1000 * licensed.seconds / licensed.calls:.2f} ms a step, "
          f"grounded {1000 * grounded.seconds / grounded.calls:.2f} ms a step")
    checked = _checked(licence, text, bool(licensed.inner.cut_rows))
    assert len(checked.split()) >= 10, text
    assert licence.unlicensed(checked) == [], text
    assert grounding_report(checked, MUG)["ungrounded"] == [], text


@pytest.mark.slow
def test_request_decoder_runs_licensed_decoding(lm):
    """The studio's decoder (engine/models/batching.py) calls one processor per request with that
    row alone: grounded and licensed decoding go together as one list."""
    from transformers import LogitsProcessorList

    from engine.copywriting.grounded import grounded_processor

    source = "Kratos Gym Pant. Slim fit, stretch fabric, zip pockets. Sizes: 32, 34, 36."
    licensed = licensed_processor(lm.tokenizer, [(source, [])])
    processors = LogitsProcessorList([grounded_processor(lm.tokenizer, [(source, [])]), licensed])
    text = lm.generate([{"role": "user", "content": f"Product facts:\n{source}\n\nDescribe the pant in 2 sentences."}],
                       max_new_tokens=48, temperature=0.0, top_p=1.0, seed=0, logits_processor=processors)
    print(f"\nrequest decoder: {text}")
    checked = _checked(licence_for(source), text, bool(licensed.cut_rows))
    assert checked.strip() and licence_for(source).unlicensed(checked) == [], text
