"""Settings, in one place: defaults < environment < flags (flags are applied by the shells)."""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

APP_NAME = "solemate"


@dataclass(frozen=True)
class Settings:
    data_dir: Path
    database_url: str | None = None

    @property
    def routines_dir(self) -> Path:
        """Where a person's own routine files live (``NAME.toml``, translations beside them)."""
        return self.data_dir / "routines"

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None) -> Settings:
        env = os.environ if environ is None else environ
        data_dir = env.get("SOLEMATE_DATA_DIR")
        if data_dir:
            base = Path(data_dir).expanduser()
        else:
            import platformdirs

            base = Path(platformdirs.user_data_dir(APP_NAME))
        return cls(data_dir=base, database_url=env.get("SOLEMATE_DATABASE_URL") or None)
