"""What tonight is in a running personal experiment, and recording its control activity.

Kept apart from ``insights_service`` (which re-exports it) because `solemate experiment today`,
the guide and the web app's evening page ask this every day, and it needs none of the statistics.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from typing import TYPE_CHECKING, cast

from solemate.journal.reading import running_experiment

if TYPE_CHECKING:
    from solemate.insights.randomization import Arm
    from solemate.journal import Journal
    from solemate.journal.reading import JournalReads

__all__ = [
    "TonightAssignment",
    "control_minutes",
    "log_control_tonight",
    "tonight",
    "tonight_assignment",
]


def control_minutes(control: str) -> int:
    """Minutes named in a control activity ("15 minutes of reading" → 15); 15 if none."""
    found = re.search(r"(\d{1,3})\s*(?:min|minute)", control)
    return max(1, min(600, int(found.group(1)))) if found else 15


@dataclass(frozen=True)
class TonightAssignment:
    """What tonight is in a running experiment: night ``night`` of ``nights``, arm M or C."""

    night: int
    nights: int
    arm: Arm
    control: str
    control_done: bool = False

    @property
    def is_control(self) -> bool:
        return self.arm == "C"

    def line(self) -> str:
        """The sentence to show, e.g. "Experiment night 3 of 28: tonight is a massage night"."""
        what = (
            f"a control night: {self.control}, no massage" if self.is_control else "a massage night"
        )
        return f"Experiment night {self.night} of {self.nights}: tonight is {what}."


def tonight_assignment(journal: JournalReads, today: date) -> TonightAssignment | None:
    """Tonight's place in the running experiment, or None without one."""
    stored = running_experiment(journal, today)
    if stored is None:
        return None
    index = (today - stored.first_evening).days
    return TonightAssignment(
        night=index + 1,
        nights=stored.nights,
        arm=cast("Arm", stored.arms[index]),
        control=stored.control,
        control_done=_control_logged(journal, today),
    )


def _control_logged(journal: JournalReads, today: date) -> bool:
    return any(c.on_date == today for c in journal.control_activities())


def tonight(journal: JournalReads, today: date) -> str | None:
    """One line saying what tonight is in a running experiment, or None without one.

    For the guide and the web app: "Experiment night 3 of 28: tonight is a massage night."
    """
    found = tonight_assignment(journal, today)
    return None if found is None else found.line()


def log_control_tonight(journal: Journal, today: date) -> str:
    """Record tonight's control activity; refused when tonight is not a control night.

    Recording it again the same evening adds nothing and says so.
    """
    from solemate.insights import ExperimentError

    stored = running_experiment(journal, today)
    if stored is None:
        raise ExperimentError("no experiment is running tonight")
    arm = stored.arms[(today - stored.first_evening).days]
    if arm != "C":
        raise ExperimentError(
            "tonight is a massage night: 'solemate guide' records the session by itself"
        )
    if _control_logged(journal, today):
        return f"Tonight's control activity was already recorded ({stored.control}); nothing added."
    journal.log_control_activity(today, stored.control[:100], control_minutes(stored.control))
    return f"Recorded tonight's control activity: {stored.control}."
