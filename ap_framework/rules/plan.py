"""Pupil plans and their six-weekly reviews."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from ap_framework.rules import Problem, _, problem

PARTIES = (
	("pupil_agreed_on", "the pupil"),
	("parent_agreed_on", "the parent or carer"),
	("school_agreed_on", "the school"),
	("provider_agreed_on", "the AP"),
)


@dataclass(frozen=True)
class Objective:
	objective: str | None
	success_criteria: str | None
	row: int = 0


def check_objectives(objectives: list[Objective]) -> list[Problem]:
	problems = []
	for o in objectives:
		if not (o.success_criteria or "").strip():
			problems.append(
				problem("objectives", _("Objective row {0} needs success criteria"), o.row, kind="plan")
			)
	return problems


def check_agreement(objective_count: int, agreed_on: dict[str, date | None], today: date) -> list[Problem]:
	"""An agreed plan has objectives and the recorded agreement of pupil, parent/carer, school and AP."""
	problems = []
	if not objective_count:
		problems.append(
			problem("objectives", _("A plan needs at least one objective before it is agreed"), kind="plan")
		)
	for fieldname, who in PARTIES:
		when = agreed_on.get(fieldname)
		if not when:
			problems.append(problem(fieldname, _("Record when {0} agreed the plan"), _(who), kind="plan"))
		elif when > today:
			problems.append(
				problem(
					fieldname, _("The agreement date for {0} cannot be in the future"), _(who), kind="plan"
				)
			)
	return problems


def next_review(review_date: date, interval_days: int) -> date:
	return review_date + timedelta(days=interval_days)


def check_review(
	review_date: date,
	next_review_date: date | None,
	interval_days: int,
	pupil_voice: str | None,
	parent_voice: str | None,
	decision: str | None,
) -> list[Problem]:
	problems = []
	if next_review_date:
		if next_review_date <= review_date:
			problems.append(
				problem("next_review_date", _("The next review must come after this one"), kind="review")
			)
		elif next_review_date > next_review(review_date, interval_days):
			problems.append(
				problem(
					"next_review_date",
					_("The next review must be within {0} days of this one (by {1})"),
					interval_days,
					next_review(review_date, interval_days),
					kind="review",
				)
			)
	if not (pupil_voice or "").strip():
		problems.append(problem("pupil_voice", _("Record the pupil's views (pupil voice)"), kind="review"))
	if not (parent_voice or "").strip():
		problems.append(problem("parent_voice", _("Record the parent or carer's views"), kind="review"))
	if decision not in ("Continue", "Change", "End"):
		problems.append(problem("decision", _("Choose a decision: continue, change or end"), kind="review"))
	return problems
