"""Settings, in one place: defaults < the settings file < environment < flags.

The shells build one :class:`Settings` when they start (the command line in its entry, ``solemate
serve`` in the same way) and pass its values down: nothing below them reads the environment, which
a test in ``tests/test_layout.py`` keeps true.

The settings file is ``settings.toml`` in the platform's configuration folder
(``platformdirs.user_config_dir("solemate")``, ``~/.config/solemate/settings.toml`` on Linux), or
the file ``SOLEMATE_CONFIG`` names. It is optional; every key in it is too::

    data_dir = "~/Documents/solemate"                      # where the journal and routines live
    database_url = "postgresql://me@localhost/solemate"    # instead of the SQLite file
    voice = "emma"                                         # the voice when --voice is not given
    person = "Ana"                                         # whose diary and experiments, by default
    speech_rate = 140                                      # words a minute when --rate is not given

Each key has its environment variable, which wins over the file: ``SOLEMATE_DATA_DIR``,
``SOLEMATE_DATABASE_URL``, ``SOLEMATE_VOICE``, ``SOLEMATE_PERSON`` and ``SOLEMATE_SPEECH_RATE``; an
empty variable counts as unset. A flag (``--database``, ``--voice``, ``--rate``) wins over both.
``speech_rate`` is a whole number (its range is the commands' to check, as for ``--rate``); every
other key is text. An unknown key, a value of the wrong
type or a file that is not TOML is a :class:`SettingsError` naming the file, the line or key and
what is wrong; the shells print it as one line and exit non-zero. ``solemate settings`` shows
each effective value and where it came from.

This module is the only one that reads the environment (with the shells' entry points): it
imports nothing heavy, so the quick path of everyday commands can build settings cheaply.
"""

from __future__ import annotations

import os
import posixpath
import sys
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

__all__ = [
    "APP_NAME",
    "CONFIG_ENV",
    "ENV_VARS",
    "KEYS",
    "Settings",
    "SettingsError",
    "Source",
    "default_data_dir",
    "settings_file",
    "user_folder",
]

APP_NAME = "solemate"

#: The variable naming another settings file.
CONFIG_ENV = "SOLEMATE_CONFIG"

#: Every key a settings file may hold, with the variable that overrides it.
ENV_VARS: dict[str, str] = {
    "data_dir": "SOLEMATE_DATA_DIR",
    "database_url": "SOLEMATE_DATABASE_URL",
    "voice": "SOLEMATE_VOICE",
    "person": "SOLEMATE_PERSON",
    "speech_rate": "SOLEMATE_SPEECH_RATE",
}
#: Keys whose value is a whole number; the others are text.
WHOLE_NUMBERS = frozenset({"speech_rate"})
KEYS: tuple[str, ...] = tuple(ENV_VARS)

Source = Literal["default", "file", "environment", "flag"]


class SettingsError(ValueError):
    """A settings file or value that cannot be used; the message says where and what is wrong."""


#: XDG's variable and default for each kind of per-user folder.
_XDG = {
    "data": ("XDG_DATA_HOME", ".local/share"),
    "config": ("XDG_CONFIG_HOME", ".config"),
    "cache": ("XDG_CACHE_HOME", ".cache"),
}


def user_folder(kind: Literal["data", "config", "cache"]) -> Path:
    """solemate's per-user folder of ``kind``, where platformdirs puts it.

    On Linux that is the XDG rule, worked out here because importing platformdirs costs about
    5 ms, a tenth of a short command such as ``journal``: ``$XDG_CONFIG_HOME/solemate`` when
    that variable is an absolute path, else ``~/.config/solemate`` (and the same for data and
    cache). A test compares every case with platformdirs. Elsewhere platformdirs answers.
    """
    env = os.environ
    if sys.platform == "linux" and "ANDROID_DATA" not in env:
        variable, default = _XDG[kind]
        base = env.get(variable, "")
        if not posixpath.isabs(base):
            home = env.get("HOME", "")
            if not posixpath.isabs(home):  # unset or relative: the account's home, as platformdirs
                import pwd

                home = pwd.getpwuid(os.getuid()).pw_dir
            base = posixpath.join(home, default)
        return Path(base) / APP_NAME
    import platformdirs

    found = {
        "data": platformdirs.user_data_dir,
        "config": platformdirs.user_config_dir,
        "cache": platformdirs.user_cache_dir,
    }[kind](APP_NAME)
    return Path(found)


def default_data_dir() -> Path:
    """The platform's per-user data folder (``~/.local/share/solemate`` on Linux)."""
    return user_folder("data")


def settings_file(environ: Mapping[str, str]) -> Path:
    """The settings file: ``SOLEMATE_CONFIG``, else ``settings.toml`` in the config folder."""
    named = environ.get(CONFIG_ENV, "").strip()
    if named:
        return Path(named).expanduser()
    return user_folder("config") / "settings.toml"


@dataclass(frozen=True)
class Settings:
    """The effective settings, and where each came from (``sources``; a key missing there: default).

    >>> Settings(data_dir=Path("/data")).journal_file
    PosixPath('/data/journal.sqlite3')
    """

    data_dir: Path
    database_url: str | None = None
    voice: str | None = None
    """The voice when none is asked for (None: the default voice of the voice registry)."""
    person: str | None = None
    """Whose entries a command reads and writes by default (None: the journal's first person)."""
    speech_rate: int | None = None
    """Words a minute when ``--rate`` is not given (None: the voice's own default)."""
    file: Path | None = None
    """The settings file that was looked for (it may not exist)."""
    sources: Mapping[str, Source] = field(default_factory=dict, compare=False)

    @property
    def routines_dir(self) -> Path:
        """Where a person's own routine files live (``NAME.toml``, translations beside them)."""
        return self.data_dir / "routines"

    @property
    def journal_file(self) -> Path:
        """The SQLite journal used when no database URL is set."""
        return self.data_dir / "journal.sqlite3"

    def source(self, key: str) -> Source:
        return self.sources.get(key, "default")

    @classmethod
    def load(
        cls,
        environ: Mapping[str, str] | None = None,
        flags: Mapping[str, str | int | None] | None = None,
    ) -> Settings:
        """The settings from the file, ``environ`` (by default the process's) and ``flags``.

        ``flags`` maps keys to what the command line gave (None: not given). Raises
        :class:`SettingsError` for a bad file, a bad variable or a flag that is not a key.
        """
        env = os.environ if environ is None else environ
        path = settings_file(env)
        values: dict[str, str | int] = {}
        sources: dict[str, Source] = {}
        for key, value in _read_file(path).items():
            values[key], sources[key] = value, "file"
        for key, name in ENV_VARS.items():
            text = env.get(name, "").strip()
            if text:
                values[key], sources[key] = _from_text(key, text, name), "environment"
        for key, given in (flags or {}).items():
            if key not in ENV_VARS:
                raise SettingsError(f"unknown setting {key!r}; known: {', '.join(KEYS)}")
            if isinstance(given, str):
                given = given.strip() or None
            if given is not None:
                values[key], sources[key] = given, "flag"
        data_dir = values.get("data_dir")
        rate = values.get("speech_rate")
        return cls(
            data_dir=Path(str(data_dir)).expanduser() if data_dir else default_data_dir(),
            database_url=_text(values.get("database_url")),
            voice=_text(values.get("voice")),
            person=_text(values.get("person")),
            speech_rate=None if rate is None else int(rate),
            file=path,
            sources=sources,
        )

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None) -> Settings:
        """:meth:`load` without flags."""
        return cls.load(environ)


def _text(value: str | int | None) -> str | None:
    return None if value is None else str(value)


def _from_text(key: str, text: str, where: str) -> str | int:
    """The value of ``key`` written as ``text`` (an environment variable named ``where``)."""
    if key not in WHOLE_NUMBERS:
        return text
    if not (text.isascii() and text.isdigit()) or len(text) > 6:
        raise SettingsError(f"{where} must be a whole number, got {text!r}")
    return int(text)


def _read_file(path: Path) -> dict[str, str | int]:
    """The keys of the settings file at ``path`` ({} when there is none), checked one by one."""
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        return {}
    except OSError as exc:
        raise SettingsError(f"{path}: cannot be read: {exc.strerror or exc}") from None
    import tomllib

    try:
        text = raw.decode("utf-8")
        table = tomllib.loads(text)
    except UnicodeDecodeError:
        raise SettingsError(f"{path}: is not UTF-8 text") from None
    except tomllib.TOMLDecodeError as exc:
        raise SettingsError(f"{path}: not valid TOML: {exc}") from None
    found: dict[str, str | int] = {}
    for key, value in table.items():
        if key not in ENV_VARS:
            raise SettingsError(
                f"{path}: unknown key {key!r} (line {_line_of(text, key)}); "
                f"known keys: {', '.join(KEYS)}"
            )
        if key in WHOLE_NUMBERS:
            if not isinstance(value, int) or isinstance(value, bool) or not 0 < value < 10**6:
                kind = "a table" if isinstance(value, dict) else repr(value)
                raise SettingsError(
                    f"{path}: {key} (line {_line_of(text, key)}) must be a whole number, not {kind}"
                )
            found[key] = value
            continue
        if not isinstance(value, str):
            kind = "a table" if isinstance(value, dict) else type(value).__name__
            raise SettingsError(
                f"{path}: {key} (line {_line_of(text, key)}) must be a string in quotes, not {kind}"
            )
        if not value.strip() or "\x00" in value:
            raise SettingsError(f"{path}: {key} (line {_line_of(text, key)}) is empty")
        found[key] = value.strip()
    return found


def _line_of(text: str, key: str) -> int | str:
    """The line where ``key`` is set, for a message ("?" when it cannot be found)."""
    for number, line in enumerate(text.splitlines(), start=1):
        stripped = line.lstrip().lstrip("[").lstrip()
        for quoted in (key, f'"{key}"', f"'{key}'"):
            rest = stripped[len(quoted) :].lstrip() if stripped.startswith(quoted) else None
            if rest is not None and rest[:1] in ("=", "]", "."):
                return number
    return "?"
