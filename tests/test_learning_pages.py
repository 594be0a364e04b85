"""The pages that learn from earlier runs: rehearsal actuals (runbook, print page, overview), the
series page with its two SVG charts and their tables, estimate accuracy on the log page and the
dashboard, the Series section of the nav.

The project is made here: the base project's shop plan with two rehearsals, and a series of four
monthly runs of a payments release whose figures are worked out by hand below.
"""

from __future__ import annotations

import html
import json
import re
from pathlib import Path

import pytest
from playwright.sync_api import Browser

from conftest import TIMEOUT_MS, SiteServer, build_project, make_project
from generator.check.validate import validate_project
from generator.site import chart
from generator.site.render import render_site

SERIES = "pay-monthly"
# Hostile text where authors write plain text: it must come out as text everywhere.
HOSTILE_STEP = 'Snapshot <script>alert(1)</script> & "db"'
HOSTILE_PLAN = 'Payments <b>release</b> & "friends"'


def _plan_yaml(title: str, status: str, start: str, end: str) -> str:
    return f"""title: {json.dumps(title)}
system: payments
version: 1
status: {status}
series: {SERIES}
timezone: Europe/London
window:
  start: {start}
  end: {end}
stakeholders:
  - person: ana
    role: Go-live lead
  - person: dev
    role: Database administrator
approvals:
  - person: mia
    decision: approved
    date: 2026-07-01
steps:
  - {{id: freeze, title: Announce code freeze, owner: ana, duration: 10m}}
  - {{id: snapshot, title: {json.dumps(HOSTILE_STEP)}, owner: dev, duration: 25m, depends_on: [freeze]}}
  - {{id: deploy, title: Deploy payments, owner: ana, duration: 30m, depends_on: [snapshot], point_of_no_return: true}}
  - {{id: smoke, title: Run smoke tests, owner: ana, duration: 15m, depends_on: [deploy]}}
rollback:
  owner: ana
  triggers: [Payments failing]
  steps:
    - {{id: rb-restore, title: Restore the snapshot, owner: dev, duration: 40m}}
"""


def _log_yaml(entries: list[tuple[str, str, str]], extra: str = "") -> str:
    """entries: (at, kind, step) each."""
    lines = ["entries:"]
    for at, kind, step in entries:
        lines.append(f"  - {{at: '{at}', by: ana, kind: {kind}, step: {step}}}")
    return "\n".join(lines) + "\n" + extra


def _steps(day: str, times: list[tuple[str, str, str]]) -> list[tuple[str, str, str]]:
    """Start and end of each step: (step, start, end), times on `day` (end "" when not done)."""
    found = []
    for step, start, end in times:
        found.append((start if " " in start else f"{day} {start}", "step-started", step))
        if end:
            found.append((end if " " in end else f"{day} {end}", "step-done", step))
    return found


# The four runs, by hand. Planned: 10m + 25m + 30m + 15m, in a row: 80 minutes.
#  run             freeze  snapshot  deploy        smoke         end      slip
#  pay-2026-08     10m     41m ▲     30m           15m           23:36    +16 min
#  pay-2026-09     10m     38m ▲     42m ▲         12m           23:42    +22 min
#  pay-2026-10     10m     55m ▲     30m           15m           01:50 UTC +30 min  (across the clock change)
#  pay-2026-11     10m     25m       not finished  not reached   —        rolled back
# snapshot: median (38 + 41) / 2 = 39.5 → 40m, worst 55m, late 3 of 4; deploy: median 30m, worst 42m, late 1 of 3.
# Accuracy: 3 + 2 + 3 + 2 = 10 of 14 steps on estimate (71%). Charted (overran most): snapshot (59 min over
# in all), deploy (12 min); freeze and smoke never overran.
RUNS = {
    "pay-2026-08": (
        "completed",
        "2026-08-14 22:00",
        "2026-08-15 01:00",
        _steps(
            "2026-08-14",
            [
                ("freeze", "22:00", "22:10"),
                ("snapshot", "22:10", "22:51"),
                ("deploy", "22:51", "23:21"),
                ("smoke", "23:21", "23:36"),
            ],
        ),
    ),
    "pay-2026-09": (
        "completed",
        "2026-09-11 22:00",
        "2026-09-12 01:00",
        _steps(
            "2026-09-11",
            [
                ("freeze", "22:00", "22:10"),
                ("snapshot", "22:10", "22:48"),
                ("deploy", "22:48", "23:30"),
                ("smoke", "23:30", "23:42"),
            ],
        ),
    ),
    # The clocks go back at 02:00 BST on 25 October 2026: 01:00-01:59 happens twice.
    "pay-2026-10": (
        "completed",
        "2026-10-25 01:00+01:00",
        "2026-10-25 04:00",
        [
            ("2026-10-25 01:00+01:00", "step-started", "freeze"),
            ("2026-10-25 01:10+01:00", "step-done", "freeze"),
            ("2026-10-25 01:10+01:00", "step-started", "snapshot"),
            ("2026-10-25 01:05+00:00", "step-done", "snapshot"),  # 55 minutes later, on the second 01:05
            ("2026-10-25 01:05+00:00", "step-started", "deploy"),
            ("2026-10-25 01:35+00:00", "step-done", "deploy"),
            ("2026-10-25 01:35+00:00", "step-started", "smoke"),
            ("2026-10-25 01:50+00:00", "step-done", "smoke"),
        ],
    ),
    "pay-2026-11": (
        "rolled-back",
        "2026-11-13 22:00",
        "2026-11-14 01:00",
        [
            *_steps(
                "2026-11-13", [("freeze", "22:00", "22:10"), ("snapshot", "22:10", "22:35"), ("deploy", "22:35", "")]
            ),
            ("2026-11-13 23:10", "rollback-started", "rb-restore"),
            ("2026-11-13 23:50", "rollback-done", "rb-restore"),
        ],
    ),
}

# The base project's shop plan (window 22:00, planned end 23:45: deploy-app has a fixed start at 23:00)
# rehearsed twice. mock-1: every step done in 1 h 52 min (+7 min), backup-db 41m ▲ (+16 min, the most),
# smoke 22m ▲; mock-2: stopped after #1, the freeze 12m (+2 min), the backup not finished.
REHEARSALS = {
    "mock-1": (
        "2026-11-21 09:00",
        _steps(
            "2026-11-21",
            [
                ("freeze", "09:00", "09:10"),
                ("backup-db", "09:10", "09:51"),
                ("deploy-app", "10:00", "10:30"),
                ("smoke", "10:30", "10:52"),
            ],
        ),
    ),
    "mock-2": ("2026-11-28 09:00", _steps("2026-11-28", [("freeze", "09:00", "09:12"), ("backup-db", "09:12", "")])),
}


def make_learning_project(root: Path) -> Path:
    make_project(root)
    plans = root / "plans"
    for plan_id, (status, start, end, entries) in RUNS.items():
        folder = plans / plan_id
        folder.mkdir()
        title = HOSTILE_PLAN if plan_id == "pay-2026-09" else f"Payments release {plan_id[4:]}"
        (folder / "plan.yaml").write_text(_plan_yaml(title, status, start, end), encoding="utf-8")
        (folder / "log.yaml").write_text(_log_yaml(entries), encoding="utf-8")
    rehearsals = plans / "shop" / "rehearsals"
    rehearsals.mkdir()
    for name, (started, entries) in REHEARSALS.items():
        (rehearsals / f"{name}.yaml").write_text(f"started: {started}\n" + _log_yaml(entries), encoding="utf-8")
    (root / "mkdocs.yml").write_text((Path(__file__).parents[1] / "mkdocs.yml").read_text(encoding="utf-8"))
    return root


@pytest.fixture(scope="module")
def learning_site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = make_learning_project(tmp_path_factory.mktemp("learning") / "project")
    build_project(root)
    return root


def page(root: Path, path: str) -> str:
    return (root / "site" / path).read_text(encoding="utf-8")


def svgs(markup: str) -> list[str]:
    return re.findall(r'<svg\b[^>]*class="golive-chart__svg".*?</svg>', markup, re.DOTALL)


def marks(svg: str) -> list[str]:
    """The title of each mark of a chart, unescaped."""
    return [html.unescape(t) for t in re.findall(r'<g class="golive-mark"><title>(.*?)</title>', svg, re.DOTALL)]


def table_rows(markup: str, after: str) -> list[list[str]]:
    """The cells (text, unescaped) of each body row of the first table after `after`."""
    start = markup.index(after)
    table = markup[start : markup.index("</table>", start)]
    body = table[table.index("<tbody>") :]
    rows = []
    for row in re.findall(r"<tr>(.*?)</tr>", body, re.DOTALL):
        cells = re.findall(r"<td[^>]*>(.*?)</td>", row, re.DOTALL)
        rows.append([html.unescape(re.sub(r"<[^>]+>", "", c)).strip() for c in cells])
    return rows


# -- the series page ------------------------------------------------------------------------


def test_the_series_figures_equal_the_hand_figures(learning_site: Path) -> None:
    markup = page(learning_site, f"series/{SERIES}.html")
    runs = table_rows(markup, 'id="runs"')
    assert [r[0] for r in runs] == ["1", "2", "3", "4"]
    assert [r[6] for r in runs] == ["+16 min", "+22 min", "+30 min", "not finished"]
    assert [r[5] for r in runs] == ["Fri 23:36", "Fri 23:42", "01:50 +00:00", "not finished"]
    assert [r[7] for r in runs] == [
        "3 of 4 steps (75%)",
        "2 of 4 steps (50%)",
        "3 of 4 steps (75%)",
        "2 of 2 steps (100%)",
    ]
    assert HOSTILE_PLAN in runs[1][1]
    assert "10 of 14 steps (71%)" in markup
    steps = {r[0]: r for r in table_rows(markup, 'id="every-step-across-the-runs"')}
    #              step, planned, 4 runs, median, worst, late
    assert steps[HOSTILE_STEP][1:] == ["25m", "41m ▲", "38m ▲", "55m ▲", "25m", "40m", "55m", "3 of 4"]
    assert steps["Deploy payments"][1:] == ["30m", "30m", "42m ▲", "30m", "not finished", "30m", "42m", "1 of 3"]
    assert steps["Run smoke tests"][1:] == ["15m", "15m", "12m", "15m", "not reached", "15m", "15m", "0 of 3"]
    assert steps["Announce code freeze"][-1] == "0 of 4"


def test_the_charts_have_one_mark_per_run_and_step_and_agree_with_their_tables(learning_site: Path) -> None:
    markup = page(learning_site, f"series/{SERIES}.html")
    slip_svg, steps_svg = svgs(markup)
    assert marks(slip_svg) == [
        "pay-2026-08: planned end Fri 23:20, actual end Fri 23:36, slip +16 min",
        "pay-2026-09: planned end Fri 23:20, actual end Fri 23:42, slip +22 min",
        "pay-2026-10: planned end 01:20 +00:00, actual end 01:50 +00:00, slip +30 min",
        "pay-2026-11: planned end Fri 23:20, actual end not finished, slip not finished",
    ]
    slip_rows = table_rows(markup, 'class="golive-chart__table"')
    assert [f"{r[0]}: planned end {r[1]}, actual end {r[2]}, slip {r[3]}" for r in slip_rows] == marks(slip_svg)
    # Two steps charted (the others never overran) times four runs.
    titles = marks(steps_svg)
    assert len(titles) == 8
    assert titles[0] == f"pay-2026-08 · {HOSTILE_STEP}: planned 25m, actual 41m"
    assert titles[7] == "pay-2026-11 · Deploy payments: planned 30m, actual not finished"
    # The table under it: each step's title heads its runs' rows.
    chart_table = markup[markup.index('id="the-steps-that-ran-longest"') :]
    start = chart_table.index('class="golive-chart__table"')
    table = chart_table[start : chart_table.index("</table>", start)]
    rows, step = [], ""
    for row in re.findall(r"<tr>(.*?)</tr>", table[table.index("<tbody>") :], re.DOTALL):
        if heading := re.search(r"<th[^>]*>(.*?)</th>", row, re.DOTALL):
            step = html.unescape(heading.group(1)).strip()
            continue
        run, planned, actual = (
            html.unescape(re.sub(r"<[^>]+>", "", c)).strip() for c in re.findall(r"<td[^>]*>(.*?)</td>", row, re.DOTALL)
        )
        rows.append(f"{run} · {step}: planned {planned}, actual {actual.removesuffix(' ▲')}")
    assert rows == titles
    # Overruns are marked with ▲ in the chart too, so that they show without colour.
    assert steps_svg.count(">▲</text>") == 4
    # Accessible and scalable.
    for svg in (slip_svg, steps_svg):
        assert 'role="img"' in svg and 'aria-labelledby="' in svg and 'width="100%"' in svg


def test_hostile_titles_are_text_in_the_charts_and_tables(learning_site: Path) -> None:
    markup = page(learning_site, f"series/{SERIES}.html")
    assert "<script>alert" not in markup
    assert "<b>release" not in markup
    assert "&lt;script&gt;alert(1)&lt;/script&gt; &amp; &quot;db&quot;" in svgs(markup)[1]
    assert "Payments &lt;b&gt;release&lt;/b&gt; &amp;" in markup


def test_charts_are_deterministic(learning_site: Path) -> None:
    first = render_site(validate_project(learning_site)).files[f"series/{SERIES}.md"]
    again = render_site(validate_project(learning_site)).files[f"series/{SERIES}.md"]
    assert first == again
    assert (learning_site / "site_src" / "series" / f"{SERIES}.md").read_bytes() == first


def test_each_run_links_its_series_and_the_nav_has_a_series_section(learning_site: Path) -> None:
    overview = page(learning_site, "plans/pay-2026-09/index.html")
    assert f'<a href="../../series/{SERIES}.html">{SERIES}</a>' in overview
    dashboard = page(learning_site, "index.html")
    nav_links = re.findall(r'<a href="([^"]+)" class="md-nav__link', dashboard)
    assert nav_links.index(f"series/{SERIES}.html") < nav_links.index("people.html")
    nav = json.loads((learning_site / "site_src" / ".golive-nav.json").read_text(encoding="utf-8"))
    assert nav[1] == {"Series": [{SERIES: f"series/{SERIES}.md"}]}


def test_no_series_no_series_section(project: Path) -> None:
    files = render_site(validate_project(project)).files
    assert not any(path.startswith("series/") for path in files)
    assert "Series" not in json.loads(files[".golive-nav.json"])[1]
    assert b"## Series" not in files["index.md"]


# -- the dashboard and the log page ------------------------------------------------------------


def test_the_dashboard_shows_accuracy_per_plan_and_per_series(learning_site: Path) -> None:
    dashboard = page(learning_site, "index.html")
    completed = table_rows(dashboard, 'id="completed"')
    assert completed[-1][0] == "Payments release 2026-08payments3 of 4 steps on estimate (75%)"
    assert '<span class="golive-estimates">2 of 2 steps on estimate (100%)</span>' in dashboard
    series = table_rows(dashboard, 'id="series"')
    assert series == [[SERIES, "4", "10 of 14 steps (71%)"]]
    assert f'href="series/{SERIES}.html"' in dashboard


def test_the_log_page_shows_the_accuracy_of_the_call(learning_site: Path) -> None:
    log = page(learning_site, "plans/pay-2026-11/log.html")
    assert "2 of 2 steps (100%)" in log


# -- rehearsals ------------------------------------------------------------------------------


def test_rehearsal_columns_on_the_runbook_and_the_print_page(learning_site: Path) -> None:
    expected = [
        ["1", "Announce code freeze", "10m", "10m", "12m"],
        ["2", "Snapshot the orders database", "25m", "41m ▲", "not finished"],
        ["3", "Deploy checkout 2.0", "30m", "30m", "not reached"],
        ["4", "Run checkout smoke tests", "15m", "22m ▲", "not reached"],
    ]
    runbook = page(learning_site, "plans/shop/runbook.html")
    assert table_rows(runbook, 'id="rehearsals"') == expected
    assert '<strong class="golive-overran">41m ▲</strong>' in runbook
    printed = page(learning_site, "plans/shop/print.html")
    assert table_rows(printed, 'id="rehearsals"') == expected
    assert "<th>mock-1</th><th>mock-2</th>" in printed


def test_the_overview_shows_each_rehearsals_total_and_the_step_that_slipped_most(learning_site: Path) -> None:
    overview = page(learning_site, "plans/shop/index.html")
    assert table_rows(overview, 'id="rehearsals"') == [
        [
            "mock-1",
            "Sat 21 Nov 2026 09:00 GMT",
            "1 h 52 min",
            "1 h 45 min",
            "+7 min",
            "#2 Snapshot the orders database: +16 min",
            "2 of 4 steps (50%)",
        ],
        [
            "mock-2",
            "Sat 28 Nov 2026 09:00 GMT",
            "stopped after #1",
            "1 h 45 min",
            "—",
            "#1 Announce code freeze: +2 min",
            "1 of 1 step (100%)",
        ],
    ]


def test_plans_without_rehearsals_have_no_rehearsal_section(learning_site: Path) -> None:
    for name in ("index", "runbook", "print"):
        assert 'id="rehearsals"' not in page(learning_site, f"plans/pay-2026-08/{name}.html")


# -- the chart module ------------------------------------------------------------------------


def test_a_chart_escapes_every_text_and_counts_its_marks() -> None:
    mark = chart.SlipMark('<a href="x">&', None, "no log", '<img src=x onerror="alert(1)">')
    drawn = chart.svg(chart.SlipChart('"id', "<t>", "<d>", (mark, mark)))
    assert "<img" not in drawn and "<a " not in drawn and "<t>" not in drawn
    assert drawn.count('class="golive-mark"') == 2
    assert drawn.startswith('<figure class="golive-chart__figure">')


def test_nice_steps_and_labels() -> None:
    assert [chart.nice_step(v) for v in (3, 20, 41, 55, 130, 500)] == [1, 5, 15, 15, 60, 180]
    assert [chart.minutes_text(v) for v in (0, 45, 60, 90, -30)] == ["0m", "45m", "1h", "1h30m", "-30m"]


# -- in a browser: the series page on a laptop and a phone, and on paper ----------------------


@pytest.mark.slow
@pytest.mark.parametrize("width, height", [(1280, 800), (390, 844)])
def test_series_page_fits_the_screen(learning_site: Path, browser: Browser, width: int, height: int) -> None:
    served = SiteServer(learning_site / "site")
    context = browser.new_context(viewport={"width": width, "height": height})
    context.set_default_timeout(TIMEOUT_MS)
    try:
        tab = context.new_page()
        tab.goto(served.url(f"series/{SERIES}.html"))
        assert tab.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
        for svg in tab.locator("svg.golive-chart__svg").all():
            box = svg.bounding_box()
            assert box is not None and 200 < box["width"] <= width and box["height"] > 100
        tab.emulate_media(media="print")
        assert tab.locator("svg.golive-chart__svg").first.is_visible()
    finally:
        context.close()
        served.close()


def test_a_series_with_nothing_logged_yet(tmp_path: Path) -> None:
    root = make_project(tmp_path / "project")
    for plan_id, start, end in (
        ("pay-a", "2026-12-11 22:00", "2026-12-12 01:00"),
        ("pay-b", "2027-01-08 22:00", "2027-01-09 01:00"),
    ):
        (root / "plans" / plan_id).mkdir()
        (root / "plans" / plan_id / "plan.yaml").write_text(_plan_yaml(plan_id, "draft", start, end), encoding="utf-8")
    page_text = render_site(validate_project(root)).files[f"series/{SERIES}.md"].decode()
    assert "No run has logged a step's start and end yet" in page_text
    assert "No step took longer than planned in any run." in page_text
    (slip,) = re.findall(r"<svg\b.*?</svg>", page_text, re.DOTALL)
    assert marks(slip) == [
        "pay-a: planned end Fri 23:20, actual end no log, slip no log",
        "pay-b: planned end Fri 23:20, actual end no log, slip no log",
    ]


def test_an_early_run_is_a_bar_below_the_line() -> None:
    early = chart.SlipMark("run-1", -12.0, "-12 min", "run-1: slip -12 min")
    late = chart.SlipMark("run-2", 25.0, "+25 min", "run-2: slip +25 min")
    drawn = chart.slip_chart(chart.SlipChart("c", "t", "d", (early, late)))
    assert drawn.count(f'fill="{chart.EARLY_FILL}"/>') == 1 and drawn.count(f'fill="{chart.LATE_FILL}"/>') == 1
    assert ">-12 min</text>" in drawn and ">+25 min</text>" in drawn
    assert ">-20m</text>" in drawn and ">30m</text>" in drawn  # below zero and above, in round steps
    assert drawn == chart.slip_chart(chart.SlipChart("c", "t", "d", (early, late)))


def test_many_runs_slant_their_names_inside_the_picture() -> None:
    runs = tuple(chart.SlipMark(f"payments-release-{n:02d}", float(n), f"+{n} min", f"run {n}") for n in range(20))
    drawn = chart.slip_chart(chart.SlipChart("c", "t", "d", runs))
    assert drawn.count('class="golive-mark"') == 20
    assert 'transform="rotate(-35' in drawn
    assert re.search(r'viewBox="-\d', drawn)  # reaches left of x=0, as far as the first name does
    assert "+19 min</text>" not in drawn  # no room for the values: the titles and the table hold them


def test_long_run_names_alike_keep_what_tells_them_apart_on_the_axis() -> None:
    run_labels = chart.run_labels
    runs = ["payments-hub-2026-09", "payments-hub-2026-10", "payments-hub-2026-11"]
    labels = run_labels(runs)
    assert labels == ["…hub-2026-09", "…hub-2026-10", "…hub-2026-11"]
    assert run_labels(["pay-2026-09", "pay-2026-10"]) == ["pay-2026-09", "pay-2026-10"]
    unlike = run_labels(["a-very-long-name-of-a-run-1", "another-long-name-of-a-run"])
    assert all(len(label) <= chart.LABEL_CHARS for label in unlike) and len(set(unlike)) == 2
