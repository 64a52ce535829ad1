"""Tonight's wording: the person's choice wins, else brief from the fifth completed session on."""

from __future__ import annotations

import doctest
from pathlib import Path

import pytest

from solemate import wording_service
from solemate.journal import Journal
from solemate.wording_service import FAMILIAR_AFTER, tonight_wording, wording_for


def test_worked_examples() -> None:
    result = doctest.testmod(wording_service)
    assert result.failed == 0
    assert result.attempted >= 4


@pytest.mark.parametrize("completed", [0, 1, 4, 5, 6, 40])
def test_unchosen_wording_turns_brief_at_five(completed: int) -> None:
    choice = wording_for(completed, None)
    assert choice.automatic
    assert choice.wording == ("brief" if completed >= FAMILIAR_AFTER else "full")
    assert choice.offer_full == (completed >= FAMILIAR_AFTER)


@pytest.mark.parametrize("chosen", ["full", "brief"])
@pytest.mark.parametrize("completed", [0, 5, 40])
def test_a_chosen_wording_always_wins(chosen: str, completed: int) -> None:
    choice = wording_for(completed, chosen)  # type: ignore[arg-type]
    assert (choice.wording, choice.automatic, choice.offer_full) == (chosen, False, False)


def _session(journal: Journal, status: str | None) -> None:
    session_id = journal.start_session("evening", "1", planned_seconds=720)
    if status is not None:
        journal.finish_session(session_id, status)  # type: ignore[arg-type]


def test_only_completed_sessions_count(tmp_path: Path) -> None:
    with Journal(f"sqlite:///{tmp_path / 'journal.sqlite3'}") as journal:
        for _ in range(3):
            _session(journal, "interrupted")
        journal.plan_session("evening", "1", planned_seconds=720)  # a rendered track
        _session(journal, None)  # still in progress
        for _ in range(FAMILIAR_AFTER - 1):
            _session(journal, "completed")
        assert tonight_wording(journal).wording == "full"
        _session(journal, "completed")
        choice = tonight_wording(journal)
        assert (choice.wording, choice.completed, choice.offer_full) == ("brief", 5, True)
        assert tonight_wording(journal, "full").wording == "full"
