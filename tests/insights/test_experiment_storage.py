"""The experiment's storage: plan and allocation in one transaction, one running at a time."""

from __future__ import annotations

from datetime import date

import pytest

from solemate.journal import Journal, JournalError
from solemate.journal.experiments import (
    experiments,
    latest_experiment,
    running_experiment,
    start_experiment,
    stop_experiment,
)
from tests.journal.conftest import FakeClock

MARCH = date(2024, 3, 1)


def _start(journal: Journal, first: date = MARCH, arms: str = "MCCMMCCM", **kw: object) -> int:
    values: dict[str, object] = {
        "outcome": "sol",
        "design": "pairs",
        "first_evening": first,
        "seed": 2**63 + 5,  # beyond a signed 64-bit integer: kept exactly all the same
        "control": "15 minutes of reading",
        "minimum": 10.0,
        "arms": list(arms),
    }
    values.update(kw)
    return start_experiment(journal, **values).id  # type: ignore[arg-type]


def test_an_experiment_comes_back_as_stored(journal: Journal) -> None:
    eid = _start(journal)
    (found,) = experiments(journal)
    assert found.id == eid
    assert (found.outcome, found.design, found.nights, found.seed) == ("sol", "pairs", 8, 2**63 + 5)
    assert "".join(found.arms) == "MCCMMCCM"
    assert found.last_evening == date(2024, 3, 8)
    assert running_experiment(journal, date(2024, 3, 8)) == found
    assert running_experiment(journal, date(2024, 3, 9)) is None
    assert running_experiment(journal, date(2024, 2, 29)) is None
    assert latest_experiment(journal) == found


def test_a_second_experiment_over_a_running_one_is_refused_and_nothing_written(
    journal: Journal,
) -> None:
    _start(journal)
    with pytest.raises(JournalError, match="still running"):
        _start(journal, first=date(2024, 3, 5))
    assert len(experiments(journal)) == 1
    # After the last night, or once stopped, a new one may start.
    _start(journal, first=date(2024, 3, 9))
    assert len(experiments(journal)) == 2


def test_stopping_keeps_the_plan_and_records_why(journal: Journal, clock: FakeClock) -> None:
    eid = _start(journal)
    stopped = stop_experiment(journal, eid, "  travelling  ")
    assert (stopped.stopped_at, stopped.stop_reason) == (clock.now, "travelling")
    assert "".join(stopped.arms) == "MCCMMCCM"
    assert running_experiment(journal, MARCH) is None
    with pytest.raises(JournalError, match="already stopped"):
        stop_experiment(journal, eid)
    with pytest.raises(JournalError, match="no experiment"):
        stop_experiment(journal, 999)
    _start(journal, first=date(2024, 3, 4))


def test_a_bad_allocation_writes_nothing(journal: Journal) -> None:
    with pytest.raises(JournalError, match="arms"):
        _start(journal, arms="MCX")
    with pytest.raises(JournalError, match="seed"):
        _start(journal, seed=-1)
    assert experiments(journal) == []


def test_forgetting_everything_forgets_experiments(journal: Journal) -> None:
    _start(journal)
    journal.forget_everything()
    assert experiments(journal) == []
    assert journal.integrity_check() == "ok"
