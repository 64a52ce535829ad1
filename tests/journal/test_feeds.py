"""Calendar feed links: one per person, kept hashed, a new one revokes the old, on both backends."""

from __future__ import annotations

import hashlib

import pytest
from sqlalchemy import select

from solemate.journal import Journal, JournalError
from solemate.journal.feeds import feed_person, has_feed_link, new_feed_link
from solemate.journal.schema import CalendarFeedRow


def test_a_link_finds_its_person_until_a_new_one_replaces_it(journal: Journal) -> None:
    assert not has_feed_link(journal)
    first = new_feed_link(journal)
    assert len(first) >= 43  # 32 random bytes, base64url
    assert feed_person(journal, first) == "me"
    assert has_feed_link(journal)
    second = new_feed_link(journal)
    assert second != first
    assert feed_person(journal, first) is None
    assert feed_person(journal, second) == "me"


def test_only_the_digest_is_kept(journal: Journal) -> None:
    secret = new_feed_link(journal)
    with journal.reading() as s:
        (stored,) = s.scalars(select(CalendarFeedRow.digest)).all()
    assert stored == hashlib.sha256(secret.encode()).hexdigest()
    assert secret not in stored


def test_each_person_has_their_own_link(journal: Journal) -> None:
    mine = new_feed_link(journal)
    journal.add_person("Sam")
    sams = new_feed_link(journal, "Sam")
    assert feed_person(journal, mine) == "me"
    assert feed_person(journal, sams) == "Sam"
    new_feed_link(journal, "Sam")
    assert feed_person(journal, mine) == "me"  # Sam's new link leaves mine alone
    assert has_feed_link(journal, "Sam")


@pytest.mark.parametrize("secret", ["", "x", "a" * 101, "../../etc/passwd"])
def test_anything_else_finds_nobody(journal: Journal, secret: str) -> None:
    new_feed_link(journal)
    assert feed_person(journal, secret) is None


def test_an_unknown_person_is_refused_and_nothing_written(journal: Journal) -> None:
    with pytest.raises(JournalError) as raised:
        new_feed_link(journal, "nobody")
    assert raised.value.field == "person"
    assert not has_feed_link(journal, None)


def test_forget_everything_revokes_every_link(journal: Journal) -> None:
    secret = new_feed_link(journal)
    journal.forget_everything()
    assert feed_person(journal, secret) is None
