"""Running MkDocs on the project: `mkdocs build --strict` with the golive plugin, its messages collected."""

from __future__ import annotations

import contextlib
import ctypes
import logging
from collections.abc import Collection, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Protocol, runtime_checkable

from generator.errors import GoliveError
from generator.review.background import HistoryInBackground
from generator.site.views.site import PlanSummary

SITE_DIR = "site"
MKDOCS_CONFIG = "mkdocs.yml"


@runtime_checkable
class RunInputs(Protocol):
    """What the golive plugin (plugin.GolivePlugin) takes from the build that runs it.

    A protocol rather than the class itself: importing the plugin imports MkDocs, which
    `golive validate` and `golive log` never need.
    """

    views: Sequence[PlanSummary] | None
    pdf_plans: frozenset[str] | None
    history: HistoryInBackground | None


class BuildError(GoliveError):
    """MkDocs could not build the site: its messages, each printed as `mkdocs: <message>`."""

    prefix = "mkdocs"

    def __init__(self, messages: list[str]) -> None:
        *earlier, last = messages
        super().__init__(last, details=[f"{self.prefix}: {message}" for message in earlier])
        self.messages = messages

    def __str__(self) -> str:
        return "\n".join(self.messages)


def give_back_freed_memory() -> None:
    """Return the memory of what golive rendered and let go to the system, before MkDocs fills its own.

    glibc keeps freed memory for the process; its malloc_trim hands back every free page
    (elsewhere: nothing to do). On a thousand plans this lowers the build's peak by hundreds of MiB.
    """
    with contextlib.suppress(OSError, AttributeError):  # not glibc
        ctypes.CDLL(None).malloc_trim(0)


def check_config(root: Path) -> None:
    """Refuse to go on without root/mkdocs.yml (before anything is written), saying how to get one."""
    if not (root / MKDOCS_CONFIG).is_file():
        raise GoliveError(f"no {MKDOCS_CONFIG} in {root.resolve()}: `golive init` adds one (and only what is missing)")


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
    views: Sequence[PlanSummary] | None = None,
    pdf_plans: Collection[str] | None = None,
    history: HistoryInBackground | None = None,
) -> Path:
    """Run `mkdocs build --strict` on root/mkdocs.yml; return the site folder.

    `views` are the plans just rendered (their summaries); given, the golive plugin uses
    them for the history pages instead of validating and rendering the project a second time.
    `pdf_plans`: the plans whose PDF site/pdf/ will hold, which their pages link to; None:
    those already there and still current. site/pdf/ outlives the build either way.
    `history`: the plans' history being read since the build started (else read here).
    """
    # deferred: MkDocs stays unimported, which keeps validate and log start-up fast
    from mkdocs.commands.build import build
    from mkdocs.config import load_config
    from mkdocs.exceptions import MkDocsException

    check_config(root)
    target = site_dir or root / SITE_DIR
    give_back_freed_memory()
    with _captured_mkdocs_log() as messages:
        try:
            config = load_config(str(root / MKDOCS_CONFIG), strict=True, site_dir=str(target))
            plugin = config.plugins.get("golive")
            if views is not None and isinstance(plugin, RunInputs):
                plugin.views = tuple(views)
            if pdf_plans is not None and isinstance(plugin, RunInputs):
                plugin.pdf_plans = frozenset(pdf_plans)
            if history is not None and isinstance(plugin, RunInputs):
                plugin.history = history
            config.plugins.on_startup(command="build", dirty=False)
            try:
                build(config)
            finally:
                config.plugins.on_shutdown()
        except MkDocsException as error:
            raise BuildError([*messages, str(error)]) from None
    return target
