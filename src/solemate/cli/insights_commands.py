"""`solemate insights` and `solemate experiment`: parse, call the insights service, format.

Every rule (what counts as running, which nights are compared, the statistics) lives in
``solemate.insights_service`` and ``solemate.insights``; these commands only turn options into
arguments and results into text, JSON, SVG, PNG or HTML. A refused request prints why and exits
non-zero with nothing written.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import os
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING

import typer

from solemate.cli.common import (
    DATABASE,
    PERSON,
    fail,
    open_for_reading,
    open_personal,
    usage_error,
)
from solemate.cli.outputs import check_outputs

if TYPE_CHECKING:
    from solemate.journal import Journal

__all__ = ["register", "tonight"]

TODAY = typer.Option(
    None, "--today", hidden=True, help="Pretend today is this date, YYYY-MM-DD (testing)."
)


#: The option of ``experiment start`` behind each field an ExperimentError can name.
OPTIONS = {
    "outcome": "--outcome",
    "design": "--design",
    "nights": "--nights",
    "control": "--control",
    "minimum": "--minimum",
    "first_evening": "--start",
}


class Format(StrEnum):
    text = "text"
    json = "json"


class Design(StrEnum):
    pairs = "pairs"
    weeks = "weeks"


def tonight(journal: Journal, today: dt.date) -> str | None:
    """What tonight is in a running experiment ("… tonight is a massage night."), else None.

    For ``solemate guide`` and the web app to show before a session.
    """
    from solemate.experiment_tonight import tonight as tonight_line

    return tonight_line(journal, today)


def _today(raw: str | None) -> dt.date:
    if raw is None:
        return dt.date.today()
    try:
        day = dt.date.fromisoformat(raw)
    except ValueError:
        usage_error(f"--today must be a date like 2024-03-01, got {raw!r}")
    if not 1900 <= day.year <= 2200:
        usage_error(f"--today must be a date from 1900 to 2200, got {raw}")
    return day


def _cli_words(message: str) -> str:
    """A service message in the command line's words (the web names its own page instead)."""
    from solemate.insights_service import NO_EXPERIMENT

    if message == NO_EXPERIMENT:
        return "no experiment yet: start one with 'solemate experiment start'"
    return message


def _write_atomically(path: Path, data: bytes) -> None:
    """Write beside ``path`` and rename, so a failed write never leaves half a file."""
    partial = path.with_name(f".{path.name}.partial")
    try:
        partial.write_bytes(data)
        os.replace(partial, path)
    except OSError as exc:
        with contextlib.suppress(OSError):
            partial.unlink(missing_ok=True)
        fail(f"cannot write {path}: {exc.strerror or exc}")


def register(app: typer.Typer) -> None:
    @app.command("insights")
    def insights_command(
        weeks: int = typer.Option(6, "--weeks", help="How many calendar weeks to look back."),
        plot: Path | None = typer.Option(
            None, "--plot", help="Also draw the charts to FILE.svg or FILE.png."
        ),
        output_format: Format = typer.Option(Format.text, "--format", help="text or json."),
        database: str | None = DATABASE,
        person: str | None = PERSON,
        today: str | None = TODAY,
    ) -> None:
        """Your sleep and stress over the last weeks: trends, habit, and what goes with a session."""
        if not 1 <= weeks <= 520:
            usage_error(f"--weeks must be 1 to 520, got {weeks}")
        if plot is not None and plot.suffix.lower() not in (".svg", ".png"):
            usage_error(f"--plot must name a .svg or .png file, got {str(plot)!r}")
        check_outputs([("--plot", plot)], database)
        day = _today(today)
        from solemate.insights_service import insights
        from solemate.render.insights_view import (
            insights_json,
            insights_png,
            insights_svg,
            insights_text,
        )

        with open_for_reading(database, person) as journal:
            state = insights(journal, day, weeks)
        typer.echo(
            insights_text(state) if output_format is Format.text else insights_json(state), nl=False
        )
        if plot is not None:
            if plot.suffix.lower() == ".png":
                data = insights_png(state)
            else:
                data = insights_svg(state).encode()
            _write_atomically(plot, data)
            typer.echo(f"Charts written to {plot}", err=output_format is Format.json)

    experiment = typer.Typer(
        help="A randomized personal trial: massage nights against an equally pleasant control.",
        no_args_is_help=True,
    )
    app.add_typer(experiment, name="experiment")

    @experiment.command("start")
    def start_command(
        outcome: str = typer.Option(
            "sol",
            "--outcome",
            help="What to compare: sol, waso, tst, se, quality or awakenings (diary figures).",
        ),
        control: str = typer.Option(
            "15 minutes of reading", "--control", help="The control evenings' activity."
        ),
        nights: int = typer.Option(28, "--nights", help="Length in nights (14 pairs or more)."),
        design: Design = typer.Option(
            Design.pairs, "--design", help="pairs, or weeks (7-night blocks, 4/3 then 3/4)."
        ),
        minimum: float | None = typer.Option(
            None,
            "--minimum",
            help="Smallest change you would care about, in the outcome's unit "
            "(default 10 minutes for SOL, WASO, TST).",
        ),
        start_on: str | None = typer.Option(
            None, "--start", help="First evening, YYYY-MM-DD (default: tonight)."
        ),
        seed: int | None = typer.Option(
            None, "--seed", help="Randomization seed (default: drawn at random, then stored)."
        ),
        preview: bool = typer.Option(
            False,
            "--preview",
            help="Say how likely these choices are to find your minimum, and store nothing.",
        ),
        database: str | None = DATABASE,
        person: str | None = PERSON,
        today: str | None = TODAY,
    ) -> None:
        """Plan and randomize the nights, storing seed and allocation before the first night."""
        from solemate.insights import METRICS, OUTCOMES, ExperimentError
        from solemate.insights_service import start
        from solemate.journal import JournalError

        if outcome not in OUTCOMES:
            fail(
                f"--outcome {outcome!r} is not recorded by the sleep diary; choose one of: "
                f"{', '.join(OUTCOMES)}"
            )
        if not 2 <= nights <= 3660:
            usage_error(f"--nights must be 2 to 3660, got {nights}")
        if seed is not None and not 0 <= seed < 2**63:
            usage_error("--seed must be a whole number from 0 to 2^63 − 1")
        first = None
        if start_on is not None:
            try:
                first = dt.date.fromisoformat(start_on)
            except ValueError:
                usage_error(f"--start must be a date like 2024-03-01, got {start_on!r}")
        day = _today(today)
        from solemate.insights_service import detection_for

        with open_personal(database, person) as journal:
            try:
                found = detection_for(
                    journal, day, outcome=outcome, minimum=minimum, design=design.value
                )
                if preview:
                    typer.echo("\n".join(found.lines(planned=nights)))
                    typer.echo("Nothing is stored: run it again without --preview to start.")
                    return
                stored, warnings = start(
                    journal,
                    today=day,
                    outcome=outcome,
                    design=design.value,
                    nights=nights,
                    control=control,
                    minimum=minimum,
                    first_evening=first,
                    seed=seed,
                )
            except ExperimentError as exc:
                option = OPTIONS.get(exc.field or "")
                fail(f"{option}: {exc}" if option else str(exc))
            except JournalError as exc:
                fail(str(exc))
        for warning in warnings:
            typer.echo(f"Warning: {warning}", err=True)
        typer.echo(
            f"Experiment {stored.id} planned: {stored.nights} nights from the evening of "
            f"{stored.first_evening:%a %d %b %Y} to {stored.last_evening:%a %d %b %Y}, "
            f"{stored.design}, seed {stored.seed}.\n"
            f"Outcome: {METRICS[outcome].label}; control: {stored.control}; smallest change "
            f"you care about: {METRICS[outcome].format(stored.minimum)}.\n"
            "The whole allocation is stored now; 'solemate experiment today' tells each "
            "evening what it is.\n\n" + "\n".join(found.lines(planned=stored.nights))
        )

    @experiment.command("today")
    def today_command(
        done: bool = typer.Option(
            False, "--done", help="Record that tonight's control activity was done."
        ),
        database: str | None = DATABASE,
        person: str | None = PERSON,
        today: str | None = TODAY,
    ) -> None:
        """What tonight is: a massage night or a control night."""
        from solemate.experiment_tonight import log_control_tonight
        from solemate.experiment_tonight import tonight as tonight_line

        day = _today(today)
        opened = open_personal(database, person) if done else open_for_reading(database, person)
        with opened as journal:
            line = tonight_line(journal, day)
            if line is None:
                from solemate.journal.reading import latest_experiment

                latest = latest_experiment(journal)
                if latest is not None and latest.phase(day) == "upcoming":
                    fail(
                        f"experiment {latest.id} starts on the evening of "
                        f"{latest.first_evening:%a %d %b %Y}; tonight is not part of it"
                    )
                fail("no experiment is running tonight; start one with 'solemate experiment start'")
            if done:
                from solemate.insights import ExperimentError
                from solemate.journal import Journal

                assert isinstance(journal, Journal)  # opened in full above: it writes
                try:
                    typer.echo(log_control_tonight(journal, day))
                except ExperimentError as exc:
                    fail(str(exc))
                return
        typer.echo(line)

    @experiment.command("status")
    def status_command(
        database: str | None = DATABASE,
        person: str | None = PERSON,
        today: str | None = TODAY,
    ) -> None:
        """How far the experiment is: nights so far, adherence, missing diaries."""
        from solemate.insights import ExperimentError
        from solemate.insights_service import experiment_status
        from solemate.render.experiment_view import status_text

        day = _today(today)
        with open_personal(database, person) as journal:
            try:
                status = experiment_status(journal, day)
            except ExperimentError as exc:
                fail(_cli_words(str(exc)))
        typer.echo(status_text(status, day))

    @experiment.command("report")
    def report_command(
        html: Path | None = typer.Option(
            None, "--html", help="Also write the report as one self-contained HTML file."
        ),
        database: str | None = DATABASE,
        person: str | None = PERSON,
        today: str | None = TODAY,
    ) -> None:
        """The honest answer so far: randomization test, effect with its interval, caveats."""
        from solemate.insights import ExperimentError
        from solemate.insights_service import experiment_report, stop_note
        from solemate.journal.reading import latest_experiment
        from solemate.render.experiment_view import report_html, report_text

        if html is not None and html.suffix.lower() not in (".html", ".htm"):
            usage_error(f"--html must name a .html file, got {str(html)!r}")
        check_outputs([("--html", html)], database)
        day = _today(today)
        with open_personal(database, person) as journal:
            try:
                report = experiment_report(journal, day)
            except ExperimentError as exc:
                fail(_cli_words(str(exc)))
            stopped = stop_note(latest_experiment(journal))
        typer.echo(report_text(report, stopped), nl=False)
        if html is not None:
            _write_atomically(html, report_html(report, stopped).encode())
            typer.echo(f"Report written to {html}")

    @experiment.command("stop")
    def stop_command(
        reason: str = typer.Option("", "--reason", help="Why it stopped (kept in the report)."),
        database: str | None = DATABASE,
        person: str | None = PERSON,
        today: str | None = TODAY,
    ) -> None:
        """Stop the running experiment early; its nights so far stay and can be reported."""
        from solemate.insights import ExperimentError
        from solemate.insights_service import stop
        from solemate.journal import JournalError

        day = _today(today)
        with open_personal(database, person) as journal:
            try:
                stored = stop(journal, day, reason)
            except (ExperimentError, JournalError) as exc:
                fail(str(exc))
        typer.echo(
            f"Experiment {stored.id} stopped; its nights so far are kept. "
            "'solemate experiment report' shows what they say."
        )
