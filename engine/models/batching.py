"""Concurrent requests share one decode: a short gathering window, then one batched ``generate``.

Every ``LanguageModel.stream`` call is decoded here. Decoding on a CPU (and on a GPU) is bound by
reading the weights once per token, so eight prompts decoded together cost little more than one:
with request batching on (the studio server), the calls of several users that arrive within
``window_s`` become rows of one ``model.generate``, each row streaming to its own caller as it
grows and ending for that caller as soon as it is done. Off (the default, and ``--no-batching``),
calls are decoded one at a time.

Each request keeps its own prompt, seed, temperature, top-p, token budget, stop tokens and
grounded-decoding rules: ``RowSampler``, the last logits processor, applies a row's own rules
and warpers (in transformers' own order and with its defaults) and draws its next token with the
row's own ``torch.Generator``, then hands ``generate`` (running greedy) a score that leaves only
that token. So a request writes the same text alone or batched: left padding changes no token with
float16 weights, whose activations stay float32 (tests/test_request_batching.py; the same text as
transformers' own sampling with ``torch.manual_seed``, checked when this replaced it).

Rows are batched with rows of the same model and the same kind of input (token ids, or
embeddings with a fusion prefix). ``engine.batch`` decodes a catalog's products through
``decode_together`` too.
"""
from __future__ import annotations

import atexit
import queue
import threading
import time
from dataclasses import dataclass, field
from typing import Iterator

import torch

# transformers samples from the 50 likeliest tokens unless told otherwise: kept, so the text is what
# generate(do_sample=True) wrote for the same seed before this decoder replaced it.
SAMPLING_TOP_K = 50
DEFAULT_WINDOW_S = 0.05
DEFAULT_MAX_BATCH = 8
SIZES_KEPT = 1000
_config = {"enabled": False, "window_s": DEFAULT_WINDOW_S, "max_batch": DEFAULT_MAX_BATCH}


def set_request_batching(enabled: bool, window_s: float = DEFAULT_WINDOW_S, max_batch: int = DEFAULT_MAX_BATCH) -> None:
    """Batch concurrent ``LanguageModel.stream`` calls (the studio server turns this on)."""
    _config.update(enabled=bool(enabled), window_s=float(window_s), max_batch=max(1, int(max_batch)))


def request_batching() -> dict:
    return dict(_config)


@dataclass(eq=False)
class Request:
    """One caller's generation: its prompt and every setting that is its own."""

    input_ids: torch.Tensor  # (1, L)
    max_new_tokens: int
    min_new_tokens: int
    temperature: float
    top_p: float
    seed: int
    stop_ids: frozenset[int]  # end of text, plus line breaks for a one-line field
    prefix_embeds: torch.Tensor | None = None  # (1, k, D): a fusion prefix before the prompt
    processor: object | None = None  # the request's grounded-decoding processor (one row)
    pieces: queue.Queue = field(default_factory=queue.Queue)  # text pieces, then None (or an exception)
    abandoned: threading.Event = field(default_factory=threading.Event)
    tokens: list[int] = field(default_factory=list)
    finishing: bool = False  # the token chosen last ends this row
    closed: bool = False  # the caller has its last piece
    sent: str = ""

    def close(self, error: BaseException | None = None) -> None:
        if not self.closed:
            self.closed = True
            self.pieces.put(error)


def left_pad(sequences: list[torch.Tensor], pad_value) -> tuple[torch.Tensor, torch.Tensor]:
    """(1, L_i[, D]) tensors -> (B, L[, D]) left-padded, plus the attention mask."""
    longest = max(s.shape[1] for s in sequences)
    rows, masks = [], []
    for s in sequences:
        missing = longest - s.shape[1]
        pad = torch.full((1, missing, *s.shape[2:]), pad_value, dtype=s.dtype, device=s.device)
        rows.append(torch.cat([pad, s], dim=1))
        masks.append(torch.cat([torch.zeros(1, missing, dtype=torch.long), torch.ones(1, s.shape[1], dtype=torch.long)], 1))
    return torch.cat(rows), torch.cat(masks).to(sequences[0].device)


class RowSampler:
    """The last logits processor: every row's own rules, warpers and random draws."""

    def __init__(self, rows: list[Request], offsets: list[int], eos_id: int, device: torch.device):
        from transformers import TemperatureLogitsWarper, TopKLogitsWarper, TopPLogitsWarper

        self.rows, self.offsets, self.eos_id = rows, offsets, eos_id
        self.warpers, self.generators = [], []
        for row in rows:
            warpers = []
            if row.temperature > 0:  # the order and thresholds of transformers' own sampling
                if row.temperature != 1.0:
                    warpers.append(TemperatureLogitsWarper(row.temperature))
                warpers.append(TopKLogitsWarper(SAMPLING_TOP_K))
                if row.top_p < 1.0:
                    warpers.append(TopPLogitsWarper(row.top_p))
            self.warpers.append(warpers)
            self.generators.append(torch.Generator(device=device).manual_seed(row.seed))

    def __call__(self, input_ids: torch.LongTensor, scores: torch.FloatTensor) -> torch.FloatTensor:
        chosen = torch.full_like(scores, -float("inf"))
        for index, row in enumerate(self.rows):
            if row.finishing or row.abandoned.is_set():  # done: pad with end-of-text until the batch ends
                row.finishing = True
                chosen[index, self.eos_id] = 0.0
                continue
            own_ids = input_ids[index:index + 1, self.offsets[index]:]  # without the left padding
            own = scores[index:index + 1].clone()
            if len(row.tokens) < row.min_new_tokens:
                own[:, [self.eos_id]] = -float("inf")
            if row.processor is not None:
                own = row.processor(own_ids, own)
            if row.temperature > 0:
                for warper in self.warpers[index]:
                    own = warper(own_ids, own)
                probs = torch.nn.functional.softmax(own, dim=-1)
                token = int(torch.multinomial(probs, num_samples=1, generator=self.generators[index]))
            else:
                token = int(torch.argmax(own, dim=-1))
            chosen[index, token] = 0.0
            if token in row.stop_ids or len(row.tokens) + 1 >= row.max_new_tokens:
                row.finishing = True
        return chosen


class RowStreamer:
    """``generate``'s streamer: each row's new text to its own caller; a finished row is closed at once."""

    def __init__(self, rows: list[Request], tokenizer):
        self.rows, self.tokenizer = rows, tokenizer
        self.prompt_seen = False

    def put(self, value: torch.Tensor) -> None:
        if not self.prompt_seen:  # generate first hands over the prompt
            self.prompt_seen = True
            return
        for row, token in zip(self.rows, value.reshape(-1).tolist()):
            if row.closed:
                continue
            row.tokens.append(token)
            self._send(row)
            if row.finishing:
                row.close()

    def end(self) -> None:
        for row in self.rows:
            if not row.closed:
                self._send(row, final=True)
                row.close()

    def _send(self, row: Request, final: bool = False) -> None:
        text = self.tokenizer.decode(row.tokens, skip_special_tokens=True)
        if text.endswith("\ufffd") and not final:  # half of a multi-byte character: wait for the rest
            return
        if text.startswith(row.sent) and len(text) > len(row.sent):
            row.pieces.put(text[len(row.sent):])
            row.sent = text


class RequestBatcher:
    """Gathers one language model's concurrent requests and decodes them in batches."""

    def __init__(self, lm):
        self.lm = lm
        self.pending: queue.Queue[Request] = queue.Queue()
        self.sizes: list[int] = []  # rows per recent decode (the last SIZES_KEPT), for tests and benchmarks
        self._worker: threading.Thread | None = None
        self._start = threading.Lock()

    def stream(self, request: Request) -> Iterator[str]:
        self._ensure_worker()
        self.pending.put(request)
        try:
            while True:
                piece = request.pieces.get()
                if piece is None:
                    return
                if isinstance(piece, BaseException):
                    raise piece
                yield piece
        finally:  # a caller that stops reading frees its row at the next token
            request.abandoned.set()

    def _ensure_worker(self) -> None:
        with self._start:
            if self._worker is None or not self._worker.is_alive():
                self._worker = threading.Thread(target=self._serve, name="request-batcher", daemon=True)
                self._worker.start()
                # A daemon thread that has run torch and is still alive at exit aborts the process
                # ("terminate called without an active exception"): end it first.
                atexit.register(self._stop)

    def _stop(self) -> None:
        self.pending.put(None)
        if self._worker is not None:
            self._worker.join(timeout=5)

    def _serve(self) -> None:
        while True:
            first = self.pending.get()
            if first is None:
                return
            batch = [first]
            # Read each time: the server turns batching on after models may have loaded. Off, one at a time.
            window, most = (_config["window_s"], _config["max_batch"]) if _config["enabled"] else (0.0, 1)
            deadline = time.monotonic() + window
            while len(batch) < most:
                remaining = deadline - time.monotonic()
                try:
                    request = self.pending.get(timeout=remaining) if remaining > 0 else self.pending.get_nowait()
                except queue.Empty:
                    break
                if request is None:  # stopping: finish what was gathered, then end
                    self.pending.put(None)
                    break
                batch.append(request)
            for request in batch:
                if request.abandoned.is_set():  # its caller left while it waited
                    request.close()
            batch = [r for r in batch if not r.closed]
            if batch:
                self.sizes.append(len(batch))
                del self.sizes[:-SIZES_KEPT]  # a server runs for weeks: keep a window, not a history
                decode_together(self.lm, batch)

def decode_together(lm, requests: list[Request]) -> None:
    """Decode ``requests`` together with ``lm``, each with its own prompt, seed and settings: their text
    streams into each request's ``pieces`` and its tokens into ``tokens``. Requests with a fusion prefix
    and without one are decoded as two batches. An error closes every request of its batch with it."""
    groups: dict[bool, list[Request]] = {}
    for request in requests:
        groups.setdefault(request.prefix_embeds is not None, []).append(request)
    for rows in groups.values():
        try:
            _decode(lm, rows)
        except BaseException as exc:  # every caller of this batch gets the error; the others go on
            for row in rows:
                row.close(exc)


def _decode(lm, rows: list[Request]) -> None:
    from transformers import LogitsProcessorList, StoppingCriteria, StoppingCriteriaList

    from engine.models.language import NO_REPEAT_NGRAM, REPETITION_PENALTY

    tokenizer = lm.tokenizer
    eos_id = tokenizer.eos_token_id
    pad_id = tokenizer.pad_token_id if tokenizer.pad_token_id is not None else eos_id

    class AllAbandoned(StoppingCriteria):
        def __call__(self, input_ids, scores, **kwargs):
            return all(row.abandoned.is_set() for row in rows)

    if rows[0].prefix_embeds is None:
        inputs, mask = left_pad([r.input_ids.to(lm.device) for r in rows], pad_id)
        offsets = [inputs.shape[1] - r.input_ids.shape[1] for r in rows]
        model_inputs = dict(input_ids=inputs, attention_mask=mask)
    else:  # generate then returns only new tokens, and processors see only those
        embed = lm.model.get_input_embeddings()
        sequences = []
        for r in rows:
            embeds = embed(r.input_ids.to(lm.device))
            sequences.append(torch.cat([r.prefix_embeds.to(embeds.dtype).to(lm.device), embeds], dim=1))
        inputs, mask = left_pad(sequences, 0.0)
        offsets = [0] * len(rows)
        model_inputs = dict(inputs_embeds=inputs, attention_mask=mask)
    with lm._lock, torch.inference_mode():  # the LM's own lock: one generate at a time per model
        lm.model.generate(
            **model_inputs,
            max_new_tokens=max(r.max_new_tokens for r in rows) + 1,  # +1: room for a row's closing pad
            repetition_penalty=REPETITION_PENALTY, no_repeat_ngram_size=NO_REPEAT_NGRAM,
            do_sample=False, pad_token_id=pad_id, eos_token_id=eos_id,
            logits_processor=LogitsProcessorList([RowSampler(rows, offsets, eos_id, lm.device)]),
            stopping_criteria=StoppingCriteriaList([AllAbandoned()]),
            streamer=RowStreamer(rows, tokenizer),
        )


def batcher_for(lm) -> RequestBatcher:
    """The batcher of one loaded model (one per model: rows of two models never share a decode)."""
    if lm._batcher is None:
        lm._batcher = RequestBatcher(lm)
    return lm._batcher
