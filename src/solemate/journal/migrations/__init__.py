"""The journal's schema migrations, run by the program itself whenever a journal is opened.

There is no ``alembic.ini``: the configuration is built here, so an installed solemate migrates
its users' journals with nothing but the package. Alembic is imported only when a migration is
due: opening an up-to-date journal reads ``alembic_version`` with one query and compares it with
:data:`HEAD`, which keeps the command line quick to start. A test checks that :data:`HEAD` is the
newest revision file.

A developer adds a revision with::

    python -c "from alembic import command; from solemate.journal.migrations import config; \\
        command.revision(config(), 'what changes', rev_id='0003')"

writes its ``upgrade``/``downgrade`` by hand (autogenerate against ``schema.Base`` helps) and
moves :data:`HEAD` to it.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from alembic.config import Config
    from alembic.script import ScriptDirectory
    from sqlalchemy import Connection

__all__ = [
    "HEAD",
    "config",
    "current_revision",
    "downgrade",
    "head_revision",
    "known_revisions",
    "upgrade",
]

#: The newest revision in ``versions/``: the schema this version of solemate writes.
HEAD = "0008"

_HERE = Path(__file__).resolve().parent


def config(connection: Connection | None = None) -> Config:
    """An Alembic configuration pointing at this folder, using ``connection`` if given."""
    from alembic.config import Config

    cfg = Config()
    cfg.set_main_option("script_location", str(_HERE))
    cfg.attributes["connection"] = connection
    return cfg


@cache
def _scripts() -> ScriptDirectory:
    from alembic.script import ScriptDirectory

    return ScriptDirectory.from_config(config())


def head_revision() -> str:
    """The newest revision found in the revision files (what :data:`HEAD` must say)."""
    head = _scripts().get_current_head()
    assert head is not None, "the migrations folder holds no revision"
    return head


def known_revisions() -> frozenset[str]:
    """Every revision this version of solemate can migrate from."""
    return frozenset(script.revision for script in _scripts().walk_revisions())


def current_revision(connection: Connection) -> str | None:
    """The revision the database behind ``connection`` is at (None: never migrated)."""
    from sqlalchemy import inspect, text

    if not inspect(connection).has_table("alembic_version"):
        return None
    return connection.execute(text("SELECT version_num FROM alembic_version")).scalar()


def upgrade(connection: Connection, revision: str = "head") -> None:
    """Upgrade inside the caller's transaction, so a failed or killed migration leaves no trace."""
    from alembic import command

    command.upgrade(config(connection), revision)


def downgrade(connection: Connection, revision: str) -> None:
    """Downgrade inside the caller's transaction (tests and recovery only; data may be lost)."""
    from alembic import command

    command.downgrade(config(connection), revision)
