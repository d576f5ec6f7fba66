"""Bands for the numeric facets: credit hours, cost and duration."""

from __future__ import annotations

CREDIT_HOUR_BANDS = (
    ("up-to-3", "Up to 3 credit hours", 3.0),
    ("4-6", "4 to 6 credit hours", 6.0),
    ("7-9", "7 to 9 credit hours", 9.0),
    ("over-9", "More than 9 credit hours", float("inf")),
)
COST_BANDS = (
    ("free", "Free", 0.0),
    ("under-500", "$1 to $500", 500.0),
    ("500-1500", "$501 to $1,500", 1500.0),
    ("1500-3000", "$1,501 to $3,000", 3000.0),
    ("over-3000", "More than $3,000", float("inf")),
)
DURATION_BANDS = (
    ("up-to-4-weeks", "Up to 4 weeks", 4.0),
    ("5-8-weeks", "5 to 8 weeks", 8.0),
    ("9-16-weeks", "9 to 16 weeks", 16.0),
    ("over-16-weeks", "More than 16 weeks", float("inf")),
)
UNKNOWN = ("unknown", "Not stated")


def band(value: float | None, bands) -> str | None:
    if value is None:
        return None
    for key, _label, upper in bands:
        if value <= upper:
            return key
    return None


def labels(bands) -> dict[str, str]:
    return {key: label for key, label, _ in bands} | {UNKNOWN[0]: UNKNOWN[1]}
