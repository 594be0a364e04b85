"""The fast YAML reader: parser events straight into plain values and their packed places.

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

from array import array
from typing import Any

import yaml

from generator.diagnostics import MAX_ERRORS_PER_FILE, Diagnostic, ValuePath, error_at, format_path, more_errors, quote
from generator.read.document import Mark, SourceError, unpack_mark
from generator.read.yaml_scalars import (
    BAD_CHARACTER_HINT,
    BAD_CHARACTERS,
    NUMBER_START,
    PLAIN_WORDS,
    bad_character_message,
    resolve_plain,
    tag_name,
    typed_scalar,
)

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
    return error_at(file, line, column, f"YAML syntax: {problem}", hint)


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


def read_yaml(text: str, file: str) -> tuple[Any, array[int]]:
    """The values of a YAML document and their packed places (see Document), or SourceError."""
    reader = _Reader(text, file)
    loader = _Loader(text)
    try:
        reader.read_events(loader.get_event)
    except _AliasBomb as bomb:
        hint = (
            f"aliases may repeat at most as many keys and values as the file writes out, "
            f"plus {ALIAS_EXPANSION_ALLOWANCE:,}"
        )
        message = f"aliases expand to more than {bomb.limit:,} keys and values"
        raise SourceError([reader.errors.diagnostic(bomb.mark, bomb.path, message, hint)]) from None
    except yaml.MarkedYAMLError as error:
        raise SourceError([_syntax_error(error, text, file)]) from None
    except yaml.reader.ReaderError as error:  # carries a position, not a mark
        position = error.position
        if _CParser is not None and isinstance(loader, _CParser):
            position = len(text.encode("utf-8")[:position].decode("utf-8", "ignore"))  # a byte offset
        line = text.count("\n", 0, position) + 1
        column = position - (text.rfind("\n", 0, position) + 1) + 1
        character = error.character if isinstance(error.character, int) else ord(error.character)
        message = f"control character U+{character:04X} is not allowed"
        raise SourceError([error_at(file, line, column, message)]) from None
    except yaml.YAMLError as error:
        raise SourceError([error_at(file, 1, 1, f"not valid YAML: {error}")]) from None
    finally:
        loader.dispose()
    if reader.errors.found:
        raise SourceError(reader.errors.all())
    return reader.root, reader.packed


class _Errors:
    """The errors found in one file; those past MAX_ERRORS_PER_FILE are only counted."""

    def __init__(self, file: str) -> None:
        self.file = file
        self.found: list[Diagnostic] = []
        self.more = 0
        self.first_omitted = Mark(1, 1)

    def add(self, mark: Mark, path: ValuePath, message: str, hint: str = "") -> None:
        if len(self.found) < MAX_ERRORS_PER_FILE:
            self.found.append(self.diagnostic(mark, path, message, hint))
        else:
            if not self.more:
                self.first_omitted = mark
            self.more += 1

    def all(self) -> list[Diagnostic]:
        if not self.more:
            return self.found
        mark = self.first_omitted
        return [*self.found, more_errors(self.file, mark.line, mark.column, self.more)]

    def diagnostic(self, mark: Mark, path: ValuePath, message: str, hint: str = "") -> Diagnostic:
        return Diagnostic(self.file, mark.line, mark.column, "error", format_path(path), message, hint)


class _Anchors:
    """The anchors defined so far, and how many entries aliases and merges repeated.

    The repeated entries may at most equal the entries written out plus
    ALIAS_EXPANSION_ALLOWANCE: an alias bomb, or a huge list aliased many times,
    stops at the alias that goes over.
    """

    def __init__(self) -> None:
        # anchor -> [value, the array holding its marks, start, end]
        self.by_name: dict[str, list[Any]] = {}
        self.log: list[list[Any]] = []  # in the order defined, to move with a stashed range
        self.open: set[str] = set()  # anchors of collections still being read
        self.repeated = 0  # entries copied by aliases and merges
        self.stashed = 0  # entries moved out of `packed` (merge values, dropped values)

    def define(self, name: str, value: Any, packed: array[int], start: int) -> None:
        """Anchor `name` to a value whose marks are packed[start:]."""
        entry = [value, packed, start, len(packed)]
        self.by_name[name] = entry
        self.log.append(entry)

    def repeat(self, count: int, packed: array[int], mark: Mark, path: ValuePath) -> None:
        """Count `count` entries repeated; _AliasBomb when the repeats go over the allowance."""
        self.repeated += count
        written = len(packed) + self.stashed - (self.repeated - count)
        limit = ALIAS_EXPANSION_ALLOWANCE + written
        if self.repeated > limit:
            raise _AliasBomb(mark, path, limit)

    def stash(self, packed: array[int], start: int) -> array[int]:
        """Take the marks from `start` on out of `packed`, with the anchors defined among them."""
        marks = packed[start:]
        del packed[start:]
        self.stashed += len(marks)
        log = self.log
        while log and log[-1][1] is packed and log[-1][2] >= start:
            entry = log.pop()
            entry[1], entry[2], entry[3] = marks, entry[2] - start, entry[3] - start
        return marks


class _Reader:
    """Assemble parser events into values and their packed marks (see Document).

    One pass over the events, never a node tree: memory stays close to that of the values.
    An alias shares its anchor's value and copies its marks (see _Anchors).
    """

    def __init__(self, text: str, file: str) -> None:
        self.file = file
        self.packed: array[int] = array("q")
        self.errors = _Errors(file)
        # Values are searched only when some character of the file could give a bad one.
        self.check = "\\" in text or BAD_CHARACTERS.search(text) is not None
        self.anchors = _Anchors()
        self.stack: list[_Frame] = []
        self.root: Any = None

    # -- the event loop: the commonest events handled inline ---------------------------

    def read_events(self, get_event: Any) -> None:
        """Read the one document of the stream."""
        get_event()  # stream start
        if type(get_event()) is not yaml.DocumentStartEvent:
            raise SourceError([error_at(self.file, 1, 1, "file is empty", "a source file holds one YAML mapping")])
        self._events(get_event)
        event = get_event()
        if type(event) is not yaml.StreamEndEvent:
            mark = _mark(event)
            hint = "keep one document per file; remove the second '---'"
            message = "file holds more than one YAML document"
            raise SourceError([error_at(self.file, mark.line, mark.column, message, hint)])

    def _events(self, get_event: Any) -> None:
        """The document's events, up to its end."""
        scalar_event, mapping_start, sequence_start = yaml.ScalarEvent, yaml.MappingStartEvent, yaml.SequenceStartEvent
        mapping_end, sequence_end = yaml.MappingEndEvent, yaml.SequenceEndEvent
        resolve, words, number_start = resolve_plain, PLAIN_WORDS, NUMBER_START
        bad = BAD_CHARACTERS.search if self.check else None
        add_mark = self.packed.append
        top: _Frame | None = None
        left = MAX_ENTRIES
        while True:
            event = get_event()
            kind = type(event)
            # every key and value counts (collection ends and the document's end do not)
            left -= kind is not mapping_end and kind is not sequence_end
            if left < 0:
                _too_many(self.file, event)
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
                # resolve_plain, its commonest outcomes inline
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
                return

    # -- the rarer events --------------------------------------------------------------

    def _key(self, top: _Frame, event: Any) -> None:
        """A text key, or a merge key, or one given twice, or one with an anchor or a bad character."""
        text, mark = event.value, _mark(event)
        if text == "<<" and event.implicit[0] and event.tag is None:
            top.key = _MERGE
            return
        if text in top.container:
            first = unpack_mark(self.packed[_key_position(self.packed, top, text)])
            message = f"duplicate key {quote(text)}: given twice, first on line {first.line}"
            self.errors.add(mark, (*top.path, text), message, "remove one of them")
            top.key = _SKIP
            return
        self._check_text(text, mark, top.path, " in a key")
        self.packed.append(event.start_mark.line << 32 | event.start_mark.column)
        if event.anchor is not None:
            self.anchors.define(event.anchor, text, self.packed, len(self.packed) - 1)
        top.key = text

    def _not_a_key(self, top: _Frame | None, event: Any) -> None:
        if top is not None and top.is_mapping and top.key is _NO_KEY:
            self.errors.add(_mark(event), top.path, "a key must be plain text")
            top.key = _SKIP_KEY

    def _scalar(self, top: _Frame | None, event: Any) -> None:
        mark, path = _mark(event), _path(top)
        text: str = event.value
        tag = self._tag(event.tag, mark, path)
        if tag is None:
            value = resolve_plain(text) if event.implicit[0] and event.tag is None else text
        elif tag == "str" or event.style not in (None, ""):
            value = text
        else:
            try:
                value = typed_scalar(text, tag)
            except ValueError as error:
                self.errors.add(mark, path, str(error))
                value = text
        self._check_text(text, mark, path)
        start = len(self.packed)
        self.packed.append(event.start_mark.line << 32 | event.start_mark.column)
        if event.anchor is not None:
            self.anchors.define(event.anchor, value, self.packed, start)
        self._insert(top, value, start)

    def _tag(self, tag: str | None, mark: Mark, path: ValuePath) -> str | None:
        try:
            return tag_name(tag)
        except ValueError as refused:
            hint = "golive reads plain YAML; tags that build objects are refused"
            raise SourceError([self.errors.diagnostic(mark, path, str(refused), hint)]) from None

    def _check_text(self, text: str, mark: Mark, path: ValuePath, where: str = "") -> None:
        if self.check:
            found = BAD_CHARACTERS.search(text)
            if found is not None:
                self.errors.add(mark, path, bad_character_message(found.group()) + where, BAD_CHARACTER_HINT)

    def _start(self, top: _Frame | None, event: Any, get_event: Any) -> _Frame | None:
        self._not_a_key(top, event)
        mark, path = _mark(event), _path(top)
        start = len(self.packed)
        if len(self.stack) >= MAX_DEPTH:
            self.errors.add(mark, path, f"values nest deeper than {MAX_DEPTH} levels")
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
            self.anchors.open.add(event.anchor)
        frame = _Frame({} if type(event) is yaml.MappingStartEvent else [], path, start, event.anchor)
        self.stack.append(frame)
        return frame

    def _end(self) -> _Frame | None:
        frame = self.stack.pop()
        if frame.merges:
            self._merge(frame)
        self.packed[frame.start + 1] = len(self.packed) - frame.start - 2
        if frame.anchor is not None:
            self.anchors.open.discard(frame.anchor)
            self.anchors.define(frame.anchor, frame.container, self.packed, frame.start)
        top = self.stack[-1] if self.stack else None
        self._insert(top, frame.container, frame.start)
        return top

    def _alias(self, top: _Frame | None, event: Any) -> None:
        self._not_a_key(top, event)
        mark, path, name = _mark(event), _path(top), event.anchor
        start = len(self.packed)
        entry = self.anchors.by_name.get(name)
        if entry is None or name in self.anchors.open:
            if name in self.anchors.open:
                self.errors.add(mark, path, "an alias refers to a value that contains it")
            else:
                self.errors.add(mark, path, f"alias *{name[:60]} has no anchor &{name[:60]} before it")
            if top is not None and top.is_mapping and top.key is _MERGE:
                top.key = _SKIP  # one error is enough
            self.packed.append(event.start_mark.line << 32 | event.start_mark.column)
            self._insert(top, None, start)
            return
        value, marks, begin, end = entry
        self.anchors.repeat(end - begin, self.packed, mark, path)
        self.packed.extend(marks[begin:end])
        self._insert(top, value, start)

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
            marks = self.anchors.stash(self.packed, start)
            if top.key is _MERGE:
                top.merges.append((value, marks))
            top.key = _SKIP if top.key is _SKIP_KEY else _NO_KEY

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
                self.errors.add(unpack_mark(marks[0]), frame.path, "'<<' merges a mapping or a list of mappings")
                continue
            for source, at in sources:
                at += 2
                for key, child in source.items():
                    end = at + 1 + (2 + marks[at + 2] if type(child) is dict or type(child) is list else 1)
                    if key not in result:
                        self.anchors.repeat(end - at, packed, unpack_mark(packed[frame.start]), frame.path)
                        packed.extend(marks[at:end])
                        result[key] = child
                    at = end


def _mark(node: Any) -> Mark:
    mark = node.start_mark
    return Mark(mark.line + 1, mark.column + 1)


def _too_many(file: str, event: Any) -> None:
    if type(event) is yaml.DocumentEndEvent:
        return
    mark = _mark(event)
    message = f"file holds more than {MAX_ENTRIES:,} keys and values"
    hint = "golive reads at most that many from one file"
    raise SourceError([error_at(file, mark.line, mark.column, message, hint)])


def _key_position(packed: array[int], top: _Frame, key: str) -> int:
    """Where the mark of a key already read is, in `packed`."""
    at = top.start + 2
    for written, child in top.container.items():
        if written == key:
            break
        at += 1
        at += 2 + packed[at + 1] if type(child) is dict or type(child) is list else 1
    return at


def _path(top: _Frame | None) -> ValuePath:
    """The path of the value about to be read."""
    if top is None:
        return ()
    if not top.is_mapping:
        return (*top.path, len(top.container))
    if type(top.key) is str:
        return (*top.path, top.key)
    return (*top.path, "<<") if top.key is _MERGE else top.path
