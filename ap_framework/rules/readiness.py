"""The inspection-readiness board: the AP checklist's 19 points, the off-rolling guard and the providers'
required policies (due diligence), each from counts.

A point is met when nothing is at fault; otherwise it is "not met" where the checklist point goes to
safeguarding or the pupil's basic entitlement, and "at risk" where it is about evidence and quality.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta

from ap_framework.rules import _

MET, AT_RISK, NOT_MET = "Met", "At Risk", "Not Met"


@dataclass(frozen=True)
class Point:
	number: int
	title: str
	status: str
	count: int  # records at fault
	total: int  # records looked at
	doctype: str | None = None  # where the records at fault live
	names: tuple[str, ...] = ()  # which ones


@dataclass
class Facts:
	"""Everything the board needs, gathered with a fixed number of set-based queries."""

	today: date
	active: list[str]  # live placements in scope
	providers_in_use: list[str]
	policy_reviewed_on: date | None = None
	governors_report_on: date | None = None
	providers_without_profile: list[str] = field(
		default_factory=list
	)  # no specialisms / cost / offer recorded
	providers_without_current_qa: list[str] = field(default_factory=list)
	providers_without_assurance: list[str] = field(default_factory=list)
	# non-school providers missing a current required policy (rules/policies.py)
	providers_without_policies: list[str] = field(default_factory=list)
	placements_incomplete_record: list[str] = field(
		default_factory=list
	)  # no hours / provider address / status
	providers_without_agreement: list[str] = field(
		default_factory=list
	)  # communication agreement or contacts
	placements_without_recent_contact: list[str] = field(default_factory=list)
	providers_without_recent_visit: list[str] = field(default_factory=list)
	placements_without_sla: list[str] = field(default_factory=list)
	placements_without_rationale: list[str] = field(default_factory=list)
	placements_without_risk_assessment: list[str] = field(default_factory=list)
	placements_without_strategies: list[str] = field(default_factory=list)  # nothing passed on to the AP
	registers_reported_late: list[str] = field(default_factory=list)  # placements with a register sent late
	low_attendance_without_intervention: list[str] = field(default_factory=list)
	placements_without_agreed_plan: list[str] = field(default_factory=list)
	placements_review_overdue: list[str] = field(default_factory=list)
	reviews_without_voice: list[str] = field(default_factory=list)  # Plan Review names
	placements_with_curriculum_gap: list[str] = field(default_factory=list)
	placements_without_impact_evidence: list[str] = field(default_factory=list)
	placements_ending_without_plan: list[str] = field(default_factory=list)
	placements_breaking_guard: list[str] = field(default_factory=list)  # the off-rolling guard's findings


def _dated(number, title, when: date | None, today: date, months: int) -> Point:
	if when and today - when <= timedelta(days=30 * months):
		return Point(number, title, MET, 0, 1)
	if when and today - when <= timedelta(days=30 * (months + 3)):
		return Point(number, title, AT_RISK, 1, 1)
	return Point(number, title, NOT_MET, 1, 1)


def _point(number, title, at_fault, total, doctype, severe: bool) -> Point:
	status = MET if not at_fault else (NOT_MET if severe else AT_RISK)
	return Point(number, title, status, len(at_fault), total, doctype, tuple(sorted(at_fault)))


def board(f: Facts) -> list[Point]:
	placements, providers = len(f.active), len(f.providers_in_use)
	P, PR = "Placement", "AP Provider"
	return [
		_dated(
			1,
			_("AP policy, and AP in the behaviour, attendance and safeguarding policies"),
			f.policy_reviewed_on,
			f.today,
			12,
		),
		_dated(
			2, _("Governors review AP (annual AP report to governors)"), f.governors_report_on, f.today, 12
		),
		_point(
			3,
			_("Strengths and limits of the local provision known"),
			f.providers_without_profile,
			providers,
			PR,
			False,
		),
		_point(
			4,
			_("QA checks recorded for every provider in use"),
			f.providers_without_current_qa,
			providers,
			PR,
			True,
		),
		_point(
			5,
			_("Letters of assurance from every provider in use"),
			f.providers_without_assurance,
			providers,
			PR,
			True,
		),
		_point(
			6,
			_("A live record of every provision: status, address, pupils, hours, dates"),
			f.placements_incomplete_record,
			placements,
			P,
			True,
		),
		_point(
			7,
			_("A communication agreement with each provider"),
			f.providers_without_agreement,
			providers,
			PR,
			False,
		),
		_point(
			8,
			_("Contact with each placement recorded"),
			f.placements_without_recent_contact,
			placements,
			P,
			False,
		),
		_point(
			9,
			_("Providers visited, including unannounced"),
			f.providers_without_recent_visit,
			providers,
			PR,
			False,
		),
		_point(10, _("An SLA for each placement"), f.placements_without_sla, placements, P, False),
		_point(
			11,
			_("A pupil-centred rationale for each placement"),
			f.placements_without_rationale,
			placements,
			P,
			True,
		),
		_point(
			12,
			_("Vulnerability risk assessed, welfare support in place"),
			f.placements_without_risk_assessment,
			placements,
			P,
			True,
		),
		_point(
			13,
			_("Safeguarding, behaviour and learning information passed on"),
			f.placements_without_strategies,
			placements,
			P,
			False,
		),
		_point(
			14,
			_("Attendance reported the same day, low attendance met with a plan"),
			sorted(set(f.registers_reported_late) | set(f.low_attendance_without_intervention)),
			placements,
			P,
			bool(f.low_attendance_without_intervention),
		),
		_point(
			15,
			_("A pupil plan agreed by pupil, parents, school and AP"),
			f.placements_without_agreed_plan,
			placements,
			P,
			True,
		),
		_point(
			16,
			_("Reviewed every six weeks, with pupil and parent voice"),
			f.placements_review_overdue + f.reviews_without_voice,
			placements,
			P if f.placements_review_overdue else "Plan Review",
			bool(f.placements_review_overdue),
		),
		_point(
			17,
			_("PSHE, RSE and careers gaps in the AP curriculum filled"),
			f.placements_with_curriculum_gap,
			placements,
			P,
			False,
		),
		_point(
			18,
			_("Impact measured from a baseline"),
			f.placements_without_impact_evidence,
			placements,
			P,
			False,
		),
		_point(
			19,
			_("A plan for reintegration before the placement ends"),
			f.placements_ending_without_plan,
			placements,
			P,
			True,
		),
		_point(
			20,
			_("No placement looks like off-rolling (the off-rolling guard)"),
			f.placements_breaking_guard,
			placements,
			P,
			True,
		),
		_point(
			21,
			_("Every non-school provider in use holds current required policies (due diligence)"),
			f.providers_without_policies,
			providers,
			PR,
			True,
		),
	]
