"""Errors a user can act on: each names the file, what is wrong and what is accepted."""
from __future__ import annotations


class StudioError(ValueError):
    """Base class for every error that should reach the user as a message, not a trace."""


class IngestError(StudioError):
    def __init__(self, name: str, problem: str, accepted: str = ""):
        self.name, self.problem, self.accepted = name, problem, accepted
        message = f"{name}: {problem}"
        if accepted:
            message += f" (accepted: {accepted})"
        super().__init__(message)


class ModelLoadError(StudioError):
    pass
