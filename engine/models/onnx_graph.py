"""ONNX graphs written as protobuf bytes, and weights packed for ONNX Runtime's 8-bit ``MatMulNBits``.

The ``onnx`` package is not a dependency (ONNX Runtime is), so the few message types a graph needs are
written by hand here: only the fields these graphs use, field numbers from onnx/onnx.proto. Used by the
int8 decode step (engine/models/int8_step.py) and by the ONNX Runtime benchmarks (benchmarks/ort_*.py).
"""
from __future__ import annotations

import struct

import numpy as np

FLOAT, UINT8, INT32, INT64, FLOAT16 = 1, 2, 6, 7, 10  # TensorProto.DataType
_NUMPY = {FLOAT: np.float32, UINT8: np.uint8, INT32: np.int32, INT64: np.int64, FLOAT16: np.float16}
_KIND = {np.dtype(v): k for k, v in _NUMPY.items()}


# ----------------------------------------------------------------------------- protobuf, by hand

def pb_varint(value: int) -> bytes:
    out = bytearray()
    value &= (1 << 64) - 1
    while True:
        byte = value & 0x7F
        value >>= 7
        if value:
            out.append(byte | 0x80)
        else:
            out.append(byte)
            return bytes(out)


def pb_int(field: int, value: int) -> bytes:
    return pb_varint(field << 3) + pb_varint(value)


def pb_bytes(field: int, value: bytes | str) -> bytes:
    if isinstance(value, str):
        value = value.encode()
    return pb_varint(field << 3 | 2) + pb_varint(len(value)) + value


def pb_tensor(name: str, array: np.ndarray) -> bytes:
    """A TensorProto (an initializer): dims, data type, name, raw little-endian data."""
    return (b"".join(pb_int(1, d) for d in array.shape) + pb_int(2, _KIND[array.dtype]) + pb_bytes(8, name)
            + pb_bytes(9, np.ascontiguousarray(array).tobytes()))


def pb_value_info(name: str, kind: int, shape: tuple[int | str, ...]) -> bytes:
    """A ValueInfoProto (a graph input or output); a string dimension is a named free one (any size)."""
    dims = b"".join(pb_bytes(1, pb_bytes(2, d) if isinstance(d, str) else pb_int(1, d)) for d in shape)
    tensor_type = pb_int(1, kind) + pb_bytes(2, dims)
    return pb_bytes(1, name) + pb_bytes(2, pb_bytes(1, tensor_type))


def pb_attribute(name: str, value: int | float) -> bytes:
    """An AttributeProto: INT (type 2, field 3, a varint) or FLOAT (type 1, field 2, fixed32)."""
    if isinstance(value, float):
        return pb_bytes(1, name) + pb_varint(2 << 3 | 5) + struct.pack("<f", value) + pb_int(20, 1)
    return pb_bytes(1, name) + pb_int(3, int(value)) + pb_int(20, 2)


def pb_node(op: str, inputs: list[str], outputs: list[str], name: str, domain: str = "",
            attributes: dict[str, int | float] | None = None) -> bytes:
    """A NodeProto; an empty input name is an optional input left out."""
    return (b"".join(pb_bytes(1, i) for i in inputs) + b"".join(pb_bytes(2, o) for o in outputs) + pb_bytes(3, name)
            + pb_bytes(4, op) + b"".join(pb_bytes(5, pb_attribute(k, v)) for k, v in (attributes or {}).items())
            + (pb_bytes(7, domain) if domain else b""))


def model_bytes(nodes: list[bytes], initializers: list[bytes], inputs: list[bytes], outputs: list[bytes],
                producer: str = "engine") -> bytes:
    """A ModelProto: IR version 10, the default opset 21 and com.microsoft's contrib ops (``MatMulNBits``,
    ``GroupQueryAttention``)."""
    graph = (b"".join(pb_bytes(1, n) for n in nodes) + pb_bytes(2, "graph") + b"".join(pb_bytes(5, t) for t in initializers)
             + b"".join(pb_bytes(11, i) for i in inputs) + b"".join(pb_bytes(12, o) for o in outputs))
    opsets = pb_bytes(8, pb_bytes(1, "") + pb_int(2, 21)) + pb_bytes(8, pb_bytes(1, "com.microsoft") + pb_int(2, 1))
    return pb_int(1, 10) + pb_bytes(2, producer) + pb_bytes(7, graph) + opsets


# ----------------------------------------------------------------------------- weights

def quantise_blocks(weight: np.ndarray, bits: int, block: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """MatMulNBits' B [N, blocks, block * bits / 8] (uint8), scales [N, blocks] (float32), and the dequantised
    weight [N, K] they stand for. Symmetric: q = round(w / scale) + 2^(bits-1), scale = max|w| / (2^(bits-1) - 1)
    per block; the last block padded with zeros where K is not a multiple of ``block``."""
    n, k = weight.shape
    blocks = -(-k // block)
    padded = np.zeros((n, blocks * block), np.float32)
    padded[:, :k] = weight
    padded = padded.reshape(n, blocks, block)
    zero = 1 << (bits - 1)
    scale = np.abs(padded).max(-1) / (zero - 1)
    scale[scale == 0] = 1.0
    q = np.clip(np.rint(padded / scale[..., None]) + zero, 0, 2 * zero - 1).astype(np.uint8)
    dequantised = ((q.astype(np.float32) - zero) * scale[..., None]).reshape(n, -1)[:, :k]
    if bits == 4:  # two a byte, the even element in the low nibble
        q = q[..., 0::2] | (q[..., 1::2] << 4)
    return np.ascontiguousarray(q), scale.astype(np.float32), dequantised


# ----------------------------------------------------------------------------- building a graph

class GraphBuilder:
    """Nodes and initializers of one graph, with names made up as they are added.

    ``linear`` multiplies by a weight [N, K] as ``MatMulNBits`` (``bits``-bit symmetric blocks of ``block``
    along K; ``accuracy`` 4: int8 arithmetic, the row quantised per block, the only fast one on AVX2);
    ``weight_bytes`` counts the packed weights and scales the graph holds (what a step reads)."""

    def __init__(self, bits: int = 8, block: int = 32, accuracy: int = 4):
        self.bits, self.block, self.accuracy = bits, block, accuracy
        self.nodes: list[bytes] = []
        self.initializers: list[bytes] = []
        self.weight_bytes = 0
        self._count = 0
        self._constants: set[str] = set()

    def op(self, kind: str, inputs: list[str], outputs: int | list[str] = 1, domain: str = "", **attributes):
        """Add a node; returns its output name (or names, for several). ``outputs``: a count, or the names."""
        self._count += 1
        names = outputs if isinstance(outputs, list) else [f"t{self._count}_{i}" for i in range(outputs)]
        self.nodes.append(pb_node(kind, inputs, names, f"n{self._count}", domain, attributes))
        return names[0] if len(names) == 1 else names

    def constant(self, name: str, array: np.ndarray) -> str:
        """An initializer, added once under its name (layers share their shapes and split sizes)."""
        if name not in self._constants:
            self._constants.add(name)
            self.initializers.append(pb_tensor(name, array))
        return name

    def linear(self, x: str, weight: np.ndarray, name: str) -> str:
        n, k = weight.shape
        q, scale, _ = quantise_blocks(weight, self.bits, self.block)
        self.constant(f"{name}_w", q)
        self.constant(f"{name}_s", scale.reshape(-1))
        self.weight_bytes += q.nbytes + scale.nbytes
        return self.op("MatMulNBits", [x, f"{name}_w", f"{name}_s"], domain="com.microsoft",
                       K=k, N=n, bits=self.bits, block_size=self.block, accuracy_level=self.accuracy)

    def rms_norm(self, x: str, weight: np.ndarray, name: str, eps: float) -> str:
        """LlamaRMSNorm in float32 (x / sqrt(mean(x^2) + eps) * weight) as one node."""
        self.constant(name, weight.astype(np.float32))
        return self.op("SimplifiedLayerNormalization", [x, name], axis=-1, epsilon=float(eps))

    def model(self, inputs: list[bytes], outputs: list[bytes], producer: str = "engine") -> bytes:
        return model_bytes(self.nodes, self.initializers, inputs, outputs, producer)


def session_options(threads: int = 1):
    """ONNX Runtime options for one decode: ``threads`` intra-op threads, sequential execution, every graph
    optimisation, no spinning between runs (the machine's other work keeps its cores)."""
    import onnxruntime as ort

    options = ort.SessionOptions()
    options.intra_op_num_threads = threads
    options.inter_op_num_threads = 1
    options.execution_mode = ort.ExecutionMode.ORT_SEQUENTIAL
    options.graph_optimization_level = ort.GraphOptimizationLevel.ORT_ENABLE_ALL
    options.add_session_config_entry("session.intra_op.allow_spinning", "0")
    return options
