"""`solemate settings`: each effective setting and where it came from (see :mod:`solemate.settings`)."""

from __future__ import annotations

import typer

from solemate.cli.common import settings
from solemate.settings import ENV_VARS, KEYS, Settings


def describe(chosen: Settings) -> list[tuple[str, str, str]]:
    """``(key, value, where from)`` for every key, a database password masked."""
    rows = []
    for key in KEYS:
        value = getattr(chosen, key)
        source = chosen.source(key)
        if key == "database_url" and value is not None:
            from solemate.journal.engine import display_url

            value = display_url(value)
        where = {
            "default": "default",
            "file": f"settings file ({chosen.file})",
            "environment": f"environment ({ENV_VARS[key]})",
            "flag": "flag",
        }[source]
        if value is None:
            from solemate.audio.voice_registry import DEFAULT_NAME

            value = {
                "database_url": f"sqlite:///{chosen.journal_file}",
                "voice": DEFAULT_NAME,
                "person": "(the journal's first person)",
                "speech_rate": "(the voice's own)",
            }[key]
        rows.append((key, str(value), where))
    return rows


def register(app: typer.Typer) -> None:
    @app.command("settings")
    def settings_command() -> None:
        """Show each setting, its value and where it came from (file, environment or default)."""
        chosen = settings()
        for key, value, where in describe(chosen):
            typer.echo(f"{key:<13} {value}  ({where})")
        found = chosen.file is not None and chosen.file.is_file()
        typer.echo(f"\nSettings file: {chosen.file}{'' if found else ' (none yet)'}")
