"""The passphrase store and the cookies and pairing codes it grants."""

from __future__ import annotations

import stat
from pathlib import Path

import pytest

from solemate.web.passphrase import (
    PASSPHRASE_FILE,
    PairingToken,
    PassphraseError,
    load_passphrase,
    save_passphrase,
)


def test_only_a_private_hash_is_kept(tmp_path: Path) -> None:
    assert load_passphrase(tmp_path) is None
    path = save_passphrase(tmp_path, "correct horse battery")
    assert path == tmp_path / PASSPHRASE_FILE
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert "correct horse" not in path.read_text()
    record = load_passphrase(tmp_path)
    assert record is not None
    assert record.verify("correct horse battery")
    assert not record.verify("correct horse batterY")


def test_short_passphrases_are_refused(tmp_path: Path) -> None:
    with pytest.raises(PassphraseError, match="8 to 1024 characters"):
        save_passphrase(tmp_path, "short")


def test_a_damaged_file_says_to_set_it_again(tmp_path: Path) -> None:
    (tmp_path / PASSPHRASE_FILE).write_text("{not json")
    with pytest.raises(PassphraseError, match="set the passphrase again"):
        load_passphrase(tmp_path)


def test_cookies_expire_and_a_new_passphrase_signs_everyone_out(tmp_path: Path) -> None:
    save_passphrase(tmp_path, "first passphrase")
    first = load_passphrase(tmp_path)
    assert first is not None
    cookie = first.cookie(now=1_000_000)
    assert first.cookie_valid(cookie, now=1_000_001)
    assert not first.cookie_valid(cookie, now=1_000_000 + 181 * 86400)
    assert not first.cookie_valid(cookie.replace(".", ".0"), now=1_000_001)
    assert not first.cookie_valid("garbage", now=1_000_001)
    save_passphrase(tmp_path, "second passphrase")
    second = load_passphrase(tmp_path)
    assert second is not None
    assert not second.cookie_valid(cookie, now=1_000_001)


def test_a_pairing_code_works_once_and_expires() -> None:
    token = PairingToken(minutes=10, now=0)
    assert not token.redeem("wrong", now=1)
    assert token.redeem(token.value, now=1)
    assert not token.redeem(token.value, now=2)
    late = PairingToken(minutes=10, now=0)
    assert not late.redeem(late.value, now=601)
