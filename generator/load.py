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

import re
from dataclasses import dataclass, field
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

_Parser: Any = getattr(yaml, "CBaseLoader", yaml.BaseLoader)

_INT = re.compile(r"[-+]?(0|[1-9][0-9]*)")
_FLOAT = re.compile(r"[-+]?([0-9]+\.[0-9]*|\.[0-9]+)([eE][-+]?[0-9]+)?|[-+]?[0-9]+[eE][-+]?[0-9]+")
_NULLS = {"", "~", "null", "Null", "NULL"}
_CORE_TAG = "tag:yaml.org,2002:"
_ALLOWED_SCALAR_TAGS = {"str", "int", "float", "bool", "null"}


@dataclass(frozen=True)
class Mark:
    """A 1-based line and column."""

    line: int
    column: int


@dataclass
class Document:
    """The values of one source file with the place each was written."""

    file: str
    data: Any
    value_marks: dict[ValuePath, Mark] = field(default_factory=dict)
    key_marks: dict[ValuePath, Mark] = field(default_factory=dict)

    def mark_of(self, path: ValuePath) -> Mark:
        """Where the value at `path` is written, else its nearest written parent."""
        while path not in self.value_marks and path:
            path = path[:-1]
        return self.value_marks.get(path, Mark(1, 1))

    def key_mark_of(self, path: ValuePath) -> Mark:
        """Where the key of the value at `path` is written."""
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


class SourceError(Exception):
    """A source file that cannot be read; carries every problem found."""

    def __init__(self, diagnostics: list[Diagnostic]) -> None:
        super().__init__("; ".join(d.message for d in diagnostics))
        self.diagnostics = diagnostics


@dataclass(eq=False)
class _Node:
    kind: str  # "scalar" | "seq" | "map"
    mark: Mark
    value: Any = None  # scalar text, or list of nodes, or list of (key, value) nodes
    tag: str | None = None
    plain: bool = False
    height: int = 1
    expanded: int = 1  # values after alias expansion, this node included
    done: bool = False


def load_document(path: Path, file: str) -> Document:
    """Read `path` (shown to users as `file`) or raise SourceError."""
    try:
        size = path.stat().st_size
    except OSError as error:
        raise SourceError([_at(file, 1, 1, f"cannot read the file: {error.strerror}")]) from None
    if size > MAX_FILE_BYTES:
        raise SourceError(
            [_at(file, 1, 1, f"file is {size / 2**20:.1f} MiB; sources are limited to 16 MiB")]
        )
    try:
        raw = path.read_bytes()
    except OSError as error:
        raise SourceError([_at(file, 1, 1, f"cannot read the file: {error.strerror}")]) from None
    return parse_document(raw, file)


def parse_document(raw: bytes, file: str) -> Document:
    """Parse YAML bytes into a Document or raise SourceError."""
    if len(raw) > MAX_FILE_BYTES:
        raise SourceError([_at(file, 1, 1, "file is larger than 16 MiB")])
    text = _decode(raw, file)
    builder = _TreeBuilder(file)
    root = builder.build(text)
    document = Document(file, None)
    if root is None:
        raise SourceError([_at(file, 1, 1, "file is empty", "a source file holds one YAML mapping")])
    budget = ALIAS_EXPANSION_ALLOWANCE + 10 * builder.written
    if root.expanded > budget:
        mark = builder.first_alias or Mark(1, 1)
        raise SourceError(
            [
                _at(
                    file,
                    mark.line,
                    mark.column,
                    f"aliases expand to more than {budget:,} values",
                    "an alias bomb is refused; write the values out instead",
                )
            ]
        )
    document.data = _Converter(document, builder.errors).value(root, ())
    if builder.errors:
        raise SourceError(builder.errors)
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


class _TreeBuilder:
    """Assemble parser events into nodes without expanding aliases."""

    def __init__(self, file: str) -> None:
        self.file = file
        self.errors: list[Diagnostic] = []
        self.anchors: dict[str, _Node] = {}
        self.written = 0
        self.first_alias: Mark | None = None

    def build(self, text: str) -> _Node | None:
        parser = _Parser(text)
        try:
            return self._build(parser)
        except yaml.MarkedYAMLError as error:
            raise SourceError([self._syntax_error(error, text)]) from None
        except yaml.reader.ReaderError as error:  # carries a position, not a mark
            line = text.count("\n", 0, error.position) + 1
            column = error.position - (text.rfind("\n", 0, error.position) + 1) + 1
            character = error.character if isinstance(error.character, int) else ord(error.character)
            raise SourceError(
                [_at(self.file, line, column, f"control character U+{character:04X} is not allowed")]
            ) from None
        except yaml.YAMLError as error:
            raise SourceError([_at(self.file, 1, 1, f"not valid YAML: {error}")]) from None
        finally:
            parser.dispose()

    def _build(self, parser: Any) -> _Node | None:
        root: _Node | None = None
        stack: list[_Node] = []
        documents = 0
        while parser.check_event():
            event = parser.get_event()
            if isinstance(event, yaml.DocumentStartEvent):
                documents += 1
                if documents > 1:
                    mark = _mark(event)
                    raise SourceError(
                        [
                            _at(
                                self.file,
                                mark.line,
                                mark.column,
                                "file holds more than one YAML document",
                                "keep one document per file; remove the second '---'",
                            )
                        ]
                    )
                continue
            if isinstance(event, yaml.AliasEvent):
                node = self._alias(event)
            elif isinstance(event, yaml.ScalarEvent):
                node = _Node("scalar", _mark(event), event.value, self._tag(event), event.style in ("", None) and event.implicit[0])
                node.done = True
                self._anchor(event, node)
            elif isinstance(event, yaml.SequenceStartEvent | yaml.MappingStartEvent):
                kind = "seq" if isinstance(event, yaml.SequenceStartEvent) else "map"
                node = _Node(kind, _mark(event), [], self._tag(event))
                self._anchor(event, node)
                if len(stack) >= MAX_DEPTH:
                    raise SourceError(
                        [_at(self.file, node.mark.line, node.mark.column, f"values nest deeper than {MAX_DEPTH} levels")]
                    )
                if stack:
                    self._attach(stack, node)
                stack.append(node)
                continue
            elif isinstance(event, yaml.SequenceEndEvent | yaml.MappingEndEvent):
                node = stack.pop()
                self._close(node)
                if not stack:
                    root = node
                continue
            else:
                continue
            self.written += 1
            if stack:
                self._attach(stack, node)
            else:
                root = node
        return root

    def _tag(self, event: Any) -> str | None:
        tag = event.tag
        if tag in (None, "!"):
            return None
        if tag.startswith(_CORE_TAG):
            name = tag[len(_CORE_TAG) :]
            if name in _ALLOWED_SCALAR_TAGS or name in ("map", "seq"):
                return name
        mark = _mark(event)
        shown = "!!" + tag[len(_CORE_TAG) :] if tag.startswith(_CORE_TAG) else tag
        raise SourceError(
            [
                _at(
                    self.file,
                    mark.line,
                    mark.column,
                    f"tag '{shown}' is not allowed",
                    "golive reads plain YAML; tags that build objects are refused",
                )
            ]
        )

    def _anchor(self, event: Any, node: _Node) -> None:
        if event.anchor is not None:
            self.anchors[event.anchor] = node

    def _alias(self, event: Any) -> _Node:
        mark = _mark(event)
        if self.first_alias is None:
            self.first_alias = mark
        target = self.anchors.get(event.anchor)
        if target is None:
            raise SourceError([_at(self.file, mark.line, mark.column, f"alias *{event.anchor} has no anchor &{event.anchor} before it")])
        if not target.done:
            raise SourceError([_at(self.file, mark.line, mark.column, f"alias *{event.anchor} refers to a value that contains it")])
        return target

    def _attach(self, stack: list[_Node], node: _Node) -> None:
        parent = stack[-1]
        if parent.kind == "seq":
            parent.value.append(node)
        elif parent.value and parent.value[-1][1] is None:
            parent.value[-1] = (parent.value[-1][0], node)
        else:
            parent.value.append((node, None))

    def _close(self, node: _Node) -> None:
        children = node.value if node.kind == "seq" else [v for pair in node.value for v in pair]
        node.height = 1 + max((c.height for c in children), default=0)
        # Capped so that an alias bomb's count stays a small integer.
        node.expanded = min(1 + sum(c.expanded for c in children), 2**62)
        node.done = True
        if node.height > MAX_DEPTH:
            raise SourceError(
                [_at(self.file, node.mark.line, node.mark.column, f"values nest deeper than {MAX_DEPTH} levels")]
            )

    def _syntax_error(self, error: yaml.MarkedYAMLError, text: str) -> Diagnostic:
        mark = error.problem_mark or error.context_mark
        line, column = (mark.line + 1, mark.column + 1) if mark else (1, 1)
        problem = error.problem or "not valid YAML"
        hint = ""
        if mark is not None and text[mark.index : mark.index + 1] == "\t":
            problem, hint = "tab character in indentation", "YAML indents with spaces only"
        elif "mapping values are not allowed" in problem:
            problem, hint = "unexpected ':'", "quote a value that contains ': '"
        elif "could not find expected ':'" in problem:
            hint = "a key needs ': ' after it, or a multi-line value needs '|'"
        elif "found character" in problem and "cannot start any token" in problem:
            hint = "quote a value that starts with this character"
        return _at(self.file, line, column, f"YAML syntax: {problem}", hint)


class _Converter:
    """Turn nodes into Python values, recording where each was written."""

    def __init__(self, document: Document, errors: list[Diagnostic]) -> None:
        self.document = document
        self.errors = errors

    def value(self, node: _Node, path: ValuePath) -> Any:
        # setdefault: the first place written wins when an alias repeats a path
        self.document.value_marks.setdefault(path, node.mark)
        if node.kind == "scalar":
            return self._scalar(node, path)
        if node.kind == "seq":
            return [self.value(child, (*path, index)) for index, child in enumerate(node.value)]
        return self._mapping(node, path)

    def _mapping(self, node: _Node, path: ValuePath) -> dict[str, Any]:
        result: dict[str, Any] = {}
        merges: list[_Node] = []
        for key_node, value_node in node.value:
            if key_node.kind != "scalar":
                self._error(key_node.mark, path, "a key must be plain text")
                continue
            key = key_node.value
            if key == "<<" and key_node.plain:
                merges.append(value_node)
                continue
            if key in result:
                first = self.document.key_marks[(*path, key)]
                self._error(
                    key_node.mark,
                    (*path, key),
                    f"key '{key}' is given twice; first on line {first.line}",
                    "remove one of them",
                )
                continue
            self.document.key_marks[(*path, key)] = key_node.mark
            result[key] = self.value(value_node, (*path, key))
        for merge in merges:
            sources = merge.value if merge.kind == "seq" else [merge]
            for source in sources:
                if source.kind != "map":
                    self._error(merge.mark, path, "'<<' merges a mapping or a list of mappings")
                    continue
                merged = self._mapping(source, path)
                for key, value in merged.items():
                    result.setdefault(key, value)
        return result

    def _scalar(self, node: _Node, path: ValuePath) -> Any:
        text: str = node.value
        tag = node.tag
        if tag == "str" or (tag is None and not node.plain):
            return text
        if tag is None:
            return _resolve_plain(text)
        resolved = _resolve_plain(text)
        wanted = {"int": int, "float": float, "bool": bool, "null": type(None)}.get(tag)
        if tag == "float" and isinstance(resolved, int) and not isinstance(resolved, bool):
            return float(resolved)
        if wanted is not None and isinstance(resolved, wanted):
            return resolved
        self._error(node.mark, path, f"'{text}' is not a valid !!{tag}")
        return text

    def _error(self, mark: Mark, path: ValuePath, message: str, hint: str = "") -> None:
        self.errors.append(Diagnostic(self.document.file, mark.line, mark.column, "error", format_path(path), message, hint))


def _resolve_plain(text: str) -> Any:
    if text in _NULLS:
        return None
    if text == "true":
        return True
    if text == "false":
        return False
    if _INT.fullmatch(text) and len(text) <= 19:
        return int(text)
    if _FLOAT.fullmatch(text) and not re.match(r"[-+]?0[0-9]", text):
        return float(text)
    return text


def _mark(event: Any) -> Mark:
    mark = event.start_mark
    return Mark(mark.line + 1, mark.column + 1)
