"""``python -m engine.models.convert``: build the safetensors cache of the embedded LM once."""
import time

from engine.models.language import EMBEDDED_LANGUAGE_MODELS, convert_embedded, converted_path

if __name__ == "__main__":
    for name in EMBEDDED_LANGUAGE_MODELS:
        if (converted_path(name) / "model.safetensors").exists():
            print(f"{name}: converted model cache present in {converted_path(name)}")
            continue
        start = time.perf_counter()
        path = convert_embedded(name)
        print(f"{name}: converted GGUF to safetensors in {time.perf_counter() - start:.0f} s -> {path}")
