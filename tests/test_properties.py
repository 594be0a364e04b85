"""Property tests: no input makes the loader or validator raise anything but reported errors; the
scheduler keeps its rules on generated plans; the fast YAML reader reads what PyYAML reads."""

from __future__ import annotations

import datetime as dt
import itertools
import re
import shutil
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from conftest import BASE_PROJECT
from generator.check.validate import validate_project
from generator.read.document import SourceError
from generator.read.load import parse_document
from generator.read.models import Plan
from generator.schedule.timetable import schedule_plan

SETTINGS = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])

keys = st.sampled_from(
    [
        "id",
        "title",
        "owner",
        "duration",
        "depends_on",
        "start",
        "steps",
        "window",
        "timezone",
        "person",
        "role",
        "stakeholders",
        "rollback",
        "triggers",
        "at",
        "by",
        "kind",
        "entries",
        "x",
    ]
)
scalars = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-(10**30), max_value=10**30),
    st.floats(allow_nan=True, allow_infinity=True),
    st.text(max_size=30),
    st.sampled_from(
        [
            "23:00",
            "no",
            "10m",
            "1h30m",
            "ana",
            "2026-12-05 22:00",
            "Europe/London",
            "PT1H",
            "{title}",
        ]
    ),
)
yaml_shaped = st.recursive(
    scalars,
    lambda children: st.one_of(st.lists(children, max_size=5), st.dictionaries(keys, children, max_size=6)),
    max_leaves=40,
)


@SETTINGS
@given(st.binary(max_size=400))
def test_arbitrary_bytes_never_raise_anything_unreported(raw: bytes) -> None:
    try:
        parse_document(raw, "f.yaml")
    except SourceError as error:
        assert error.diagnostics
        assert all(d.line >= 1 and d.column >= 1 for d in error.diagnostics)


@SETTINGS
@given(st.text(alphabet=st.sampled_from(list("ab:- \n\t[]{}&*!|>'\"#,?%@`0123\\")), max_size=200))
def test_yaml_punctuation_soup_never_raises(text: str) -> None:
    try:
        parse_document(text.encode(), "f.yaml")
    except SourceError as error:
        assert error.diagnostics


def _plan_with(mutation: dict[str, Any]) -> dict[str, Any]:
    plan = yaml.safe_load((BASE_PROJECT / "plans/shop/plan.yaml").read_text())
    plan.update(mutation)
    return plan


@SETTINGS
@given(
    plan=st.one_of(yaml_shaped, st.dictionaries(keys, yaml_shaped, max_size=4).map(_plan_with)),
    log=yaml_shaped,
)
def test_arbitrary_yaml_shaped_sources_are_reported_not_raised(tmp_path: Path, plan: Any, log: Any) -> None:
    # one copy of the base project for all examples: each example writes both files it varies
    root = tmp_path / "project"
    if not root.exists():
        shutil.copytree(BASE_PROJECT, root)
    (root / "plans/shop/plan.yaml").write_text(yaml.safe_dump(plan, allow_unicode=True))
    (root / "plans/shop/log.yaml").write_text(yaml.safe_dump(log, allow_unicode=True))
    validation = validate_project(root)
    for diagnostic in validation.diagnostics:
        assert diagnostic.file.startswith("plans/")
        assert diagnostic.line >= 1 and diagnostic.column >= 1
        assert diagnostic.message


# -- the scheduler on generated plans -----------------------------------------------------------------------

# Two windows in London: an ordinary night, and the night the clocks go back (01:00-02:00 happens twice).
WINDOWS = [("2026-12-05 22:00", "2026-12-06 06:00"), ("2026-10-24 22:00", "2026-10-25 06:00")]
LONDON = ZoneInfo("Europe/London")


@st.composite
def generated_plans(draw: st.DrawFn) -> dict[str, Any]:
    """A plan of up to 12 steps: random earlier steps to depend on (or none given: the one listed before),
    durations of 1 minute to 3 hours, and some fixed starts (a time of day or a date and time)."""
    start, end = draw(st.sampled_from(WINDOWS))
    count = draw(st.integers(min_value=1, max_value=12))
    steps = []
    for n in range(count):
        step: dict[str, Any] = {"id": f"s{n}", "title": f"Step {n}", "owner": "ana"}
        step["duration"] = f"{draw(st.integers(min_value=1, max_value=180))}m"
        if n and draw(st.booleans()):
            step["depends_on"] = draw(st.lists(st.sampled_from([f"s{k}" for k in range(n)]), unique=True, max_size=3))
        fixed = draw(st.sampled_from([None, None, "time", "datetime"]))
        if fixed == "time":
            step["start"] = (
                f"{draw(st.sampled_from([22, 23, 0, 1, 2, 3])):02d}:{draw(st.sampled_from([0, 15, 30])):02d}"
            )
        elif fixed == "datetime":
            day = draw(st.sampled_from([start[:10], end[:10]]))
            step["start"] = f"{day} {draw(st.integers(min_value=0, max_value=23)):02d}:30"
        steps.append(step)
    return {
        "title": "Generated",
        "timezone": "Europe/London",
        "window": {"start": start, "end": end},
        "stakeholders": [{"person": "ana", "role": "Go-live lead"}],
        "steps": steps,
    }


def expected_fixed_start(written: str, window_start: dt.datetime) -> dt.datetime:
    """A fixed start in UTC, worked out here: a date and time as written in London (its first occurrence
    when the clocks go back), or the first moment at or after the window start with that time of day."""
    if len(written) > 5:
        return dt.datetime.fromisoformat(written).replace(tzinfo=LONDON).astimezone(dt.UTC)
    time = dt.time.fromisoformat(written)
    day = window_start.astimezone(LONDON).date()
    while True:
        moment = dt.datetime.combine(day, time, tzinfo=LONDON).astimezone(dt.UTC)
        if moment >= window_start:
            return moment
        day += dt.timedelta(days=1)


@settings(max_examples=100, deadline=None)
@given(generated_plans())
def test_every_step_starts_when_its_dependencies_and_its_fixed_start_allow(written: dict[str, Any]) -> None:
    plan = Plan.model_validate(written)
    schedule = schedule_plan(plan)
    by_id = {s.id: s for s in schedule.steps}
    for n, scheduled in enumerate(schedule.steps):
        step = written["steps"][n]
        # what the step waits for: its depends_on, or else the step listed before (unless it has a fixed start)
        listed_before = [] if n == 0 or "start" in step else [f"s{n - 1}"]
        assert list(scheduled.depends_on) == step.get("depends_on", listed_before)
        earliest = [schedule.window_start, *(by_id[d].end for d in scheduled.depends_on)]
        if "start" in step:
            earliest.append(expected_fixed_start(step["start"], schedule.window_start))
        # no earlier than any of them, and no later than the latest of them
        assert scheduled.start == max(earliest), scheduled.id
        assert scheduled.end - scheduled.start == dt.timedelta(minutes=int(step["duration"][:-1]))


@settings(max_examples=100, deadline=None)
@given(generated_plans())
def test_the_critical_steps_are_a_chain_of_binding_dependencies_ending_last(written: dict[str, Any]) -> None:
    schedule = schedule_plan(Plan.model_validate(written))
    chain = sorted((s for s in schedule.steps if s.critical), key=lambda s: s.start)
    assert chain, "a plan with steps has a critical path"
    assert tuple(s.id for s in chain) == schedule.critical_path
    assert chain[-1].end == max(s.end for s in schedule.steps)
    for before, after in itertools.pairwise(chain):
        # each step of the chain waits for the one before it, and starts the moment it ends
        assert before.id in after.depends_on
        assert before.end == after.start
    # the chain goes back as far as binding dependencies go
    by_id = {s.id: s for s in schedule.steps}
    assert not [d for d in chain[0].depends_on if by_id[d].end == chain[0].start]


# -- the fast YAML reader against PyYAML's own loader -------------------------------------------------------
# PyYAML composes and constructs the document (block and flow styles, quoting, escapes, anchors, aliases,
# merge keys); only its scalar resolution is replaced by golive's narrower rules, which the reader
# documents: true/false, null/~/empty, decimal ints without a leading zero, decimals; all else is text.

GOLIVE_SCALARS = [
    ("tag:yaml.org,2002:bool", r"^(?:true|false)$", list("tf")),
    ("tag:yaml.org,2002:null", r"^(?:~|null|Null|NULL|)$", ["~", "n", "N", ""]),
    ("tag:yaml.org,2002:int", r"^-?(?:0|[1-9][0-9]{0,17})$|^[1-9][0-9]{18}$", list("-0123456789")),
    (
        "tag:yaml.org,2002:float",
        r"^(?![-+]?0[0-9])(?:-?(?:[0-9]+\.[0-9]*|\.[0-9]+)(?:[eE][-+]?[0-9]+)?|-?[0-9]+[eE][-+]?[0-9]+)$",
        list("-.0123456789"),
    ),
    ("tag:yaml.org,2002:merge", r"^<<$", ["<"]),
]


class GoliveRulesLoader(yaml.SafeLoader):
    """PyYAML's safe loader resolving plain scalars by golive's rules."""


class GoliveRulesDumper(yaml.SafeDumper):
    """PyYAML's safe dumper that quotes exactly the text golive would read as something else."""


for _rules in (GoliveRulesLoader, GoliveRulesDumper):
    _rules.yaml_implicit_resolvers = {}
    for _tag, _pattern, _first in GOLIVE_SCALARS:
        _rules.add_implicit_resolver(_tag, re.compile(_pattern), _first)

# Text of the kinds plans hold: ids, times, phone numbers, Markdown, commands, and the YAML punctuation
# that makes quoting matter; no control characters (golive refuses them).
texts = st.one_of(
    st.text(
        alphabet=st.sampled_from(list("abcXYZ019 :-#&*!|>'\"%@`{}[],?.+_/\\\né€→😀")),
        max_size=25,
    ),
    st.sampled_from(["23:00", "no", "yes", "on", "0755", "1_000", "0x1F", "2026-12-05", "+44 20 7946 0018"]),
    st.sampled_from(["1h30m", "PT1H", ".inf", "~", "null", "true", "False", "-", "1e3", "01.5", "<<"]),
)
scalar_values = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-(10**17), max_value=10**18 - 1),
    st.floats(allow_nan=False, allow_infinity=False),
    texts,
)
identifiers = st.from_regex(r"[a-z][a-z0-9_-]{0,11}", fullmatch=True)
documents = st.recursive(
    scalar_values,
    lambda children: st.one_of(
        st.lists(children, max_size=5),
        st.dictionaries(st.one_of(identifiers, texts), children, max_size=5),
        # the same value twice: PyYAML writes an anchor and an alias
        children.map(lambda child: [child, child]),
    ),
    max_leaves=30,
)


def golive_reads(text: str) -> Any:
    return parse_document(text.encode("utf-8"), "f.yaml").data


@settings(max_examples=100, deadline=None)
@given(
    value=st.dictionaries(identifiers, documents, max_size=6),
    flow=st.sampled_from([False, None, True]),
    indent=st.sampled_from([2, 4]),
)
def test_the_fast_reader_reads_what_pyyaml_reads(value: dict[str, Any], flow: bool | None, indent: int) -> None:
    # The dumper quotes a text only where needed, in ' or " style. (It is never asked to quote every
    # scalar: `!!null 'null'` is None to PyYAML but text to golive, which reads any quoted scalar as text.)
    text = yaml.dump(
        value,
        Dumper=GoliveRulesDumper,
        default_flow_style=flow,
        indent=indent,
        allow_unicode=True,
        sort_keys=False,
    )
    expected = yaml.load(text, Loader=GoliveRulesLoader)  # a safe loader
    assert golive_reads(text) == expected
    assert expected == value  # the dumper quoted what golive's rules would read as something else


flat_mappings = st.dictionaries(identifiers, st.one_of(scalar_values, st.lists(scalar_values, max_size=3)), max_size=4)


def indented(mapping: dict[str, Any], indent: int) -> str:
    """A mapping in block style, indented to sit under a key (an empty one in flow style)."""
    if not mapping:
        return " " * indent + "{}\n"
    dumped = yaml.dump(mapping, Dumper=GoliveRulesDumper, default_flow_style=False, allow_unicode=True)
    return "".join(" " * indent + line + "\n" for line in dumped.splitlines())


@settings(max_examples=100, deadline=None)
@given(defaults=flat_mappings, more=flat_mappings, overrides=flat_mappings)
def test_merge_keys_are_read_as_pyyaml_reads_them(
    defaults: dict[str, Any], more: dict[str, Any], overrides: dict[str, Any]
) -> None:
    given_here = indented(overrides, 2) if overrides else ""
    text = (
        f"defaults: &defaults\n{indented(defaults, 2)}"
        f"more: &more\n{indented(more, 2)}"
        f"one:\n  <<: *defaults\n{given_here}"
        f"both:\n  <<: [*defaults, *more]\n{given_here}"
    )
    expected = yaml.load(text, Loader=GoliveRulesLoader)  # a safe loader
    read = golive_reads(text)
    # Keys given in the mapping win, then the merged mappings in the order listed, as YAML's merge
    # key type says. PyYAML 6.0.4 lets the later of two listed mappings win when both have a key:
    # it is the oracle for everything but the list.
    assert read["one"] == expected["one"] == {**defaults, **overrides}
    assert read["both"] == {**more, **defaults, **overrides}
    assert {**read, "both": None} == {**expected, "both": None}
