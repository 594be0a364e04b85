"""One source file as read: its values with the place of each, or the errors that kept it from being read."""

from __future__ import annotations

from array import array
from dataclasses import dataclass
from typing import Any

from generator.diagnostics import Diagnostic, ValuePath, format_path


@dataclass(frozen=True)
class Mark:
    """A 1-based line and column."""

    line: int
    column: int


class Document:
    """The values of one source file with the place each was written.

    A file read by parse_document keeps its places packed, and finds one
    only when a diagnostic asks: most values are never pointed at. The places
    are paired with `data` by walking it, so `data` is never changed (a value
    reached through an alias is shared, and its places are copied).
    """

    __hash__ = None  # type: ignore[assignment]

    def __init__(
        self,
        file: str,
        data: Any,
        value_marks: dict[ValuePath, Mark] | None = None,
        key_marks: dict[ValuePath, Mark] | None = None,
        packed: array[int] | None = None,
        raw: bytes = b"",
    ) -> None:
        self.file = file
        self.data = data
        self.raw = raw  # the file's bytes as read: the site's revision fingerprint hashes them
        self._value_marks: dict[ValuePath, Mark] = {} if value_marks is None else value_marks
        self._key_marks: dict[ValuePath, Mark] = {} if key_marks is None else key_marks
        # Every node in document order, each mapping key just before its value: the
        # node's 0-based start as line << 32 | column, and after a collection's start,
        # how many entries its contents take (see yaml_reader.py). None once unpacked.
        self._packed = packed
        # The positions of a collection's children, by the collection's position.
        self._children: dict[int, Any] = {}

    def release(self) -> None:
        """Let the values and their places go: for after validation, when no diagnostic will ask."""
        self.data = None
        self._value_marks, self._key_marks, self._packed, self._children = {}, {}, None, {}

    @property
    def value_marks(self) -> dict[ValuePath, Mark]:
        if self._packed is not None:
            self._unpack()
        return self._value_marks

    @property
    def key_marks(self) -> dict[ValuePath, Mark]:
        if self._packed is not None:
            self._unpack()
        return self._key_marks

    def _unpack(self) -> None:
        """Give every value and key its mark, walking them in the order they were written."""
        packed, self._packed = self._packed, None
        assert packed is not None
        self._children = {}
        value_marks, key_marks = self._value_marks, self._key_marks
        position = 0
        # (path, value, is_key): a key's mark comes just before its value's subtree
        stack: list[tuple[ValuePath, Any, bool]] = [((), self.data, False)]
        while stack:
            path, value, is_key = stack.pop()
            mark = unpack_mark(packed[position])
            position += 1
            if is_key:
                key_marks[path] = mark
                stack.append((path, value, False))
                continue
            value_marks[path] = mark
            if type(value) is dict:
                position += 1  # the size of its contents
                stack.extend(reversed([((*path, key), child, True) for key, child in value.items()]))
            elif type(value) is list:
                position += 1
                stack.extend(reversed([((*path, index), child, False) for index, child in enumerate(value)]))

    def _locate(self, path: ValuePath) -> tuple[int, int, int]:
        """Packed positions of the deepest value written along `path`, of its key (-1 if none),
        and how many parts of `path` lead to it."""
        packed = self._packed
        assert packed is not None
        value, position, key_position, depth = self.data, 0, -1, 0
        for part in path:
            kind = type(value)
            if kind is dict:
                if part not in value:
                    break
                key_position, position = self._child_positions(position, value)[part]
            elif kind is list:
                if not isinstance(part, int) or not 0 <= part < len(value):
                    break
                key_position, position = -1, self._child_positions(position, value)[part]
            else:
                break
            value = value[part]
            depth += 1
        return position, key_position, depth

    def _child_positions(self, position: int, collection: Any) -> Any:
        known = self._children.get(position)
        if known is not None:
            return known
        packed = self._packed
        assert packed is not None
        at = position + 2  # past the collection's mark and size
        if type(collection) is dict:
            by_key: dict[Any, tuple[int, int]] = {}
            for key, child in collection.items():
                by_key[key] = (at, at + 1)
                at += 1
                at += 2 + packed[at + 1] if type(child) is dict or type(child) is list else 1
            self._children[position] = by_key
            return by_key
        starts: list[int] = []
        for child in collection:
            starts.append(at)
            at += 2 + packed[at + 1] if type(child) is dict or type(child) is list else 1
        self._children[position] = starts
        return starts

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Document):
            return NotImplemented
        return (self.file, self.data, self.value_marks, self.key_marks) == (
            other.file,
            other.data,
            other.value_marks,
            other.key_marks,
        )

    def __repr__(self) -> str:
        return (
            f"Document(file={self.file!r}, data={self.data!r}, "
            f"value_marks={self.value_marks!r}, key_marks={self.key_marks!r})"
        )

    def mark_of(self, path: ValuePath) -> Mark:
        """Where the value at `path` is written, else its nearest written parent."""
        if self._packed is not None:
            return unpack_mark(self._packed[self._locate(path)[0]])
        value_marks = self.value_marks
        while path not in value_marks and path:
            path = path[:-1]
        return value_marks.get(path, Mark(1, 1))

    def key_mark_of(self, path: ValuePath) -> Mark:
        """Where the key of the value at `path` is written."""
        if self._packed is not None:
            position, key_position, depth = self._locate(path)
            written = key_position if key_position >= 0 and depth == len(path) else position
            return unpack_mark(self._packed[written])
        return self.key_marks.get(path) or self.mark_of(path)

    def error(self, path: ValuePath, message: str, hint: str = "", *, at_key: bool = False) -> Diagnostic:
        return self.diagnostic("error", path, message, hint, at_key=at_key)

    def warning(self, path: ValuePath, message: str, hint: str = "") -> Diagnostic:
        return self.diagnostic("warning", path, message, hint)

    def diagnostic(
        self, severity: Any, path: ValuePath, message: str, hint: str = "", *, at_key: bool = False
    ) -> Diagnostic:
        mark = self.key_mark_of(path) if at_key else self.mark_of(path)
        return Diagnostic(self.file, mark.line, mark.column, severity, format_path(path), message, hint)


def unpack_mark(written: int) -> Mark:
    """The Mark of a packed place (a 0-based line << 32 | column)."""
    return Mark((written >> 32) + 1, (written & 0xFFFFFFFF) + 1)


class SourceError(Exception):
    """A source file that cannot be read; carries every problem found."""

    def __init__(self, diagnostics: list[Diagnostic]) -> None:
        super().__init__("; ".join(d.message for d in diagnostics))
        self.diagnostics = diagnostics
