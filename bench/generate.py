"""Generate a project of N realistic go-live plans, for benchmarks."""

from __future__ import annotations

import random
from pathlib import Path

import yaml

ZONES = ["Europe/London", "America/New_York", "Asia/Kolkata", "Asia/Singapore", "America/Sao_Paulo"]
VERBS = [
    "Deploy",
    "Migrate",
    "Verify",
    "Snapshot",
    "Scale",
    "Drain",
    "Enable",
    "Warm",
    "Announce",
    "Check",
]
THINGS = [
    "orders database",
    "checkout service",
    "search index",
    "CDN",
    "payments API",
    "feature flag",
    "cache tier",
]


def people(count: int) -> list[dict[str, object]]:
    return [
        {
            "id": f"p{i:03d}",
            "name": f"Person {i}",
            "role": "Engineer",
            "team": f"Team {i % 7}",
            "email": f"p{i}@example.com",
            "phone": f"+44 20 7946 {i:04d}",
            "chat": f"@p{i}",
            "timezone": ZONES[i % len(ZONES)],
            "backup": f"p{(i + 1) % count:03d}",
        }
        for i in range(count)
    ]


def plan(index: int, steps: int, stakeholders: int, staff: int, rng: random.Random) -> dict[str, object]:
    owners = [f"p{rng.randrange(staff):03d}" for _ in range(stakeholders)]
    step_list: list[dict[str, object]] = []
    for n in range(steps):
        step: dict[str, object] = {
            "id": f"s{n:03d}",
            "title": f"{rng.choice(VERBS)} the {rng.choice(THINGS)} ({n})",
            "owner": rng.choice(owners),
            "duration": f"{rng.randint(1, 4)}m",
            "instructions": "Run the job and watch the **dashboard**.\n\n- check errors\n- check latency\n",
            "commands": [f"deploy --step {n}"],
            "verify": "Error rate below 0.1%",
        }
        if n:
            step["depends_on"] = sorted({f"s{rng.randrange(max(0, n - 5), n):03d}" for _ in range(rng.randint(1, 2))})
        if n == steps // 2:
            step["point_of_no_return"] = True
        step_list.append(step)
    month, day = 1 + index % 12, 1 + index % 27
    return {
        "title": f"Go-live {index}",
        "system": f"system-{index}",
        "version": 1 + index % 5,
        "status": "approved",
        "timezone": ZONES[index % len(ZONES)],
        "window": {
            "start": f"2027-{month:02d}-{day:02d} 20:00",
            "end": f"2027-{month:02d}-{day + 1:02d} 08:00",
        },
        "summary": "A generated go-live.",
        "objectives": [{"id": "live", "text": "Live", "metric": "errors", "target": "< 1%"}],
        "stakeholders": [
            {"person": p, "role": "Go-live lead" if i == 0 else "Engineer"} for i, p in enumerate(dict.fromkeys(owners))
        ],
        "channels": [
            {
                "kind": "bridge",
                "name": "Bridge",
                "link": "https://meet.example.com/x",
                "details": "PIN 1",
            }
        ],
        "approvals": [{"person": owners[0], "decision": "approved", "date": "2026-11-30"}],
        "gates": [
            {
                "id": "go",
                "before": f"s{steps // 2:03d}",
                "decider": owners[0],
                "criteria": ["Green"],
            }
        ],
        "steps": step_list,
        "rollback": {
            "owner": owners[0],
            "triggers": ["Errors above 1% for 5 minutes"],
            "steps": [
                {
                    "id": f"rb{n}",
                    "title": f"Undo {n}",
                    "owner": owners[n % len(owners)],
                    "duration": "5m",
                }
                for n in range(5)
            ],
        },
        "communications": [
            {
                "id": "start",
                "audience": "all",
                "channel": "email",
                "when": "start",
                "message": "{title} starts. {bridge}",
            }
        ],
    }


def log(plan_data: dict[str, object], entries: int) -> dict[str, object]:
    start = str(plan_data["window"]["start"])  # type: ignore[index]
    day = start.split(" ")[0]
    steps = plan_data["steps"]  # type: ignore[assignment]
    result = []
    for n in range(entries):
        minutes = 20 * 60 + n * 3
        at = f"{day} {minutes // 60 % 24:02d}:{minutes % 60:02d}"
        if minutes >= 24 * 60:
            break
        result.append(
            {
                "at": at,
                "by": steps[n % len(steps)]["owner"],
                "kind": "step-done",
                "step": steps[n % len(steps)]["id"],
            }
        )  # type: ignore[index]
    return {"entries": result}


def generate(
    root: Path,
    plans: int,
    steps: int = 60,
    stakeholders: int = 15,
    log_entries: int = 100,
    seed: int = 1,
) -> Path:
    """Write a project with `plans` plans under root; return root."""
    rng = random.Random(seed)
    staff = max(40, stakeholders * 3)
    (root / "plans").mkdir(parents=True, exist_ok=True)
    (root / "plans/people.yaml").write_text(yaml.safe_dump({"people": people(staff)}, sort_keys=False))
    for index in range(plans):
        folder = root / "plans" / f"golive-{index:04d}"
        folder.mkdir(exist_ok=True)
        data = plan(index, steps, stakeholders, staff, rng)
        (folder / "plan.yaml").write_text(yaml.safe_dump(data, sort_keys=False))
        if index % 2 == 0:
            (folder / "log.yaml").write_text(yaml.safe_dump(log(data, log_entries), sort_keys=False))
    return root
