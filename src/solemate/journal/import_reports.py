"""What an import did or why it was refused: the rows added, kept and skipped, and each bad row."""

from __future__ import annotations

from dataclasses import dataclass, field

from solemate.journal.records import JournalError

__all__ = ["DeviceImportReport", "ImportProblem", "ImportRefused", "ImportReport"]


@dataclass(frozen=True)
class ImportProblem:
    """One refused row of an import: its section, its 1-based row number there, and why."""

    section: str
    row: int
    message: str

    def __str__(self) -> str:
        return f"{self.section} row {self.row}: {self.message}"


class ImportRefused(JournalError):
    """An import refused as a whole because of bad rows; nothing was written."""

    def __init__(self, problems: tuple[ImportProblem, ...]) -> None:
        rows = "\n".join(f"  {problem}" for problem in problems)
        super().__init__(f"import refused, nothing written; {len(problems)} bad rows:\n{rows}")
        self.problems = problems


@dataclass(frozen=True)
class ImportReport:
    """What an import did: rows added and rows already present, per section, and rows skipped."""

    added: dict[str, int] = field(default_factory=dict)
    unchanged: dict[str, int] = field(default_factory=dict)
    skipped: tuple[ImportProblem, ...] = ()


@dataclass(frozen=True)
class DeviceImportReport:
    """What storing device nights did; ``skipped`` lists refused nights by their 1-based row."""

    added: int = 0
    updated: int = 0
    unchanged: int = 0
    skipped: tuple[ImportProblem, ...] = ()
