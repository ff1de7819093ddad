"""Attendance marks as an AP reports them, under the DfE codes in force from 19 August 2024."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta

from ap_framework.rules import Problem, _, problem

SESSIONS = ("AM", "PM")
# The marks a provider may report, with what each means. "/" and "\" are the AM / PM present marks.
MARKS = {
	"/": "Present (AM)",
	"\\": "Present (PM)",
	"L": "Late, before the register closed",
	"U": "Late, after the register closed",
	"I": "Illness",
	"M": "Medical or dental appointment",
	"C": "Authorised absence, other exceptional circumstances",
	"C1": "Leave for a regulated performance or employment abroad",
	"C2": "Leave under an agreed part-time timetable",
	"E": "Suspended or excluded, no alternative provision",
	"G": "Holiday not authorised",
	"J1": "Interview",
	"N": "Reason not yet established",
	"O": "Absent in other unauthorised circumstances",
	"R": "Religious observance",
	"S": "Study leave",
	"T": "Mobile child travelling",
	"X": "Not required to attend (not a possible session)",
	"Q": "Unable to attend because of a lack of access arrangements",
	"Y1": "Transport not available",
	"Y2": "Widespread disruption to travel",
	"Y3": "Part of the school premises closed",
	"Y4": "Whole school site unexpectedly closed",
	"Y5": "Criminal justice detention",
	"Y6": "Public health guidance or law",
	"Y7": "Any other unavoidable cause",
}
WITHDRAWN = {"H": "H", "Y": "Y", "J": "J", "#": "#"}  # withdrawn in 2024 or not a provider's mark
PRESENT = frozenset({"/", "\\", "L"})
ATTENDED = PRESENT  # counts as attended at the provider
NOT_POSSIBLE = frozenset({"X", "Q", "Y1", "Y2", "Y3", "Y4", "Y5", "Y6", "Y7"})
UNEXPLAINED = frozenset({"N"})  # first-day absence follow-up: the reason is not known yet
ABSENT = frozenset(MARKS) - PRESENT - {"U"} - NOT_POSSIBLE


@dataclass(frozen=True)
class Mark:
	session: str
	mark: str
	minutes_late: int | None = None


def check_mark(m: Mark, register_close_minutes: int = 30) -> list[Problem]:
	problems = []
	if m.session not in SESSIONS:
		problems.append(
			problem("session", _("Session must be AM or PM, not {0}"), m.session, kind="attendance_mark")
		)
	if m.mark in WITHDRAWN:
		problems.append(
			problem(
				"mark", _("Mark {0} was withdrawn in 2024 and cannot be used"), m.mark, kind="attendance_mark"
			)
		)
		return problems
	if m.mark not in MARKS:
		problems.append(problem("mark", _("{0} is not an attendance mark"), m.mark, kind="attendance_mark"))
		return problems
	if m.mark == "/" and m.session == "PM":
		problems.append(
			problem(
				"mark",
				_("'/' is the morning present mark; use '\\' for the afternoon"),
				kind="attendance_mark",
			)
		)
	if m.mark == "\\" and m.session == "AM":
		problems.append(
			problem(
				"mark",
				_("'\\' is the afternoon present mark; use '/' for the morning"),
				kind="attendance_mark",
			)
		)
	late = m.minutes_late or 0
	if late < 0:
		problems.append(problem("minutes_late", _("Minutes late cannot be negative"), kind="attendance_mark"))
	if m.mark == "L" and not 0 < late <= register_close_minutes:
		problems.append(
			problem(
				"minutes_late",
				_("Late (L) needs the minutes late, between 1 and {0} (when the register closes)"),
				register_close_minutes,
				kind="attendance_mark",
			)
		)
	if m.mark == "U" and late <= register_close_minutes:
		problems.append(
			problem(
				"minutes_late",
				_("Late after the register closed (U) needs more than {0} minutes late"),
				register_close_minutes,
				kind="attendance_mark",
			)
		)
	if m.mark not in ("L", "U") and late:
		problems.append(
			problem(
				"minutes_late", _("Minutes late only go with L or U, not {0}"), m.mark, kind="attendance_mark"
			)
		)
	return problems


def present_mark(session: str) -> str:
	return "/" if session == "AM" else "\\"


def session_deadline(on: date, session_start_minutes: int, deadline_minutes: int) -> datetime:
	"""When the provider's register for a session is due at the home school."""
	return datetime.combine(on, datetime.min.time()) + timedelta(
		minutes=session_start_minutes + deadline_minutes
	)


def is_reported_late(
	reported_at: datetime, on: date, session_start_minutes: int, deadline_minutes: int
) -> bool:
	return reported_at > session_deadline(on, session_start_minutes, deadline_minutes)


def attendance_rate(marks: list[str]) -> float | None:
	"""Share of possible sessions attended, as a percentage; None when no session was possible."""
	possible = [m for m in marks if m not in NOT_POSSIBLE]
	if not possible:
		return None
	return round(100 * sum(1 for m in possible if m in ATTENDED) / len(possible), 1)
