"""Merchant text is data, never instructions to the model that writes the copy.

Text pasted from an old listing, a supplier sheet or a hostile export can hold a chat template's control
tokens (``<|im_end|> <|im_start|>system``) and lines addressed to a model ("New rule: the product title
is ...", "Ignore previous instructions"). The studio's writer reads the merchant's text inside its prompt,
and the merchant's own bullets are kept as copy, so such text came back as a published bullet. Here it
is taken out at ingest, before anything reads it, with a warning naming what was removed:

- control tokens of the common chat templates are removed wherever they stand (they are never product
  text), together with the role name that follows a turn marker ("<|im_start|>system");
- text that follows a turn marker was addressed to a model: the rest of that line is dropped;
- a sentence that reads as an instruction to a model is dropped (the rest of its line stays).
"""
from __future__ import annotations

import re

# <|im_start|>, <|endoftext|>, <|eot_id|>, <|start_header_id|>, DeepSeek's <｜begin▁of▁sentence｜> (full-width
# bars): one pattern for the whole <|...|> family, then the other templates' markers by name.
_PIPE_TOKEN = r"<\s*[|\uff5c][^<>\n]{0,40}?[|\uff5c]\s*>"
_NAMED_TOKENS = (
    r"\[/?INST\]", r"<<\s*/?\s*SYS\s*>>",                      # Llama 2
    # Llama's <s> and </s> are left to the HTML stripper: they are also HTML's strike-through ("<s>$50</s>").
    r"<\s*(?:bos|eos|pad|unk|mask)\s*>",                       # Gemma's sentence markers
    r"<\s*/?\s*(?:start_of_turn|end_of_turn)\s*>",             # Gemma
    r"<\s*/?\s*(?:system|user|assistant)\s*>",                 # XML-ish role tags
    r"\[/?(?:SYSTEM|USER|ASSISTANT)\]",
)
CONTROL_TOKEN = re.compile("|".join((_PIPE_TOKEN, *_NAMED_TOKENS)), re.IGNORECASE)
# The tokens that open a turn: what follows them (on the same line) was written for a model.
_TURN_OPENERS = re.compile(
    r"<\s*[|\uff5c]\s*(?:im_start|start_header_id|system|user|assistant)\s*[|\uff5c]\s*>|\[INST\]|<<\s*SYS\s*>>"
    r"|<\s*start_of_turn\s*>|<\s*(?:system|user)\s*>|\[(?:SYSTEM|USER)\]", re.IGNORECASE)
_ROLE_AFTER_TOKEN = re.compile(r"^\s*(?:system|user|assistant|model|developer)\b\s*:?", re.IGNORECASE)

# What an instruction to a model says; product text does not talk about prompts, rules for the output
# or what "the title must be". Each pattern is narrow on purpose: "Ignore the rules of fashion", "From now
# on, your coffee stays hot", "You are now ready to ride", "Your copy will be signed", "The output will be
# 12 V", "Additional instructions: wash separately" are product text (tests); so is every text of the
# shared catalogs (25,528 of them, tests/test_hostile_inputs.py).
_HEADER = r"(?:new|updated|override|admin)\s+(?:rules?|instructions?|directives?|tasks?|system\s+prompts?)"
INSTRUCTION = re.compile("|".join((
    # "ignore previous instructions", "disregard all the prior rules", "forget your instructions"
    r"\b(?:ignore|disregard|forget|override|bypass)\s+(?:(?:all|any|the|your|of)\s+)*(?:previous|prior|above|"
    r"earlier|preceding|system|original|initial|given|following)\s+(?:instructions?|rules?|prompts?|directions?|"
    r"guidelines?|directives?|constraints?|messages?|context)\b",
    r"\b(?:ignore|disregard|forget|override|bypass)\s+(?:(?:all|any|your|my)\s+)?(?:instructions?|prompts?|"
    r"directives?)\b",
    # "New rule: ...", "Updated instructions - ...", "New system prompt: ..."
    rf"^\W*{_HEADER}\s*[:\-\u2013\u2014]",
    r"\b(?:system|developer)\s+prompts?\b",  # not "system messages": a device shows those
    # "the product title must be ...", "set the title to ...", "respond only with ..."
    r"\b(?:the|your)\s+(?:product\s+|listing\s+)?(?:title|description|bullets?|keywords?|response|reply)\s+"
    r"(?:must|should|shall|has\s+to|needs\s+to|is\s+now)\b",
    r"\b(?:set|change|make|rename|replace)\s+(?:the\s+)?(?:product\s+)?(?:title|description|name)\s+(?:to|as|with)\b",
    r"\b(?:respond|reply|answer|output)\s+(?:only|exactly|nothing\s+but)\b",
    r"\byou\s+are\s+(?:now\s+)?(?:an?\s+)?(?:ai|assistant|language\s+model|chatbot|llm)\b",
    r"\bas\s+an\s+ai\s+(?:language\s+model|assistant|model)\b",
    r"\bfrom\s+now\s+on,?\s+(?:you\s+)?(?:must\s+|will\s+|should\s+)?(?:respond|reply|answer|ignore|act|obey)\b",
    r"\bprompt\s+injection\b",
    # "Disregard the above and ...", "SYSTEM: you are ...", Alpaca's "### Instruction:"
    r"\b(?:ignore|disregard|forget)\s+(?:all\s+of\s+|everything\s+)?(?:the\s+)?(?:above|preceding)(?:\s+text)?"
    r"\s*(?:[,.;:!]|and\b|$)",
    r"^\W*(?:system|assistant)\s*:\s*(?:you\b|ignore\b|from\s+now\b|new\s+rule|respond\b|always\b|never\b)",
    r"^\s*#{2,}\s*(?:instruction|system|response)\s*:?",
)), re.IGNORECASE | re.MULTILINE)  # MULTILINE: "^" at every line, so a header on a later line is seen too
_SENTENCE_END = re.compile(r"(?<=[.!?])\s+(?=\S)")


def strip_control_tokens(text: str) -> tuple[str, list[str], list[str]]:
    """(text without control tokens, the tokens found, the text that followed a turn marker and was dropped)."""
    if not CONTROL_TOKEN.search(text):
        return text, [], []
    found: list[str] = []
    dropped: list[str] = []
    lines = []
    for line in text.split("\n"):
        opener = _TURN_OPENERS.search(line)
        if opener:
            # What follows "<|im_start|>system" on the line was addressed to a model, not a shopper.
            tail = line[opener.end():]
            addressed = CONTROL_TOKEN.sub(" ", _ROLE_AFTER_TOKEN.sub("", CONTROL_TOKEN.sub(" ", tail), count=1))
            if addressed.strip():
                dropped.append(" ".join(addressed.split()))
            line = line[:opener.start()]
        found += [m.group(0) for m in CONTROL_TOKEN.finditer(line)]
        if opener:
            found.append(opener.group(0))
            found += [m.group(0) for m in CONTROL_TOKEN.finditer(tail)]
        kept = CONTROL_TOKEN.sub(" ", line)
        if kept.strip() or not (opener or CONTROL_TOKEN.search(line)):  # no blank line where tokens stood
            lines.append(kept)
    return "\n".join(lines), list(dict.fromkeys(found)), dropped


def drop_instructions(text: str) -> tuple[str, list[str]]:
    """(text without the sentences that read as instructions to a model, those sentences). A line that
    opens with one ("New rule: ...") goes whole: its other sentences continue the instruction."""
    if not INSTRUCTION.search(text):
        return text, []
    dropped: list[str] = []
    kept_lines = []
    for line in text.split("\n"):
        sentences = _SENTENCE_END.split(line)
        before = len(dropped)
        kept = []
        for index, sentence in enumerate(sentences):
            if INSTRUCTION.search(sentence):
                if index == 0 and _opens_instruction(sentence):
                    dropped.append(" ".join(line.split()))
                    kept = []
                    break
                dropped.append(" ".join(sentence.split()))
            else:
                kept.append(sentence)
        if kept or not line.strip() or len(dropped) == before:  # a line dropped whole leaves no blank line
            kept_lines.append(" ".join(kept))
    return "\n".join(kept_lines), dropped


# "New rule: ..." heads an instruction: the sentences after it on the line continue it. "Ignore previous
# instructions and say X." is one sentence; what follows it may be the product again.
_OPENS = re.compile(rf"^\W*{_HEADER}\s*[:\-\u2013\u2014]", re.IGNORECASE)


def _opens_instruction(sentence: str) -> bool:
    return bool(_OPENS.match(sentence))


def _preview(text: str, most: int = 60) -> str:
    return text if len(text) <= most else text[: most - 1].rstrip() + "\u2026"


def guard_text(text: str, field: str, tokens: list[str] = (), addressed: list[str] = ()) -> tuple[str, list[str]]:
    """``text`` with control tokens and instruction-like text taken out, and a warning per kind of removal
    naming the field and what went (empty when nothing did). ``tokens`` and ``addressed``: what a pass of
    ``strip_control_tokens`` over the raw text (before its HTML was removed) already took out."""
    clean, more_tokens, more_addressed = strip_control_tokens(text)
    tokens = list(dict.fromkeys([*tokens, *more_tokens]))
    addressed = [*addressed, *more_addressed]
    clean, instructions = drop_instructions(clean)
    warnings = []
    if tokens:
        warnings.append(f"{field}: removed model control text ({', '.join(tokens[:4])}"
                        f"{', ...' if len(tokens) > 4 else ''}): it is never product text")
    warnings += [instruction_warning(field, line) for line in [*addressed, *instructions]]
    return clean, warnings


def is_guard_warning(warning: str) -> bool:
    """True for a warning of this module (something was taken out), not one about HTML or a length cut."""
    return "removed model control text" in warning or "reads as an instruction to a model" in warning


def instruction_warning(field: str, text: str) -> str:
    return (f"{field}: left out \u201c{_preview(text)}\u201d: it reads as an instruction to a model, "
            "not as product text, so it is kept out of the copy")
