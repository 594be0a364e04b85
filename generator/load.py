"""Read one YAML source into plain values, keeping the line and column of each.

PyYAML's constructors are not used: they apply YAML 1.1 resolution (``23:00``
becomes 1380, ``no`` becomes False, ``0755`` becomes 493), drop duplicate keys
and expand aliases without limit. Instead the parser's events (libyaml's when
present) are assembled here into a small node tree, and the tree is turned
into values with golive's own, narrower rules:

* plain ``true``/``false`` are booleans, ``null``/``~``/empty is None,
  decimal integers without a leading zero are ints, decimals are floats;
* everything else, quoted text, times of day, dates and ``no``/``off``
  included, stays the text that was written.
"""

from __future__ import annotations

import errno
import os
import re
import stat
from array import array
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from generator.diagnostics import Diagnostic, ValuePath, format_path

MAX_FILE_BYTES = 16 * 1024 * 1024
MAX_DEPTH = 100
# Aliases may repeat a block, but the expanded document may hold at most this
# many values beyond ten times those written out: a "billion laughs" file
# stops here, in time proportional to its size.
ALIAS_EXPANSION_ALLOWANCE = 100_000

_PLAIN = "golive:plain"


class _Loader(getattr(yaml, "CBaseLoader", yaml.BaseLoader)):  # type: ignore[misc]
    """libyaml's parser and composer (when present), marking plain scalars for golive's own resolution."""

    def resolve(self, kind: Any, value: Any, implicit: Any) -> Any:
        if kind is yaml.ScalarNode and implicit[0]:
            return _PLAIN
        return super().resolve(kind, value, implicit)


# No leading "+": "+44 20 7946 0018" and "+442079460018" are phone numbers, kept as text.
_INT = re.compile(r"-?(0|[1-9][0-9]*)")
_FLOAT = re.compile(r"-?([0-9]+\.[0-9]*|\.[0-9]+)([eE][-+]?[0-9]+)?|-?[0-9]+[eE][-+]?[0-9]+")
_NULLS = {"", "~", "null", "Null", "NULL"}
_CORE_TAG = "tag:yaml.org,2002:"
_ALLOWED_SCALAR_TAGS = {"str", "int", "float", "bool", "null"}


@dataclass(frozen=True)
class Mark:
    """A 1-based line and column."""

    line: int
    column: int


class Document:
    """The values of one source file with the place each was written.

    A file read from libyaml's events keeps its places packed, and finds one
    only when a diagnostic asks: most values are never pointed at. The places
    are paired with `data` by walking it, so `data` is never changed.
    """

    __hash__ = None  # type: ignore[assignment]

    def __init__(
        self,
        file: str,
        data: Any,
        value_marks: dict[ValuePath, Mark] | None = None,
        key_marks: dict[ValuePath, Mark] | None = None,
    ) -> None:
        self.file = file
        self.data = data
        self._value_marks: dict[ValuePath, Mark] = {} if value_marks is None else value_marks
        self._key_marks: dict[ValuePath, Mark] = {} if key_marks is None else key_marks
        # Every node in document order, each mapping key just before its value: the
        # node's 0-based start as line << 32 | column, and after a collection's start,
        # how many entries its contents take (see _read_events).
        self._packed: array[int] | None = None
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
            mark = _unpacked(packed[position])
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
            return _unpacked(self._packed[self._locate(path)[0]])
        value_marks = self.value_marks
        while path not in value_marks and path:
            path = path[:-1]
        return value_marks.get(path, Mark(1, 1))

    def key_mark_of(self, path: ValuePath) -> Mark:
        """Where the key of the value at `path` is written."""
        if self._packed is not None:
            position, key_position, depth = self._locate(path)
            written = key_position if key_position >= 0 and depth == len(path) else position
            return _unpacked(self._packed[written])
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


def _unpacked(written: int) -> Mark:
    return Mark((written >> 32) + 1, (written & 0xFFFFFFFF) + 1)


class SourceError(Exception):
    """A source file that cannot be read; carries every problem found."""

    def __init__(self, diagnostics: list[Diagnostic]) -> None:
        super().__init__("; ".join(d.message for d in diagnostics))
        self.diagnostics = diagnostics


SYMLINK_MESSAGE = "symbolic links are not read"
SYMLINK_HINT = "replace the link with the file itself"


def not_regular_message(mode: int) -> str:
    """Why a file of this st_mode is not read."""
    kinds = [
        (stat.S_ISDIR, "a folder"),
        (stat.S_ISFIFO, "a FIFO (named pipe)"),
        (stat.S_ISSOCK, "a socket"),
        (stat.S_ISCHR, "a device"),
        (stat.S_ISBLK, "a device"),
    ]
    kind = next((name for test, name in kinds if test(mode)), "a special file")
    return f"{kind}, not a regular file: golive reads only regular files"


def load_document(path: Path, file: str) -> Document:
    """Read `path` (shown to users as `file`) or raise SourceError.

    Only a regular file is read, never through a symbolic link (which could point out of the
    repository), and never more than 16 MiB of it whatever its size says: a FIFO or a device
    is refused instead of blocking or reading without end.
    """
    flags = os.O_RDONLY
    for name in ("O_NOFOLLOW", "O_NONBLOCK", "O_CLOEXEC", "O_BINARY"):  # those this system has
        flags |= getattr(os, name, 0)
    try:
        descriptor = os.open(path, flags)
    except OSError as error:
        if error.errno == errno.ELOOP:
            raise SourceError([_at(file, 1, 1, SYMLINK_MESSAGE, SYMLINK_HINT)]) from None
        raise SourceError([_at(file, 1, 1, f"cannot read the file: {error.strerror}")]) from None
    try:
        status = os.fstat(descriptor)
        if not stat.S_ISREG(status.st_mode):
            raise SourceError([_at(file, 1, 1, not_regular_message(status.st_mode), "remove it")])
        if status.st_size > MAX_FILE_BYTES:
            size = status.st_size / 2**20
            raise SourceError([_at(file, 1, 1, f"file is {size:.1f} MiB; sources are limited to 16 MiB")])
        raw = _read_at_most(descriptor, MAX_FILE_BYTES + 1)
    except OSError as error:
        raise SourceError([_at(file, 1, 1, f"cannot read the file: {error.strerror}")]) from None
    finally:
        os.close(descriptor)
    return parse_document(raw, file)


def _read_at_most(descriptor: int, limit: int) -> bytes:
    """Up to `limit` bytes: the size stat() gave may be stale, the bytes read are what count."""
    chunks: list[bytes] = []
    left = limit
    while left > 0:
        chunk = os.read(descriptor, min(left, 1 << 20))
        if not chunk:
            break
        chunks.append(chunk)
        left -= len(chunk)
    return b"".join(chunks)


def parse_document(raw: bytes, file: str) -> Document:
    """Parse YAML bytes into a Document or raise SourceError."""
    if len(raw) > MAX_FILE_BYTES:
        raise SourceError([_at(file, 1, 1, "file is larger than 16 MiB")])
    text = _decode(raw, file)
    plain = _read_plain(text)
    if plain is not None:
        document = Document(file, plain[0])
        document._packed = plain[1]
        return document
    root = _compose(text, file)
    if root is None:
        raise SourceError([_at(file, 1, 1, "file is empty", "a source file holds one YAML mapping")])
    document = Document(file, None)
    converter = _Converter(document, root)
    try:
        document.data = converter.value(root, (), 1)
    except _AliasBomb as bomb:
        raise SourceError(
            [
                _at(
                    file,
                    bomb.mark.line,
                    bomb.mark.column,
                    f"aliases expand to more than {converter.limit:,} values",
                    "an alias bomb is refused; write the values out instead",
                )
            ]
        ) from None
    if converter.errors:
        raise SourceError(converter.errors)
    return document


def _at(file: str, line: int, column: int, message: str, hint: str = "") -> Diagnostic:
    return Diagnostic(file, line, column, "error", "", message, hint)


def _decode(raw: bytes, file: str) -> str:
    if raw.startswith((b"\xff\xfe", b"\xfe\xff")):
        raise SourceError([_at(file, 1, 1, "file is UTF-16; save it as UTF-8")])
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        line = raw.count(b"\n", 0, error.start) + 1
        column = error.start - (raw.rfind(b"\n", 0, error.start) + 1) + 1
        raise SourceError(
            [
                _at(
                    file,
                    line,
                    column,
                    f"byte 0x{raw[error.start]:02x} is not valid UTF-8",
                    "save the file as UTF-8",
                )
            ]
        ) from None
    return text


class _NotPlain(Exception):
    """The file uses something the fast reader leaves to the full one."""


_CParser = getattr(getattr(yaml, "_yaml", None), "CParser", None)
_NO_KEY = object()


def _read_plain(text: str) -> tuple[Any, array[int]] | None:
    """Read a file with no anchors, aliases, tags, merge keys or repeated keys straight from
    libyaml's events; None when the file has any of those, or a problem, or libyaml is absent.

    The full reader (_compose and _Converter) gives the same values and marks for such a file,
    and is what reports every problem.
    """
    if _CParser is None:
        return None
    parser = _CParser(text)
    try:
        return _read_events(parser.get_event)
    except (yaml.YAMLError, _NotPlain):
        return None
    finally:
        parser.dispose()


def _read_events(get_event: Any) -> tuple[Any, array[int]]:
    scalar_event, mapping_start, sequence_start = yaml.ScalarEvent, yaml.MappingStartEvent, yaml.SequenceStartEvent
    resolve, words, number_start = _resolve_plain, _WORDS, _NUMBER_START
    packed: array[int] = array("q")
    add_mark = packed.append
    get_event()  # stream start
    if type(get_event()) is not yaml.DocumentStartEvent:
        raise _NotPlain  # an empty file
    root: Any = None
    # the open collections above the current one, each with its pending key
    stack: list[tuple[Any, Any, int]] = []
    container: Any = None
    key: Any = _NO_KEY
    is_mapping = False
    while True:
        event = get_event()
        kind = type(event)
        if kind is scalar_event:
            if event.anchor is not None or event.tag is not None:
                raise _NotPlain
            mark = event.start_mark
            add_mark(mark.line << 32 | mark.column)
            text = event.value
            if is_mapping and key is _NO_KEY:
                if text in container or text == "<<":
                    raise _NotPlain
                key = text
                continue
            # _resolve_plain, its commonest outcomes inline
            if not event.implicit[0]:
                scalar = text  # quoted or a block: text as written
            elif text in words:
                scalar = words[text]
            elif text[0] in number_start:
                scalar = resolve(text)
            else:
                scalar = text
            if is_mapping:
                container[key] = scalar
                key = _NO_KEY
            elif container is not None:
                container.append(scalar)
            else:
                root = scalar
        elif kind is mapping_start or kind is sequence_start:
            if event.anchor is not None or event.tag is not None or len(stack) >= MAX_DEPTH:
                raise _NotPlain
            if is_mapping and key is _NO_KEY:
                raise _NotPlain  # a key that is a collection
            mark = event.start_mark
            add_mark(mark.line << 32 | mark.column)
            add_mark(0)  # the size of its contents, set at its end
            value: Any = {} if kind is mapping_start else []
            if is_mapping:
                container[key] = value
            elif container is not None:
                container.append(value)
            else:
                root = value
            stack.append((container, key, len(packed)))
            container, key, is_mapping = value, _NO_KEY, kind is mapping_start
        elif kind is yaml.MappingEndEvent or kind is yaml.SequenceEndEvent:
            container, key, contents = stack.pop()
            packed[contents - 1] = len(packed) - contents
            if is_mapping := type(container) is dict:
                key = _NO_KEY
        elif kind is yaml.DocumentEndEvent:
            break
        else:
            raise _NotPlain  # an alias
    if type(get_event()) is not yaml.StreamEndEvent:
        raise _NotPlain  # a second document
    return root, packed


def _compose(text: str, file: str) -> Any:
    """Parse into nodes; aliases share their anchor's node (nothing is expanded here)."""
    loader = _Loader(text)
    try:
        return loader.get_single_node()
    except yaml.composer.ComposerError as error:
        mark = error.problem_mark
        line, column = (mark.line + 1, mark.column + 1) if mark else (1, 1)
        if error.problem and "another document" in error.problem:
            raise SourceError(
                [
                    _at(
                        file,
                        line,
                        column,
                        "file holds more than one YAML document",
                        "keep one document per file; remove the second '---'",
                    )
                ]
            ) from None
        if error.problem and "undefined alias" in error.problem:
            name = text[mark.index + 1 :].split(maxsplit=1)[0].rstrip(",]}") if mark else "?"
            raise SourceError([_at(file, line, column, f"alias *{name} has no anchor &{name} before it")]) from None
        raise SourceError([_syntax_error(error, text, file)]) from None
    except yaml.MarkedYAMLError as error:
        raise SourceError([_syntax_error(error, text, file)]) from None
    except yaml.reader.ReaderError as error:  # carries a position, not a mark
        line = text.count("\n", 0, error.position) + 1
        column = error.position - (text.rfind("\n", 0, error.position) + 1) + 1
        character = error.character if isinstance(error.character, int) else ord(error.character)
        raise SourceError([_at(file, line, column, f"control character U+{character:04X} is not allowed")]) from None
    except yaml.YAMLError as error:
        raise SourceError([_at(file, 1, 1, f"not valid YAML: {error}")]) from None
    finally:
        loader.dispose()


def _count_nodes(root: Any) -> int:
    """Nodes as written, each shared (aliased) node once."""
    seen: set[int] = set()
    stack = [root]
    while stack:
        node = stack.pop()
        if id(node) in seen:
            continue
        seen.add(id(node))
        if isinstance(node, yaml.SequenceNode):
            stack.extend(node.value)
        elif isinstance(node, yaml.MappingNode):
            for key, value in node.value:
                stack.append(key)
                stack.append(value)
    return len(seen)


def _syntax_error(error: yaml.MarkedYAMLError, text: str, file: str) -> Diagnostic:
    mark = error.problem_mark or error.context_mark
    line, column = (mark.line + 1, mark.column + 1) if mark else (1, 1)
    problem = error.problem or "not valid YAML"
    hint = ""
    if mark is not None and text[mark.index : mark.index + 1] == "\t":
        problem, hint = "tab character in indentation", "YAML indents with spaces only"
    elif error.context and "quoted scalar" in error.context and error.context_mark is not None:
        # libyaml reports the end of the file; the opening quote is what needs fixing
        start = error.context_mark
        line, column = start.line + 1, start.column + 1
        problem, hint = "a quoted value is never closed", "add the closing quote"
    elif "mapping values are not allowed" in problem:
        problem, hint = "unexpected ':'", "quote a value that contains ': '"
    elif "expected key" in problem or "expected '-' indicator" in problem or "expected <block end>" in problem:
        hint = "check the indentation: keys of one mapping start in the same column"
    elif "could not find expected ':'" in problem:
        hint = "a key needs ': ' after it, or a multi-line value needs '|'"
    elif "found character" in problem and "cannot start any token" in problem:
        hint = "quote a value that starts with this character"
    return _at(file, line, column, f"YAML syntax: {problem}", hint)


class _AliasBomb(Exception):
    def __init__(self, mark: Mark) -> None:
        self.mark = mark


class _Converter:
    """Turn nodes into Python values, recording where each was written.

    Aliases are expanded here, within a budget, so that an alias bomb stops
    early; a value that contains an alias to itself is refused.
    """

    def __init__(self, document: Document, root: Any) -> None:
        self.document = document
        self.errors: list[Diagnostic] = []
        self.root = root
        # At most ALIAS_EXPANSION_ALLOWANCE + 10 * (nodes written) values; the nodes are
        # only counted once the allowance alone is spent, which a file without aliases never does.
        self.limit = ALIAS_EXPANSION_ALLOWANCE
        self.budget = ALIAS_EXPANSION_ALLOWANCE
        self.counted = False
        self.open: set[int] = set()  # collections being converted, to catch self-reference

    def value(self, node: Any, path: ValuePath, depth: int) -> Any:
        mark = _mark(node)
        self.budget -= 1
        if self.budget < 0 and not self.counted:
            self.counted = True
            extra = 10 * _count_nodes(self.root)
            self.limit += extra
            self.budget += extra
        if self.budget < 0:
            raise _AliasBomb(mark)
        # setdefault: the first place written wins when a merge repeats a path
        self.document.value_marks.setdefault(path, mark)
        tag = self._check_tag(node, mark, path)
        if isinstance(node, yaml.ScalarNode):
            return self._scalar(node, tag, mark, path)
        if depth > MAX_DEPTH:
            self._error(mark, path, f"values nest deeper than {MAX_DEPTH} levels")
            return None
        if id(node) in self.open:
            self._error(mark, path, "an alias refers to a value that contains it")
            return None
        self.open.add(id(node))
        try:
            if isinstance(node, yaml.SequenceNode):
                return [self.value(child, (*path, index), depth + 1) for index, child in enumerate(node.value)]
            return self._mapping(node, path, depth)
        finally:
            self.open.discard(id(node))

    def _check_tag(self, node: Any, mark: Mark, path: ValuePath) -> str | None:
        tag: str = node.tag
        if tag == _PLAIN:
            return None
        if tag.startswith(_CORE_TAG):
            name = tag[len(_CORE_TAG) :]
            if name in _ALLOWED_SCALAR_TAGS or name in ("map", "seq"):
                return name
        shown = "!!" + tag[len(_CORE_TAG) :] if tag.startswith(_CORE_TAG) else tag
        hint = "golive reads plain YAML; tags that build objects are refused"
        raise SourceError([self._diagnostic(mark, path, f"tag '{shown}' is not allowed", hint)])

    def _mapping(self, node: Any, path: ValuePath, depth: int) -> dict[str, Any]:
        result: dict[str, Any] = {}
        merges: list[Any] = []
        for key_node, value_node in node.value:
            if not isinstance(key_node, yaml.ScalarNode):
                self._error(_mark(key_node), path, "a key must be plain text")
                continue
            key = key_node.value
            if key == "<<" and key_node.tag == _PLAIN:
                merges.append(value_node)
                continue
            if key in result:
                first = self.document.key_marks[(*path, key)]
                self._error(
                    _mark(key_node),
                    (*path, key),
                    f"key '{key}' is given twice; first on line {first.line}",
                    "remove one of them",
                )
                continue
            self.document.key_marks[(*path, key)] = _mark(key_node)
            result[key] = self.value(value_node, (*path, key), depth + 1)
        for merge in merges:
            sources = merge.value if isinstance(merge, yaml.SequenceNode) else [merge]
            for source in sources:
                if not isinstance(source, yaml.MappingNode):
                    self._error(_mark(merge), path, "'<<' merges a mapping or a list of mappings")
                    continue
                for key, value in self._mapping(source, path, depth).items():
                    result.setdefault(key, value)
        return result

    def _scalar(self, node: Any, tag: str | None, mark: Mark, path: ValuePath) -> Any:
        text: str = node.value
        if tag is None:
            return _resolve_plain(text)
        if tag == "str" or node.style not in (None, ""):
            return text
        resolved = _resolve_plain(text)
        if tag == "float" and isinstance(resolved, int) and not isinstance(resolved, bool):
            return float(resolved)
        wanted = {"int": int, "float": float, "bool": bool, "null": type(None)}[tag]
        if isinstance(resolved, wanted) and not (wanted is int and isinstance(resolved, bool)):
            return resolved
        self._error(mark, path, f"'{text}' is not a valid !!{tag}")
        return text

    def _error(self, mark: Mark, path: ValuePath, message: str, hint: str = "") -> None:
        self.errors.append(self._diagnostic(mark, path, message, hint))

    def _diagnostic(self, mark: Mark, path: ValuePath, message: str, hint: str = "") -> Diagnostic:
        return Diagnostic(self.document.file, mark.line, mark.column, "error", format_path(path), message, hint)


_WORDS: dict[str, Any] = {**dict.fromkeys(_NULLS), "true": True, "false": False}
_NUMBER_START = frozenset("-.0123456789")


def _resolve_plain(text: str) -> Any:
    if text in _WORDS:
        return _WORDS[text]
    if text[0] not in _NUMBER_START:
        return text  # most values: ids, names, durations
    if _INT.fullmatch(text) and len(text) <= 19:
        return int(text)
    if _FLOAT.fullmatch(text) and not re.match(r"[-+]?0[0-9]", text):
        return float(text)
    return text


def _mark(node: Any) -> Mark:
    mark = node.start_mark
    return Mark(mark.line + 1, mark.column + 1)
