"""The history pages read from git: the same history as the reader they replace, in a constant
number of git processes, from full and shallow clones."""

from __future__ import annotations

import re
import subprocess
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import replace
from pathlib import Path
from unittest import mock

import history_before
import pytest
from playwright.sync_api import Browser

from conftest import GIT_ENV, REPO, SiteServer, build_project, git, golive, make_project
from generator import api
from generator.review import background, gitobjects
from generator.review.git import GitError
from generator.review.history import HistoryCache, histories

pytestmark = pytest.mark.git  # every test here runs git

_clock = iter(range(1_700_000_000, 1_800_000_000, 3600))  # one commit an hour: no two share a date


def commit(repo: Path, message: str, author: str = "Test") -> None:
    """Commit everything, each commit an hour after the one before (git orders ties by chance)."""
    when = f"@{next(_clock)} +0000"
    env = {**GIT_ENV, "GIT_AUTHOR_NAME": author, "GIT_AUTHOR_DATE": when, "GIT_COMMITTER_DATE": when}
    subprocess.run(["git", "add", "-A"], cwd=repo, check=True, env=env)
    subprocess.run(["git", "commit", "-qm", message], cwd=repo, check=True, env=env)


def edit(path: Path, old: str, new: str) -> None:
    text = path.read_text()
    assert old in text, old
    path.write_text(text.replace(old, new, 1))


def new_repo(folder: Path, project: str = "") -> Path:
    """A repository whose project (plans/shop and a copy of it, plans/api) is in `project` under it."""
    folder.mkdir()
    git(folder, "init", "-q", "-b", "main")
    git(folder, "config", "user.email", "test@example.com")
    root = make_project(folder / project) if project else make_project(folder / "p")
    if not project:  # the project at the top of the repository
        for entry in root.iterdir():
            entry.rename(folder / entry.name)
        root.rmdir()
        root = folder
    api = root / "plans/api"
    api.mkdir()
    (api / "plan.yaml").write_text((root / "plans/shop/plan.yaml").read_text().replace("Shop relaunch", "API", 1))
    (root / "mkdocs.yml").write_text((REPO / "mkdocs.yml").read_text())
    commit(folder, "base")
    return root


def odd_history(repo: Path, root: Path) -> None:
    """Commits of every kind the history pages meet, with odd subjects and names."""
    shop, api = root / "plans/shop/plan.yaml", root / "plans/api/plan.yaml"
    people = root / "plans/people.yaml"
    edit(shop, "version: 3", "version: 4")
    edit(shop, "duration: 10m", "duration: 20m")
    commit(repo, "Split\x1fhere\rand there\n\nA body\nover lines\x1f", author="Zoë\u2028Ünal")
    edit(people, "name: Devi Raman", "name: Devi Raman-Lee")
    commit(repo, "People only: not a plan change")
    edit(shop, "version: 4", "version: 5")
    edit(shop, "owner: dev\n    duration: 25m", "owner: ben\n    duration: 25m")
    edit(people, 'phone: "+44 20 7946 0019"', 'phone: "+44 20 7946 0099"')
    commit(repo, "Français — ça marche ✓")
    edit(root / "plans/shop/log.yaml", "entries:", "# a comment\nentries:")
    commit(repo, "The log only")
    checklist = root / "plans/checklists/standard-pre-launch.yaml"
    edit(checklist, "text: User acceptance testing signed off", "text: UAT signed off")
    edit(shop, "version: 5", "version: 6")
    commit(repo, "Checklist and plan")
    edit(shop, "version: 6", "version: [")
    commit(repo, "Broken YAML")
    edit(shop, "version: [", "version: 7")
    (root / "plans/shop/notes\n*.txt").write_text("not a source\n")
    commit(repo, "Fixed; a file with a newline in its name")
    api.rename(root / "plans/api/plan-real.yaml")
    api.symlink_to("plan-real.yaml")
    commit(repo, "api through a symbolic link")
    api.unlink()
    (root / "plans/api/plan-real.yaml").rename(api)
    commit(repo, "api back")
    git(repo, "checkout", "-qb", "feature")
    edit(shop, "version: 7", "version: 8")
    commit(repo, "On a branch")
    git(repo, "checkout", "-q", "main")
    edit(api, "version: 3", "version: 4")
    commit(repo, "On main meanwhile")
    when = f"@{next(_clock)} +0000"
    env = {**GIT_ENV, "GIT_AUTHOR_DATE": when, "GIT_COMMITTER_DATE": when, "GIT_AUTHOR_NAME": "Merger"}
    subprocess.run(
        ["git", "merge", "-q", "--no-ff", "-m", "Merge the branch", "feature"], cwd=repo, env=env, check=True
    )
    edit(shop, "status: approved", "status: in-progress")
    edit(shop, "version: 8", "version: 9")
    commit(repo, "Call started")


def test_history_is_the_same_as_the_old_readers(tmp_path: Path) -> None:
    repo = tmp_path / "repo"
    root = new_repo(repo)
    odd_history(repo, root)
    found = histories(root, ["shop", "api"])
    assert not found.partial
    without_files = {plan: [replace(r, files=()) for r in revs] for plan, revs in found.revisions.items()}
    assert without_files == history_before.histories(root, ["shop", "api"])  # which files: the old reader had none
    shop = found.revisions["shop"]
    assert [r.subject for r in shop[:3]] == ["Call started", "On a branch", "Fixed; a file with a newline in its name"]
    assert "Split\x1fhere\rand there" in [r.subject for r in shop]
    assert "Zoë\u2028Ünal" in [r.author for r in shop]
    assert [r.version for r in shop if r.subject == "Broken YAML"] == [None]
    assert [r.version for r in found.revisions["api"] if r.subject == "api through a symbolic link"] == [None]
    assert "The log only" in [r.subject for r in shop]  # a commit to the plan's folder, whatever the file


def test_history_of_a_project_in_a_subfolder_of_the_repository(tmp_path: Path) -> None:
    """The same history whether the project is at the top of its repository or in a folder of it
    (where the old reader found every version invalid: git archive read the paths from the wrong folder)."""
    top, nested = new_repo(tmp_path / "top"), new_repo(tmp_path / "nested", "ops/golive")
    odd_history(top, top)
    odd_history(tmp_path / "nested", nested)

    def without_commits(root: Path) -> dict[str, list[tuple[object, ...]]]:
        found = histories(root, ["shop", "api"]).revisions
        return {plan: [(r.subject, r.author, r.version, r.change) for r in revs] for plan, revs in found.items()}

    assert without_commits(nested) == without_commits(top)


def test_history_cache_reads_only_new_commits(tmp_path: Path) -> None:
    repo = tmp_path / "repo"
    root = new_repo(repo)
    odd_history(repo, root)
    cache = HistoryCache()
    first = histories(root, ["shop", "api"], cache)
    edit(root / "plans/api/plan.yaml", "version: 4", "version: 5")
    commit(repo, "One more")
    with count_git() as started:
        second = histories(root, ["shop", "api"], cache)
    assert second.revisions["shop"] == first.revisions["shop"]
    assert [r.subject for r in second.revisions["api"][:2]] == ["One more", "On main meanwhile"]
    assert len(started) == 3  # rev-parse, log, cat-file


def test_shallow_clone_builds_with_a_note_that_history_is_partial(tmp_path: Path) -> None:
    repo = tmp_path / "repo"
    root = new_repo(repo)
    odd_history(repo, root)
    clone = tmp_path / "clone"
    subprocess.run(["git", "clone", "-q", "--depth", "1", f"file://{repo}", str(clone)], check=True, env=GIT_ENV)
    found = histories(clone, ["shop"])
    assert found.partial
    [only] = found.revisions["shop"]
    assert (only.subject, only.version, only.change, only.cut) == ("Call started", 9, None, True)
    site = build_project(clone)
    text = " ".join(re.sub(r"<[^>]+>", " ", (site / "plans/shop/history.html").read_text()).split())
    assert "History is partial: the site was built from a shallow clone" in text
    assert "fetch-depth: 0" in text
    assert "not known: this clone holds none of the commits before this one" in text
    assert "plan added" not in text
    # Deeper, the commits in the clone show what they changed, the oldest one is cut.
    deeper = tmp_path / "deeper"
    subprocess.run(["git", "clone", "-q", "--depth", "3", f"file://{repo}", str(deeper)], check=True, env=GIT_ENV)
    revisions = histories(deeper, ["shop"]).revisions["shop"]
    # Both sides of the merge are cut; each then seems to hold every file (git sees no parent).
    cut = [("On main meanwhile", True), ("On a branch", True)]
    assert [(r.subject, r.cut) for r in revisions] == [("Call started", False), *cut]
    assert revisions[0].change is not None and revisions[0].change.status is not None


@contextmanager
def count_git() -> Iterator[list[list[str]]]:
    """Every git process started meanwhile (subprocess.run starts them through Popen)."""
    started: list[list[str]] = []
    real = subprocess.Popen

    def counting(args: list[str], *rest: object, **options: object) -> subprocess.Popen[bytes]:
        if args and args[0] == "git":
            started.append(list(args))
        return real(args, *rest, **options)  # type: ignore[call-overload, no-any-return]

    with mock.patch.object(subprocess, "Popen", counting), mock.patch.object(gitobjects.subprocess, "Popen", counting):
        yield started


def plans_edited(tmp_path: Path, commits_per_plan: int, plans: int = 4) -> Path:
    """A repository whose plans were each edited in `commits_per_plan` commits, a few plans a commit."""
    repo = tmp_path / f"repo-{commits_per_plan}"
    root = new_repo(repo)
    names = ["shop"] + [f"plan-{n}" for n in range(1, plans)]
    for name in names[1:]:
        (root / "plans" / name).mkdir()
        (root / "plans" / name / "plan.yaml").write_text((root / "plans/shop/plan.yaml").read_text())
    for round_ in range(commits_per_plan):
        for name in names:
            edit(root / "plans" / name / "plan.yaml", f"version: {round_ + 3}", f"version: {round_ + 4}")
        commit(repo, f"Round {round_}")
    return root


@pytest.mark.slow
def test_history_cost_grows_at_most_linearly_with_commits(tmp_path: Path) -> None:
    names = ["shop", "plan-1", "plan-2", "plan-3"]
    costs = {}
    for commits_per_plan in (10, 40):
        root = plans_edited(tmp_path, commits_per_plan)
        with count_git() as started:
            cpu = time.process_time()
            found = histories(root, names)
            costs[commits_per_plan] = time.process_time() - cpu
        assert all(len(revisions) == min(commits_per_plan, 20) for revisions in list(found.revisions.values())[1:])
        # A constant number of git processes, however many commits and plans (the old reader: five a commit).
        assert len(started) == 3, started
    assert costs[40] <= 4 * 2 * costs[10], costs  # linear, with room for a busy machine


def history_pages(site: Path) -> dict[str, str]:
    return {path.parent.name: path.read_text() for path in sorted(site.glob("plans/*/history.html"))}


def test_golive_build_reads_the_history_in_the_background_into_the_same_pages(tmp_path: Path) -> None:
    repo = tmp_path / "repo"
    root = new_repo(repo)
    odd_history(repo, root)
    in_process = history_pages(build_project(root))  # the plugin reads the history itself
    assert len(in_process) == 2 and all("Call started" in page or "API" in page for page in in_process.values())
    (root / "site").rename(root / "site-in-process")
    written_before_history: list[int] = []
    real = background.HistoryInBackground.result

    def result(reader: background.HistoryInBackground) -> object:
        written_before_history.append(sum(1 for _ in (root / "site").rglob("*.html")))
        return real(reader)

    with mock.patch.object(background.HistoryInBackground, "result", result):
        run = golive("build", "--root", root)
    assert run.code == 0, run.err
    assert history_pages(root / "site") == in_process
    # The build waits for the history only when it writes the history pages, after every other page.
    every_page = sum(1 for _ in (root / "site").rglob("*.html"))
    assert written_before_history == [every_page - len(in_process)]
    # The whole site is the one the plugin makes reading the history itself, byte for byte.
    assert {p.relative_to(root / "site"): p.read_bytes() for p in (root / "site").rglob("*") if p.is_file()} == {
        p.relative_to(root / "site-in-process"): p.read_bytes()
        for p in (root / "site-in-process").rglob("*")
        if p.is_file()
    }


def test_git_failing_under_the_background_reader_is_reported_as_in_process(tmp_path: Path) -> None:
    repo = tmp_path / "repo"
    root = new_repo(repo)
    head = git(repo, "rev-parse", "HEAD").strip()
    (repo / ".git/objects" / head[:2] / head[2:]).unlink()  # HEAD names a commit git cannot read
    reader = background.HistoryInBackground(root)
    with pytest.raises(GitError):
        reader.result()
    reader.close()  # closing twice is harmless
    # As when the plugin reads the history itself: a warning, which strict mode makes an error.
    run = golive("build", "--root", root)
    assert run.code == 1
    assert "golive: the history pages are left without git history: fatal: bad object HEAD" in run.err


def test_the_background_reader_stops_when_the_build_fails(tmp_path: Path) -> None:
    repo = tmp_path / "repo"
    root = new_repo(repo)
    edit(root / "plans/shop/plan.yaml", "owner: ana", "owner: nobody")
    started = []
    real = background.HistoryInBackground

    def recording(root: Path) -> background.HistoryInBackground:
        started.append(real(root))
        return started[-1]

    with mock.patch.object(api, "start_history", recording):
        run = golive("build", "--root", root)
    assert run.code == 1
    [reader] = started
    assert not reader.running  # stopped and joined


def test_without_a_background_process_the_build_reads_the_history_itself(tmp_path: Path) -> None:
    repo = tmp_path / "repo"
    root = new_repo(repo)
    odd_history(repo, root)
    assert background.start_reading(tmp_path) is None  # no git history there
    with mock.patch.object(background, "HistoryInBackground", side_effect=OSError("no /dev/shm")):
        assert background.start_reading(root) is None
        run = golive("build", "--root", root)
    assert run.code == 0, run.err
    assert "Call started" in (root / "site/plans/shop/history.html").read_text()


def test_history_page_says_what_a_commit_changed_when_the_plan_did_not_change(tmp_path: Path) -> None:
    repo = tmp_path / "repo"
    root = new_repo(repo)
    odd_history(repo, root)
    shop = {r.subject: r for r in histories(root, ["shop"]).revisions["shop"]}
    assert shop["The log only"].files == ("log.yaml",)
    assert shop["Fixed; a file with a newline in its name"].files == ("notes\n*.txt", "plan.yaml")
    edit(root / "plans/shop/plan.yaml", "version: 9", "version: 9  # a comment changes nothing the plan says")
    commit(repo, "A comment")
    site = build_project(root)
    rows = history_rows(site / "plans/shop/history.html")
    assert rows["A comment"] == "plan.yaml changed in layout or comments only: the plan says the same"
    assert rows["The log only"] == "the plan did not change: log.yaml changed"
    assert rows["Call started"] == "status approved → in-progress."


def test_history_page_shows_hostile_subjects_and_names_as_text(tmp_path: Path) -> None:
    repo = tmp_path / "repo"
    root = new_repo(repo)
    edit(root / "plans/shop/plan.yaml", "version: 3", "version: 4")
    commit(repo, '<img src=x onerror="alert(1)"> *not bold* | a pipe', author="Eve & *Mallory*")
    page = (build_project(root) / "plans/shop/history.html").read_text()
    assert "<img src=x" not in page and "<em>" not in page
    assert "&lt;img src=x onerror=&#34;alert(1)&#34;&gt; *not bold* | a pipe" in page.replace("&quot;", "&#34;")
    assert "Eve &amp; *Mallory*" in page  # git itself drops < and > from names


def history_rows(page: Path) -> dict[str, str]:
    """Each row's subject (after the commit id) and what it changed, as text."""
    html = page.read_text()
    rows = {}
    for row in re.findall(r"<tr>(.*?)</tr>", html, re.S)[1:]:
        cells = [" ".join(re.sub(r"<[^>]+>", " ", c).split()) for c in re.findall(r"<td[^>]*>(.*?)</td>", row, re.S)]
        rows[cells[1].split(" ", 1)[1]] = cells[4].replace("&gt;", ">")
    return rows


@pytest.mark.parametrize("width, height", [(1280, 800), (390, 844)])
def test_history_page_fits_a_laptop_and_a_phone(tmp_path: Path, browser: Browser, width: int, height: int) -> None:
    repo = tmp_path / "repo"
    root = new_repo(repo)
    odd_history(repo, root)
    served = SiteServer(build_project(root))
    context = browser.new_context(viewport={"width": width, "height": height})
    try:
        tab = context.new_page()
        tab.goto(served.url("plans/shop/history.html"))
        assert tab.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
        what = tab.locator(".golive-cards--history tbody tr").first.locator("td").nth(4)
        box = what.bounding_box()
        assert box is not None and box["x"] >= 0 and box["x"] + box["width"] <= width
        # On a phone each commit is a card, what it changed across the card's width; a table on a laptop.
        table = tab.locator(".golive-cards--history table")
        assert (table.evaluate("t => getComputedStyle(t).display") == "block") == (width <= 832)
    finally:
        context.close()
        served.close()
