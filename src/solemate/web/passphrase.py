"""The passphrase that guards a server opened to the local network, and the cookies it grants.

Only a hash is stored (scrypt from the standard library, with a random salt), in the journal's
database (:mod:`solemate.journal.sign_in`; older versions kept it in a private file in the data
folder, which is taken over once). A browser that has given the passphrase, or scanned the
one-time pairing code, gets a signed cookie; the signing key is stored beside the hash and
replaced with it, so setting a new passphrase signs every paired phone out.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import secrets
import time
from dataclasses import dataclass
from pathlib import Path

from pydantic import JsonValue

from solemate.web.passphrase_strength import MAX_LENGTH, MIN_LENGTH, weakness

__all__ = [
    "COOKIE_NAME",
    "MAX_LENGTH",
    "MIN_LENGTH",
    "PASSPHRASE_FILE",
    "PassphraseError",
    "PassphraseRecord",
    "new_pairing_code",
    "new_record",
    "parse_record",
    "read_legacy_file",
]

PASSPHRASE_FILE = "web-passphrase.json"
COOKIE_NAME = "solemate_auth"
COOKIE_DAYS = 180
PAIRING_MINUTES = 10

# scrypt at n=2**14, r=8 takes ~40 ms and 16 MiB: slow enough to make guessing costly, quick
# enough for a phone that signs in once.
_N, _R, _P = 2**14, 8, 1


class PassphraseError(ValueError):
    """A passphrase that cannot be used (too short, too easy) or a record that cannot be read."""


@dataclass(frozen=True)
class PassphraseRecord:
    """The stored passphrase: its salt and digest, and the key that signs sign-in cookies."""

    salt: bytes
    digest: bytes
    cookie_key: bytes

    def verify(self, passphrase: str) -> bool:
        return hmac.compare_digest(_hash(passphrase, self.salt), self.digest)

    def cookie(self, now: float | None = None) -> str:
        """A cookie value valid for :data:`COOKIE_DAYS`: its expiry and a signature of it."""
        expires = int((time.time() if now is None else now) + COOKIE_DAYS * 86400)
        return f"{expires}.{self._sign(str(expires))}"

    def cookie_valid(
        self, value: str | None, now: float | None = None, prefix: str | None = None
    ) -> bool:
        if not value or value.count(".") != 1:
            return False
        expires, signature = value.split(".")
        signed = expires if prefix is None else f"{prefix}.{expires}"
        # Both ASCII before comparing: "²" passes isdigit but not int(), and compare_digest
        # raises on a non-ASCII string (a cookie header may carry any Latin-1 byte).
        well_formed = expires.isascii() and expires.isdigit() and signature.isascii()
        if not well_formed or not hmac.compare_digest(signature, self._sign(signed)):
            return False
        return int(expires) > (time.time() if now is None else now)

    def person_cookie(self, uid: str, now: float | None = None) -> str:
        """A cookie for one person of a household (this record is their own passphrase's):
        their uid, its expiry and a signature of both."""
        expires = int((time.time() if now is None else now) + COOKIE_DAYS * 86400)
        return f"{uid}.{expires}.{self._sign(f'{uid}.{expires}')}"

    def person_cookie_valid(self, uid: str, value: str, now: float | None = None) -> bool:
        """Whether ``value`` is a live :meth:`person_cookie` of ``uid``."""
        if not value.startswith(uid + "."):
            return False
        return self.cookie_valid(value[len(uid) + 1 :], now, prefix=uid)

    def _sign(self, text: str) -> str:
        return hmac.new(self.cookie_key, text.encode(), hashlib.sha256).hexdigest()


def _hash(passphrase: str, salt: bytes) -> bytes:
    return hashlib.scrypt(passphrase.encode(), salt=salt, n=_N, r=_R, p=_P, dklen=32)


def new_record(passphrase: str) -> dict[str, JsonValue]:
    """Hash ``passphrase`` (refused with :class:`PassphraseError` when too weak) with a new salt
    and a new cookie key, as the JSON object the journal keeps."""
    problem = weakness(passphrase)
    if problem is not None:
        raise PassphraseError(problem)
    salt = secrets.token_bytes(16)
    return {
        "scheme": "scrypt",
        "n": _N,
        "r": _R,
        "p": _P,
        "salt": salt.hex(),
        "hash": _hash(passphrase, salt).hex(),
        "cookie_key": secrets.token_bytes(32).hex(),
    }


def parse_record(raw: object, where: str) -> PassphraseRecord:
    """The record stored as JSON; ``where`` names it in the error when it cannot be used."""
    try:
        if not isinstance(raw, dict):
            raise TypeError("not an object")
        if raw.get("scheme") != "scrypt" or (raw["n"], raw["r"], raw["p"]) != (_N, _R, _P):
            raise PassphraseError(f"{where}: unknown passphrase scheme; set it again")
        return PassphraseRecord(
            bytes.fromhex(raw["salt"]), bytes.fromhex(raw["hash"]), bytes.fromhex(raw["cookie_key"])
        )
    except (ValueError, KeyError, TypeError, AttributeError) as error:
        if isinstance(error, PassphraseError):
            raise
        raise PassphraseError(
            f"{where} cannot be read ({error}); set the passphrase again"
        ) from None


def read_legacy_file(data_dir: Path) -> object | None:
    """The record an older solemate kept in the data folder, or None when there is none."""
    path = data_dir / PASSPHRASE_FILE
    try:
        found: object = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        return None
    except (OSError, ValueError) as error:
        raise PassphraseError(
            f"{path} cannot be read ({error}); set the passphrase again"
        ) from None
    return found


def new_pairing_code() -> str:
    """A one-time code for a QR code: 192 random bits, so guessing one is hopeless."""
    return secrets.token_urlsafe(24)
