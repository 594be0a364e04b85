"""`golive diff` on a temporary git repository with scripted commits."""

from __future__ import annotations

import html
import json
import subprocess
from pathlib import Path

import jsonschema
import pytest

from conftest import GIT_ENV, Run, commit_all, git, golive, make_project
from generator.review.diff import json_schema

pytestmark = pytest.mark.git  # every test here runs git


def golive_diff(repo: Path, *args: str) -> Run:
    return golive("diff", *args, "--root", repo)


def edit(repo: Path, path: str, *replacements: tuple[str, str]) -> None:
    file = repo / path
    text = file.read_text()
    for old, new in replacements:
        assert old in text, old
        text = text.replace(old, new, 1)
    file.write_text(text)


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    root = make_project(tmp_path / "repo")
    commit_all(root, "base")
    return root


def diff_json(repo: Path, *args: str) -> dict:  # type: ignore[type-arg]
    result = golive_diff(repo, *args, "--format", "json")
    assert result.code == 0, result.err
    data = json.loads(result.out)
    jsonschema.validate(data, json_schema())
    return data


def only_plan(data: dict) -> dict:  # type: ignore[type-arg]
    [plan] = data["plans"]
    return plan


def changes(items: list[dict]) -> list[tuple[str, str, str]]:  # type: ignore[type-arg]
    return [(c["what"], c["old"], c["new"]) for c in items]


def test_json_schema_requires_every_field_and_allows_no_other() -> None:
    schema = json_schema()
    plan = {
        "plan_id": "shop",
        "title": "Shop",
        "change": "changed",
        "version": {"what": "version", "old": "1", "new": "2"},
    }
    plan |= {"status": None, "other": [], "warnings": []}
    plan |= {k: [] for k in ("steps_added", "steps_removed", "steps_changed", "schedule", "gates", "rollback")}
    plan |= {"contacts": [], "approvals": []}
    jsonschema.validate({"revision": "abc", "plans": [plan]}, schema)
    for spoiled in (
        {**plan, "extra": 1},
        {k: v for k, v in plan.items() if k != "warnings"},
        {**plan, "change": "moved"},
        {**plan, "version": {"what": "version"}},
    ):
        with pytest.raises(jsonschema.ValidationError):
            jsonschema.validate({"revision": "abc", "plans": [spoiled]}, schema)
    assert schema["properties"]["revision"]["description"] == "the git commit compared with"  # type: ignore[index]


def test_no_change_reports_nothing(repo: Path) -> None:
    assert diff_json(repo, "HEAD")["plans"] == []
    assert golive_diff(repo, "HEAD").out.endswith("No plan changed.\n")


def test_steps_and_their_schedule_consequences(repo: Path) -> None:
    plan = "plans/shop/plan.yaml"
    edit(
        repo,
        plan,
        ("version: 3", "version: 4"),
        ("title: Announce code freeze", "title: Announce the code freeze"),
        ("    owner: dev\n    duration: 25m", "    owner: eli\n    duration: 45m"),
        ('    start: "23:00"', '    start: "23:15"'),
        (
            "  - id: smoke\n    title: Run checkout smoke tests\n    owner: raj\n    duration: 15m\n",
            "  - id: smoke-web\n    title: Smoke-test the web checkout\n    owner: rob\n    duration: 20m\n",
        ),
    )
    status_before = git(repo, "status", "--porcelain")
    head_before = git(repo, "rev-parse", "HEAD")
    data = only_plan(diff_json(repo, "HEAD"))
    assert git(repo, "status", "--porcelain") == status_before and git(repo, "rev-parse", "HEAD") == head_before
    assert data["change"] == "changed"
    assert data["version"] == {"what": "version", "old": "3", "new": "4"}
    assert data["steps_added"] == ["smoke-web: Smoke-test the web checkout"]
    assert data["steps_removed"] == ["smoke: Run checkout smoke tests"]
    assert changes(data["steps_changed"]) == [
        ("freeze renamed", "Announce code freeze", "Announce the code freeze"),
        ("backup-db re-owned", "dev", "eli"),
        ("backup-db duration", "25m", "45m"),
        ("deploy-app fixed start", "23:00", "23:15"),
    ]
    # backup-db now ends 22:55, deploy waits for 23:15: everything after moves 15 minutes.
    assert changes(data["schedule"]) == [
        ("planned end", "Sat 23:45", "Sun 00:05"),
        ("critical path", "deploy-app, smoke", "deploy-app, smoke-web"),
        ("point of no return", "Sat 23:00 (deploy-app)", "Sat 23:15 (deploy-app)"),
    ]
    assert data["warnings"] == []


def test_rollback_gates_contacts_status_and_approvals(repo: Path) -> None:
    plan = "plans/shop/plan.yaml"
    edit(
        repo,
        plan,
        ("status: approved", "status: in-progress"),
        ("decider: ana", "decider: ben"),
        ("    - Payment provider errors above 1%\n", "    - Payment provider errors above 2% for 5 minutes\n"),
        ("owner: dev, duration: 40m", "owner: dev, duration: 3h"),
        ("  - person: raj\n    role: Checkout engineer\n", "  - person: rob\n    role: Checkout engineer\n"),
    )
    edit(repo, "plans/people.yaml", ('phone: "+44 20 7946 0018"', 'phone: "+44 20 7946 0099"'))
    data = only_plan(diff_json(repo))  # default revision: the merge base with main
    assert data["status"] == {"what": "status", "old": "approved", "new": "in-progress"}
    assert changes(data["gates"])[0][0] == "gate go-no-go"
    assert "ben decides" in changes(data["gates"])[0][2]
    rollback = changes(data["rollback"])
    assert ("trigger removed", "Payment provider errors above 1%", "") in rollback
    assert ("trigger added", "", "Payment provider errors above 2% for 5 minutes") in rollback
    assert ("rollback step rb-restore duration", "40m", "3h") in rollback
    contacts = changes(data["contacts"])
    assert ("stakeholder raj", "Checkout engineer", "none") in contacts
    assert ("stakeholder rob", "none", "Checkout engineer") in contacts
    assert ("phone of Ana Souza changed", "", "") in contacts
    markdown = golive_diff(repo).out
    assert "phone of Ana Souza changed" in markdown and "0099" not in markdown  # changed, not printed
    # A 3h10m rollback from the point of no return (23:00) no longer ends inside the window.
    assert ("latest rollback start", "Sun 01:10", "Sat 22:50") in changes(data["schedule"])
    assert data["warnings"] == ["the plan changed but its version is still 3: bump it"]


def test_window_fit_and_approvals(repo: Path) -> None:
    edit(
        repo,
        "plans/shop/plan.yaml",
        ("version: 3", "version: 4"),
        ("end: 2026-12-06 02:00", "end: 2026-12-05 23:30"),
        ("decision: approved", "decision: pending"),
        ("status: approved", "status: in-review"),
    )
    data = only_plan(diff_json(repo, "HEAD"))
    assert ("fits the window", "yes", "no (15 min late)") in changes(data["schedule"])
    assert changes(data["approvals"]) == [("approval of mia", "approved", "pending")]
    assert "window" in data["other"]


def test_plans_added_and_removed_across_commits(repo: Path) -> None:
    base = git(repo, "rev-parse", "HEAD")
    result = golive("new", "payments", "--root", repo)
    assert result.code == 0
    git(repo, "add", "-A")
    git(repo, "commit", "-qm", "add payments")
    git(repo, "rm", "-rq", "plans/shop")
    data = diff_json(repo, base)
    assert [(p["plan_id"], p["change"]) for p in data["plans"]] == [("payments", "added"), ("shop", "removed")]
    markdown = golive_diff(repo, base).out
    assert "(`payments`): new plan" in markdown and "(`shop`): removed" in markdown


def test_feature_branch_compares_with_its_merge_base(repo: Path) -> None:
    git(repo, "checkout", "-qb", "feature")
    edit(repo, "plans/shop/plan.yaml", ("version: 3", "version: 4"), ("duration: 10m", "duration: 20m"))
    git(repo, "commit", "-qam", "longer freeze")
    data = diff_json(repo)
    assert data["revision"] == git(repo, "rev-parse", "main")
    assert changes(only_plan(data)["steps_changed"]) == [("freeze duration", "10m", "20m")]


def test_bad_revision_is_a_clear_error(repo: Path) -> None:
    result = golive_diff(repo, "no-such-rev")
    assert result.code == 1
    assert result.err.startswith("golive diff: ")
    assert "Traceback" not in result.err


def test_history_page_lists_the_commits_of_a_plan(repo: Path) -> None:
    import re

    from conftest import REPO, build_project

    (repo / "mkdocs.yml").write_text((REPO / "mkdocs.yml").read_text())
    git(repo, "add", "mkdocs.yml")
    git(repo, "commit", "-qm", "site configuration")
    edit(repo, "plans/shop/plan.yaml", ("version: 3", "version: 4"), ("duration: 10m", "duration: 20m"))
    git(repo, "commit", "-qam", "Longer freeze")
    edit(repo, "plans/people.yaml", ("name: Mia Chen", "name: Mia Chen-Li"))
    git(repo, "commit", "-qam", "Rename Mia (not a plan change)")
    edit(repo, "plans/shop/plan.yaml", ("version: 4", "version: 5"), ("status: approved", "status: in-progress"))
    git(repo, "commit", "-qam", "Call started")
    site = build_project(repo)
    page = (site / "plans/shop/history.html").read_text()
    text = " ".join(re.sub(r"<[^>]+>", " ", page).split())
    rows = re.findall(r"(\d{4}-\d\d-\d\d) ([0-9a-f]{10}) (.+?) Test (\d+|invalid) ", text)
    assert [(subject, version) for _, _, subject, version in rows] == [
        ("Call started", "5"),
        ("Longer freeze", "4"),
        ("base", "3"),
    ]
    assert "status approved → in-progress" in text
    assert "freeze duration: 10m → 20m" in text
    assert "Schedule:" not in text  # deploy-app's fixed 23:00 start absorbs the longer freeze
    assert "plan added" in text
    # site_src/ stays free of git state: the history page exists only in the HTML.
    assert not (repo / "site_src/plans/shop/history.md").exists()


def test_history_page_without_git(shipped_site: Path) -> None:
    page = (shipped_site / "site/plans/shop-checkout-relaunch/history.html").read_text()
    assert "No git history here" in page


def test_history_reads_any_subject_author_and_file_name(repo: Path) -> None:
    import re

    from conftest import REPO, build_project

    (repo / "mkdocs.yml").write_text((REPO / "mkdocs.yml").read_text())
    git(repo, "add", "mkdocs.yml")
    git(repo, "commit", "-qm", "site configuration")
    # A unit separator and a carriage return in a subject, a line separator in a name
    # and a newline and a '*' in a file name: none may split or merge a record.
    (repo / "plans/shop/notes\n*.txt").write_text("not a source\n")
    edit(repo, "plans/shop/plan.yaml", ("version: 3", "version: 4"))
    git(repo, "add", "-A")
    env = {**GIT_ENV, "GIT_AUTHOR_NAME": "Eve\u2028Mallory"}
    subprocess.run(["git", "commit", "-qm", "Split\x1fhere\rand there"], cwd=repo, env=env, check=True)
    edit(repo, "plans/shop/plan.yaml", ("version: 4", "version: 5"))
    git(repo, "commit", "-qam", "After \u2029 the odd one")
    site = build_project(repo)
    page = (site / "plans/shop/history.html").read_text()
    rows = [
        [" ".join(re.sub(r"<[^>]+>", " ", cell).split()) for cell in re.findall(r"<td[^>]*>(.*?)</td>", row, re.S)]
        for row in re.findall(r"<tr>(.*?)</tr>", page, re.S)[1:]
    ]
    assert [row[1:4] for row in rows] == [
        [f"{git(repo, 'rev-parse', 'HEAD')[:10]} After the odd one", "Test", "5"],
        [f"{git(repo, 'rev-parse', 'HEAD~1')[:10]} Split here and there", "Eve Mallory", "4"],
        [f"{git(repo, 'rev-parse', 'HEAD~3')[:10]} base", "Test", "3"],
    ]


def test_markdown_shows_every_value_as_text_on_github(tmp_path: Path) -> None:
    """Titles, step names and the folder names of invalid plans go into a CI job summary:
    GitHub's own renderer (cmark-gfm) must show them as written, with no tag and no link."""
    import re

    import cmarkgfm
    from cmarkgfm import cmark

    from generator.check.validate import validate_project
    from generator.review.diff import ProjectDiff, diff_projects
    from generator.site.render import diff_markdown

    old, new = make_project(tmp_path / "old"), make_project(tmp_path / "new")
    folder = "x`<img src=https:evil.example.png>` **b**"
    (new / "plans" / folder).mkdir()
    (new / "plans" / folder / "plan.yaml").write_text("title: x\n")
    title = "<img src=https://evil.example/t.png> ~~s~~ [x](https://evil.example) www.evil.example"
    step = "<script>alert(1)</script> `a` _i_"
    edit(
        new,
        "plans/shop/plan.yaml",
        ("title: Shop relaunch with the new checkout", f'title: "{title}"'),
        ("title: Announce code freeze", f'title: "{step}"'),
    )
    # A broken checklist is an error of its own, not an invalid plan named "checklists".
    edit(new, "plans/checklists/standard-post-launch.yaml", ("title: Standard post-launch checklist\n", ""))
    diff = ProjectDiff("0123456789ab`<b>", diff_projects(validate_project(old), validate_project(new)))
    assert [(p.plan_id, p.change) for p in diff.plans] == [("shop", "changed"), (folder, "invalid")]

    options = cmark.Options.CMARK_OPT_UNSAFE  # what GitHub renders before it sanitises
    extensions = ["table", "strikethrough", "autolink", "tasklist"]
    rendered = cmarkgfm.markdown_to_html_with_extensions(diff_markdown(diff), options=options, extensions=extensions)
    tags = set(re.findall(r"</?([a-z0-9]+)", rendered))
    assert tags <= {"h2", "h3", "p", "code", "strong", "ul", "li", "blockquote"}, rendered
    text = " ".join(html.unescape(re.sub(r"<[^>]+>", "", rendered)).split())
    for value in (title, step, folder, "0123456789ab"):
        assert value in text, value
    assert text.count(folder) == 2  # its title and its id
