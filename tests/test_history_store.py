"""The history kept between builds in the git folder (review/history_store.py): the same pages
with it as without it, git read again only for what is new, and a store that is damaged, a link,
too large or written by other code ignored."""

from __future__ import annotations

import subprocess
from pathlib import Path
from unittest import mock

import pytest
from test_history import commit, count_git, edit, history_pages, new_repo, odd_history

from conftest import GIT_ENV, golive
from generator.review import history_store
from generator.review.history import HistoryCache, histories

PLANS = ["shop", "api"]


def stores(repo: Path) -> list[Path]:
    return sorted((repo / ".git" / history_store.STORE_FOLDER).glob("history-*.json"))


def cat_files(started: list[list[str]]) -> int:
    """How many `git cat-file` processes (the objects are read only for commits not stored)."""
    return sum(1 for args in started if "cat-file" in args)


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    repo = tmp_path / "repo"
    odd_history(repo, new_repo(repo))
    return repo


def test_a_second_build_reads_the_stored_history_and_shows_the_same_pages(repo: Path) -> None:
    first = golive("build", "--root", repo)
    assert first.code == 0, first.err
    fresh = history_pages(repo / "site")
    [store] = stores(repo)
    assert store.stat().st_size > 0
    with count_git() as started:
        found = histories(repo, PLANS)
    assert cat_files(started) == 0  # every revision came from the store
    assert found.revisions["shop"][0].subject == "Call started"
    second = golive("build", "--root", repo)
    assert second.code == 0, second.err
    assert history_pages(repo / "site") == fresh


def test_only_new_commits_are_read_and_the_store_follows(repo: Path) -> None:
    cold = histories(repo, PLANS)
    edit(repo / "plans/api/plan.yaml", "version: 4", "version: 5")
    commit(repo, "One more")
    with count_git() as started:
        warm = histories(repo, PLANS)
    assert cat_files(started) == 1
    assert warm.revisions["shop"] == cold.revisions["shop"]
    assert [r.subject for r in warm.revisions["api"][:2]] == ["One more", "On main meanwhile"]
    assert histories(repo, PLANS, HistoryCache()) == warm  # as stored after the new commit
    with mock.patch.object(history_store, "code_version", lambda: "other golive code"):
        assert history_store.stored_revisions(repo / ".git", "") == {}  # written by other code: read again


@pytest.mark.parametrize(
    "damage",
    ["not json", "another shape", "a link to a store", "a linked folder", "too large", "other code"],
)
def test_a_damaged_or_foreign_store_is_ignored(repo: Path, tmp_path: Path, damage: str) -> None:
    fresh = histories(repo, PLANS)
    [store] = stores(repo)
    good = store.read_bytes()
    limit = history_store.MAX_STORE_BYTES
    if damage == "not json":
        store.write_bytes(good[: len(good) // 2])
    elif damage == "another shape":
        store.write_text('{"code": "x", "plans": {"shop": {"abc": {"commit": 1}}}}')
    elif damage == "a link to a store":  # a valid store, but reached through a link: not followed
        elsewhere = tmp_path / "elsewhere.json"
        elsewhere.write_bytes(good)
        store.unlink()
        store.symlink_to(elsewhere)
    elif damage == "a linked folder":
        moved = tmp_path / "moved"
        store.parent.rename(moved)
        store.parent.symlink_to(moved)
    elif damage == "too large":
        limit = len(good) - 1
    elif damage == "other code":
        store.write_bytes(good.replace(history_store.code_version().encode(), b"0" * 64))
    with count_git() as started, mock.patch.object(history_store, "MAX_STORE_BYTES", limit):
        again = histories(repo, PLANS)
    assert again == fresh
    assert cat_files(started) == 1  # read from git again
    if damage == "a link to a store":
        assert store.is_file() and not store.is_symlink()  # replaced by a store of its own
        assert (tmp_path / "elsewhere.json").read_bytes() == good  # what the link pointed to is untouched
    elif damage == "a linked folder":
        assert (tmp_path / "moved").is_dir() and store.parent.is_symlink()  # nothing written through the link
    elif damage != "too large":
        assert store.read_bytes() == good  # replaced by what the build read


def test_a_git_folder_that_cannot_take_the_store_costs_the_store_not_the_build(repo: Path) -> None:
    (repo / ".git" / history_store.STORE_FOLDER).write_text("a file where the store's folder goes\n")
    run = golive("build", "--root", repo)
    assert run.code == 0, run.err
    assert "Call started" in (repo / "site/plans/shop/history.html").read_text()
    assert (repo / ".git" / history_store.STORE_FOLDER).read_text() == "a file where the store's folder goes\n"


def test_two_projects_in_one_repository_keep_their_own_store(tmp_path: Path) -> None:
    repo = tmp_path / "repo"
    one = new_repo(repo, "one")
    two = repo / "two"
    subprocess.run(["cp", "-r", str(one), str(two)], check=True)
    edit(two / "plans/shop/plan.yaml", "title: Shop relaunch", "title: Second shop")
    commit(repo, "A second project")
    first, second = histories(one, PLANS), histories(two, PLANS)
    assert len(stores(repo)) == 2
    assert histories(one, PLANS) == first and histories(two, PLANS) == second
    assert first.revisions["shop"] != second.revisions["shop"]


def test_a_shallow_clone_stores_nothing(repo: Path, tmp_path: Path) -> None:
    clone = tmp_path / "clone"
    subprocess.run(["git", "clone", "-q", "--depth", "2", f"file://{repo}", str(clone)], check=True, env=GIT_ENV)
    assert histories(clone, PLANS).partial
    assert stores(clone) == []
