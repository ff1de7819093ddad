"""Retention: when a record has been kept long enough to be reviewed for removal, and by which rule.

Each record type has a period: a starting date (the pupil's date of birth, the record's own date, or the
end of the placement) plus a number of years. On that date the record falls due for review; it is only
removed once the named reviewer confirms (ap_framework/oversight/retention.py). The defaults follow:

- IRMS (Information and Records Management Society), Information Management Toolkit for Schools, the
  retention guidelines for pupil records:
  - "Child protection information held in separate files": DOB of the child + 25 years, then review.
    (The same period as the pupil's educational record at the last school: DOB of the pupil + 25 years.)
  - "Special Educational Needs files, reviews and Education, Health and Care Plan": DOB of the pupil +
    31 years (an EHC plan can run until the young person is 25; six years more for the Limitation Act
    1980).
  The toolkit also says a record series kept for longer or shorter than its guidelines needs the reason
  documented: an override in AP Settings carries its reason.
- The School Attendance (Pupil Registration) (England) Regulations 2024 (SI 2024/208), regulation 7:
  every entry in the admission and attendance registers is preserved for at least six years from the
  date the entry was made (the Education (Pupil Registration) (England) Regulations 2006 it replaced said
  three years). DfE, Working together to improve school attendance (August 2024), paragraph 36, repeats
  it. Six years is a minimum: AP Settings may lengthen it, never shorten it.

Dates: a period of N years from 29 February ends on 1 March when year N is not a leap year (never a day
early). A pupil whose date of birth is not recorded was born on or before the record was made, so the
record's own date + N years is the latest the period can end: the record falls due then, with a note.
A period counted from the end of a placement does not start while the placement runs.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, timedelta

from ap_framework.rules import Problem, _, problem

# ---- the bases a period is counted from (also the options of Retention Period.basis) -------------------
DATE_OF_BIRTH = "Date of Birth"
RECORD_DATE = "Record Date"
END_OF_PLACEMENT = "End of Placement"
BASES = (DATE_OF_BIRTH, RECORD_DATE, END_OF_PLACEMENT)

# ---- what happens on confirmation ----------------------------------------------------------------------
DELETE = "Delete"  # the record, its child rows, attachments, history and comments
BLANK = "Blank fields"  # the named fields are emptied; the record stays (Pupil Welfare)

# ---- a review's states (also the options of Retention Review.status) -----------------------------------
PENDING, DECLINED, REMOVED = "Pending", "Declined", "Removed"
STATUSES = (PENDING, DECLINED, REMOVED)

# ---- the guidance, as cited on each record type ----------------------------------------------------------
IRMS_CHILD_PROTECTION = _(
	"IRMS Information Management Toolkit for Schools: child protection information held in separate files,"
	" DOB of the child + 25 years then review"
)
IRMS_SEN = _(
	"IRMS Information Management Toolkit for Schools: Special Educational Needs files, reviews and EHC plans,"
	" DOB of the pupil + 31 years"
)
IRMS_PUPIL_RECORD = _(
	"IRMS Information Management Toolkit for Schools: the pupil's educational record, DOB of the pupil +"
	" 25 years"
)
REGISTRATION_2024_REG_7 = _(
	"School Attendance (Pupil Registration) (England) Regulations 2024, regulation 7: every register entry"
	" preserved for at least six years from the date it was made"
)

MISSING_DATE_OF_BIRTH = _(
	"Date of birth not recorded: counted from the record's date, the latest the period can end"
)
NOT_ENDED = _("The placement has not ended")
NO_DATE = _("The record has no date to count from")

MAX_YEARS = 100


@dataclass(frozen=True)
class Period:
	basis: str  # one of BASES
	years: int

	def describe(self, translate=lambda s: s) -> str:
		return translate("{0} + {1} years").format(translate(self.basis), self.years)


@dataclass(frozen=True)
class RecordType:
	"""One line of the retention schedule: a kind of record, its default period and where it comes from."""

	rule: str  # the name a Retention Review records (also the options of its `rule` field)
	doctype: str
	period: Period
	source: str
	date_field: str  # the record's own date (a missing one counts from when the record was created)
	action: str = DELETE
	fields: tuple[str, ...] = ()  # BLANK: the fields emptied
	fixed: bool = False  # follows the guidance; AP Settings cannot change it
	minimum: Period | None = None  # the least AP Settings may set (same basis, at least these years)
	special_category: bool = False  # its review is readable by the school's Safeguarding Lead too
	per_placement: bool = False  # one review for all of a placement's records (the attendance register)


# Pupil Welfare's facts, in two groups that fall due at different ages.
WELFARE_CHILD_PROTECTION = (
	"child_protection",
	"child_in_need",
	"looked_after",
	"safeguarding_notes",
	"pupil_premium",
	"fsm",
)
WELFARE_SEN = ("sen_status", "ehcp", "sen_notes")

SCHEDULE: tuple[RecordType, ...] = (
	RecordType(
		"Safeguarding Concern",
		"Safeguarding Concern",
		Period(DATE_OF_BIRTH, 25),
		IRMS_CHILD_PROTECTION,
		"raised_on",
		fixed=True,
		special_category=True,
	),
	RecordType(
		"Pupil Welfare: child protection",
		"Pupil Welfare",
		Period(DATE_OF_BIRTH, 25),
		IRMS_CHILD_PROTECTION,
		"creation",
		action=BLANK,
		fields=WELFARE_CHILD_PROTECTION,
		fixed=True,
		special_category=True,
	),
	RecordType(
		"Pupil Welfare: SEN",
		"Pupil Welfare",
		Period(DATE_OF_BIRTH, 31),
		IRMS_SEN,
		"creation",
		action=BLANK,
		fields=WELFARE_SEN,
		fixed=True,
		special_category=True,
	),
	RecordType(
		"Risk Assessment",
		"Risk Assessment",
		Period(DATE_OF_BIRTH, 25),
		IRMS_CHILD_PROTECTION,
		"assessment_date",
		fixed=True,
		special_category=True,
	),
	RecordType(
		"AP Attendance",
		"AP Attendance",
		Period(RECORD_DATE, 6),
		REGISTRATION_2024_REG_7,
		"attendance_date",
		minimum=Period(RECORD_DATE, 6),
		per_placement=True,
	),
	RecordType(
		"Contact Log", "Contact Log", Period(DATE_OF_BIRTH, 25), IRMS_PUPIL_RECORD, "contact_datetime"
	),
	RecordType(
		"Domain Assessment",
		"Domain Assessment",
		Period(DATE_OF_BIRTH, 25),
		IRMS_PUPIL_RECORD,
		"assessment_date",
	),
	RecordType("Plan Review", "Plan Review", Period(DATE_OF_BIRTH, 25), IRMS_PUPIL_RECORD, "review_date"),
	RecordType("Review Input", "Review Input", Period(DATE_OF_BIRTH, 25), IRMS_PUPIL_RECORD, "input_date"),
	RecordType("Pupil Plan", "Pupil Plan", Period(DATE_OF_BIRTH, 25), IRMS_PUPIL_RECORD, "plan_start"),
	RecordType(
		"Reintegration Plan", "Reintegration Plan", Period(DATE_OF_BIRTH, 25), IRMS_PUPIL_RECORD, "creation"
	),
	RecordType("Placement", "Placement", Period(DATE_OF_BIRTH, 25), IRMS_PUPIL_RECORD, "start_date"),
)
BY_RULE = {rt.rule: rt for rt in SCHEDULE}
RULES = tuple(rt.rule for rt in SCHEDULE)
CONFIGURABLE = tuple(rt.rule for rt in SCHEDULE if not rt.fixed)


# ---- dates -------------------------------------------------------------------------------------------
def add_years(d: date, years: int) -> date:
	"""`d` plus whole years; 29 February lands on 1 March in a year that has none (never a day early)."""
	try:
		return d.replace(year=d.year + years)
	except ValueError:  # 29 February into a common year
		return date(d.year + years, 3, 1)


def latest_start(today: date, years: int) -> date:
	"""The latest starting date whose period of `years` has ended by `today`: everything that started on or
	before it is due. (add_years never goes backwards, so "due" is one comparison in the database.)"""
	try:
		candidate = today.replace(year=today.year - years)
	except ValueError:  # today is 29 February and that year has none: 28 February + years is the 28th
		candidate = date(today.year - years, 2, 28)
	while add_years(candidate, years) > today:  # 29 February: its period ends on 1 March
		candidate -= timedelta(days=1)
	return candidate


def placement_end(status: str | None, end_date: date | None, last_changed: date | None) -> date | None:
	"""When a placement ended: its end date; one rejected or cancelled before it ran, the day it was.
	None while it is (or may still be) running."""
	if status in ("Ended", "Rejected", "Cancelled"):
		return end_date or last_changed
	return None


# ---- a record's due date -----------------------------------------------------------------------------
@dataclass(frozen=True)
class Facts:
	date_of_birth: date | None = None
	record_date: date | None = None  # the record's own date; for a register, its latest entry
	placement_end: date | None = None


@dataclass(frozen=True)
class Due:
	on: date | None  # None: never falls due on these facts
	note: str | None = None  # English; translated where shown

	def is_due(self, today: date) -> bool:
		return self.on is not None and self.on <= today


def due(period: Period, facts: Facts) -> Due:
	"""When a record with these facts falls due for review under `period`."""
	if period.basis == DATE_OF_BIRTH:
		if facts.date_of_birth:
			return Due(add_years(facts.date_of_birth, period.years))
		if facts.record_date:
			return Due(add_years(facts.record_date, period.years), MISSING_DATE_OF_BIRTH)
		return Due(None, NO_DATE)
	if period.basis == RECORD_DATE:
		if facts.record_date:
			return Due(add_years(facts.record_date, period.years))
		return Due(None, NO_DATE)
	if period.basis == END_OF_PLACEMENT:
		if facts.placement_end:
			return Due(add_years(facts.placement_end, period.years))
		return Due(None, NOT_ENDED)
	raise ValueError(f"unknown retention basis {period.basis!r}")


# ---- the schedule, with AP Settings' overrides --------------------------------------------------------
@dataclass(frozen=True)
class Override:
	"""A row of AP Settings' Retention Periods table."""

	idx: int
	rule: str | None
	basis: str | None
	years: int | None
	reason: str | None = None


def periods(overrides: Iterable[Override] = ()) -> dict[str, Period]:
	"""rule -> the period in force: the default, or AP Settings' override of a configurable record type.
	Overrides are checked when AP Settings is saved (check_overrides); one that would break the guidance
	is ignored here all the same."""
	out = {rt.rule: rt.period for rt in SCHEDULE}
	for o in overrides:
		rt = BY_RULE.get(o.rule or "")
		if rt and not _override_problems(o, rt):
			out[rt.rule] = Period(o.basis, int(o.years))
	return out


def check_overrides(overrides: Iterable[Override], field: str = "retention_periods") -> list[Problem]:
	"""AP Settings' overrides: each names a configurable record type once, with a basis, a number of years
	within reason, never less than a legal minimum, and the reason for departing from the default."""
	problems, seen = [], set()
	for o in overrides:
		rt = BY_RULE.get(o.rule or "")
		if rt is None:
			problems.append(problem(field, _("Row {0}: choose a record type"), o.idx, kind="retention"))
			continue
		if rt.rule in seen:
			problems.append(
				problem(field, _("Row {0}: {1} is listed more than once"), o.idx, rt.rule, kind="retention")
			)
		seen.add(rt.rule)
		problems += _override_problems(o, rt, field)
	return problems


def _override_problems(o: Override, rt: RecordType, field: str = "retention_periods") -> list[Problem]:
	if rt.fixed:
		return [
			problem(
				field,
				_("Row {0}: {1} follows the guidance ({2}) and cannot be changed here"),
				o.idx,
				rt.rule,
				rt.period.describe(),
				kind="retention",
			)
		]
	if o.basis not in BASES:
		return [problem(field, _("Row {0}: choose what the period counts from"), o.idx, kind="retention")]
	if not o.years or not 1 <= int(o.years) <= MAX_YEARS:
		return [
			problem(
				field, _("Row {0}: the period must be 1 to {1} years"), o.idx, MAX_YEARS, kind="retention"
			)
		]
	if rt.minimum and (o.basis != rt.minimum.basis or int(o.years) < rt.minimum.years):
		return [
			problem(
				field,
				_("Row {0}: {1} must be kept at least {2} ({3})"),
				o.idx,
				rt.rule,
				rt.minimum.describe(),
				rt.source,
				kind="retention",
			)
		]
	if not (o.reason or "").strip():
		return [
			problem(
				field,
				_("Row {0}: give the reason for keeping {1} for a period other than the default"),
				o.idx,
				rt.rule,
				kind="retention",
			)
		]
	return []


# ---- the reviewer's decisions --------------------------------------------------------------------------
def check_decline(note: str | None, review_again_on: date | None, today: date) -> list[Problem]:
	"""Keeping a record past its period needs the reason, and a date to look at it again (after today)."""
	problems = []
	if not (note or "").strip():
		problems.append(
			problem("decision_note", _("Say why the record is to be kept past its period"), kind="retention")
		)
	if not review_again_on:
		problems.append(problem("review_again_on", _("Say when to review it again"), kind="retention"))
	elif review_again_on <= today:
		problems.append(
			problem("review_again_on", _("Must be after today ({0})"), today.isoformat(), kind="retention")
		)
	elif review_again_on > add_years(today, MAX_YEARS):
		problems.append(
			problem("review_again_on", _("Must be within {0} years"), MAX_YEARS, kind="retention")
		)
	return problems


def check_pending(status: str | None) -> list[Problem]:
	"""Only a pending review is decided: a removed record's stub, or a kept one's, stays as it is."""
	if status != PENDING:
		return [
			problem(
				"status",
				_("Only a pending review can be decided (this one is {0})"),
				status,
				kind="retention",
			)
		]
	return []


def check_confirm(status: str | None, record_due: Due, today: date) -> list[Problem]:
	"""A record is removed only from a pending review, and only once it is due on the facts as they are now
	(a date of birth corrected since the review was raised may have moved it)."""
	problems = check_pending(status)
	if not problems and not record_due.is_due(today):
		when = record_due.on.isoformat() if record_due.on else _(record_due.note or NO_DATE)
		problems.append(
			problem("due_on", _("The record is not due for removal yet ({0})"), when, kind="retention")
		)
	return problems
