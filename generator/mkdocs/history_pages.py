"""Each plan's history page, added to the build by the golive plugin (never written to site_src/).

`golive build` hands the plugin a history being read in the background (review/background.py):
the pages are added with their front matter only, and get their Markdown and HTML when MkDocs
writes them, after every other page. `mkdocs build` and `golive serve` read the history here; serve
keeps what it read while HEAD stays, and does not rebuild the page of a plan that did not change.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Callable, Sequence
from pathlib import Path

import yaml
from mkdocs.config.defaults import MkDocsConfig
from mkdocs.structure.files import File, Files
from mkdocs.structure.pages import Page
from mkdocs.utils.meta import get_data

from generator.review.background import HistoryInBackground
from generator.review.git import GitError
from generator.review.history import History, HistoryCache, head_commit, histories
from generator.site.render import history_page
from generator.site.views.site import PlanSummary

log = logging.getLogger("mkdocs.plugins.golive")
NO_HISTORY = "golive: the history pages are left without git history"


class GeneratedPage(File):
    """A page made at build time that a dirty rebuild (serve) skips when its content is as before."""

    unchanged = False

    def is_modified(self) -> bool:
        return not self.unchanged or not os.path.isfile(self.abs_dest_path)


def _path(view: PlanSummary) -> str:
    return f"plans/{view.id}/history.md"


class HistoryPages:
    def __init__(self) -> None:
        self._pages: dict[str, tuple[PlanSummary, str]] = {}  # plan id -> (view, page)
        self._revisions: tuple[str | None, dict[str, History | None]] | None = None  # git HEAD, history by plan
        self._cache = HistoryCache()  # serve: what earlier builds read from git
        self._later: dict[str, Callable[[], str]] = {}  # src_uri -> its Markdown, made when MkDocs reads it

    def add(
        self, files: Files, config: MkDocsConfig, root: Path, views: Sequence[PlanSummary], *, serving: bool
    ) -> Files:
        """Read the history here and add each plan's page. While HEAD stays, a rebuild in `serve`
        reuses the revisions read and the pages of plans not rendered again."""
        head = head_commit(root)
        if not serving or self._revisions is None or self._revisions[0] != head:
            self._revisions = (head, {})
            self._pages = {}
        known = self._revisions[1]
        missing = [view.id for view in views if view.id not in known]
        if missing:
            found = self._read(root, missing) if head is not None else None
            known.update({plan_id: found for plan_id in missing})
        for view in views:
            before = self._pages.get(view.id)
            unchanged = before is not None and before[0] is view
            if not unchanged:
                history = known[view.id]
                revisions = None if history is None else history.revisions[view.id]
                content = history_page(view, revisions, partial=history is not None and history.partial)
                self._pages[view.id] = (view, content)
            page = GeneratedPage.generated(config, _path(view), content=self._pages[view.id][1])
            assert isinstance(page, GeneratedPage)
            page.unchanged = unchanged  # a dirty rebuild (serve) skips it
            files.append(page)
        return files

    def add_later(
        self, files: Files, config: MkDocsConfig, views: Sequence[PlanSummary], background: HistoryInBackground
    ) -> Files:
        """Add each plan's page with its front matter only; `convert_later` makes the rest from
        what the background reader found, when MkDocs writes the page. They come last in `files`,
        so MkDocs writes them after every other page."""
        found: list[History | None] = []

        def history() -> History | None:
            if not found:
                try:
                    found.append(background.result())
                except GitError as error:
                    log.warning(f"{NO_HISTORY}: {error}")
                    found.append(None)
            return found[0]

        for view in views:

            def content(view: PlanSummary = view) -> str:
                known = history()
                revisions = None if known is None else known.revisions.get(view.id, [])
                return history_page(view, revisions, partial=known is not None and known.partial)

            self._later[_path(view)] = content
            # MkDocs reads a page's front matter (search: exclude) before its Markdown goes to
            # the plugins: the page starts as its front matter, the same whatever the history.
            _, front = get_data(history_page(view, None))
            files.append(File.generated(config, _path(view), content=f"---\n{yaml.safe_dump(front)}---\n"))
        return files

    def convert_later(self, page: Page, config: MkDocsConfig, files: Files) -> None:
        """Give a history page added later its Markdown and HTML, as MkDocs would have when it
        read the page, with every plugin's look at them; nothing for any other page.

        MkDocs converts every page before it writes any: a history page converted with the
        others would make the build wait for the history halfway through. Converted when it
        is written instead, last of all, it leaves the background reader the whole build.
        """
        make = self._later.pop(page.file.src_uri, None)
        if make is None:
            return
        page.markdown = config.plugins.on_page_markdown(get_data(make())[0], page=page, config=config, files=files)
        page.render(config, files)
        assert page.content is not None
        page.content = config.plugins.on_page_content(page.content, page=page, config=config, files=files)

    def _read(self, root: Path, plan_ids: list[str]) -> History | None:
        """The plans' history; None, with a warning, when git fails (the pages then say there is none)."""
        try:
            return histories(root, plan_ids, self._cache)
        except GitError as error:
            log.warning(f"{NO_HISTORY}: {error}")
            return None
