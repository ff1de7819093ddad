"""Weekly timetables: hours per week, part-time status and overlaps for one pupil."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, time, timedelta
from itertools import pairwise

from ap_framework.rules import Problem, _, problem

WEEKDAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")


@dataclass(frozen=True)
class Slot:
	weekday: str
	start: int  # minutes after midnight
	end: int
	row: int = 0  # idx of the child row, for messages

	@property
	def minutes(self) -> int:
		return max(self.end - self.start, 0)


@dataclass(frozen=True)
class DatedTimetable:
	"""Another placement's timetable, with the dates it runs between."""

	name: str
	start: date
	end: date | None
	slots: tuple[Slot, ...]


def to_minutes(value) -> int | None:
	"""Frappe hands Time fields back as str 'HH:MM[:SS]', timedelta or time; accept all three."""
	if value is None or value == "":
		return None
	if isinstance(value, timedelta):
		return int(value.total_seconds() // 60)
	if isinstance(value, time):
		return value.hour * 60 + value.minute
	parts = str(value).split(":")
	try:
		return int(parts[0]) * 60 + int(parts[1] if len(parts) > 1 else 0)
	except ValueError:
		return None


def hours_per_week(slots: list[Slot]) -> float:
	return round(sum(s.minutes for s in slots) / 60, 2)


def is_part_time(hours: float, full_time_hours: float) -> bool:
	return hours < full_time_hours


def check_slots(slots: list[Slot], field_name: str = "timetable") -> list[Problem]:
	problems = []
	for s in slots:
		if s.weekday not in WEEKDAYS:
			problems.append(
				problem(
					field_name, _("Row {0}: {1} is not a day of the week"), s.row, s.weekday, kind="timetable"
				)
			)
		if s.start >= s.end:
			problems.append(
				problem(
					field_name, _("Row {0}: the session must end after it starts"), s.row, kind="timetable"
				)
			)
	by_day: dict[str, list[Slot]] = {}
	for s in slots:
		by_day.setdefault(s.weekday, []).append(s)
	for day, day_slots in by_day.items():
		day_slots.sort(key=lambda s: s.start)
		for a, b in pairwise(day_slots):
			if b.start < a.end:
				problems.append(
					problem(
						field_name, _("Rows {0} and {1} overlap on {2}"), a.row, b.row, day, kind="timetable"
					)
				)
	return problems


def _dates_overlap(a_start: date, a_end: date | None, b_start: date, b_end: date | None) -> bool:
	return a_start <= (b_end or date.max) and b_start <= (a_end or date.max)


def check_against_other_placements(
	start: date,
	end: date | None,
	slots: list[Slot],
	others: list[DatedTimetable],
	field_name: str = "timetable",
) -> list[Problem]:
	"""A pupil cannot be timetabled in two places at once: same weekday, overlapping times, overlapping dates."""
	problems = []
	for other in others:
		if not _dates_overlap(start, end, other.start, other.end):
			continue
		for s in slots:
			for o in other.slots:
				if s.weekday == o.weekday and s.start < o.end and o.start < s.end:
					problems.append(
						problem(
							field_name,
							_("Row {0} ({1} {2}) overlaps placement {3}, which has the pupil then"),
							s.row,
							s.weekday,
							fmt_minutes(s.start),
							other.name,
							kind="timetable_clash",
						)
					)
					break
	return problems


def fmt_minutes(minutes: int) -> str:
	return f"{minutes // 60:02d}:{minutes % 60:02d}"
