"""`golive publish` into a temporary git repository, and the CI files that plans repositories reuse."""

from __future__ import annotations

import argparse
import json
import re
import shlex
import shutil
from collections.abc import Callable
from pathlib import Path

import pytest
import yaml

from conftest import REPO, commit_all, copy_shipped_project, git, golive
from generator.cli.parser import build_parser

pytestmark = pytest.mark.git  # every test here runs git

WORKFLOW = REPO / ".github/workflows/golive.yml"
HOOKS = REPO / ".pre-commit-hooks.yaml"
STALE = "golive publish: site_src/ is stale; run `golive build` and commit site_src/ before publishing\n"
INVALID = "golive publish: the plans have 1 error; fix them, run `golive build` and commit site_src/\n"


def published(repo: Path) -> list[dict[str, object]]:
    return json.loads(git(repo, "show", "gh-pages:versions.json"))  # type: ignore[no-any-return]


@pytest.fixture(scope="module")
def committed_project(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The shipped project built with `golive build` and committed on main, as a plans repository keeps it."""
    root = copy_shipped_project(tmp_path_factory.mktemp("publish") / "project")
    (root / ".gitignore").write_text("site/\n")
    result = golive("build", "--root", str(root))
    assert result.code == 0, result.err
    commit_all(root, "plans and site_src")
    return root


@pytest.fixture
def repo(committed_project: Path, tmp_path: Path) -> Path:
    """A fresh copy of the committed project (with its .git) for one test to publish from."""
    return Path(shutil.copytree(committed_project, tmp_path / "repo", symlinks=True))


def publish(repo: Path, *args: str) -> str:
    result = golive("publish", *args, "--root", str(repo))
    assert (result.code, result.err) == (0, ""), result.err
    return result.out


def test_publish_two_versions_then_move_latest(repo: Path) -> None:
    head = git(repo, "rev-parse", "HEAD")
    plan_ids = sorted(p.parent.name for p in (repo / "plans").glob("*/plan.yaml"))

    first = publish(repo, "1.0")
    assert re.fullmatch(
        r"golive: published 1\.0 to gh-pages at [0-9a-f]{12} \(not pushed; --push to push\) in \d+\.\ds\n"
        r"golive: gh-pages holds 1\.0\n",
        first,
    ), first
    second = publish(repo, "1.1", "--alias", "latest")
    assert second.endswith("golive: gh-pages holds 1.1 [latest], 1.0\n"), second

    assert published(repo) == [
        {"version": "1.1", "title": "1.1", "aliases": ["latest"]},
        {"version": "1.0", "title": "1.0", "aliases": []},
    ]
    files = set(git(repo, "ls-tree", "-r", "--name-only", "gh-pages").splitlines())
    for version in ("1.0", "1.1"):
        assert f"{version}/index.html" in files
        for plan_id in plan_ids:
            assert f"{version}/plans/{plan_id}/runbook.html" in files
    assert git(repo, "show", "gh-pages:latest") == "1.1"  # mike's alias: a symlink to the version
    # Published pages carry the version selector.
    assert '"provider": "mike"' in git(repo, "show", "gh-pages:1.1/index.html")

    # The working tree, the index and the checked-out branch are as they were.
    assert git(repo, "status", "--porcelain") == ""
    assert git(repo, "branch", "--show-current") == "main"
    assert git(repo, "rev-parse", "HEAD") == head

    remote = repo.parent / "remote.git"
    git(repo.parent, "init", "-q", "--bare", str(remote))
    git(repo, "remote", "add", "origin", str(remote))
    third = publish(repo, "1.2", "--alias", "latest", "--push")
    assert re.fullmatch(
        r"golive: published 1\.2 \[latest\] to gh-pages at [0-9a-f]{12}, pushed in \d+\.\ds\n"
        r"golive: gh-pages holds 1\.2 \[latest\], 1\.1, 1\.0\n",
        third,
    ), third
    assert git(remote, "rev-parse", "gh-pages") == git(repo, "rev-parse", "gh-pages")
    assert published(repo) == [
        {"version": "1.2", "title": "1.2", "aliases": ["latest"]},
        {"version": "1.1", "title": "1.1", "aliases": []},
        {"version": "1.0", "title": "1.0", "aliases": []},
    ]
    assert git(repo, "show", "gh-pages:latest") == "1.2"
    assert git(repo, "status", "--porcelain") == ""


def bump_version(repo: Path) -> None:
    plan = repo / "plans/shop-checkout-relaunch/plan.yaml"
    text, count = re.subn(
        r"^version: (\d+)$", lambda m: f"version: {int(m[1]) + 1}", plan.read_text(), count=1, flags=re.M
    )
    assert count == 1
    plan.write_text(text)


def add_unknown_key(repo: Path) -> None:
    plan = repo / "plans/shop-checkout-relaunch/plan.yaml"
    plan.write_text(plan.read_text() + "unknown_field: 1\n")


@pytest.mark.parametrize(
    ("spoil", "shown", "message"),
    [
        (bump_version, "site_src/plans/shop-checkout-relaunch/index.md: differs", STALE),
        (add_unknown_key, "error: unknown_field: unknown key 'unknown_field'", INVALID),
    ],
    ids=["stale-site-src", "invalid-plan"],
)
def test_publish_refuses_and_leaves_the_branch_alone(
    repo: Path, spoil: Callable[[Path], None], shown: str, message: str
) -> None:
    git(repo, "branch", "gh-pages")  # a branch as an earlier publish would have left it
    before = git(repo, "rev-parse", "gh-pages")
    spoil(repo)

    result = golive("publish", "2.0", "--alias", "latest", "--root", str(repo))

    assert (result.code, result.out) == (1, "")
    assert result.err.endswith(message), result.err
    assert shown in result.err
    assert git(repo, "rev-parse", "gh-pages") == before


def test_publish_refuses_to_commit_onto_the_checked_out_branch(repo: Path) -> None:
    result = golive("publish", "2.0", "--branch", "main", "--root", str(repo))
    assert (result.code, result.out, result.err) == (
        1,
        "",
        "golive publish: 'main' is the branch checked out here; publish to another one (--branch)\n",
    )


# -- the files a plans repository reuses -------------------------------------------------------

SHELL_OPERATORS = set(";&|<>()")


def golive_invocations(script: str) -> list[list[str]]:
    """The arguments of every `golive ...` command in a shell script (one command per line or operator)."""
    found: list[list[str]] = []
    for line in script.splitlines():
        lexer = shlex.shlex(line, posix=True, punctuation_chars=True)
        lexer.whitespace_split = True
        command: list[str] = []
        for token in [*lexer, ";"]:
            if token and set(token) <= SHELL_OPERATORS:
                if command[:1] == ["golive"]:
                    found.append(command[1:])
                command = []
            else:
                command.append(token)
    return found


def golive_subcommands() -> set[str]:
    parser = build_parser()
    [subparsers] = [a for a in parser._actions if isinstance(a, argparse._SubParsersAction)]
    return set(subparsers.choices)


def assert_golive_accepts(argv: list[str]) -> None:
    assert argv and argv[0] in golive_subcommands(), f"golive has no subcommand {argv[:1]}"
    try:
        build_parser().parse_args(argv)
    except SystemExit as error:  # argparse's way of refusing
        pytest.fail(f"golive refuses {shlex.join(argv)} (exit {error.code})")


def test_workflow_is_valid_yaml_and_runs_existing_golive_commands() -> None:
    workflow = yaml.safe_load(WORKFLOW.read_text(encoding="utf-8"))
    triggers = workflow.get("on", workflow.get(True))  # YAML 1.1 reads a bare `on` key as true
    assert {"pull_request", "push"} <= set(triggers)

    invoked: dict[str, set[str]] = {}
    for name, job in workflow["jobs"].items():
        for step in job["steps"]:
            for argv in golive_invocations(step.get("run", "")):
                assert_golive_accepts(argv)
                invoked.setdefault(name, set()).add(argv[0])
    assert invoked == {"review": {"validate", "check", "diff"}, "publish": {"check", "build", "publish"}}
    assert workflow["jobs"]["publish"]["permissions"] == {"contents": "write"}


def test_pre_commit_hooks_are_valid_yaml_and_run_existing_golive_commands() -> None:
    hooks = {hook["id"]: hook for hook in yaml.safe_load(HOOKS.read_text(encoding="utf-8"))}
    assert set(hooks) == {"golive-validate", "golive-check"}
    for hook in hooks.values():
        command, *argv = shlex.split(hook["entry"])
        assert command == "golive"
        assert_golive_accepts(argv)
        assert (hook["language"], hook["pass_filenames"]) == ("python", False)
    validate_files, check_files = (re.compile(hooks[h]["files"]) for h in ("golive-validate", "golive-check"))
    assert validate_files.search("plans/shop/plan.yaml") and validate_files.search("plans/people.yml")
    assert not validate_files.search("site_src/index.md")
    assert check_files.search("plans/shop/plan.yaml") and check_files.search("site_src/plans/shop/runbook.md")
    assert not check_files.search("README.md")


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("../escape",), "'../escape' cannot name a version or alias: use at most 64 letters"),
        (("1..2",), "'1..2' cannot name a version or alias: use at most 64"),
        (("v" * 65,), f"'{'v' * 65}' cannot name a version or alias: use at most 64"),
        (("1.0\n2.0",), "'1.0\\n2.0' cannot name a version or alias"),
        (("-rf",), "'-rf' cannot name a version or alias"),
        (("1.0", "--alias=versions.json"), "'versions.json' cannot name a version or alias: mike keeps its own"),
        (("1.0", "--alias=Index.HTML"), "'Index.HTML' cannot name a version or alias: mike keeps its own index.html"),
        (("latest.json",), "'latest.json' cannot name a version or alias: mike keeps its own latest.json there"),
    ],
)
def test_publish_refuses_names_that_are_not_simple_before_anything(
    tmp_path: Path, args: tuple[str, ...], message: str
) -> None:
    # Not even a git repository: the name is refused before the plans or git are looked at.
    version, *options = args
    result = golive("publish", "--root", tmp_path, *options, "--", version)
    assert (result.code, result.out) == (1, ""), result.err
    assert result.err.startswith(f"golive publish: {message}"), result.err
    assert len(result.err.splitlines()) == 1
    assert list(tmp_path.iterdir()) == []
