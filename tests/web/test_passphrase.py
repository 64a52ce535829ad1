"""The passphrase record, the cookies it grants, and which passphrases are refused."""

from __future__ import annotations

import doctest
import json
from pathlib import Path
from types import ModuleType

import pytest

from solemate.journal import Journal
from solemate.journal import sign_in as store
from solemate.web import passphrase_strength, sign_in_limits
from solemate.web.passphrase import (
    PASSPHRASE_FILE,
    PassphraseError,
    new_record,
    parse_record,
    read_legacy_file,
)
from solemate.web.passphrase_strength import weakness
from solemate.web.sign_in import NoPassphrase, SignIn


def test_only_a_hash_is_kept() -> None:
    raw = new_record("correct horse battery")
    assert "correct horse" not in json.dumps(raw)
    record = parse_record(raw, "test")
    assert record.verify("correct horse battery")
    assert not record.verify("correct horse batterY")


@pytest.mark.parametrize(
    ("passphrase", "message"),
    [
        ("12345678", "at least 10 characters (got 8)"),
        ("        ", "must not be only spaces"),
        ("\t \n  \t   ", "must not be only spaces"),
        ("short", "at least 10 characters (got 5)"),
        ("x" * 1025, "at most 1024 characters"),
        ("pass\x00phrase words", "control characters"),
        ("1234567890", "too easy to guess"),
        ("aaaaaaaaaaaa", "too easy to guess"),
        ("ababababab", "too easy to guess"),
        ("qwertyuiop", "too easy to guess"),
        ("1q2w3e4r5t6y", "too easy to guess"),
        ("zyxwvutsrqpo", "too easy to guess"),
        ("password2024", "too easy to guess"),
        ("P@ssw0rd!!!!", "too easy to guess"),
        ("iloveyou sunshine", "too easy to guess"),
        ("Solemate 1234", "too easy to guess"),
        ("          x", "too easy to guess"),
    ],
)
def test_weak_passphrases_are_refused_with_the_reason(passphrase: str, message: str) -> None:
    problem = weakness(passphrase)
    assert problem is not None
    assert message in problem
    with pytest.raises(PassphraseError, match=message.replace("(", r"\(").replace(")", r"\)")):
        new_record(passphrase)


@pytest.mark.parametrize(
    "passphrase",
    ["a long passphrase", "correct horse battery", "my feet hurt at night", "Tr0ub4dor&3x"],
)
def test_ordinary_passphrases_pass(passphrase: str) -> None:
    assert weakness(passphrase) is None


def test_a_damaged_record_says_to_set_it_again(tmp_path: Path) -> None:
    (tmp_path / PASSPHRASE_FILE).write_text("{not json")
    with pytest.raises(PassphraseError, match="set the passphrase again"):
        read_legacy_file(tmp_path)
    with pytest.raises(PassphraseError, match="set the passphrase again"):
        parse_record({"scheme": "scrypt", "n": 2**14, "r": 8, "p": 1, "salt": "zz"}, "stored")


def test_cookies_expire_and_a_new_passphrase_signs_everyone_out() -> None:
    first = parse_record(new_record("first passphrase"), "test")
    cookie = first.cookie(now=1_000_000)
    assert first.cookie_valid(cookie, now=1_000_001)
    assert not first.cookie_valid(cookie, now=1_000_000 + 181 * 86400)
    assert not first.cookie_valid(cookie.replace(".", ".0"), now=1_000_001)
    assert not first.cookie_valid("garbage", now=1_000_001)
    for odd in ("².0", "1.é", "1.\x00"):  # never an error: a header can carry any Latin-1 byte
        assert not first.cookie_valid(odd, now=1_000_001)
        assert not first.person_cookie_valid("uid", f"uid.{odd}", now=1_000_001)
    second = parse_record(new_record("second passphrase"), "test")
    assert not second.cookie_valid(cookie, now=1_000_001)


def test_a_file_from_an_older_solemate_moves_into_the_journal(tmp_path: Path) -> None:
    data = tmp_path / "data"
    data.mkdir()
    (data / PASSPHRASE_FILE).write_text(json.dumps(new_record("an older passphrase")))
    with Journal(f"sqlite:///{tmp_path / 'j.sqlite3'}") as journal:
        gate = SignIn(journal, data)
        assert not (data / PASSPHRASE_FILE).exists()
        assert store.stored_passphrase(journal) is not None
        assert gate.attempt("an older passphrase", "192.0.2.1").ok


def test_no_passphrase_no_gate(tmp_path: Path) -> None:
    with (
        Journal(f"sqlite:///{tmp_path / 'j.sqlite3'}") as journal,
        pytest.raises(NoPassphrase, match="solemate serve --set-passphrase"),
    ):
        SignIn(journal, tmp_path)


@pytest.mark.parametrize("module", [passphrase_strength, sign_in_limits])
def test_worked_examples(module: ModuleType) -> None:
    result = doctest.testmod(module, optionflags=doctest.ELLIPSIS)
    assert result.attempted > 0
    assert result.failed == 0
