"""Regeneration for `golive serve`: re-read the sources that changed, re-render what shows them.

A Regenerator lives as long as the server. Each run reads again only the files whose
size or modification time changed, checks again only the plans whose sources changed,
renders only those plans' pages and the site-wide pages (dashboard, series, people,
checklists, calendar, nav), and compares site_src/ with what the previous run wrote, in memory, so
that only the pages that changed are written.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from generator.check.validate import Validation, ValidationCache, validate_project
from generator.site.render import RenderCache, RenderedSite, render_site
from generator.site.write import SITE_SRC, Changes, write_site_src


@dataclass(frozen=True)
class Regeneration:
    validation: Validation
    site: RenderedSite | None  # None when the sources have errors: site_src/ is left as it was
    changes: Changes

    @property
    def rendered(self) -> tuple[str, ...]:
        """The plans whose pages were rendered this time."""
        return self.site.rendered if self.site is not None else ()


class Regenerator:
    def __init__(self, root: Path) -> None:
        self.root = root
        self.validation_cache = ValidationCache()
        self.render_cache = RenderCache()
        self.written: dict[str, bytes] | None = None  # site_src/ as the last run left it

    def run(self) -> Regeneration:
        validation = validate_project(self.root, cache=self.validation_cache)
        if not validation.ok:
            return Regeneration(validation, None, Changes())
        site = render_site(validation, self.render_cache)
        changes = write_site_src(self.root / SITE_SRC, site.files, self.written)
        self.written = site.files
        return Regeneration(validation, site, changes)
