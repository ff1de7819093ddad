"""A provider's daily register, judged as one set: every mark valid, every pupil really timetabled."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from ap_framework.rules import Problem, _, attendance, dates, problem


@dataclass(frozen=True)
class Expected:
	"""A placement timetabled with this provider for the register's date and session."""

	placement: str
	pupil_name: str
	start: date
	end: date | None
	session_start: int  # minutes after midnight
	pupil: str = ""  # what the mark is filed under, beside the placement
	school: str = ""


@dataclass(frozen=True)
class Submitted:
	placement: str
	mark: str
	minutes_late: int | None = None
	note: str | None = None
	row: int = 0


def check(
	on: date | None,
	session: str | None,
	today: date,
	expected: dict[str, Expected],
	submitted: list[Submitted],
	register_close_minutes: int,
) -> list[Problem]:
	problems = []
	if not on:
		return [problem("attendance_date", _("Choose the register's date"), kind="attendance_mark")]
	problems += dates.not_in_future("attendance_date", on, today, _("Register date"))
	if session not in attendance.SESSIONS:
		problems.append(
			problem("session", _("Session must be AM or PM, not {0}"), session, kind="attendance_mark")
		)
	if not submitted:
		problems.append(problem("marks", _("Mark at least one pupil"), kind="attendance_mark"))
	seen = set()
	for s in submitted:
		who = expected.get(s.placement)
		if who is None:
			# Not naming the pupil: the placement may belong to someone else entirely.
			problems.append(
				problem(
					"marks",
					_("Row {0}: that pupil is not timetabled with you for this session"),
					s.row,
					kind="outside_window",
				)
			)
			continue
		if s.placement in seen:
			problems.append(
				problem(
					"marks", _("Row {0}: {1} is marked twice"), s.row, who.pupil_name, kind="attendance_mark"
				)
			)
		seen.add(s.placement)
		if on < who.start or (who.end and on > who.end):
			problems.append(
				problem(
					"marks",
					_("Row {0}: {1}'s placement does not run on {2}"),
					s.row,
					who.pupil_name,
					on,
					kind="outside_window",
				)
			)
		for p in attendance.check_mark(
			attendance.Mark(session or "", s.mark, s.minutes_late), register_close_minutes
		):
			if p.field != "session":
				problems.append(
					problem("marks", _("Row {0} ({1}): {2}"), s.row, who.pupil_name, p, kind=p.kind)
				)
	return problems
