"""Commit a generated project (bench/generate.py) with a realistic git history; deterministic from the seed.

Every plan is added in a commit, then its plan.yaml is edited in several commits over time; a
plan that ran gets commits of its log during the call, then its post-mortem. Now and then a
commit touches many plans at once (people.yaml and a fifth of the plans: a renamed team, a new
bridge). The last commit leaves every file as generate() wrote it, so the work tree is clean
and a build with and without .git reads the same files.

    python bench/git_history.py DIR N [EDITS_PER_PLAN]    # generate, then commit the history

One `git fast-import` writes the whole history: thousands of commits in seconds.
"""

from __future__ import annotations

import json
import random
import subprocess
import sys
from pathlib import Path

EPOCH = 1_600_000_000  # the first commit's time; each next commit comes an hour later
AUTHORS = ["Ana Souza", "Ben Okafor", "Zoë Ünal", "Kai Lim", "Priya Nair"]
BULK_EVERY = 40  # commits between two commits that touch many plans


def earlier_plan(final: str, edit: int) -> str:
    """plan.yaml as it was at its `edit`-th version: another duration for the first step, another summary."""
    text = final.replace("duration: ", f"duration: {edit % 50 + 1}m\n    # was: ", 1)
    return text.replace("summary: |\n", f"summary: |\n  Draft {edit}.\n", 1)


def commit_history(root: Path, edits_per_plan: int = 12, seed: int = 1) -> dict[str, float]:
    """Make root (holding a generated plans/) a git repository with a history; return its figures."""
    rng = random.Random(seed)
    plans = sorted(p.name for p in (root / "plans").iterdir() if (p / "plan.yaml").is_file())
    final = {
        path.relative_to(root).as_posix(): path.read_text(encoding="utf-8")
        for path in sorted((root / "plans").rglob("*.yaml"))
    }
    # What each plan goes through, in order: added, edited, then (when it ran) its call and its post-mortem.
    stages: dict[str, list[str]] = {}
    for plan in plans:
        edits = max(1, round(rng.gauss(edits_per_plan, edits_per_plan / 4)))
        ran = f"plans/{plan}/log.yaml" in final
        stages[plan] = ["add"] + ["edit"] * edits + (["log"] * rng.randint(3, 8) + ["postmortem"] if ran else [])
    current: dict[str, str] = {}
    commits: list[tuple[str, dict[str, str]]] = [
        (
            "Add people and checklists",
            {p: t for p, t in final.items() if "/" not in p[len("plans/") :] or "checklists/" in p},
        )
    ]
    current.update(commits[0][1])
    progress = {plan: 0 for plan in plans}
    pending = [plan for plan in plans]
    edit_count = {plan: 0 for plan in plans}
    while pending:
        if len(commits) % BULK_EVERY == 0:
            touched = [p for p in plans if progress[p] > 0 and f"plans/{p}/plan.yaml" in current]
            changes = {}
            for plan in rng.sample(touched, len(touched) // 5):
                edit_count[plan] += 1
                changes[f"plans/{plan}/plan.yaml"] = earlier_plan(final[f"plans/{plan}/plan.yaml"], edit_count[plan])
            people = "plans/people.yaml"
            changes[people] = current[people].replace("team: Team", f"team: Team {len(commits)}-", 1)
            commits.append(("Rename a team in every plan it works on", changes))
            current.update(changes)
            continue
        changes = {}
        for plan in rng.sample(pending, min(len(pending), rng.choice([1, 1, 1, 2, 3, 5]))):
            stage = stages[plan][progress[plan]]
            progress[plan] += 1
            last = progress[plan] == len(stages[plan])
            folder = f"plans/{plan}"
            if stage in ("add", "edit"):
                edit_count[plan] += 1
                plan_file = f"{folder}/plan.yaml"
                changes[plan_file] = final[plan_file] if last else earlier_plan(final[plan_file], edit_count[plan])
            elif stage == "log":
                log = f"{folder}/log.yaml"
                changes[log] = final[log] if last else f"# written during the call: {progress[plan]}\n{final[log]}"
            else:
                changes[f"{folder}/postmortem.yaml"] = final[f"{folder}/postmortem.yaml"]
            if last:
                pending.remove(plan)
        commits.append((f"{', '.join(sorted({p.split('/')[1] for p in changes}))}: {rng.choice(SUBJECTS)}", changes))
        current.update(changes)
    tidy = {path: text for path, text in final.items() if current.get(path) != text}
    if tidy:
        commits.append(("Bring every plan up to date", tidy))
    _fast_import(root, commits, rng)
    touches = sum(1 for _, changes in commits for plan in {p.split("/")[1] for p in changes} if plan in progress)
    return {"commits": len(commits), "commits per plan": touches / max(1, len(plans))}


SUBJECTS = ["longer freeze", "new owner for the cut-over", "approved", "steps reordered", "call notes", "typo"]


def _fast_import(root: Path, commits: list[tuple[str, dict[str, str]]], rng: random.Random) -> None:
    subprocess.run(["git", "init", "-q", "-b", "main", str(root)], check=True)
    stream: list[bytes] = []
    for number, (message, changes) in enumerate(commits, start=1):
        author = rng.choice(AUTHORS)
        who = f"{author} <{author.split()[0].lower()}@example.com> {EPOCH + 3600 * number} +0000"
        body = message.encode()
        stream += [b"commit refs/heads/main\n", f"author {who}\ncommitter {who}\n".encode()]
        stream += [f"data {len(body)}\n".encode(), body, b"\n"]
        for path, text in sorted(changes.items()):
            data = text.encode()
            stream += [f"M 100644 inline {path}\ndata {len(data)}\n".encode(), data, b"\n"]
    subprocess.run(["git", "fast-import", "--quiet"], cwd=root, input=b"".join(stream), check=True)
    subprocess.run(["git", "reset", "-q"], cwd=root, check=True)  # the index from HEAD: the work tree is HEAD


if __name__ == "__main__":
    if sys.argv[1] == "--commit":  # a project generate() already wrote: python bench/git_history.py --commit DIR K
        print(json.dumps(commit_history(Path(sys.argv[2]), int(sys.argv[3]))))
    else:
        sys.path.insert(0, str(Path(__file__).parent))
        from generate import generate

        target = generate(Path(sys.argv[1]), int(sys.argv[2]))
        print(json.dumps(commit_history(target, int(sys.argv[3]) if len(sys.argv) > 3 else 12)))
