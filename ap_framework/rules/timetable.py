"""Weekly timetables: hours per week, part-time status, overlaps, and the register sessions each slot
covers, for one pupil."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, time, timedelta
from itertools import pairwise

from ap_framework.rules import Problem, _, problem
from ap_framework.rules.attendance import SESSIONS

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


# ---- register sessions -----------------------------------------------------------------------------
SCHOOL_DAYS = WEEKDAYS[:5]
# A slot that reaches into a second session by less than this is taken to belong to the first: a
# morning that runs on ten minutes past the afternoon register is still a morning placement.
MIN_OVERLAP_MINUTES = 30
DAY_END = 24 * 60


@dataclass(frozen=True)
class SessionWindows:
	"""The school day's two register sessions, from AP Settings (minutes after midnight).

	The morning runs until `am_end`; the afternoon from `pm_start` to the end of the day; between them is
	the break, when no register is taken. `am_start` is when the morning register opens."""

	am_start: int = 9 * 60
	am_end: int = 12 * 60
	pm_start: int = 13 * 60

	def opens(self, session: str) -> int:
		"""When the session's register opens: the earliest its deadline can run from."""
		return self.am_start if session == "AM" else self.pm_start

	def overlap(self, slot: Slot, session: str) -> int:
		lo, hi = (0, self.am_end) if session == "AM" else (self.pm_start, DAY_END)
		return max(min(slot.end, hi) - max(slot.start, lo), 0)


def check_windows(windows: SessionWindows) -> list[Problem]:
	"""The morning opens before it ends, and ends no later than the afternoon starts."""
	problems = []
	if not windows.am_start < windows.am_end:
		problems.append(
			problem("am_session_end", _("The morning session must end after it starts"), kind="timetable")
		)
	if not windows.am_end <= windows.pm_start:
		problems.append(
			problem(
				"pm_session_start",
				_("The afternoon session cannot start before the morning session ends"),
				kind="timetable",
			)
		)
	return problems


def covers(slot: Slot, windows: SessionWindows) -> tuple[str, ...]:
	"""The register sessions a timetable slot puts the pupil on: each session it overlaps.

	Decided edge cases (each has a unit test):
	- 09:00–15:00 covers AM and PM; 09:00–12:00 AM only; 13:15–15:00 PM only.
	- The morning window runs from midnight, the afternoon to midnight: an 08:00 breakfast start is on the
	  morning register, an 18:00 evening session on the afternoon one. A register exists for every slot
	  outside the break.
	- A slot that crosses into the other session by less than MIN_OVERLAP_MINUTES does not cover it
	  (09:00–13:10 with the afternoon from 13:00 is a morning); when both overlaps are that short, the
	  longer one wins, the morning on a tie.
	- A slot wholly in the break between the sessions covers none (check_sessions refuses it).
	- Two slots in one session put the pupil on that session's register once (weekly_sessions is a set).
	- Saturday and Sunday slots cover sessions by the same clock, so the provider reports attendance and
	  the session is costed; they are not school sessions (school_sessions_per_week, the home school's
	  register and the census count Monday to Friday only)."""
	if slot.end <= slot.start:
		return ()
	overlaps = {s: windows.overlap(slot, s) for s in SESSIONS}
	touched = [s for s in SESSIONS if overlaps[s] > 0]
	if len(touched) < 2:
		return tuple(touched)
	long_enough = tuple(s for s in touched if overlaps[s] >= MIN_OVERLAP_MINUTES)
	if long_enough:
		return long_enough
	return ("AM",) if overlaps["AM"] >= overlaps["PM"] else ("PM",)


def check_sessions(
	slots: list[Slot], windows: SessionWindows, field_name: str = "timetable"
) -> list[Problem]:
	"""Every slot is on a register: one wholly inside the break between the sessions is refused, since no
	register would ever show where the pupil was."""
	return [
		problem(
			field_name,
			_(
				"Row {0}: {1}–{2} lies wholly in the break between the morning and afternoon sessions ({3}–{4}), so no register covers it"
			),
			s.row,
			fmt_minutes(s.start),
			fmt_minutes(s.end),
			fmt_minutes(windows.am_end),
			fmt_minutes(windows.pm_start),
			kind="timetable",
		)
		for s in slots
		if s.start < s.end and s.weekday in WEEKDAYS and not covers(s, windows)
	]


def weekly_sessions(covered: Iterable[tuple[str, bool, bool]]) -> set[tuple[str, str]]:
	"""(weekday, session) the week's rows cover, from (weekday, covers AM, covers PM) per row."""
	out = set()
	for weekday, am, pm in covered:
		if am:
			out.add((weekday, "AM"))
		if pm:
			out.add((weekday, "PM"))
	return out


def school_sessions_per_week(covered: Iterable[tuple[str, bool, bool]]) -> int:
	"""School sessions a week (0–10): Monday to Friday, two a day."""
	return sum(1 for weekday, _s in weekly_sessions(covered) if weekday in SCHOOL_DAYS)


def register_opens(session: str, slot_starts: Iterable[int], windows: SessionWindows) -> int:
	"""When a pupil's register for a session opens, for its deadline and lateness: the later of the
	session's own start and the pupil's first slot in it that day. A 09:00–15:00 pupil's afternoon
	register opens at the afternoon start, not at 09:00; a 13:30 arrival's at 13:30."""
	starts = list(slot_starts)
	return max(windows.opens(session), min(starts)) if starts else windows.opens(session)
