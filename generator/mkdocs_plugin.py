"""The `golive` MkDocs plugin: the generated navigation, and regeneration while serving."""

from __future__ import annotations

import json
import logging
from importlib import resources
from pathlib import Path
from typing import Any

import jinja2
from mkdocs.config.defaults import MkDocsConfig
from mkdocs.exceptions import PluginError
from mkdocs.plugins import BasePlugin, CombinedEvent, event_priority
from mkdocs.structure.files import File, Files
from mkdocs.structure.pages import Page

from generator.html_blocks import UNSEARCHED_END, UNSEARCHED_START, without_unsearched
from generator.pages import PlanView
from generator.render import NAV_FILE

log = logging.getLogger("mkdocs.plugins.golive")


class GolivePlugin(BasePlugin):
    """Use the nav that golive wrote into site_src/, and re-render from plans/ during `serve`."""

    serving = False
    # The plans as golive last rendered them in this process, so that history pages reuse them.
    views: tuple[PlanView, ...] | None = None

    def __init__(self) -> None:
        super().__init__()
        self._full_content: dict[str, str] = {}  # page content while the search plugin reads it

    def on_startup(self, *, command: str, dirty: bool) -> None:
        self.serving = command == "serve"

    def on_config(self, config: MkDocsConfig) -> MkDocsConfig:
        if config.use_directory_urls:
            # golive's HTML blocks link to sibling pages as page.html (see html_blocks.py).
            raise PluginError("golive: set use_directory_urls: false in mkdocs.yml")
        nav_file = Path(config.docs_dir) / NAV_FILE
        if config.nav is None and nav_file.exists():
            config.nav = json.loads(nav_file.read_text(encoding="utf-8"))
        return config

    def on_files(self, files: Files, *, config: MkDocsConfig) -> Files:
        """Add each plan's history page, made from git (so site_src/ never depends on git state)."""
        from generator.history import histories
        from generator.render import render_template

        root = Path(config.config_file_path).parent
        views = self.views if self.views is not None else _render_views(root)
        revisions = histories(root, [view.id for view in views])
        for view in views:
            plan_id = view.id
            content = render_template(
                "history.md.j2", view=view, revisions=None if revisions is None else revisions[plan_id]
            )
            files.append(File.generated(config, f"plans/{plan_id}/history.md", content=content))
        return files

    # The search plugin indexes page.content when its own on_page_context runs (priority 0):
    # show it the page without the blocks golive marked no-search, then put them back.
    @event_priority(50)
    def _hide_unsearched(self, context: Any, *, page: Page, config: MkDocsConfig, nav: Any) -> Any:
        if page.content and UNSEARCHED_START in page.content:
            self._full_content[page.file.src_uri] = page.content
            page.content = without_unsearched(page.content)
        return context

    @event_priority(-50)
    def _restore_unsearched(self, context: Any, *, page: Page, config: MkDocsConfig, nav: Any) -> Any:
        full = self._full_content.pop(page.file.src_uri, None)
        if full is not None:
            page.content = full.replace(UNSEARCHED_START + "\n", "").replace("\n" + UNSEARCHED_END, "")
        return context

    on_page_context = CombinedEvent(_hide_unsearched, _restore_unsearched)

    def on_env(self, env: Any, *, config: MkDocsConfig, files: Any) -> Any:
        # The print page's template ships with golive, not with the theme.
        theme_dir = resources.files("generator").joinpath("theme")
        env.loader = jinja2.ChoiceLoader([env.loader, jinja2.FileSystemLoader(str(theme_dir))])
        return env

    def on_pre_build(self, *, config: MkDocsConfig) -> None:
        if not self.serving:
            return
        from generator.build import generate, write
        from generator.report import format_text

        root = Path(config.config_file_path).parent
        generated = generate(root)
        for line in format_text(generated.validation.diagnostics).splitlines():
            log.warning(line)
        if generated.site is None:
            log.warning("golive: the sources have errors; site_src/ is left as it was")
            return
        self.views = generated.site.plans
        changes = write(root, generated.site)
        if changes.any:
            log.info(
                f"golive: {len(changes.added) + len(changes.changed)} pages written, {len(changes.removed)} removed"
            )
            self.on_config(config)

    def on_serve(self, server: Any, *, config: MkDocsConfig, builder: Any) -> Any:
        server.watch(str(Path(config.config_file_path).parent / "plans"))
        return server


def _render_views(root: Path) -> tuple[PlanView, ...]:
    """The plans' page contexts, for a build that MkDocs started on its own (`mkdocs build`)."""
    from generator.pages import build_plan_view
    from generator.validate import validate_project

    validation = validate_project(root)
    return tuple(build_plan_view(validation, plan_id) for plan_id in sorted(validation.schedules))
