"""What the commands do, end to end: validate, render, write site_src/, build with MkDocs, make PDFs, publish."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from generator.check.validate import Validation, validate_project
from generator.diagnostics import Diagnostic, sort_diagnostics
from generator.mkdocs.build import MKDOCS_CONFIG
from generator.read.sources import refused_entries
from generator.review.publish import DEFAULT_BRANCH, PublishError, PublishResult, check_names, deploy
from generator.site.render import RenderedSite, render_site
from generator.site.write import SITE_SRC, Changes, check_site_src, write_site_src


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


# -- review: golive diff and golive publish ---------------------------------------------------


def publish(
    root: Path,
    version: str,
    aliases: list[str] | None = None,
    *,
    push: bool = False,
    branch: str = DEFAULT_BRANCH,
) -> PublishResult:
    """Publish the site with mike as `version` on `branch`, moving the aliases to it; refuse (PublishError)
    bad names, invalid plans or a stale site_src/ before the repository is looked at."""
    aliases = list(dict.fromkeys(aliases or []))
    check_names(version, aliases)
    _check_publishable(root)
    return deploy(root, version, aliases, push=push, branch=branch, config_file=MKDOCS_CONFIG)


def _check_publishable(root: Path) -> None:
    """Refuse unless the plans are valid and site_src/ is exactly what `golive build` writes."""
    generated = generate(root)
    if generated.site is None:
        errors = generated.validation.errors
        raise PublishError(
            f"the plans have {len(errors)} error{'' if len(errors) == 1 else 's'}; fix them, "
            f"run `golive build` and commit {SITE_SRC}/",
            diagnostics=generated.validation.diagnostics,
        )
    changes = check(root, generated.site)
    if changes.any:
        raise PublishError(
            f"{SITE_SRC}/ is stale; run `golive build` and commit {SITE_SRC}/ before publishing",
            details=[f"{SITE_SRC}/{relative}: missing" for relative in changes.added]
            + [f"{SITE_SRC}/{relative}: differs" for relative in changes.changed]
            + [f"{SITE_SRC}/{relative}: would be deleted" for relative in changes.removed],
        )
