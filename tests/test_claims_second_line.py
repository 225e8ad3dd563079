"""The claim check as an independent second line: it catches features, health, certification, warranty
and origin claims the input does not state, spelled-out numbers and "not X" against "X: Yes", and it
leaves true paraphrases alone. Real WordNet, no mocks; the "real outputs" below were written by the
studio's models for these products.
"""
import pytest

from engine.scores import TextContext, score_text
from engine.scores.claims import claim_report

WATCH = "Titan Analog Watch - For Men\nBrand: Titan\ndial color: Silver\nstrap material: Leather\nprice: 1695"
MUG = "Ceramic Coffee Mug 330 ml\nmaterial: Ceramic\nMicrowave safe: No\nNotes: Hand wash only. Not for microwave."
BOTTLE = "Steel water bottle\nCapacity: 750 ml\nColour: Blue"


def _flags(text: str, source: str) -> list[tuple[str, str]]:
    report = claim_report(text, source)
    for flag in report["flagged"]:  # the UI marks exactly the flagged words
        assert text[flag["start"]:flag["end"]] == flag["text"] and flag["reason"], flag
    return [(f["text"], f["kind"]) for f in report["flagged"]]


# -- 1. "not X" against "X: Yes" -----------------------------------------------------------------------

def test_not_x_contradicts_x_yes():
    assert ("not dishwasher safe", "contradiction") in _flags("It is not dishwasher safe.", "Dishwasher safe: Yes")
    assert ("not waterproof", "contradiction") in _flags("Sadly it is not waterproof.",
                                                          "Backpack\nfeatures: Waterproof, Lightweight")
    # what the merchant said no to still counts, as before
    assert ("microwave safe", "contradiction") in _flags("microwave safe", MUG)


def test_a_no_that_does_not_govern_the_yes_is_no_contradiction():
    source = "Lunch box\nDishwasher safe: Yes\nMicrowave safe: Yes"
    assert _flags("It is not only dishwasher safe but also microwave safe.", source) == []
    assert _flags("No need to scrub: it is dishwasher safe.", source) == []


# -- 2. features, wherever they stand --------------------------------------------------------------------

FEATURES = ["waterproof", "water-resistant", "dishwasher safe", "microwave safe", "BPA free", "non-stick",
            "shockproof", "rechargeable", "wireless", "organic", "hypoallergenic", "eco-friendly", "anti-bacterial",
            "UV protection", "breathable"]


@pytest.mark.parametrize("feature", FEATURES)
def test_a_feature_the_input_does_not_state_is_flagged_mid_sentence(feature):
    text = f"This bottle keeps its shape, and it is {feature} for everyday use."
    assert (feature, "feature") in _flags(text, BOTTLE)


def test_the_watch_waterproof_material():
    assert ("waterproof", "feature") in _flags("The watch's waterproof material lasts.", WATCH)


@pytest.mark.parametrize("source, text", [
    ("Titan watch\nWater Resistant: Yes", "A water-resistant watch."),
    ("Titan watch\nWater Resistant: Yes", "A water resistant watch with good water resistance."),
    ("Hiking backpack\nfeatures: Waterproof", "A waterproof backpack."),
    ("Hiking backpack\nfeatures: Waterproof", "A water-resistant backpack."),  # the stronger claim licenses it
    ("Frying pan\nNon-stick coating", "A nonstick frying pan."),
    ("Torch\nBattery: Rechargeable", "A rechargeable torch."),
    ("Ceramic Mug\nDishwasher Safe.", "A mug that is dishwasher safe."),
    ("Lunch box\nInsulated: Yes", "It will keep your food warm."),
])
def test_any_form_of_an_input_feature_licenses_it(source, text):
    assert _flags(text, source) == []


def test_water_resistant_does_not_license_waterproof():
    assert ("waterproof", "feature") in _flags("A waterproof watch.", "Titan watch\nWater Resistant: Yes")


# -- 3. health, certification, warranty, origin -----------------------------------------------------------

@pytest.mark.parametrize("text, span, kind", [
    ("Clinically proven. FDA approved.", "Clinically proven", "health claim"),
    ("Clinically proven. FDA approved.", "FDA approved", "certification"),
    ("It comes with a lifetime warranty.", "lifetime warranty", "warranty"),
    ("Backed by a 30 day replacement guarantee.", "30 day replacement guarantee", "warranty"),
    ("The gel treats acne, eczema, psoriasis and more.", "treats acne, eczema, psoriasis", "health claim"),
    ("A cream with an anti-aging effect.", "anti-aging", "health claim"),
    ("It cures dry skin overnight.", "cures", "health claim"),
    ("It heals cracked heels.", "heals", "health claim"),
    ("A balm that relieves pain.", "relieves pain", "health claim"),
    ("A tea that boosts immunity.", "boosts immunity", "health claim"),
    ("Dermatologically tested for all skin types.", "Dermatologically tested", "health claim"),
    ("A certified product.", "certified", "certification"),
    ("Made to ISO standards.", "ISO standards", "certification"),
    ("It carries the CE mark.", "CE mark", "certification"),
    ("Proudly made in India.", "made in India", "origin"),
    ("A bag handmade in Italy.", "handmade in Italy", "origin"),
    ("Crafted from Italian leather.", "Italian leather", "origin"),
])
def test_claims_the_input_does_not_make_are_flagged(text, span, kind):
    assert (span, kind) in _flags(text, BOTTLE)


def test_the_treatment_sentence_is_one_health_flag():
    text = "It has been used in the treatment of various health problems, cancer, arthritis, asthma, diabetes and cancer."
    flags = _flags(text, BOTTLE)
    assert flags == [("treatment of various health problems, cancer, arthritis, asthma, diabetes and cancer",
                      "health claim")]


@pytest.mark.parametrize("source, text", [
    ("Router\nWarranty: 1 Year Domestic Warranty", "It comes with a 1 year warranty."),
    ("Router\nWarranty: 1 Year Domestic Warranty", "It comes with a one year warranty."),
    ("Anti-dandruff shampoo", "A shampoo that fights dandruff."),
    ("Face cream\nCertification: Dermatologically tested", "Dermatologically tested."),
    ("Helmet\nCertification: ISI certified", "An ISI certified helmet."),
    ("Kurta\nCountry of Origin: India", "Made in India."),
    ("Leather bag\nMade in Italy", "A bag of Italian leather."),
])
def test_claims_the_input_makes_are_not_flagged(source, text):
    assert _flags(text, source) == []


@pytest.mark.parametrize("text, span", [
    ("Backed by a money-back guarantee.", "money-back guarantee"),
    ("Satisfaction guaranteed.", "Satisfaction guaranteed"),
    ("Enjoy free returns.", "free returns"),
])
def test_other_promises_are_warranty_claims(text, span):
    assert (span, "warranty") in _flags(text, BOTTLE)


@pytest.mark.parametrize("text", ["The foam returns to its shape.", "A replacement for your old bottle.",
                                  "A bottle guaranteed to impress.", "Made in small batches."])
def test_words_that_promise_nothing_are_no_claim(text):
    assert not [f for f in _flags(text, BOTTLE) if f[1] in ("warranty", "origin")]


def test_a_different_warranty_is_flagged():
    source = "Router\nWarranty: 1 Year Domestic Warranty"
    assert ("lifetime warranty", "warranty") in _flags("It comes with a lifetime warranty.", source)


# -- 4. spelled-out numbers ------------------------------------------------------------------------------

def test_spelled_out_numbers_are_checked_like_digits():
    assert ("forty litres", "number") in _flags("It holds forty litres.", "Hiking backpack\nCapacity: 30 l")
    assert _flags("It holds forty litres.", "Hiking backpack\nCapacity: 40 l") == []
    assert _flags("It has two pockets.", "Backpack with 2 pockets") == []
    assert _flags("It has two pockets.", "Backpack with two pockets") == []
    assert ("two pockets", "number") in _flags("It has two pockets.", "Backpack\nColour: Blue")
    assert ("three-piece", "number") in _flags("A three-piece set.", "Cookware set\nMaterial: Steel")
    assert _flags("A three-piece set.", "Cookware set\nPieces: 3 pcs") == []


@pytest.mark.parametrize("text", ["The one you love will adore it.", "It is one of a kind.",
                                  "Buy one for yourself and one for a friend."])
def test_number_words_that_count_nothing_are_not_flagged(text):
    assert not [f for f in _flags(text, BOTTLE) if f[1] == "number"]


# -- 5. true paraphrases -------------------------------------------------------------------------------

@pytest.mark.parametrize("source, text", [
    ("Key holder\nMaterial: Wooden", "It is made of high-quality wood."),
    ("Coffee Mug\nCategory: Mugs\nMaterial: Ceramic", "A ceramic cup for your morning coffee."),
    ("Women's top\nSleeve: Half Sleeve", "A short-sleeved top."),
    ("Balboa Persistence Tee\nmaterial: Cotton", "A cotton shirt for everyday wear."),
])
def test_true_paraphrases_are_not_flagged(source, text):
    assert _flags(text, source) == []


@pytest.mark.parametrize("source, text, span", [
    (WATCH, "It is made of the finest quality sapphire.", "sapphire"),
    (MUG, "It has a removable lid.", "removable lid"),
    (WATCH, "It works with tablets and laptops.", "laptops"),
    (MUG, "A mug with a matching bowl.", "bowl"),  # a kind of vessel, like a mug, is no paraphrase
])
def test_other_things_stay_flagged(source, text, span):
    assert any(t.endswith(span) for t, _ in _flags(text, source))


# -- 6. a field with no checkable fact is not green ----------------------------------------------------

@pytest.mark.parametrize("text", ["It is great.", "A pretty thing you will love"])
def test_no_checkable_fact_is_neutral_not_green(text):
    from studio.render import _badge_class

    score = {s.name: s for s in score_text("description", text, TextContext(source_text=WATCH))}["grounding"]
    assert score.details["share"] is None
    assert score.good is None and "states none of your facts" in score.explanation
    assert _badge_class(score) not in ("mcs-good", "mcs-bad")


def test_empty_text_is_neutral_and_says_so():
    from studio.render import _badge_class

    score = {s.name: s for s in score_text("description", "", TextContext(source_text=WATCH))}["grounding"]
    assert score.good is None and score.explanation == "Nothing written yet."
    assert _badge_class(score) not in ("mcs-good", "mcs-bad")


def test_a_checked_true_fact_is_still_green():
    score = {s.name: s for s in score_text("description", "A Titan watch with a silver dial.",
                                           TextContext(source_text=WATCH))}["grounding"]
    assert score.good is True and score.value == 1.0


# -- 7. the report's shape ---------------------------------------------------------------------------

def test_report_shape_and_flags():
    text = "A waterproof bottle, clinically proven, made in India, with a lifetime warranty. It has two pockets."
    report = claim_report(text, BOTTLE)
    assert set(report) == {"checked", "flagged", "ungrounded", "share", "segments"}
    assert {f["kind"] for f in report["flagged"]} == {"feature", "health claim", "origin", "warranty", "number"}
    for flag in report["flagged"]:
        assert set(flag) == {"kind", "text", "start", "end", "reason"}
        assert text[flag["start"]:flag["end"]] == flag["text"]
    assert report["ungrounded"] == [f["text"] for f in report["flagged"]]
    assert "".join(piece for piece, _ in report["segments"]) == text
    assert 0.0 <= report["share"] < 1.0


# -- real outputs ----------------------------------------------------------------------------------------

CANDLE = "SINNLIG scented candle\nColour: White\nRoom: Living room\nContainer: glass"
ROUTER = "TP-Link N300 Wi-Fi router\nSpeed: 300 Mbps\nAntennas: 2"
CONDITIONER = "TRESemme Naturals Nourishing Moisture Conditioner\nHair Type: Dry Hair\nQuantity: 739 ml"
SKIN = "Vinyl laptop skin\nMaterial: Vinyl\nSize: 15.6 inch"
LUNCH_BOX = "Lunch box\nMaterial: Plastic\nCompartments: 3\nColour: Blue"


@pytest.mark.parametrize("source, text, span, kind", [
    (CANDLE, "This scented candle fills your living room with a soft glow. It has been used in the treatment of "
             "various health problems, cancer, arthritis, asthma, diabetes and cancer. It is also used for "
             "spiritual rituals and ceremonies.",
     "treatment of various health problems, cancer, arthritis, asthma, diabetes and cancer", "health claim"),
    (ROUTER, "This router is easy to set up and can run on any voltage source.", "voltage", "feature"),
    (CONDITIONER, "This conditioner will transform your hair, leaving it soft and shiny with an anti-aging effect.",
     "anti-aging", "health claim"),
    (SKIN, "This vinyl skin protects your 15.6 inch laptop and provides reliable power throughout the day.",
     "power", "feature"),
    (LUNCH_BOX, "This blue lunch box has 3 compartments and will keep your food warm until lunch.",
     "keep your food warm", "feature"),
])
def test_real_outputs_are_flagged(source, text, span, kind):
    assert (span, kind) in _flags(text, source)


def test_power_and_warmth_that_are_no_claim_or_are_licensed():
    assert _flags("Power through your workout in this cotton tee.", "Gym tee\nmaterial: Cotton") == []
    assert _flags("A lotion with the power of aloe.", "Aloe lotion\nQuantity: 200 ml") == []
    assert _flags("This jacket keeps the cold out.", "Winter jacket\nmaterial: Wool") == []
    assert _flags("It provides reliable power.", "Power bank\nCapacity: 10000 mAh") == []


def test_the_merchants_own_spec_sheet_contradicts_nothing():
    source = "Single Dohar\nHand Washable No Machine Washable Yes\nHand Washable: No\nMachine Washable: Yes"
    assert _flags("Hand Washable No Machine Washable Yes", source) == []
