"""The `crossverify` commands: compare facts from a file, and score the matcher on labelled scenarios."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import TextIO

import click
from flask import Flask, current_app
from flask.cli import AppGroup

crossverify_cli = AppGroup("crossverify", help="Compare facts across sources, and score the fact matcher.")


def register(app: Flask) -> None:
    """Attach the crossverify commands to the app."""
    app.cli.add_command(crossverify_cli)


@crossverify_cli.command("compare")
@click.argument("file", type=click.File("r", encoding="utf-8"))
def compare_command(file: TextIO) -> None:
    """Compare claims with referees' facts from a JSON file and print the findings as JSON.

    Add "aliases": [{"name", "same_as", "relation"}] for employers' other names.
    """
    from .crossverify import coverage, verify

    try:
        data = json.load(file)
        findings = verify(data.get("claims", {}), data.get("referees", []),
                          current_app.config["CROSSVERIFY_TOLERANCE_MONTHS"], data.get("aliases", []))
    except (ValueError, AttributeError, TypeError, KeyError) as err:
        raise click.ClickException(f"The file is not in the expected shape: {err}") from err
    result: dict = {"findings": [f.to_json() for f in findings]}
    if "required" in data:
        result["coverage"] = coverage(data["required"], data.get("referees", []))
    click.echo(json.dumps(result, ensure_ascii=False, indent=2))


@crossverify_cli.command("evaluate")
@click.option("--data", "path", type=click.Path(exists=True, dir_okay=False, path_type=Path),
              help="A JSON-lines file of labelled scenarios (default: tests/data/crossverify.jsonl).")
@click.option("--show", is_flag=True, help="List every scenario the matcher got wrong.")
def evaluate_command(path: Path | None, show: bool) -> None:
    """Score the fact matcher on labelled scenarios; exit 1 below the goals of issue 17."""
    from . import crossverify_eval as scoring

    path = path or scoring.DATA
    if not path.exists():
        raise click.ClickException(f"There is no scenarios file at {path}; give one with --data.")
    try:
        result = scoring.evaluate(scoring.load(path))
    except scoring.ScenarioError as err:
        raise click.ClickException(f"{path}: {err}") from err
    click.echo(scoring.tables(result))
    if show and result.misses:
        click.echo("\nGot wrong:")
        for line in scoring.miss_lines(result):
            click.echo(line)
    goals = f"at least {scoring.ACCURACY_GOAL:.0%} right on every fact, and no conflict called agree"
    if result.meets_goals:
        click.echo(f"\nGoals met: {goals}.")
        return
    click.echo(f"\nGoals not met: {goals}." + ("" if show else " Run with --show to see what it got wrong."))
    sys.exit(1)
