"""How source text lands in pages: plain fields escaped, Markdown fields made safe.

Plain fields (titles, names, phone numbers...) are escaped for the Markdown
they are written into, so that a `|` never breaks a table and `<script>` is
shown as text. Markdown fields are converted here, by a locked-down
Python-Markdown (no raw HTML, no includes, only allowed link schemes), and the
resulting HTML is placed in the page: the page's own Markdown processing, which
allows golive's templates to use HTML, never sees the author's text.
"""

from __future__ import annotations

import html
import re
import xml.etree.ElementTree as etree
from urllib.parse import urlsplit

import markdown
from markdown.extensions import Extension
from markdown.treeprocessors import Treeprocessor

from generator.models.common import LINK_SCHEMES

# Characters Python-Markdown gives a meaning inside a line; <, > and & are HTML-escaped instead.
_INLINE_SPECIAL = re.compile(r"([\\`*_{}\[\]|])")
# At the start of a text a heading, list, quote or numbered list could begin.
_LINE_START_SPECIAL = re.compile(r"^(\s*)([#+\-=>]|\d+[.)])")
_URL_NOISE = re.compile(r"[\x00-\x20\x7f]+")


def plain(text: object) -> str:
    """Escape a plain field for inline use in Markdown (tables, headings, list items)."""
    if text is None:
        return ""
    value = " ".join(str(text).split())  # newlines would end a table row or a list item
    value = html.escape(value, quote=False)
    value = _INLINE_SPECIAL.sub(r"\\\1", value)
    return _LINE_START_SPECIAL.sub(_escape_line_start, value)


def _escape_line_start(match: re.Match[str]) -> str:
    indent, marker = match.group(1), match.group(2)
    if marker[0].isdigit():  # "1. " starts a numbered list: escape its dot instead
        return indent + marker[:-1] + "\\" + marker[-1]
    return indent + "\\" + marker


def attribute(text: object) -> str:
    """Escape a plain field for an HTML attribute or HTML text in a template."""
    return html.escape("" if text is None else str(text), quote=True)


def safe_link(url: object) -> str | None:
    """The URL when its scheme is allowed (or it has none), else None."""
    if not isinstance(url, str):
        return None
    cleaned = _URL_NOISE.sub("", url)  # browsers ignore these inside a scheme
    scheme = urlsplit(cleaned).scheme.lower()
    if scheme and scheme not in LINK_SCHEMES:
        return None
    if not scheme and cleaned.startswith("//"):
        return None  # protocol-relative: another host
    return url


def fence(code: str) -> str:
    """A backtick fence longer than any run of backticks in the code."""
    longest = max((len(run) for run in re.findall(r"`+", code)), default=0)
    return "`" * max(3, longest + 1)


class _DropUnsafeLinks(Treeprocessor):
    """Unwrap links whose scheme is not allowed; turn images into plain links (no remote loads)."""

    def run(self, root: etree.Element) -> None:
        for parent in root.iter():
            for index, child in enumerate(list(parent)):
                if child.tag == "a" and safe_link(child.get("href")) is None:
                    del child.attrib["href"]
                    child.tag = "span"
                elif child.tag == "img":
                    source = safe_link(child.get("src"))
                    alt = child.get("alt") or "image"
                    replacement = etree.Element("a" if source else "span")
                    if source:
                        replacement.set("href", source)
                    replacement.text = alt
                    replacement.tail = child.tail
                    parent.remove(child)
                    parent.insert(index, replacement)


class _SafeContent(Extension):
    def extendMarkdown(self, md: markdown.Markdown) -> None:
        md.preprocessors.deregister("html_block")
        md.inlinePatterns.deregister("html")
        md.treeprocessors.register(_DropUnsafeLinks(md), "golive_safe_links", 0)


def _make_converter() -> markdown.Markdown:
    return markdown.Markdown(
        extensions=[
            "fenced_code",
            "tables",
            "sane_lists",
            "admonition",
            "pymdownx.tasklist",
            _SafeContent(),
        ],
        output_format="html",
    )


_converter = _make_converter()


def markdown_html(text: str | None) -> str:
    """Convert an author's Markdown field into safe HTML."""
    if not text:
        return ""
    _converter.reset()
    return _converter.convert(text)


def markdown_block(text: str | None) -> str:
    """A Markdown field as a golive HTML block: the page's Markdown passes it through untouched."""
    converted = markdown_in_html(text)
    return f"<!-- golive:html -->\n{converted}\n<!-- /golive:html -->" if converted else ""


def markdown_in_html(text: str | None) -> str:
    """A Markdown field as HTML, for a place inside a golive HTML block (see html_blocks)."""
    converted = markdown_html(text)
    return f'<div class="golive-text">\n{converted}\n</div>' if converted else ""
