"""Which wording tonight's session uses: the person's choice, or brief once the routine is familiar.

One rule for the terminal guide and the web app, so the two cannot drift apart. A wording the
person chose always wins. When they chose none, the first sessions explain every part (``full``);
once the journal holds :data:`FAMILIAR_AFTER` completed sessions the cues turn ``brief`` (name the
part, give counts and holds, stay quiet otherwise), and the screen says so with one key or tap back
to full explanations (:attr:`WordingChoice.offer_full`).

>>> wording_for(completed=4, chosen=None)
WordingChoice(wording='full', automatic=True, completed=4)
>>> wording_for(completed=5, chosen=None).offer_full
True
>>> wording_for(completed=12, chosen="full")
WordingChoice(wording='full', automatic=False, completed=12)
>>> wording_for(completed=0, chosen="brief").offer_full
False
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from solemate.plan import Wording

if TYPE_CHECKING:
    from solemate.journal import Journal

__all__ = [
    "BRIEF_NOTICE",
    "FAMILIAR_AFTER",
    "WordingChoice",
    "completed_sessions",
    "tonight_wording",
    "wording_for",
]

FAMILIAR_AFTER = 5
"""Completed sessions after which the routine counts as known (the product brief's figure)."""

BRIEF_NOTICE = "Brief cues from now on: you know the routine."
"""What the screen says when the wording turned brief on its own."""


@dataclass(frozen=True)
class WordingChoice:
    """Tonight's wording, full or brief, and whether the rule or the person chose it."""

    wording: Wording
    automatic: bool
    """True when the rule chose (the person did not)."""
    completed: int
    """Completed sessions in the journal when the choice was made."""

    @property
    def offer_full(self) -> bool:
        """Brief by the rule alone: show :data:`BRIEF_NOTICE` and offer full explanations."""
        return self.automatic and self.wording == "brief"


def wording_for(completed: int, chosen: Wording | None) -> WordingChoice:
    """The rule itself, on a count of completed sessions (pure)."""
    if chosen is not None:
        return WordingChoice(chosen, automatic=False, completed=completed)
    familiar = completed >= FAMILIAR_AFTER
    return WordingChoice("brief" if familiar else "full", automatic=True, completed=completed)


def completed_sessions(journal: Journal) -> int:
    """Sessions the journal holds as completed (interrupted and rendered-only ones do not count)."""
    return sum(session.status == "completed" for session in journal.session_times())


def tonight_wording(journal: Journal, chosen: Wording | None = None) -> WordingChoice:
    """Tonight's wording: ``chosen`` when given, else by how many sessions the journal completed."""
    return wording_for(completed_sessions(journal), chosen)
