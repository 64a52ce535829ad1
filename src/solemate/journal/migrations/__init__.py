"""The journal's schema migrations, run by the program itself whenever a journal is opened.

There is no ``alembic.ini``: the configuration is built here, so an installed solemate migrates
its users' journals with nothing but the package. Alembic is imported only when a migration is
due: opening an up-to-date journal reads ``alembic_version`` with one query and compares it with
:data:`HEAD`, which keeps the command line quick to start. A test checks that :data:`HEAD` is the
newest revision file.

A new, empty database is not migrated revision by revision: :func:`create` makes the newest
schema from the models at once and stamps :data:`HEAD`, as Alembic would (replaying every revision
imports Alembic and rebuilds tables on SQLite, a noticeable part of a first ``solemate import``).
A test checks on SQLite and PostgreSQL that both ways give the same tables, columns, keys,
indexes, checks and rows (so a revision that inserts rows fails it until ``create`` does too).

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
    "create",
    "current_revision",
    "downgrade",
    "head_revision",
    "is_empty",
    "known_revisions",
    "upgrade",
]

#: The newest revision in ``versions/``: the schema this version of solemate writes.
HEAD = "0010"

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


def is_empty(connection: Connection) -> bool:
    """True when the database behind ``connection`` holds no table at all."""
    from sqlalchemy import inspect

    return not inspect(connection).get_table_names()


def create(connection: Connection) -> None:
    """Create the newest schema in an empty database and stamp it :data:`HEAD`, in the caller's
    transaction: what :func:`upgrade` to the head gives, without replaying the revisions."""
    from sqlalchemy import Column, MetaData, PrimaryKeyConstraint, String, Table

    from solemate.journal.schema import Base

    Base.metadata.create_all(connection)
    # Alembic's own version table, as its ``stamp`` would create it.
    version = Table(
        "alembic_version",
        MetaData(),
        Column("version_num", String(32), nullable=False),
        PrimaryKeyConstraint("version_num", name="alembic_version_pkc"),
    )
    version.create(connection)
    connection.execute(version.insert().values(version_num=HEAD))


def upgrade(connection: Connection, revision: str = "head") -> None:
    """Upgrade inside the caller's transaction, so a failed or killed migration leaves no trace."""
    from alembic import command

    command.upgrade(config(connection), revision)


def downgrade(connection: Connection, revision: str) -> None:
    """Downgrade inside the caller's transaction (tests and recovery only; data may be lost)."""
    from alembic import command

    command.downgrade(config(connection), revision)
