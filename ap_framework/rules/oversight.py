"""What the oversight jobs look for: what is due, overdue or expiring, given dates and settings.

Each check takes plain facts (gathered by ap_framework/oversight/jobs.py in a few set-based queries) and
returns Findings. A Finding names the rule, the record it is about and the period (a date, a session, a
week) that makes it one occurrence: with the recipient, that is the key an AP Alert is recorded under.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from ap_framework.rules import _
from ap_framework.rules.attendance import ATTENDED, NOT_POSSIBLE, session_deadline
from ap_framework.rules.policies import due_for_review

# The rules an AP Alert records (also the options of its `rule` field).
ATTENDANCE_NOT_MARKED = "Attendance Not Marked"
LOW_ATTENDANCE = "Low Attendance"
REVIEW_DUE = "Review Due"
REVIEW_OVERDUE = "Review Overdue"
ASSURANCE_EXPIRING = "Assurance Expiring"
ASSURANCE_EXPIRED = "Assurance Expired"
QA_DUE = "QA Audit Due"
VISIT_DUE = "Visit Due"
PLACEMENT_ASSURANCE_EXPIRED = "Provider Assurance Expired"
PLACEMENT_PROVIDER_SUSPENDED = "Provider Suspended"
ENDING_WITHOUT_PLAN = "Ending Without Reintegration Plan"
PART_TIME_REVIEW_OVERDUE = "Part-time Review Overdue"
PLAN_NOT_AGREED = "Plan Not Agreed"
WEEKLY_DIGEST = "Weekly Digest"
CHECK_IN_DUE = "Reintegration Check-in Due"
DOMAIN_FELL_BACK = "Domain Fell Back"
RECEIPT_OVERDUE = "Safeguarding Receipt Overdue"
TRANSFER_DECIDED = "Transfer Decided"
POLICY_REVIEW_DUE = "Policy Review Due"
POLICY_LAPSED = "Policy Lapsed"
RULES = (
	ATTENDANCE_NOT_MARKED,
	LOW_ATTENDANCE,
	REVIEW_DUE,
	REVIEW_OVERDUE,
	ASSURANCE_EXPIRING,
	ASSURANCE_EXPIRED,
	QA_DUE,
	VISIT_DUE,
	PLACEMENT_ASSURANCE_EXPIRED,
	PLACEMENT_PROVIDER_SUSPENDED,
	ENDING_WITHOUT_PLAN,
	PART_TIME_REVIEW_OVERDUE,
	PLAN_NOT_AGREED,
	WEEKLY_DIGEST,
	CHECK_IN_DUE,
	DOMAIN_FELL_BACK,
	RECEIPT_OVERDUE,
	TRANSFER_DECIDED,
	POLICY_REVIEW_DUE,
	POLICY_LAPSED,
)
REVIEW_RULES = (REVIEW_DUE, REVIEW_OVERDUE)
NEVER = "never"  # the period of "due because it has never happened"

# One line per finding, English with {0}-style placeholders (Finding.args); translated when sent.
MESSAGES = {
	ATTENDANCE_NOT_MARKED: _("{0}: no {1} attendance mark for {2}; it was due by {3}"),
	LOW_ATTENDANCE: _(
		"{0}: attendance is {1}% over the last {2} weeks, below {3}%. Open an intervention plan."
	),
	REVIEW_DUE: _("{0}: the plan review is due by {1}"),
	REVIEW_OVERDUE: _("{0}: the plan review was due by {1} and has not been held"),
	ASSURANCE_EXPIRING: _("{0}: the safeguarding assurance expires on {1}"),
	ASSURANCE_EXPIRED: _("{0}: the safeguarding assurance expired on {1}"),
	QA_DUE: _("{0}: a QA audit is due (last audit: {1})"),
	VISIT_DUE: _("{0}: a visit is due (last visit: {1})"),
	PLACEMENT_ASSURANCE_EXPIRED: _("{0}: the provider {1}'s safeguarding assurance expired on {2}"),
	PLACEMENT_PROVIDER_SUSPENDED: _("{0}: the provider {1} is suspended"),
	ENDING_WITHOUT_PLAN: _("{0}: the placement ends on {1} and has no reintegration plan"),
	PART_TIME_REVIEW_OVERDUE: _("{0}: the part-time timetable was due for review on {1}"),
	PLAN_NOT_AGREED: _("{0}: no pupil plan agreed {1} school days after the start ({2})"),
	WEEKLY_DIGEST: _("Weekly AP oversight digest for {0}"),
	CHECK_IN_DUE: _("{0}: a check-in on the development domains was due on {1}, after the return to school"),
	DOMAIN_FELL_BACK: _("{0}: since returning to school, {1} fell back ({2})"),
	RECEIPT_OVERDUE: _(
		"{0}: safeguarding information sent to {1} on {2} has no confirmed receipt after five school days."
		" Contact their Safeguarding Lead."
	),
	TRANSFER_DECIDED: _("{0}: {1} answered the learner profile you sent ({2}): {3}"),
	POLICY_REVIEW_DUE: _("{0}: the {1} policy is due for review by {2}. Upload the reviewed policy."),
	POLICY_LAPSED: _(
		"{0}: the {1} policy was due for review on {2} and has lapsed. A placement cannot be approved"
		" without it."
	),
}
TITLES = {rule: _(rule) for rule in RULES}


@dataclass(frozen=True)
class Finding:
	rule: str
	doctype: str
	name: str
	period: str
	school: str | None = None
	provider: str | None = None
	args: tuple = field(default=())
	due: date | None = None  # when it is (or was) due: the ToDo's date

	@property
	def key(self) -> tuple[str, str, str, str]:
		return (self.rule, self.doctype, self.name, self.period)

	def render(self, translate=lambda s: s) -> str:
		return translate(MESSAGES[self.rule]).format(*self.args)


@dataclass(frozen=True)
class PlacementFacts:
	"""An Active placement, with what the checks need to know about it."""

	name: str
	label: str = ""  # how messages name it: the pupil's name and the placement
	school: str | None = None
	provider: str | None = None
	start: date | None = None
	end: date | None = None  # end date, else planned end date
	next_review: date | None = None
	is_part_time: bool = False
	part_time_review: date | None = None


@dataclass(frozen=True)
class ProviderFacts:
	name: str
	approval_status: str | None = None
	assurance_until: date | None = None  # the latest valid_until of its assurances
	last_qa: date | None = None
	last_qa_audit: str | None = None
	last_visit: date | None = None


def iso(d: date | None) -> str:
	return d.isoformat() if d else NEVER


# ---- attendance deadline ---------------------------------------------------------------------------
@dataclass(frozen=True)
class TimetabledSession:
	"""A register session one Placement Session row covers on the day being checked."""

	placement: PlacementFacts
	session: str  # AM / PM
	start: int  # when the register opens for this slot (rules.timetable.register_opens), minutes


def runs_on(p: PlacementFacts, day: date) -> bool:
	return bool(p.start) and p.start <= day and (p.end is None or day <= p.end)


def unmarked_sessions(
	now: datetime,
	sessions: Iterable[TimetabledSession],
	marked: set[tuple[str, str]],
	deadline_minutes: int,
) -> list[Finding]:
	"""Today's sessions whose register deadline has passed with no mark: one per placement and session.

	A session's deadline runs from its earliest opening that day over the slots covering it (as AP
	Attendance judges lateness): a 09:00–15:00 pupil's afternoon deadline runs from the afternoon start.
	`marked` holds (placement, session) for every mark made today."""
	today = now.date()
	earliest: dict[tuple[str, str], TimetabledSession] = {}
	for s in sessions:
		key = (s.placement.name, s.session)
		if runs_on(s.placement, today) and (key not in earliest or s.start < earliest[key].start):
			earliest[key] = s
	out = []
	for key, s in sorted(earliest.items()):
		deadline = session_deadline(today, s.start, deadline_minutes)
		if key in marked or now <= deadline:
			continue
		p = s.placement
		out.append(
			Finding(
				ATTENDANCE_NOT_MARKED,
				"Placement",
				p.name,
				f"{today.isoformat()} {s.session}",
				p.school,
				p.provider,
				(p.label or p.name, s.session, today.isoformat(), deadline.strftime("%H:%M")),
				today,
			)
		)
	return out


# ---- low attendance --------------------------------------------------------------------------------
def attendance_window(today: date, weeks: int) -> tuple[date, date]:
	"""The rolling window: the `weeks` whole weeks up to yesterday (today's registers may still come)."""
	return today - timedelta(days=7 * weeks), today - timedelta(days=1)


def rate_from_counts(counts: Mapping[str, int]) -> float | None:
	"""rules.attendance.attendance_rate over marks counted by code (as the database groups them)."""
	possible = sum(n for mark, n in counts.items() if mark not in NOT_POSSIBLE)
	if not possible:
		return None
	attended = sum(n for mark, n in counts.items() if mark in ATTENDED)
	return round(100 * attended / possible, 1)


def low_attendance(
	placements: Iterable[PlacementFacts],
	rates: Mapping[str, float | None],
	open_episodes: set[str],
	threshold: float,
	weeks: int,
	today: date,
) -> tuple[list[Finding], list[str]]:
	"""(new episodes, placements whose episode has ended).

	An episode starts when the rate falls below the threshold and ends when it recovers (or the placement
	is no longer active); a placement with an open episode starts no new one. No possible session in the
	window (a holiday) neither starts nor ends an episode."""
	started, active = [], set()
	for p in placements:
		active.add(p.name)
		rate = rates.get(p.name)
		if rate is not None and rate < threshold and p.name not in open_episodes:
			started.append(
				Finding(
					LOW_ATTENDANCE,
					"Placement",
					p.name,
					today.isoformat(),
					p.school,
					p.provider,
					(p.label or p.name, rate, weeks, threshold),
					today,
				)
			)
	ended = sorted(
		name
		for name in open_episodes
		if name not in active or (rates.get(name) is not None and rates[name] >= threshold)
	)
	return started, ended


# ---- reviews ---------------------------------------------------------------------------------------
def review_findings(p: PlacementFacts, today: date, reminder_days: int) -> list[Finding]:
	"""Due within the reminder window: a reminder; past due: an escalation as well. Once per review date."""
	if not p.next_review or p.next_review > today + timedelta(days=reminder_days):
		return []
	label, period = p.label or p.name, p.next_review.isoformat()
	out = [
		Finding(REVIEW_DUE, "Placement", p.name, period, p.school, p.provider, (label, period), p.next_review)
	]
	if p.next_review < today:
		out.append(
			Finding(REVIEW_OVERDUE, "Placement", p.name, period, p.school, p.provider, (label, period), today)
		)
	return out


# ---- providers -------------------------------------------------------------------------------------
def provider_findings(
	p: ProviderFacts,
	today: date,
	warning_days: int,
	qa_interval_days: int,
	visit_interval_days: int,
	first_active_start: date | None,
) -> list[Finding]:
	"""Assurance expiring / expired, QA audit due, visit due. `first_active_start` is the earliest start of
	the provider's active placements (None: it has none, so no visit is due)."""
	out = []
	if p.assurance_until:
		until = p.assurance_until.isoformat()
		if p.assurance_until < today:
			out.append(
				Finding(ASSURANCE_EXPIRED, "AP Provider", p.name, until, None, p.name, (p.name, until), today)
			)
		elif p.assurance_until <= today + timedelta(days=warning_days):
			out.append(
				Finding(
					ASSURANCE_EXPIRING,
					"AP Provider",
					p.name,
					until,
					None,
					p.name,
					(p.name, until),
					p.assurance_until,
				)
			)
	qa_due = p.last_qa + timedelta(days=qa_interval_days) if p.last_qa else None
	if qa_due is None or qa_due <= today:
		out.append(
			Finding(
				QA_DUE,
				"AP Provider",
				p.name,
				iso(qa_due),
				None,
				p.name,
				(p.name, iso(p.last_qa)),
				qa_due or today,
			)
		)
	if first_active_start:
		visit_due = (p.last_visit or first_active_start) + timedelta(days=visit_interval_days)
		if visit_due <= today:
			out.append(
				Finding(
					VISIT_DUE,
					"AP Provider",
					p.name,
					visit_due.isoformat(),
					None,
					p.name,
					(p.name, iso(p.last_visit)),
					visit_due,
				)
			)
	return out


def safeguarding_flags(p: ProviderFacts, placements: Iterable[PlacementFacts], today: date) -> list[Finding]:
	"""Every active placement at a provider whose assurance has expired or which is suspended, flagged
	once per expiry date / per suspending audit."""
	expired = bool(p.assurance_until and p.assurance_until < today)
	suspended = p.approval_status == "Suspended"
	if not (expired or suspended):
		return []
	out = []
	for pl in placements:
		label = pl.label or pl.name
		if expired:
			until = p.assurance_until.isoformat()
			out.append(
				Finding(
					PLACEMENT_ASSURANCE_EXPIRED,
					"Placement",
					pl.name,
					until,
					pl.school,
					p.name,
					(label, p.name, until),
					today,
				)
			)
		if suspended:
			out.append(
				Finding(
					PLACEMENT_PROVIDER_SUSPENDED,
					"Placement",
					pl.name,
					p.last_qa_audit or iso(p.last_qa),
					pl.school,
					p.name,
					(label, p.name),
					today,
				)
			)
	return out


# ---- placements ------------------------------------------------------------------------------------
def school_days_after(start: date, days: int) -> date:
	"""The day on which `days` school days (Monday to Friday) have passed since `start`."""
	d, left = start, days
	while left > 0:
		d += timedelta(days=1)
		if d.weekday() < 5:
			left -= 1
	return d


def placement_findings(
	p: PlacementFacts,
	today: date,
	ending_warning_days: int,
	plan_within_school_days: int,
	has_reintegration_plan: bool,
	has_agreed_plan: bool,
) -> list[Finding]:
	out = []
	label = p.label or p.name
	if p.end and p.end <= today + timedelta(days=ending_warning_days) and not has_reintegration_plan:
		out.append(
			Finding(
				ENDING_WITHOUT_PLAN,
				"Placement",
				p.name,
				p.end.isoformat(),
				p.school,
				p.provider,
				(label, p.end.isoformat()),
				p.end,
			)
		)
	if p.is_part_time and p.part_time_review and p.part_time_review < today:
		out.append(
			Finding(
				PART_TIME_REVIEW_OVERDUE,
				"Placement",
				p.name,
				p.part_time_review.isoformat(),
				p.school,
				p.provider,
				(label, p.part_time_review.isoformat()),
				today,
			)
		)
	if p.start and not has_agreed_plan:
		due = school_days_after(p.start, plan_within_school_days)
		if today >= due:
			out.append(
				Finding(
					PLAN_NOT_AGREED,
					"Placement",
					p.name,
					p.start.isoformat(),
					p.school,
					p.provider,
					(label, plan_within_school_days, p.start.isoformat()),
					due,
				)
			)
	return out


# ---- weekly digest ---------------------------------------------------------------------------------
def iso_week(d: date) -> str:
	year, week, _day = d.isocalendar()
	return f"{year}-W{week:02d}"


def digest_sections(findings: Iterable[Finding], limit: int = 20) -> list[tuple[str, int, list[Finding]]]:
	"""(rule, how many, the first `limit` of them) for each rule that has any, in RULES order."""
	by_rule: dict[str, list[Finding]] = {}
	for f in findings:
		by_rule.setdefault(f.rule, []).append(f)
	return [(rule, len(by_rule[rule]), by_rule[rule][:limit]) for rule in RULES if rule in by_rule]


def policy_findings(provider: str, policies, today: date, warning_days: int) -> list[Finding]:
	"""A required policy whose review date is near (or past): one finding per policy record and review
	date, so a reviewed policy (a new record, or a new review date) is chased afresh when its turn comes.
	`policies` are rules.policies.Policy records of one provider."""
	out = []
	for p, lapsed in due_for_review(policies, today, warning_days):
		until = p.review_date.isoformat()
		out.append(
			Finding(
				POLICY_LAPSED if lapsed else POLICY_REVIEW_DUE,
				"Provider Policy",
				p.name,
				until,
				None,
				provider,
				(provider, p.policy_type, until),
				p.review_date,
			)
		)
	return out
