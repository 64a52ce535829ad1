"""The passphrase that guards a server opened to the local network, and the cookies it grants.

Only a hash is stored (scrypt from the standard library, with a random salt), in a file readable by
its owner only. A browser that has given the passphrase, or scanned the one-time pairing code, gets
a signed cookie; the signing key is stored beside the hash and replaced with it, so setting a new
passphrase signs every paired phone out.
"""

from __future__ import annotations

import contextlib
import hashlib
import hmac
import json
import os
import secrets
import threading
import time
from dataclasses import dataclass
from pathlib import Path

__all__ = [
    "COOKIE_NAME",
    "MIN_LENGTH",
    "PASSPHRASE_FILE",
    "PairingToken",
    "PassphraseError",
    "PassphraseRecord",
    "load_passphrase",
    "save_passphrase",
]

PASSPHRASE_FILE = "web-passphrase.json"
COOKIE_NAME = "solemate_auth"
MIN_LENGTH = 8
MAX_LENGTH = 1024
COOKIE_DAYS = 180
PAIRING_MINUTES = 10

# scrypt at n=2**14, r=8 takes ~40 ms and 16 MiB: slow enough to make guessing costly, quick
# enough for a phone that signs in once.
_N, _R, _P = 2**14, 8, 1


class PassphraseError(ValueError):
    """A passphrase that cannot be used (too short, too long) or a file that cannot be read."""


@dataclass(frozen=True)
class PassphraseRecord:
    salt: bytes
    digest: bytes
    cookie_key: bytes

    def verify(self, passphrase: str) -> bool:
        return hmac.compare_digest(_hash(passphrase, self.salt), self.digest)

    def cookie(self, now: float | None = None) -> str:
        """A cookie value valid for :data:`COOKIE_DAYS`: its expiry and a signature of it."""
        expires = int((time.time() if now is None else now) + COOKIE_DAYS * 86400)
        return f"{expires}.{self._sign(str(expires))}"

    def cookie_valid(self, value: str | None, now: float | None = None) -> bool:
        if not value or value.count(".") != 1:
            return False
        expires, signature = value.split(".")
        if not expires.isdigit() or not hmac.compare_digest(signature, self._sign(expires)):
            return False
        return int(expires) > (time.time() if now is None else now)

    def _sign(self, text: str) -> str:
        return hmac.new(self.cookie_key, text.encode(), hashlib.sha256).hexdigest()


def _hash(passphrase: str, salt: bytes) -> bytes:
    return hashlib.scrypt(passphrase.encode(), salt=salt, n=_N, r=_R, p=_P, dklen=32)


def save_passphrase(data_dir: Path, passphrase: str) -> Path:
    """Hash ``passphrase`` and store it (owner-only file); returns the file's path."""
    if not MIN_LENGTH <= len(passphrase) <= MAX_LENGTH:
        raise PassphraseError(
            f"the passphrase must be {MIN_LENGTH} to {MAX_LENGTH} characters (got {len(passphrase)})"
        )
    salt = secrets.token_bytes(16)
    record = {
        "scheme": "scrypt",
        "n": _N,
        "r": _R,
        "p": _P,
        "salt": salt.hex(),
        "hash": _hash(passphrase, salt).hex(),
        "cookie_key": secrets.token_bytes(32).hex(),
    }
    data_dir.mkdir(parents=True, exist_ok=True, mode=0o700)
    path = data_dir / PASSPHRASE_FILE
    partial = path.with_name(f".{path.name}.partial")
    with contextlib.suppress(FileNotFoundError):
        partial.unlink()
    fd = os.open(partial, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o600)
    with open(fd, "w", encoding="utf-8") as out:
        json.dump(record, out)
    os.replace(partial, path)
    return path


def load_passphrase(data_dir: Path) -> PassphraseRecord | None:
    """The stored record, or None when no passphrase was ever set."""
    path = data_dir / PASSPHRASE_FILE
    try:
        raw = json.loads(path.read_text(encoding="utf-8"))
        if raw.get("scheme") != "scrypt" or (raw["n"], raw["r"], raw["p"]) != (_N, _R, _P):
            raise PassphraseError(f"{path}: unknown passphrase scheme; set it again")
        return PassphraseRecord(
            bytes.fromhex(raw["salt"]), bytes.fromhex(raw["hash"]), bytes.fromhex(raw["cookie_key"])
        )
    except FileNotFoundError:
        return None
    except (OSError, ValueError, KeyError, TypeError, AttributeError) as error:
        if isinstance(error, PassphraseError):
            raise
        raise PassphraseError(
            f"{path} cannot be read ({error}); set the passphrase again"
        ) from None


class PairingToken:
    """A one-time code shown as a QR code: it signs one browser in, once, within minutes."""

    def __init__(self, minutes: int = PAIRING_MINUTES, now: float | None = None) -> None:
        self.value = secrets.token_urlsafe(24)
        self.expires = (time.time() if now is None else now) + minutes * 60
        self._used = False
        self._lock = threading.Lock()

    def redeem(self, value: str, now: float | None = None) -> bool:
        """True the first time the right value is given before it expires; False ever after."""
        with self._lock:
            if self._used or (time.time() if now is None else now) > self.expires:
                return False
            if not hmac.compare_digest(value.encode(), self.value.encode()):
                return False
            self._used = True
            return True
