"""The claim check on the copy a merchant review found unpublishable, and on true copy.

Every "flagged" example below was written by the studio's models for a real product and shown with
green badges; every "not flagged" one states only what the input says.
"""
import pytest

from engine.scores import TextContext, score_text
from engine.scores.claims import claim_report, repair_names

WATCH = """Titan Analog Watch - For Men
Brand: Titan
Category: Watches > Wrist Watches
dial color: Silver
strap color: Black
strap material: Leather
price: 1695"""
MUG = """Ceramic Coffee Mug 330 ml
Category: Kitchen & Dining > Mugs
material: Ceramic
Microwave safe: No
Notes: Hand wash only. Not for microwave."""
PAN = "Prestige Omega Deluxe Frying Pan 24 cm\nBrand: Prestige\nmaterial: Aluminium\nNon-stick coating"
BULB = "Product type: LED bulb"

FLAGGED = [
    # (input, copy, a flagged span, its kind)
    (WATCH, "The watch features a 1695mm glass case, smooth handle", "1695mm", "number"),
    (WATCH, "The watch features a 1695mm glass case, smooth handle", "glass", "material"),
    (WATCH, "The watch features a 1695mm glass case, smooth handle", "smooth handle", "thing"),
    (WATCH, "It is made of the finest quality sapphire.", "sapphire", "material"),
    (WATCH, "It will work perfectly with a wide range of devices, from smartphones to tablets to laptops.",
     "laptops", "thing"),
    (WATCH, "It will work perfectly with a wide range of devices, from smartphones to tablets to laptops.",
     "smartphones", "thing"),
    (MUG, "It is also available in different sizes and has a removable lid.", "removable lid", "thing"),
    (MUG, "microwave safe", "microwave safe", "contradiction"),
    (MUG, "A sturdy mug you can put in the microwave.", "microwave", "contradiction"),
    (WATCH, "Tantan Analog Watch for Men", "Tantan", "misspelt name"),
    (WATCH, "Taman Analog Watch", "Taman", "misspelt name"),
    (PAN, "Here is an example of a response that uses bullets to list and include all the facts:",
     "Here is", "meta-text"),
    (PAN, "Sure!", "Sure!", "meta-text"),
    (PAN, "Sure, I'll have a response after this...", "response", "meta-text"),
    (PAN, "| Feature | Value |\n|---|---|", "| Feature |", "meta-text"),
    (PAN, "Banana", "Banana", "thing"),
    (PAN, "Sugars", "Sugars", "thing"),
    (PAN, "Polenta", "Polenta", "thing"),
    (BULB, "Jazza Art", "Jazza", "unknown name"),
    (BULB, "A smartphone with fitness tracking", "smartphone", "thing"),
    (BULB, "60-currency product name", "product name", "meta-text"),
    ("Balboa Persistence Tee\nmaterial: Cotton", "Philadelphia Tee", "Philadelphia", "unknown name"),
    (PAN, "Prestige Omega Deluxe frying pan, 24 cm. Write the product description.", "Write the product description",
     "meta-text"),
    (PAN, "Draft Title: Prestige frying pan", "Draft Title", "meta-text"),
    (WATCH, "We love it. Our customers have praised it for its style.", "Our customers", "praise"),
    (WATCH, "A timeless watch praised by numerous industry experts.", "praised by", "praise"),
]

TRUE = [
    (WATCH, "Titan Silver Dial Black Leather Strap Analog Watch for Men"),
    (WATCH, "A classic timepiece from Titan with a silver dial and a black leather strap, priced at Rs. 1695."),
    (WATCH, "Designed for everyday wear, this watch makes a great gift."),
    (MUG, "A ceramic coffee mug that holds 330 ml. Hand wash only; not for the microwave."),
    (PAN, "Prestige Omega Deluxe aluminium frying pan with a non-stick coating, 24 cm."),
    ("Chaz Kangeroo Hoodie\neco collection: No\nmaterial: Wool", "Chaz Kangeroo Hoodie. Eco collection: No."),
    ("Shopizone 32 GB Pen Drive\nUSB on the go: No\nInterface: USB 2.0", "A 32 GB pen drive with a USB 2.0 interface."),
    # quoting one of the merchant's own lines contradicts nothing, even beside a "No" on the same word
    ("Skin cream\nOrganic: No\nOrganic Type: Natural", "Organic type: Natural"),
    ("Router\nNot Covered in Warranty: Warranty does not cover any external accessories\n"
     "Covered in Warranty: manufacturing defects only", "Covered in Warranty: manufacturing defects only"),
]


@pytest.mark.parametrize("source, text, span, kind", FLAGGED)
def test_invented_claims_are_flagged(source, text, span, kind):
    flagged = claim_report(text, source)["flagged"]
    assert (span, kind) in [(f["text"], f["kind"]) for f in flagged], flagged
    found = next(f for f in flagged if f["text"] == span)
    assert text[found["start"]:found["end"]] == span  # the UI highlights exactly this span
    assert found["reason"]


@pytest.mark.parametrize("source, text", TRUE)
def test_true_copy_is_not_flagged(source, text):
    assert claim_report(text, source)["flagged"] == []


def test_badge_is_red_with_every_problem_listed_and_green_only_when_clean():
    bad = {s.name: s for s in score_text("description", "It is made of the finest quality sapphire. Sure!",
                                         TextContext(source_text=WATCH))}["grounding"]
    assert bad.good is False and bad.display == "2 flagged" and bad.label == "Claims"
    assert "sapphire" in bad.explanation and "talks about the answer" in bad.explanation
    good = {s.name: s for s in score_text("title", TRUE[0][1], TextContext(source_text=WATCH))}["grounding"]
    assert good.good is True and good.value == 1.0


def test_attribute_lines_of_the_notes_ground_an_edited_title():
    """'Silver' and 'Black' were flagged although the notes said "Dial Color: Silver"; the notes' key: value
    lines must survive into what is stored, so a re-score after an edit still sees them."""
    from engine.ingest import ingest
    from engine.core.product import Product

    product = Product(title="Titan watch", description="Classic analog watch.\nDial Color: Silver\nStrap Color: Black")
    once = ingest(product)
    again = ingest(once.product)  # history stores the cleaned product; an edit re-scores from it
    for ingested in (once, again):
        assert claim_report("Titan Silver Dial Black Strap Watch", ingested.source_text())["flagged"] == []


def test_names_are_repaired_to_the_input_spelling():
    assert repair_names("Tantan Analog Watch", WATCH) == "Titan Analog Watch"
    assert repair_names("Taman watch for men", WATCH) == "Titan watch for men"
    assert repair_names("Lillingen mirror cabinet", "LILLNGEN mirror cabinet, white") == "LILLNGEN mirror cabinet"
    assert repair_names("A classic analog watch", WATCH) == "A classic analog watch"  # English stays


def test_wordnet_is_safe_to_share_between_concurrent_requests():
    """Copy requests are scored in parallel threads (engine/models/batching.py); nltk's reader seeks
    shared files, and without SharedWordNet 8 threads like these all failed (WordNetError, StopIteration)."""
    import random
    import threading

    from engine.scores.reference import SharedWordNet, load_wordnet

    wordnet = load_wordnet()
    assert isinstance(wordnet, SharedWordNet)
    words = ["towel", "cotton", "bottle", "steel", "lid", "watch", "sheet", "shoe", "glass", "bag", "sugar", "case"]
    errors: list[str] = []

    def read(seed: int) -> None:
        rng = random.Random(seed)
        try:
            for _ in range(150):
                for synset in wordnet.synsets(rng.choice(words)):
                    synset.hypernyms(), synset.lexname(), synset.hypernym_paths()
                    [lemma.count() for lemma in synset.lemmas()]
        except Exception as exc:  # collected: the assertion below names them
            errors.append(repr(exc)[:200])

    threads = [threading.Thread(target=read, args=(seed,)) for seed in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []


def test_sides_joined_by_an_x_and_a_catalogs_multi_colour_are_grounded():
    source = "Other Dimensions: L*B*H-20x10x35 cms\nColor: MULTI"
    assert claim_report("It measures 20 x 10 x 35 cm and is multicoloured.", source)["flagged"] == []
    flagged = claim_report("It measures 20x10x36 cm and is red.", source)["flagged"]
    assert [(f["kind"], f["text"]) for f in flagged] == [("number", "36 cm"), ("colour", "red")]
