"""Reintegration plans: a staged, dated route back to school and a watch after it."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from ap_framework.rules import Problem, _, problem


@dataclass(frozen=True)
class Stage:
	start: date | None
	end: date | None
	row: int = 0


def monitoring_end(target: date | None, weeks: int | None) -> date | None:
	if not target:
		return None
	return target + timedelta(weeks=max(weeks or 0, 0))


def check(
	target: date | None, placement_start: date | None, monitoring_weeks: int | None, stages: list[Stage]
) -> list[Problem]:
	problems = []
	if target and placement_start and target < placement_start:
		problems.append(
			problem(
				"target_date",
				_("The return date cannot be before the placement started ({0})"),
				placement_start,
				kind="date_order",
			)
		)
	if monitoring_weeks is not None and monitoring_weeks < 0:
		problems.append(
			problem("monitoring_weeks", _("Monitoring weeks cannot be negative"), kind="date_order")
		)
	previous = None
	for s in stages:
		if s.start and s.end and s.end < s.start:
			problems.append(
				problem("stages", _("Stage row {0} ends before it starts"), s.row, kind="date_order")
			)
		if previous and previous.end and s.start and s.start <= previous.end:
			problems.append(
				problem("stages", _("Stage row {0} overlaps the stage before it"), s.row, kind="date_order")
			)
		if placement_start and s.start and s.start < placement_start:
			problems.append(
				problem("stages", _("Stage row {0} starts before the placement"), s.row, kind="date_order")
			)
		previous = s
	return problems


def fallbacks(before: dict[str, int], now: dict[str, int]) -> list[str]:
	"""Domains scored lower now than at the last assessment before the pupil returned."""
	return sorted(d for d, score in now.items() if d in before and score < before[d])


def check_in_due(
	ended: date, monitoring_end: date | None, every_weeks: int | None, today: date, last_check_in: date | None
) -> date | None:
	"""The check-in date that has come round without a check-in since, if any, while monitoring lasts.

	Check-ins fall every `every_weeks` weeks after the return; one counts for the latest date it
	follows, so a missed date is asked for once, not again at each later date."""
	if not monitoring_end or not every_weeks or every_weeks <= 0 or today > monitoring_end or today <= ended:
		return None
	step = timedelta(weeks=every_weeks)
	due = ended + step * ((today - ended) // step)
	if due <= ended:
		return None
	if last_check_in and last_check_in >= due:
		return None
	return due
