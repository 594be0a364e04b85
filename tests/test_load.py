"""The YAML loader: golive's narrow reading rules and its limits."""

from __future__ import annotations

import tracemalloc
from pathlib import Path

import pytest

from generator.read.document import Mark, SourceError
from generator.read.load import MAX_FILE_BYTES, load_document, parse_document


def load(text: str | bytes) -> object:
    raw = text.encode() if isinstance(text, str) else text
    return parse_document(raw, "f.yaml").data


def problems(text: str | bytes) -> list[str]:
    raw = text.encode() if isinstance(text, str) else text
    with pytest.raises(SourceError) as error:
        parse_document(raw, "f.yaml")
    return [f"{d.line}:{d.column}: {d.message}" for d in error.value.diagnostics]


def test_yaml_1_1_surprises_are_not_applied() -> None:
    data = load("a: 23:00\nb: no\nc: off\nd: NO\ne: 0755\nf: 2026-12-05\ng: 2026-12-05 22:00\nh: yes\ni: 1:30:00\n")
    assert data == {
        "a": "23:00",
        "b": "no",
        "c": "off",
        "d": "NO",
        "e": "0755",
        "f": "2026-12-05",
        "g": "2026-12-05 22:00",
        "h": "yes",
        "i": "1:30:00",
    }


def test_only_lowercase_true_and_false_are_booleans() -> None:
    assert load("a: true\nb: false\nc: True\nd: ~\ne: null\nf:\n") == {
        "a": True,
        "b": False,
        "c": "True",
        "d": None,
        "e": None,
        "f": None,
    }


def test_numbers_and_quoted_text() -> None:
    assert load("a: 3\nb: -7\nc: 1.5\nd: '3'\ne: \"1.5\"\nf: 1_000\ng: 0\nh: +442079460020\n") == {
        "a": 3,
        "b": -7,
        "c": 1.5,
        "d": "3",
        "e": "1.5",
        "f": "1_000",
        "g": 0,
        "h": "+442079460020",  # a phone number, not the integer 442079460020
    }


def test_every_value_and_key_has_its_mark() -> None:
    document = parse_document(b"steps:\n  - id: a\n    owner: bob\n", "f.yaml")
    assert document.mark_of(("steps", 0, "owner")) == Mark(3, 12)
    assert document.key_mark_of(("steps", 0, "owner")) == Mark(3, 5)
    assert document.mark_of(("steps", 0)) == Mark(2, 5)
    # A path that was never written falls back to its nearest written parent.
    assert document.mark_of(("steps", 0, "title")) == Mark(2, 5)


def test_duplicate_keys_are_all_reported_at_the_second_occurrence() -> None:
    assert problems("a: 1\nb:\n  c: 1\n  c: 2\na: 3\n") == [
        "4:3: duplicate key 'c': given twice, first on line 3",
        "5:1: duplicate key 'a': given twice, first on line 1",
    ]


def test_bom_and_crlf_are_read() -> None:
    assert load(b"\xef\xbb\xbfa: 1\r\nb: x\r\n") == {"a": 1, "b": "x"}


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        (b"", "1:1: file is empty"),
        (b"# only a comment\n", "1:1: file is empty"),
        (b"a: 1\n---\nb: 2\n", "2:1: file holds more than one YAML document"),
        (b"a:\n\tb: 1\n", "2:1: YAML syntax: tab character in indentation"),
        (b"a: 1\nb: caf\xe9\n", "2:7: byte 0xe9 is not valid UTF-8"),
        (b"\xff\xfea\x00:\x00", "1:1: file is UTF-16; save it as UTF-8"),
        (
            b"a: !!python/object/apply:os.system [ls]\n",
            "1:4: tag '!!python/object/apply:os.system' is not allowed",
        ),
        (b"a: !vault secret\n", "1:4: tag '!vault' is not allowed"),
        (b"a: *nowhere\n", "1:4: alias *nowhere has no anchor &nowhere before it"),
        (b"a: &x [1, *x]\n", "1:11: an alias refers to a value that contains it"),
        (b"a: &a {<<: *a}\n", "1:12: an alias refers to a value that contains it"),
        (b'a: "open\n', "1:4: YAML syntax: a quoted value is never closed"),
        (b"a: 1\nb: x\x07\n", "2:5: control character U+0007 is not allowed"),
        (b"a: !!int twelve\n", "1:4: 'twelve' is not a valid !!int"),
    ],
)
def test_unreadable_input_is_reported_with_its_place(raw: bytes, expected: str) -> None:
    assert problems(raw) == [expected]


def test_explicit_core_tags_are_honoured() -> None:
    assert load("a: !!str 23\nb: !!int 7\nc: !!float 2\n") == {"a": "23", "b": 7, "c": 2.0}


def test_merge_keys_copy_missing_keys_only() -> None:
    data = load("base: &b {owner: ana, duration: 10m}\nstep: {<<: *b, id: x, duration: 5m}\n")
    assert data == {
        "base": {"owner": "ana", "duration": "10m"},
        "step": {"id": "x", "duration": "5m", "owner": "ana"},
    }


def test_alias_bomb_is_refused_in_bounded_memory() -> None:
    lines = ["a0: &a0 [lol, lol, lol, lol, lol, lol, lol, lol, lol]"]
    for level in range(1, 10):
        refs = ", ".join([f"*a{level - 1}"] * 9)
        lines.append(f"a{level}: &a{level} [{refs}]")
    tracemalloc.start()
    try:
        messages = problems("\n".join(lines) + "\n")
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert messages == ["6:10: aliases expand to more than 100,029 keys and values"]
    assert peak < 64 * 2**20  # the expansion allowance, not the billion values


def test_deep_nesting_is_refused() -> None:
    assert problems("a: " + "[" * 150 + "]" * 150) == ["1:103: values nest deeper than 100 levels"]
    # libyaml stops even earlier than golive on absurd depths
    assert problems("a: " + "[" * 5000) == ["1:1003: YAML syntax: exceeded maximum nesting depth"]


def test_file_over_16_mib_is_refused_without_reading_it(tmp_path: Path) -> None:
    big = tmp_path / "big.yaml"
    with big.open("wb") as handle:
        handle.truncate(MAX_FILE_BYTES + 1)
    with pytest.raises(SourceError) as error:
        load_document(big, "plans/big.yaml")
    [diagnostic] = error.value.diagnostics
    assert (diagnostic.file, diagnostic.line, diagnostic.message) == (
        "plans/big.yaml",
        1,
        "file is 16.0 MiB; sources are limited to 16 MiB",
    )


FAST_PATH_SAMPLES = [
    "steps:\n  - id: a\n    owner: bob\n    depends_on: []\n  - {id: b, 'owner': \"x\", n: 3, f: 1.5}\nt: |\n  text\n",
    "- 1\n- [2, [3, {a: ~}]]\n- ''\n- no\n",
    "plain scalar at the top\n",
    "a:\n  b:\n    c:\n      - d: 1\n        e: [x, y]\n",
]


@pytest.mark.parametrize("text", FAST_PATH_SAMPLES)
def test_libyaml_and_python_parsers_agree(text: str, monkeypatch: pytest.MonkeyPatch) -> None:
    import yaml

    import generator.read.yaml_reader

    fast = parse_document(text.encode(), "f.yaml")
    assert fast._packed is not None  # places kept packed
    monkeypatch.setattr(generator.read.yaml_reader, "_Loader", yaml.BaseLoader)
    slow = parse_document(text.encode(), "f.yaml")
    written = list(slow.value_marks)
    for path in written + [(*p, extra) for p in written for extra in ("x", 0, 5, -1)]:
        assert fast.mark_of(path) == slow.mark_of(path), path
        assert fast.key_mark_of(path) == slow.key_mark_of(path), path
    assert fast._packed is not None  # looked up without unpacking every mark
    assert fast.data == slow.data
    assert fast.value_marks == slow.value_marks
    assert fast.key_marks == slow.key_marks
    assert fast == slow


def test_aliases_share_their_value_and_copy_its_places() -> None:
    text = "a: &a {b: &b [1]}\nc: {<<: *a, d: *b}\nm: {<<: {x: &q [1, {y: 2}]}, z: 1}\nn: *q\n&k key: 1\nv: *k\n"
    document = parse_document(text.encode(), "f.yaml")
    assert document.data == {
        "a": {"b": [1]},
        "c": {"d": [1], "b": [1]},
        "m": {"z": 1, "x": [1, {"y": 2}]},
        "n": [1, {"y": 2}],
        "key": 1,
        "v": "key",
    }
    assert document.data["n"] is document.data["m"]["x"]  # shared, not copied
    # a value reached through an alias points at where it was written
    assert document.mark_of(("c", "b", 0)) == Mark(1, 15)
    assert document.mark_of(("n", 1, "y")) == Mark(3, 24)
    assert document.key_mark_of(("m", "z")) == Mark(3, 30)


def test_aliases_repeat_at_most_what_the_file_writes_out(monkeypatch: pytest.MonkeyPatch) -> None:
    import generator.read.yaml_reader

    monkeypatch.setattr(generator.read.yaml_reader, "ALIAS_EXPANSION_ALLOWANCE", 0)
    # 13 entries written before the second alias: the root's mark and size, a, its list's mark and
    # size and 6 items, b, c; the first alias repeats the 8 entries of the list, the second 8 more
    assert problems("a: &a [1, 2, 3, 4, 5, 6]\nb: *a\nc: *a\n") == [
        "3:4: aliases expand to more than 13 keys and values"
    ]
    assert load("a: &a [1, 2, 3, 4, 5, 6]\nb: *a\n") == {"a": [1, 2, 3, 4, 5, 6], "b": [1, 2, 3, 4, 5, 6]}


def test_a_file_of_too_many_keys_and_values_is_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    import generator.read.yaml_reader

    monkeypatch.setattr(generator.read.yaml_reader, "MAX_ENTRIES", 5)
    assert load("a: [1, 2]\n") == {"a": [1, 2]}  # the mapping, a, the list, 1, 2
    assert problems("a: [1, 2, 3]\n") == ["1:11: file holds more than 5 keys and values"]


@pytest.mark.parametrize(
    ("escape", "code"),
    [
        ("\\0", "control character U+0000"),
        ("\\e", "control character U+001B"),
        ("\\r", "control character U+000D"),
        ("\\x7f", "control character U+007F"),
        ("\\x85", "control character U+0085"),
        ("\\u202e", "bidirectional control character U+202E"),
        ("\\u2066", "bidirectional control character U+2066"),
        ("\u202e", "bidirectional control character U+202E"),  # raw: libyaml lets it through
    ],
)
def test_control_characters_from_escapes_are_refused_with_their_path(escape: str, code: str) -> None:
    assert problems(f'steps:\n  - title: "a{escape}b"\n') == [f"2:12: {code} is not allowed"]
    with pytest.raises(SourceError) as error:
        parse_document(f'steps:\n  - title: "a{escape}b"\n  - {{"ke{escape}y": 1}}\n'.encode(), "f.yaml")
    assert [(d.path, d.message) for d in error.value.diagnostics] == [
        ("steps[0].title", f"{code} is not allowed"),
        ("steps[1]", f"{code} is not allowed in a key"),
    ]


def test_tabs_and_line_breaks_are_allowed() -> None:
    assert load('a: "x\\ty\\nz"\nb: |\n  one\n  two\n') == {"a": "x\ty\nz", "b": "one\ntwo\n"}


def test_at_most_100_errors_of_a_file_are_listed() -> None:
    text = "a: 1\n" + "".join(f'k{i}: "\\e"\n' for i in range(150))
    messages = problems(text)
    assert len(messages) == 101
    assert messages[99] == "101:6: control character U+001B is not allowed"
    assert messages[100] == "102:7: … and 50 more errors in this file"
