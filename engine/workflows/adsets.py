"""Ad sets in the formats ad platforms take, with their length limits, built from the merchant's facts.

Limits as the platforms document them (2026):
- Google Ads responsive search ad: 3-15 headlines of at most 30 characters, 2-4 descriptions of at
  most 90, display paths of at most 15;
- Meta (Facebook/Instagram) ad: primary text shown up to 125 characters, headline up to 40;
- Amazon Sponsored Brands: headline up to 50.

Every line is built from the same facts as the variant's description (``engine.workflows.variants``: the
content plan's facts as the realiser's verb phrases), in words an ad uses: the thing named by its
title's noun with a fact before or after it ("Microwave Safe Ceramic Mug", "Ceramic Mug, Holds 350
ml"), a fact alone ("Holds 350 ml"), or a sentence with the thing as its subject ("This mug is made
of ceramic and holds 350 ml."); never a spec line ("Type: Mug"). Names are fitted by dropping whole
words; a fact is used whole or not at all, as a fact cut short says something else. A line the claim
check flags is dropped, and a headline too close to one already chosen (same words, or nearly the
same letters) is skipped: platforms rotate headlines, so two near-copies waste a slot.
"""
from __future__ import annotations

import csv
import difflib
import re
from dataclasses import asdict, dataclass, field
from pathlib import Path

from engine.copywriting.realise import singular
from engine.copywriting.segment_copy import (bullet_text, check_text, fact_sentences, hook_sentence,
                                             hooked_title, the_name)

LIMITS = {
    "google_headline": 30, "google_description": 90, "google_path": 15,
    "meta_primary_text": 125, "meta_headline": 40, "amazon_headline": 50,
}
GOOGLE_HEADLINES, GOOGLE_DESCRIPTIONS = 15, 4
DUPLICATE_JACCARD = 0.8
DUPLICATE_RATIO = 0.85

# Google Ads Editor's columns for a responsive search ad (one row per ad).
GOOGLE_COLUMNS = (["Campaign", "Ad group"] + [f"Headline {i}" for i in range(1, GOOGLE_HEADLINES + 1)]
                  + [f"Description {i}" for i in range(1, GOOGLE_DESCRIPTIONS + 1)] + ["Final URL", "Path 1", "Path 2"])
META_COLUMNS = ["Campaign Name", "Ad Set Name", "Ad Name", "Title", "Body", "Link", "Call to Action"]
# Meta's bulk sheet takes call-to-action types, not the words drawn on the image.
META_CTA = {"order now": "ORDER_NOW", "learn more": "LEARN_MORE", "buy now": "SHOP_NOW", "shop now": "SHOP_NOW",
            "get yours": "SHOP_NOW"}

_WORD = re.compile(r"[a-z0-9]+")
# A line never ends on a word that needs the next one ("Made of", "Water and").
_DANGLING = frozenset("a an the and or of for with in on to by from at as not no without is are".split())
# Model numbers and SKUs ("R8851116001", "Bathmat_RI-527"): true, but no shopper reads them in an ad.
_CODE = re.compile(r"^(?=.*\d)(?=.*[A-Za-z])[A-Za-z0-9_\-./]{5,}$|^\d{5,}$|_")


@dataclass
class AdSet:
    segment: str
    google_headlines: list[str]
    google_descriptions: list[str]
    meta_headline: str
    meta_primary_text: str
    amazon_headline: str
    path: tuple[str, str] = ("", "")
    problems: list[str] = field(default_factory=list)  # limits, duplicates or claims that still fail

    def to_dict(self) -> dict:
        return asdict(self)


# -- fitting ---------------------------------------------------------------------------------------

def fit(text: str, limit: int) -> str:
    """``text`` within ``limit`` characters by dropping whole words: codes first, then from the end;
    "" when not even a meaningful start fits."""
    text = " ".join(text.replace("\n", " ").split()).rstrip(".")
    words = text.split(" ")
    if len(text) > limit:
        words = [w for w in words if not _CODE.search(w)] or words
    while words and len(" ".join(words)) > limit:
        words.pop()
    while words and (words[-1].lower().strip(",:;-–") in _DANGLING or words[-1] in {"-", "–", "|", ":"}):
        words.pop()
    return " ".join(words).rstrip(",:;-– ")


def _tokens(text: str) -> set[str]:
    return set(_WORD.findall(text.lower()))


def near_duplicate(a: str, b: str) -> bool:
    """Normalised token Jaccard >= 0.8, or a difflib character ratio >= 0.85."""
    ta, tb = _tokens(a), _tokens(b)
    if ta and tb and len(ta & tb) / len(ta | tb) >= DUPLICATE_JACCARD:
        return True
    # difflib's ratio depends on the argument order (its junk heuristic): either way counts
    a, b = a.lower(), b.lower()
    ratio = max(difflib.SequenceMatcher(None, a, b).ratio(), difflib.SequenceMatcher(None, b, a).ratio())
    return ratio >= DUPLICATE_RATIO


def duplicates(lines: list[str]) -> list[tuple[str, str]]:
    return [(a, b) for i, a in enumerate(lines) for b in lines[i + 1:] if near_duplicate(a, b)]


def _pick(candidates, limit: int, most: int, ok) -> list[str]:
    """Fitted, claim-checked, distinct lines, in the candidates' order. A candidate is a text (fitted
    by dropping words) or ``(text, False)``: a sentence, used whole or not at all, as a sentence cut
    short says something else ("Not for microwave" -> "Not for")."""
    chosen: list[str] = []
    for candidate in candidates:
        text, may_cut = candidate if isinstance(candidate, tuple) else (candidate, True)
        line = fit(text, limit) if may_cut else " ".join(text.split()).rstrip(".")
        if len(line) < 3 or len(line) > limit:
            continue
        if any(near_duplicate(line, c) for c in chosen) or not ok(line):
            continue
        chosen.append(line)
        if len(chosen) == most:
            break
    return chosen


def _pack(sentences: list[str], limit: int) -> str:
    """Whole sentences joined while they fit; a lone long first one is fitted by words."""
    out = ""
    for sentence in sentences:
        sentence = sentence.strip().rstrip(".") + "."
        joined = f"{out} {sentence}".strip()
        if len(joined) <= limit:
            out = joined
        elif not out:
            out = fit(sentence, limit - 1) + "." if fit(sentence, limit - 1) else ""
    return out


# -- building --------------------------------------------------------------------------------------

def product_type(ingested) -> str:
    """The plain name of the thing: the category's last step ("Wrist Watches", "Bags")."""
    category = ingested.product.category.replace(">", "/").split("/")[-1].strip()
    return category


def spoken_name(name: str) -> str:
    """The name as a sentence or a headline says it: the title without its listing tail ("- For Men,
    Boys", "(Pack of 2)") and model codes. "Skmei DG0939-Red Sports Digital Watch - For Men, Boys" ->
    "Skmei Sports Digital Watch"."""
    head = re.split(r"\s+[-–|(]\s*|,\s", name.strip())[0]
    words = [w for w in head.split() if not _CODE.search(w)]
    return " ".join(words) or name.strip()


def short_name(name: str, noun: str, limit: int, brand: str = "") -> str:
    """The spoken name within ``limit``, keeping its brand (else its first word) and the noun with
    the words just before it: "Elegance Eyelet Door Curtain". "" when that does not fit either, as a
    name cut from the end ("Elegance Polyester Multicolor") no longer says what the thing is."""
    spoken = spoken_name(name)
    if len(spoken) <= limit:
        return spoken
    words = spoken.split()
    keep = len(brand.split()) if brand and spoken.lower().startswith(brand.lower() + " ") else 1
    if noun not in words[keep:]:
        return ""
    end = len(words) - 1 - words[::-1].index(noun)
    for start in range(keep, end + 1):
        candidate = " ".join(words[:keep] + words[start:end + 1])
        if len(candidate) <= limit:
            return candidate
    return ""


def _title_brand(ingested) -> str:
    """Flipkart rows often leave the brand empty, but their category's last step names it ("Skmei Wrist
    Watches") and so does the title's first word: that word is the brand."""
    first = (ingested.product.title or "").split()[:1]
    leaf = product_type(ingested).split()
    return first[0] if first and leaf and first[0].lower() == leaf[0].lower() and len(leaf) > 1 else ""


def item_noun(ingested, plan) -> str:
    """What an ad calls the thing, in the title's own word: the title word the category's last word
    names ("Mug" for Kitchen/Mugs, "Watch" for Wrist Watches), else the title's last word ("Vanity
    Pouch" -> "Pouch"), else the plan's product type. Not the plan's type first, as a Type attribute
    is often a kind ("Digital", "Eyelet"), not the thing."""
    title = re.split(r"\s[-–(|]\s?|,", ingested.product.title or "")[0]
    words = [w for w in title.split() if w.isalpha() and len(w) > 2]
    leaf = product_type(ingested).split()
    if leaf:
        wanted = singular(leaf[-1].lower())
        match = next((w for w in reversed(words) if singular(w.lower()) == wanted), "")
        if match:
            return match
    if words and not _CODE.search(words[-1]):
        return words[-1]
    return plan.product_type.title()


_SMALL = frozenset("a an the and or of for in on to with at by as".split())


def headline_case(text: str) -> str:
    """Title Case as ad headlines use it, but a unit after a number stays ("350 ml", not "350 Ml") and
    a name's own casing is kept ("iPhone", "UV400")."""
    words = text.split(" ")
    out = []
    for i, word in enumerate(words):
        core = word.strip(",.!?;:()")
        unit = i > 0 and any(c.isdigit() for c in words[i - 1]) and len(core) <= 3
        if core.replace("-", "").isalpha() and core.islower() and not unit and (i == 0 or core not in _SMALL):
            word = word.replace(core, core[:1].upper() + core[1:], 1)
        out.append(word)
    return " ".join(out)


def _material(facts) -> str:
    """The material a noun can wear ("Ceramic" Mug): the first plain "made of" fact of one value."""
    for fact in facts:
        if fact.phrase is not None and fact.phrase.rest.startswith("made of ") and not fact.negative:
            value = fact.phrase.fact.value.split(",")[0].strip()
            if len(value.split()) <= 2:
                return value
    return ""


def _adjective(fact) -> str:
    """A fact that is an adjective of the thing ("microwave safe", "luminous"), else ""."""
    phrase = fact.phrase
    if phrase is None or phrase.singular != "is" or fact.negative:
        return ""
    rest = phrase.rest
    if rest.startswith(("made ", "from ", "part ", "priced ", "suited ", "suitable ", "finished ", "sold ",
                        "designed ")) or rest[:1].isdigit() or len(rest.split()) > 3:
        return ""
    return rest


def fact_headlines(fact, noun: str, material: str, thing: str, short: str) -> list[str]:
    """Headlines that state one fact about the thing, the most ad-like first: "Microwave Safe Ceramic
    Mug", "Watch for Men and Boys", "Watch with Alarm Clock", "Ceramic Mug, Holds 350 ml", "Holds
    350 ml". ``thing``: the noun with its material or brand before it ("Ceramic Mug", "Skmei Watch"), or ""."""
    if fact.phrase is None:
        return [fact.sentence.rstrip(".")]  # the merchant's own sentence: used whole where it fits
    if fact.negative:
        return []  # a warning is said in the descriptions; as a headline it would sell the "no"
    rest = fact.phrase.rest
    if _adjective(fact):  # "Microwave Safe Ceramic Mug", but not "Water Resistant Skmei Watch"
        return [f"{rest} {material} {noun}" if material and noun else "", f"{rest} {noun}".strip()]
    if rest.startswith("made of "):
        return [thing if thing != noun else "", short]
    if rest.startswith("made for ") and noun:
        return [f"{noun} {rest[len('made '):]}"]
    if fact.phrase.singular == "has" and noun:
        return [f"{noun} with {re.sub(r'^(?:a|an) ', '', rest)}"]
    # "Ceramic Mug, Holds 350 ml" reads as an ad; "Mug, Holds 350 ml" does not
    return [f"{thing}, {short}" if thing and thing != noun else "", short]


def _thing_subject(noun: str, plural: bool) -> str:
    """"This mug" / "These shorts": a description Google may show alone cannot start with "It"."""
    if not noun:
        return "They" if plural else "It"
    return f"{'These' if plural else 'This'} {noun.lower()}"


def _meta_text(segment, name: str, subject: str, stated: list, plural: bool, ok) -> str:
    """Meta's primary text: the segment's lead-in and the name with the first facts, then more facts
    while whole sentences fit. Shorter openings (one fact, "this mug" for the name, a later fact when
    the first is a long list) where the long one does not fit; the plain facts where the lead-in is
    flagged; the hook sentence when no fact fits at all."""
    limit = LIMITS["meta_primary_text"]
    phrased = [f for f in stated if f.phrase is not None]
    openings = ((phrased[i:i + n], lead_in, who) for lead_in in (segment.framing, "") for i in range(len(phrased))
                for who in (the_name(name), subject) for n in (2, 1)
                if i + n <= len(phrased) and len({f.negative for f in phrased[i:i + n]}) == 1)
    for used, lead_in, who in openings:
        first = fact_sentences(used, plural, who, lead_in)[0]
        if len(first) > limit or not ok(first):
            continue
        text = first
        for sentence in fact_sentences([f for f in stated if f not in used], plural)[:3]:
            if len(f"{text} {sentence}") <= limit and ok(sentence):
                text = f"{text} {sentence}"
        return text
    return _pack([f.sentence for f in stated if f.phrase is None] or [hook_sentence(segment, name)], limit)


def build_adset(ingested, segment, ranked, colours=()) -> "AdSet":
    """Headlines and descriptions for each platform from the ranked facts (most relevant first)."""
    from engine.copywriting.plan import plan_content

    source = ingested.source_text()
    checked: dict[str, bool] = {}

    def ok(line: str) -> bool:
        if line not in checked:
            checked[line] = check_text(line, source, colours)["ok"]
        return checked[line]

    plan = plan_content(ingested)
    plural = plan.plural
    name = plan.name or ingested.product.title or product_type(ingested)
    noun = item_noun(ingested, plan)
    brand = plan.brand or _title_brand(ingested)
    brand_noun = f"{brand} {noun}".strip() if brand and noun else ""
    facts = [f for f, _ in ranked]
    leads = [f for f, score in ranked if score > 0]
    ordered = leads + [f for f in facts if f not in leads]
    material = _material(facts)
    thing = f"{material or brand} {noun}".strip() if noun else ""
    hook = segment.title_hook
    hook_words = hook[:1].lower() + hook[1:]

    def with_hook(what: str) -> str:
        # "Mug for students", but "Mug, a gift idea": a hook that is not "for ..." is set off by a comma
        if not what:
            return ""
        return f"{what} {hook_words}" if hook.lower().startswith("for ") else f"{what}, {hook_words}"

    def named(limit: int, dressed=lambda n: n) -> list[str]:
        """The name (shortened, never cut) dressed with the hook, then the brand and noun alone."""
        room = limit - len(dressed("X")) + 1
        return [dressed(n) for n in dict.fromkeys((short_name(name, noun, room, brand), brand_noun)) if n]

    # a line is used whole or not at all ((text, False)): every one was fitted by choosing its words
    limit = LIMITS["google_headline"]
    hooked = [h for h in named(limit, with_hook) if len(h) <= limit] or [with_hook(noun)]
    headlines = named(limit)[:1] + [headline_case(h) for h in hooked] + named(limit)[1:]
    for fact in ordered:
        headlines += [headline_case(h) for h in fact_headlines(fact, noun, material, thing, bullet_text(fact, plural))
                      if h]
    headlines.append(hook)
    google_h = _pick([(h, False) for h in headlines if h], limit, GOOGLE_HEADLINES, ok)

    # Google shows descriptions in any order and alone: each names the thing ("This mug ..."), the
    # first framed for the segment, then the facts two at a time, one at a time, and the hook
    subject = _thing_subject(noun, plural)
    stated = [f for f in ordered if not f.negative] + [f for f in ordered if f.negative]
    descriptions = [fact_sentences(stated[:n], plural, subject, segment.framing)[0] for n in (2, 1) if stated]
    descriptions += [fact_sentences(stated[i:i + 2], plural, subject)[0] for i in range(len(stated))]
    descriptions += [fact_sentences([f], plural, subject)[0] for f in stated]
    descriptions.append(hook_sentence(segment, spoken_name(name)))
    google_d = _pick([(d, False) for d in descriptions if d], LIMITS["google_description"], GOOGLE_DESCRIPTIONS, ok)

    meta_limit = LIMITS["meta_headline"]
    meta_h = (_pick([(h, False) for h in named(meta_limit, lambda n: hooked_title(segment, n)) + named(meta_limit)],
                    meta_limit, 1, ok) or [""])[0]
    meta_text = _meta_text(segment, spoken_name(name), subject, stated, plural, ok)
    amazon_limit = LIMITS["amazon_headline"]
    amazon = (_pick([(h, False) for h in named(amazon_limit, with_hook) + named(amazon_limit)], amazon_limit, 1, ok)
              or [""])[0]
    path = (fit(_slug(noun or name), LIMITS["google_path"]), fit(_slug(segment.label), LIMITS["google_path"]))
    adset = AdSet(segment.key, google_h, google_d, meta_h, meta_text, amazon, tuple(p.replace(" ", "-") for p in path))
    adset.problems = check_adset(adset)
    return adset


def _slug(text: str) -> str:
    return " ".join(_WORD.findall(text.lower()))


def check_adset(adset: AdSet) -> list[str]:
    """Every limit, count and distinctness rule the platforms apply; [] when the set can be uploaded."""
    problems = []
    for label, lines, key in (("Google headline", adset.google_headlines, "google_headline"),
                              ("Google description", adset.google_descriptions, "google_description"),
                              ("Meta headline", [adset.meta_headline], "meta_headline"),
                              ("Meta primary text", [adset.meta_primary_text], "meta_primary_text"),
                              ("Amazon headline", [adset.amazon_headline], "amazon_headline"),
                              ("Google path", list(adset.path), "google_path")):
        problems += [f"{label} over {LIMITS[key]} characters: {line!r}" for line in lines if len(line) > LIMITS[key]]
    if len(adset.google_headlines) < 3:
        problems.append(f"Google needs at least 3 headlines; the facts gave {len(adset.google_headlines)}")
    if len(adset.google_descriptions) < 2:
        problems.append(f"Google needs at least 2 descriptions; the facts gave {len(adset.google_descriptions)}")
    if len(adset.google_headlines) > GOOGLE_HEADLINES or len(adset.google_descriptions) > GOOGLE_DESCRIPTIONS:
        problems.append("more headlines or descriptions than Google takes")
    problems += [f"near-duplicate headlines: {a!r} / {b!r}" for a, b in duplicates(adset.google_headlines)]
    return problems


# -- export ----------------------------------------------------------------------------------------

def google_ads_rows(adsets: list[AdSet], campaign: str, final_url: str = "", labels: dict | None = None) -> list[dict]:
    rows = []
    for adset in adsets:
        row = {c: "" for c in GOOGLE_COLUMNS}
        row.update({"Campaign": campaign, "Ad group": (labels or {}).get(adset.segment, adset.segment),
                    "Final URL": final_url, "Path 1": adset.path[0], "Path 2": adset.path[1]})
        row.update({f"Headline {i}": h for i, h in enumerate(adset.google_headlines, 1)})
        row.update({f"Description {i}": d for i, d in enumerate(adset.google_descriptions, 1)})
        rows.append(row)
    return rows


def meta_rows(adsets: list[AdSet], campaign: str, link: str = "", labels: dict | None = None,
              ctas: dict | None = None) -> list[dict]:
    rows = []
    for adset in adsets:
        label = (labels or {}).get(adset.segment, adset.segment)
        cta = (ctas or {}).get(adset.segment, "Learn more")
        rows.append({"Campaign Name": campaign, "Ad Set Name": label, "Ad Name": f"{campaign} - {label}",
                     "Title": adset.meta_headline, "Body": adset.meta_primary_text, "Link": link,
                     "Call to Action": META_CTA.get(cta.lower(), "LEARN_MORE")})
    return rows


def write_csv(rows: list[dict], columns: list[str], path: Path | str) -> Path:
    """UTF-8 with a BOM: Google Ads Editor and Excel then read accented names right."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", newline="", encoding="utf-8-sig") as handle:
        writer = csv.DictWriter(handle, fieldnames=columns)
        writer.writeheader()
        writer.writerows(rows)
    return path


def read_google_ads_csv(path: Path | str) -> list[dict]:
    with Path(path).open(encoding="utf-8-sig", newline="") as handle:
        return list(csv.DictReader(handle))


def check_google_ads_rows(rows: list[dict]) -> list[str]:
    """The limits and distinctness of exported rows, read back from the CSV."""
    problems = []
    for n, row in enumerate(rows, 1):
        headlines = [row.get(f"Headline {i}", "") for i in range(1, GOOGLE_HEADLINES + 1)]
        headlines = [h for h in headlines if h]
        descriptions = [d for d in (row.get(f"Description {i}", "") for i in range(1, GOOGLE_DESCRIPTIONS + 1)) if d]
        adset = AdSet("", headlines, descriptions, "", "", "", (row.get("Path 1", ""), row.get("Path 2", "")))
        problems += [f"row {n}: {p}" for p in check_adset(adset)]
    return problems
