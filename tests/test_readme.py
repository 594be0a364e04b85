"""The README and docs/ as a new user reads them: every link leads somewhere in the repository,
and every YAML example is valid (a golive source validates, without a warning, against the shipped
people.yaml)."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest
import yaml

from conftest import REPO, copy_shipped_project
from generator.check.validate import validate_project
from generator.cli.commands import COMMANDS
from generator.read.models.log import ENTRY_KINDS
from generator.read.models.plan import PLACEHOLDERS

DOCUMENTS = [REPO / "README.md", *sorted((REPO / "docs").glob("*.md"))]
LINK = re.compile(r"\[[^\]]*\]\(([^)\s]+)\)")
YAML_BLOCK = re.compile(r"^```yaml\n(.*?)^```", re.MULTILINE | re.DOTALL)
# The first line of an example that is a golive source names its file: "# plans/<id>/plan.yaml".
SOURCE_FILE = re.compile(r"#\s*(plans/[\w./-]+\.yaml)")


def heading_anchors(text: str) -> set[str]:
    """The anchors of a page: `<a id>`s, and the headings' as a Markdown viewer makes them (lower
    case, punctuation dropped, spaces as '-')."""
    headings = re.findall(r"^#{1,6}\s+(.+?)\s*$", re.sub(r"^```.*?^```", "", text, flags=re.M | re.S), re.M)
    explicit = set(re.findall(r'<a id="([^"]+)"></a>', text))
    return {re.sub(r"[^\w\- ]", "", h.lower()).replace(" ", "-") for h in headings} | explicit


def examples() -> list[tuple[str, str]]:
    found = []
    for document in DOCUMENTS:
        for number, block in enumerate(YAML_BLOCK.findall(document.read_text(encoding="utf-8")), start=1):
            found.append((f"{document.relative_to(REPO)}#{number}", block))
    return found


@pytest.mark.parametrize("document", DOCUMENTS, ids=lambda p: str(p.relative_to(REPO)))
def test_every_link_leads_to_a_file_or_heading_in_the_repository(document: Path) -> None:
    text = document.read_text(encoding="utf-8")
    broken = []
    for target in LINK.findall(text):
        if re.match(r"^[a-z]+:", target):  # https:, mailto:: outside the repository, and said so
            continue
        path, _, anchor = target.partition("#")
        if path:
            resolved = (document.parent / path).resolve()
            if not resolved.is_relative_to(REPO) or not resolved.exists():
                broken.append(target)
        elif anchor not in heading_anchors(text):
            broken.append(target)
    assert broken == []


def test_the_documents_have_yaml_examples() -> None:
    names = [name for name, _ in examples()]
    assert any(name.startswith("README.md") for name in names), names


@pytest.mark.parametrize(("name", "block"), examples(), ids=[name for name, _ in examples()])
def test_every_yaml_example_is_valid(name: str, block: str, tmp_path: Path) -> None:
    assert yaml.safe_load(block) is not None, name
    source = SOURCE_FILE.match(block.lstrip())
    if source is None:
        return  # not a golive source (a CI or pre-commit file): well-formed is all it has to be
    root = copy_shipped_project(tmp_path / "project")
    target = root / source.group(1)
    if target.name == "plan.yaml" and target.parent.exists():
        shutil.rmtree(target.parent)  # a plan example stands alone, without another plan's log
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text(block, encoding="utf-8")
    # Not an error, not even a warning: an example shows how a plan should be written.
    found = [str(d) for d in validate_project(root).diagnostics if d.file == source.group(1)]
    assert found == [], name


def test_the_docs_name_every_command_placeholder_and_log_kind() -> None:
    commands = (REPO / "docs/commands.md").read_text(encoding="utf-8")
    assert [name for name in COMMANDS if f"`golive {name}" not in commands] == []
    messages = (REPO / "docs/messages-and-log.md").read_text(encoding="utf-8")
    assert [p for p in PLACEHOLDERS if f"`{{{p}}}`" not in messages] == []
    assert [k for k in ENTRY_KINDS if f"| `{k}` |" not in messages] == []
