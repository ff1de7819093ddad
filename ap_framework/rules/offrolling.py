"""The off-rolling guard: placements that look like moving a pupil out rather than helping them."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from ap_framework.rules import _

NO_RATIONALE = _("No best-interest rationale")
NO_REVIEW = _("Not reviewed within the review interval")
NO_END_PLAN = _("No plan for the end of the placement")
TOO_LONG = _("Off-site direction past its maximum length")
OFF_ROLL = _("Pupil taken off roll while placed")


@dataclass(frozen=True)
class PlacementFacts:
	name: str
	placement_type: str
	start: date
	planned_end: date | None
	rationale: str | None
	last_review: date | None
	has_reintegration_plan: bool
	pupil_on_roll: bool


def breaches(
	p: PlacementFacts,
	today: date,
	review_interval_days: int,
	max_direction_days: int,
	end_plan_window_days: int = 14,
) -> list[str]:
	"""Which guard rules a live placement breaks (English; translated where shown)."""
	out = []
	if not (p.rationale or "").strip():
		out.append(NO_RATIONALE)
	reviewed_or_started = p.last_review or p.start
	if today - reviewed_or_started > timedelta(days=review_interval_days):
		out.append(NO_REVIEW)
	if (
		p.planned_end
		and not p.has_reintegration_plan
		and p.planned_end - today <= timedelta(days=end_plan_window_days)
	):
		out.append(NO_END_PLAN)
	if p.placement_type == "Off-site Direction" and today - p.start > timedelta(days=max_direction_days):
		out.append(TOO_LONG)
	if not p.pupil_on_roll:
		out.append(OFF_ROLL)
	return out
