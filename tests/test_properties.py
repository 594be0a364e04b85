"""Property tests: no input makes the loader or validator raise anything but reported errors."""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from conftest import BASE_PROJECT
from generator.check.validate import validate_project
from generator.read.document import SourceError
from generator.read.load import parse_document

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
    root = tmp_path / "project"
    shutil.rmtree(root, ignore_errors=True)
    shutil.copytree(BASE_PROJECT, root)
    (root / "plans/shop/plan.yaml").write_text(yaml.safe_dump(plan, allow_unicode=True))
    (root / "plans/shop/log.yaml").write_text(yaml.safe_dump(log, allow_unicode=True))
    validation = validate_project(root)
    for diagnostic in validation.diagnostics:
        assert diagnostic.file.startswith("plans/")
        assert diagnostic.line >= 1 and diagnostic.column >= 1
        assert diagnostic.message
