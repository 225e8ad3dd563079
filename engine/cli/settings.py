"""The settings flags every command shares, and the Settings they make (``--settings FILE`` + flags)."""
from __future__ import annotations

import argparse
from pathlib import Path

from pydantic import ValidationError

from engine.core.errors import IngestError, describe_value, read_json_file, validation_error
from engine.core.settings import Settings

SETTING_FLAGS = {
    "tone": str, "audience": str, "platform": str, "temperature": float, "top_p": float,
    "max_new_tokens": int, "description_length": str, "seed": int, "language_model": str, "fusion": str, "candidates": int,
    "style": str, "palette": str, "layout": str, "photo_index": int, "price": str, "call_to_action": str,
}


def add_setting_flags(parser: argparse.ArgumentParser) -> None:
    group = parser.add_argument_group("settings (defaults as in the studio)")
    for name, kind in SETTING_FLAGS.items():
        group.add_argument("--" + name.replace("_", "-"), dest=name, type=kind, default=None)
    group.add_argument("--settings", type=Path, help="a settings JSON (e.g. from a result.json); flags override it")
    group.add_argument("--no-grounded-decoding", action="store_true",
                       help="let the language model write numbers, colours and materials your input lacks")


SETTINGS_FILE_BYTES = 4 * 2**20  # a result.json (copy, scores, media list) is accepted as a settings file
SETTINGS_ACCEPTED = "a JSON object of settings, e.g. {\"tone\": \"friendly\", \"seed\": 3}, or a result.json"


def _settings_file(path: Path) -> dict:
    """The settings object of a settings JSON or a result.json, refused by name when it is neither."""
    data = read_json_file(path, SETTINGS_ACCEPTED, SETTINGS_FILE_BYTES)
    if not isinstance(data, dict):
        raise IngestError(path.name, f"got {describe_value(data)}, not an object", SETTINGS_ACCEPTED)
    base = data.get("settings", data)
    if not isinstance(base, dict):
        raise IngestError(path.name, f"got {describe_value(base)}, not an object", SETTINGS_ACCEPTED,
                          field="settings")
    return base


def settings_from_args(args: argparse.Namespace) -> Settings:
    """``--settings FILE`` overridden by flags; a bad value is named by its flag or by the file."""
    base = _settings_file(args.settings) if args.settings else {}
    overrides = {k: getattr(args, k) for k in SETTING_FLAGS if getattr(args, k) is not None}
    if getattr(args, "narration", False):
        overrides["narration"] = True
    if getattr(args, "no_grounded_decoding", False):
        overrides["grounded_decoding"] = False
    try:
        return Settings.model_validate({**base, **overrides})
    except ValidationError as exc:
        loc = exc.errors()[0]["loc"]
        field = str(loc[0]) if loc else ""
        if field in overrides:
            flag = "--" + field.replace("_", "-")
            error = validation_error(exc, "", Settings)
            raise IngestError(flag, error.problem, error.accepted) from None
        raise validation_error(exc, args.settings.name if args.settings else "settings", Settings) from None
