"""Batch work in bounded pieces: read a page of rows after a cursor, end the read, hand the rows out.

The cron commands (`retention purge`, `reminders send`) go through their work with `pages`: each page
is read in a short transaction of its own, and between pages nothing is held but the last row's key.
Memory stays flat however long the backlog, and each item is then acted on in its own transaction.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import Any, TypeVarTuple

import sqlalchemy as sa
from sqlalchemy.orm import InstrumentedAttribute

from .extensions import db

PAGE = 500
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
