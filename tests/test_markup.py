"""Escaping: plain fields stay text wherever they land; Markdown fields cannot inject anything."""

from __future__ import annotations

import html
import re
from pathlib import Path

import markdown
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from markupsafe import Markup, escape

from generator.api import generate
from generator.site.markup import code_span, markdown_html, plain, safe_link
from generator.site.templates import _environment, escape_output
from hostile import MARKER, make_hostile_project

PAGE_MARKDOWN = markdown.Markdown(extensions=["tables", "attr_list", "md_in_html"])


def as_html(source: str) -> str:
    PAGE_MARKDOWN.reset()
    return PAGE_MARKDOWN.convert(source)


@pytest.mark.parametrize(
    ("text", "shown"),
    [
        ("<script>alert(1)</script>", "&lt;script&gt;alert(1)&lt;/script&gt;"),
        ("a | b", "a | b"),
        ("*not bold* _nor this_", "*not bold* _nor this_"),
        ("[link](javascript:alert(1))", "[link](javascript:alert(1))"),
        ("R&D", "R&amp;D"),
        ("`code`", "`code`"),
        ("{: onclick=alert(1) }", "{: onclick=alert(1) }"),
    ],
)
def test_plain_text_in_a_table_cell_is_shown_as_written(text: str, shown: str) -> None:
    rendered = as_html(f"| a | b |\n| --- | --- |\n| {plain(text)} | end |\n")
    assert f"<td>{shown}</td>" in rendered
    assert "<td>end</td>" in rendered


@pytest.mark.parametrize("text", ["# heading", "- item", "1. item", "> quote", "+ plus"])
def test_plain_text_at_line_start_starts_no_block(text: str) -> None:
    assert as_html(plain(text)) == f"<p>{text.replace('>', '&gt;')}</p>"


def test_plain_text_newlines_do_not_end_a_row() -> None:
    assert plain("line one\nline two") == "line one line two"


def test_markdown_field_keeps_formatting_but_not_html_or_unsafe_links() -> None:
    converted = markdown_html(
        "**bold** [ok](https://example.com) [mail](mailto:a@example.com) [bad](javascript:alert(1))\n"
        "[tricky](JaVa\tScRiPt:alert(1)) [data](data:text/html,x)\n\n"
        "<script>alert(1)</script>\n\n<iframe src='https://evil.example'></iframe>\n\n"
        "![tracker](https://evil.example/pixel.png)\n\n"
        '--8<-- "/etc/passwd"\n\n{{ config }} {% include "x" %}\n'
    )
    assert "<strong>bold</strong>" in converted
    assert '<a href="https://example.com">ok</a>' in converted
    assert '<a href="mailto:a@example.com">mail</a>' in converted
    assert "javascript" not in converted.lower().replace("&lt;", "")
    assert "data:text" not in converted
    assert "<script" not in converted and "&lt;script&gt;" in converted
    assert "<iframe" not in converted
    assert "<img" not in converted  # no remote loads; the image becomes a link
    assert "--8&lt;--" in converted
    assert "{{ config }}" in converted


def test_code_in_markdown_is_escaped_once() -> None:
    assert "<code>kubectl get pods | grep &lt;name&gt;</code>" in markdown_html("`kubectl get pods | grep <name>`")


@pytest.mark.parametrize(
    ("url", "allowed"),
    [
        ("https://x.example", True),
        ("mailto:a@x.example", True),
        ("tel:+4420", True),
        ("javascript:alert(1)", False),
        (" javascript:alert(1)", False),
        ("java\nscript:alert(1)", False),
        ("//evil.example/x", False),
        ("ftp://x.example", False),
        ("mailto:a@x.example?bcc=eve@evil.example", False),
        ("mailto:a@x.example&subject=hi", False),
    ],
)
def test_safe_link(url: str, allowed: bool) -> None:
    assert (safe_link(url) is not None) is allowed


@pytest.mark.parametrize(
    ("text", "span"),
    [("shop", "`shop`"), ("a `b` c", "``a `b` c``"), ("`x``", "``` `x`` ```"), ("two\n\nlines", "`two lines`")],
)
def test_code_span_shows_any_text_as_written(text: str, span: str) -> None:
    assert code_span(text) == span
    assert markdown_html(code_span(text)) == f"<p><code>{html.escape(' '.join(text.split()), quote=False)}</code></p>"


def test_no_source_field_writes_a_tag_or_opens_a_golive_html_block(tmp_path: Path) -> None:
    """Only golive's templates put a "<" into site_src/: the hostile tree's pages have exactly
    the golive:html markers (and so the blocks) of the same tree with harmless text."""
    pages: dict[bool, dict[str, str]] = {}
    for harmless in (False, True):
        root, fields = make_hostile_project(tmp_path / f"harmless-{harmless}", harmless=harmless)
        generated = generate(root)
        assert generated.site is not None, generated.validation.errors
        pages[harmless] = {path: data.decode() for path, data in generated.site.files.items() if path.endswith(".md")}
    assert len(fields) >= 50
    hostile, harmless = ({path: len(MARKER.findall(text)) for path, text in pages[h].items()} for h in (False, True))
    assert hostile == harmless
    assert sum(harmless.values()) > 0
    for path, text in pages[False].items():
        assert re.search(r"<(script|img|svg)", text, re.IGNORECASE) is None, path


ALLOWED_TAGS = {"p", "a", "span", "strong", "em", "del", "code", "pre", "ul", "ol", "li", "blockquote", "hr", "br"}
ALLOWED_TAGS |= {"h1", "h2", "h3", "h4", "h5", "h6", "table", "thead", "tbody", "tr", "th", "td", "input"}
ALLOWED_ATTRIBUTES = {"href", "title", "type", "checked", "disabled", "start", "align", "class"}
PIECES = ["<", ">", "&", '"', "`", "*", "_", "[", "]", "(", ")", "!", ":", " ", "\n", "-", "#", "|", "a", "\ue000"]
PIECES += ["javascript:", "https://x.example", "<script>", "<img src=x onerror=alert(1)>", "](", "```", "www.x.io"]


@settings(max_examples=400, deadline=None)
@given(st.lists(st.sampled_from(PIECES), max_size=40).map("".join))
def test_markdown_field_never_yields_markup_of_its_own(text: str) -> None:
    converted = markdown_html(text)
    assert {tag.lower() for tag in re.findall(r"<([a-zA-Z][a-zA-Z0-9]*)", converted)} <= ALLOWED_TAGS
    for tag in re.findall(r"<[a-zA-Z][^>]*>", converted):
        assert set(re.findall(r"\s([a-zA-Z-]+)=", tag)) <= ALLOWED_ATTRIBUTES, tag
    for href in re.findall(r'href="([^"]*)"', converted):
        assert safe_link(html.unescape(href)) is not None
    assert "\ue000" not in converted


@settings(max_examples=200, deadline=None)
@given(st.one_of(st.lists(st.sampled_from(PIECES), max_size=20).map("".join), st.integers(), st.floats(), st.none()))
def test_page_output_is_escaped_as_markupsafe_escapes_it(value: object) -> None:
    """escape_output, which the pages' compiled templates call for each {{ value }}, escapes as
    Jinja's own escape() does; Markup, a filter's output, passes unchanged."""
    assert escape_output(value) == escape(value) and type(escape_output(value)) is Markup
    safe = Markup(str(value))
    assert escape_output(safe) is safe
    page = _environment().from_string("{% autoescape true %}<p>{{ value }} {{ value|attr }}</p>{% endautoescape %}")
    assert page.render(value=value) == f"<p>{escape(value)} {html.escape(str(value)) if value is not None else ''}</p>"
