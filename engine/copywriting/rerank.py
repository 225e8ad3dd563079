"""Several candidates, one pick: the claim check, length, repetition, photo consistency, consensus.

The small LM invents facts when left alone, so a generation samples a few candidates and
keeps the one that states the fewest things the merchant did not give. Every claim the check
flags (a number, colour, material or thing not in the input, a misspelt or unknown name, a
contradiction, meta-text) counts against a candidate and is listed so the UI can mark it; the
others are kept as alternatives the operator can pick. Among candidates equal on those counts,
the one closest to all the others wins (minimum Bayes risk: what most samples agree on is what
the model is surest of, while one sample's odd turn is outvoted).

When every candidate fails the check, a few more seeds are tried (``RETRIES``) before the best
one is shown, flagged in red.
"""
from __future__ import annotations

import hashlib
import re
from dataclasses import asdict, dataclass, field

from engine.copywriting.checks import drop_unknown_names, finish
from engine.scores.claims import claim_report
from engine.scores.grounding import extract_facts
from engine.core.settings import Settings

# Where copy reads well, in characters; outside it the length score falls off linearly.
GOOD_LENGTH = {"title": (25, 110), "description": (120, 700), "bullets": (80, 600)}
WEIGHTS = {"grounding": 0.4, "length": 0.15, "repetition": 0.15, "consistency": 0.1, "consensus": 0.2}
UNGROUNDED_PENALTY = 0.25  # per flagged claim
# Extra seeds when every candidate fails the claim check; a title is cheap to write again, a description is not,
# and needs none: it is composed from the plan (engine/copywriting/compose.py), its flagged sentences replaced.
RETRIES = {"title": 3, "description": 0, "bullets": 1}


# Seeds a person can ask for run from 0 to 2**31 - 1 (engine.core.settings.Settings.seed). A further candidate
# or a retry used to take seed + 1, seed + 2, ...: in Compare, seed 1's retry was seed 2's first draft,
# and the two columns could show the same text. Derived seeds live above that range, so no requested seed
# (another column's, a Regenerate's) is ever one of them.
DERIVED_SEED_BASE = 2**31


def candidate_seed(seed: int, index: int) -> int:
    """The seed of candidate ``index`` (0 = the first draft) for requested ``seed``: the seed itself first,
    then seeds derived from it alone (a hash of both numbers), out of reach of any requested seed.
    Deterministic across processes (no Python ``hash``): the same settings give the same texts."""
    if index == 0:
        return seed
    digest = hashlib.blake2b(f"{seed}:{index}".encode(), digest_size=4).digest()
    return DERIVED_SEED_BASE + int.from_bytes(digest, "big") % DERIVED_SEED_BASE


@dataclass
class Candidate:
    text: str
    score: float
    parts: dict[str, float] = field(default_factory=dict)
    ungrounded: list[str] = field(default_factory=list)  # the flagged spans, as written
    seed: int | None = None
    flagged: list[dict] = field(default_factory=list)  # the claim check's flags, with reasons
    note: str = ""  # what was changed after writing, for the status line
    tries: int = 1  # candidates written for the field, retries included
    as_written: float | None = None  # the claim check's share on the first text the writer produced

    def to_dict(self) -> dict:
        return asdict(self)


def length_score(kind: str, text: str, settings: Settings) -> float:
    low, high = GOOD_LENGTH.get(kind, (1, 10_000))
    high = min(high, settings.limits.title_max if kind == "title" else settings.limits.description_max)
    n = len(text.strip())
    if n == 0:
        return 0.0
    if n < low:
        return n / low
    if n > high:
        return max(0.0, 1 - (n - high) / high)
    return 1.0


def repetition_score(text: str) -> float:
    """1 - share of repeated word trigrams (1 = no phrase said twice)."""
    words = re.findall(r"\w+", text.lower())
    trigrams = list(zip(words, words[1:], words[2:]))
    if not trigrams:
        return 1.0 if words else 0.0
    return len(set(trigrams)) / len(trigrams)


def consistency_score(text: str, photo_colours: tuple[str, ...] | list[str], source_text: str) -> float:
    """Share of colours named in the copy that the photos show or the input states (1 if none named)."""
    named = [c.lower() for c in extract_facts(text)["colors"]]
    if not named:
        return 1.0
    allowed = {c.lower() for c in photo_colours} | {c.lower() for c in extract_facts(source_text)["colors"]}
    return sum(any(a in c or c in a for a in allowed) for c in named) / len(named)


def consensus_scores(texts: list[str]) -> list[float]:
    """Each text's mean ROUGE-L F1 against the other texts, rescaled so the closest is 1
    (all 1 when there is nothing to compare with)."""
    if len(texts) < 2:
        return [1.0] * len(texts)
    from rouge_score import rouge_scorer

    scorer = rouge_scorer.RougeScorer(["rougeL"], use_stemmer=True)
    means = [sum(scorer.score(text, other)["rougeL"].fmeasure for j, other in enumerate(texts) if j != i)
             / (len(texts) - 1) for i, text in enumerate(texts)]
    top = max(means)
    return [m / top if top > 0 else 1.0 for m in means]


def score_candidate(kind: str, text: str, source_text: str, settings: Settings = Settings(),
                    photo_colours=(), seed: int | None = None, consensus: float = 1.0) -> Candidate:
    report = claim_report(text, source_text, tuple(photo_colours))
    parts = {
        "grounding": 1.0 if report["share"] is None else report["share"],
        "length": length_score(kind, text, settings),
        "repetition": repetition_score(text),
        "consistency": consistency_score(text, photo_colours, source_text),
        "consensus": consensus,
    }
    total = sum(WEIGHTS[k] * v for k, v in parts.items()) - UNGROUNDED_PENALTY * len(report["ungrounded"])
    if not text.strip():
        total = -1.0
    return Candidate(text, round(total, 4), {k: round(v, 4) for k, v in parts.items()},
                     list(report["ungrounded"]), seed, report["flagged"])


def rerank(kind: str, texts: list[str], source_text: str, settings: Settings = Settings(),
           photo_colours=(), seeds: list[int] | None = None) -> tuple[Candidate, list[Candidate]]:
    """(best, alternatives best-first). Ties keep generation order, so seed 0 wins a tie."""
    if not texts:
        raise ValueError("rerank needs at least one candidate")
    seeds = seeds or [None] * len(texts)
    agreement = consensus_scores(texts)
    scored = [score_candidate(kind, t, source_text, settings, photo_colours, s, c)
              for t, s, c in zip(texts, seeds, agreement)]
    order = sorted(range(len(scored)), key=lambda i: (-scored[i].score, i))
    ranked = [scored[i] for i in order]
    return ranked[0], ranked[1:]


def fails(kind: str, text: str, report: dict) -> bool:
    """A field not fit to show as it is: a flagged claim (``report`` is its ``claim_report``), or too short
    to be the field ("The")."""
    from engine.scores.style import TOO_SHORT

    return len(text.strip()) < TOO_SHORT.get(kind, 0) or bool(report["flagged"])


def stream_candidates(lm, kind: str, ingested, settings: Settings, photo_colours=(), prefix_embeds=None,
                      hide: tuple[str, ...] = ()):
    """``settings.candidates`` samples (the seed, then seeds derived from it: ``candidate_seed``), cleaned,
    names fixed, then re-ranked, as events: ``("partial", text)`` while the first candidate is written (the
    others are written quietly), ``("status", message)`` before each further one, and last
    ``("ranked", (best, alternatives))``.

    When every candidate fails the claim check, up to ``RETRIES[kind]`` more seeds are tried; a title
    that still names something the input does not have loses that name.
    With several candidates and temperature 0 the seeds would all agree, so the extra ones use a
    little temperature.
    """
    from engine.copywriting.copy import clean, stream_field

    source = ingested.source_text()
    texts: list[str] = []
    failing: list[bool] = []  # checked once per text as it is written
    wanted = settings.candidates
    offset = 0
    while offset < wanted:
        if offset >= settings.candidates:
            yield "status", (f"Every {kind} so far has a flagged claim: writing it again "
                             f"(seed {candidate_seed(settings.seed, offset)}, derived from {settings.seed})...")
        elif offset:
            yield "status", f"Writing {kind} candidate {offset + 1} of {settings.candidates}..."
        run = settings.replace(temperature=0.7) if offset and settings.temperature == 0 else settings
        raw = ""
        # stream_field samples with settings.seed + seed_offset (engine/copywriting/copy.py, not this file's):
        # the offset that lands on the derived seed.
        seed_offset = candidate_seed(settings.seed, offset) - settings.seed
        for raw in stream_field(lm, kind, ingested, run, list(photo_colours), prefix_embeds, hide,
                                seed_offset=seed_offset):
            if offset == 0:
                yield "partial", raw
        value = clean(kind, raw, settings)
        value = [finish(kind, v, ingested) for v in value] if isinstance(value, list) else \
            finish(kind, value, ingested, settings.limits.title_max if kind == "title" else None)
        texts.append("\n".join(value) if isinstance(value, list) else value)
        report = claim_report(texts[-1], source, tuple(photo_colours))
        if offset == 0:
            as_written = 1.0 if report["share"] is None else report["share"]
        failing.append(fails(kind, texts[-1], report))
        offset += 1
        if offset == wanted and wanted < settings.candidates + RETRIES.get(kind, 0) and all(failing):
            wanted += 1
    seeds = [candidate_seed(settings.seed, i) for i in range(len(texts))]
    best, others = rerank(kind, texts, source, settings, photo_colours, seeds)
    # A title that names what the input lacks loses those names; a description is repaired whole by the
    # composer (engine/copywriting/compose.py), which replaces a flagged sentence instead of cutting it.
    repaired = best.text
    if kind == "title" and any(f["kind"].endswith("name") for f in best.flagged):
        repaired = drop_unknown_names(best.text, best.flagged)
    if repaired != best.text:  # the full text stays among the alternatives, flagged
        others = [best, *others]
        best = score_candidate(kind, repaired, source, settings, photo_colours, best.seed,
                               best.parts.get("consensus", 1.0))
        best.note = (f"Every {kind} written had a flagged claim, so the names the input does not have were "
                     "removed; the full text is the second candidate.")
    best.tries = len(texts)
    best.as_written = as_written
    yield "ranked", (best, others)


def generate_candidates(lm, kind: str, ingested, settings: Settings, photo_colours=(), prefix_embeds=None,
                        hide: tuple[str, ...] = ()) -> tuple[Candidate, list[Candidate]]:
    """The best candidate and the ranked alternatives (``stream_candidates`` without the events)."""
    for step, value in stream_candidates(lm, kind, ingested, settings, photo_colours, prefix_embeds, hide):
        if step == "ranked":
            return value
    raise RuntimeError("no candidates were generated")
