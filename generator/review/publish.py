"""Publish the built site as one version among many on a git branch, with mike.

The checks of the sources come first and belong to the orchestration (generator.api.publish);
this module checks the names and the repository, then runs mike.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import sysconfig
from dataclasses import dataclass, field
from pathlib import Path

from generator.errors import GoliveError
from generator.review.git import git_output_or_none

DEFAULT_BRANCH = "gh-pages"
# mkdocs.yml reads this (`provider: !ENV [...]`), so only the builds mike deploys show the
# version selector: a local build has no versions.json for it to fetch.
VERSION_PROVIDER_VARIABLE = "GOLIVE_VERSION_PROVIDER"
# A version or alias becomes a folder at the top of the branch: one plain path segment, and
# not a name mike or the web server gives a meaning to at the top of the site.
_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{0,63}")
_RESERVED = {"versions.json", "index.html", "latest.json"}
# mike ships no `__main__`; run its command line in this interpreter, where golive is installed.
_MIKE = "import sys; from mike.driver import main; sys.exit(main())"


class PublishError(GoliveError):
    """Nothing was published; the message says why, `diagnostics` and `details` show more."""


@dataclass(frozen=True)
class PublishedVersion:
    """One version on the branch, as versions.json lists it."""

    version: str
    title: str
    aliases: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class PublishResult:
    """What publishing left on the branch."""

    version: str
    aliases: list[str]
    branch: str
    commit: str  # the branch's tip afterwards
    changed: bool  # False when the branch already held exactly this build
    pushed: bool
    versions: list[PublishedVersion]


def _branch_tip(root: Path, branch: str) -> str | None:
    return git_output_or_none(root, "rev-parse", "--verify", "-q", f"refs/heads/{branch}")


def published_versions(root: Path, branch: str = DEFAULT_BRANCH) -> list[PublishedVersion]:
    """The versions on the branch, newest first (empty when nothing was published yet)."""
    shown = git_output_or_none(root, "show", f"refs/heads/{branch}:versions.json")
    if shown is None:
        return []
    return [
        PublishedVersion(str(entry["version"]), str(entry.get("title", entry["version"])), list(entry["aliases"]))
        for entry in json.loads(shown)
    ]


def check_names(version: str, aliases: list[str]) -> None:
    """Refuse a version or alias that cannot be a folder at the top of the branch."""
    for name in [version, *aliases]:
        if not _NAME.fullmatch(name) or ".." in name:
            raise PublishError(
                f"{name!r} cannot name a version or alias: use at most 64 letters, digits, '.', '_' and '-', "
                "starting with a letter or digit, with no '..'"
            )
        if name.lower() in _RESERVED:  # also on a case-insensitive file system
            raise PublishError(f"{name!r} cannot name a version or alias: mike keeps its own {name.lower()} there")
    if version in aliases:
        raise PublishError(f"'{version}' is the version; it cannot also be one of its aliases")


def _check_repository(root: Path, branch: str) -> None:
    if git_output_or_none(root, "rev-parse", "--show-toplevel") is None:
        raise PublishError(f"{root} is not inside a git repository; mike publishes to a branch of one")
    current = git_output_or_none(root, "symbolic-ref", "--short", "-q", "HEAD")
    if current == branch:
        raise PublishError(f"'{branch}' is the branch checked out here; publish to another one (--branch)")
    # mike commits as the configured user and fails with a bare "error getting config" otherwise.
    for key, variable in (("user.name", "GIT_COMMITTER_NAME"), ("user.email", "GIT_COMMITTER_EMAIL")):
        if not os.environ.get(variable) and not git_output_or_none(root, "config", key):
            raise PublishError(f"git has no {key}; set it (git config {key} ...) so mike can commit to '{branch}'")


def _mike_environment() -> dict[str, str]:
    """This environment, with the folders of this interpreter's scripts first on PATH.

    mike runs `mkdocs build` by name; the mkdocs found must be the one that sees golive's plugin.
    """
    environment = dict(os.environ)
    scripts = [sysconfig.get_path("scripts"), str(Path(sys.executable).parent)]
    environment["PATH"] = os.pathsep.join([*dict.fromkeys(scripts), environment.get("PATH", "")])
    environment[VERSION_PROVIDER_VARIABLE] = "mike"
    return environment


def _mike_error(output: str) -> list[str]:
    """The lines of mike's and MkDocs' output that say what went wrong."""
    lines = [line.rstrip() for line in output.splitlines() if line.strip()]
    wanted = [line for line in lines if line.startswith(("error:", "ERROR", "WARNING", "warning:"))]
    return wanted or lines[-5:]


def deploy(root: Path, version: str, aliases: list[str], *, push: bool, branch: str, config_file: str) -> PublishResult:
    """Build the site with mike and commit it to `branch` as `version`, moving the aliases to it.

    The names and the sources are checked already (generator.api.publish); the repository is checked here.
    """
    _check_repository(root, branch)
    before = _branch_tip(root, branch)
    command = [sys.executable, "-c", _MIKE, "deploy", "--config-file", config_file]
    # --update-aliases: an alias such as `latest` moves here from the version that had it.
    # The remote is mkdocs.yml's remote_name (default: origin).
    command += ["--update-aliases", "--branch", branch]
    command += ["--push"] if push else []
    # mike commits straight to the branch (git fast-import): the working tree and index stay as they are.
    finished = subprocess.run(
        [*command, "--", version, *aliases],
        cwd=root,
        env=_mike_environment(),
        capture_output=True,
        text=True,
        check=False,
    )
    if finished.returncode != 0:
        raise PublishError(
            f"mike could not publish {version} to '{branch}'", details=_mike_error(finished.stderr + finished.stdout)
        )
    after = _branch_tip(root, branch)
    if after is None:
        raise PublishError(f"mike reported success but there is no branch '{branch}'")
    return PublishResult(
        version=version,
        aliases=aliases,
        branch=branch,
        commit=after,
        changed=after != before,
        pushed=push and after != before,  # mike pushes nothing when the commit would be empty
        versions=published_versions(root, branch),
    )
