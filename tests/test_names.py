"""A person's name in a sentence: the journal's unnamed first person, "me", reads in the first
person; every other name as written."""

from __future__ import annotations

import doctest

import pytest

import solemate.names
from solemate.journal import DEFAULT_PERSON, NotTheirs
from solemate.names import owned, possessive, subject, their


def test_doctests() -> None:
    result = doctest.testmod(solemate.names)
    assert result.failed == 0
    assert result.attempted > 0


def test_the_journals_first_person_is_the_one_named() -> None:
    assert DEFAULT_PERSON == solemate.names.DEFAULT_PERSON == "me"


@pytest.mark.parametrize("name", ["Alex", "Me", "meg", "Jonas Æbelø"])
def test_other_names_are_used_as_written(name: str) -> None:
    assert (subject(name), possessive(name), owned(name)) == (name, f"{name}'s", f"{name}'s")
    assert their(name) == "their"


def test_an_entry_that_is_not_theirs_reads_right_either_way() -> None:
    assert NotTheirs("note", 3, ("Sam",), "me").message == "note 3 is Sam's, not mine"
    assert NotTheirs("session", 4, ("me", "Sam"), "Alex").message == (
        "session 4 is mine and Sam's, not Alex's"
    )
