"""How the seeder's rows reach the databases: by COPY on PostgreSQL, by the driver's executemany on SQLite."""

from __future__ import annotations

import contextlib
import datetime as dt
import operator
from collections.abc import Callable, Iterator
from typing import Any

import sqlalchemy as sa

# The columns each seeded table is written with, in the order they are loaded (a row's foreign keys
# point to rows of tables before it). Columns left out are NULL: none of them has a default.
COLUMNS: dict[str, tuple[str, ...]] = {
    "data_key": ("id", "master_version", "wrapped", "split", "created_at"),
    "candidate": ("id", "data_key_id", "created_at", "name_enc", "email_enc", "email_hash"),
    "case": ("id", "candidate_id", "data_key_id", "position", "hiring_organisation", "organisation_id",
             "position_key", "organisation_key", "purpose", "scope", "state", "created_by_id", "created_at",
             "state_changed_at", "stage_times", "invited_at", "consent_decided_at", "due_date", "erase_after",
             "seconds_awaiting_consent", "seconds_nominating", "seconds_collecting", "seconds_review",
             "seconds_candidate_review", "seconds_to_release"),
    "consent": ("id", "case_id", "data_key_id", "decision", "scope", "scope_sha256", "disclosure_version",
                "decided_at", "signature_enc", "ip_enc", "user_agent_enc", "decline_reason_enc",
                "withdrawn_at"),
    "claim": ("id", "case_id", "data_key_id", "created_at", "updated_at", "facts_enc"),
    "referee": ("id", "case_id", "data_key_id", "relationship", "details_enc", "email_hash", "state",
                "nominated_by", "verification_code", "nominated_at", "invited_at", "opened_at", "attested_at",
                "finished_at", "reminders_sent", "call_requested"),
    "response": ("id", "referee_id", "data_key_id", "question_set_id", "started_at", "submitted_at",
                 "ip_hash", "answers_enc"),
    "audit_event": ("id", "at", "actor", "case_id", "action", "details", "prev_hash", "hash"),
}
# The key store's table: its own database, written (and committed) before the rows that use its shares.
KEY_COLUMNS = ("id", "share", "created_at")


class Loader:
    """Write seeded rows a batch at a time: by COPY on PostgreSQL, by the driver's executemany on SQLite.

    The rows go in through the drivers' own connections, past SQLAlchemy's work per row, in the form
    SQLAlchemy's column types would have given them: JSON as its text, and on SQLite times as UTC text.
    """

    def __init__(self, main: sa.Engine, keys: sa.Engine) -> None:
        from refcheck.keystore import KeyShare
        from refcheck.models import Model

        tables = {**Model.metadata.tables, "key_share": KeyShare.__table__}
        self._main, self._keys = main.raw_connection(), keys.raw_connection()
        self._columns = {**COLUMNS, "key_share": KEY_COLUMNS}
        self._copy = {table: (main if table in COLUMNS else keys).dialect.name == "postgresql"
                      for table in self._columns}
        self._rows: dict[str, list[tuple[Any, ...]]] = {table: [] for table in self._columns}
        self._pick = {table: operator.itemgetter(*columns) for table, columns in self._columns.items()}
        self._convert = {table: sqlite_values(tables[table], columns)
                         for table, columns in self._columns.items()}

    def add(self, table: str, row: dict[str, Any]) -> None:
        """Keep a row of a main database table for the next flush."""
        self._rows[table].append(self._pick[table](row))

    def add_share(self, row: dict[str, Any]) -> None:
        """Keep a key share for the next flush."""
        self._rows["key_share"].append(self._pick["key_share"](row))

    def flush(self) -> None:
        """Write and commit what was kept: the shares first, committed before any row uses them."""
        self._write(self._keys, "key_share")
        self._keys.commit()
        for table in COLUMNS:
            self._write(self._main, table)
        self._main.commit()
        for rows in self._rows.values():
            rows.clear()

    def close(self) -> None:
        """Give both connections back to their pools."""
        self._main.close()
        self._keys.close()

    def _write(self, connection: Any, table: str) -> None:
        """Write one table's kept rows with one statement."""
        rows = self._rows[table]
        if not rows:
            return
        columns = self._columns[table]
        names = ", ".join(f'"{column}"' for column in columns)
        driver = connection.driver_connection
        # Fixed table and column names, no input.
        if self._copy[table]:
            with driver.cursor() as cursor, cursor.copy(f'COPY "{table}" ({names}) FROM STDIN') as copy:
                for row in rows:
                    copy.write_row(row)
        else:
            marks = ", ".join("?" * len(columns))
            driver.executemany(f'INSERT INTO "{table}" ({names}) VALUES ({marks})',  # noqa: S608
                               map(self._convert[table], rows))


@contextlib.contextmanager
def indexes_after_load(engine: sa.Engine, tables: tuple[str, ...] = tuple(COLUMNS)) -> Iterator[None]:
    """On PostgreSQL, load the tables without keys and indexes, then make those again, as pg_restore does.

    Kept up row by row, the random keys of a million cases (uuids, lookup hashes) are written all over
    indexes far larger than the server's buffers, and every row's foreign keys are looked up; built
    once from the loaded rows, each index is one sort and each foreign key one join ("Populating a
    Database" in PostgreSQL's manual). Each is made again from the models' own definition and checked
    against every row, so the database ends as create_all made it.
    """
    from refcheck.models import Model

    if engine.dialect.name != "postgresql":
        yield
        return
    loaded = [Model.metadata.tables[name] for name in tables]
    # Foreign keys into the loaded tables go too: a primary key cannot be dropped under them.
    foreign = [key for table in Model.metadata.sorted_tables for key in table.foreign_key_constraints
               if table.name in tables or key.referred_table.name in tables]
    keys = [key for table in loaded for key in table.constraints
            if isinstance(key, sa.PrimaryKeyConstraint | sa.UniqueConstraint)]
    indexes = [index for table in loaded for index in table.indexes]
    with engine.begin() as conn:
        for key in foreign + keys:
            conn.execute(sa.schema.DropConstraint(key))
        for index in indexes:
            index.drop(conn)
    yield
    with engine.begin() as conn:
        # Each index is a sort: give it memory enough to sort in one pass.
        conn.exec_driver_sql("SET LOCAL maintenance_work_mem = '1GB'")
        for key in keys:
            conn.execute(sa.schema.AddConstraint(key))
        for index in indexes:
            index.create(conn)
        for key in foreign:
            conn.execute(sa.schema.AddConstraint(key))


def sqlite_values(table: sa.Table, columns: tuple[str, ...]) -> Callable[[tuple[Any, ...]], tuple[Any, ...]]:
    """Return what turns a row's times and dates into the text SQLAlchemy stores for them on SQLite."""
    from refcheck.columns import UTCDateTime

    timed = [i for i, name in enumerate(columns) if isinstance(table.c[name].type, UTCDateTime)]
    dated = [i for i, name in enumerate(columns) if isinstance(table.c[name].type, sa.Date)]

    def convert(row: tuple[Any, ...]) -> tuple[Any, ...]:
        values = list(row)
        for i in timed:
            if values[i] is not None:
                values[i] = values[i].astimezone(dt.UTC).replace(tzinfo=None).isoformat(" ", "microseconds")
        for i in dated:
            if values[i] is not None:
                values[i] = values[i].isoformat()
        return tuple(values)

    return convert
