"""Figures for value-for-money reviews: unit costs, and the change across the development domains."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date


def per(amount: float, count: float) -> float | None:
	"""A unit cost, or None when there is nothing to divide by."""
	return round(amount / count, 2) if count else None


def domain_change(scores: Iterable[tuple[date, bool, str, float]]) -> float | None:
	"""One pupil's change across the domains: for each domain scored both at baseline (the latest
	baseline) and since (the latest later assessment), latest minus baseline; the mean over those domains.
	`scores` are (assessment date, is baseline, domain, score). None when nothing can be compared."""
	baseline: dict[str, tuple[date, float]] = {}
	latest: dict[str, tuple[date, float]] = {}
	for on, is_baseline, domain, score in scores:
		target = baseline if is_baseline else latest
		if domain not in target or on >= target[domain][0]:
			target[domain] = (on, float(score))
	changes = [
		latest[d][1] - baseline[d][1] for d in baseline if d in latest and latest[d][0] >= baseline[d][0]
	]
	return round(sum(changes) / len(changes), 2) if changes else None


def mean(values: Iterable[float | None]) -> float | None:
	vals = [v for v in values if v is not None]
	return round(sum(vals) / len(vals), 2) if vals else None
