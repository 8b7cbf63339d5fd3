"""Batch work in bounded pieces: read a page of rows after a cursor, end the read, hand the rows out.

The cron commands (`retention purge`, `reminders send`) go through their work with `pages`: each page
is read in a short transaction of its own, and between pages nothing is held but the last row's key.
Memory stays flat however long the backlog, and each item is then acted on in its own transaction,
after which `breathe` lets the app's own writes in on SQLite (`mail send` too).
"""

from __future__ import annotations

import time
from collections.abc import Iterator, Sequence
from typing import Any, TypeVarTuple

import sqlalchemy as sa
from flask import current_app
from sqlalchemy.orm import InstrumentedAttribute

from .extensions import db

PAGE = 500
MAX_PAUSE = 1.0
Columns = TypeVarTuple("Columns")
Order = Sequence[sa.ColumnElement[Any] | InstrumentedAttribute[Any]]


def pages(query: sa.Select[*Columns], order: Order, size: int | None = None) -> Iterator[sa.Row[*Columns]]:
    """Yield the rows of `query` in the order of `order` (unique, not null), reading `size` (PAGE) at a time.

    `query` must select the `order` columns. Each page ends its read transaction before its rows are
    yielded, so the caller's own transactions (a commit per item) never sit inside a long read.
    """
    size = size or PAGE
    after: tuple[Any, ...] | None = None
    while True:
        page = query.order_by(*order).limit(size)
        if after is not None:
            page = page.where(sa.tuple_(*order) > sa.tuple_(*after))
        rows = db.session.execute(page).all()
        # The page was only read: ending the transaction changes nothing and holds nothing.
        db.session.rollback()
        yield from rows
        if len(rows) < size:
            return
        after = tuple(rows[-1]._mapping[column] for column in order)


def breathe(started: float) -> None:
    """After an item's commit, on SQLite, leave the one write lock free for a while before the next item.

    SQLite makes a waiting writer retry on a back-off (1, 2, 5 ... 100 ms). A run that takes the lock
    again at once wins every retry, and a page's audited write waited 450 ms behind fifty short items.
    Free for SQLITE_BATCH_PAUSE times as long as the item held it (`started`: the time.monotonic() of
    its first write), a waiting write finds the lock free at its next retry. Call it after every item,
    refused or not: a refusal took the lock too. PostgreSQL queues its waiters: no pause.
    """
    factor = float(current_app.config["SQLITE_BATCH_PAUSE"])
    if factor and db.session.get_bind().dialect.name == "sqlite":
        # At most a second: one slow item must not stall the run for long.
        time.sleep(min(MAX_PAUSE, factor * max(0.0, time.monotonic() - started)))
