"""Saved reminder preferences: per person, a part kept while the other changes, cleared back to
the suggestion, gone with their person and with forget."""

from __future__ import annotations

from datetime import time

import pytest

from solemate.journal import Journal, JournalError
from solemate.journal.reminder_preferences import (
    ReminderPreference,
    clear_reminder,
    save_reminder,
    saved_reminder,
)
from solemate.reminders import DAY_CODES


def test_saved_per_person_and_kept_in_part(journal: Journal) -> None:
    journal.add_person("Alex")
    journal.add_person("Sam")
    assert saved_reminder(journal) is None
    save_reminder(journal, "Sam", at=time(22, 15))
    assert saved_reminder(journal, "sam") == ReminderPreference(time(22, 15), DAY_CODES)
    assert saved_reminder(journal, "Alex") is None
    save_reminder(journal, "Sam", days=("FR", "MO"))
    assert saved_reminder(journal, "Sam") == ReminderPreference(time(22, 15), ("MO", "FR"))
    save_reminder(journal, "Sam", at=None)
    assert saved_reminder(journal, "Sam") == ReminderPreference(None, ("MO", "FR"))
    assert clear_reminder(journal, "Sam") is True
    assert clear_reminder(journal, "Sam") is False
    assert saved_reminder(journal, "Sam") is None


def test_gone_with_their_person_and_with_forget(journal: Journal) -> None:
    journal.add_person("Alex")
    journal.add_person("Sam")
    save_reminder(journal, "Sam", at=time(23, 0))
    save_reminder(journal, "Alex", at=time(21, 0))
    journal.remove_person("Sam")
    journal.add_person("Sam")
    assert saved_reminder(journal, "Sam") is None
    journal.forget_everything()
    assert saved_reminder(journal) is None


def test_bad_values_are_refused(journal: Journal) -> None:
    journal.add_person("Alex")
    with pytest.raises(ValueError, match="days"):
        save_reminder(journal, days=())
    with pytest.raises(ValueError, match="days"):
        save_reminder(journal, days=("XX",))
    with pytest.raises(JournalError) as caught:
        save_reminder(journal, "Bob", at=time(22, 0))
    assert caught.value.field == "person"
    assert saved_reminder(journal) is None
