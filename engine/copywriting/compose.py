"""A description composed from the model's licensed sentences and the realiser's, following the plan.

The language model writes first (fluent, but a 135M model also invents). Its text is judged a sentence
at a time: a sentence stays only when it is whole (ends a sentence, four words or more), every content
word is licensed by the input (``engine.copywriting.licence``), the claim check flags nothing in it, and
it says something new. The description then opens with the model's first kept sentence if it names the
product, else with the realiser's opening, and every planned fact that no kept sentence states is stated
by the realiser (``engine.copywriting.realise``). So the model adds voice, never facts, and nothing is
cut to a fragment: a sentence is kept whole or replaced whole.

Each sentence records where it came from ("model", "realised") and which input lines it states: the
provenance the Create tab shows and ``result.json`` stores.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field

from engine.copywriting.plan import ContentPlan, facts_stated
from engine.copywriting.realise import Sentence, has_verb, join_sentences, realise

SENTENCE_SPLIT = re.compile(r"(?<=[.!?])\s+")
MIN_WORDS = 4
# Sentences of the model that state none of the plan's facts ("It looks great on any table."): an editor reads
# them as filler, and a 135M model's filler is where its nonsense hides ("worn on the inside of your running good").
MAX_VOICE_SENTENCES = 0
# A model sentence must state one of these, said with its words ("made of ceramic", "holds 350 ml"): a one-word
# use or style ("Activity: Running") is matched too easily by a sentence that is about something else
# ("designed to be worn on the inside of your running good").
STRONG_ROLES = ("material", "size", "colour", "pattern", "care", "package", "warranty")
# The least number of facts a description states when the input has them (all of them when fewer).
LEAST_FACTS = 3


@dataclass
class Composed:
    text: str
    sentences: list[Sentence]
    model_kept: int = 0        # the model's sentences in the description
    model_dropped: int = 0     # the model's sentences left out (and why, in ``dropped``)
    realised: int = 0          # sentences the realiser wrote
    dropped: list[dict] = field(default_factory=list)  # {"sentence", "reason"}

    def stats(self) -> dict:
        return {"model_sentences": self.model_kept, "dropped_sentences": self.model_dropped,
                "realised_sentences": self.realised, "facts_stated": len(stated_sources(self.sentences))}


def stated_sources(sentences: list[Sentence]) -> list[str]:
    return list(dict.fromkeys(s for sentence in sentences for s in sentence.facts if not s.startswith("name: ")))


# "made of the finest quality silver": an editor reads a grade of quality as a claim about the material.
# "provides excellent comfort": a grade of how well it works is a claim the input does not make either.
_QUALITY = re.compile(r"\b(?:finest|superior|premium|top|high|best|highest|excellent|supreme)[- ]quality\b|"
                      r"\bquality (?:of|is)\b|\bof (?:the )?(?:finest|highest|best)\b|"
                      r"\b(?:excellent|superb|outstanding|exceptional|unmatched|ultimate|superior)\b", re.I)


# "It has a beautiful design", "a great choice for laptops": praise that says nothing a shopper can check.
_PRAISE = re.compile(r"\b(?:beautiful(?:ly)?|lovely|great|perfect|amazing|stunning|gorgeous|elegant|attractive|nice|"
                     r"cute|aesthetic|wonderful|fantastic|awesome|classy|trendy)\b", re.I)


def _why_not(sentence: str, source: str, licence, photo_colours=()) -> str | None:
    """Why a model sentence cannot stay, or None when it can."""
    from engine.scores.claims import claim_report

    words = sentence.split()
    if len(words) < MIN_WORDS:
        return "too short to be a sentence"
    if sentence[-1:] not in ".!?" or re.search(r"\b\d+[.!?]$", sentence):
        return "unfinished"
    if not has_verb(sentence) or "(" in sentence or ")" in sentence:
        return "not a sentence (a name or a list of specifications)"
    if licence is not None:
        unlicensed = licence.unlicensed(sentence)
        if unlicensed:
            return "words the input does not license: " + ", ".join(w for _, _, w in unlicensed[:4])
    flagged = claim_report(sentence, source, tuple(photo_colours))["flagged"]
    if flagged:
        return flagged[0]["reason"]
    if _QUALITY.search(sentence) or re.search(r"\bvery good\b", sentence, re.I):
        return "praise of its quality the input does not give"
    praise = _PRAISE.search(sentence)
    if praise and praise.group(0).lower() not in source.lower():
        return "praise the input does not give (an editor reads it as filler)"
    if re.search(r"\bcomfort", sentence, re.I) and "comfort" not in source.lower():
        return "comfort the input does not promise"
    if re.search(r"\b(?:the|a|an|your|its)\s+[a-z]+ly\b[.!?,]?$|\b(?:the|a|an)\s+[a-z]+ly[.!?]", sentence):
        return "not English (an adverb where a noun belongs)"
    return None


def _unanchored(sentence: str, facts: list[str], plan: ContentPlan) -> str | None:
    """A word that is neither a house word (states nothing) nor a word of the product's name or of a fact
    this sentence states: licensed by the input, yet said of something else ("keeps you warm" beside
    "Climate: Warm", "the next 36-plus workouts" beside "Sizes: 32, 36", "perfect for years"). Returns the
    first such word, or None when every word is anchored."""
    from engine.copywriting.licence import house_words
    from engine.scores.claims import lemmas

    anchored = " ".join([plan.name, plan.brand, plan.line, plan.product_type, *facts]).lower()
    anchor_words = set(re.findall(r"[a-z]+|\d+(?:[.,]\d+)?", anchored))
    anchor_forms = {l for w in anchor_words for l in lemmas(w)} | anchor_words
    house = house_words()
    for word in re.findall(r"[A-Za-z]+|\d+(?:[.,]\d+)?", sentence):
        lower = word.lower()
        if lower in house or lower in anchor_words or lower.rstrip("s") in anchor_words or lemmas(lower) & anchor_forms:
            continue
        if len(lower) <= 2 and not lower[:1].isdigit():
            continue  # "t" of "it's" or "don't", a unit like "ml" comes with its number's fact
        return word
    return None


def _names_product(sentence: str, plan: ContentPlan) -> bool:
    """The sentence calls the product by its name (the brand, the product line or the name's first word),
    not only by its kind ("The tee is ..."), so it can open a description read on its own."""
    heads = [n for n in (plan.brand, plan.line, plan.name.split()[0] if plan.name else "") if n]
    return any(re.search(rf"(?<!\w){re.escape(h)}(?!\w)", sentence, re.I) for h in heads)


def _same(a: str, b: str) -> bool:
    wa, wb = set(re.findall(r"\w+", a.lower())), set(re.findall(r"\w+", b.lower()))
    return bool(wa) and len(wa & wb) / max(1, min(len(wa), len(wb))) > 0.8


def compose_description(plan: ContentPlan, model_text: str, source_text: str, settings, licence=None,
                        photo_colours=()) -> Composed:
    """The description: the model's sentences that may stay, the realiser's for the rest of the plan."""
    kept: list[Sentence] = []
    dropped: list[dict] = []
    voice = 0
    stated: set[str] = set()
    name_key = f"name: {plan.name}"
    for raw in SENTENCE_SPLIT.split(model_text.strip()) if model_text.strip() else []:
        raw = raw.strip()
        reason = _why_not(raw, source_text, licence, photo_colours)
        facts = facts_stated(raw, plan) if reason is None else []
        loose = _unanchored(raw, facts, plan) if reason is None else None
        if loose:
            reason = f"\"{loose}\" is not said of the fact it comes from"
        roles = plan.sources
        new = [f for f in facts if f not in stated and f != name_key and roles.get(f) in STRONG_ROLES]
        if reason is None and any(_same(raw, s.text) for s in kept):
            reason = "says again what an earlier sentence said"
        if reason is None and not new:
            # voice without a fact: only as the opening, which must then name the product
            if kept or not _names_product(raw, plan) or voice >= MAX_VOICE_SENTENCES:
                reason = "states none of the input's facts"
            else:
                voice += 1
        if reason is None and not kept and not _names_product(raw, plan):
            facts = [f for f in facts if f != name_key]  # stays, after the realiser's opening
        if reason is not None:
            dropped.append({"sentence": raw, "reason": reason})
            continue
        stated.update(facts)
        kept.append(Sentence(raw, facts, "model"))
    opens_with_name = bool(kept) and name_key in kept[0].facts
    skip = set(stated) - ({name_key} if not opens_with_name else set())
    if not opens_with_name:
        skip.discard(name_key)
    realised = realise(plan, settings.tone, settings.seed, settings.description_length, skip=skip,
                       audience=settings.audience)
    if opens_with_name:
        sentences = kept + realised
    else:
        opening = [realised[0]] if realised else []
        sentences = opening + kept + realised[1:]
    if len(stated_sources(sentences)) < min(LEAST_FACTS, len(plan.facts)):
        # the model's sentences crowded the realiser's facts out of the length budget: the facts come first
        sentences = [s for s in sentences if s.origin == "realised" or s.facts] or sentences
    text = join_sentences(sentences, settings.limits.description_max)
    final = [s for s in sentences if s.text in text]
    return Composed(text, final, sum(s.origin == "model" for s in final), len(dropped),
                    sum(s.origin == "realised" for s in final), dropped)


def title_provenance(title: str, source_text: str) -> list[dict]:
    """Each word of a title that is not a connector, with the input line it comes from."""
    from engine.copywriting.checks import TITLE_CONNECTORS
    from engine.scores.claims import lemmas

    lines = [line.strip() for line in source_text.splitlines() if line.strip()]
    line_words = [{l for w in re.findall(r"[A-Za-z0-9]+", line) for l in lemmas(w)} for line in lines]
    out = []
    for word in re.findall(r"[A-Za-z0-9][\w'’-]*", title):
        if word.lower() in TITLE_CONNECTORS:
            continue
        forms = {l for part in re.findall(r"[A-Za-z0-9]+", word) for l in lemmas(part)}
        found = next((line for line, words in zip(lines, line_words) if forms and forms <= words), None)
        found = found or next((line for line, words in zip(lines, line_words) if forms & words), None)
        out.append({"word": word, "from": found or ""})
    return out
