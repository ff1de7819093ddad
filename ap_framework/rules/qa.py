"""QA audits of providers against the non-school AP standards."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from ap_framework.rules import Problem, _, problem

RATINGS = ("Met", "Partly Met", "Not Met", "N/A")
OUTCOMES = ("Approved", "Under Review", "Suspended", "Not Approved")
SAFEGUARDING_AREA = "Safeguarding and Welfare"


@dataclass(frozen=True)
class Item:
	standard: str
	area: str | None
	rating: str | None
	row: int = 0


@dataclass(frozen=True)
class Action:
	action: str | None
	due_date: date | None
	row: int = 0


def check_items(items: list[Item]) -> list[Problem]:
	problems = []
	seen = set()
	for i in items:
		if i.standard in seen:
			problems.append(
				problem("items", _("Row {0}: standard {1} appears twice"), i.row, i.standard, kind="qa")
			)
		seen.add(i.standard)
		if i.rating not in RATINGS:
			problems.append(
				problem(
					"items",
					_("Row {0}: rate standard {1} as Met, Partly Met, Not Met or N/A"),
					i.row,
					i.standard,
					kind="qa",
				)
			)
	return problems


def check_outcome(
	items: list[Item], actions: list[Action], outcome: str | None, audit_date: date
) -> list[Problem]:
	"""Rules that must hold before an audit is approved and sets the provider's status."""
	problems = []
	if not items:
		problems.append(problem("items", _("Rate the provider against at least one standard"), kind="qa"))
	if outcome not in OUTCOMES:
		problems.append(problem("overall_outcome", _("Choose an overall outcome"), kind="qa"))
	gaps = [i for i in items if i.rating in ("Not Met", "Partly Met")]
	if gaps and not actions:
		problems.append(
			problem(
				"actions",
				_("Standards not fully met need at least one action with an owner and due date"),
				kind="qa",
			)
		)
	unsafe = [i.standard for i in items if i.rating == "Not Met" and i.area == SAFEGUARDING_AREA]
	if unsafe and outcome == "Approved":
		problems.append(
			problem(
				"overall_outcome",
				_("A provider cannot be approved while a safeguarding standard is not met ({0})"),
				", ".join(unsafe),
				kind="qa",
			)
		)
	for a in actions:
		if a.due_date and a.due_date < audit_date:
			problems.append(
				problem("actions", _("Action row {0} is due before the audit date"), a.row, kind="qa")
			)
	return problems
