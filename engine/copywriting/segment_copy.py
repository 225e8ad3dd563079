"""Copy for one shopper segment from its ranked facts: the hook, the facts as sentences and bullets.

What ``engine.workflows.variants`` (a variant per segment) and ``engine.workflows.adsets`` (that segment's ad lines) both
write with; the facts are ``engine.copywriting.plan.Fact`` (a planned fact with its phrase, from
``engine.workflows.variants.product_facts``), the segment an
``engine.workflows.variants.Segment``.
"""
from __future__ import annotations

from engine.copywriting.realise import join_phrases, short_phrase


def the_name(name: str) -> str:
    """"the Printland Coffee Mug" (a name that starts with "The" keeps just the one)."""
    return name if name.lower().startswith("the ") else f"the {name}"


def hook_sentence(segment: Segment, name: str) -> str:
    """The segment's title hook as a sentence: "Meet the Printland Coffee Mug, made for students." or
    "..., a gift idea." Not "For students: ..." as a colon after a capitalised phrase reads as a spec line."""
    hook = segment.title_hook
    said = f"made {hook[:1].lower()}{hook[1:]}" if hook.lower().startswith("for ") else hook[:1].lower() + hook[1:]
    return f"Meet {the_name(name)}, {said}."


def hooked_title(segment: Segment, name: str) -> str:
    return f"{segment.title_hook} – {name}"


def bullet_text(fact: Fact, plural: bool = False) -> str:
    """A fact as a short phrase, the verb left out where English allows: "Made of ceramic",
    "Microwave safe", "Not dishwasher safe", "Black dial"; "Holds 350 ml" keeps its verb."""
    if fact.phrase is None:
        return fact.sentence.strip().rstrip(".")
    return short_phrase(fact.phrase, plural)


def _groups(facts: list[Fact]) -> list[list[Fact]]:
    """Facts in sentence-sized groups, in order: phrases two to a sentence (as the realiser writes
    them), a merchant's sentence or a care instruction alone. A warning ("is not dishwasher safe")
    shares a sentence only with another warning, so it never reads as an afterthought to a selling point."""
    groups, pending = [], []
    for fact in facts:
        if fact.phrase is None:
            if pending:
                groups.append(pending)
                pending = []
            groups.append([fact])
            continue
        if pending and pending[0].negative != fact.negative:
            groups.append(pending)
            pending = []
        pending.append(fact)
        if len(pending) == 2:
            groups.append(pending)
            pending = []
    return groups + ([pending] if pending else [])


def fact_sentences(facts: list[Fact], plural: bool, first_subject: str = "", lead_in: str = "") -> list[str]:
    """The facts as sentences: "It is made of ceramic and holds 350 ml." The first sentence of
    phrases may name its subject ("The Printland Coffee Mug ...", "This mug ...") and open with a
    segment's lead-in ("For busy family life, it ...")."""
    pronoun = "They" if plural else "It"
    subject = first_subject or pronoun
    out, framed = [], False
    for group in _groups(facts):
        if group[0].phrase is None:
            out.append(group[0].sentence)
            continue
        said = join_phrases([f.phrase for f in group], plural)
        if framed:
            out.append(f"{pronoun} {said}.")
        elif lead_in:
            out.append(f"{lead_in}, {subject[:1].lower()}{subject[1:]} {said}.")
        else:
            out.append(f"{subject[:1].upper()}{subject[1:]} {said}.")
        framed = True
    return out


def check_text(text: str, source: str, colours=()) -> dict:
    """The claim check of one field: ok when nothing is flagged."""
    from engine.scores.claims import claim_report

    flagged = claim_report(text, source, tuple(colours))["flagged"] if text.strip() else []
    return {"ok": not flagged, "flagged": [f["text"] for f in flagged]}
