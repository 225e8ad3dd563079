"""Errors a user can act on: each names the file, what is wrong and what is accepted.

Every message has one shape, ``<file>: <field or line>: what is wrong (accepted: what is accepted)``,
whether it comes from a photo, a product JSON, a settings file or a Pydantic model, so the CLI, the
studio and the API all show one line the merchant can fix instead of a trace or a validation dump.
"""
from __future__ import annotations

import json
import types
import typing
from pathlib import Path
from typing import Any

import annotated_types
from pydantic import BaseModel, ValidationError


class StudioError(ValueError):
    """Base class for every error that should reach the user as a message, not a trace."""


class IngestError(StudioError):
    """``name: field: problem (accepted: accepted)``; empty parts are left out."""

    def __init__(self, name: str, problem: str, accepted: str = "", field: str = ""):
        self.name, self.problem, self.accepted, self.field = name, problem, accepted, field
        message = ": ".join(part for part in (name, field, problem) if part)
        if accepted:
            message += f" (accepted: {accepted})"
        super().__init__(message)


class ModelLoadError(StudioError):
    pass


# -- JSON files ------------------------------------------------------------------------------
def read_json_file(path: Path | str, accepted: str, max_bytes: int) -> Any:
    """Parse a small JSON file, refusing (by name) a missing, huge, non-UTF-8 or malformed one.

    The size is checked before reading, so a multi-gigabyte file costs nothing.
    """
    path = Path(path)
    name = path.name or str(path)
    try:
        size = path.stat().st_size
        if path.is_dir():
            raise IngestError(name, "is a folder, not a file", accepted)
        if size > max_bytes:
            raise IngestError(name, f"file is {size:,} bytes, over the {max_bytes:,} byte limit", accepted)
        data = path.read_bytes()
    except FileNotFoundError:
        raise IngestError(name, "file not found", accepted) from None
    except OSError as exc:
        raise IngestError(name, f"cannot be read ({exc.strerror or exc})", accepted) from None
    try:
        text = data.decode("utf-8-sig")  # a byte-order mark from Windows editors is harmless
    except UnicodeDecodeError as exc:
        raise IngestError(name, f"not UTF-8 text (byte 0x{data[exc.start]:02x} at position {exc.start} "
                                f"cannot be decoded; save the file as UTF-8)", accepted) from None
    if not text.strip():
        raise IngestError(name, "the file is empty", accepted)
    try:
        return json.loads(text)
    except json.JSONDecodeError as exc:
        raise IngestError(name, f"not valid JSON: {exc.msg}", accepted,
                          field=f"line {exc.lineno}, column {exc.colno}") from None
    except RecursionError:  # json's parser recurses once per bracket: [[[[... thousands deep
        raise IngestError(name, "the JSON is nested too deeply to read", accepted) from None


# -- Pydantic validation -----------------------------------------------------------------------
def describe_value(value: Any) -> str:
    """A few words for a JSON value, short even when the value is huge."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return f"{str(value).lower()} (true/false)"
    if isinstance(value, (int, float)):
        return f"the number {value:g}" if isinstance(value, float) else f"the number {value}"
    if isinstance(value, str):
        shown = value if len(value) <= 40 else value[:37] + "..."
        return f"the text {json.dumps(shown, ensure_ascii=False)}"
    if isinstance(value, (list, tuple)):
        return f"a list of {len(value)} {'entry' if len(value) == 1 else 'entries'}" if value else "an empty list"
    if isinstance(value, dict):
        return "an object"
    return type(value).__name__


def field_path(loc: tuple) -> str:
    """``("images", 2)`` -> ``images[2]``, ``("attributes", "size")`` -> ``attributes.size``."""
    path = ""
    for part in loc:
        path += f"[{part}]" if isinstance(part, int) else (f".{part}" if path else str(part))
    return path


def _problem(error: dict) -> str:
    kind, value, ctx = error["type"], error.get("input"), error.get("ctx") or {}
    expected = {"string_type": "text", "list_type": "a list", "dict_type": "an object",
                "float_type": "a number", "float_parsing": "a number", "int_type": "a whole number",
                "int_parsing": "a whole number", "int_from_float": "a whole number",
                "bool_type": "true or false", "bool_parsing": "true or false"}
    if kind in expected:
        return f"got {describe_value(value)}, not {expected[kind]}"
    if kind == "string_too_long":
        return f"is {len(value):,} characters, over the {ctx['max_length']:,} character limit"
    if kind == "too_long":
        return f"has {ctx.get('actual_length', len(value)):,} entries, over the {ctx['max_length']:,} limit"
    if kind in ("less_than_equal", "less_than"):
        return f"{_number(value)} is over the maximum"
    if kind in ("greater_than_equal", "greater_than"):
        return f"{_number(value)} is under the minimum"
    if kind == "finite_number":
        return f"{value} is not a finite number"
    if kind == "literal_error":
        return f"{describe_value(value)} is not one of the choices"
    if kind == "extra_forbidden":
        return "is not a known field"
    if kind == "value_error":  # our own validators: their message is already in words
        return str(ctx.get("error", error["msg"]))
    return error["msg"]


def _number(value: Any) -> str:
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return f"{value:,}" if isinstance(value, (int, float)) else repr(value)


def _bounds(metadata: list) -> tuple[Any, Any, Any]:
    low = high = length = None
    for item in metadata:
        if isinstance(item, annotated_types.Ge):
            low = f"from {_number(item.ge)}"
        elif isinstance(item, annotated_types.Gt):
            low = f"over {_number(item.gt)}"
        elif isinstance(item, (annotated_types.Le, annotated_types.Lt)):
            high = _number(getattr(item, "le", getattr(item, "lt", None)))
        elif isinstance(item, annotated_types.MaxLen):
            length = item.max_length
    return low, high, length


def accepted_for(model: type[BaseModel], field: str) -> str:
    """What a field accepts, in words, read from its annotation and Field(...) bounds."""
    info = model.model_fields.get(field)
    if info is None:
        return "the fields " + ", ".join(model.model_fields)
    annotation = info.annotation
    if typing.get_origin(annotation) in (typing.Union, types.UnionType):
        annotation = next(a for a in typing.get_args(annotation) if a is not type(None))
    low, high, length = _bounds(info.metadata)
    if typing.get_origin(annotation) is typing.Literal:
        return "one of " + ", ".join(str(a) for a in typing.get_args(annotation))
    if annotation is bool:
        return "true or false"
    if annotation in (int, float):
        words = "a whole number" if annotation is int else "a number"
        if low and high:
            return f"{words} {low} to {high}" if low.startswith("from") else f"{words} {low}, up to {high}"
        return " ".join(part for part in (words, low, high and f"up to {high}") if part)
    if annotation is str:
        return f"text up to {length:,} characters" if length else "text"
    return str(annotation)


def validation_error(exc: ValidationError, name: str, model: type[BaseModel],
                     accepted: dict[str, str] | None = None) -> IngestError:
    """The first problem of a ``ValidationError`` as one ``IngestError`` line.

    ``accepted`` overrides what a field accepts (keyed by its top-level name); otherwise it is
    read from the model. The count of further problems is kept, the pydantic dump is not.
    """
    errors = exc.errors(include_url=False)
    first = errors[0]
    loc = tuple(first["loc"])
    top = str(loc[0]) if loc else ""
    problem = _problem(first)
    if len(errors) > 1:
        problem += f"; {len(errors) - 1} more problem{'s' if len(errors) > 2 else ''} after this one"
    ctx = first.get("ctx") or {}
    if "accepted" in ctx:  # raised by our own validator, which knows best what it wanted
        wanted = ctx["accepted"]
    elif accepted and top in accepted:
        wanted = accepted[top]
    elif top:
        wanted = accepted_for(model, top) if first["type"] != "extra_forbidden" else accepted_for(model, "")
    else:
        wanted = (accepted or {}).get("", "")
    return IngestError(name, problem, wanted, field=field_path(loc))
