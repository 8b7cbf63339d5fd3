"""Pure figures for the staff metrics: percentiles, time spent in each stage, and bar chart geometry."""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

# The stages a case passes through before it ends, in order; time in each is what staff can change.
STAGES = ("awaiting_consent", "nominating", "collecting", "review", "candidate_review")
DAY = 86400.0
_ORDER = {state: rank for rank, state in enumerate(
    ("draft", *STAGES, "released", "declined", "withdrawn", "cancelled"))}


def duration_words(days: float | None) -> str:
    """Say a duration as people would: minutes or hours under a day, days with one decimal above."""
    if days is None:
        return "—"
    hours = days * 24
    if hours < 1:
        return f"{max(1, round(hours * 60))} min"
    if days < 1:
        return f"{hours:.1f} hours"
    return f"{days:.1f} days"


def one_unit(days: Iterable[float | None]) -> tuple[str, float]:
    """Choose one unit for durations shown together: days, or hours when none reaches a day.

    Returns the unit's name and how many of it make a day, so a chart's title and its bars agree.
    """
    longest = max((value for value in days if value is not None), default=None)
    return ("hours", 24.0) if longest is not None and longest < 1 else ("days", 1.0)


def in_unit(days: float | None, unit: tuple[str, float]) -> str:
    """Write a duration in days in the given unit, with one decimal: '6.0 days', '3.5 hours'."""
    if days is None:
        return "none yet"
    name, per_day = unit
    return f"{days * per_day:.1f} {name}"


def percentile(values: list[float], fraction: float) -> float | None:
    """Return the value below which `fraction` of the values lie (linear interpolation), or None."""
    return _percentile_of_sorted(sorted(values), fraction)


def _percentile_of_sorted(ordered: list[float], fraction: float) -> float | None:
    """Return percentile() of values already in ascending order."""
    if not ordered:
        return None
    position = (len(ordered) - 1) * fraction
    low, high = math.floor(position), math.ceil(position)
    return ordered[low] + (ordered[high] - ordered[low]) * (position - low)


@dataclass(frozen=True)
class Spread:
    """How long something took: how many, the median and the 90th percentile, in days."""

    count: int
    median_days: float | None
    p90_days: float | None

    @classmethod
    def of_seconds(cls, seconds: list[float]) -> Spread:
        """Summarise durations given in seconds."""
        ordered = sorted(seconds)
        return cls.of_percentiles(len(ordered), _percentile_of_sorted(ordered, 0.5),
                                  _percentile_of_sorted(ordered, 0.9))

    @classmethod
    def of_percentiles(cls, count: int, median: float | None, p90: float | None) -> Spread:
        """Summarise durations from their count and their median and 90th percentile in seconds."""
        return cls(count, None if median is None else median / DAY, None if p90 is None else p90 / DAY)


def stage_durations(stage_times: Mapping[str, str]) -> dict[str, float]:
    """Return seconds spent in each finished stage of one case, from when it entered each state."""
    # States entered at the same moment (a case opened and sent at once) keep their lifecycle order.
    entered = sorted((dt.datetime.fromisoformat(at), _ORDER.get(state, len(_ORDER)), state)
                     for state, at in stage_times.items())
    spent: dict[str, float] = {}
    for (start, _rank, state), (end, _next_rank, _next) in zip(entered, entered[1:], strict=False):
        if state in STAGES:
            spent[state] = max(0.0, (end - start).total_seconds())
    return spent


@dataclass(frozen=True)
class Bar:
    """One bar of a horizontal bar chart, in chart units (0-100 wide)."""

    label: str
    value: float
    width: float
    text: str


def bars(items: Iterable[tuple[str, float | None, str]]) -> list[Bar]:
    """Scale (label, value, text) rows to bars whose widths share one scale; missing values are 0 wide."""
    rows = list(items)
    top = max((value for _, value, _ in rows if value), default=0) or 1
    return [Bar(label, value or 0, round(100 * (value or 0) / top, 2), text) for label, value, text in rows]
