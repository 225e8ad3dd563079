"""Shopper Q&A: answer a shopper's question about one product from the merchant's own facts.

A wrong answer to a shopper ("yes, it is microwave safe") costs more than no answer, so the
answer is only ever one of the merchant's facts, said back:

1. ``product_facts`` cuts what the merchant gave into facts: each attribute (structured, the
   notes' ``key: value`` lines, a confirmed photo label), each bullet, each sentence of the
   description, the title, brand, category and price.
2. ``retrieve`` ranks the facts by MiniLM cosine similarity with the question (the studio's
   encoder, ``engine.encoders.text``) and keeps only facts that share a word or a concept with it
   (lexical overlap: "made of" ~ "material", "black" ~ "colour"). Below ``THRESHOLD`` the
   question is declined, measured on the eval set (docs/EVALUATION.md, "Shopper Q&A").
3. ``template_answer`` says the fact back ("No — Microwave safe: No."), or, when nothing matches,
   "The listing doesn't say whether ..." with the line to add. The language model may reword an
   answer (``writer="lm"``, grounded decoding + the claim check); a reworded answer that fails the
   check falls back to the template.

A ``Conversation`` keeps the previous question's subject, so "and in black?" after "Does it come
in blue?" asks about the colours again. Declined questions are kept per product in the data
folder (``UnansweredLog``) so the merchant sees which facts shoppers miss.
"""
from __future__ import annotations

import hashlib
import json
import re
import threading
from dataclasses import asdict, dataclass, field
from functools import lru_cache
from pathlib import Path

from engine.ingest import Ingested, ingest
from engine.product import Product

# Combined score (cosine + lexical share) a fact needs to answer; calibrated on the eval set
# (engine.evaluation.qa): below it, unanswerable questions that share a word by chance decline.
THRESHOLD = 0.45
LEXICAL_WEIGHT = 0.5
MAX_FACT_CHARS = 300
WRITERS = ("template", "lm")
DEFAULT_WRITER = "template"  # the better of the two on the eval set (docs/EVALUATION.md)

_YES, _NO = {"yes", "true", "y"}, {"no", "false", "n", "none"}
_YES_NO_START = re.compile(r"^\s*(?:is|are|does|do|can|will|has|have|was|were|should|would|could)\b", re.I)
# Looks are better shown than told: these questions also get the product's clip or photos.
_LOOKS = re.compile(r"\b(?:look|looks|looking|appearance|colou?rs?|shades?|design|style|pattern|shape|"
                    r"see|show|picture|photo|photos|video|finish)\b", re.I)
_FOLLOW_UP = re.compile(r"^\s*(?:and|also|what about|how about|or)\b", re.I)
_NEGATORS = {"not", "no", "never", "without", "don't", "dont", "cannot", "can't", "isn't", "aren't", "non", "nor"}
# "Is it microwave safe?" is about the microwave; "safe" only says "works with" (as in engine.scores.claims).
_COMPATIBILITY = {"safe", "friendly", "proof", "compatible", "suitable", "ok", "okay", "use", "usable", "used"}
_WORD = re.compile(r"[a-z0-9]+(?:'[a-z]+)?")
_SENTENCE = re.compile(r"(?<=[.!?])\s+|\s*[•\u2022;]\s*|\n+")
# Words of a question that carry no subject ("Is it ...?", "What is the ...?").
_QUESTION_WORDS = set("""
a an the is are was were be been it its it's this that these those they them their there here what which who whom
whose when where why how does do did can could will would should shall may might must has have had i you your me my
we our us of in on at to for with and or about any some tell please know come comes coming get available offer
offered product item one ones also much many
""".split())
# Question words that name an attribute without sharing its words ("made of" asks for the material).
_CONCEPTS = {
    "material": {"material", "made", "make", "fabric", "fibre", "fiber", "materials"},
    "color": {"color", "colour", "colors", "colours", "shade", "shades"},
    "size": {"size", "sizes", "fit", "fits", "large", "small", "big"},
    "wash": {"wash", "washable", "washing", "clean", "cleaning", "care", "laundry"},
    "price": {"price", "cost", "costs", "expensive", "cheap", "pay", "inr", "usd"},
    "brand": {"brand", "maker", "manufacturer", "made_by"},
    "weight": {"weight", "weigh", "weighs", "heavy", "light"},
    "dimension": {"dimension", "dimensions", "long", "wide", "tall", "height", "width", "length"},
    "pattern": {"pattern", "print", "printed", "design"},
    "gender": {"men", "women", "boys", "girls", "unisex", "ideal", "kids"},
}


def _stem(word: str) -> str:
    """A crude plural fold ("colours" == "colour"); both sides fold alike, so it needs no dictionary."""
    word = word.lower().replace("colour", "color").replace("grey", "gray")
    for suffix in ("ies", "es", "s"):
        if len(word) > 4 and word.endswith(suffix) and not word.endswith("ss"):
            return word[: -len(suffix)] + ("y" if suffix == "ies" else "")
    return word


@lru_cache(maxsize=1)
def _concept_of() -> dict[str, str]:
    from engine.scores.vocab import COLORS, MATERIALS

    lookup = {_stem(w): concept for concept, words in _CONCEPTS.items() for w in words}
    lookup.update({_stem(c): "color" for c in COLORS if " " not in c})
    lookup.update({_stem(m): "material" for m in MATERIALS if " " not in m})
    return lookup


def terms(text: str) -> set[str]:
    """The content words of ``text``, folded, plus the concepts they name."""
    words = {_stem(w) for w in _WORD.findall(text.lower().replace("_", " ")) if w not in _QUESTION_WORDS}
    concepts = {"~" + _concept_of()[w] for w in words if w in _concept_of()}
    return words | concepts


@dataclass(frozen=True)
class Fact:
    text: str        # shown to the shopper as the source, e.g. "Microwave safe: No"
    kind: str        # attribute | bullet | description | title | brand | category | price | photo label
    key: str = ""    # attribute name as the merchant wrote it ("" for sentences)
    value: str = ""  # attribute value ("" for sentences)


def _label(key: str) -> str:
    key = key.replace("_", " ").strip()
    return key[:1].upper() + key[1:]


def _sentences(text: str) -> list[str]:
    return [s.strip()[:MAX_FACT_CHARS] for s in _SENTENCE.split(text or "") if len(s.strip()) > 2]


def product_facts(ingested: Ingested, photo_labels: tuple[str, ...] = ()) -> list[Fact]:
    """Every fact the merchant gave, one per attribute, bullet and description sentence."""
    p = ingested.product
    facts = [Fact(f"{_label(k)}: {v}", "attribute", _label(k), v) for k, v in ingested.attributes.items()]
    facts += [Fact(f"Product type: {label}", "photo label", "Product type", label) for label in photo_labels]
    facts += [Fact(b[:MAX_FACT_CHARS], "bullet") for b in p.bullets if b.strip()]
    facts += [Fact(s, "description") for s in _sentences(p.description)]
    for kind, value in (("title", p.title), ("brand", p.brand), ("category", p.category)):
        if value.strip():
            facts.append(Fact(f"{_label(kind)}: {value}", kind, _label(kind), value))
    if p.price is not None:
        price = f"{p.price:g} {p.currency}".strip()
        facts.append(Fact(f"Price: {price}", "price", "Price", price))
    return _unique(facts)


def _unique(facts: list[Fact]) -> list[Fact]:
    seen, kept = set(), []
    for fact in facts:
        if fact.text.lower() not in seen:
            seen.add(fact.text.lower())
            kept.append(fact)
    return kept


@dataclass
class Match:
    fact: Fact
    score: float    # cosine + LEXICAL_WEIGHT * lexical share
    cosine: float
    shared: set[str]  # question terms the fact holds


@dataclass
class Question:
    """A question as asked and as understood (a follow-up borrows the previous subject)."""
    text: str
    query: str               # what retrieval sees
    yes_no: bool
    subject: set[str]        # question terms that name the attribute asked about
    follow_up: bool = False


@dataclass
class Answer:
    question: str
    text: str
    answered: bool
    facts: list[str]              # the merchant's facts the answer used, as written
    suggestion: str = ""          # for a declined question: the line to add to the listing
    writer: str = "template"      # template | lm (lm only when its answer passed the claim check)
    polarity: str | None = None   # "yes" | "no" | None for a question that is not yes/no
    follow_up: bool = False
    score: float = 0.0
    about_looks: bool = False     # the shopper asks how it looks: show the product's photos or video too

    def to_dict(self) -> dict:
        return asdict(self)


@lru_cache(maxsize=64)
def _fact_vectors(texts: tuple[str, ...], device: str):
    from engine.encoders.text import encode_texts

    return encode_texts(list(texts), device)


def _fact_terms(fact: Fact) -> set[str]:
    return terms(fact.text)


def retrieve(question: Question, facts: list[Fact], device: str = "cpu", top: int = 3) -> list[Match]:
    """Facts that share a term with the question, best first (cosine + lexical share)."""
    from engine.encoders.text import encode_texts

    asked = terms(question.query)
    if not facts or not asked:
        return []
    query = encode_texts([question.query], device)[0]
    vectors = _fact_vectors(tuple(f.text for f in facts), device)
    cosines = (vectors @ query).tolist()
    matches = []
    for fact, cosine in zip(facts, cosines):
        shared = asked & _fact_terms(fact)
        if not shared:
            continue  # similar in meaning but sharing no word: the usual way a retriever guesses
        lexical = len(shared) / len(asked)
        if fact.kind in ("attribute", "photo label") and shared & terms(fact.key):
            lexical += 0.25  # the question names this attribute: prefer it over a sentence that mentions it
        matches.append(Match(fact, cosine + LEXICAL_WEIGHT * lexical, cosine, shared))
    return sorted(matches, key=lambda m: -m.score)[:top]


def understand(text: str, previous: Question | None = None) -> Question:
    """The question to retrieve with; a follow-up without its own subject reuses the previous one."""
    text = " ".join(text.split())
    own = terms(text)
    yes_no = bool(_YES_NO_START.match(text))
    if previous is not None and (_FOLLOW_UP.match(text) or len(own) <= 1) and not _names_attribute(own):
        # "and in black?": the new value, asked about the previous question's attribute.
        query = f"{previous.query} {text}"
        return Question(text, query, previous.yes_no or yes_no, previous.subject, follow_up=True)
    return Question(text, text, yes_no, own)


def _names_attribute(own: set[str]) -> bool:
    """True when the question names what it asks about (a concept word other than a value)."""
    return any(t for t in own if not t.startswith("~") and not _is_value_word(t))


# --- the template writer -----------------------------------------------------------------

def _negated(sentence: str, shared: set[str]) -> bool:
    """A negator within three words before a shared term ("not for microwave use")."""
    words = _WORD.findall(sentence.lower())
    for i, word in enumerate(words):
        if _stem(word) in shared and any(w in _NEGATORS for w in words[max(0, i - 3): i]):
            return True
    return False


def _subject_phrase(question: Question) -> str:
    words = [w for w in _WORD.findall(question.text.lower()) if w not in _QUESTION_WORDS]
    return " ".join(words) or "this"


def decline(question: Question) -> Answer:
    """The listing does not say: say so plainly, and name the line that would answer it."""
    subject = _subject_phrase(question)
    key = _label(subject)
    if question.yes_no:
        text = f"The listing doesn't say whether it is {subject}." if not question.text.lower().startswith(
            ("does", "do", "has", "have", "can")) else f"The listing doesn't say whether it {_verb_clause(question.text)}."
        suggestion = f"Add a line such as \"{key}: Yes\" or \"{key}: No\" to your listing."
    else:
        text = f"The listing doesn't say what the {subject} is."
        suggestion = f"Add a line such as \"{key}: ...\" to your listing."
    return Answer(question.text, text, False, [], suggestion, follow_up=question.follow_up)


def _verb_clause(text: str) -> str:
    """"Does it have a warranty?" -> "has a warranty"; "Can it go in the oven?" -> "can go in the oven"."""
    words = text.strip().rstrip("?.! ").split()
    aux, rest = words[0].lower(), words[1:]
    if rest and rest[0].lower() in ("it", "this", "they"):
        rest = rest[1:]
    if aux in ("does", "do") and rest:
        verb = rest[0].lower()
        third = "has" if verb == "have" else verb if verb.endswith("s") else verb + ("es" if verb.endswith(("o", "sh", "ch")) else "s")
        return " ".join([third, *rest[1:]])
    return " ".join([aux if aux not in ("has", "have") else "has", *rest])


def _uncovered(question: Question, fact: Fact) -> set[str]:
    """Words of the question the fact does not hold, by word or by concept ("washable" ~ "wash")."""
    held = terms(fact.text)
    asked = {t for t in terms(question.text) if not t.startswith("~") and t not in _COMPATIBILITY}
    return {t for t in asked if t not in held
            and (_is_value_word(t) or "~" + _concept_of().get(t, "") not in held)}


@lru_cache(maxsize=1)
def _value_words() -> frozenset[str]:
    from engine.scores.vocab import COLORS, MATERIALS

    return frozenset(_stem(w) for w in (*COLORS, *MATERIALS) if " " not in w)


def _is_value_word(word: str) -> bool:
    """A colour or material: asked about, the fact's own list answers it ("red" is not among them)."""
    return word in _value_words()


def template_answer(question: Question, match: Match) -> Answer | None:
    """Say the fact back; for a yes/no question lead with Yes or No when the fact settles it.

    None when the fact leaves part of the question open ("oven safe" against "Dishwasher safe: Yes").
    """
    fact = match.fact
    missing = _uncovered(question, fact)
    if missing and not (fact.value and all(_is_value_word(t) for t in missing)):
        return None
    found = dict(answered=True, facts=[fact.text], follow_up=question.follow_up, score=match.score)
    if missing:  # "Does it come in red?" against "Colors: Blue, Black": the listing answers with what it has
        shown = ", ".join(sorted(missing))
        return Answer(question.text, f"The listing gives {fact.text}; it doesn't mention {shown}.", **found)
    if question.yes_no:
        value = fact.value.strip().lower()
        if value in _NO or (value not in _YES and _negated(fact.text, match.shared)):
            polarity = "no"
        else:
            polarity = "yes"
        return Answer(question.text, f"{polarity.capitalize()} — {fact.text.rstrip('.')}.", polarity=polarity, **found)
    if fact.value:
        concept = terms(fact.key)
        if "~material" in concept:
            text = f"It is made of {fact.value} ({fact.text})."
        elif "~color" in concept:
            text = f"It comes in {fact.value} ({fact.text})."
        else:
            verb = "are" if "," in fact.value else "is"
            text = f"The {fact.key.lower()} {verb} {fact.value}."
    else:
        text = f"The listing says: {fact.text.rstrip('.')}."
    return Answer(question.text, text, **found)


# --- the language-model writer -----------------------------------------------------------

LM_PROMPT = ("Answer the shopper's question in one short sentence, using only these facts from the listing.\n"
             "Facts:\n{facts}\nQuestion: {question}")


def lm_answer(question: Question, template: Answer, source_text: str, model: str = "smollm2-135m",
              device: str = "cpu", seed: int = 0) -> Answer:
    """The template answer reworded by the language model, kept only when it passes the claim check
    and keeps the template's yes/no; otherwise the template answer itself."""
    from engine.copywriting.grounded import finish, grounded_processor
    from engine.models.language import load_language_model
    from engine.scores.claims import claim_report

    lm = load_language_model(model, device)
    processor = grounded_processor(lm.tokenizer, [(source_text, [])])
    messages = [{"role": "user", "content": LM_PROMPT.format(
        facts="\n".join(f"- {f}" for f in template.facts), question=question.text)}]
    text = lm.generate(messages, max_new_tokens=40, temperature=0, top_p=1.0, seed=seed, stop_at_newline=True,
                       logits_processor=processor)
    text = " ".join(finish(processor, [text])[0].split())
    report = claim_report(text, source_text)
    said = _polarity_of(text)
    # The claim check catches invented things; a vague rewording ("a limited selection") it cannot,
    # so the answer must also keep most of the fact's words.
    if (not text or report["flagged"] or (template.polarity and said != template.polarity)
            or _overlap(text, " ".join(template.facts)) < 0.5):
        return template
    return Answer(template.question, text, True, template.facts, writer="lm", polarity=template.polarity,
                  follow_up=template.follow_up, score=template.score)


def _overlap(text: str, fact: str) -> float:
    """Share of the fact's content words the text keeps."""
    wanted = terms(fact)
    return len(wanted & terms(text)) / len(wanted) if wanted else 0.0


def _polarity_of(text: str) -> str | None:
    first = _WORD.findall(text.lower())[:1]
    return "yes" if first == ["yes"] else "no" if first == ["no"] else None


# --- a conversation ----------------------------------------------------------------------

@dataclass
class Conversation:
    """Questions about one product; keeps the last question so follow-ups can borrow its subject."""
    ingested: Ingested
    photo_labels: tuple[str, ...] = ()
    device: str = "cpu"
    writer: str = DEFAULT_WRITER
    log: "UnansweredLog | None" = None
    threshold: float = THRESHOLD
    previous: Question | None = None
    facts: list[Fact] = field(default_factory=list)

    def __post_init__(self) -> None:
        if self.writer not in WRITERS:
            raise ValueError(f"unknown answer writer {self.writer!r} (accepted: {', '.join(WRITERS)})")
        self.facts = product_facts(self.ingested, self.photo_labels)

    def ask(self, text: str) -> Answer:
        if not text or not text.strip():
            raise ValueError("the question is empty: type what a shopper would ask, e.g. \"Is it machine washable?\"")
        question = understand(text, self.previous)
        answer = None
        for match in retrieve(question, self.facts, self.device):
            if match.score >= self.threshold:
                answer = template_answer(question, match)
            if answer is not None:
                break
        if answer is None:
            answer = decline(question)
            if self.log is not None:
                self.log.add(product_key(self.ingested.product), question.text)
        elif self.writer == "lm":
            answer = lm_answer(question, answer, self.ingested.source_text(), device=self.device)
        self.previous = question if answer.answered or not question.follow_up else self.previous
        answer.about_looks = bool(_LOOKS.search(text))
        return answer


def product_key(product: Product) -> str:
    """The product's id, or a digest of its title when it has none (a form typed by hand)."""
    if product.id:
        return product.id
    return "title-" + hashlib.sha256(product.title.encode("utf-8")).hexdigest()[:12]


def ask(product: Product | Ingested, questions: str | list[str], *, writer: str = DEFAULT_WRITER,
        device: str = "cpu", log: "UnansweredLog | None" = None) -> list[Answer]:
    """Answer one question, or several in order as one conversation (follow-ups see the previous)."""
    if writer not in WRITERS:
        raise ValueError(f"unknown answer writer {writer!r} (accepted: {', '.join(WRITERS)})")
    ingested = product if isinstance(product, Ingested) else ingest(product)
    conversation = Conversation(ingested, device=device, writer=writer, log=log)
    return [conversation.ask(q) for q in ([questions] if isinstance(questions, str) else questions)]


def speak(answer: Answer | str, out_wav: Path | str) -> Path:
    """The answer as speech (Piper, espeak-ng as fallback): a WAV at ``out_wav``."""
    from engine.creatives.narration import synthesize

    return synthesize(answer.text if isinstance(answer, Answer) else answer, Path(out_wav))


# --- questions the listing could not answer ----------------------------------------------

class UnansweredLog:
    """Declined questions per product, in ``data_dir()/qa_unanswered.json``: the facts shoppers miss."""

    _lock = threading.Lock()

    def __init__(self, path: Path | str | None = None):
        if path is None:
            from engine.paths import data_dir

            path = data_dir() / "qa_unanswered.json"
        self.path = Path(path)

    def _read(self) -> dict[str, list[str]]:
        try:
            data = json.loads(self.path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return {}
        return data if isinstance(data, dict) else {}

    def add(self, key: str, question: str) -> None:
        with self._lock:
            data = self._read()
            asked = data.setdefault(key, [])
            if question not in asked:
                asked.append(question)
                self.path.parent.mkdir(parents=True, exist_ok=True)
                tmp = self.path.with_suffix(".tmp")
                tmp.write_text(json.dumps(data, indent=1, ensure_ascii=False), encoding="utf-8")
                tmp.replace(self.path)

    def questions(self, key: str) -> list[str]:
        return list(self._read().get(key, []))


# --- command line ------------------------------------------------------------------------

def _cmd_ask(args) -> int:
    import sys

    product = Product.from_json_file(args.product)
    log = UnansweredLog()
    answers = ask(product, args.questions, writer=args.writer, device=args.device, log=log)
    for answer in answers:
        if args.json:
            continue
        print(answer.text)
        for fact in answer.facts:
            print(f"  fact: {fact}")
        if answer.suggestion:
            print(f"  {answer.suggestion}", file=sys.stderr)
    if args.json:
        print(json.dumps([a.to_dict() for a in answers], indent=2, ensure_ascii=False))
    if args.voice:
        speak(" ".join(a.text for a in answers), args.voice)
        print(f"-> {args.voice}", file=sys.stderr)
    return 0


def add_ask_subcommand(sub) -> None:
    """``python -m engine ask PRODUCT.json "Is it microwave safe?" ["and in black?" ...] [--voice OUT.wav]``."""
    parser = sub.add_parser("ask", help="answer shoppers' questions from the product's own facts")
    parser.add_argument("product", type=Path)
    parser.add_argument("questions", nargs="+", help="one or more questions, asked in order (follow-ups allowed)")
    parser.add_argument("--voice", type=Path, default=None, help="also speak the answers into this WAV")
    parser.add_argument("--writer", choices=WRITERS, default=DEFAULT_WRITER,
                        help="template (the facts said back) or lm (reworded, checked, template on failure)")
    parser.add_argument("--json", action="store_true", help="answers with their facts as JSON")
    parser.set_defaults(func=_cmd_ask)
