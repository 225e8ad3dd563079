"""Naming the step that failed: an unexpected exception while rendering an ad image or a video
reaches the user as "video 9x16: rendering frame 12 failed (ValueError: ...)", not as a bare
numpy message, and carries what was already made so the caller can keep it."""
from __future__ import annotations

from contextlib import contextmanager
from typing import Iterator

from engine.core.errors import StudioError


class StepError(StudioError):
    """A rendering step failed for a reason the user cannot act on (a bug, a library error).

    ``made``: what the failing call had finished before the step (e.g. the ad images of the
    sizes rendered so far), so the caller keeps them and reports the rest."""

    def __init__(self, step: str, cause: BaseException, made: list | None = None):
        self.step, self.cause, self.made = step, cause, list(made or [])
        super().__init__(f"{step} failed ({type(cause).__name__}: {cause})")


@contextmanager
def step(name: str, made: list | None = None) -> Iterator[None]:
    """Turn any exception but a ``StudioError`` (already a message for the user) into a
    ``StepError`` named ``name``; ``made`` is handed on to the caller."""
    try:
        yield
    except StepError as exc:
        if made and not exc.made:
            exc.made = list(made)
        raise
    except StudioError:
        raise
    except Exception as exc:
        raise StepError(name, exc, made) from exc
