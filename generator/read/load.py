"""Read one YAML source into plain values, keeping the line and column of each.

PyYAML's constructors are not used: they apply YAML 1.1 resolution (``23:00``
becomes 1380, ``no`` becomes False, ``0755`` becomes 493), drop duplicate keys
and expand aliases without limit. Instead the parser's events (libyaml's when
present) are turned straight into values, in one pass and without a node tree,
with golive's own, narrower rules:

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

from generator.diagnostics import MAX_ERRORS_PER_FILE, Diagnostic, ValuePath, format_path, more_errors, quote

MAX_FILE_BYTES = 16 * 1024 * 1024
MAX_DEPTH = 100
# Aliases may repeat a block, but what they repeat may be at most what the file writes
# out plus this many keys and values: a "billion laughs" file, or a huge list aliased
# again and again, stops at the alias that goes over, in time proportional to its size.
ALIAS_EXPANSION_ALLOWANCE = 100_000
# Keys and values one file may write out: far beyond any plan (a plan of 2,000 realistic
# steps, 850 KB, writes 43,000; a plan may have at most 5,000 steps), near enough that
# reading, checking and rendering any one file takes seconds, not minutes.
MAX_ENTRIES = 250_000

# libyaml's parser when present (the events are the same either way).
_Loader: Any = getattr(yaml, "CBaseLoader", yaml.BaseLoader)
_CParser = getattr(getattr(yaml, "_yaml", None), "CParser", None)

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
        raw: bytes = b"",
    ) -> None:
        self.file = file
        self.data = data
        self.raw = raw  # the file's bytes as read: the site's revision fingerprint hashes them
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
    """Read `path` (shown to users as `file`) or raise SourceError."""
    try:
        raw = read_source(path, file)
    except FileNotFoundError as error:
        raise SourceError([_at(file, 1, 1, f"cannot read the file: {error.strerror}")]) from None
    return parse_document(raw, file)


def read_source(path: Path, file: str) -> bytes:
    """The bytes of a source file (shown to users as `file`), or SourceError.

    Only a regular file is read, never through a symbolic link (which could point out of the
    repository), and never more than 16 MiB of it whatever its size says: a FIFO or a device
    is refused instead of blocking or reading without end. FileNotFoundError passes through.
    """
    flags = os.O_RDONLY
    for name in ("O_NOFOLLOW", "O_NONBLOCK", "O_CLOEXEC", "O_BINARY"):  # those this system has
        flags |= getattr(os, name, 0)
    try:
        descriptor = os.open(path, flags)
    except FileNotFoundError:
        raise
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
    if len(raw) > MAX_FILE_BYTES:
        raise SourceError([_at(file, 1, 1, "file is larger than 16 MiB")])
    return raw


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
    text = decode_source(raw, file)
    reader = _Reader(text, file)
    root = reader.read()
    if reader.errors:
        raise SourceError(reader.diagnostics())
    document = Document(file, root, raw=raw)
    document._packed = reader.packed
    return document


def _at(file: str, line: int, column: int, message: str, hint: str = "") -> Diagnostic:
    return Diagnostic(file, line, column, "error", "", message, hint)


def decode_source(raw: bytes, file: str) -> str:
    """A source's bytes as text (UTF-8, with or without a byte-order mark), or SourceError."""
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


class _AliasBomb(Exception):
    def __init__(self, mark: Mark, path: ValuePath, limit: int) -> None:
        self.mark, self.path, self.limit = mark, path, limit


# What a mapping expects next when it is not a key's value: a key, the value of a merge key
# ('<<'), a value to drop (after a repeated key), or the rest of a key that is not text.
_NO_KEY, _MERGE, _SKIP, _SKIP_KEY = object(), object(), object(), object()


class _Frame:
    """A collection being read: its values so far and where its entries start in `packed`."""

    __slots__ = ("anchor", "container", "is_mapping", "key", "merges", "path", "start")

    def __init__(self, container: Any, path: ValuePath, start: int, anchor: str | None) -> None:
        self.container = container
        self.is_mapping = type(container) is dict
        self.key: Any = _NO_KEY
        self.path = path
        self.start = start
        self.anchor = anchor
        self.merges: list[tuple[Any, array[int]]] = []


class _Reader:
    """Assemble parser events into values and their packed marks (see Document).

    One pass over the events, never a node tree: memory stays close to that of the values.
    An alias shares its anchor's value and copies its marks; the copies ("repeated"
    entries) may at most equal the entries written out plus ALIAS_EXPANSION_ALLOWANCE, so
    an alias bomb or a huge list aliased many times stops at the alias that goes over.
    """

    def __init__(self, text: str, file: str) -> None:
        self.text = text
        self.file = file
        self.packed: array[int] = array("q")
        self.errors: list[Diagnostic] = []
        self.more = 0  # errors past MAX_ERRORS_PER_FILE, only counted
        self.first_omitted = Mark(1, 1)
        # Values are searched only when some character of the file could give a bad one.
        self.check = "\\" in text or BAD_CHARACTERS.search(text) is not None
        # anchor -> [value, the array holding its marks, start, end]
        self.anchors: dict[str, list[Any]] = {}
        self.anchor_log: list[list[Any]] = []  # in the order defined, to move with a stashed range
        self.open_anchors: set[str] = set()  # anchors of collections still being read
        self.repeated = 0  # entries copied by aliases and merges
        self.stashed = 0  # entries moved out of `packed` (merge values, dropped values)
        self.stack: list[_Frame] = []
        self.root: Any = None

    # -- the event loop: the commonest events handled inline ---------------------------

    def read(self) -> Any:
        loader = _Loader(self.text)
        try:
            self._events(loader.get_event)
        except _AliasBomb as bomb:
            hint = (
                f"aliases may repeat at most as many keys and values as the file writes out, "
                f"plus {ALIAS_EXPANSION_ALLOWANCE:,}"
            )
            message = f"aliases expand to more than {bomb.limit:,} keys and values"
            raise SourceError([self._diagnostic(bomb.mark, bomb.path, message, hint)]) from None
        except yaml.MarkedYAMLError as error:
            raise SourceError([_syntax_error(error, self.text, self.file)]) from None
        except yaml.reader.ReaderError as error:  # carries a position, not a mark
            position = error.position
            if _CParser is not None and isinstance(loader, _CParser):
                position = len(self.text.encode("utf-8")[:position].decode("utf-8", "ignore"))  # a byte offset
            line = self.text.count("\n", 0, position) + 1
            column = position - (self.text.rfind("\n", 0, position) + 1) + 1
            character = error.character if isinstance(error.character, int) else ord(error.character)
            message = f"control character U+{character:04X} is not allowed"
            raise SourceError([_at(self.file, line, column, message)]) from None
        except yaml.YAMLError as error:
            raise SourceError([_at(self.file, 1, 1, f"not valid YAML: {error}")]) from None
        finally:
            loader.dispose()
        return self.root

    def _events(self, get_event: Any) -> None:
        scalar_event, mapping_start, sequence_start = yaml.ScalarEvent, yaml.MappingStartEvent, yaml.SequenceStartEvent
        mapping_end, sequence_end = yaml.MappingEndEvent, yaml.SequenceEndEvent
        resolve, words, number_start = _resolve_plain, _WORDS, _NUMBER_START
        bad = BAD_CHARACTERS.search if self.check else None
        add_mark = self.packed.append
        get_event()  # stream start
        event = get_event()
        if type(event) is not yaml.DocumentStartEvent:
            raise SourceError([_at(self.file, 1, 1, "file is empty", "a source file holds one YAML mapping")])
        top: _Frame | None = None
        left = MAX_ENTRIES
        while True:
            event = get_event()
            kind = type(event)
            # every key and value counts (collection ends and the document's end do not)
            left -= kind is not mapping_end and kind is not sequence_end
            if left < 0:
                self._too_many(event)
            if kind is scalar_event:
                text = event.value
                if top is not None and top.is_mapping and top.key is _NO_KEY:
                    if event.anchor is None and text != "<<" and text not in top.container and not (bad and bad(text)):
                        mark = event.start_mark
                        add_mark(mark.line << 32 | mark.column)
                        top.key = text
                    else:
                        self._key(top, event)
                    continue
                if (
                    event.anchor is not None
                    or event.tag is not None
                    or (bad and bad(text))
                    or (top is not None and top.is_mapping and type(top.key) is not str)
                ):
                    self._scalar(top, event)
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
                mark = event.start_mark
                add_mark(mark.line << 32 | mark.column)
                if top is None:
                    self.root = scalar
                elif top.is_mapping:
                    top.container[top.key] = scalar
                    top.key = _NO_KEY
                else:
                    top.container.append(scalar)
            elif kind is mapping_start or kind is sequence_start:
                top = self._start(top, event, get_event)
            elif kind is mapping_end or kind is sequence_end:
                top = self._end()
            elif kind is yaml.AliasEvent:
                self._alias(top, event)
            elif kind is yaml.DocumentEndEvent:
                break
        event = get_event()
        if type(event) is not yaml.StreamEndEvent:
            mark = _mark(event)
            hint = "keep one document per file; remove the second '---'"
            raise SourceError([_at(self.file, mark.line, mark.column, "file holds more than one YAML document", hint)])

    # -- the rarer events --------------------------------------------------------------

    def _too_many(self, event: Any) -> None:
        if type(event) is yaml.DocumentEndEvent:
            return
        mark = _mark(event)
        message = f"file holds more than {MAX_ENTRIES:,} keys and values"
        hint = "golive reads at most that many from one file"
        raise SourceError([_at(self.file, mark.line, mark.column, message, hint)])

    def _key(self, top: _Frame, event: Any) -> None:
        """A text key, or a merge key, or one given twice, or one with an anchor or a bad character."""
        text, mark = event.value, _mark(event)
        if text == "<<" and event.implicit[0] and event.tag is None:
            top.key = _MERGE
            return
        if text in top.container:
            first = _unpacked(self.packed[self._key_position(top, text)])
            message = f"duplicate key {quote(text)}: given twice, first on line {first.line}"
            self._error(mark, (*top.path, text), message, "remove one of them")
            top.key = _SKIP
            return
        self._check_text(text, mark, top.path, " in a key")
        self.packed.append(event.start_mark.line << 32 | event.start_mark.column)
        if event.anchor is not None:
            self._anchor(event.anchor, text, len(self.packed) - 1)
        top.key = text

    def _key_position(self, top: _Frame, key: str) -> int:
        """Where the mark of a key already read is, in `packed`."""
        packed, at = self.packed, top.start + 2
        for written, child in top.container.items():
            if written == key:
                break
            at += 1
            at += 2 + packed[at + 1] if type(child) is dict or type(child) is list else 1
        return at

    def _not_a_key(self, top: _Frame | None, event: Any) -> None:
        if top is not None and top.is_mapping and top.key is _NO_KEY:
            self._error(_mark(event), top.path, "a key must be plain text")
            top.key = _SKIP_KEY

    def _scalar(self, top: _Frame | None, event: Any) -> None:
        mark, path = _mark(event), self._path(top)
        text: str = event.value
        tag = self._tag(event.tag, mark, path)
        if tag is None:
            value = _resolve_plain(text) if event.implicit[0] and event.tag is None else text
        elif tag == "str" or event.style not in (None, ""):
            value = text
        else:
            value = self._tagged(text, tag, mark, path)
        self._check_text(text, mark, path)
        start = len(self.packed)
        self.packed.append(event.start_mark.line << 32 | event.start_mark.column)
        if event.anchor is not None:
            self._anchor(event.anchor, value, start)
        self._insert(top, value, start)

    def _tagged(self, text: str, tag: str, mark: Mark, path: ValuePath) -> Any:
        resolved = _resolve_plain(text)
        if tag == "float" and isinstance(resolved, int) and not isinstance(resolved, bool):
            return float(resolved)
        wanted = {"int": int, "float": float, "bool": bool, "null": type(None)}[tag]
        if isinstance(resolved, wanted) and not (wanted is int and isinstance(resolved, bool)):
            return resolved
        self._error(mark, path, f"'{text}' is not a valid !!{tag}")
        return text

    def _tag(self, tag: str | None, mark: Mark, path: ValuePath) -> str | None:
        if tag is None or tag == "!":
            return None if tag is None else "str"
        if tag.startswith(_CORE_TAG):
            name = tag[len(_CORE_TAG) :]
            if name in _ALLOWED_SCALAR_TAGS or name in ("map", "seq"):
                return name
        shown = "!!" + tag[len(_CORE_TAG) :] if tag.startswith(_CORE_TAG) else tag
        hint = "golive reads plain YAML; tags that build objects are refused"
        raise SourceError([self._diagnostic(mark, path, f"tag '{shown}' is not allowed", hint)])

    def _check_text(self, text: str, mark: Mark, path: ValuePath, where: str = "") -> None:
        if self.check:
            found = BAD_CHARACTERS.search(text)
            if found is not None:
                self._error(mark, path, bad_character_message(found.group()) + where, BAD_CHARACTER_HINT)

    def _start(self, top: _Frame | None, event: Any, get_event: Any) -> _Frame | None:
        self._not_a_key(top, event)
        mark, path = _mark(event), self._path(top)
        start = len(self.packed)
        if len(self.stack) >= MAX_DEPTH:
            self._error(mark, path, f"values nest deeper than {MAX_DEPTH} levels")
            depth = 1
            while depth:  # leave out everything inside
                kind = type(get_event())
                if kind is yaml.MappingStartEvent or kind is yaml.SequenceStartEvent:
                    depth += 1
                elif kind is yaml.MappingEndEvent or kind is yaml.SequenceEndEvent:
                    depth -= 1
            self.packed.append(event.start_mark.line << 32 | event.start_mark.column)
            self._insert(top, None, start)
            return top
        self._tag(event.tag, mark, path)
        self.packed.append(event.start_mark.line << 32 | event.start_mark.column)
        self.packed.append(0)  # the size of its contents, set at its end
        if event.anchor is not None:
            self.open_anchors.add(event.anchor)
        frame = _Frame({} if type(event) is yaml.MappingStartEvent else [], path, start, event.anchor)
        self.stack.append(frame)
        return frame

    def _end(self) -> _Frame | None:
        frame = self.stack.pop()
        if frame.merges:
            self._merge(frame)
        self.packed[frame.start + 1] = len(self.packed) - frame.start - 2
        if frame.anchor is not None:
            self.open_anchors.discard(frame.anchor)
            self._anchor(frame.anchor, frame.container, frame.start)
        top = self.stack[-1] if self.stack else None
        self._insert(top, frame.container, frame.start)
        return top

    def _alias(self, top: _Frame | None, event: Any) -> None:
        self._not_a_key(top, event)
        mark, path, name = _mark(event), self._path(top), event.anchor
        start = len(self.packed)
        entry = self.anchors.get(name)
        if entry is None or name in self.open_anchors:
            if name in self.open_anchors:
                self._error(mark, path, "an alias refers to a value that contains it")
            else:
                self._error(mark, path, f"alias *{name[:60]} has no anchor &{name[:60]} before it")
            if top is not None and top.is_mapping and top.key is _MERGE:
                top.key = _SKIP  # one error is enough
            self.packed.append(event.start_mark.line << 32 | event.start_mark.column)
            self._insert(top, None, start)
            return
        value, marks, begin, end = entry
        self._repeat(end - begin, mark, path)
        self.packed.extend(marks[begin:end])
        self._insert(top, value, start)

    def _repeat(self, count: int, mark: Mark, path: ValuePath) -> None:
        self.repeated += count
        written = len(self.packed) + self.stashed - (self.repeated - count)
        limit = ALIAS_EXPANSION_ALLOWANCE + written
        if self.repeated > limit:
            raise _AliasBomb(mark, path, limit)

    def _anchor(self, name: str, value: Any, start: int) -> None:
        entry = [value, self.packed, start, len(self.packed)]
        self.anchors[name] = entry
        self.anchor_log.append(entry)

    def _insert(self, top: _Frame | None, value: Any, start: int) -> None:
        """Put a value read (its marks from `start` on) in its place."""
        if top is None:
            self.root = value
        elif not top.is_mapping:
            top.container.append(value)
        elif type(top.key) is str:
            top.container[top.key] = value
            top.key = _NO_KEY
        else:
            marks = self._stash(start)
            if top.key is _MERGE:
                top.merges.append((value, marks))
            top.key = _SKIP if top.key is _SKIP_KEY else _NO_KEY

    def _stash(self, start: int) -> array[int]:
        """Take the marks from `start` on out of `packed`, with the anchors defined among them."""
        packed = self.packed
        marks = packed[start:]
        del packed[start:]
        self.stashed += len(marks)
        log = self.anchor_log
        while log and log[-1][1] is packed and log[-1][2] >= start:
            entry = log.pop()
            entry[1], entry[2], entry[3] = marks, entry[2] - start, entry[3] - start
        return marks

    def _merge(self, frame: _Frame) -> None:
        """Add the keys of '<<' mappings that the mapping does not give itself."""
        result, packed = frame.container, self.packed
        for value, marks in frame.merges:
            sources: list[tuple[dict[str, Any], int]] = []
            if type(value) is dict:
                sources.append((value, 0))
            elif type(value) is list and value and all(type(item) is dict for item in value):
                at = 2
                for item in value:
                    sources.append((item, at))
                    at += 2 + marks[at + 1]
            else:
                self._error(_unpacked(marks[0]), frame.path, "'<<' merges a mapping or a list of mappings")
                continue
            for source, at in sources:
                at += 2
                for key, child in source.items():
                    end = at + 1 + (2 + marks[at + 2] if type(child) is dict or type(child) is list else 1)
                    if key not in result:
                        self._repeat(end - at, _unpacked(packed[frame.start]), frame.path)
                        packed.extend(marks[at:end])
                        result[key] = child
                    at = end

    # -- places and errors ---------------------------------------------------------------

    def _path(self, top: _Frame | None) -> ValuePath:
        """The path of the value about to be read."""
        if top is None:
            return ()
        if not top.is_mapping:
            return (*top.path, len(top.container))
        if type(top.key) is str:
            return (*top.path, top.key)
        return (*top.path, "<<") if top.key is _MERGE else top.path

    def _error(self, mark: Mark, path: ValuePath, message: str, hint: str = "") -> None:
        if len(self.errors) < MAX_ERRORS_PER_FILE:
            self.errors.append(self._diagnostic(mark, path, message, hint))
        else:
            if not self.more:
                self.first_omitted = mark
            self.more += 1

    def diagnostics(self) -> list[Diagnostic]:
        if not self.more:
            return self.errors
        mark = self.first_omitted
        return [*self.errors, more_errors(self.file, mark.line, mark.column, self.more)]

    def _diagnostic(self, mark: Mark, path: ValuePath, message: str, hint: str = "") -> Diagnostic:
        return Diagnostic(self.file, mark.line, mark.column, "error", format_path(path), message, hint)


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
