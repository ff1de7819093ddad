"""Provider due diligence: the written policies a commissioner requires of a non-school provider.

The DfE's non-school AP national standards (Aug 2025) and "Arranging alternative provision" (Feb 2025)
expect a commissioner to see, before placing a pupil with a setting that is not a school, that it has
and keeps under review its safeguarding and child-protection, behaviour, health and safety, complaints,
data-protection (UK GDPR art. 5(2): accountability) and safer-recruitment policies, and how it reports
attendance and absence and handles exclusions. A registered school is held to these by its own
regulations and inspection, so only a non-school provider is asked for them here.

A policy is current on a day when it was adopted on or before that day and its review date has not
passed. Of several records of one type the latest adopted counts (a policy replaced by its newer
version is not chased).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, timedelta

from ap_framework.rules import Problem, _, dates

SAFEGUARDING = "Safeguarding and Child Protection"
REQUIRED_POLICIES = (
	SAFEGUARDING,
	"Behaviour",
	"Health and Safety",
	"Complaints",
	"Data Protection",
	"Safer Recruitment",
	"Attendance and Absence Reporting",
	"Exclusions",
)
NON_SCHOOL = "Non-school AP"  # AP Provider registration_status of a setting that is not a school


@dataclass(frozen=True)
class Policy:
	name: str
	policy_type: str
	dated_on: date | None
	review_date: date | None


def requires_policies(registration_status: str | None) -> bool:
	return registration_status == NON_SCHOOL


def latest(policies: Iterable[Policy]) -> dict[str, Policy]:
	"""The record that counts for each type: the latest adopted (then the latest review date)."""
	out: dict[str, Policy] = {}
	for p in policies:
		held = out.get(p.policy_type)
		key = (p.dated_on or date.min, p.review_date or date.min, p.name)
		if held is None or key > (held.dated_on or date.min, held.review_date or date.min, held.name):
			out[p.policy_type] = p
	return out


def is_current(p: Policy, on: date) -> bool:
	return bool(p.dated_on and p.review_date and p.dated_on <= on <= p.review_date)


def missing_or_lapsed(policies: Iterable[Policy], on: date) -> list[str]:
	"""The required policy types with no current record on `on`, in the order they are listed."""
	held = latest(p for p in policies if p.dated_on and p.dated_on <= on)
	return [t for t in REQUIRED_POLICIES if t not in held or not is_current(held[t], on)]


def due_for_review(policies: Iterable[Policy], today: date, warning_days: int) -> list[tuple[Policy, bool]]:
	"""The records to chase today: (record, lapsed) for each type's latest record whose review date has
	passed (lapsed) or falls within `warning_days`."""
	out = []
	for p in latest(policies).values():
		if p.policy_type not in REQUIRED_POLICIES or not p.review_date:
			continue
		if p.review_date < today:
			out.append((p, True))
		elif p.review_date <= today + timedelta(days=warning_days):
			out.append((p, False))
	return sorted(out, key=lambda x: (x[0].review_date, x[0].name))


def check_policy(
	policy_type: str | None, dated_on: date | None, review_date: date | None, today: date
) -> list[Problem]:
	"""One policy record: a known type, adopted no later than today, reviewed after it was adopted."""
	problems: list[Problem] = []
	if policy_type and policy_type not in REQUIRED_POLICIES:
		problems.append(
			Problem("policy_type", _("{0} is not one of the required policy types"), (policy_type,))
		)
	problems += dates.not_in_future("dated_on", dated_on, today, _("Adopted on"))
	problems += dates.order(
		"dated_on", dated_on, "review_date", review_date, _("Adopted on"), _("Review date"), allow_equal=False
	)
	return problems
