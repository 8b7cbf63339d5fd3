"""The stack floor: the least any referee page does, on refcheck's own stack, with no refcheck logic.

Served by the same gunicorn settings as refcheck and hello world, it shows what share of hello
world's throughput the fixed stack itself reaches, before anything refcheck adds. Each
`GET /<row id>`:

1. reads the signed session cookie the visitor sent (none on a first visit), as Flask does for
   every refcheck page;
2. reads one row by its primary key through Flask-SQLAlchemy (a real SELECT: each request has a
   fresh session), from the same kind of database refcheck is measured on (a SQLite file, or
   PostgreSQL when FLOOR_DATABASE_URL names one);
3. builds a Flask-WTF form (one checkbox) with its CSRF token, as every referee page has;
4. renders a small template that extends a base layout (title, stylesheet link from `url_for`,
   header, footer), with Jinja's HTML autoescaping, showing the row's name and the form;
5. writes the row's id into the session, so the response sets the signed session cookie.

It leaves out everything that is refcheck's own: link and session look-ups by token hash, the
case, consent and candidate, unsealing, access checks, flash messages, security headers and
Flask-Login. Refcheck's pages do all of this and more, so its figures can at best approach this
line; it is a reference line, not a goal.
"""

from __future__ import annotations

import os
from pathlib import Path

import sqlalchemy as sa
from flask import Flask, render_template, session
from flask_sqlalchemy import SQLAlchemy
from flask_wtf import FlaskForm
from flask_wtf.csrf import CSRFProtect
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column
from wtforms import BooleanField

HERE = Path(__file__).parent
ROWS = 500


class Base(DeclarativeBase):
    """The floor's declarative base."""


db = SQLAlchemy(model_class=Base)
csrf = CSRFProtect()


class Visitor(db.Model):
    """One row for a page to read: a name to show."""

    __tablename__ = "floor_visitor"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(sa.String(200))


class ConfirmForm(FlaskForm):
    """A checkbox, and the CSRF token every form carries."""

    confirm = BooleanField("I have read this")


def create_app(database_url: str | None = None, secret_key: str | None = None) -> Flask:
    """Build the floor app from arguments or the FLOOR_DATABASE_URL and FLOOR_SECRET_KEY settings."""
    app = Flask(__name__, template_folder=str(HERE / "floor_templates"),
                static_folder=str(HERE.parent / "refcheck" / "static"))
    url = database_url or os.environ["FLOOR_DATABASE_URL"]
    if url.startswith("postgresql://"):
        url = "postgresql+psycopg://" + url.removeprefix("postgresql://")  # the driver refcheck uses
    app.config.update(
        SQLALCHEMY_DATABASE_URI=url,
        SECRET_KEY=secret_key or os.environ["FLOOR_SECRET_KEY"],
        SESSION_COOKIE_HTTPONLY=True,
        SESSION_COOKIE_SAMESITE="Lax",
    )
    db.init_app(app)
    csrf.init_app(app)

    @app.get("/<int:row_id>")
    def page(row_id: int) -> str:
        """Show one row with a form."""
        visitor = db.get_or_404(Visitor, row_id)
        session["visitor"] = visitor.id
        return render_template("page.html", visitor=visitor, form=ConfirmForm())

    return app


def seed(app: Flask) -> int:
    """Create the table afresh with ROWS rows; return how many."""
    with app.app_context():
        Visitor.__table__.drop(db.engine, checkfirst=True)
        db.create_all()
        db.session.add_all(Visitor(id=n, name=f"Visitor {n}") for n in range(1, ROWS + 1))
        db.session.commit()
        db.session.remove()
        db.engine.dispose()
    return ROWS


# Built from the environment when gunicorn imports `benchmarks.floor:app`.
app = create_app() if "FLOOR_DATABASE_URL" in os.environ else None
