"""Reference-based scores: how close the copy is to a reference written by a person.

All three need a reference for the field; without one they say "n/a" rather than guess.
METEOR needs WordNet, installed offline by ``scripts/setup_wordnet.py`` into
``<cache_dir>/nltk_data``; this module puts that folder on ``nltk.data.path``.
"""
from __future__ import annotations

import re
import threading
import warnings
from dataclasses import replace
from functools import lru_cache

import nltk
from nltk.corpus.reader.wordnet import WordNetCorpusReader

from ..paths import cache_dir
from .registry import Score, register_metric
from .text import TextContext, not_applicable

NO_REFERENCE = ("Needs a reference: add your own copy for this field (or a draft of it) to compare against; "
                "short notes are no draft.")
REFERENCE_METRICS = ("bleu", "meteor", "rouge_l")
NO_WORDNET = "WordNet not installed: run make setup."
_KINDS = ("title", "description", "bullets", "keywords")

# Words, numbers with decimals ("2.5") and inner hyphens/apostrophes ("anti-wrinkle", "it's").
# nltk's word_tokenize would need the punkt model, which cannot be downloaded here.
_TOKEN = re.compile(r"\w+(?:[.'\-]\w+)*")


def tokenize(text: str) -> list[str]:
    return _TOKEN.findall(text.lower())


def nltk_data_dir():
    return cache_dir() / "nltk_data"


def use_nltk_data() -> str:
    """Put the studio's nltk data folder on nltk's search path (idempotent)."""
    path = str(nltk_data_dir())
    if path not in nltk.data.path:
        nltk.data.path.append(path)
    return path


class SharedWordNet(WordNetCorpusReader):
    """nltk's WordNet reader, safe to share between threads.

    It reads synsets and sense counts by seeking in shared open files: two requests scored at once
    (concurrent copy requests, engine/models/batching.py) read each other's lines ("not enough
    values to unpack", a None synset). The methods that seek run one at a time."""

    _files = threading.RLock()

    def map_wn(self, version="wordnet"):
        # nltk maps every synset to another WordNet version at start (~2 s of the studio's start-up)
        # for its multilingual data only; the studio reads English WordNet alone (omw_reader=None).
        return None

    def synset_from_pos_and_offset(self, pos, offset):
        with self._files:
            return super().synset_from_pos_and_offset(pos, offset)

    def lemma_count(self, lemma):
        with self._files:
            return super().lemma_count(lemma)

    def lemma_from_key(self, key):
        with self._files:
            return super().lemma_from_key(key)

    def get_version(self):  # seeks the adjective data file to its start and back
        with self._files:
            return super().get_version()


_READERS: dict[str, WordNetCorpusReader] = {}
_LOADING = threading.Lock()


def _reader(root) -> WordNetCorpusReader:
    # Loading the index takes a few seconds: one reader per WordNet folder per process.
    key = str(root)
    with _LOADING:
        if key not in _READERS:
            # omw_reader=None: METEOR only needs English synsets, so the multilingual OMW corpus
            # (which nltk would otherwise try to locate lazily) is never needed; silence the notice.
            with warnings.catch_warnings():
                warnings.simplefilter("ignore", UserWarning)
                _READERS[key] = SharedWordNet(root, None)
    return _READERS[key]


def load_wordnet() -> WordNetCorpusReader | None:
    """The English WordNet reader, or None when it is not installed anywhere nltk looks."""
    use_nltk_data()
    try:
        root = nltk.data.find("corpora/wordnet")
    except LookupError:
        return None
    return _reader(root)


def _reference(context: TextContext) -> str:
    return (context.reference or "").strip()


def with_reference_source(scores: list[Score], reference: str, source: str) -> list[Score]:
    """The reference scores, saying which text they were measured against (``source``, e.g. "your draft
    title"): a number against a text the merchant never meant as a reference misleads."""
    if not reference:
        return scores
    return [replace(s, explanation=f"{s.explanation} Compared with {source}: \u201c{_preview(reference)}\u201d.",
                    details={**s.details, "reference": reference, "reference_from": source})
            if s.name in REFERENCE_METRICS and s.value is not None else s for s in scores]


def _preview(text: str, most: int = 80) -> str:
    flat = " ".join(text.split())
    return flat if len(flat) <= most else flat[: most - 1].rstrip() + "\u2026"


@lru_cache(maxsize=1)
def _sentence_bleu():
    """One scorer for the process: sacrebleu caches tokenised text per tokenizer object, so the new
    one ``sacrebleu.sentence_bleu`` makes on every call held ~3.5 KB per call for good (measured)."""
    from sacrebleu.metrics import BLEU

    # effective_order: what sentence_bleu uses, so short copy still gets a score. lowercase: METEOR and
    # ROUGE-L here ignore letter case, and "ROCCO GYM TANK" against "Rocco Gym Tank" is the same title;
    # case-sensitive BLEU scored it 0 beside ROUGE-L 1.00.
    return BLEU(effective_order=True, lowercase=True)


@register_metric(
    "bleu", "BLEU", _KINDS,
    "How many word sequences the copy shares with your reference copy, ignoring letter case "
    "(0-100, higher = closer).",
)
def bleu(text: str, context: TextContext, *, kind: str = "description") -> Score:
    reference = _reference(context)
    if not reference:
        return not_applicable("bleu", "BLEU", NO_REFERENCE)
    value = _sentence_bleu().sentence_score(text, [reference]).score
    return Score("bleu", "BLEU", value, f"{value:.1f}",
                 "How many word sequences this copy shares with your reference, ignoring letter case (0-100).")


@register_metric(
    "meteor", "METEOR", _KINDS,
    "Word overlap with your reference that also credits stems and synonyms (0-1).",
)
def meteor(text: str, context: TextContext, *, kind: str = "description") -> Score:
    reference = _reference(context)
    if not reference:
        return not_applicable("meteor", "METEOR", NO_REFERENCE)
    wordnet = load_wordnet()
    if wordnet is None:
        return not_applicable("meteor", "METEOR", NO_WORDNET)
    from nltk.translate.meteor_score import meteor_score

    hypothesis = tokenize(text)
    value = float(meteor_score([tokenize(reference)], hypothesis, wordnet=wordnet)) if hypothesis else 0.0
    return Score("meteor", "METEOR", value, f"{value:.2f}",
                 "Overlap with your reference, counting same-stem words and synonyms as matches (0-1).")


@lru_cache(maxsize=1)
def _rouge():
    from rouge_score import rouge_scorer

    # rougeLsum treats each line as a sentence, which is what bullets are.
    return rouge_scorer.RougeScorer(["rougeL", "rougeLsum"], use_stemmer=True)


@register_metric(
    "rouge_l", "ROUGE-L", _KINDS,
    "Longest run of words in the same order as your reference (F1, 0-1).",
)
def rouge_l(text: str, context: TextContext, *, kind: str = "description") -> Score:
    reference = _reference(context)
    if not reference:
        return not_applicable("rouge_l", "ROUGE-L", NO_REFERENCE)
    key = "rougeLsum" if kind == "bullets" else "rougeL"
    result = _rouge().score(reference, text)[key]
    value = float(result.fmeasure)
    return Score("rouge_l", "ROUGE-L", value, f"{value:.2f}",
                 "How much of your reference appears in the same word order (F1, 0-1).",
                 details={"precision": result.precision, "recall": result.recall})
