"""Validate a document against its pydantic model, in a release manager's words.

Pydantic's own messages ("Input should be a valid string", a loc tuple) never reach the user:
each error becomes a Diagnostic at the line and column where the value was written.
"""

from __future__ import annotations

import re
import types
import typing
from typing import Any, TypeVar

from pydantic import BaseModel, ValidationError

from generator.diagnostics import (
    MAX_ERRORS_PER_FILE,
    Diagnostic,
    ValuePath,
    did_you_mean,
    more_errors,
    name_steps,
    quote,
)
from generator.read.document import Document
from generator.read.models.common import SLUG_HINT, timezone_hint

ModelT = TypeVar("ModelT", bound=BaseModel)


def model_document(document: Document, model: type[ModelT], diagnostics: list[Diagnostic]) -> ModelT | None:
    """Validate a document against a model, turning pydantic's errors into diagnostics."""
    if not isinstance(document.data, dict):
        diagnostics.append(
            document.error((), f"expected a mapping of keys at the top, found {_describe(document.data)}")
        )
        return None
    try:
        return model.model_validate(document.data)
    except ValidationError as error:
        errors = error.errors(include_url=False)
        translated = [_translate(document, model, e) for e in errors[:MAX_ERRORS_PER_FILE]]
        diagnostics.extend(name_steps(document.data, translated, document.file))
        if len(errors) > MAX_ERRORS_PER_FILE:
            # only counted: a file of a million unknown keys is reported in a moment
            mark = document.key_mark_of(tuple(errors[MAX_ERRORS_PER_FILE]["loc"]))
            more = len(errors) - MAX_ERRORS_PER_FILE
            diagnostics.append(more_errors(document.file, mark.line, mark.column, more))
        return None


def _translate(document: Document, model: type[BaseModel], error: Any) -> Diagnostic:
    loc: ValuePath = tuple(error["loc"])
    kind: str = error["type"]
    value = error.get("input")
    name = str(loc[-1]) if loc else "value"
    if kind == "missing":
        return document.error(loc[:-1], f"missing required key '{name}'")
    if kind == "extra_forbidden":
        known = _known_keys(model, loc[:-1])
        return document.error(loc, f"unknown key {quote(name)}", did_you_mean(name, known), at_key=True)
    if kind == "literal_error":
        choices = re.findall(r"'([^']*)'", error["ctx"]["expected"])
        hint = did_you_mean(value, choices) or "expected one of: " + ", ".join(choices)
        return document.error(loc, f"{_describe(value)} is not a valid {name}", hint)
    if kind == "string_pattern_mismatch":
        return document.error(loc, f"{_describe(value)} is not a valid id", SLUG_HINT)
    if kind == "value_error":
        message = str(error["ctx"]["error"])
        hint = timezone_hint(value) if message.startswith("unknown time zone") and isinstance(value, str) else ""
        return document.error(loc, message, hint)
    if kind == "too_short":
        if error["ctx"].get("min_length") == 1:
            return document.error(loc, f"'{name}' needs at least one entry")
        return document.error(loc, f"'{name}' needs at least {error['ctx']['min_length']} entries")
    if kind == "string_too_short":
        return document.error(loc, f"'{name}' must not be empty")
    if kind == "string_too_long" and isinstance(value, str):
        limit = error["ctx"]["max_length"]
        return document.error(loc, f"text is {len(value):,} characters long; at most {limit:,} are allowed")
    if kind == "too_long":
        limit, actual = error["ctx"]["max_length"], error["ctx"].get("actual_length")
        found = f"{actual:,} entries" if isinstance(actual, int) else "more entries"
        return document.error(loc, f"'{name}' has {found}; at most {limit:,} are allowed")
    if kind == "bool_type":
        return document.error(
            loc,
            f"expected true or false, found {_describe(value)}",
            "only true and false are booleans",
        )
    if kind in ("string_type", "string_unicode"):
        return document.error(loc, f"expected text, found {_describe(value)}")
    if kind == "list_type":
        return document.error(loc, f"expected a list, found {_describe(value)}", "start each entry with '- '")
    if kind in ("model_type", "dict_type", "model_attributes_type"):
        return document.error(loc, f"expected a mapping of keys, found {_describe(value)}")
    if kind in ("int_type", "int_parsing", "int_from_float"):
        hint = "write the number without quotes" if isinstance(value, str) and value.strip().isdigit() else ""
        return document.error(loc, f"expected a whole number, found {_describe(value)}", hint)
    if kind in ("greater_than_equal", "greater_than"):
        return document.error(loc, f"must be at least {error['ctx'].get('ge', error['ctx'].get('gt'))}")
    return document.error(loc, error["msg"])


def _describe(value: Any) -> str:
    if value is None:
        return "nothing"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return f"the number {value}"
    if isinstance(value, str):
        return quote(value)
    if isinstance(value, list):
        return "a list"
    if isinstance(value, dict):
        return "a mapping"
    return type(value).__name__


def _known_keys(model: type[BaseModel], loc: ValuePath) -> list[str]:
    """The keys a mapping at `loc` may hold, for "did you mean" hints."""
    current: Any = model
    for part in loc:
        if isinstance(part, int):
            current = _list_item(current)
        elif isinstance(current, type) and issubclass(current, BaseModel):
            fields = {f.alias or n: f for n, f in current.model_fields.items()}
            current = fields[part].annotation if part in fields else None
        current = _unwrap(current)
    if isinstance(current, type) and issubclass(current, BaseModel):
        return [f.alias or n for n, f in current.model_fields.items()]
    return []


def _unwrap(annotation: Any) -> Any:
    """Strip Optional[...] and Annotated[...] to reach a model or list type."""
    while True:
        origin = typing.get_origin(annotation)
        if origin is typing.Annotated:
            annotation = typing.get_args(annotation)[0]
        elif origin in (typing.Union, types.UnionType):
            args = [a for a in typing.get_args(annotation) if a is not type(None)]
            annotation = args[0] if len(args) == 1 else annotation
            if len(args) != 1:
                return annotation
        else:
            return annotation


def _list_item(annotation: Any) -> Any:
    if typing.get_origin(annotation) is list:
        return typing.get_args(annotation)[0]
    return None
