"""The pipeline end to end: validate, render, write site_src/, build the HTML with MkDocs."""

from __future__ import annotations

import logging
from collections.abc import Collection, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from generator.diagnostics import Diagnostic, sort_diagnostics
from generator.mkdocs_plugin import GolivePlugin
from generator.pages import PlanHeading, PlanView
from generator.render import RenderedSite, render_site
from generator.sources import refused_entries
from generator.validate import Validation, validate_project
from generator.write import SITE_SRC, Changes, check_site_src, write_site_src

SITE_DIR = "site"
MKDOCS_CONFIG = "mkdocs.yml"


class BuildError(Exception):
    """MkDocs could not build the site; carries its messages."""

    def __init__(self, messages: list[str]) -> None:
        super().__init__("\n".join(messages))
        self.messages = messages


@dataclass
class Generated:
    """The outcome of validating and rendering a project."""

    validation: Validation
    site: RenderedSite | None  # None when the sources have errors


def refused_outputs(root: Path, folders: Sequence[str] = (SITE_SRC,)) -> list[Diagnostic]:
    """An error for each symbolic link, FIFO, socket or device at or under root/<folder>.

    site_src/ comes from the repository: a link there would let MkDocs copy what it points at
    (`.git/config`, a home folder) into the site that `publish` pushes, and let writing
    site_src/ land outside it. A link as site/ would have MkDocs empty the folder it points at.
    """
    return [d for folder in folders for d in refused_entries(root, folder)]


def generate(root: Path, outputs: Sequence[str] = (SITE_SRC,)) -> Generated:
    """Validate and, when valid, render every file of site_src/ in memory.

    A link or special file under any of the `outputs` folders is an error too: nothing is rendered.
    """
    validation = validate_project(root)
    refused = refused_outputs(root, outputs)
    if refused:
        validation.diagnostics = sort_diagnostics([*validation.diagnostics, *refused])
    if not validation.ok:
        return Generated(validation, None)
    # Rendering reads the models only: the raw values and their line and column can go.
    for source in validation.project.sources():
        source.document.release()
    return Generated(validation, render_site(validation))


def write(root: Path, site: RenderedSite) -> Changes:
    """Bring root/site_src in line with the rendered site."""
    return write_site_src(root / SITE_SRC, site.files)


def check(root: Path, site: RenderedSite) -> Changes:
    """How root/site_src differs from what build would write (once an interrupted write is completed)."""
    return check_site_src(root / SITE_SRC, site.files)


@contextmanager
def _captured_mkdocs_log() -> Iterator[list[str]]:
    """Collect MkDocs' warnings and errors instead of letting it print them."""
    messages: list[str] = []

    class Collect(logging.Handler):
        def emit(self, record: logging.LogRecord) -> None:
            messages.append(record.getMessage())

    logger = logging.getLogger("mkdocs")
    handler = Collect(logging.WARNING)
    logger.addHandler(handler)
    propagate = logger.propagate
    logger.propagate = False
    try:
        yield messages
    finally:
        logger.removeHandler(handler)
        logger.propagate = propagate


def build_html(
    root: Path,
    site_dir: Path | None = None,
    views: Sequence[PlanView | PlanHeading] | None = None,
    pdf_plans: Collection[str] | None = None,
) -> Path:
    """Run `mkdocs build --strict` on root/mkdocs.yml; return the site folder.

    `views` are the plans just rendered (or their headings); given, the golive plugin uses
    them for the history pages instead of validating and rendering the project a second time.
    `pdf_plans`: the plans whose PDF site/pdf/ will hold, which their pages link to; None:
    those already there and still current. site/pdf/ outlives the build either way.
    """
    from mkdocs.commands.build import build
    from mkdocs.config import load_config
    from mkdocs.exceptions import MkDocsException

    target = site_dir or root / SITE_DIR
    with _captured_mkdocs_log() as messages:
        try:
            config = load_config(str(root / MKDOCS_CONFIG), strict=True, site_dir=str(target))
            plugin = config.plugins.get("golive")
            if views is not None and isinstance(plugin, GolivePlugin):
                plugin.views = tuple(views)
            if pdf_plans is not None and isinstance(plugin, GolivePlugin):
                plugin.pdf_plans = frozenset(pdf_plans)
            config.plugins.on_startup(command="build", dirty=False)
            try:
                build(config)
            finally:
                config.plugins.on_shutdown()
        except MkDocsException as error:
            raise BuildError([*messages, str(error)]) from None
    return target
