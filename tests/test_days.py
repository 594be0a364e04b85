"""Every time carries its day when a window covers several dates; one form everywhere.

Hand-computed schedules (as in test_schedule.py), checked in the rendered Markdown of each page.
"""

from __future__ import annotations

import datetime as dt
import re
import shutil
from pathlib import Path

import pytest
import yaml
from playwright.sync_api import Page

from conftest import REPO, SiteServer, build_project, make_project
from generator.call.logbook import LogError, NewEntry, append_entry
from generator.check.validate import validate_project
from generator.site.render import render_plan
from generator.site.views.plan import build_plan_view

UTC = dt.UTC


def shop_plan(root: Path, *replacements: tuple[str, str]) -> Path:
    """The base project's plan with text replaced (each replacement must apply), without log and post-mortem."""
    plan = root / "plans/shop/plan.yaml"
    text = plan.read_text()
    for old, new in replacements:
        assert old in text, old
        text = text.replace(old, new)
    plan.write_text(text)
    for name in ("log.yaml", "postmortem.yaml"):
        (root / "plans/shop" / name).unlink(missing_ok=True)
    return root


MESSAGE = 'message: "{title} starts now. Bridge: {bridge}. Lead: {lead}."'


def weekend(tmp_path: Path) -> Path:
    """Sat 16 Jan 2027 18:00 to Mon 18 Jan 06:00, Europe/Berlin (CET, UTC+1 all weekend).

    freeze 10m Sat 18:00-18:10; backup-db 25m Sat 18:10-18:35; deploy-app (gate go-no-go,
    point of no return) fixed "Sun 09:00": Sun 09:00-09:30; smoke 15m Sun 09:30-09:45.
    Rollback 10m + 40m = 50m: the latest rollback start is Mon 06:00 - 50 min = Mon 05:10.
    """
    return shop_plan(
        make_project(tmp_path / "weekend"),
        ("timezone: Europe/London", "timezone: Europe/Berlin"),
        ("start: 2026-12-05 22:00", "start: 2027-01-16 18:00"),
        ("end: 2026-12-06 02:00", "end: 2027-01-18 06:00"),
        ('    start: "23:00"', '    start: "Sun 09:00"'),
        (MESSAGE, 'message: "{title} from {start} to {end}."'),
    )


def pages(root: Path) -> dict[str, str]:
    validation = validate_project(root)
    assert validation.ok, validation.diagnostics
    rendered = render_plan(build_plan_view(validation, "shop"))
    return {path.removeprefix("plans/shop/"): text for path, text in rendered.items()}


def cells(markdown: str) -> str:
    """Text with tags removed and whitespace collapsed: what a reader sees."""
    return " ".join(re.sub(r"<[^>]+>", " ", markdown).split())


def test_weekend_window_shows_the_day_on_every_page(tmp_path: Path) -> None:
    page = {name: cells(text) for name, text in pages(weekend(tmp_path)).items()}
    runbook = page["runbook.md"]
    # schedule rows: number, start, T-offset, duration, title
    assert "1 Sat 18:00 T+0:00 10m Announce code freeze" in runbook
    assert "2 Sat 18:10 T+0:10 25m Snapshot the orders database" in runbook
    assert "3 Sun 09:00 T+15:00 30m ◆ Deploy checkout 2.0 (point of no return)" in runbook
    assert "4 Sun 09:30 T+15:30 15m ◆ Run checkout smoke tests" in runbook
    assert "Sun 09:00\u2013Sun 09:30 (T+15:00, 30m)" in runbook  # the step's own heading
    assert "gate go-no-go before step #3 at Sun 09:00 (Ana Souza decides)" in runbook
    assert "Planned end Sun 09:45" in runbook
    overview = page["index.md"]
    assert "Planned end of the last step Sun 09:45" in overview
    assert "Point of no return Sun 09:00, step #3" in overview
    assert "Latest rollback start Mon 05:10 (rollback takes 50m)" in overview
    rollback = page["rollback.md"]
    assert "Latest rollback start Mon 05:10 :" in rollback
    assert "If started at Sun 09:00" in rollback
    assert "1 R+0:00 Sun 09:00\u2013Sun 09:10 10m Point DNS back to legacy checkout" in rollback
    assert "2 R+0:10 Sun 09:10\u2013Sun 09:50 40m Restore orders snapshot" in rollback
    printed = page["print.md"]
    assert "Planned end Sun 09:45" in printed and "Latest rollback start Mon 05:10" in printed
    assert "1 Sat 18:00 T+0:00" in printed and "3 Sun 09:00 T+15:00" in printed
    assert (
        "Shop relaunch with the new checkout from Sat 16 Jan 2027 18:00 CET to Mon 18 Jan 2027 06:00 CET."
        in page["communications.md"]
    )


def overnight(tmp_path: Path) -> Path:
    """Sat 5 Dec 2026 22:00 to Sun 03:00, Europe/London: freeze 22:00-22:10, backup-db 22:10-22:35,
    deploy-app fixed 23:00-23:30 (point of no return), smoke 23:30-23:45, then a 2h step 23:45-Sun 01:45."""
    return shop_plan(
        make_project(tmp_path / "overnight"),
        ("end: 2026-12-06 02:00", "end: 2026-12-06 03:00"),
        (
            "rollback:\n",
            "  - {id: watch, title: Watch the error rate, owner: raj, duration: 2h}\nrollback:\n",
        ),
        (MESSAGE, 'message: "{start} to {end}"'),
    )


def test_overnight_window_shows_the_day_across_midnight(tmp_path: Path) -> None:
    page = {name: cells(text) for name, text in pages(overnight(tmp_path)).items()}
    runbook = page["runbook.md"]
    assert "1 Sat 22:00 T+0:00 10m" in runbook
    assert "3 Sat 23:00 T+1:00 30m" in runbook
    assert "5 Sat 23:45 T+1:45 2h ◆ Watch the error rate" in runbook
    assert "gate go-no-go before step #3 at Sat 23:00" in runbook
    assert "Planned end Sun 01:45 (1 h 15 min to spare)" in runbook
    # rollback 50m from the window end (Sun 03:00)
    assert "Latest rollback start Sun 02:10" in page["index.md"]
    assert "Point of no return Sat 23:00, step #3" in page["index.md"]
    assert "Sat 05 Dec 2026 22:00 GMT to Sun 06 Dec 2026 03:00 GMT" in page["communications.md"]
    # the timeline's bar titles carry the day as well
    assert 'title="Sat 23:45-Sun 01:45 (critical path)"' in pages(overnight(tmp_path / "again"))["runbook.md"]


def test_a_single_date_window_keeps_bare_times(tmp_path: Path) -> None:
    root = shop_plan(
        make_project(tmp_path / "day"),
        ("start: 2026-12-05 22:00", "start: 2026-12-05 08:00"),
        ("end: 2026-12-06 02:00", "end: 2026-12-05 12:00"),
        ('    start: "23:00"', '    start: "09:00"'),
    )
    runbook = cells(pages(root)["runbook.md"])
    assert "1 08:00 T+0:00 10m" in runbook and "3 09:00 T+1:00 30m" in runbook
    assert "gate go-no-go before step #3 at 09:00" in runbook
    assert not re.search(r"\b(Mon|Tue|Wed|Thu|Fri|Sat|Sun) \d\d:\d\d", runbook)


def test_a_window_of_more_than_six_days_shows_the_date(tmp_path: Path) -> None:
    root = shop_plan(
        make_project(tmp_path / "week"),
        ("end: 2026-12-06 02:00", "end: 2026-12-14 02:00"),
        ('    start: "23:00"', '    start: "2026-12-13 14:00"'),
    )
    runbook = cells(pages(root)["runbook.md"])
    assert "1 Sat 5 Dec 22:00 T+0:00" in runbook
    assert "3 Sun 13 Dec 14:00 T+184:00" in runbook


def test_a_window_across_a_clock_change_shows_day_and_offset(tmp_path: Path) -> None:
    # Europe/London, Sun 25 Oct 2026: 02:00 BST becomes 01:00 GMT.
    root = shop_plan(
        make_project(tmp_path / "dst"),
        ("start: 2026-12-05 22:00", "start: 2026-10-24 22:00"),
        ("end: 2026-12-06 02:00", "end: 2026-10-25 04:00"),
        ('    start: "23:00"', '    start: "01:30"'),
    )
    runbook = cells(pages(root)["runbook.md"])
    assert "1 Sat 22:00 +01:00 T+0:00" in runbook
    # 01:30 happens twice: the first, in summer time
    assert "3 Sun 01:30 +01:00 T+3:30" in runbook


# -- fixed starts ---------------------------------------------------------------------


def test_weekday_start_is_its_first_moment_at_or_after_the_window_start(tmp_path: Path) -> None:
    root = weekend(tmp_path)
    schedule = validate_project(root).schedules["shop"]
    assert schedule.step("deploy-app").start == dt.datetime(2027, 1, 17, 8, 0, tzinfo=UTC)  # Sun 09:00 CET
    # Saturday 18:30 on a window opening Saturday 18:00: that same evening, not a week later
    text = (root / "plans/shop/plan.yaml").read_text().replace('start: "Sun 09:00"', 'start: "sat 18:30"')
    (root / "plans/shop/plan.yaml").write_text(text)
    schedule = validate_project(root).schedules["shop"]
    assert schedule.clock(schedule.step("deploy-app").start) == "Sat 18:35"  # backup-db ends 18:35
    text = text.replace('start: "sat 18:30"', 'start: "SAT 18:40"')
    (root / "plans/shop/plan.yaml").write_text(text)
    schedule = validate_project(root).schedules["shop"]
    assert schedule.clock(schedule.step("deploy-app").start) == "Sat 18:40"


def test_time_of_day_start_overtaken_by_its_dependencies_is_a_warning(tmp_path: Path) -> None:
    # backup-db takes 16h: it ends Sun 10:10, so deploy-app's "18:30" (Sat 18:30) does nothing.
    root = shop_plan(
        make_project(tmp_path / "idle"),
        ("timezone: Europe/London", "timezone: Europe/Berlin"),
        ("start: 2026-12-05 22:00", "start: 2027-01-16 18:00"),
        ("end: 2026-12-06 02:00", "end: 2027-01-18 06:00"),
        ("    duration: 25m", "    duration: 16h"),
        ('    start: "23:00"', '    start: "18:30"'),
    )
    validation = validate_project(root)
    assert validation.ok
    messages = [f"{d.path}: {d.message} ({d.hint})" for d in validation.warnings]
    assert messages == [
        "steps[2].start: start 18:30 (Sat 18:30) has no effect: the step's dependencies end at Sun 10:10 "
        '(for a later day write the date, e.g. start: "2027-01-17 18:30")'
    ]
    # Written in full, the start takes effect and the warning goes.
    plan = root / "plans/shop/plan.yaml"
    plan.write_text(plan.read_text().replace('start: "18:30"', 'start: "2027-01-17 18:30"'))
    validation = validate_project(root)
    assert validation.warnings == []
    assert validation.schedules["shop"].step("deploy-app").start == dt.datetime(2027, 1, 17, 17, 30, tzinfo=UTC)


# -- the timeline axis ------------------------------------------------------------------


def axis_labels(runbook: str) -> list[tuple[float, str, str]]:
    axis = re.search(r'<div class="golive-timeline__axis">(.*?)</div>', runbook)
    assert axis is not None
    found = re.findall(
        r'<span style="left:([\d.]+)%"(?: class="golive-timeline__tick--(\w+)")?>([^<]+)</span>', axis[1]
    )
    return [(float(left), shown_on, label) for left, shown_on, label in found]


# At most this wide (percent of the axis) per character and gap, on the narrowest axis (190 px on
# a 320 px phone) and on a wide one (440 px from 720 px up): what Chromium draws (test_browser_*).
NARROW, WIDE = 100 * 7.5 / 190, 100 * 7.5 / 440


@pytest.mark.parametrize("hours", [5, 8, 12, 36, 60, 200])
def test_axis_labels_are_unique_and_do_not_overlap(tmp_path: Path, hours: int) -> None:
    end = dt.datetime(2026, 12, 5, 22) + dt.timedelta(hours=hours)
    root = shop_plan(make_project(tmp_path / f"h{hours}"), ("end: 2026-12-06 02:00", f"end: {end:%Y-%m-%d %H:%M}"))
    labels = axis_labels(pages(root)["runbook.md"])
    assert len({label for _, _, label in labels}) == len(labels), labels
    assert labels[0][:2] == (0.0, "") and len(labels) >= 2
    for screen, char in (("narrow", NARROW), ("wide", WIDE)):
        shown = [(left, label) for left, shown_on, label in labels if shown_on in ("", screen)]
        # the first label is left-aligned at 0 %, the others centred on their moment
        right = len(shown[0][1]) * char
        for left, label in shown[1:]:
            half = len(label) * char / 2
            assert left - half >= right, (screen, shown)
            assert left + half <= 100, (screen, shown)
            right = left + half


def test_a_36_hour_window_shows_each_label_once(tmp_path: Path) -> None:
    # Before: 22:00, then every 6 hours from 23:00 ... and 23:00 again a day later, both bare.
    root = shop_plan(make_project(tmp_path / "h36"), ("end: 2026-12-06 02:00", "end: 2026-12-07 10:00"))
    labels = [label for _, _, label in axis_labels(pages(root)["runbook.md"])]
    assert labels[0] == "Sat 22:00"
    assert all(re.fullmatch(r"(Sat|Sun|Mon) \d\d:00", label) for label in labels), labels
    assert len(set(labels)) == len(labels)


# -- golive log --at ----------------------------------------------------------------------


def logging_project(tmp_path: Path, log: str | None = None) -> Path:
    """The weekend window (Sat 16 Jan 18:00 to Mon 18 Jan 06:00 CET), with `log` as its log.yaml."""
    root = weekend(tmp_path)
    if log is not None:
        (root / "plans/shop/log.yaml").write_text(log)
    return root


def berlin(text: str) -> dt.datetime:
    """A Berlin wall-clock time in January (UTC+1), as an aware UTC datetime."""
    return (dt.datetime.fromisoformat(text) - dt.timedelta(hours=1)).replace(tzinfo=UTC)


def log_at(root: Path, at: str | None, now: dt.datetime, text: str = "note") -> str:
    appended = append_entry(root, "shop", NewEntry(text, by="ana", at=at), now)
    return appended.fields["at"]


def test_time_of_day_during_the_window_is_the_occurrence_closest_to_now(tmp_path: Path) -> None:
    root = logging_project(tmp_path)
    # 23:40 occurs Saturday and Sunday night; at Sunday 22:00 the scribe means Sunday's.
    assert log_at(root, "23:40", berlin("2027-01-17 22:00")) == "2027-01-17 23:40"
    # At Sunday 08:00, Saturday's 23:40 (8h20 ago) is closer than Sunday's (15h40 ahead).
    assert log_at(root, "23:40", berlin("2027-01-17 08:00")) == "2027-01-16 23:40"


def test_time_of_day_after_the_window_is_the_first_after_the_previous_entry(tmp_path: Path) -> None:
    log = "entries:\n  - at: 2027-01-17 10:00\n    by: ana\n    kind: note\n    text: morning\n"
    root = logging_project(tmp_path, log)
    later = berlin("2027-01-18 12:00")  # the window is over: the scribe writes up the night
    assert log_at(root, "23:40", later) == "2027-01-17 23:40"  # not Saturday's, before the last entry
    with pytest.raises(LogError) as refused:
        log_at(root, "09:00", later)  # every 09:00 of the window is before the last entry (Sun 23:40)
    assert str(refused.value) == (
        "--at 09:00: every 09:00 of the window is before the log's last entry (2027-01-17 23:40); "
        'give the date and time, e.g. --at "2027-01-17 09:00"'
    )
    assert log_at(root, "2027-01-17 09:00", later) == "2027-01-17 09:00"  # the full form is taken as written


def test_a_time_of_day_outside_the_window_names_the_full_form(tmp_path: Path) -> None:
    root = shop_plan(
        make_project(tmp_path / "short"),
        ("start: 2026-12-05 22:00", "start: 2026-12-05 20:00"),
        ("end: 2026-12-06 02:00", "end: 2026-12-05 23:59"),
    )
    with pytest.raises(LogError) as refused:
        append_entry(root, "shop", NewEntry("note", by="ana", at="06:00"), berlin("2026-12-05 21:00"))
    assert str(refused.value) == (
        '--at 06:00 does not occur in the window; give the date and time, e.g. --at "2026-12-05 06:00"'
    )


@pytest.mark.parametrize(
    ("now", "message"),
    [
        (
            "2027-01-15 17:59",
            "now (2027-01-15 17:59) is more than a day before the window starts; if this is meant, "
            'give the date and time, e.g. --at "2027-01-15 17:59"',
        ),
        (
            "2027-01-19 06:01",
            "now (2027-01-19 06:01) is more than a day after the window ends; if this is meant, "
            'give the date and time, e.g. --at "2027-01-19 06:01"',
        ),
    ],
)
def test_now_far_from_the_window_is_refused_unless_typed_in_full(tmp_path: Path, now: str, message: str) -> None:
    root = logging_project(tmp_path)
    with pytest.raises(LogError) as refused:
        log_at(root, None, berlin(now))
    assert str(refused.value) == message
    assert not (root / "plans/shop/log.yaml").exists()
    assert log_at(root, now, berlin(now)) == now  # typed in full: taken
    # within a day of the window: taken as now
    assert log_at(root, None, berlin("2027-01-16 09:00")) == "2027-01-16 09:00"


PASTED = """\
# yaml-language-server: $schema=../../schemas/log.schema.json
entries:
  # Saturday
  - at: 2027-01-16 18:01
    by: ana
    kind: step-started
    step: freeze
  # Sunday morning, pasted from raj's browser
  - at: 2027-01-17 09:05
    by: raj
    kind: step-started
    step: deploy-app
  - at: 2027-01-16 18:40   # pasted late: out of order, still a valid log
    by: dev
    kind: step-done
    step: backup-db
"""


def test_log_inserts_the_new_entry_at_its_place_in_time(tmp_path: Path) -> None:
    root = logging_project(tmp_path, PASTED)
    assert validate_project(root).ok  # out of order is fine: the log is read in time order
    now = berlin("2027-01-17 09:10")
    assert log_at(root, "2027-01-16 19:00", now, "Saturday evening") == "2027-01-16 19:00"
    text = (root / "plans/shop/log.yaml").read_text()
    # inserted before Sunday's entry and the comment that introduces it; every earlier byte kept
    assert text == PASTED.replace(
        "  # Sunday morning",
        '  - at: 2027-01-16 19:00\n    by: ana\n    kind: note\n    text: "Saturday evening"\n  # Sunday morning',
    )
    # the latest entry goes at the end
    assert log_at(root, "09:12", now, "last") == "2027-01-17 09:12"
    assert (root / "plans/shop/log.yaml").read_text().endswith('    text: "last"\n')
    entries = yaml.safe_load((root / "plans/shop/log.yaml").read_text())["entries"]
    assert [e["at"] for e in entries] == [
        "2027-01-16 18:01", "2027-01-16 19:00", "2027-01-17 09:05", "2027-01-16 18:40", "2027-01-17 09:12"
    ]  # fmt: skip
    assert validate_project(root).ok


def test_log_inserts_after_entries_of_the_same_time_in_a_flow_free_log(tmp_path: Path) -> None:
    log = "entries:\n  - at: 2027-01-16 18:00\n    by: ana\n    kind: note\n    text: a\n" \
          "  -\n    at: 2027-01-16 20:00\n    by: ana\n    kind: note\n    text: c\n"  # fmt: skip
    root = logging_project(tmp_path, log)
    assert log_at(root, "2027-01-16 18:00", berlin("2027-01-16 20:30"), "b") == "2027-01-16 18:00"
    entries = yaml.safe_load((root / "plans/shop/log.yaml").read_text())["entries"]
    assert [e["text"] for e in entries] == ["a", "b", "c"]


AXIS_RECTS = """() => {
  const axis = document.querySelector('.golive-timeline__axis');
  const spans = [...axis.querySelectorAll('span:not(.golive-timeline__window-end)')]
    .filter((s) => getComputedStyle(s).display !== 'none');
  const box = axis.getBoundingClientRect();
  return {axis: [box.left, box.right], labels: spans.map((s) => {
    const r = s.getBoundingClientRect();
    return [s.textContent, r.left, r.right, r.top, r.bottom];
  })};
}"""


def test_axis_labels_do_not_intersect_in_chromium(tmp_path: Path, page: Page) -> None:
    root = shop_plan(make_project(tmp_path / "h36"), ("end: 2026-12-06 02:00", "end: 2026-12-07 10:00"))
    shutil.copy(REPO / "mkdocs.yml", root / "mkdocs.yml")
    served = SiteServer(build_project(root))
    try:
        for width, height in ((1280, 800), (1000, 800), (720, 900), (719, 900), (390, 844), (320, 640)):
            page.set_viewport_size({"width": width, "height": height})
            page.goto(served.url("plans/shop/runbook.html"))
            found = page.evaluate(AXIS_RECTS)
            labels = found["labels"]
            assert len(labels) >= 2, (width, labels)
            assert len({label[0] for label in labels}) == len(labels), (width, labels)
            left, right = found["axis"]
            for index, (text, x1, x2, y1, y2) in enumerate(labels):
                assert left - 0.5 <= x1 and x2 <= right + 0.5, (width, text, found)
                for other in labels[index + 1 :]:
                    apart = x2 <= other[1] or other[2] <= x1 or y2 <= other[3] or other[4] <= y1
                    assert apart, (width, text, other[0], labels)
    finally:
        served.close()
