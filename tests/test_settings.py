"""The settings: defaults < the settings file < environment < flags, for every key, and a bad
settings file refused in one line naming the file, the key or line, and what is wrong."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

from solemate.settings import (
    CONFIG_ENV,
    ENV_VARS,
    KEYS,
    Settings,
    SettingsError,
    default_data_dir,
    user_folder,
)

#: A value for each key from each layer (file, environment, flag).
VALUES: dict[str, tuple[str | int, str | int, str | int]] = {
    "data_dir": ("/from/file", "/from/env", "/from/flag"),
    "database_url": ("sqlite:///file.db", "sqlite:///env.db", "sqlite:///flag.db"),
    "voice": ("emma", "george", "fenrir"),
    "person": ("Ana", "Bo", "Cy"),
    "speech_rate": (120, 150, 180),
}
DEFAULTS = {
    "data_dir": default_data_dir(),
    "database_url": None,
    "voice": None,
    "person": None,
    "speech_rate": None,
}


def test_every_key_has_a_value_for_each_layer() -> None:
    assert set(VALUES) == set(KEYS) == set(ENV_VARS) == set(DEFAULTS)


@pytest.mark.parametrize("key", KEYS)
@pytest.mark.parametrize(
    ("file", "env", "flag", "winner"),
    [
        (False, False, False, "default"),
        (True, False, False, "file"),
        (False, True, False, "environment"),
        (True, True, False, "environment"),
        (False, False, True, "flag"),
        (True, False, True, "flag"),
        (False, True, True, "flag"),
        (True, True, True, "flag"),
    ],
)
def test_precedence(
    tmp_path: Path, key: str, file: bool, env: bool, flag: bool, winner: str
) -> None:
    from_file, from_env, from_flag = VALUES[key]
    path = tmp_path / "settings.toml"
    if file:
        path.write_text(f"{key} = {json.dumps(from_file)}\n", encoding="utf-8")
    environ = {CONFIG_ENV: str(path)}
    if env:
        environ[ENV_VARS[key]] = str(from_env)
    flags: dict[str, str | int | None] = {key: from_flag if flag else None}
    settings = Settings.load(environ, flags)
    expected = {
        "default": DEFAULTS[key],
        "file": from_file,
        "environment": from_env,
        "flag": from_flag,
    }[winner]
    if key == "data_dir" and winner != "default":
        expected = Path(str(expected))
    assert getattr(settings, key) == expected
    assert settings.source(key) == winner
    assert settings.file == path


def test_empty_variables_and_flags_count_as_unset(tmp_path: Path) -> None:
    path = tmp_path / "settings.toml"
    path.write_text('voice = "emma"\n', encoding="utf-8")
    settings = Settings.load({CONFIG_ENV: str(path), "SOLEMATE_VOICE": " "}, {"voice": ""})
    assert (settings.voice, settings.source("voice")) == ("emma", "file")


def test_the_file_is_in_the_config_folder_unless_named(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "config"))
    assert Settings.load({}).file == tmp_path / "config" / "solemate" / "settings.toml"
    assert Settings.load({CONFIG_ENV: "~/mine.toml"}).file == Path("~/mine.toml").expanduser()


@pytest.mark.skipif(sys.platform != "linux", reason="the XDG rule is worked out on Linux only")
@pytest.mark.parametrize(
    "variables",
    [
        {},
        {"XDG_DATA_HOME": "/x/data", "XDG_CONFIG_HOME": "/x/config", "XDG_CACHE_HOME": "/x/c"},
        {"XDG_DATA_HOME": "  ", "XDG_CONFIG_HOME": "", "XDG_CACHE_HOME": " /spaced/ "},
        {"XDG_DATA_HOME": "relative", "XDG_CONFIG_HOME": "~/tilde", "HOME": "/elsewhere"},
        {"HOME": "relative/home"},
        {"HOME": ""},
    ],
)
def test_user_folders_are_where_platformdirs_puts_them(
    monkeypatch: pytest.MonkeyPatch, variables: dict[str, str]
) -> None:
    import platformdirs

    for name in ("XDG_DATA_HOME", "XDG_CONFIG_HOME", "XDG_CACHE_HOME"):
        monkeypatch.delenv(name, raising=False)
    for name, value in variables.items():
        monkeypatch.setenv(name, value)
    assert user_folder("data") == Path(platformdirs.user_data_dir("solemate"))
    assert user_folder("config") == Path(platformdirs.user_config_dir("solemate"))
    assert user_folder("cache") == Path(platformdirs.user_cache_dir("solemate"))


def test_a_missing_file_is_no_settings(tmp_path: Path) -> None:
    settings = Settings.load({CONFIG_ENV: str(tmp_path / "none.toml")})
    assert settings.data_dir == default_data_dir()
    assert dict(settings.sources) == {}


def test_data_dir_expands_home(tmp_path: Path) -> None:
    path = tmp_path / "settings.toml"
    path.write_text('data_dir = "~/journal"\n', encoding="utf-8")
    settings = Settings.load({CONFIG_ENV: str(path)})
    assert settings.data_dir == Path("~/journal").expanduser()
    assert settings.journal_file == settings.data_dir / "journal.sqlite3"
    assert settings.routines_dir == settings.data_dir / "routines"


GARBAGE = [
    ("voice = emma\n", "not valid TOML", "line 1"),
    ("[voice\n", "not valid TOML", "line 1"),
    ('\n\ncolour = "blue"\n', "unknown key 'colour' (line 3)", "known keys: data_dir"),
    ("voice = 3\n", "voice (line 1) must be a string in quotes, not int", ""),
    ("person = true\n", "person (line 1) must be a string in quotes, not bool", ""),
    ('data_dir = ["a"]\n', "data_dir (line 1) must be a string in quotes, not list", ""),
    (
        '[database_url]\nx = "y"\n',
        "database_url (line 1) must be a string in quotes, not a table",
        "",
    ),
    ('voice = "  "\n', "voice (line 1) is empty", ""),
    ('speech_rate = "fast"\n', "speech_rate (line 1) must be a whole number, not 'fast'", ""),
    ("speech_rate = 1.5\n", "speech_rate (line 1) must be a whole number, not 1.5", ""),
    ("speech_rate = -3\n", "speech_rate (line 1) must be a whole number, not -3", ""),
    ("speech_rate = true\n", "speech_rate (line 1) must be a whole number, not True", ""),
]


@pytest.mark.parametrize(("text", "problem", "also"), GARBAGE)
def test_garbage_is_one_clear_error(tmp_path: Path, text: str, problem: str, also: str) -> None:
    path = tmp_path / "settings.toml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(SettingsError) as caught:
        Settings.load({CONFIG_ENV: str(path)})
    message = str(caught.value)
    assert message.startswith(f"{path}: ")
    assert problem in message
    assert also in message
    assert "\n" not in message


def test_a_file_that_is_not_text_or_not_readable(tmp_path: Path) -> None:
    binary = tmp_path / "binary.toml"
    binary.write_bytes(b"\xff\xfe\x00voice")
    with pytest.raises(SettingsError, match="is not UTF-8 text"):
        Settings.load({CONFIG_ENV: str(binary)})
    with pytest.raises(SettingsError, match="cannot be read"):
        Settings.load({CONFIG_ENV: str(tmp_path)})  # a folder


@pytest.mark.parametrize("raw", ["fast", "1.5", "-3", "١٢٠", "9999999"])
def test_a_bad_rate_in_the_environment_names_the_variable(tmp_path: Path, raw: str) -> None:
    environ = {CONFIG_ENV: str(tmp_path / "none.toml"), "SOLEMATE_SPEECH_RATE": raw}
    with pytest.raises(SettingsError) as caught:
        Settings.load(environ)
    assert str(caught.value) == f"SOLEMATE_SPEECH_RATE must be a whole number, got {raw!r}"


def test_an_unknown_flag_is_refused(tmp_path: Path) -> None:
    with pytest.raises(SettingsError, match="unknown setting 'colour'"):
        Settings.load({CONFIG_ENV: str(tmp_path / "none.toml")}, {"colour": "blue"})


def test_the_command_line_reads_the_file(
    cli: CliRunner, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from solemate.cli.app import app

    path = tmp_path / "settings.toml"
    path.write_text('voice = "emma"\n', encoding="utf-8")
    monkeypatch.setenv(CONFIG_ENV, str(path))
    monkeypatch.delenv("SOLEMATE_VOICE")
    lines = cli.invoke(app, ["voices"]).stdout.splitlines()
    assert [line.split()[0] for line in lines if line.endswith("(default)")] == ["emma"]

    path.write_text('voice = "robot"\n', encoding="utf-8")
    result = cli.invoke(app, ["render", "--nightly", "-o", str(tmp_path / "out.mp3")])
    assert result.exit_code == 2
    assert result.stderr.startswith(f"solemate: {path}: voice: unknown voice 'robot'")

    path.write_text("speech_rate = 30\n", encoding="utf-8")
    result = cli.invoke(app, ["render", "--nightly", "-o", str(tmp_path / "out.mp3")])
    assert result.exit_code == 2
    assert result.stderr == (
        f"solemate: {path}: speech_rate must be 80–450 words per minute, got 30\n"
    )
    result = cli.invoke(
        app, ["guide", "--nightly", "--no-voice"], env={"SOLEMATE_SPEECH_RATE": "500"}
    )
    assert result.exit_code == 2
    assert result.stderr.startswith(
        "solemate: SOLEMATE_SPEECH_RATE must be 80–450 words per minute, got 500\n"
    )
    result = cli.invoke(
        app, ["guide", "--nightly", "--rate", "79"], env={"SOLEMATE_SPEECH_RATE": "500"}
    )
    assert result.stderr.startswith("solemate: --rate must be 80–450 words per minute, got 79\n")


def test_a_bad_file_ends_a_command_in_one_line(
    cli: CliRunner, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from solemate.cli.app import app

    path = tmp_path / "settings.toml"
    path.write_text("colour = 'blue'\n", encoding="utf-8")
    monkeypatch.setenv(CONFIG_ENV, str(path))
    result = cli.invoke(app, ["journal"])
    assert result.exit_code == 1
    assert result.stderr == (
        f"solemate: {path}: unknown key 'colour' (line 1); "
        "known keys: data_dir, database_url, voice, person, speech_rate\n"
    )
    assert result.exception is None or isinstance(result.exception, SystemExit)


def test_the_quick_path_and_the_file_agree(data_dir: Path, tmp_path: Path) -> None:
    """`solemate journal` (answered without Typer) opens the journal the settings file names,
    and leaves a bad file to the full application, which says what is wrong."""
    elsewhere = tmp_path / "elsewhere"
    path = tmp_path / "settings.toml"
    path.write_text(f'data_dir = "{elsewhere}"\n', encoding="utf-8")
    env = {**os.environ, CONFIG_ENV: str(path)}
    del env["SOLEMATE_DATA_DIR"]
    from solemate.journal import Journal

    with Journal(None, data_dir=elsewhere) as journal:
        journal.add_note("kept where the file says")
    shown = subprocess.run(
        [sys.executable, "-m", "solemate", "journal", "--format", "json"],
        env=env,
        capture_output=True,
        text=True,
    )
    assert shown.returncode == 0, shown.stderr
    assert "kept where the file says" in shown.stdout

    path.write_text("data_dir = \n", encoding="utf-8")
    broken = subprocess.run(
        [sys.executable, "-m", "solemate", "journal"], env=env, capture_output=True, text=True
    )
    assert broken.returncode == 1
    assert broken.stderr.startswith(f"solemate: {path}: not valid TOML")
    assert "Traceback" not in broken.stderr


@pytest.mark.product_default_voice
def test_the_settings_command_says_where_each_value_came_from(
    cli: CliRunner, data_dir: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from solemate.cli.app import app

    path = tmp_path / "settings.toml"
    path.write_text(
        'voice = "emma"\ndatabase_url = "postgresql://me:S3cret@db/journal"\n', encoding="utf-8"
    )
    monkeypatch.setenv(CONFIG_ENV, str(path))
    monkeypatch.delenv("SOLEMATE_VOICE")
    monkeypatch.setenv("SOLEMATE_PERSON", "Ana")
    result = cli.invoke(app, ["settings"])
    assert result.exit_code == 0, result.stderr
    assert result.stdout.splitlines() == [
        f"data_dir      {data_dir}  (environment (SOLEMATE_DATA_DIR))",
        f"database_url  postgresql://me:***@db/journal  (settings file ({path}))",
        f"voice         emma  (settings file ({path}))",
        "person        Ana  (environment (SOLEMATE_PERSON))",
        "speech_rate   (the voice's own)  (default)",
        "",
        f"Settings file: {path}",
    ]
    assert "S3cret" not in result.stdout

    path.unlink()
    monkeypatch.delenv("SOLEMATE_PERSON")
    lines = cli.invoke(app, ["settings"]).stdout.splitlines()
    assert lines[1] == f"database_url  sqlite:///{data_dir / 'journal.sqlite3'}  (default)"
    assert lines[2] == "voice         heart  (default)"
    assert lines[-1] == f"Settings file: {path} (none yet)"

    path.write_text("voice = 'emma'\nvoice = 'bella'\n", encoding="utf-8")
    result = cli.invoke(app, ["settings"])
    assert result.exit_code == 1
    assert result.stderr.startswith(f"solemate: {path}: not valid TOML")
    assert len(result.stderr.splitlines()) == 1
