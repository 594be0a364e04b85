"""What a YAML scalar means to golive: narrower rules than YAML 1.1's, the tags allowed, the characters refused."""

from __future__ import annotations

import re
from typing import Any

# No leading "+": "+44 20 7946 0018" and "+442079460018" are phone numbers, kept as text.
_INT = re.compile(r"-?(0|[1-9][0-9]*)")
_FLOAT = re.compile(r"-?([0-9]+\.[0-9]*|\.[0-9]+)([eE][-+]?[0-9]+)?|-?[0-9]+[eE][-+]?[0-9]+")
_NULLS = {"", "~", "null", "Null", "NULL"}
CORE_TAG = "tag:yaml.org,2002:"
ALLOWED_SCALAR_TAGS = {"str", "int", "float", "bool", "null"}

PLAIN_WORDS: dict[str, Any] = {**dict.fromkeys(_NULLS), "true": True, "false": False}
NUMBER_START = frozenset("-.0123456789")


def resolve_plain(text: str) -> Any:
    """A plain (unquoted) scalar's value: a boolean, None, an int, a float, or the text as written."""
    if text in PLAIN_WORDS:
        return PLAIN_WORDS[text]
    if text[0] not in NUMBER_START:
        return text  # most values: ids, names, durations
    if _INT.fullmatch(text) and len(text) <= 19:
        return int(text)
    if _FLOAT.fullmatch(text) and not re.match(r"[-+]?0[0-9]", text):
        return float(text)
    return text


def tag_name(tag: str | None) -> str | None:
    """The core tag's name (str, int, map...; "str" for '!'), None for no tag; ValueError for any other."""
    if tag is None or tag == "!":
        return None if tag is None else "str"
    if tag.startswith(CORE_TAG):
        name = tag[len(CORE_TAG) :]
        if name in ALLOWED_SCALAR_TAGS or name in ("map", "seq"):
            return name
    shown = "!!" + tag[len(CORE_TAG) :] if tag.startswith(CORE_TAG) else tag
    raise ValueError(f"tag '{shown}' is not allowed")


def typed_scalar(text: str, tag: str) -> Any:
    """The value of a scalar tagged !!int, !!float, !!bool or !!null; ValueError when it is not one."""
    resolved = resolve_plain(text)
    if tag == "float" and isinstance(resolved, int) and not isinstance(resolved, bool):
        return float(resolved)
    wanted = {"int": int, "float": float, "bool": bool, "null": type(None)}[tag]
    if isinstance(resolved, wanted) and not (wanted is int and isinstance(resolved, bool)):
        return resolved
    raise ValueError(f"'{text}' is not a valid !!{tag}")


# Characters refused in every key and value: the C0 controls but tab and line feed, DEL,
# the C1 controls, and the bidirectional overrides and isolates, which make text read
# differently from how it displays. libyaml refuses most of them written raw; these are
# the ones a double-quoted "\x00", "\e" or "\u202e" (or a raw U+0085, U+202E) still gives.
BAD_CHARACTERS = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")


def bad_character_message(character: str) -> str:
    code = ord(character)
    if 0x202A <= code <= 0x2069:
        return f"bidirectional control character U+{code:04X} is not allowed"
    return f"control character U+{code:04X} is not allowed"


BAD_CHARACTER_HINT = "text may hold tabs and line breaks, but no other control character"
