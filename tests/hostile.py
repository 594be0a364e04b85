"""A plan tree whose every author-written field carries the usual injection vectors.

Each field gets its own payload, tagged with the field's number (`f07 ...`) so that a page
showing it can be traced back; `payloads(harmless=True)` gives the same tree with harmless
text, whose pages must have exactly as many golive HTML blocks as the hostile tree's.
Payloads stay short and printable: other checks limit a field's length and refuse control
characters (hence `wzxhzdk:0`, the visible part of Python-Markdown's stash placeholder).
"""

from __future__ import annotations

import re
import shutil
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from conftest import REPO, make_project
from generator.read.models.common import NAME_MAX

# One line of vectors, then golive's own block markers on lines of their own (where they would
# open a block), around a script.
VECTORS = (
    "<script>alert(1)</script>",
    "<img src=x onerror=alert(2)>",
    '"><svg onload=alert(3)>',  # out of a double-quoted attribute
    "' autofocus onfocus='alert(4)",  # out of a single-quoted one
    "[j](javascript:alert(5))",
    "[d](data:text/html,6)",
    "![r](https://evil.example/r)",  # a remote image
    "{: onclick=alert(7) }",  # an attribute list
    '--8<-- "/etc/hosts"',  # a snippet include
    "wzxhzdk:0",  # a stash placeholder
    "&amp; **b** |",  # shown as written: not unescaped, not escaped twice, no Markdown
)
BLOCK = "<!-- golive:html -->\n<script>alert(8)</script>\n<!-- /golive:html -->"
# What a Markdown field shows of the vectors: its links and emphasis are Markdown, not text.
MARKDOWN_SHOWN = {
    "[j](javascript:alert(5))": "j",
    "[d](data:text/html,6)": "d",
    "![r](https://evil.example/r)": "r",
    "&amp; **b** |": "& b |",
}
OUTSIDE_HOST = "links.invalid"  # where the links of channels and dashboards point


def payload(tag: str) -> str:
    return f"{tag} {' '.join(VECTORS)}\n{BLOCK}\n{tag} end"


def short_payload(tag: str, start: int) -> str:
    """A payload for a field of at most 200 characters: the block, and as many vectors as fit,
    taken in turn from `start`, so that the short fields together carry every vector."""
    chosen: list[str] = []
    while len(payload_of(tag, [*chosen, VECTORS[(start + len(chosen)) % len(VECTORS)]])) <= NAME_MAX:
        chosen.append(VECTORS[(start + len(chosen)) % len(VECTORS)])
    return payload_of(tag, chosen)


def payload_of(tag: str, vectors: list[str]) -> str:
    return f"{tag} {' '.join(vectors)}\n{BLOCK}"


def link_payload(tag: str, scheme: str) -> str:
    """A hostile value for a link field: it must start with an allowed scheme."""
    breakout = f"{tag}\"><svg onload=alert(3)> 'autofocus onfocus='alert(4)<script>alert(1)</script>"
    return {
        "https": f"https://{OUTSIDE_HOST}/{breakout}",
        "mailto": f"mailto:{breakout}@{OUTSIDE_HOST}",
        "tel": f"tel:+1{breakout}",
    }[scheme]


@dataclass(frozen=True)
class Field:
    path: str  # file and value path, for messages
    value: str  # what the source holds
    shown: str  # what a page must show, whitespace aside (empty: not shown as text anywhere)


def normalise(text: str) -> str:
    return " ".join(text.split())


def _set(fields: list[Field], data: Any, key: Any, path: str, *, kind: str, shown_as_text: bool) -> None:
    tag = f"f{len(fields) + 1:02d}"
    if kind == "harmless":
        value = shown = f"{tag} harmless text"
    elif kind == "markdown":
        value = payload(tag)
        shown = value
        for vector, text in MARKDOWN_SHOWN.items():
            shown = shown.replace(vector, text)
    elif kind == "email":  # one line, within an address's 254 characters; ? and & are refused
        value = shown = f"{tag} {' '.join(v for v in VECTORS if '&' not in v)}"
    elif kind == "message":  # a message's braces are placeholders: {{ and }} write them
        shown = payload(tag)
        value = shown.replace("{", "{{").replace("}", "}}")
    elif kind == "name":  # names, roles, contact details: at most 200 characters
        value = shown = short_payload(tag, len(fields))
    elif kind in ("https", "mailto", "tel"):
        value = shown = link_payload(tag, kind)
    else:
        value = shown = payload(tag)
    data[key] = value
    fields.append(Field(path, value, normalise(shown) if shown_as_text else ""))


def make_hostile_project(target: Path, *, harmless: bool = False) -> tuple[Path, list[Field]]:
    """The base project with a payload in every author-written field; returns it and the fields."""
    root = make_project(target)
    shutil.copy(REPO / "mkdocs.yml", root / "mkdocs.yml")
    fields: list[Field] = []

    def put(data: Any, key: Any, path: str, kind: str = "plain", shown_as_text: bool = True) -> None:
        if harmless and kind not in ("https", "mailto", "tel"):
            kind = "harmless"
        _set(fields, data, key, path, kind=kind, shown_as_text=shown_as_text)

    def edit(relative: str, change: Any) -> None:
        file = root / relative
        data = yaml.safe_load(file.read_text(encoding="utf-8"))
        change(data)
        file.write_text(yaml.safe_dump(data, sort_keys=False, allow_unicode=True), encoding="utf-8")

    def people(data: dict[str, Any]) -> None:
        ana = data["people"][0]
        for key in ("name", "role", "team", "phone", "chat"):
            put(ana, key, f"people.yaml people[0].{key}", "name")
        put(ana, "email", "people.yaml people[0].email", "email")

    def checklist(data: dict[str, Any]) -> None:
        put(data, "title", "checklists/standard-pre-launch.yaml title")
        put(data["items"][0], "text", "checklists/standard-pre-launch.yaml items[0].text")

    def plan(data: dict[str, Any]) -> None:
        put(data, "title", "plan.yaml title")
        put(data, "system", "plan.yaml system", "name")
        put(data, "summary", "plan.yaml summary", "markdown")
        for key in ("text", "metric", "target"):
            put(data["objectives"][0], key, f"plan.yaml objectives[0].{key}")
        lead = data["stakeholders"][0]
        put(lead, "role", "plan.yaml stakeholders[0].role", "name")
        lead["responsibilities"] = [""]
        put(lead["responsibilities"], 0, "plan.yaml stakeholders[0].responsibilities[0]")
        bridge, chat = data["channels"]
        for index, channel in enumerate((bridge, chat)):
            put(channel, "name", f"plan.yaml channels[{index}].name", "name")
            put(channel, "details", f"plan.yaml channels[{index}].details")
        put(bridge, "link", "plan.yaml channels[0].link", "https")
        put(chat, "link", "plan.yaml channels[1].link", "mailto")
        data["channels"].append({"kind": "other", "name": "Desk"})
        put(data["channels"][2], "link", "plan.yaml channels[2].link", "tel")
        gate = data["gates"][0]
        put(gate["criteria"], 0, "plan.yaml gates[0].criteria[0]")
        put(data["checklists"]["items"][0], "text", "plan.yaml checklists.items[0].text")
        for steps, where in ((data["steps"], "steps"), (data["rollback"]["steps"], "rollback.steps")):
            step = steps[0]
            put(step, "title", f"plan.yaml {where}[0].title")
            put(step, "instructions", f"plan.yaml {where}[0].instructions", "markdown")
            step["commands"] = [""]
            put(step["commands"], 0, f"plan.yaml {where}[0].commands[0]")
            put(step, "verify", f"plan.yaml {where}[0].verify")
        put(data["rollback"]["triggers"], 0, "plan.yaml rollback.triggers[0]")
        monitor = data["monitoring"][0]
        put(monitor, "name", "plan.yaml monitoring[0].name", "name")
        put(monitor, "link", "plan.yaml monitoring[0].link", "https", shown_as_text=False)  # only as the name's link
        put(monitor["watch"], 0, "plan.yaml monitoring[0].watch[0]", "name")
        message = data["communications"][0]
        for key in ("audience", "channel", "when"):
            put(message, key, f"plan.yaml communications[0].{key}", "name")
        put(message, "message", "plan.yaml communications[0].message", "message")

    def log(data: dict[str, Any]) -> None:
        data["entries"].insert(1, {"at": "2026-12-05 22:30", "by": "ben", "kind": "note", "text": ""})
        for index in (1, 2, 3):  # a note, an issue and its resolution
            put(data["entries"][index], "text", f"log.yaml entries[{index}].text")

    def postmortem(data: dict[str, Any]) -> None:
        for key in ("summary", "impact", "root_causes", "trigger", "detection", "resolution"):
            put(data, key, f"postmortem.yaml {key}", "markdown")
        put(data["results"][0], "observed", "postmortem.yaml results[0].observed")
        for key in ("went_well", "went_wrong", "lucky", "feedback"):
            data[key] = [""]
            put(data[key], 0, f"postmortem.yaml {key}[0]")
        put(data["action_items"][0], "text", "postmortem.yaml action_items[0].text")
        put(data["action_items"][0], "ticket", "postmortem.yaml action_items[0].ticket", "name")
        put(data["timeline_extra"][0], "text", "postmortem.yaml timeline_extra[0].text")

    edit("plans/people.yaml", people)
    edit("plans/checklists/standard-pre-launch.yaml", checklist)
    edit("plans/shop/plan.yaml", plan)
    edit("plans/shop/log.yaml", log)
    edit("plans/shop/postmortem.yaml", postmortem)
    return root, fields


MARKER = re.compile(r"^<!-- /?golive:html", re.MULTILINE)
