"""The home school's register for its pupils in AP: for each school session, the code the school
records, worked out from the AP's own mark and from who arranged the placement.

DfE, "Working together to improve school attendance" (statutory guidance, August 2024), its section on
the attendance codes, read with the School Attendance (Pupil Registration) (England) Regulations 2024:
- the AP reports the pupil present (`/`, `\\`) or late before the register closed (`L`): the pupil is
  attending a place other than the school, so the home school records code K ("Attending education
  provision arranged by the local authority") when the LA arranged it, and code B ("Attending any other
  approved educational activity") when the school did: the K line says provision the school arranges
  is recorded with P or B, never K;
- a dual registered pupil: code D ("Dual registered – at another school"), which is not a possible
  session at the home school, whatever the other school reports;
- the AP reports an absence, a session that was not possible, or a late arrival after the register
  closed: the AP's code itself, since it names why the pupil was not at the provision (the home
  school's register says the same of the same session);
- the AP has not reported: no code. The register records what happened, and until the provider says,
  nobody at the school knows; the row says whose report is missing instead of guessing.

Which placements a row comes from, which days count and what a row says are decided here, from plain
values gathered by ap_framework/oversight/home_register.py (two queries for a whole school and term).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from ap_framework.rules import Problem, _, attendance, problem
from ap_framework.rules import placement as placement_rules
from ap_framework.rules.timetable import SCHOOL_DAYS, WEEKDAYS, SessionWindows, register_opens

ARRANGED_BY_SCHOOL, ARRANGED_BY_LA, DUAL_REGISTERED = "B", "K", "D"
HOME_CODES = (ARRANGED_BY_SCHOOL, ARRANGED_BY_LA, DUAL_REGISTERED)

# What a row says about the AP's report: stable English values, which the CSV and the API carry as
# they are and the desk report translates (_ marks them for the extractor).
REPORTED = _("Reported")  # the AP's mark gives the code
NOT_TIMETABLED = _("Not timetabled")  # the AP reported a session the timetable does not show
DUAL = _("Dual registered")  # D, whether or not the AP has reported
MISSING = _("Missing")  # due, and the AP has not reported: no code
NOT_YET_DUE = _("Not yet due")  # the AP's register deadline for the session has not come: no code yet
STATUSES = (REPORTED, NOT_TIMETABLED, DUAL, MISSING, NOT_YET_DUE)

MAX_DAYS = 100  # the longest period asked for at once: a term, holidays and weekends included
LIVE_STATES = ("Approved", "Active", "Ended")  # a placement that ran (ended ones up to their end)
# Who may see a school's register: the report's roles; each sees the schools their scope allows.
VIEWER_ROLES = ("AP Administrator", "AP Lead", "Senior Leader", "Safeguarding Lead")
KIND = "register_period"


# ---- the period ------------------------------------------------------------------------------------
def period(from_date: date | None, to_date: date | None, today: date) -> tuple[date, date]:
	"""The days asked for, with defaults: this school week (Monday to Friday of today's week); a
	period with only a start runs to the Friday of its week, one with only an end from its Monday."""
	if from_date is None and to_date is None:
		monday = today - timedelta(days=today.weekday())
		return monday, monday + timedelta(days=4)
	if from_date is None:
		return to_date - timedelta(days=to_date.weekday()), to_date
	if to_date is None:
		friday = from_date + timedelta(days=4 - from_date.weekday())
		return from_date, max(friday, from_date)
	return from_date, to_date


def check_period(start: date, end: date, max_days: int = MAX_DAYS) -> list[Problem]:
	"""The period runs forwards and is at most `max_days` long (both ends counted)."""
	if end < start:
		return [
			problem(
				"to_date", _("The register cannot end ({0}) before it starts ({1})"), end, start, kind=KIND
			)
		]
	days = (end - start).days + 1
	if days > max_days:
		return [
			problem(
				"to_date",
				_("The register covers at most {0} days (about a term) at a time; {1} to {2} is {3} days"),
				max_days,
				start,
				end,
				days,
				kind=KIND,
			)
		]
	return []


def school_days(start: date, end: date, closed: Iterable[date] = ()) -> list[date]:
	"""Monday to Friday from `start` to `end`, less the days the school is closed."""
	shut = set(closed)
	out, day = [], start
	while day <= end:
		if day.weekday() < len(SCHOOL_DAYS) and day not in shut:
			out.append(day)
		day += timedelta(days=1)
	return out


# ---- the codes -------------------------------------------------------------------------------------
def home_code(placement_type: str | None, stored: str | None = None) -> str | None:
	"""The placement's home-school code: as the placement holds it, else from its type."""
	return stored if stored in HOME_CODES else placement_rules.home_school_code(placement_type)


def is_report(mark: str | None) -> bool:
	"""A mark that says what happened: a DfE code a provider may report. Anything else (nothing yet, a
	code withdrawn in 2024) is not a report, and no code is made from it."""
	return bool(mark) and mark in attendance.MARKS


def code_for(home: str | None, mark: str | None) -> str | None:
	"""The code the home school records for one placement's session."""
	if home == DUAL_REGISTERED:
		return DUAL_REGISTERED
	if not is_report(mark):
		return None
	if mark in attendance.PRESENT:
		return home if home in (ARRANGED_BY_SCHOOL, ARRANGED_BY_LA) else None
	return mark


# ---- one session ------------------------------------------------------------------------------------
@dataclass(frozen=True)
class Part:
	"""One placement's part in a pupil's session."""

	placement: str
	provider: str
	home: str | None  # B, K or D
	mark: str | None = None  # the AP's mark; None until reported
	timetabled: bool = True  # a timetable row covers the session that weekday
	due: bool = True  # the AP's register deadline for the session has passed
	opens: int = 0  # when its register opened (minutes after midnight): orders the parts


@dataclass(frozen=True)
class Entry:
	code: str | None
	status: str
	ap_mark: str | None  # the AP's mark(s), for information
	providers: tuple[str, ...]  # every provider with the pupil that session
	awaiting: tuple[str, ...]  # the providers whose report is missing (or not yet due)
	timetabled: bool


def entry(parts: Iterable[Part]) -> Entry:
	"""What the home school records for a pupil's session, from every placement with them in it.

	Almost always one placement. Where two share a session (a morning split between two providers):
	- D when either is a dual registration;
	- else the pupil attended if either AP reports them present: that placement's B or K (the earlier
	  in the session first);
	- else, once every AP has reported, the earliest AP's absence code;
	- else no code: Missing (or Not yet due), naming the providers whose report is awaited."""
	parts = sorted(parts, key=lambda p: (not p.timetabled, p.opens, p.provider, p.placement))
	providers = tuple(dict.fromkeys(p.provider for p in parts))
	timetabled = any(p.timetabled for p in parts)
	reported = [p for p in parts if is_report(p.mark)]
	waiting = [p for p in parts if not is_report(p.mark)]
	awaiting = tuple(dict.fromkeys(p.provider for p in waiting))
	ap_mark = ", ".join(p.mark for p in reported) or None
	if any(p.home == DUAL_REGISTERED for p in parts):
		return Entry(DUAL_REGISTERED, DUAL, ap_mark, providers, (), timetabled)
	reported_status = REPORTED if timetabled else NOT_TIMETABLED
	for p in reported:
		if p.mark in attendance.PRESENT and code_for(p.home, p.mark):
			return Entry(code_for(p.home, p.mark), reported_status, ap_mark, providers, awaiting, timetabled)
	if waiting:
		status = MISSING if any(p.due for p in waiting) else NOT_YET_DUE
		return Entry(None, status, ap_mark, providers, awaiting, timetabled)
	first = reported[0]
	return Entry(code_for(first.home, first.mark), reported_status, ap_mark, providers, (), timetabled)


# ---- the whole register -----------------------------------------------------------------------------
@dataclass(frozen=True)
class Placement:
	name: str
	pupil: str
	provider: str
	home: str | None
	start: date
	end: date | None  # its end date, else its planned end; None: open

	def runs_on(self, day: date) -> bool:
		return self.start <= day and (self.end is None or day <= self.end)


@dataclass(frozen=True)
class Slot:
	"""A timetable row: a weekday, the sessions it covers and when it starts."""

	placement: str
	weekday: str
	covers_am: bool
	covers_pm: bool
	start: int  # minutes after midnight


@dataclass(frozen=True)
class Mark:
	placement: str
	day: date
	session: str
	mark: str | None


Key = tuple[str, date, str]  # pupil, day, session


def register(
	placements: Iterable[Placement],
	slots: Iterable[Slot],
	marks: Iterable[Mark],
	days: Iterable[date],
	now: datetime,
	windows: SessionWindows,
	deadline_minutes: int,
) -> dict[Key, Entry]:
	"""Every school session of `days` on which a live placement is timetabled, and every session of a
	school day the AP reported, keyed by (pupil, day, session).

	- A placement is live on a day from its start to its end (its planned end while it has none).
	- A session is timetabled when a row of that weekday covers it (Placement Session covers_am/pm);
	  its register deadline runs from its earliest opening (rules.timetable.register_opens), as the
	  provider's own register judges it.
	- `days` are the school days (school_days: weekends and closures left out). A mark the AP made on
	  one of them appears even where the timetable shows no session ("Not timetabled"); a mark on a day
	  outside them (a Saturday session, a day the school is closed) is not a school session."""
	days = sorted(set(days))
	by_name = {p.name: p for p in placements}
	starts: dict[tuple[str, str, str], list[int]] = {}
	for s in slots:
		for session, covered in (("AM", s.covers_am), ("PM", s.covers_pm)):
			if covered and s.placement in by_name:
				starts.setdefault((s.placement, s.weekday, session), []).append(s.start)
	reported = {(m.placement, m.day, m.session): m.mark for m in marks if m.placement in by_name}
	parts: dict[Key, list[Part]] = {}
	school_day = set(days)
	for day in days:
		weekday = WEEKDAYS[day.weekday()]
		for p in by_name.values():
			if not p.runs_on(day):
				continue
			for session in attendance.SESSIONS:
				minutes = starts.get((p.name, weekday, session))
				if not minutes:
					continue
				opens = register_opens(session, minutes, windows)
				due = now > attendance.session_deadline(day, opens, deadline_minutes)
				mark = reported.pop((p.name, day, session), None)
				parts.setdefault((p.pupil, day, session), []).append(
					Part(p.name, p.provider, p.home, mark, True, due, opens)
				)
	for (name, day, session), mark in reported.items():
		if day in school_day and is_report(mark):
			p = by_name[name]
			parts.setdefault((p.pupil, day, session), []).append(
				Part(p.name, p.provider, p.home, mark, False, True, windows.opens(session))
			)
	return {key: entry(each) for key, each in parts.items()}


# ---- the file for the school's MIS ------------------------------------------------------------------
# (row field, column header): fixed English headers, so an MIS import mapped once keeps working.
CSV_COLUMNS = (
	("upn", "UPN"),
	("last_name", "Surname"),
	("first_name", "Forename"),
	("date", "Date"),
	("session", "Session"),
	("code", "Mark"),
	("provider", "Provider"),
	("status", "Status"),
	("ap_mark", "AP mark"),
)
CSV_HEADER = tuple(header for _field, header in CSV_COLUMNS)
# A cell a spreadsheet would run as a formula (CWE-1236) is written with a leading apostrophe.
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def csv_cell(value) -> str:
	"""A value as the file writes it: dates as YYYY-MM-DD, nothing as empty, never a formula."""
	if value is None:
		return ""
	text = value.isoformat() if isinstance(value, date) else str(value)
	return "'" + text if text.startswith(FORMULA_START) else text


def csv_rows(rows: Iterable[dict]) -> list[list[str]]:
	return [[csv_cell(r.get(field)) for field, _header in CSV_COLUMNS] for r in rows]
