"""Command-line tools for question wording: lint questions, and score the linter on the labelled sets."""

from __future__ import annotations

import json
import sys
from collections.abc import Callable
from functools import partial
from pathlib import Path
from typing import TextIO

import click
from flask import Flask
from flask.cli import AppGroup

from .linter import LANGUAGES

questions_cli = AppGroup("questions", help="Work with question wording.")


def register(app: Flask) -> None:
    """Attach the questions command group to the app."""
    app.cli.add_command(questions_cli)


def _linter(language: str) -> Callable:
    """Return the linter for one language; English is the linter itself, so its behaviour stays as it was."""
    from .linter import lint

    return lint if language == "en" else partial(lint, language=language)


_LANGUAGE = click.option("--language", type=click.Choice(LANGUAGES), default="en", show_default=True,
                         help="The language the questions are written in.")


@questions_cli.command("lint")
@click.argument("file", type=click.File("r", encoding="utf-8"))
@_LANGUAGE
def questions_lint(file: TextIO, language: str) -> None:
    """Check one question per line; print a JSON object per question; exit 1 if any is not ok."""
    lint = _linter(language)
    failed = False
    for line in file:
        question = line.strip()
        if not question:
            continue
        result = lint(question)
        failed = failed or not result.ok
        click.echo(json.dumps(result.to_json(), ensure_ascii=False))
    sys.exit(1 if failed else 0)


@questions_cli.command("evaluate")
@click.option("--data", "paths", multiple=True, type=click.Path(exists=True, dir_okay=False, path_type=Path),
              help="A labelled CSV (tests/data/README.md); repeat for several. Default: tests/data's sets.")
@click.option("--show", is_flag=True, help="List every question the linter got wrong, and why.")
@_LANGUAGE
def questions_evaluate(paths: tuple[Path, ...], show: bool, language: str) -> None:
    """Score the linter per code on labelled questions; exit 1 below the goals (recall 95%, false 5%)."""
    from . import lint_eval

    lint = _linter(language)
    files = list(paths) or lint_eval.default_sets(language=language)
    if not files:
        raise click.ClickException("No labelled questions found: pass --data FILE.")
    try:
        items = lint_eval.load(files)
    except (KeyError, ValueError) as err:
        raise click.ClickException(f"A data file is not in the expected shape: {err}") from err
    evaluation = lint_eval.evaluate(items, lint)
    click.echo(f"{len(items)} labelled questions from {', '.join(f.name for f in files)}.\n")
    click.echo(lint_eval.table(evaluation))
    click.echo("\n" + lint_eval.by_source(items, lint))
    # The blind labels are of English questions only.
    blind = lint_eval.blind_agreement(files) if language == "en" else ""
    if blind:
        click.echo("\n" + blind)
    if show:
        for item, code in evaluation.missed:
            click.echo(f"missed {code}: {item.question} ({item.category})")
        for item, code, message in evaluation.wrongly_flagged:
            click.echo(f"false {code}: {item.question} \u2014 {message}")
    if not evaluation.meets_goals:
        click.echo("\nThe linter is below the goals (run with --show to see where).", err=True)
        sys.exit(1)
