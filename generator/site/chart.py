"""Charts drawn at build time as inline SVG: no JavaScript, nothing fetched from another host.

The series page shows two: planned against actual duration per run for the steps that ran
longest (one panel per step), and the plan's overall slip per run. Each run's value is one
mark, a `<g class="golive-mark">` whose `<title>` holds the values in words; the page shows
the same marks' values in a table beside the chart, for screen readers and paper.

The output is deterministic (fixed viewBox, coordinates rounded to one decimal) and every
text that goes into it is escaped here. It scales with the page (width 100%), and its
colours print: outlines and dark fills, an overrun also marked with ▲ so that it shows
without colour.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from generator.site.markup import attribute

WIDTH = 420  # the viewBox width; the SVG scales to the width of the page (text stays legible on a phone)
LEFT = 46  # room for the y axis labels
RIGHT = 10
PLOT_HEIGHT = 110
PANEL_TITLE = 22
LEGEND = 24
FONT = 12
LABEL_CHARS = 16  # longer run names are cut on the axis (the mark's title holds them whole)
STEP_CHARS = 46  # a step's title above its panel, at most (the table under the chart holds it whole)
ROTATE_ABOVE = 4  # more runs than this: axis labels are slanted to fit
VALUE_LABEL_ROOM = 50  # a slip bar is labelled with its value when each run has this much width
# Print-safe colours: dark enough on paper in black and white too.
PLANNED_FILL = "#ffffff"
PLANNED_STROKE = "#555555"
ACTUAL_FILL = "#3949ab"
LATE_FILL = "#b71c1c"
EARLY_FILL = "#2e7d32"
CROSS = "\u00d7"  # where a value is missing: a multiplication sign, not the letter x


@dataclass(frozen=True, slots=True)
class DurationMark:
    """One step in one run: its planned and actual duration, in minutes and in words."""

    run: str  # the run's name on the axis (its plan id)
    planned: float | None  # None: that run's plan has no such step
    actual: float | None  # None: not finished, not reached, or no log
    overran: bool
    planned_text: str  # "25m", or "—"
    actual_text: str  # "41m", "not reached", "not finished", "no log"
    title: str  # "pay-2026-09 · Snapshot the DB: planned 25m, actual 41m"


@dataclass(frozen=True, slots=True)
class DurationPanel:
    step: str  # the step's title
    marks: tuple[DurationMark, ...]  # one per run, in run order


@dataclass(frozen=True, slots=True)
class DurationChart:
    id: str  # an id prefix, unique on the page
    title: str
    description: str
    panels: tuple[DurationPanel, ...]


@dataclass(frozen=True, slots=True)
class SlipMark:
    """One run: how late (positive) or early its last step ended, in minutes and in words."""

    run: str
    slip: float | None  # None: the last step was not logged done
    slip_text: str  # "+25 min", "on plan", "not finished", "no log"
    title: str


@dataclass(frozen=True, slots=True)
class SlipChart:
    id: str
    title: str
    description: str
    marks: tuple[SlipMark, ...]


def _n(value: float) -> str:
    """A coordinate, rounded: the same input always gives the same bytes."""
    text = f"{value:.1f}"
    return text[:-2] if text.endswith(".0") else text


def _cut(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def run_labels(runs: Sequence[str]) -> list[str]:
    """The run names as the axis shows them, at most LABEL_CHARS each. Runs of a series are
    often named alike (payments-hub-2026-09, payments-hub-2026-10): when names are too long,
    the part all of them share up to a dash goes, so that the labels still tell runs apart."""
    if all(len(run) <= LABEL_CHARS for run in runs) or len(runs) < 2:
        return [_cut(run, LABEL_CHARS) for run in runs]
    first, last = min(runs), max(runs)  # the prefix all share is the one these two share
    shared = next((i for i, (a, b) in enumerate(zip(first, last, strict=False)) if a != b), len(first))
    # Drop as little as needed: the first dash of the shared part after which every name fits.
    cuts = [i + 1 for i, c in enumerate(first[:shared]) if c == "-"]
    longest = max(len(run) for run in runs)
    cut = next((c for c in cuts if longest - c + 1 <= LABEL_CHARS), cuts[-1] if cuts else 0)
    return [_cut(("…" + run[cut:]) if cut else run, LABEL_CHARS) for run in runs]


def nice_step(largest: float, ticks: int = 4) -> float:
    """A round tick spacing (in minutes) that covers `largest` in about `ticks` steps."""
    for step in (1, 2, 5, 10, 15, 20, 30, 60, 120, 180, 240, 360, 720, 1440):
        if largest <= step * ticks:
            return float(step)
    return float(1440 * (int(largest // (1440 * ticks)) + 1))


def minutes_text(minutes: float) -> str:
    """An axis label: 45m, 1h, 1h30m."""
    whole = round(minutes)
    sign = "-" if whole < 0 else ""
    hours, rest = divmod(abs(whole), 60)
    if hours and rest:
        return f"{sign}{hours}h{rest:02d}m"
    return f"{sign}{hours}h" if hours else f"{sign}{rest}m"


def _svg_open(chart_id: str, title: str, description: str, height: float, overhang: float = 0) -> list[str]:
    """The SVG's start; `overhang`: how far slanted run names reach left of x=0, shown too."""
    ident = attribute(chart_id)
    box = f"{_n(-overhang)} 0 {_n(WIDTH + overhang)} {_n(height)}"
    return [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="golive-chart__svg" viewBox="{box}"'
        f' width="100%" role="img" aria-labelledby="{ident}-title {ident}-desc"'
        f' font-family="sans-serif" font-size="{FONT}">',
        f'<title id="{ident}-title">{attribute(title)}</title>',
        f'<desc id="{ident}-desc">{attribute(description)}</desc>',
    ]


# Slanted run names: their length across and down, per character (rotated by 35 degrees).
_ACROSS, _DOWN = FONT * 0.55 * 0.819, FONT * 0.55 * 0.574


def _axis_labels(runs: Sequence[str], top: float, plot_width: float) -> tuple[list[str], float, float]:
    """The run names under a plot, slanted when there are many; the height they take, and how
    far the first reaches left of x=0."""
    band = plot_width / max(len(runs), 1)
    slanted = len(runs) > ROTATE_ABOVE
    every = max(1, -(-int(FONT * 1.6) // max(int(band), 1)))  # many runs: every other name, or fewer
    parts = []
    overhang = 0.0
    for index, run in enumerate(run_labels(runs)):
        if index % every:
            continue
        middle = LEFT + band * (index + 0.5)
        x, y = _n(middle), _n(top + 14)
        place = f'text-anchor="end" transform="rotate(-35 {x} {y})"' if slanted else 'text-anchor="middle"'
        parts.append(f'<text x="{x}" y="{y}" {place} fill="currentColor">{attribute(run)}</text>')
        if slanted:
            overhang = max(overhang, len(run) * _ACROSS - middle + 2)
    height = 20 + (LABEL_CHARS * _DOWN if slanted else 0)
    return parts, height, overhang


def _grid(top: float, bottom: float, low: float, high: float, step: float) -> list[str]:
    """Horizontal grid lines with their labels, from `low` to `high` minutes."""
    parts = []
    span = high - low or 1
    value = low
    while value <= high + 1e-9:
        y = bottom - (value - low) / span * (bottom - top)
        stroke = "#888888" if value == 0 else "#dddddd"
        parts.append(f'<line x1="{LEFT}" x2="{WIDTH - RIGHT}" y1="{_n(y)}" y2="{_n(y)}" stroke="{stroke}"/>')
        parts.append(
            f'<text x="{LEFT - 5}" y="{_n(y + 4)}" text-anchor="end" fill="currentColor">{minutes_text(value)}</text>'
        )
        value += step
    return parts


def _legend(y: float, items: Sequence[tuple[str, str, str]]) -> list[str]:
    """Swatches with their words: (fill, stroke, text) each."""
    parts = []
    x = float(LEFT)
    for fill, stroke, text in items:
        parts.append(f'<rect x="{_n(x)}" y="{_n(y - 10)}" width="11" height="11" fill="{fill}" stroke="{stroke}"/>')
        parts.append(f'<text x="{_n(x + 16)}" y="{_n(y)}" fill="currentColor">{attribute(text)}</text>')
        x += 16 + len(text) * FONT * 0.56 + 14
    return parts


def duration_chart(chart: DurationChart) -> str:
    """Planned against actual per run, one panel per step: a hollow bar planned, a filled bar actual."""
    plot_width = WIDTH - LEFT - RIGHT
    runs = [mark.run for mark in chart.panels[0].marks] if chart.panels else []
    body: list[str] = _legend(
        16,
        [
            (PLANNED_FILL, PLANNED_STROKE, "planned"),
            (ACTUAL_FILL, ACTUAL_FILL, "actual"),
            (LATE_FILL, LATE_FILL, "▲ over by >20% and >5 min"),
        ],
    )
    y = float(LEGEND)
    overhang = 0.0
    band = plot_width / max(len(runs), 1)
    bar = min(band * 0.34, 36)
    for panel in chart.panels:
        body.append(
            f'<text x="{LEFT}" y="{_n(y + 15)}" font-weight="bold" fill="currentColor">'
            f"{attribute(_cut(panel.step, STEP_CHARS))}<title>{attribute(panel.step)}</title></text>"
        )
        top = y + PANEL_TITLE + 8
        bottom = top + PLOT_HEIGHT
        values = [v for m in panel.marks for v in (m.planned, m.actual) if v is not None]
        step = nice_step(max(values, default=1))
        high = step * max(1, -(-max(values, default=1) // step))
        body.extend(_grid(top, bottom, 0, high, step))
        for index, mark in enumerate(panel.marks):
            middle = LEFT + band * (index + 0.5)
            body.append(_duration_mark(mark, middle, bar, bottom, PLOT_HEIGHT / high))
        labels, label_height, overhang = _axis_labels(runs, bottom, plot_width)
        body.extend(labels)
        y = bottom + label_height + 6
    return "\n".join([*_svg_open(chart.id, chart.title, chart.description, y, overhang), *body, "</svg>"])


def _duration_mark(mark: DurationMark, middle: float, bar: float, bottom: float, scale: float) -> str:
    parts = [f'<g class="golive-mark"><title>{attribute(mark.title)}</title>']
    if mark.planned is not None:
        height = mark.planned * scale
        parts.append(
            f'<rect x="{_n(middle - bar - 1)}" y="{_n(bottom - height)}" width="{_n(bar)}" height="{_n(height)}"'
            f' fill="{PLANNED_FILL}" stroke="{PLANNED_STROKE}" stroke-width="1.5"/>'
        )
    if mark.actual is not None:
        height = mark.actual * scale
        fill = LATE_FILL if mark.overran else ACTUAL_FILL
        parts.append(
            f'<rect x="{_n(middle + 1)}" y="{_n(bottom - height)}" width="{_n(bar)}" height="{_n(height)}"'
            f' fill="{fill}"/>'
        )
        if mark.overran:
            parts.append(
                f'<text x="{_n(middle + 1 + bar / 2)}" y="{_n(bottom - height - 3)}" text-anchor="middle"'
                f' fill="{LATE_FILL}">▲</text>'
            )
    elif mark.planned is not None:
        # No actual: a cross where its bar would stand, so that a gap is not read as "took no time".
        parts.append(
            f'<text x="{_n(middle + 1 + bar / 2)}" y="{_n(bottom - 3)}" text-anchor="middle"'
            f' fill="currentColor">{CROSS}</text>'
        )
    parts.append("</g>")
    return "".join(parts)


def slip_chart(chart: SlipChart) -> str:
    """Each run's slip at the end: a bar up when late, down when early, labelled with its value."""
    plot_width = WIDTH - LEFT - RIGHT
    slips = [m.slip for m in chart.marks if m.slip is not None]
    step = nice_step(max((abs(s) for s in slips), default=1) or 1, ticks=3)
    high = step * max(1, -(-max(max(slips, default=0), 0) // step))
    low = -step * (-(-max(-min(slips, default=0), 0) // step))
    top = float(LEGEND) + 14  # room above the tallest bar for its value
    bottom = top + PLOT_HEIGHT
    span = high - low

    def y_of(minutes: float) -> float:
        return bottom - (minutes - low) / span * PLOT_HEIGHT

    zero = y_of(0)
    body = _legend(16, [(LATE_FILL, LATE_FILL, "late"), (EARLY_FILL, EARLY_FILL, "early or on plan")])
    body.extend(_grid(top, bottom, low, high, step))
    band = plot_width / max(len(chart.marks), 1)
    bar = min(band * 0.5, 48)
    for index, mark in enumerate(chart.marks):
        middle = LEFT + band * (index + 0.5)
        parts = [f'<g class="golive-mark"><title>{attribute(mark.title)}</title>']
        if mark.slip is None:
            parts.append(
                f'<text x="{_n(middle)}" y="{_n(zero - 4)}" text-anchor="middle" fill="currentColor">{CROSS}</text>'
            )
        else:
            late = mark.slip > 0
            end = y_of(mark.slip)
            y, height = (end, zero - end) if late else (zero, end - zero)
            fill = LATE_FILL if late else EARLY_FILL
            parts.append(
                f'<rect x="{_n(middle - bar / 2)}" y="{_n(y)}" width="{_n(bar)}" height="{_n(max(height, 1.5))}"'
                f' fill="{fill}"/>'
            )
            # The value on the bar's end: readable without hovering, and on paper (when there is room).
            label_y = y - 4 if late else y + max(height, 1.5) + FONT
            if band >= VALUE_LABEL_ROOM:
                parts.append(
                    f'<text x="{_n(middle)}" y="{_n(label_y)}" text-anchor="middle" fill="currentColor"'
                    f' font-size="{FONT - 1}">{attribute(mark.slip_text)}</text>'
                )
        parts.append("</g>")
        body.append("".join(parts))
    # Below an early bar's value, the run names.
    names_top = bottom + (FONT + 2 if low < 0 else 0)
    labels, label_height, overhang = _axis_labels([m.run for m in chart.marks], names_top, plot_width)
    body.extend(labels)
    height = names_top + label_height + 6
    return "\n".join([*_svg_open(chart.id, chart.title, chart.description, height, overhang), *body, "</svg>"])


def svg(chart: DurationChart | SlipChart) -> str:
    """The chart as inline SVG, wrapped in a figure: Python-Markdown does not take <svg> for a block."""
    drawn = duration_chart(chart) if isinstance(chart, DurationChart) else slip_chart(chart)
    return f'<figure class="golive-chart__figure">\n{drawn}\n</figure>'
