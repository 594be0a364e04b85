"""golive's HTML blocks: the same page as plain Markdown would make, and kept out of search where marked."""

from __future__ import annotations

import json
import re
from pathlib import Path

import markdown
import pytest
from mkdocs.config import load_config

from conftest import REPO

SHOP = "shop-checkout-relaunch"


def converter(with_blocks: bool) -> markdown.Markdown:
    """The page Markdown of the site's mkdocs.yml, with or without golive's pass-through."""
    config = load_config(str(REPO / "mkdocs.yml"))
    extensions = [e for e in config.markdown_extensions if with_blocks or e != "golive"]
    assert len(extensions) == len(config.markdown_extensions) - (0 if with_blocks else 1)
    return markdown.Markdown(extensions=extensions, extension_configs=config.mdx_configs)


def normalized(html: str) -> str:
    html = re.sub(r"<!-- /?golive:[^>]*-->", "", html)
    return re.sub(r">\s+<", "><", html).strip()


@pytest.mark.parametrize("page", ["runbook", "log", "contacts", "print", "postmortem", "rollback", "index"])
def test_pass_through_gives_the_page_plain_markdown_would(page: str) -> None:
    source = (REPO / f"site_src/plans/{SHOP}/{page}.md").read_text().split("---\n", 2)[-1]
    fast, plain = converter(True).convert(source), converter(False).convert(source)
    assert "<!-- golive:html" in source
    assert normalized(fast) == normalized(plain)


def test_markdown_inside_a_block_is_left_alone() -> None:
    source = "Before *em*.\n\n<!-- golive:html -->\n<p>*not em* `nor code`</p>\n<!-- /golive:html -->\n\nAfter.\n"
    html = converter(True).convert(source)
    assert "<p>*not em* `nor code`</p>" in html
    assert "<em>em</em>" in html and "<p>After.</p>" in html


def search_entries(site: Path) -> list[dict[str, str]]:
    return json.loads((site / "site/search/search_index.json").read_text())["docs"]


def test_search_indexes_steps_but_not_the_tables_that_repeat_them(shipped_site: Path) -> None:
    runbook = [e for e in search_entries(shipped_site) if e["location"].startswith(f"plans/{SHOP}/runbook.html")]
    assert any(e["location"].endswith("#step-snapshot-orders-db") for e in runbook)
    schedule = next(e for e in runbook if e["location"].endswith("#schedule"))
    # The schedule table (Done, Actual, Initials) and the timeline bars are not in the index...
    assert "Initials" not in schedule["text"] and "T+0:50" not in schedule["text"]
    assert "Times in Europe/London" in schedule["text"]
    # ...but they are on the page, and the markers are gone.
    page = (shipped_site / f"site/plans/{SHOP}/runbook.html").read_text()
    assert "<th>Initials</th>" in page and "golive-timeline__bar" in page
    assert "golive:no-search" not in page and "golive:html" not in page


def test_pages_that_repeat_others_are_not_indexed(shipped_site: Path) -> None:
    pages = {e["location"].split("#")[0] for e in search_entries(shipped_site)}
    for page in ("contacts", "print", "history", "checklists", "communications"):
        assert f"plans/{SHOP}/{page}.html" not in pages
    for page in ("index", "runbook", "rollback", "log", "postmortem"):
        assert f"plans/{SHOP}/{page}.html" in pages
    assert {"people.html", "index.html", "checklists.html"} <= pages


def test_directory_urls_are_refused_with_a_clear_message(tmp_path: Path) -> None:
    from conftest import copy_shipped_project
    from generator.api import generate, write
    from generator.mkdocs.build import BuildError, build_html

    root = copy_shipped_project(tmp_path / "project")
    config = root / "mkdocs.yml"
    config.write_text(config.read_text().replace("use_directory_urls: false", "use_directory_urls: true"))
    generated = generate(root)
    assert generated.site is not None
    write(root, generated.site)
    with pytest.raises(BuildError, match="use_directory_urls: false"):
        build_html(root)
