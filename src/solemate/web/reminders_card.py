"""The Reminders card's state: tonight's reminder time, its days, where it comes from, the form
that changes them, and the link a calendar app subscribes to.

A presenter: it builds a frozen :class:`ReminderCard` from the journal and the request, and
``_reminders.html`` only draws it. The form shows the saved time (empty: the suggestion) and days,
or after refused input what was sent, with each problem beside its field. On a loopback server the feed is ``/calendar.ics``; on a server
opened to the network it is each person's secret link, which the card cannot show again after
it was made (only its digest is kept), so it offers to make a new one instead.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from fastapi import Request

from solemate.journal.feeds import has_feed_link
from solemate.journal.reminder_preferences import saved_reminder
from solemate.reminder_service import PlannedReminder, nightly_minutes, plan_reminder
from solemate.reminders import DAY_CODES, when_text
from solemate.web.services import Services, server_zone

__all__ = ["ReminderCard", "feed_reminder", "on_the_network", "reminder_card"]


@dataclass(frozen=True)
class ReminderCard:
    """What the card shows. ``link``: the feed's address on a loopback server (None on the
    network); ``new_link``: a secret link just made, shown this once."""

    reason: str | None
    experiment: bool
    link: str | None
    network: bool
    has_private_link: bool
    new_link: str | None = None
    plain: str = ""
    """The time said plainly: "22:15 daily", "22:40 daily, suggested from your diary"."""
    form_at: str = ""
    """The form's time field: the saved time, empty for the suggestion."""
    form_days: tuple[str, ...] = DAY_CODES
    errors: Mapping[str, str] = field(default_factory=dict)
    """Refused input by field name (``at``, ``days``)."""

    @property
    def day_choices(self) -> tuple[tuple[str, str, bool], ...]:
        """(code, label, ticked) for each day's checkbox, Monday first."""
        labels = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
        return tuple(
            (code, label, code in self.form_days)
            for code, label in zip(DAY_CODES, labels, strict=True)
        )

    @property
    def webcal(self) -> str | None:
        """The same address for a one-tap subscription (calendar apps fetch webcal: as http:)."""
        shown = self.new_link or self.link
        return None if shown is None else "webcal://" + shown.split("://", 1)[-1]


def on_the_network(svc: Services) -> bool:
    """Opened to the network: any Host is answered and the feed is behind a secret link."""
    return svc.config.allowed_hosts is None


def feed_reminder(svc: Services, person: str | None = None) -> PlannedReminder:
    """The reminder the feed serves: the person's saved time and days, else the suggestion daily."""
    return plan_reminder(
        svc.journal,
        person=person,
        at=None,
        session_minutes=nightly_minutes(svc.planner),
        now=svc.now(),
        fallback_zone=server_zone(),
    )


def reminder_card(
    svc: Services,
    request: Request,
    person: str | None = None,
    new_link: str | None = None,
    *,
    sent: tuple[str, tuple[str, ...]] | None = None,
    errors: Mapping[str, str] | None = None,
) -> ReminderCard:
    """The card for ``person`` (None: the first); ``sent`` and ``errors``: refused form input."""
    planned = feed_reminder(svc, person)
    network = on_the_network(svc)
    base = str(request.base_url).rstrip("/")
    reminder = planned.reminder
    if sent is None:
        saved = saved_reminder(svc.journal, person)
        at = saved.at if saved is not None else None
        sent = ("" if at is None else f"{at.hour:02d}:{at.minute:02d}", reminder.days)
    return ReminderCard(
        plain=when_text(reminder.at, reminder.days, suggested=_from_diary(planned)),
        form_at=sent[0],
        form_days=sent[1],
        errors=dict(errors or {}),
        reason=planned.suggestion.reason if planned.suggestion else None,
        experiment=planned.reminder.experiment,
        link=None if network else f"{base}/calendar.ics",
        network=network,
        has_private_link=network and has_feed_link(svc.journal, person),
        new_link=None if new_link is None else f"{base}/calendar/{new_link}.ics",
    )


def _from_diary(planned: PlannedReminder) -> bool:
    """Whether the time was suggested from diary nights (not the default, before any)."""
    return planned.suggestion is not None and planned.suggestion.lights_out is not None
