"""Shared fixtures. The environment is set at import, before any test module imports
transformers or gradio: offline hub (transformers otherwise retries a hub for ~47 s),
no Gradio analytics, quiet transformers logging."""
from __future__ import annotations

import os

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("GRADIO_ANALYTICS_ENABLED", "False")
os.environ.setdefault("TRANSFORMERS_VERBOSITY", "error")
# History and batch folders of a test run never land in the repo's runs/ folder, and each xdist worker has
# its own (the workers inherit the controller's environment: one shared history let a test read the other
# worker's newest generation as its own).
os.environ.setdefault("MCS_DATA_DIR", __import__("tempfile").mkdtemp(prefix="mcs-test-data-"))
if os.environ.get("PYTEST_XDIST_WORKER"):
    os.environ["MCS_DATA_DIR"] = os.path.join(os.environ["MCS_DATA_DIR"], os.environ["PYTEST_XDIST_WORKER"])
    os.makedirs(os.environ["MCS_DATA_DIR"], exist_ok=True)
# One torch thread unless told otherwise: on a small shared CPU two threads that wait on each
# other made SmolLM2 generation 3-10x slower than one (measured on the 2-core CI machine).
os.environ.setdefault("OMP_NUM_THREADS", "1")

import torch  # noqa: E402

torch.set_num_threads(int(os.environ["OMP_NUM_THREADS"]))

import json  # noqa: E402
from pathlib import Path  # noqa: E402

import pytest  # noqa: E402

# CI keeps ../shared beside the checkout: <root>/shared/data next to <root>/main.
SHARED_DATA = Path(__file__).resolve().parents[2] / "shared" / "data"
LUMA = SHARED_DATA / "luma" / "products.jsonl"
SAMPLE_ID = "MT05"  # Rocco Gym Tank: text, attributes and exactly two photos


def luma_record(product_id: str = SAMPLE_ID) -> dict:
    with LUMA.open(encoding="utf-8") as handle:
        for line in handle:
            record = json.loads(line)
            if record["id"] == product_id:
                return record
    raise LookupError(f"{product_id} not in {LUMA}")


def tiny_llama():
    """A random 2-layer Llama with grouped heads (4 query heads on 2 key/value heads), float32, SDPA attention:
    what the decode steps (lean, int8) are checked against without loading the real model."""
    import transformers

    config = transformers.LlamaConfig(vocab_size=96, hidden_size=64, intermediate_size=128, num_hidden_layers=2,
                                      num_attention_heads=4, num_key_value_heads=2, max_position_embeddings=256,
                                      tie_word_embeddings=False, attn_implementation="sdpa")
    torch.manual_seed(0)
    return transformers.LlamaForCausalLM(config).eval()


def luma_catalog(folder: Path, count: int, photos: int = 0) -> tuple[Path, list[str]]:
    """The first ``count`` Luma products as ``folder/catalog.jsonl``, each with its first ``photos`` photos
    (absolute paths, so the catalog can sit anywhere); returns the path and the product ids."""
    records = []
    with LUMA.open(encoding="utf-8") as handle:
        for line in handle:
            record = json.loads(line)
            record["images"] = [str(LUMA.parent / p) for p in record["images"][:photos]]
            records.append(record)
            if len(records) == count:
                break
    path = folder / "catalog.jsonl"
    path.write_text("".join(json.dumps(r) + "\n" for r in records), encoding="utf-8")
    return path, [r["id"] for r in records]


@pytest.fixture(scope="session")
def studio():
    """One Studio per test session, on CPU, so the language model loads once."""
    from engine.pipeline import Studio

    return Studio(device="cpu")


@pytest.fixture(scope="session")
def sample_record() -> dict:
    """The raw catalog line of the sample product, image paths made absolute. Shared: copy before changing."""
    if not LUMA.exists():
        pytest.skip(f"sample data not found at {LUMA}")
    record = luma_record()
    record["images"] = [str(LUMA.parent / p) for p in record["images"][:2]]
    return record


@pytest.fixture(scope="session")
def sample_product(sample_record):
    """A real Luma product (draft title, description, bullets, attributes, two photos)."""
    from engine.core.product import Product

    return Product.from_record(sample_record)


CHROMIUM = Path("/usr/bin/chromium")


def serve_studio(studio):
    """Serve the real app for ``studio`` on a free local port; returns (url, app)."""
    import socket

    from studio.app import THEME, build_app
    from studio.render import CSS

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    app = build_app(studio)
    app.queue(default_concurrency_limit=1)
    app.launch(server_name="127.0.0.1", server_port=port, prevent_thread_lock=True, quiet=True, theme=THEME, css=CSS)
    return f"http://127.0.0.1:{port}/", app


@pytest.fixture(scope="module")
def server(studio):
    """The real app served for one test module (a module with its own studio overrides this)."""
    url, app = serve_studio(studio)
    yield url
    app.close()


def edit(box, text: str) -> None:
    """Type as a merchant does (``fill`` alone sends no key events, and re-scoring listens to typing)."""
    box.fill(text[:-1])
    box.press_sequentially(text[-1])
