"""A Python-Markdown extension that passes golive's finished HTML through untouched, cheaply.

golive writes its big tables and each step's details as HTML between two comment lines:

    <!-- golive:html -->
    <table>...</table>
    <!-- /golive:html -->

Python-Markdown would pass such a raw HTML block through anyway, but only after
parsing it tag by tag with Python's HTMLParser, which is most of the cost of
converting a runbook. golive made that HTML itself (author text is escaped or
converted by `markup`), so it needs no parsing: this preprocessor stores each
block in Python-Markdown's own stash, as its raw-HTML handling does, and the
page comes out the same as without the extension, only faster.

Only golive's templates can write a marker: the pages are rendered with every value
escaped (site/templates.py autoescapes, and its filters escape or convert), so no text read
from plans/ puts a "<" into site_src/, hence no marker. A command, say, that holds
marker lines shows them as text, inside a block of its own.

A block opened with `<!-- golive:html no-search -->` is also left out of the
search index: the golive MkDocs plugin hides it from the search plugin (see
`without_unsearched`). Use it for tables that repeat what the page says elsewhere.
"""

from __future__ import annotations

import re

from markdown import Markdown
from markdown.extensions import Extension
from markdown.preprocessors import Preprocessor

# The markers, each alone on a line; the block ends at the first closing marker.
_BLOCK = re.compile(
    r"^<!-- golive:html( no-search)? -->\n(.*?)\n<!-- /golive:html -->$",
    re.MULTILINE | re.DOTALL,
)
# What marks a no-search block in the HTML that the search plugin reads.
UNSEARCHED_START = "<!-- golive:no-search -->"
UNSEARCHED_END = "<!-- /golive:no-search -->"
_UNSEARCHED = re.compile(re.escape(UNSEARCHED_START) + ".*?" + re.escape(UNSEARCHED_END), re.DOTALL)


class _StashHtmlBlocks(Preprocessor):
    def run(self, lines: list[str]) -> list[str]:
        text = "\n".join(lines)
        if "<!-- golive:html" not in text:
            return lines

        def stash(match: re.Match[str]) -> str:
            html = match.group(2)
            if match.group(1):
                html = f"{UNSEARCHED_START}{html}{UNSEARCHED_END}"
            # A placeholder alone in its paragraph: Python-Markdown puts the HTML back in its place.
            return "\n\n" + self.md.htmlStash.store(html) + "\n\n"

        return _BLOCK.sub(stash, text).split("\n")


class GoliveHtmlBlocks(Extension):
    def extendMarkdown(self, md: Markdown) -> None:
        # After whitespace normalisation (30), before fenced code (25) and raw HTML (20).
        md.preprocessors.register(_StashHtmlBlocks(md), "golive_html_blocks", 29)


def makeExtension(**kwargs: object) -> GoliveHtmlBlocks:  # the name Python-Markdown looks for
    return GoliveHtmlBlocks(**kwargs)


def without_unsearched(html: str) -> str:
    """The page's HTML without its no-search blocks: what the search index should read."""
    return _UNSEARCHED.sub("", html)


def without_markers(html: str) -> str:
    """The page's HTML with its no-search blocks, but not the markers around them."""
    return html.replace(UNSEARCHED_START, "").replace(UNSEARCHED_END, "")
