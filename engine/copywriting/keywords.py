"""SEO keywords: noun phrases taken from the product's own text and the generated copy.

Extraction rather than generation: a keyword that does not occur in the text is a guess. The
steps, and why each is there:

1. ``phrase_chunks`` splits the text at line breaks, punctuation, stop words, numbers, verbs
   and attribute labels, so a keyword never straddles two phrases ("men the titan", "bullets
   to list"); candidates are the chunks' last one to three words, ending in the head noun.
2. YAKE ranks the chunks' sub-phrases by salience (frequency, position, casing, spread), so only
   a short list has to be embedded: the embedding is what costs time.
3. WordNet keeps noun phrases (the last word can be a noun; unknown words such as brand names
   count as nouns): shoppers search for things, not for "keeps dry".
4. Phrases the merchant said no to are dropped: ``exclude``, "Microwave safe: No" attribute
   lines and the phrase after a negation ("Not for microwave", "without lid", "do not iron").
5. KeyBERT ranks the short list against the whole text with MMR over the studio's MiniLM
   encoder: relevant to this product, yet not eight variants of one phrase.
6. Near-duplicates fold: plural/singular ("watch"/"watches") before ranking, and a keyword that
   only ever occurs inside another chosen keyword after ranking.
"""
from __future__ import annotations

import re
from collections import Counter
from functools import lru_cache

from engine.models.cache import load_once

# Function words (and listing boilerplate: "Key Features of", "Genuine Products", "flipkart.com",
# currencies, the spec-sheet headings "General" and "Dimensions") that end a phrase. Content
# words stay out ("down" jacket, "value" pack), unlike YAKE's long list.
STOP_WORDS = frozenset("""
a an the this that these those each every either neither some any all both few many much more
most other another such own same no not nor only
i me my mine we us our ours you your yours he him his she her hers it its they them their theirs
what which who whom whose myself yourself yourselves itself himself herself themselves ourselves
about above across after against along among around as at before behind below beneath beside
besides between beyond by despite during except for from in inside into like near of off on onto
out outside over past per since than through throughout till to toward towards under underneath
until up upon via with within without
and but or so yet if because while whereas although though unless whether then also
am is are was were be been being have has had having do does did doing done will would shall
should can could may might must let lets
don't doesn't didn't isn't aren't wasn't weren't can't cannot won't wouldn't shouldn't it's
you're we're they're that's there's here's let's
very just too even still ever never always here there when where why how again further once
already almost really quite rather enough etc well
buy genuine products free shipping cash delivery specifications features key new yes
flipkart com www http https rs inr usd general dimensions
""".split())

# A negation cue and the words that make it no negation ("not only", "without compromising").
_NEGATION = frozenset(w.replace("'", q) for w in "not no never without cannot nor don't doesn't "
                      "didn't isn't aren't won't can't".split() for q in "'’")
_NOT_NEGATING = frozenset("only just merely matter doubt wonder longer less more compromising "
                          "sacrificing".split())
# Skipped between a cue and what it negates: "not suitable for microwave" negates "microwave".
_NEGATION_FILLER = frozenset("suitable safe recommended intended meant designed made use used "
                             "recommend advised allowed".split())
_NO_VALUES = frozenset({"no", "none", "false"})
_YES_VALUES = frozenset({"yes", "true"})  # "Dishwasher safe: Yes": the label is a feature
# Words that follow a verb, not a noun: "gives you", "keep it", "kicks in".
_OBJECTS = frozenset("a an the this that these those you your it its them their us our my me "
                     "him her his in out up into off".split())

# Words: "men's", "two-tone", "2.5"; anything else between two words (punctuation, "/") ends
# a phrase.
_TOKEN = re.compile(r"\d+(?:\.\d+)+|[a-z0-9]+(?:['’_\-][a-z0-9]+)*")
_NUMBER = re.compile(r"\d+(?:\.\d+)*")
_UNITS = frozenset("cm cms mm m km kg g gm gms mg ml l ltr inch inches ft gsm mah w kw v hz gb tb "
                   "pcs x".split())
_LABEL_LINE = re.compile(r"^\s*([a-z][^:\n]{0,40}?)\s*:\s*(.*)$")
# Flipkart's sales pitch: "Buy <title> Online at Rs.780 in India ... Cash On Delivery!"
_BOILERPLATE = re.compile(r"\bbuy\b[^\n]{0,400}?\bcash on delivery\b!?", re.IGNORECASE)
_LONGEST = 3       # words in a keyword: shoppers type short queries
_SHORTLIST = 4     # candidates embedded per keyword asked for (the embedding is the cost)


def _tokens(line: str) -> list[tuple[str, bool]]:
    """(word, follows_a_break) for each word of one lower-cased line."""
    out, end = [], 0
    for match in _TOKEN.finditer(line):
        out.append((match.group(), bool(line[end:match.start()].strip())))
        end = match.end()
    return out


def attribute_lines(text: str) -> dict[tuple[str, ...], str]:
    """``label: value`` lines as {label words: value}; the labels of a spec sheet."""
    labels = {}
    for line in text.lower().splitlines():
        match = _LABEL_LINE.match(line)
        if match:
            words = tuple(w for w, _ in _tokens(match.group(1)))
            if words:
                labels[words] = match.group(2).strip(" .")
    return labels


def phrase_chunks(text: str, labels=()) -> list[tuple[str, ...]]:
    """Maximal runs of words with no line break, punctuation, stop word, number or verb between
    them.

    A label of the text's ``label: value`` lines is a chunk of its own: Flipkart flattens spec
    sheets into "... Designed For Door Type Eyelet Model Name ...", where "door type eyelet"
    straddles two fields.
    """
    starts: dict[str, list[tuple[str, ...]]] = {}
    for label in labels:
        starts.setdefault(label[0], []).append(label)
    chunks: list[tuple[str, ...]] = []
    for line in text.lower().splitlines():
        words = _tokens(line)
        run: list[str] = []

        def close(after: str = "") -> None:
            chunks.extend(piece for piece in _split_at_verbs(run, after) if piece)
            run.clear()

        i = 0
        while i < len(words):
            word, broken = words[i]
            if broken:
                close()
            label = next((lab for lab in starts.get(word, ())
                          if tuple(w for w, _ in words[i:i + len(lab)]) == lab), None)
            if label:
                close()
                chunks.append(label)
                i += len(label)
                continue
            if _NUMBER.fullmatch(word):  # "55 cm", "pack of 2": sizes are facets, not queries
                close()
                i += 2 if i + 1 < len(words) and words[i + 1][0] in _UNITS else 1
                continue
            if word in STOP_WORDS:
                close(word)
            else:
                run.append(word)
            i += 1
        close()
    return chunks


def _split_at_verbs(run: list[str], after: str) -> list[tuple[str, ...]]:
    """Split a run at its verbs: "hoodie promises superior warmth" -> "hoodie", "superior warmth".

    A word WordNet mostly uses as a verb counts as one when it has an "-s" and a word follows
    ("promises superior") or an object follows ("gives you", "keep it"): "wrist watches" and
    "watches for men" stay nouns.
    """
    pieces, piece = [], []
    for k, word in enumerate(run):
        last = k == len(run) - 1
        verb_like = after in _OBJECTS if last else word.endswith("s") and not word.endswith("ss")
        if verb_like and _mostly_verb(word):
            pieces.append(tuple(piece))
            piece = []
        else:
            piece.append(word)
    pieces.append(tuple(piece))
    return pieces


@lru_cache(maxsize=1)
def _wordnet():
    """WordNet via the studio's nltk data (scripts/setup_wordnet.py); None when not installed."""
    from engine.scores.reference import load_wordnet

    return load_wordnet()


@lru_cache(maxsize=65536)
def _parts_of_speech(word: str) -> frozenset[str]:
    """WordNet's parts of speech for ``word`` (n, v, a, r); empty when WordNet doesn't know it."""
    wordnet = _wordnet()
    if wordnet is None:
        return frozenset()
    found = {s.pos() for s in wordnet.synsets(word)}
    if not found and "-" in word:  # "two-tone", "color-blocked": the head decides
        found = {s.pos() for s in wordnet.synsets(word.rsplit("-", 1)[1])}
    return frozenset("a" if pos == "s" else pos for pos in found)


def _can_end_noun_phrase(word: str) -> bool:
    pos = _parts_of_speech(word)
    return len(word) > 1 and ("n" in pos or not pos)


def _can_modify(word: str) -> bool:
    """Words WordNet knows only as adverbs or verbs ("especially", "provides") don't start or sit
    inside a noun phrase; participles ("ribbed cuffs", "brushed interior") do."""
    pos = _parts_of_speech(word)
    return not pos or bool(pos & {"n", "a"}) or word.endswith(("ed", "ing"))


@lru_cache(maxsize=65536)
def _mostly_verb(word: str) -> bool:
    """Whether people mostly use ``word`` as a verb (WordNet's sense-tagged counts): "gives",
    "keeps", "promises" but not "blocks", "lights", "kids"."""
    wordnet = _wordnet()
    if wordnet is None:
        return False
    counts = {"n": 0, "v": 0}
    for pos in counts:
        base = wordnet.morphy(word, pos)
        if base:
            counts[pos] = sum(lemma.count() for synset in wordnet.synsets(base, pos)
                              for lemma in synset.lemmas() if lemma.name().lower() == base)
    return counts["v"] > 2 * counts["n"] + 5


@lru_cache(maxsize=65536)
def _lemma(word: str) -> str:
    """Singular form for folding "watches" into "watch"."""
    wordnet = _wordnet()
    if wordnet is not None:
        return wordnet.morphy(word, "n") or word
    return re.sub(r"(?<=[^s])s$", "", word)


def _key(words: tuple[str, ...]) -> tuple[str, ...]:
    return tuple(_lemma(w) for w in words)


def _contains(longer: tuple[str, ...], shorter: tuple[str, ...]) -> bool:
    n = len(shorter)
    return any(longer[i:i + n] == shorter for i in range(len(longer) - n + 1))


def candidate_phrases(text: str, negated=frozenset(), longest: int = _LONGEST) -> Counter:
    """The last 1..``longest`` words of each chunk that ends in a noun -> how often each occurs.

    Only chunk endings: English puts the head noun last, so "gray heather hoodie" and "hoodie"
    are phrases of "two-tone gray heather hoodie" while "two-tone gray heather" is a cut. A
    chunk that mentions a ``negated`` phrase gives none: in "microwave safe ceramic mug" after
    "not for microwave", even "safe ceramic mug" repeats the claim.
    """
    labels = attribute_lines(text)
    fields = {label for label, value in labels.items() if value not in _YES_VALUES}
    counts: Counter = Counter()
    for chunk in phrase_chunks(text, labels):
        if any(_contains(_key(chunk), no) for no in negated):
            continue
        if chunk in labels:  # "material", "model name": a field name is not a search term,
            if chunk not in fields and len(chunk) <= longest:  # but "water resistant: yes" is
                counts[chunk] += 1
            continue
        while chunk and not _can_end_noun_phrase(chunk[-1]):
            chunk = chunk[:-1]  # "hand wash recommended" -> "hand wash"
        for i in range(max(len(chunk) - longest, 0), len(chunk)):
            words = chunk[i:]
            if len(words) == 1 and len(words[0]) < 3:
                continue
            if all(_can_modify(w) for w in words[:-1]):
                counts[words] += 1
    return counts


def negated_phrases(text: str, exclude=()) -> set[tuple[str, ...]]:
    """Phrases the merchant said no to, as word tuples (lemmatised).

    ``exclude`` entries; labels of "Microwave safe: No" lines; and after a negation cue the
    next chunk plus any joined on by "or"/"nor" ("not dishwasher or microwave safe").
    """
    exclude = [exclude] if isinstance(exclude, str) else exclude
    negated = {tuple(w for w, _ in _tokens(e.lower())) for e in exclude}
    negated |= {label for label, value in attribute_lines(text).items() if value in _NO_VALUES}
    for line in text.lower().splitlines():
        words = _tokens(line)
        for i, (word, _) in enumerate(words):
            if word not in _NEGATION or i + 1 >= len(words) or words[i + 1][0] in _NOT_NEGATING:
                continue
            phrase: list[str] = []
            for follower, broken in words[i + 1:i + 12]:
                if broken:
                    break
                if follower in STOP_WORDS or follower in _NEGATION_FILLER:
                    if phrase and follower not in ("or", "nor"):
                        break
                    if phrase:
                        negated.add(tuple(phrase))
                        phrase = []
                    continue
                phrase.append(follower)
            if phrase:
                negated.add(tuple(phrase))
    return {_key(p) for p in negated if p}


def _allowed(key: tuple[str, ...], negated: set[tuple[str, ...]]) -> bool:
    """Neither containing a negated phrase ("microwave safe" vs "not for microwave") nor part
    of one ("water" of "water resistant: no")."""
    return not any(_contains(key, no) or _contains(no, key) for no in negated)


@lru_cache(maxsize=1)
def _yake():
    import yake

    # Every candidate, scored; near-duplicates are folded here, not by YAKE's string distance.
    return yake.KeywordExtractor(lan="en", n=_LONGEST, top=100_000, dedup_lim=1.0)


def shortlist(text: str, size: int, exclude=()) -> tuple[list[str], Counter]:
    """The ``size`` most salient allowed noun phrases (YAKE order), one per singular/plural group,
    and the occurrence counts of every candidate."""
    negated = negated_phrases(text, exclude)
    counts = candidate_phrases(text, negated)
    groups: dict[tuple[str, ...], list[tuple[str, ...]]] = {}
    for words in counts:
        key = _key(words)
        if _allowed(key, negated):
            groups.setdefault(key, []).append(words)
    # The form the text uses most stands for its group ("watch" or "watches").
    chosen = {key: max(forms, key=lambda f: counts[f]) for key, forms in groups.items()}
    by_yake = {}
    for key, words in chosen.items():
        for form in groups[key]:  # YAKE drops "'s": "men's watch" is scored as "men watch"
            by_yake.setdefault(re.sub(r"['’]s\b", "", " ".join(form)), words)
    # YAKE treats newlines as spaces; a ";" keeps its phrases inside one line.
    scored = _yake().extract_keywords(text.replace("\n", " ; "))
    ranked = [by_yake[kw] for kw, _ in scored if kw in by_yake]
    # Phrases YAKE tokenises differently come last, most frequent first.
    ranked += sorted(set(chosen.values()) - set(ranked), key=lambda w: -counts[w])
    ordered = list(dict.fromkeys(ranked))
    return [" ".join(w) for w in ordered[:size]], counts


def _keybert(device: str, precision: str | None = None):
    from engine.encoders.text import load_text_encoder

    return _keybert_over(load_text_encoder(device, precision))  # the studio's MiniLM, at the studio's precision


@load_once(maxsize=2)
def _keybert_over(encoder):
    from keybert import KeyBERT

    return KeyBERT(model=encoder)  # nothing downloaded


def _fold_contained(keywords: list[str], counts: Counter) -> list[str]:
    """Drop a keyword found only inside another chosen one ("heather hoodie" when it only ever
    appears as "gray heather hoodie"); keep it when it also stands on its own."""
    tuples = [tuple(k.split()) for k in keywords]
    kept = []
    for words in tuples:
        inside = sum(counts[other] for other in tuples if other != words and _contains(other, words))
        if not inside or counts[words] > inside:
            kept.append(" ".join(words))
    return kept


def extract_keywords(text: str, top: int = 8, diversity: float = 0.5, device: str = "auto",
                     exclude: list[str] | tuple[str, ...] = (), precision: str | None = None) -> list[str]:
    """Up to ``top`` lower-case search phrases that occur in ``text``, most relevant first.

    ``diversity`` (0-1) trades relevance for variety in KeyBERT's MMR; ``exclude`` lists words
    or phrases the merchant said no to (e.g. ["microwave"]): no keyword contains one. ``precision``: the
    MiniLM encoder's (a Studio passes its own; None: the process default).
    """
    text = _BOILERPLATE.sub("\n", text or "")
    if not text.strip() or top <= 0:
        return []
    candidates, counts = shortlist(text, max(_SHORTLIST * top, 20), exclude)
    if not candidates:
        return []
    from sklearn.feature_extraction.text import CountVectorizer

    # Our own phrases as the vocabulary: KeyBERT's default analyzer would re-split them at
    # hyphens and drop one-letter words, silently losing "two-tone gray" or "men's watch".
    vectorizer = CountVectorizer(analyzer=lambda _doc: candidates, vocabulary=candidates)
    ranked = _keybert(device, precision).extract_keywords(
        text, vectorizer=vectorizer, use_mmr=True, diversity=diversity, top_n=top + 4)
    return _fold_contained([phrase for phrase, _ in ranked], counts)[:top]
