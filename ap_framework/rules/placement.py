"""Placement rules: the home school's code, part-time safeguards, approval readiness, ending."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from ap_framework.rules import Problem, _, problem

# Placement type -> the code the home school records for the pupil's sessions there.
# B: off-site activity arranged by the school; K: provision arranged by the LA; D: dual registered.
HOME_SCHOOL_CODES = {
	"Off-site Direction": "B",
	"Managed Move Trial": "B",
	"Internal AP Unit": "B",
	"Cross-trust Academy": "B",
	"LA-arranged": "K",
	"Dual Registration": "D",
}
PLACEMENT_TYPES = tuple(HOME_SCHOOL_CODES)
OFF_SITE_TYPES = tuple(t for t in PLACEMENT_TYPES if t != "Internal AP Unit")
END_STATES = ("Ended", "Rejected", "Cancelled")
DEAD_STATES = ("Rejected", "Cancelled")  # never ran: their timetables clash with nothing


def home_school_code(placement_type: str | None) -> str | None:
	return HOME_SCHOOL_CODES.get(placement_type or "")


def is_single_registered(placement_type: str | None) -> bool:
	"""Only a dual registration puts the pupil on a second roll; every other type keeps them single."""
	return placement_type != "Dual Registration"


def check_type(placement_type: str | None) -> list[Problem]:
	if placement_type and placement_type not in HOME_SCHOOL_CODES:
		return [problem("placement_type", _("{0} is not a placement type"), placement_type)]
	return []


def check_part_time(
	part_time: bool, justification: str | None, review_date: date | None, start: date | None
) -> list[Problem]:
	"""A part-time timetable is a safeguarding risk: it must be justified and time-limited."""
	if not part_time:
		return []
	problems = []
	if not (justification or "").strip():
		problems.append(
			problem(
				"part_time_justification", _("A part-time timetable needs a justification"), kind="part_time"
			)
		)
	if not review_date:
		problems.append(
			problem("part_time_review_date", _("A part-time timetable needs a review date"), kind="part_time")
		)
	elif start and review_date < start:
		problems.append(
			problem(
				"part_time_review_date",
				_("The part-time review date cannot be before the start date"),
				kind="part_time",
			)
		)
	return problems


@dataclass(frozen=True)
class ApprovalFacts:
	rationale: str | None
	slot_count: int
	provider_status: str | None  # AP Provider approval_status
	assurance_valid_until: date | None  # latest current letter of assurance, None if none
	start: date
	override_reason: str | None
	policies_missing: tuple[str, ...] = ()  # required provider policies not current on the start date


def approval_gaps(f: ApprovalFacts) -> list[Problem]:
	"""What stands between a placement and approval. The senior leader's recorded override covers
	the provider checks only: a rationale and a timetable are never optional."""
	problems = []
	if not (f.rationale or "").strip():
		problems.append(
			problem("rationale", _("A pupil-centred rationale is required before approval"), kind="approval")
		)
	if not f.slot_count:
		problems.append(
			problem("timetable", _("A weekly timetable is required before approval"), kind="approval")
		)
	provider_gaps = []
	if f.provider_status != "Approved":
		provider_gaps.append(
			problem(
				"provider",
				_("The provider's approval status is {0}, not Approved"),
				f.provider_status or _("not set"),
				kind="approval",
			)
		)
	if not f.assurance_valid_until or f.assurance_valid_until < f.start:
		provider_gaps.append(
			problem(
				"provider",
				_("The provider has no safeguarding letter of assurance valid on the start date"),
				kind="approval",
			)
		)
	if f.policies_missing:
		provider_gaps.append(policy_gap("provider", f.policies_missing))
	if provider_gaps and not (f.override_reason or "").strip():
		problems.extend(provider_gaps)
		problems.append(
			problem(
				"approval_override_reason",
				_("Or a senior leader can record an override reason"),
				kind="approval",
			)
		)
	return problems


def policy_gap(field_name: str, missing: tuple[str, ...] | list[str]) -> Problem:
	return problem(
		field_name,
		_("The provider has no current {0} policy"),
		", ".join(missing),
		kind="approval",
	)


def provider_approval_gaps(
	becomes_approved: bool, policies_missing: list[str] | tuple[str, ...], override_reason: str | None
) -> list[Problem]:
	"""A non-school provider missing a current required policy (rules/policies.py) is not approved
	unless a senior leader records why it may be, as with a placement's provider checks."""
	if not becomes_approved or not policies_missing or (override_reason or "").strip():
		return []
	return [
		policy_gap("approval_status", policies_missing),
		problem(
			"approval_override_reason", _("Or a senior leader can record an override reason"), kind="approval"
		),
	]


def check_override_author(override_changed: bool, user_may_override: bool) -> list[Problem]:
	if override_changed and not user_may_override:
		return [
			problem(
				"approval_override_reason",
				_("Only a Senior Leader can record an approval override reason"),
				kind="approval",
			)
		]
	return []


def check_activation(today: date, start: date) -> list[Problem]:
	if today < start:
		return [
			problem(
				"status",
				_("A placement cannot become active before its start date ({0})"),
				start,
				kind="workflow_rule",
			)
		]
	return []


def check_ending(end_date: date | None, end_outcome: str | None) -> list[Problem]:
	problems = []
	if not end_date:
		problems.append(problem("end_date", _("An ended placement needs an end date"), kind="workflow_rule"))
	if not end_outcome:
		problems.append(
			problem("end_outcome", _("An ended placement needs an end outcome"), kind="workflow_rule")
		)
	return problems
