"""The `golive` MkDocs plugin: the generated navigation, and regeneration while serving."""

from __future__ import annotations

import json
import logging
import re
import shutil
import time
import zlib
from collections.abc import Sequence
from importlib import resources
from pathlib import Path
from typing import Any

import jinja2
from mkdocs.config.defaults import MkDocsConfig
from mkdocs.exceptions import PluginError
from mkdocs.plugins import BasePlugin, CombinedEvent, event_priority
from mkdocs.structure.files import Files
from mkdocs.structure.pages import Page
from mkdocs.utils import clean_directory, get_relative_url

from generator.check.validate import validate_project
from generator.mkdocs.build import give_back_freed_memory
from generator.mkdocs.history_pages import HistoryPages
from generator.mkdocs.html_blocks import UNSEARCHED_START, without_markers, without_unsearched
from generator.paper.pdf import PDF_DIR, current_pdfs, forget_pdfs, read_manifest
from generator.report import format_text
from generator.review.background import HistoryInBackground
from generator.site.incremental import Regenerator
from generator.site.nav import NAV_FILE
from generator.site.views.plan import build_plan_view
from generator.site.views.site import PlanSummary, plan_summary

log = logging.getLogger("mkdocs.plugins.golive")

# site/pdf/ waits here while MkDocs empties site/: MkDocs leaves hidden entries alone.
KEPT_PDF_DIR = ".golive-pdf-kept"
# The overview and the runbook link "PDF" to the print page in site_src/; at HTML time the
# link goes to the PDF when that PDF is in site/pdf/ (or about to be written), never to a 404.
_PDF_LINK = re.compile(r'href="print\.html" data-golive-pdf="([a-z0-9][a-z0-9-]{0,62})"')
_PRINT_PAGE = re.compile(r"plans/([a-z0-9][a-z0-9-]{0,62})/print\.md")
# Pages between two returns of freed memory to the system (see on_post_page).
_PAGES_BETWEEN_TRIMS = 250
# `golive serve`: what the sources' last check found, fetched by every page (see on_post_page).
SERVE_STATUS = "assets/golive-serve-status.json"
SERVE_SCRIPT = "assets/golive-serve.js"


class GolivePlugin(BasePlugin):
    """Use the nav that golive wrote into site_src/, and re-render from plans/ during `serve`."""

    serving = False
    # The plans as golive last rendered them in this process, so that history pages reuse them.
    views: Sequence[PlanSummary] | None = None
    # The plans whose PDF site/pdf/ holds after this build; None: those still current there.
    pdf_plans: frozenset[str] | None = None
    # `golive build`: the history, being read in a process of its own since the build started.
    history: HistoryInBackground | None = None

    def __init__(self) -> None:
        super().__init__()
        self._full_content: dict[str, str] = {}  # page content while the search plugin reads it
        self._packed_content: dict[str, bytes] = {}  # each page's HTML, compressed until its turn (see below)
        self._bytecode = _MemoryBytecodeCache()
        self._regenerator: Regenerator | None = None  # serve: kept across rebuilds (MkDocs keeps this plugin)
        self._nav_changed = False
        self._history = HistoryPages()  # kept across serve rebuilds, as MkDocs keeps this plugin
        self._titles: dict[str, str] = {}  # plan id -> title, for the print pages' <title>
        self._linked_pdfs: frozenset[str] = frozenset()
        self._problems: list[str] = []  # serve: the diagnostics while the sources have errors
        self._mkdocs_config: MkDocsConfig | None = None
        self._pages_built = 0
        self._files: Files | None = None  # this build's, for the history pages converted last

    def on_startup(self, *, command: str, dirty: bool) -> None:
        self.serving = command == "serve"

    def on_config(self, config: MkDocsConfig) -> MkDocsConfig:
        if config.use_directory_urls:
            # golive's HTML blocks link to sibling pages as page.html (see html_blocks.py).
            raise PluginError("golive: set use_directory_urls: false in mkdocs.yml")
        self._mkdocs_config = config
        if self.serving:
            self._regenerate(Path(config.config_file_path).parent)
        nav_file = Path(config.docs_dir) / NAV_FILE
        if config.nav is None and nav_file.exists():
            config.nav = json.loads(nav_file.read_text(encoding="utf-8"))
        return config

    def _regenerate(self, root: Path) -> None:
        """Bring site_src/ in line with plans/, writing only what changed (MkDocs then rebuilds only that)."""
        if self._regenerator is None:
            self._regenerator = Regenerator(root)
        started = time.perf_counter()
        result = self._regenerator.run()
        for line in format_text(result.validation.diagnostics).splitlines():
            log.warning(line)
        if result.site is None:
            log.warning("golive: the sources have errors; site_src/ is left as it was")
            self._problems = format_text(result.validation.errors).splitlines()
            return
        self._problems = []
        self.views = result.site.plans
        changes = result.changes
        self._nav_changed = NAV_FILE in changes.changed
        if changes.any:
            log.info(
                f"golive: {len(changes.added) + len(changes.changed)} pages written, {len(changes.removed)} removed "
                f"({len(result.rendered)} plans rendered) in {time.perf_counter() - started:.2f}s"
            )

    def on_pre_build(self, *, config: MkDocsConfig) -> None:
        self._packed_content.clear()  # serve: pages converted but not rendered last time
        if self.serving and self._nav_changed:
            # `golive serve` rebuilds only changed pages; a new nav belongs on every page.
            clean_directory(config.site_dir)
            self._nav_changed = False
        if self.serving:
            self._linked_pdfs = frozenset()
            return
        # Runs before MkDocs empties site/: keep the PDFs of earlier builds out of its way.
        site = Path(config.site_dir)
        pdfs, kept = site / PDF_DIR, site / KEPT_PDF_DIR
        if kept.is_dir() and not pdfs.is_dir():  # an earlier build stopped halfway
            kept.rename(pdfs)
        shutil.rmtree(kept, ignore_errors=True)
        if pdfs.is_dir() and not pdfs.is_symlink():
            pdfs.rename(kept)
        current = frozenset(current_pdfs(kept, Path(config.docs_dir))) if kept.is_dir() else frozenset()
        self._linked_pdfs = current if self.pdf_plans is None else self.pdf_plans

    def on_post_build(self, *, config: MkDocsConfig) -> None:
        self._restore_pdfs(config)
        if self.serving:
            site = Path(config.site_dir)
            (site / SERVE_STATUS).parent.mkdir(parents=True, exist_ok=True)
            (site / SERVE_STATUS).write_text(json.dumps({"errors": self._problems}), encoding="utf-8")
            script = resources.files("generator.site").joinpath("theme", "golive-serve.js").read_bytes()
            (site / SERVE_SCRIPT).write_bytes(script)

    def on_build_error(self, *, error: Exception) -> None:
        if self._mkdocs_config is not None:
            self._restore_pdfs(self._mkdocs_config)

    def _restore_pdfs(self, config: MkDocsConfig) -> None:
        """Put site/pdf/ back; outside `golive build`, without the PDFs no longer current."""
        site = Path(config.site_dir)
        kept = site / KEPT_PDF_DIR
        if self.serving or not kept.is_dir():
            return
        pdfs = site / PDF_DIR
        shutil.rmtree(pdfs, ignore_errors=True)
        kept.rename(pdfs)
        if self.pdf_plans is None:  # `mkdocs build`, as `golive publish` runs it through mike
            forget_pdfs(pdfs, set(read_manifest(pdfs)) - self._linked_pdfs)

    def on_files(self, files: Files, *, config: MkDocsConfig) -> Files:
        """Add each plan's history page, made from git (so site_src/ never depends on git state)."""
        self._files = files
        root = Path(config.config_file_path).parent
        views = self.views if self.views is not None else _render_views(root)
        self._titles = {view.id: view.title for view in views}
        if self.history is not None and not self.serving:
            background, self.history = self.history, None  # one build's
            return self._history.add_later(files, config, views, background)
        return self._history.add(files, config, root, views, serving=self.serving)

    # MkDocs converts every page before it renders any: on a thousand plans, ten thousand pages
    # of Markdown and HTML at once were most of the build's peak. Once converted, a page's
    # Markdown is no longer read, and its HTML waits compressed until the page is rendered.
    @event_priority(-100)  # after every other plugin's look at the content
    def on_page_content(self, html: str, *, page: Page, config: MkDocsConfig, files: Files) -> str:
        page.markdown = None
        self._packed_content[page.file.src_uri] = zlib.compress(html.encode("utf-8"), 1)
        return ""

    def _unpack_content(self, page: Page) -> None:
        packed = self._packed_content.pop(page.file.src_uri, None)
        if packed is not None:
            page.content = zlib.decompress(packed).decode("utf-8")

    @event_priority(100)  # a history page added later is converted first (HistoryPages.convert_later)
    def _convert_later(self, context: Any, *, page: Page, config: MkDocsConfig, nav: Any) -> Any:
        assert self._files is not None
        self._history.convert_later(page, config, self._files)
        return context

    # The search plugin indexes page.content when its own on_page_context runs (priority 0):
    # show it the page without the blocks golive marked no-search, then put them back.
    @event_priority(50)
    def _hide_unsearched(self, context: Any, *, page: Page, config: MkDocsConfig, nav: Any) -> Any:
        self._unpack_content(page)
        if page.content and UNSEARCHED_START in page.content:
            self._full_content[page.file.src_uri] = page.content
            page.content = without_unsearched(page.content)
        return context

    @event_priority(-50)
    def _restore_unsearched(self, context: Any, *, page: Page, config: MkDocsConfig, nav: Any) -> Any:
        full = self._full_content.pop(page.file.src_uri, None)
        if full is not None:
            page.content = without_markers(full)
        return context

    def _document_title(self, context: Any, *, page: Page, config: MkDocsConfig, nav: Any) -> Any:
        # A printed or saved runbook is named after its plan (the browser tab, the PDF's title).
        printed = _PRINT_PAGE.fullmatch(page.file.src_uri)
        if printed and printed.group(1) in self._titles:
            context["golive_document_title"] = self._titles[printed.group(1)]
        return context

    on_page_context = CombinedEvent(_convert_later, _hide_unsearched, _restore_unsearched, _document_title)

    def on_post_page(self, output: str, *, page: Page, config: MkDocsConfig) -> str:
        # The page is written and indexed: MkDocs would keep its Markdown and HTML to the
        # end of the build, every page's at once. Only the anchors are needed after this.
        page.markdown = None
        page.content = None
        self._pages_built += 1
        if self._pages_built % _PAGES_BETWEEN_TRIMS == 0:
            give_back_freed_memory()  # each page's Markdown and HTML were freed: keep the peak down
        output = _PDF_LINK.sub(lambda link: self._pdf_link(link, page), output)
        if self.serving:
            # Every page shows the sources' errors while there are any (golive-serve.js).
            script = get_relative_url(SERVE_SCRIPT, page.url)
            status = get_relative_url(SERVE_STATUS, page.url)
            tag = f'<script src="{script}" data-status="{status}" defer></script>\n'
            end = output.rfind("</body>")
            output = output[:end] + tag + output[end:] if end >= 0 else output + tag
        return output

    def _pdf_link(self, link: re.Match[str], page: Page) -> str:
        plan_id = link.group(1)
        if plan_id not in self._linked_pdfs:
            return link.group(0)
        target = get_relative_url(f"{PDF_DIR}/{plan_id}.pdf", page.url)
        return f'href="{target}" data-golive-pdf="{plan_id}"'

    def on_env(self, env: Any, *, config: MkDocsConfig, files: Any) -> Any:
        # The print page's template ships with golive, not with the theme.
        theme_dir = resources.files("generator.site").joinpath("theme")
        env.loader = jinja2.ChoiceLoader([env.loader, jinja2.FileSystemLoader(str(theme_dir))])
        # Each rebuild in `serve` makes a new environment: compile the theme's templates once.
        env.bytecode_cache = self._bytecode
        return env

    def on_serve(self, server: Any, *, config: MkDocsConfig, builder: Any) -> Any:
        # golive writes site_src/ from plans/: watch the sources. Watching site_src/ too would
        # only build a second time after each regeneration, and poll thousands of pages.
        server.unwatch(config.docs_dir)
        server.watch(str(Path(config.config_file_path).parent / "plans"))
        return server


class _MemoryBytecodeCache(jinja2.BytecodeCache):
    """Compiled templates kept in memory, by template name and source checksum."""

    def __init__(self) -> None:
        self.compiled: dict[str, bytes] = {}

    def load_bytecode(self, bucket: jinja2.bccache.Bucket) -> None:
        code = self.compiled.get(bucket.key)
        if code is not None:
            bucket.bytecode_from_string(code)

    def dump_bytecode(self, bucket: jinja2.bccache.Bucket) -> None:
        self.compiled[bucket.key] = bucket.bytecode_to_string()


def _render_views(root: Path) -> tuple[PlanSummary, ...]:
    """The plans' page contexts, for a build that MkDocs started on its own (`mkdocs build`)."""
    validation = validate_project(root)
    return tuple(plan_summary(build_plan_view(validation, plan_id)) for plan_id in sorted(validation.schedules))
