"""golive.ics: every go-live window as an iCalendar event."""

from __future__ import annotations

from collections.abc import Sequence

from generator.read.models.plan import STATUS_LABELS
from generator.site import markup
from generator.site.views.site import PlanSummary


def calendar(plans: Sequence[PlanSummary], events: dict[str, bytes]) -> bytes:
    """An iCalendar file with every go-live window; stable UIDs, SEQUENCE follows the plan version.

    `events` are the plans' events, by plan id, as calendar_event made them.
    """
    import icalendar  # deferred, like calendar_event's: keeps validate and log start-up fast

    cal = icalendar.Calendar()
    cal.add("prodid", "-//golive//go-live windows//EN")
    cal.add("version", "2.0")
    cal.add("x-wr-calname", "Go-lives")
    ordered = sorted(plans, key=lambda p: (p.window_start, p.id))
    body = b"".join(events[p.id] for p in ordered)
    # The same bytes as adding each event to `cal`: a calendar is its lines, then its events'.
    end = b"END:VCALENDAR\r\n"
    shell = cal.to_ical()
    assert shell.endswith(end)
    return shell[: -len(end)] + body + end


def calendar_event(plan: PlanSummary) -> bytes:
    """One go-live window as an iCalendar event."""
    # deferred: icalendar (and dateutil) stay unimported until the site is rendered, which keeps
    # validate and log start-up fast
    import icalendar

    event = icalendar.Event()
    event.add("uid", f"{plan.id}@golive")
    # DTSTAMP must not depend on the clock: output is reproducible.
    event.add("dtstamp", plan.window_start)
    event.add("dtstart", plan.window_start)
    event.add("dtend", plan.window_end)
    event.add("sequence", plan.version)
    event.add("summary", f"Go-live: {plan.title}")
    bridge = plan.bridge
    lines = [
        f"Lead: {plan.lead.name}" + (f" ({plan.lead.phone})" if plan.lead.phone else ""),
        f"Status: {STATUS_LABELS[plan.status]}, version {plan.version}, revision {plan.fingerprint}",
    ]
    if bridge is not None:
        lines.append(f"Bridge: {bridge.link or bridge.name}" + (f" ({bridge.details})" if bridge.details else ""))
        if bridge.link and markup.safe_link(bridge.link):
            event.add("location", bridge.link)
    event.add("description", "\n".join(lines))
    event.add("status", "CANCELLED" if plan.status == "cancelled" else "CONFIRMED")
    return bytes(event.to_ical())
