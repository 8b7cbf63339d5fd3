"""Keep secrets out of logs: emailed-link tokens in request lines are masked."""

from __future__ import annotations

import logging
import re

_LINK_TOKEN = re.compile(r"(/c/\d+/|/r/[0-9a-f]{32}/)[A-Za-z0-9_-]{8,}")


def mask(text: str) -> str:
    """Replace the token part of any link path with a placeholder."""
    return _LINK_TOKEN.sub(r"\1[token]", text)


class MaskTokens(logging.Filter):
    """A logging filter that masks link tokens in a record's message and arguments."""

    def filter(self, record: logging.LogRecord) -> bool:
        """Rewrite the record in place; never drop it."""
        if isinstance(record.msg, str):
            record.msg = mask(record.msg)
        if isinstance(record.args, tuple):
            record.args = tuple(mask(a) if isinstance(a, str) else a for a in record.args)
        return True


def install() -> None:
    """Attach the filter to the loggers that write request lines."""
    for name in ("werkzeug", "gunicorn.access", "gunicorn.error", "refcheck"):
        logger = logging.getLogger(name)
        if not any(isinstance(f, MaskTokens) for f in logger.filters):
            logger.addFilter(MaskTokens())
