"""Concurrent requests share one running decode: rows join and leave it between tokens.

Every ``LanguageModel.stream`` call is decoded here. Decoding on a CPU (and on a GPU) is bound by
reading the weights once per token, so a step for eight rows costs about 1.5x a step for one (float16
weights, this CPU). With request batching on (the studio server), a request that arrives while
others are being decoded is prefilled on its own and joins the running batch at the next token; a
row that is done leaves at once, streams its last piece to its caller and frees its place
(continuous batching). Nobody waits for the longest description of a batch to start their title.
An idle decoder gives requests ``window_s`` to arrive together, so that they prefill together. Off
(the default, and ``--no-batching``), requests are decoded one at a time. Which one a decoder does is a
``RequestBatching`` its Studio hands it.

Each request keeps its own prompt, seed, temperature, top-p, token budget, stop tokens and
grounded-decoding rules: ``RowSampler`` applies a row's own rules and warpers, in transformers' own
order and with its defaults, to that row's logits and draws its next token with the row's own
``torch.Generator``. So a request writes the same text alone or batched (tests/test_request_batching.py),
and the same text ``model.generate`` wrote before this loop replaced it.

The loop is ours rather than ``model.generate`` because ``generate`` takes a fixed batch: rows cannot
join it, and a finished row still costs a place until the longest one ends. The batch's key/value
cache is left-padded: a joining row's cache is padded on the left (or the batch's is) to the same
length, and columns that only padding uses are dropped when rows leave. ``engine.workflows.batch`` runs a
catalog's products through ``Studio.generate`` at once, so their calls meet in this loop too.

A row decoding alone (a single user: the common case on a CPU box) is stepped by the lean decoder
(engine/models/lean.py) instead: a static key/value cache and the layers written out without
transformers' per-layer Python, bitwise the same logits. The batch hands its cache to it when one row
is left, and takes it back (``export``) when another row joins. At precision ``int8`` that decoder is
``Int8Decoder`` (engine/models/int8_step.py: one ONNX Runtime graph a token, 8-bit weights), with the same
hand-off; it only produces the logits, and every row rule above is applied to them as to any other.
"""
from __future__ import annotations

import atexit
import queue
import threading
import time
from dataclasses import dataclass, field
from typing import Iterator

import torch
import torch.nn.functional as F

# transformers samples from the 50 likeliest tokens unless told otherwise: kept, so the text is what
# generate(do_sample=True) wrote for the same seed before this decoder replaced it.
SAMPLING_TOP_K = 50
# Mild: copy that names the product twice is normal; 1.05 beat 1.15 and 1.0 on held-out
# descriptions (docs/EVALUATION.md). No 4-word phrase is said twice.
REPETITION_PENALTY = 1.05
NO_REPEAT_NGRAM = 4
DEFAULT_WINDOW_S = 0.05
DEFAULT_MAX_BATCH = 8
SIZES_KEPT = 1000


class RequestBatching:
    """How a model's decoder takes requests: batched (``enabled``; up to ``max_batch`` rows, an idle decoder
    waiting ``window_s`` for more so that they prefill together) or one at a time. A ``Studio`` holds one and
    hands it to the decoder of each model it writes with (``batcher_for(lm, options)``); a Batch run widens it
    while it writes (``engine.workflows.batch.decoding_together``). The decoder reads it before each join, so a
    change applies from the next request on. Thread-safe."""

    def __init__(self, enabled: bool = False, window_s: float = DEFAULT_WINDOW_S, max_batch: int = DEFAULT_MAX_BATCH):
        self._lock = threading.Lock()
        self.set(enabled, window_s, max_batch)

    def set(self, enabled: bool, window_s: float = DEFAULT_WINDOW_S, max_batch: int = DEFAULT_MAX_BATCH) -> None:
        with self._lock:
            self.enabled, self.window_s, self.max_batch = bool(enabled), float(window_s), max(1, int(max_batch))

    def as_dict(self) -> dict:
        with self._lock:
            return {"enabled": self.enabled, "window_s": self.window_s, "max_batch": self.max_batch}

    def __repr__(self) -> str:
        return f"RequestBatching({self.as_dict()})"


# What a decoder follows when nobody gave it options: a Studio made without ``request_batching``, and the
# models loaded outside a Studio (the Q&A workflow's). Off, as the CLI and the Python API decode.
DEFAULT_BATCHING = RequestBatching()


def set_request_batching(enabled: bool, window_s: float = DEFAULT_WINDOW_S, max_batch: int = DEFAULT_MAX_BATCH) -> None:
    """Deprecated: give a ``Studio`` its own ``RequestBatching`` (``Studio(request_batching=...)``). Sets
    ``DEFAULT_BATCHING``, which decoders follow when nobody gave them options. ``window_s``: how long an idle
    decoder waits for more requests before it starts, so that they prefill together."""
    DEFAULT_BATCHING.set(enabled, window_s, max_batch)


def request_batching() -> dict:
    """``DEFAULT_BATCHING`` as a dict (``enabled``, ``window_s``, ``max_batch``)."""
    return DEFAULT_BATCHING.as_dict()


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
    """One row's next token: its own rules and warpers applied to its logits, then its own random draw.

    The order is ``generate``'s: repetition penalty, no repeated n-gram, the least length, the row's
    grounded-decoding rules, then temperature, top-k and top-p. The rules see the ids ``generate``
    showed them: prompt and new tokens for a prompt of token ids, the new tokens alone after a fusion
    prefix (embeddings have no ids)."""

    def __init__(self, request: Request, eos_id: int, device: torch.device):
        from transformers import (NoRepeatNGramLogitsProcessor, RepetitionPenaltyLogitsProcessor,
                                  TemperatureLogitsWarper, TopKLogitsWarper, TopPLogitsWarper)


        self.request, self.eos_id = request, eos_id
        self.seen = [] if request.prefix_embeds is not None else request.input_ids.reshape(-1).tolist()
        self.rules = [RepetitionPenaltyLogitsProcessor(REPETITION_PENALTY), NoRepeatNGramLogitsProcessor(NO_REPEAT_NGRAM)]
        self.warpers = []
        if request.temperature > 0:
            if request.temperature != 1.0:
                self.warpers.append(TemperatureLogitsWarper(request.temperature))
            self.warpers.append(TopKLogitsWarper(SAMPLING_TOP_K))
            if request.top_p < 1.0:
                self.warpers.append(TopPLogitsWarper(request.top_p))
        self.generator = torch.Generator(device=device).manual_seed(request.seed)
        self.device = device

    def choose(self, logits: torch.Tensor) -> int:
        """The next token from this row's (1, V) float32 logits."""
        row = self.request
        ids = torch.tensor([self.seen], dtype=torch.long, device=self.device)
        scores = logits
        for rule in self.rules:
            scores = rule(ids, scores)
        if len(row.tokens) < row.min_new_tokens:
            scores[:, [self.eos_id]] = -float("inf")
        if row.processor is not None:
            scores = row.processor(ids, scores)
        if row.temperature > 0:
            for warper in self.warpers:
                scores = warper(ids, scores)
            probs = F.softmax(scores, dim=-1)
            token = int(torch.multinomial(probs, num_samples=1, generator=self.generator))
        else:
            token = int(torch.argmax(scores, dim=-1))
        self.seen.append(token)
        return token


@dataclass(eq=False)
class _Row:
    request: Request
    sampler: RowSampler
    done: bool = False


class RunningBatch:
    """The rows being decoded together by one model, their left-padded key/value cache and its mask."""

    def __init__(self, lm):
        self.lm = lm
        self.rows: list[_Row] = []
        self.cache = None  # the first rows to join bring theirs (``_merge``)
        self.lean = None  # the single-row decoder (lean or int8), while it holds the cache of a row alone (``_lean``)
        self.mask = torch.zeros(0, 0, dtype=torch.long, device=lm.device)
        self.last = torch.zeros(0, 1, dtype=torch.long, device=lm.device)  # each row's newest token

    def __len__(self) -> int:
        return len(self.rows)

    def join(self, requests: list[Request]) -> None:
        """Prefill ``requests`` (token-id prompts and fusion-prefix prompts apart), choose their first
        tokens and add them to the batch. An error closes these requests only."""
        groups: dict[bool, list[Request]] = {}
        for request in requests:
            groups.setdefault(request.prefix_embeds is not None, []).append(request)
        for group in groups.values():
            try:
                cache, mask, logits = self._prefill(group)
                rows = [_Row(r, RowSampler(r, self.lm.tokenizer.eos_token_id, self.lm.device)) for r in group]
                first = [self._advance(row, logits[i:i + 1]) for i, row in enumerate(rows)]
            except BaseException as exc:
                for request in group:
                    request.close(exc)
                continue
            self._merge(rows, cache, mask, first)
        self._leave()

    def step(self) -> None:
        """One token for every row; rows that are done (or whose caller left) leave the batch."""
        if not self.rows:
            return
        self.mask = torch.cat([self.mask, torch.ones(len(self.rows), 1, dtype=torch.long, device=self.mask.device)], 1)
        lean = self._lean()
        with self.lm.lock, torch.inference_mode():
            if lean is not None:
                logits = lean.step(int(self.last[0, 0]))
            else:
                positions = self.mask.sum(1, keepdim=True) - 1
                logits = self.lm.model(input_ids=self.last, attention_mask=self.mask, position_ids=positions,
                                       cache=self.cache, use_cache=True).logits[:, -1].float()
        self.last = torch.tensor([[self._advance(row, logits[i:i + 1])] for i, row in enumerate(self.rows)],
                                 dtype=torch.long, device=self.lm.device)
        self._leave()

    def fail(self, error: BaseException) -> None:
        for row in self.rows:
            row.request.close(error)
        self.rows = []

    # -- the parts ---------------------------------------------------------------------------
    def _lean(self):
        """The single-row decoder when one row decodes alone (it takes over the row's cache), else None."""
        if self.lean is not None:
            return self.lean
        if len(self.rows) != 1 or self.cache is None:
            return None
        lean = single_row_decoder(self.lm)
        if lean is None or not bool(self.mask.all()):
            return None  # no lean step for this model (or a row still behind padding)
        request = self.rows[0].request
        lean.load(self.cache, need=self.mask.shape[1] + request.max_new_tokens - len(request.tokens))
        self.lean, self.cache = lean, None
        return lean

    def _take_back(self) -> None:
        """The single-row decoder's cache back as transformers' (other rows join, or the row is done)."""
        if self.lean is not None:
            self.cache = self.lean.export() if self.rows else None
            self.lean = None

    def _prefill(self, group: list[Request]):
        from transformers import DynamicCache

        lm = self.lm
        pad_id = lm.tokenizer.pad_token_id if lm.tokenizer.pad_token_id is not None else lm.tokenizer.eos_token_id
        with lm.lock, torch.inference_mode():
            if group[0].prefix_embeds is None:
                inputs, mask = left_pad([r.input_ids.to(lm.device) for r in group], pad_id)
                model_inputs = dict(input_ids=inputs)
            else:
                embed = lm.model.get_input_embeddings()
                sequences = []
                for r in group:
                    embeds = embed(r.input_ids.to(lm.device))
                    sequences.append(torch.cat([r.prefix_embeds.to(embeds.dtype).to(lm.device), embeds], dim=1))
                inputs, mask = left_pad(sequences, 0.0)
                model_inputs = dict(inputs_embeds=inputs)
            positions = (mask.cumsum(1) - 1).clamp(min=0)
            cache = DynamicCache(config=lm.model.config)
            # A prompt without padding needs no mask (transformers then takes its causal fast path).
            logits = lm.model(**model_inputs, attention_mask=None if bool(mask.all()) else mask, position_ids=positions,
                              cache=cache, use_cache=True, logits_to_keep=1).logits[:, -1].float()
        return cache, mask, logits

    def _advance(self, row: _Row, logits: torch.Tensor) -> int:
        """Choose the row's next token, stream its text, and mark it done at a stop, its budget or its caller's leaving."""
        request = row.request
        if request.abandoned.is_set():
            row.done = True
            return self.lm.tokenizer.eos_token_id
        try:
            token = row.sampler.choose(logits.clone())
        except Exception as exc:  # this row's own rules failed: its caller gets the error, the other rows go on
            request.close(exc)
            row.done = True
            return self.lm.tokenizer.eos_token_id
        request.tokens.append(token)
        row.done = token in request.stop_ids or len(request.tokens) >= request.max_new_tokens
        self._send(request, final=row.done)
        return token

    def _send(self, request: Request, final: bool = False) -> None:
        text = self.lm.tokenizer.decode(request.tokens, skip_special_tokens=True)
        if text.endswith("\ufffd") and not final:  # half of a multi-byte character: wait for the rest
            return
        if text.startswith(request.sent) and len(text) > len(request.sent):
            request.pieces.put(text[len(request.sent):])
            request.sent = text

    def _merge(self, rows: list[_Row], cache, mask: torch.Tensor, first: list[int]) -> None:
        """Add freshly prefilled rows: both caches are left-padded to one length and stacked."""
        self._take_back()
        if not self.rows:
            self.rows, self.cache, self.mask = rows, cache, mask
            self.last = torch.tensor([[t] for t in first], dtype=torch.long, device=self.lm.device)
            return
        length = max(self.mask.shape[1], mask.shape[1])
        for mine, theirs in zip(self.cache.layers, cache.layers):
            mine.keys = torch.cat([_pad_to(mine.keys, length), _pad_to(theirs.keys, length)])
            mine.values = torch.cat([_pad_to(mine.values, length), _pad_to(theirs.values, length)])
        self.mask = torch.cat([_pad_to(self.mask, length, dim=1), _pad_to(mask, length, dim=1)])
        self.last = torch.cat([self.last, torch.tensor([[t] for t in first], dtype=torch.long, device=self.lm.device)])
        self.rows += rows

    def _leave(self) -> None:
        """Close the rows that are done, drop them from the cache, and drop columns only padding uses."""
        keep = [i for i, row in enumerate(self.rows) if not row.done]
        for row in self.rows:
            if row.done:
                row.request.close()
        if len(keep) == len(self.rows):
            return
        self.rows = [self.rows[i] for i in keep]
        if not keep:
            self.mask, self.last = self.mask[:0, :0], self.last[:0]
            self.cache, self.lean = None, None
            return
        index = torch.tensor(keep, device=self.mask.device)
        self.mask, self.last = self.mask[index], self.last[index]
        start = int((self.mask.sum(0) > 0).nonzero()[0])  # the first column any remaining row uses
        self.mask = self.mask[:, start:]
        for layer in self.cache.layers:
            layer.keys, layer.values = layer.keys[index, :, start:], layer.values[index, :, start:]


def single_row_decoder(lm):
    """What steps a row decoding alone: the int8 graph at precision ``int8`` (``Int8Decoder``), else the lean
    float16/float32 step where it computes the model exactly and lean decoding is on, else None (transformers'
    own step). ``set_lean_decoding`` switches the lean step only: the int8 step is what precision int8 means.
    Both take ``load(cache, need)``, ``step(token) -> (1, V) float32 logits`` and ``export()``."""
    if lm.precision == "int8":
        from engine.models.int8_step import int8_decoder

        return int8_decoder(lm)
    from engine.models.lean import lean_decoder

    return lean_decoder(lm)


def _pad_to(tensor: torch.Tensor, length: int, dim: int = 2) -> torch.Tensor:
    """Left-pad ``tensor`` with zeros along ``dim`` (a cache's time axis, or a mask's) to ``length``."""
    missing = length - tensor.shape[dim]
    if missing == 0:
        return tensor
    pad = [0, 0] * (tensor.dim() - 1 - dim) + [missing, 0]
    return F.pad(tensor, pad)


class RequestBatcher:
    """One language model's decoder: a worker thread that keeps one running batch."""

    def __init__(self, lm, options: RequestBatching | None = None):
        self.lm = lm
        self.options = options or DEFAULT_BATCHING  # read before each join: a change applies from the next request
        self.pending: queue.Queue[Request] = queue.Queue()
        self.sizes: list[int] = []  # rows decoding together after each join (the last SIZES_KEPT), for tests and benchmarks
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
        batch = RunningBatch(self.lm)
        stopping = False
        while not (stopping and not batch):
            joining, stopping = self._gather(len(batch), wait=not batch and not stopping, stopping=stopping)
            if joining:
                batch.join(joining)
                if batch:
                    self.sizes.append(len(batch))
                    del self.sizes[:-SIZES_KEPT]  # a server runs for weeks: keep a window, not a history
            try:
                batch.step()
            except BaseException as exc:  # every caller of this batch gets the error; the decoder goes on
                batch.fail(exc)

    def _gather(self, running: int, wait: bool, stopping: bool) -> tuple[list[Request], bool]:
        """New requests for the places the ``running`` rows leave. An idle decoder blocks for the first, then
        gives others the gathering window to arrive, so that they prefill together."""
        def places() -> int:  # read each time: a batch run widens the options while the decoder waits
            options = self.options.as_dict()
            return (options["max_batch"] if options["enabled"] else 1) - running

        joining: list[Request] = []
        if stopping or places() <= 0:
            return joining, stopping
        deadline = None
        while len(joining) < places():
            try:
                if wait and not joining:
                    request = self.pending.get()
                    options = self.options.as_dict()  # what holds when the first request arrives
                    deadline = time.monotonic() + (options["window_s"] if options["enabled"] else 0.0)
                elif deadline is not None and deadline > time.monotonic():
                    request = self.pending.get(timeout=deadline - time.monotonic())
                else:
                    request = self.pending.get_nowait()
            except queue.Empty:
                break
            if request is None:  # stopping: finish the rows in flight, then end
                stopping = True
                break
            if request.abandoned.is_set():  # its caller left while it waited
                request.close()
                continue
            joining.append(request)
        return joining, stopping


_MAKING = threading.Lock()


def batcher_for(lm, options: RequestBatching | None = None) -> RequestBatcher:
    """The decoder of one loaded model (one per model: rows of two models never share a decode). ``options``:
    the ``RequestBatching`` it follows from now on (a Studio passes its own); None leaves it as it is
    (``DEFAULT_BATCHING`` for a new one). The loaders share a model in a process, and so its decoder:
    Studios with different options that write with the same model share the options of the last to write."""
    with _MAKING:
        if lm.batcher is None:
            lm.batcher = RequestBatcher(lm, options)
        elif options is not None:
            lm.batcher.options = options
    return lm.batcher
