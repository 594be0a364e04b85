"""Generate a project of N realistic go-live plans for the benchmarks; deterministic from the seed.

Each plan has 60 steps with dependencies, 15 stakeholders and a window between 2022 and
2027. Plans whose window ended before TODAY have taken place: mostly completed, some rolled
back or cancelled; those that ran have a log of 100 entries and a post-mortem (about half
of all plans). Later plans are approved, in review or drafts.

    python bench/generate.py DIR N    # write DIR/plans and validate it
"""

from __future__ import annotations

import datetime as dt
import random
import sys
from pathlib import Path
from zoneinfo import ZoneInfo

import yaml

TODAY = dt.datetime(2025, 4, 1, tzinfo=dt.UTC)  # fixed, so that statuses do not depend on the clock
ZONES = ["Europe/London", "America/New_York", "Asia/Kolkata", "Asia/Singapore", "America/Sao_Paulo"]
FIRST = ["ana", "ben", "dev", "eli", "farah", "kai", "lucia", "mia", "nadia", "priya", "raj", "tom", "yuki", "omar"]
LAST = ["souza", "okafor", "malhotra", "lim", "aziz", "ferreira", "jensen", "rahman", "nair", "patel", "hughes"]
ROLES = ["Database administrator", "Release engineer", "QA lead", "Security engineer", "SRE", "Support lead"]
VERBS = ["Deploy", "Migrate", "Verify", "Snapshot", "Scale", "Drain", "Enable", "Warm", "Announce", "Check"]
THINGS = ["orders database", "checkout service", "search index", "CDN", "payments API", "feature flags", "cache tier"]
DURATIONS = ["45s", "1m", "2m", "3m", "5m", "5m", "8m", "10m", "15m"]
SENTENCES = [
    "Run the job from the **bastion host** and keep the dashboard open.",
    "Confirm with the owner of the {thing} on the bridge before you start.",
    "This step is *safe to repeat*; stop at the first error and report it.",
    "Watch the error rate of the {thing} for **five minutes** after the change.",
    "Read the [runbook](https://wiki.example.com/runbooks/{slug}) if anything looks unusual.",
    "Use `{command}` and paste the output in the chat.",
]
CHECKS = ["error rate below 0.1%", "p95 latency under 400 ms", "no new alerts", "queue depth back to normal"]


def slug(text: str) -> str:
    return text.lower().replace(" ", "-")


def local_text(instant: dt.datetime, zone: ZoneInfo) -> str:
    """The wall time of an instant; with its offset when the clocks go back and the time occurs twice."""
    local = instant.astimezone(zone)
    return local.isoformat(sep=" ", timespec="minutes") if local.fold else f"{local:%Y-%m-%d %H:%M}"


def instant(text: str, zone: ZoneInfo) -> dt.datetime:
    value = dt.datetime.fromisoformat(text)
    return (value if value.tzinfo else value.replace(tzinfo=zone)).astimezone(dt.UTC)


def instructions(rng: random.Random, thing: str, command: str) -> str:
    text = " ".join(s.format(thing=thing, slug=slug(thing), command=command) for s in rng.sample(SENTENCES, 2))
    if rng.random() < 0.6:
        text += "\n\nCheck:\n\n" + "".join(f"- {check}\n" for check in rng.sample(CHECKS, rng.randint(2, 4)))
    return text.rstrip("\n") + "\n"


def step_list(rng: random.Random, count: int, owners: list[str], prefix: str = "") -> list[dict[str, object]]:
    steps: list[dict[str, object]] = []
    for n in range(count):
        verb, thing = rng.choice(VERBS), rng.choice(THINGS)
        command = f"kubectl rollout status deploy/{slug(thing)}"
        step: dict[str, object] = {
            "id": f"{prefix}{slug(verb)}-{n:02d}",
            "title": f"{verb} the {thing}",
            "owner": rng.choice(owners),
            "duration": rng.choice(DURATIONS),
        }
        if n and rng.random() < 0.8:  # otherwise it follows the step listed before it
            step["depends_on"] = sorted(
                {steps[rng.randrange(max(0, n - 8), n)]["id"] for _ in range(rng.randint(1, 3))}
            )
        if not prefix:
            step["instructions"] = instructions(rng, thing, command)
            step["commands"] = [command] if rng.random() < 0.5 else []
            step["verify"] = rng.choice(CHECKS).capitalize()
        steps.append(step)
    return steps


def plan(index: int, rng: random.Random, staff: list[str], steps: int, stakeholders: int) -> dict[str, object]:
    zone_name = rng.choice(ZONES)
    zone = ZoneInfo(zone_name)
    day = dt.date(2022, 1, 1) + dt.timedelta(days=rng.randrange(6 * 365))
    # Arithmetic in UTC: elapsed time, right across midnight and clock changes.
    start = dt.datetime.combine(day, dt.time(rng.randint(19, 22), rng.choice([0, 30])), zone).astimezone(dt.UTC)
    end = start + dt.timedelta(hours=rng.randint(8, 12))
    if end < TODAY:
        status = rng.choices(["completed", "rolled-back", "cancelled"], [85, 8, 7])[0]
    else:
        status = rng.choices(["approved", "in-review", "draft"], [50, 25, 25])[0]
    people = rng.sample(staff, stakeholders)
    lead = people[0]
    system = f"{rng.choice(THINGS)} {1 + index % 9}.{index % 7}"
    plan_steps = step_list(rng, steps, people)
    plan_steps[steps // 2]["point_of_no_return"] = True
    if steps > 5:  # one fixed start, an hour into the window
        plan_steps[5]["start"] = f"{(start + dt.timedelta(hours=1)).astimezone(zone):%H:%M}"
    approvers = rng.sample(people[1:], 2)
    decision = ["approved", "pending"] if status == "in-review" else ["approved", "approved"]
    return {
        "title": f"{system[0].upper()}{system[1:]} go-live",
        "system": slug(system),
        "version": 1 + index % 5,  # tests/test_scale.py bumps golive-0007 from 3 to 4
        "status": status,
        "timezone": zone_name,
        "window": {"start": local_text(start, zone), "end": local_text(end, zone)},
        "summary": f"Move **{system}** to the new platform.\n\n- no customer impact expected\n- rollback tested\n",
        "objectives": [
            {"id": "live", "text": f"{system[0].upper()}{system[1:]} takes all traffic", "metric": "share of traffic"},
            {"id": "errors", "text": "Error rate stays low", "metric": "error rate", "target": "< 0.5%"},
        ],
        "stakeholders": [{"person": p, "role": "Go-live lead" if p == lead else rng.choice(ROLES)} for p in people],
        "channels": [
            {"kind": "bridge", "name": "Bridge", "link": f"https://meet.example.com/gl-{index}", "details": "PIN 1"},
            {"kind": "chat", "name": f"#golive-{index}", "link": f"https://chat.example.com/golive-{index}"},
        ],
        "approvals": [
            {"person": p, "decision": d, "date": f"{day - dt.timedelta(days=3)}"}
            for p, d in zip(approvers, decision, strict=True)
        ],
        "gates": [{"id": "go-no-go", "before": plan_steps[steps // 2]["id"], "decider": lead, "criteria": ["Green"]}],
        "checklists": {"pre-launch": ["pre-launch"], "go-live": ["go-live"], "post-launch": ["post-launch"]},
        "steps": plan_steps,
        "rollback": {
            "owner": lead,
            "triggers": ["Error rate above 1% for 5 minutes", "Data loss suspected"],
            "steps": step_list(rng, 5, people, prefix="rb-"),
        },
        "monitoring": [{"name": "Dashboard", "link": "https://grafana.example.com/d/golive", "watch": ["errors"]}],
        "communications": [
            {"id": "start", "audience": "all staff", "channel": "email", "when": "at window start",
             "message": "{title} starts at {start}. Bridge: {bridge}. Lead: {lead}."},
            {"id": "end", "audience": "all staff", "channel": "chat", "when": "at the end",
             "message": "{title} is done. Questions in {chat}."},
        ],
    }  # fmt: skip


def log(rng: random.Random, data: dict, entries: int) -> list[dict[str, object]]:
    """Entries for the steps as they ran, issues and their resolution, notes: `entries` in all."""
    steps, people = data["steps"], [s["person"] for s in data["stakeholders"]]
    rolled_back = data["status"] == "rolled-back"
    done = steps[: len(steps) // 2] if rolled_back else steps
    events: list[dict[str, object]] = []
    for n, step in enumerate(done):
        if n % 3 == 0:
            events.append({"by": step["owner"], "kind": "step-started", "step": step["id"]})
        events.append({"by": step["owner"], "kind": "step-done", "step": step["id"]})
        if n % 12 == 6:
            issue = f"issue-{n}"
            symptom = rng.choice(["error rate above 1%", "p95 latency doubled", "queue growing", "alerts firing"])
            severity = rng.choice(["sev2", "sev3", "sev3", "sev4"])
            text = f"{rng.choice(THINGS).capitalize()}: {symptom}"
            events.append({"by": step["owner"], "kind": "issue", "id": issue, "severity": severity, "text": text})
            events.append({"by": step["owner"], "kind": "resolution", "resolves": issue, "text": "Back to normal"})
    if rolled_back:
        events.append({"by": people[0], "kind": "decision", "text": "Roll back: error rate above 1% for 5 minutes"})
        events.append({"by": people[0], "kind": "rollback-started"})
        events += [{"by": s["owner"], "kind": "step-done", "step": s["id"]} for s in data["rollback"]["steps"]]
        events.append({"by": people[0], "kind": "rollback-done"})
    while len(events) < entries:
        kind = rng.choice(["note", "metric"])
        text = "Checked in with support" if kind == "note" else f"Error rate {rng.randint(1, 40) / 100}%"
        events.insert(rng.randrange(1, len(events)), {"by": rng.choice(people), "kind": kind, "text": text})
    events = events[:entries]
    zone = ZoneInfo(data["timezone"])
    start, end = (instant(data["window"][edge], zone) for edge in ("start", "end"))
    minutes = (end - start).total_seconds() * 0.9 / 60
    for n, event in enumerate(events):
        event["at"] = local_text(start + dt.timedelta(minutes=int(n * minutes / len(events))), zone)
    return [{"at": e.pop("at"), **e} for e in events]


def postmortem(rng: random.Random, data: dict) -> dict[str, object]:
    people = [s["person"] for s in data["stakeholders"]]
    ended = dt.date.fromisoformat(data["window"]["end"][:10])
    return {
        "status": rng.choice(["final", "final", "in-review"]),
        "date": str(ended + dt.timedelta(days=rng.randint(2, 6))),
        "authors": people[:2],
        "summary": f"The go-live of **{data['system']}** ended as *{data['status']}*.\n",
        "impact": "- no data lost\n- a few slow requests during the switch\n",
        "root_causes": "1. The cache was cold.\n2. A limit was set for the old traffic.\n",
        "results": [{"objective": "live", "observed": "100%", "met": data["status"] == "completed"},
                    {"objective": "errors", "observed": "0.3%", "met": True}],
        "went_well": ["The gate ran as written", "Everyone was on the bridge on time"],
        "went_wrong": ["A dashboard lagged by ten minutes"],
        "action_items": [
            {"id": f"ai-{n}", "text": f"Automate: {rng.choice(VERBS).lower()} the {rng.choice(THINGS)}",
             "owner": rng.choice(people), "kind": rng.choice(["mitigate", "prevent", "process"]),
             "priority": rng.choice(["P1", "P2", "P3"]), "status": rng.choice(["open", "done"])}
            for n in range(1, rng.randint(3, 6))
        ],
        "timeline_extra": [{"at": data["window"]["start"], "by": people[0], "kind": "note", "text": "Bridge opened"}],
    }  # fmt: skip


def generate(
    root: Path, plans: int, steps: int = 60, stakeholders: int = 15, log_entries: int = 100, seed: int = 1
) -> Path:
    """Write plans/ with people, checklists and `plans` go-lives under root; return root."""
    rng = random.Random(seed)
    staff = [f"{first}-{last}" for first in FIRST for last in LAST]
    staff = sorted(rng.sample(staff, max(45, stakeholders * 3)))
    people = [
        {"id": p, "name": p.replace("-", " ").title(), "role": rng.choice(ROLES), "team": f"Team {i % 7}",
         "email": f"{p}@example.com", "phone": f"+44 20 7946 {i:04d}", "chat": f"@{p}",
         "timezone": rng.choice(ZONES), "backup": staff[(i + 1) % len(staff)]}
        for i, p in enumerate(staff)
    ]  # fmt: skip
    (root / "plans/checklists").mkdir(parents=True, exist_ok=True)
    dump(root / "plans/people.yaml", {"people": people})
    for phase in ("pre-launch", "go-live", "post-launch"):
        items = [{"id": f"item-{n}", "text": f"{rng.choice(CHECKS).capitalize()} ({phase})", "owner": staff[n]}
                 for n in range(8)]  # fmt: skip
        dump(root / f"plans/checklists/{phase}.yaml", {"title": f"Standard {phase}", "phase": phase, "items": items})
    for index in range(plans):
        folder = root / "plans" / f"golive-{index:04d}"
        folder.mkdir(exist_ok=True)
        data = plan(index, rng, staff, steps, stakeholders)
        dump(folder / "plan.yaml", data)
        if data["status"] in ("completed", "rolled-back"):
            dump(folder / "log.yaml", {"entries": log(rng, data, log_entries)})
            dump(folder / "postmortem.yaml", postmortem(rng, data))
    return root


class Dumper(yaml.SafeDumper):
    """Write Markdown fields as literal blocks (|), as people write them."""


Dumper.add_representer(
    str, lambda d, s: d.represent_scalar("tag:yaml.org,2002:str", s, style="|" if "\n" in s else None)
)


def dump(path: Path, data: object) -> None:
    path.write_text(yaml.dump(data, Dumper=Dumper, sort_keys=False, allow_unicode=True, width=120))


if __name__ == "__main__":
    from generator.check.validate import validate_project

    root = generate(Path(sys.argv[1]), int(sys.argv[2]))
    validation = validate_project(root)
    statuses = [p.plan.model.status for p in validation.project.plans.values()]
    print(f"{len(validation.errors)} errors, {len(validation.warnings)} warnings;", *validation.errors[:5], sep="\n")
    print({s: statuses.count(s) for s in sorted(set(statuses))})
