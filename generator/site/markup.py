"""How source text lands in pages: plain fields escaped, Markdown fields made safe.

Plain fields (titles, names, phone numbers...) are escaped for the Markdown
they are written into, so that a `|` never breaks a table and `<script>` is
shown as text. Markdown fields are converted here, by cmark-gfm (GitHub's
dialect; raw HTML shown as text, no includes, only allowed link schemes), and the
resulting HTML is placed in the page: the page's own Markdown processing, which
allows golive's templates to use HTML, never sees the author's text.
"""

from __future__ import annotations

import html
import re
from urllib.parse import urlsplit

from cmarkgfm import cmark

from generator.read.models.common import LINK_SCHEMES, MAILTO_QUERY
from generator.site.cmark_html import markdown_to_html

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


# What GitHub's Markdown reads beyond Python-Markdown's: ~strike~ and bare URLs made links.
_GITHUB_SPECIAL = re.compile(r"~|:(?=//)|(?<=\bwww)\.", re.IGNORECASE)


def github_text(text: object) -> str:
    """Escape a plain field for GitHub's Markdown (a pull-request comment, a CI job summary)."""
    return _GITHUB_SPECIAL.sub(lambda match: "\\" + match.group(0), plain(text))


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
    if scheme == "mailto" and MAILTO_QUERY.search(cleaned):
        return None  # ?bcc=, ?subject=, ?body=: a mail client would fill them in
    return url


def code_span(text: object) -> str:
    """A Markdown code span showing text as written: nothing inside a code span is interpreted."""
    value = " ".join(str(text).split())  # a newline could end the paragraph
    longest = max((len(run) for run in re.findall(r"`+", value)), default=0)
    ticks = "`" * (longest + 1)
    padding = " " if value.startswith("`") or value.endswith("`") or not value.strip() else ""
    return f"{ticks}{padding}{value}{padding}{ticks}"


# cmark-gfm, the C library behind GitHub's own Markdown, converts a field some 25 times as
# fast as Python-Markdown, and authors who review plans on GitHub read its dialect there.
_EXTENSIONS = ["table", "tasklist", "strikethrough", "autolink"]
# While cmark reads a field, "<" is replaced by a private-use character: no raw HTML can
# form, and the character becomes "&lt;" afterwards, in text and code alike. So cmark may
# run in its unsafe mode (whose safe mode would drop raw HTML instead of showing it).
_LESS_THAN = "\ue000"
_LINK = re.compile(r'<a href="([^"]*)"((?: title="[^"]*")?)>(.*?)</a>', re.DOTALL)
_IMAGE = re.compile(r'<img src="([^"]*)" alt="([^"]*)"(?: title="[^"]*")? />')


def _link(match: re.Match[str]) -> str:
    """A link stays a link only when its scheme is allowed; else its text stays, as text."""
    if safe_link(html.unescape(match.group(1))) is None:
        return f"<span>{match.group(3)}</span>"
    return match.group(0)


def _image(match: re.Match[str]) -> str:
    """An image becomes a link to it (no remote loads), or its text when the scheme is not allowed."""
    source, alt = match.group(1), match.group(2) or "image"
    if safe_link(html.unescape(source)) is None:
        return f"<span>{alt}</span>"
    return f'<a href="{source}">{alt}</a>'


def markdown_html(text: str | None) -> str:
    """Convert an author's Markdown field into safe HTML."""
    if not text:
        return ""
    source = text.replace(_LESS_THAN, "\ufffd").replace("<", _LESS_THAN)
    converted = markdown_to_html(source, cmark.Options.CMARK_OPT_UNSAFE, _EXTENSIONS)
    converted = converted.replace(_LESS_THAN, "&lt;")
    return _LINK.sub(_link, _IMAGE.sub(_image, converted)).rstrip("\n")


def markdown_block(text: str | None) -> str:
    """A Markdown field as a golive HTML block: the page's Markdown passes it through untouched."""
    converted = markdown_in_html(text)
    return f"<!-- golive:html -->\n{converted}\n<!-- /golive:html -->" if converted else ""


def markdown_in_html(text: str | None) -> str:
    """A Markdown field as HTML, for a place inside a golive HTML block (see html_blocks)."""
    converted = markdown_html(text)
    return f'<div class="golive-text">\n{converted}\n</div>' if converted else ""
