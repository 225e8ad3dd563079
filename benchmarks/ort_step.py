"""The lean step with ONNX Runtime's GEMMs: every float16 linear layer of the writer swapped for a one-node ORT
session (``MatMulNBits``, 8-bit or 4-bit weights, block 32, int8 arithmetic: the fastest kernels of
``decode.py --kernels``), the rest of the step (norms, RoPE, attention, the cache, every logits rule) the lean
step's own torch code. What the kernels buy in a real token, and whether the text stays the same:

    python benchmarks/ort_step.py [--bits 8] [--runs 5]

tokens/s = 128 / seconds of ``decode.py``'s greedy single-row run (50-token prompt, prefill included),
median of ``--runs``, the float16 (fbgemm) lean step and the ORT one alternating run by run; 1 thread.
This is a probe, not a path the studio serves: each layer is one ``run_with_iobinding`` from Python (q, k
and v apart: 271 a token, each with its copy in and out), where a whole-token ORT graph would pay none of the
lean step's Python.
"""
from __future__ import annotations

import argparse
import statistics

import numpy as np
import torch
from torch import nn

from decode import decoder_run, load_language_model, prompt_ids  # also puts the repo on sys.path
from engine.models.serving import Float16Linear
from ort_gemms import session


class OrtLinear(nn.Module):
    """A float16 linear layer's weights as an ORT ``MatMulNBits`` session: float32 in, float32 out."""

    def __init__(self, linear: Float16Linear, kernel: str):
        super().__init__()
        weight = torch.ops.quantized.linear_unpack_fp16(linear.packed)[0].numpy()
        self.in_features, self.out_features = linear.in_features, linear.out_features
        self.session, _ = session(weight, kernel)
        # one row (a decode step): bound buffers, no per-call allocation or name lookup
        self.row, self.out = torch.zeros(1, self.in_features), torch.zeros(1, self.out_features)
        self.binding = self.session.io_binding()
        self.binding.bind_input("x0", "cpu", 0, np.float32, (1, self.in_features), self.row.data_ptr())
        self.binding.bind_output("y0", "cpu", 0, np.float32, (1, self.out_features), self.out.data_ptr())

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        if x.numel() == self.in_features:
            self.row.copy_(x.reshape(1, -1))
            self.session.run_with_iobinding(self.binding)
            return self.out.reshape(*x.shape[:-1], self.out_features).clone()
        rows = np.ascontiguousarray(x.detach().reshape(-1, self.in_features).float().numpy())
        y = self.session.run(None, {"x0": rows})[0]
        return torch.from_numpy(y).reshape(*x.shape[:-1], self.out_features)


def swap(model: nn.Module, kernel: str) -> tuple[list, list]:
    """Every ``Float16Linear`` of ``model`` as an ``OrtLinear``: (where, the float16 ones, the ORT ones)."""
    places = [(parent, name, child) for parent in model.modules() for name, child in parent.named_children()
              if isinstance(child, Float16Linear)]
    return places, [OrtLinear(child, kernel) for _, _, child in places]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--bits", type=int, choices=(4, 8), default=8)
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    torch.set_num_threads(1)
    lm = load_language_model("smollm2-135m", "cpu", "float16")
    ids = prompt_ids(lm.tokenizer, 50)
    places, ort = swap(lm.model, f"ORT MatMulNBits {args.bits}-bit, block 32, accuracy 4")
    layers = {"float16 (fbgemm)": [child for _, _, child in places], f"ORT {args.bits}-bit": ort}
    decoders, speed, tokens = {}, {name: [] for name in layers}, {}

    def use(name: str) -> None:
        for (parent, attribute, _), module in zip(places, layers[name]):
            setattr(parent, attribute, module)
        lm.lean = decoders.get(name)  # each lean step holds its layers' calls, made once (untimed) below

    for name in layers:  # warm both, untimed
        use(name)
        decoder_run(lm, ids, 128, lean=True)
        decoders[name] = lm.lean
    for index in range(args.runs):
        for name in layers:
            use(name)
            seconds, _, tokens[name] = decoder_run(lm, ids, 128, lean=True)
            speed[name].append(128 / seconds)
        print(f"run {index}: " + ", ".join(f"{n} {v[-1]:.1f}" for n, v in speed.items()) + " tokens/s", flush=True)
    use("float16 (fbgemm)")
    base, other = tokens.values()
    differs = next((i for i, (a, b) in enumerate(zip(base, other)) if a != b), None)
    print(", ".join(f"{n}: {statistics.median(v):.1f} tokens/s" for n, v in speed.items())
          + f"; same tokens: {sum(a == b for a, b in zip(base, other))} of 128"
          + (f", the first difference at token {differs}" if differs is not None else ""))


if __name__ == "__main__":
    main()
