"""The runbook's timeline: a bar for each step on a time axis with labels that fit the screen."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from generator.schedule.timetable import Schedule
from generator.site.views.steps import StepRow


@dataclass(frozen=True, slots=True)
class TimelineBar:
    number: int
    title: str
    left: float  # percent of the chart width
    width: float
    critical: bool
    point_of_no_return: bool
    label: str  # "22:10-22:35"


@dataclass(frozen=True, slots=True)
class TimelineTick:
    left: float
    label: str
    shown_on: str = ""  # "wide" or "narrow": a label only that width of screen has room for; "" both


# The axis is at least this wide (px) on screens 720 px wide or more, and on phones down to
# 320 px (measured in Chromium); at the axis's font size a character is at most LABEL_CHAR_PX wide.
AXIS_WIDE_PX = 440
AXIS_NARROW_PX = 190
LABEL_CHAR_PX = 7.5
LABEL_GAP_PX = 12
TICK_HOURS = (1, 2, 3, 4, 6, 12, 24, 48, 72, 168)


def timeline_ticks(
    schedule: Schedule, origin: dt.datetime, span_end: dt.datetime, percent: Callable[[dt.datetime], float]
) -> tuple[TimelineTick, ...]:
    """Axis labels for wide and narrow screens (see _axis_labels), each label once."""
    wide = _axis_labels(schedule, origin, span_end, percent, AXIS_WIDE_PX)
    narrow = _axis_labels(schedule, origin, span_end, percent, AXIS_NARROW_PX)
    ticks = []
    for moment in sorted(wide.keys() | narrow.keys()):
        left, label = wide.get(moment) or narrow[moment]
        shown_on = "" if moment in wide and moment in narrow else "wide" if moment in wide else "narrow"
        ticks.append(TimelineTick(left, label, shown_on))
    return tuple(ticks)


def _axis_labels(
    schedule: Schedule,
    origin: dt.datetime,
    span_end: dt.datetime,
    percent: Callable[[dt.datetime], float],
    axis_px: int,
) -> dict[dt.datetime, tuple[float, str]]:
    """The window start at the left edge, then whole local hours every N hours: the smallest N
    whose labels, each as wide as its text, neither overlap nor repeat nor stick out."""

    def half_width(label: str) -> float:  # percent of the axis, with half the gap on each side
        return 50 * (len(label) * LABEL_CHAR_PX + LABEL_GAP_PX) / axis_px

    first = schedule.clock(origin)
    hours: list[dt.datetime] = []
    hour = origin.astimezone(schedule.zone).replace(minute=0, second=0, microsecond=0).astimezone(dt.UTC)
    while hour < span_end and len(hours) < 24 * 400:
        if hour > origin:
            hours.append(hour)
        hour += dt.timedelta(hours=1)
    for every in TICK_HOURS:
        labels = {origin: (0.0, first)}
        right = 2 * half_width(first)  # the first label is left-aligned at 0 %
        fits = True
        for moment in hours:
            local = moment.astimezone(schedule.zone)
            days = every // 24
            on_grid = local.hour % every == 0 if not days else local.hour == 0 and local.toordinal() % days == 0
            if not on_grid:
                continue
            label, left = schedule.clock(moment), percent(moment)
            half = half_width(label)
            if left + half - 50 * LABEL_GAP_PX / axis_px > 100:  # would stick out past the axis's end
                break
            if left - half < right and len(labels) == 1:
                continue  # too close to the window start's label, which stands for it
            if left - half < right or any(label == shown for _, shown in labels.values()):
                fits = False
                break
            labels[moment] = (left, label)
            right = left + half
        if fits:
            return labels
    return {origin: (0.0, first)}


@dataclass(frozen=True, slots=True)
class Timeline:
    bars: tuple[TimelineBar, ...]
    ticks: tuple[TimelineTick, ...]
    window_end: float  # percent position of the window end line


def timeline(schedule: Schedule, steps: Sequence[StepRow]) -> Timeline:
    """The steps' bars, placed in percent of the span from window start to the later of window and schedule end."""
    origin = schedule.window_start
    span_end = max(schedule.window_end, schedule.end)
    span = (span_end - origin).total_seconds() or 1.0

    def percent(moment: dt.datetime) -> float:
        return round(100 * (moment - origin).total_seconds() / span, 2)

    bars = []
    for row, item in zip(steps, schedule.steps, strict=True):
        left = percent(item.start)
        width = max(round(percent(item.end) - left, 2), 0.4)  # a 45-second step still shows
        bars.append(
            TimelineBar(
                row.number,
                row.title,
                left,
                width,
                row.critical,
                row.point_of_no_return,
                f"{row.start}-{row.end}",
            )
        )
    ticks = timeline_ticks(schedule, origin, span_end, percent)
    return Timeline(tuple(bars), ticks, percent(schedule.window_end))
