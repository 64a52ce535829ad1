"""The plan options every planning command takes, defined once.

`plan`, `guide` and `render` all take --minutes, --nightly, --full, --partner, --first-foot, --foot,
--preparation, --gentle, --skip-calf, --wording, --counts and --routine. Each is declared here once
(``PLAN_FLAGS``); a command asks for them all with ``@with_plan_flags()`` and one ``flags: PlanFlags``
parameter, which stands where the options appear in its --help. Adding an option is one entry in
``PLAN_FLAGS`` and one field in ``PlanFlags``.
"""

from __future__ import annotations

import functools
import inspect
from collections.abc import Callable
from dataclasses import dataclass, fields
from enum import StrEnum
from typing import Any, NoReturn

import typer

from solemate.cli.common import usage_error
from solemate.plan import CHOICES, FLAG_HELP, PlanError, PlanOptions
from solemate.safety import SafetyChanges


class FeetOption(StrEnum):
    both = "both"
    left = "left"
    right = "right"


class FootOption(StrEnum):
    left = "left"
    right = "right"


class WordingOption(StrEnum):
    full = "full"
    brief = "brief"


class CountsOption(StrEnum):
    voice = "voice"
    ticks = "ticks"


# Typer needs an Enum class per choice (mypy must see its members): each lists the plan's own
# names for it, in the plan's order, and is checked against them here.
for _option, _field in (
    (FeetOption, "feet"),
    (FootOption, "first_foot"),
    (WordingOption, "wording"),
    (CountsOption, "counts"),
):
    assert tuple(_option) == CHOICES[_field].values, _field


def plan_options(
    minutes: float | None,
    nightly: bool,
    full: bool,
    partner: bool,
    first_foot: FootOption,
    foot: FeetOption,
    preparation: bool,
    gentle: bool,
    skip_calf: bool,
    wording: WordingOption = WordingOption.full,
    counts: CountsOption = CountsOption.voice,
) -> PlanOptions:
    """Turn the plan flags shared by several commands into PlanOptions, or exit with a usage error."""
    chosen = [
        name
        for name, on in (
            ("--minutes", minutes is not None),
            ("--nightly", nightly),
            ("--full", full),
        )
        if on
    ]
    if len(chosen) > 1:
        usage_error(f"choose one of --minutes, --nightly and --full (got {' and '.join(chosen)})")
    if minutes is not None and not 0 < minutes <= 240:
        usage_error(f"--minutes must be above 0 and at most 240, got {minutes:g}")
    return PlanOptions(
        minutes=minutes,
        preset="full" if full else None if minutes is not None else "nightly",
        feet=foot.value,
        first_foot=first_foot.value,
        voice="partner" if partner else "self",
        preparation=preparation,
        safety=SafetyChanges(gentle_only=gentle, skip_calf=skip_calf),
        wording=wording.value,
        counts=counts.value,
    )


def plan_refused(exc: PlanError) -> NoReturn:
    """The planner's refusal, with the flags that would make the length fit."""
    flags = []
    for alternative in exc.alternatives:
        alt = alternative.options
        flag = f"--foot {alt.feet}" if alt.feet != "both" else ""
        if not alt.preparation and "without the spoken preparation" in alternative.description:
            flag = f"{flag} without --preparation".strip()
        if flag and flag not in flags:
            flags.append(flag)
    hint = f"\nTry: {'; or '.join(flags)}." if flags else ""
    usage_error(f"{exc}{hint}")


def _choice(enum: type[StrEnum], field: str, flag: str) -> Any:
    """The option for a plan choice: its default and help from the plan's table."""
    choice = CHOICES[field]
    return typer.Option(enum(choice.default), flag, help=choice.help)


MINUTES = typer.Option(None, "--minutes", "-m", help=FLAG_HELP["minutes"])
NIGHTLY = typer.Option(False, "--nightly", help=FLAG_HELP["nightly"])
FULL = typer.Option(False, "--full", help=FLAG_HELP["full"])
PARTNER = typer.Option(False, "--partner", help=FLAG_HELP["partner"])
FIRST_FOOT = _choice(FootOption, "first_foot", "--first-foot")
FOOT = _choice(FeetOption, "feet", "--foot")
PREPARATION = typer.Option(False, "--preparation", help=FLAG_HELP["preparation"])
GENTLE = typer.Option(False, "--gentle", help=FLAG_HELP["gentle"])
SKIP_CALF = typer.Option(False, "--skip-calf", help=FLAG_HELP["skip_calf"])
WORDING = _choice(WordingOption, "wording", "--wording")
COUNTS = _choice(CountsOption, "counts", "--counts")
ROUTINE = typer.Option("evening", "--routine", "-r", help="A routine name or a .toml file.")


@dataclass(frozen=True)
class PlanFlags:
    """The plan options as given on the command line."""

    minutes: float | None
    nightly: bool
    full: bool
    partner: bool
    first_foot: FootOption
    foot: FeetOption
    preparation: bool
    gentle: bool
    skip_calf: bool
    wording: WordingOption | None
    counts: CountsOption
    routine: str

    def options(self) -> PlanOptions:
        """PlanOptions for these flags (an unset --wording plans full), or exit with a usage error."""
        return plan_options(
            self.minutes,
            self.nightly,
            self.full,
            self.partner,
            self.first_foot,
            self.foot,
            self.preparation,
            self.gentle,
            self.skip_calf,
            self.wording or WordingOption.full,
            self.counts,
        )


#: Each option's parameter: its type and its typer.Option, in the order --help lists them.
PLAN_FLAGS: dict[str, tuple[Any, Any]] = {
    "minutes": (float | None, MINUTES),
    "nightly": (bool, NIGHTLY),
    "full": (bool, FULL),
    "partner": (bool, PARTNER),
    "first_foot": (FootOption, FIRST_FOOT),
    "foot": (FeetOption, FOOT),
    "preparation": (bool, PREPARATION),
    "gentle": (bool, GENTLE),
    "skip_calf": (bool, SKIP_CALF),
    "wording": (WordingOption, WORDING),
    "counts": (CountsOption, COUNTS),
    "routine": (str, ROUTINE),
}
assert list(PLAN_FLAGS) == [f.name for f in fields(PlanFlags)]


def with_plan_flags(
    wording: Any = WORDING, wording_type: Any = WordingOption
) -> Callable[[Callable[..., None]], Callable[..., None]]:
    """Give a command every plan option in place of its ``flags: PlanFlags`` parameter.

    Typer reads a command's parameters from its signature: the wrapper shows the command's own
    parameters with the plan options standing where ``flags`` was, and hands the command one
    ``PlanFlags``. ``wording`` replaces the --wording option (the guide's may be left unset).
    """
    declared = {**PLAN_FLAGS, "wording": (wording_type, wording)}

    def decorate(command: Callable[..., None]) -> Callable[..., None]:
        signature = inspect.signature(command)
        parameters: list[inspect.Parameter] = []
        for parameter in signature.parameters.values():
            if parameter.name != "flags":
                parameters.append(parameter)
                continue
            parameters.extend(
                inspect.Parameter(
                    name,
                    parameter.kind,
                    default=option,
                    annotation=annotation,
                )
                for name, (annotation, option) in declared.items()
            )

        @functools.wraps(command)
        def wrapper(**given: Any) -> None:
            flags = PlanFlags(**{name: given.pop(name) for name in declared})
            command(flags=flags, **given)

        annotations = {k: v for k, v in command.__annotations__.items() if k != "flags"}
        wrapper.__annotations__ = {
            **annotations,
            **{name: annotation for name, (annotation, _) in declared.items()},
        }
        wrapper.__signature__ = signature.replace(parameters=parameters)  # type: ignore[attr-defined]
        return wrapper

    return decorate
