"""Escaping: plain fields stay text wherever they land; Markdown fields cannot inject anything."""

from __future__ import annotations

import html
import re
from pathlib import Path

import markdown
import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

from conftest import REPO, build_project, make_project
from generator.markup import fence, markdown_html, plain, safe_link

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
    ],
)
def test_safe_link(url: str, allowed: bool) -> None:
    assert (safe_link(url) is not None) is allowed


def test_fence_is_longer_than_any_backtick_run() -> None:
    assert fence("echo `date`") == "```"
    assert fence("a ```` b") == "`````"


def test_hostile_plan_builds_into_html_that_shows_and_runs_nothing(tmp_path: Path) -> None:
    root = make_project(tmp_path / "project")
    (root / "mkdocs.yml").write_text((REPO / "mkdocs.yml").read_text())
    plan_path = root / "plans/shop/plan.yaml"
    plan = yaml.safe_load(plan_path.read_text())
    plan["title"] = "<script>alert('title')</script> Launch | pipes"
    plan["steps"][0]["title"] = 'Freeze <img src=x onerror="alert(1)"> | now'
    plan["steps"][0]["instructions"] = (
        "<script>alert('md')</script>\n\n[click](javascript:alert(1))\n\n--8<-- \"/etc/passwd\"\n\n{{ config }}"
    )
    plan["steps"][0]["commands"] = ["echo '```' && echo '<script>alert(1)</script>'"]
    plan["stakeholders"][0]["role"] = "Lead <b>bold</b> | x"
    plan_path.write_text(yaml.safe_dump(plan, allow_unicode=True))
    site = build_project(root)
    for page in ("index.html", "runbook.html", "contacts.html"):
        rendered = (site / "plans/shop" / page).read_text()
        assert "<script>alert" not in rendered, page
        assert "<img" not in rendered, page
        assert 'href="javascript' not in rendered.lower(), page
        assert "&lt;script&gt;alert(&#x27;title&#x27;)" in rendered or "&lt;script&gt;alert('title')" in rendered
    runbook = (site / "plans/shop/runbook.html").read_text()
    assert '&lt;img src=x onerror="alert(1)"&gt;' in runbook  # shown as text
    assert "root:x:0" not in runbook
    assert "--8&lt;--" in runbook
    row = next(line for line in runbook.split("<tr>")[1:] if "Freeze" in line)
    assert row.count("<td") == 10  # the pipes in the title did not split the row


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
