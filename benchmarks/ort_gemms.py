"""One token's GEMMs as ONNX Runtime graphs (``benchmarks/decode.py --kernels``), without the ``onnx`` package.

Each kernel is one ORT session over one graph holding every linear layer of the model once: one node per
layer, each fed a one-row input of its own, run with 1 intra-op and 1 inter-op thread (sequential
execution), outputs bound once (``IOBinding``) so that a run is the kernels and ORT's dispatch, not Python.

  ORT MatMul float32            ``MatMul`` over float32 weights [K, N] (MLAS SGEMM);
  ORT MatMul float16            ``MatMul`` over float16 weights and a float16 row (skipped where the CPU
                                provider has no float16 kernel);
  ORT MatMulNBits b-bit, bs, a  the com.microsoft ``MatMulNBits`` contrib op (MLAS SQNBitGemm): weights in
                                blocks of ``bs`` along K, symmetric (zero point 2^(b-1), implied), one float32
                                scale a block; ``accuracy_level`` a: 0 = float32 arithmetic on the
                                dequantised weights, 4 = int8 arithmetic (the row quantised per block).
  ... a session a layer         the same kernel as one session per layer, each run from Python: what
                                swapping the lean step's GEMMs one by one would cost (benchmarks/ort_step.py).

The graph is written as protobuf bytes by hand (the ``onnx`` package is not a dependency) by
engine/models/onnx_graph.py's writers, which the engine's int8 decode step uses too.
"""
from __future__ import annotations

import sys
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

# The protobuf writers and the 8-bit packing are the engine's (its int8 decode step uses them).
from engine.models.onnx_graph import (FLOAT, FLOAT16, model_bytes, pb_node, pb_tensor,  # noqa: E402
                                      pb_value_info, quantise_blocks, session_options)


def _graph(weights: list[np.ndarray], kernel: dict, rows: int | str = 1) -> tuple[bytes, int, list[np.ndarray]]:
    """The graph for one kernel (inputs of ``rows`` rows: a number, or a name for any), the bytes of weights
    (and scales) it reads, and its dequantised weights."""
    nodes, initializers, inputs, outputs, seen, dequantised = [], [], [], [], 0, []
    row_type = FLOAT16 if kernel["op"] == "MatMul16" else FLOAT
    for index, w in enumerate(weights):
        n, k = w.shape
        x, y = f"x{index}", f"y{index}"
        inputs.append(pb_value_info(x, row_type, (rows, k)))
        outputs.append(pb_value_info(y, row_type, (rows, n)))
        if kernel["op"] in ("MatMul", "MatMul16"):
            b = np.ascontiguousarray(w.T.astype(np.float16 if row_type == FLOAT16 else np.float32))
            initializers.append(pb_tensor(f"w{index}", b))
            nodes.append(pb_node("MatMul", [x, f"w{index}"], [y], f"m{index}"))
            seen += b.nbytes
            dequantised.append(w.astype(np.float16).astype(np.float32) if row_type == FLOAT16 else w)
        else:
            q, scale, deq = quantise_blocks(w, kernel["bits"], kernel["block"])
            initializers += [pb_tensor(f"w{index}", q), pb_tensor(f"s{index}", scale.reshape(-1))]
            nodes.append(pb_node("MatMulNBits", [x, f"w{index}", f"s{index}"], [y], f"m{index}", "com.microsoft",
                               {"K": k, "N": n, "bits": kernel["bits"], "block_size": kernel["block"],
                                "accuracy_level": kernel["accuracy"]}))
            seen += q.nbytes + scale.nbytes
            dequantised.append(deq)
    return model_bytes(nodes, initializers, inputs, outputs, producer="benchmarks/decode.py"), seen, dequantised


KERNELS = {
    "ORT MatMul float32 (MLAS)": {"op": "MatMul"},
    "ORT MatMul float16": {"op": "MatMul16"},
    **{f"ORT MatMulNBits {bits}-bit, block {block}, accuracy {acc}": {
        "op": "MatMulNBits", "bits": bits, "block": block, "accuracy": acc}
       for bits in (4, 8) for block in (32, 128) for acc in (4, 0)},
    # the same kernel, one session (and one ``run_with_iobinding`` from Python) a layer: what swapping each
    # ``F.linear`` of the lean step for an ORT call would cost, against one graph for the whole token
    **{f"ORT MatMulNBits {bits}-bit, block 32, accuracy 4, a session a layer": {
        "op": "MatMulNBits", "bits": bits, "block": 32, "accuracy": 4, "split": True} for bits in (4, 8)},
}


def _bound(weights: list[np.ndarray], kernel: dict, rows: list[np.ndarray], outputs: list[np.ndarray]):
    """A session over ``weights`` with its inputs and outputs bound to ``rows`` and ``outputs``."""
    import onnxruntime as ort

    model, seen, dequantised = _graph(weights, kernel)
    session = ort.InferenceSession(model, session_options(), providers=["CPUExecutionProvider"])
    binding = session.io_binding()
    for index, (row, y) in enumerate(zip(rows, outputs)):
        binding.bind_cpu_input(f"x{index}", row)
        binding.bind_output(f"y{index}", "cpu", element_type=y.dtype, shape=y.shape, buffer_ptr=y.ctypes.data)
    return session, binding, seen, dequantised


def ort_kernels(weights: list[np.ndarray], names: list[str] | None = None, check: bool = True) -> dict:
    """name -> (run, bytes of weights read, errors or None). errors: the largest relative error over the
    layers (||error|| / ||output||, a random normal row) against float32 arithmetic on the weights the kernel
    holds (dequantised: what its arithmetic adds), and against float32 arithmetic on ``weights`` themselves
    (its weights' rounding too). ``weights``: float32 [N, K] arrays, one per linear layer. A kernel ORT cannot
    run here is left out, with the reason in ``skipped``."""
    out, skipped = {}, {}
    rng = np.random.default_rng(0)
    for name in names or list(KERNELS):
        kernel = KERNELS[name]
        dtype = np.float16 if kernel["op"] == "MatMul16" else np.float32
        rows = [rng.standard_normal((1, w.shape[1])).astype(dtype) for w in weights]
        outputs = [np.empty((1, w.shape[0]), dtype) for w in weights]
        try:
            if kernel.get("split"):
                parts = [_bound([w], kernel, [r], [y]) for w, r, y in zip(weights, rows, outputs)]
            else:
                parts = [_bound(weights, kernel, rows, outputs)]
        except Exception as error:  # noqa: BLE001 - a kernel this build of ORT lacks
            skipped[name] = str(error).splitlines()[0][:200]
            continue
        calls = [(session.run_with_iobinding, binding) for session, binding, _, _ in parts]

        def run(calls=calls):
            for call, binding in calls:
                call(binding)

        run.keep = (parts, rows, outputs)  # the bound buffers live as long as the run
        seen = sum(part[2] for part in parts)
        dequantised = [d for part in parts for d in part[3]]
        error = None
        if check:
            run()
            error = tuple(max(float(np.linalg.norm(y.astype(np.float32) - r.astype(np.float32) @ d.T)
                                    / np.linalg.norm(r.astype(np.float32) @ d.T))
                              for y, r, d in zip(outputs, rows, against))
                          for against in (dequantised, weights))
        out[name] = (run, seen, error)
    return {"kernels": out, "skipped": skipped}


def session(weight: np.ndarray, kernel: str):
    """One layer's ORT session (input ``x0`` of any number of rows, output ``y0``) for kernel ``kernel``, and
    the weight [N, K] it multiplies by (dequantised)."""
    import onnxruntime as ort

    model, _, dequantised = _graph([weight], KERNELS[kernel], rows="rows")
    return ort.InferenceSession(model, session_options(), providers=["CPUExecutionProvider"]), dequantised[0]
