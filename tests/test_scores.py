"""Text quality scores on hand-written copy, with real WordNet, sacrebleu and rouge-score."""
from __future__ import annotations

import importlib.util
from pathlib import Path

import nltk
import pytest

from engine.scores import TextContext, extract_facts, grounding_report, score_text
from engine.scores.reference import load_wordnet
from engine.core.settings import Settings

ROOT = Path(__file__).resolve().parent.parent
SOURCE = (
    "Elegance Polyester Multicolor Abstract Eyelet Door Curtain (213 cm in Height, Pack of 2). "
    "Made from 100% polyester with metal rings. Colour: navy blue."
)
DESCRIPTION = (
    "Brighten any doorway with this multicolor abstract eyelet curtain. Made from soft polyester, "
    "it hangs 213 cm tall and slides smoothly on metal rings. Comes as a 2-pack."
)


def _setup_script():
    spec = importlib.util.spec_from_file_location("setup_wordnet", ROOT / "scripts" / "setup_wordnet.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="module")
def wordnet_cache(tmp_path_factory):
    cache = tmp_path_factory.mktemp("mcs-cache")
    _setup_script().install(cache / "nltk_data")
    return cache


@pytest.fixture
def with_wordnet(wordnet_cache, monkeypatch):
    # Only the studio's own data dir is searched, so the test proves the offline install works.
    monkeypatch.setenv("MCS_CACHE_DIR", str(wordnet_cache))
    monkeypatch.setattr(nltk.data, "path", [])
    yield
    # A WordNet reader opened here stays cached for the session (engine.scores.reference, the claim check);
    # nltk refuses to read files outside nltk.data.path, so later tests in the session (test_compare's
    # METEOR) would fail on it. The copy lives as long as the session: keep it on the path.
    monkeypatch.undo()
    if str(wordnet_cache / "nltk_data") not in nltk.data.path:
        nltk.data.path.append(str(wordnet_cache / "nltk_data"))


def _scores(kind, text, **context):
    return {s.name: s for s in score_text(kind, text, TextContext(source_text=SOURCE, **context))}


def test_setup_wordnet_copies_and_is_idempotent(wordnet_cache, capsys):
    wordnet_dir = wordnet_cache / "nltk_data" / "corpora" / "wordnet"
    lexnames = (wordnet_dir / "lexnames").read_text().splitlines()
    assert len(lexnames) == 45
    assert lexnames[6] == "06\tnoun.artifact\t1" and lexnames[44] == "44\tadj.ppl\t3"
    assert not any(p.is_symlink() for p in wordnet_dir.iterdir())
    _setup_script().install(wordnet_cache / "nltk_data")
    assert capsys.readouterr().out.strip() == f"WordNet already installed in {wordnet_dir}"


def test_wordnet_reader_offline(with_wordnet):
    wordnet = load_wordnet()
    assert wordnet is not None
    assert wordnet.synset("dog.n.01").lexname() == "noun.animal"
    assert "sofa" in {l.name() for s in wordnet.synsets("couch") for l in s.lemmas()}


def test_reference_metrics_identical_text(with_wordnet):
    scores = _scores("description", DESCRIPTION, reference=DESCRIPTION)
    assert scores["bleu"].value == pytest.approx(100.0)
    assert scores["meteor"].value > 0.9
    assert scores["rouge_l"].value == pytest.approx(1.0)


def test_reference_metrics_unrelated_text(with_wordnet):
    scores = _scores("description", "Our lightweight running shoe grips wet trails.", reference=DESCRIPTION)
    assert scores["bleu"].value < 5
    assert scores["meteor"].value < 0.15
    assert scores["rouge_l"].value < 0.15


def test_meteor_credits_synonyms(with_wordnet):
    reference = "a comfortable sofa for the living room"
    exact = _scores("title", "a comfortable sofa for the living room", reference=reference)["meteor"].value
    synonym = _scores("title", "a comfortable couch for the living room", reference=reference)["meteor"].value
    unrelated = _scores("title", "a comfortable table for the living room", reference=reference)["meteor"].value
    # nltk's METEOR weighs a WordNet synonym match like an exact one.
    assert synonym == pytest.approx(exact) and synonym > unrelated + 0.1


def test_missing_reference_is_not_applicable():
    scores = _scores("title", "Multicolor Eyelet Door Curtain, 2-Pack", reference="  ")
    for name in ("bleu", "meteor", "rouge_l"):
        assert scores[name].value is None and scores[name].display == "n/a"
        assert "reference" in scores[name].explanation.lower()


def test_missing_wordnet_says_run_setup(tmp_path, monkeypatch):
    monkeypatch.setenv("MCS_CACHE_DIR", str(tmp_path))
    monkeypatch.setattr(nltk.data, "path", [])
    meteor = _scores("title", "Eyelet curtain", reference="Eyelet door curtain")["meteor"]
    assert meteor.value is None and meteor.display == "n/a"
    assert meteor.explanation == "WordNet not installed: run make setup."


def test_extract_facts():
    facts = extract_facts("Two-tone navy blue 2-pack, 213 cm tall, 100% cotton, stainless-steel rings.")
    assert facts["numbers"] == ["2-pack", "213 cm", "100%"]
    assert facts["colors"] == ["navy blue"]
    assert facts["materials"] == ["cotton", "stainless-steel"]


def test_grounding_flags_invented_number_and_colour():
    scores = _scores("description", DESCRIPTION + " Available in red, 180 cm wide.")
    grounding = scores["grounding"]
    assert set(grounding.details["ungrounded"]) == {"red", "180 cm"}
    assert grounding.good is False and grounding.value < 1
    assert grounding.display == "2 flagged" and '"red"' in grounding.explanation


def test_grounding_normalises_case_plural_spelling_and_units():
    source = "Pack of two curtains. Colour: Gray. Wooden rods, 84 inches long."
    report = grounding_report("2-pack of grey curtains on wood rods, 84 inch drop", source)
    assert report["ungrounded"] == [] and report["share"] == 1.0
    # A unit that contradicts the input is not grounded by the bare value.
    assert grounding_report("84 cm drop", source)["ungrounded"] == ["84 cm"]
    # More specific than the input is an invention; less specific is not.
    assert grounding_report("navy blue", "blue")["ungrounded"] == ["navy blue"]
    assert grounding_report("blue", "navy blue")["ungrounded"] == []
    # words across punctuation are no phrase: "Rice Lights (Blue)" names blue, not "light blue"
    assert grounding_report("Rice Lights (Blue)", "Blue Rice Lights")["ungrounded"] == []
    assert grounding_report("navy-blue", "navy blue")["ungrounded"] == []


def test_grounding_allows_photo_colours_and_handles_no_facts():
    context = TextContext(source_text="Linen cushion cover", photo_colors=("beige",))
    grounding = {s.name: s for s in score_text("title", "Beige Linen Cushion Cover", context)}["grounding"]
    assert grounding.value == 1.0 and grounding.good
    none = _scores("title", "A pretty thing you will love")["grounding"]
    assert none.value == 1.0 and none.display == "states none of your facts" and none.good is None


def test_length_flips_at_platform_limit():
    shopify = Settings(platform="shopify")  # 70-character SEO title
    at_limit, over = "x" * 70, "x" * 71
    fits = _scores("title", at_limit, settings=shopify)["length"]
    assert fits.good and fits.display == "70/70 chars"
    too_long = _scores("title", over, settings=shopify)["length"]
    assert too_long.good is False and too_long.display == "71/70 chars"
    assert _scores("title", over, settings=Settings(platform="amazon"))["length"].good


def test_a_paragraph_answer_becomes_one_bullet_per_sentence():
    from engine.copywriting.copy import clean_bullets

    raw = "- Warm wool shell. Ribbed cuffs seal in heat! Drawstring hood. And then the"
    assert clean_bullets(raw, 100) == ["Warm wool shell.", "Ribbed cuffs seal in heat!", "Drawstring hood."]
    assert clean_bullets("- Warm wool shell\n- Ribbed cuffs. Seal in heat.", 100) == [
        "Warm wool shell", "Ribbed cuffs. Seal in heat."]
    # a bullet cut off by the token budget keeps its complete sentences only
    assert clean_bullets("- Warm wool shell\n- Ribbed cuffs. Made for cold days. Whether", 100) == [
        "Warm wool shell", "Ribbed cuffs. Made for cold days."]


def test_bullets_length_and_count():
    bullets = "- Soft polyester\n- 213 cm tall\n- Metal eyelet rings\n- Sold as a 2-pack"
    scores = _scores("bullets", bullets)
    assert scores["count"].value == 4 and scores["count"].good
    assert scores["length"].good and scores["grounding"].good
    two = _scores("bullets", "- Soft polyester\n- 213 cm tall")["count"]
    assert two.good is False and two.display == "2 bullets"
    long_bullet = _scores("bullets", "a\nb\n" + "y" * 251, settings=Settings(platform="generic"))["length"]
    assert long_bullet.good is False and long_bullet.value == pytest.approx(2 / 3)


def test_keywords_count_and_grounding():
    scores = _scores("keywords", "eyelet curtain, door curtain, polyester curtain, red curtain, door curtain")
    assert scores["count"].value == 5 and scores["count"].details["duplicates"] == ["door curtain"]
    assert scores["count"].good is False
    assert scores["grounding"].details["ungrounded"] == ["red"]
    assert {"bleu", "meteor", "rouge_l", "grounding", "count"} <= set(scores)


def test_repetition_catches_loop():
    clean = _scores("description", DESCRIPTION)["repetition"]
    assert clean.value == 1.0 and clean.good
    looping = _scores("description", "This curtain is great. " + "It is the best curtain. " * 5)["repetition"]
    assert looping.good is False and looping.value < 0.5
    assert "it is the best curtain" in looping.details["loops"]


def test_readability_bands():
    easy = _scores("description", "This bag is big. It is red. You can take it to the gym.")["readability"]
    hard = _scores("description", "Incorporating multifunctional compartmentalization, this organizational "
                                  "apparatus facilitates comprehensive accessorization.")["readability"]
    assert easy.value > 80 and easy.good and "easy" in easy.display
    assert hard.value < 30 and hard.good is False
    assert "readability" not in _scores("title", "Red Bag")


def test_reference_scores_say_what_the_reference_was(with_wordnet):
    # Issue 14.5: a BLEU badge must say which text it was measured against.
    from engine.scores.reference import with_reference_source

    scores = list(_scores("title", "Black steel field watch", reference="Field watch").values())
    marked = {s.name: s for s in with_reference_source(scores, "Field watch", "your draft title")}
    for name in ("bleu", "meteor", "rouge_l"):
        assert marked[name].details["reference"] == "Field watch"
        assert marked[name].details["reference_from"] == "your draft title"
        assert "Compared with your draft title: “Field watch”" in marked[name].explanation
    assert "reference_from" not in marked["length"].details  # only the reference scores are marked
    assert with_reference_source(scores, "", "") == scores


# -- every score says what it claims (issue 24.2): an obvious text each, number, colour and tooltip agreeing --
def _badge(score) -> str:
    """The badge the UI draws for one score (studio/render.py)."""
    from studio.render import score_badges

    html = score_badges([score])
    return html[: html.index("</span>") + 7]


def test_repetition_hears_a_word_said_again_and_again():
    echoing = _scores("description", "An oil blend with calming, calming, relaxing, soothing and calming properties.")
    repetition = echoing["repetition"]
    # every word pair differs, so the pair share alone said 1.00 "No repeated phrases"
    assert repetition.details["distinct_2"] == 1.0
    assert repetition.good is False and repetition.value < 0.85 and repetition.display == f"{repetition.value:.2f}"
    assert repetition.details["echoes"] == ["calming"]
    assert repetition.explanation == '"calming" is said 3 times within a few words.'
    badge = _badge(repetition)
    assert "mcs-bad" in badge and 'title="&quot;calming&quot; is said 3 times' in badge
    twice_in_a_row = _scores("title", "Soft soft cotton hoodie")["repetition"]
    assert twice_in_a_row.good is False and twice_in_a_row.details["echoes"] == ["soft"]
    # a word said twice a few words apart is style, not an echo (17 of the 191 Luma descriptions do it)
    style = _scores("description", "Stay comfortable and stay in the race, whatever the weather.")["repetition"]
    assert style.good and style.value == 1.0 and "mcs-good" in _badge(style)
    assert _scores("description", DESCRIPTION)["repetition"].explanation == "No repeated words or phrases."


def test_readability_stays_on_its_0_to_100_scale():
    very_easy = _scores("description", "Go. Run. Be. Do it.")["readability"]
    assert very_easy.details["flesch"] > 100  # the formula's own number (118 in the issue)
    assert very_easy.value == 100.0 and very_easy.display == "100 · very easy" and very_easy.good
    assert f"The formula gave {very_easy.details['flesch']:.0f}, off its 0-100 scale, shown as 100." \
        in very_easy.explanation
    very_hard = _scores("description", "Incorporating multifunctional compartmentalization, this organizational "
                                       "apparatus facilitates comprehensive accessorization interoperability.")
    hard = very_hard["readability"]
    assert hard.details["flesch"] < 0 and hard.value == 0.0 and hard.display == "0 · very difficult"
    assert hard.good is False and "mcs-bad" in _badge(hard)
    plain = _scores("description", DESCRIPTION)["readability"]
    assert plain.value == plain.details["flesch"] and "off its 0-100 scale" not in plain.explanation


def test_no_bullets_have_no_length_to_praise():
    # "Length longest 0/250" in red with the tooltip "Every bullet fits"
    scores = _scores("bullets", "")
    length = scores["length"]
    assert length.value is None and length.display == "n/a" and length.good is None
    assert length.explanation == "There are no bullets to measure." and "mcs-na" in _badge(length)
    assert scores["repetition"].value is None and scores["readability"].value is None  # nothing praised
    count = scores["count"]
    assert count.good is False and count.display == "0 bullets" and count.explanation.startswith("Only 0 bullets")
    fits = _scores("bullets", "- Soft polyester\n- 213 cm tall\n- Metal eyelet rings")["length"]
    assert fits.good and fits.display == "longest 18/250 chars" and fits.explanation.startswith("Every bullet fits")
    assert "mcs-good" in _badge(fits)


def test_bleu_ignores_letter_case_like_rouge_and_meteor(with_wordnet):
    # Title BLEU 31.9 with ROUGE-L 1.00 when only letter case changed
    scores = _scores("title", "ROCCO GYM TANK FOR MEN", reference="Rocco Gym Tank for Men")
    assert scores["bleu"].value == pytest.approx(100.0) and scores["bleu"].display == "100.0"
    assert scores["rouge_l"].value == pytest.approx(1.0) and scores["meteor"].value > 0.9
    assert "ignoring letter case" in scores["bleu"].explanation
    different = _scores("title", "Cotton Training Tank", reference="Rocco Gym Tank for Men")
    assert different["bleu"].value < 20


def test_spec_bullets_are_not_rated_for_reading_ease():
    # The merchant's own `key: value` bullets were rated "47 · difficult" in red.
    specs = _scores("bullets", "Material: 100% Cotton\nSize: M\nColour: Navy blue\nCare instructions: Machine wash")
    readability = specs["readability"]
    assert readability.value is None and readability.display == "n/a" and "spec line" in readability.explanation
    assert "mcs-na" in _badge(readability)
    mixed = _scores("bullets", "Material: Cotton\nSoft on the skin all day.\nWash it cold and dry it flat.")
    assert mixed["readability"].details["spec_lines"] == 1 and mixed["readability"].good
    assert "1 spec line(s)" in mixed["readability"].explanation


@pytest.mark.parametrize("kind, text", [
    ("title", "Soft soft cotton hoodie"), ("title", ""), ("description", "Go. Run. Be."),
    ("description", DESCRIPTION), ("bullets", ""), ("bullets", "Material: Cotton\nSize: M"),
    ("bullets", "a\nb\n" + "y" * 251), ("keywords", "curtain, curtain"),
    ("title", "soft cotton tee, soft cotton top, soft cotton"), ("description", "Go. Go. Go. Go. Go. Go."),
    ("description", "An oil blend with calming, calming, relaxing, soothing and calming properties."),
])
def test_badge_colour_number_and_tooltip_agree(kind, text):
    from studio.render import _badge_class

    for score in _scores(kind, text).values():
        badge = _badge(score)
        assert score.display in badge.replace("&amp;", "&") and f'data-metric="{score.name}"' in badge
        colour = _badge_class(score)
        assert f"mcs-badge {colour}" in badge
        if score.value is None:  # nothing measured: grey, and the number says so
            assert colour == "mcs-na" and score.display in ("n/a", "error"), score
        elif score.good is False:
            assert colour == "mcs-bad" and not score.explanation.startswith(("Every", "No repeated", "Fits")), score
        elif score.good:
            assert colour == "mcs-good" and not score.explanation.startswith(("Only", "The text loops")), score
        if score.name in ("repetition", "readability") and score.value is not None:
            assert 0.0 <= score.value <= (1.0 if score.name == "repetition" else 100.0)
            shown = float(score.display.split()[0])
            assert shown == pytest.approx(score.value, abs=0.5 if score.name == "readability" else 0.005)
