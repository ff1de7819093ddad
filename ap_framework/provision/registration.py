"""Keep each AP Provider's independent-school registration flag in step with its current placements."""

from __future__ import annotations

from collections import defaultdict

import frappe
from frappe.query_builder import DocType

from ap_framework.placement import welfare
from ap_framework.rules.registration import PlacedPupil, registration_test
from ap_framework.settings import get_settings

CURRENT_STATES = ("Approved", "Active")


def refresh(providers: list[str] | set[str]) -> None:
	"""One query for all the providers' current pupils, then one update per provider whose flag changed."""
	providers = [p for p in set(providers) if p]
	if not providers:
		return
	placement = DocType("Placement")
	rows = (
		frappe.qb.from_(placement)
		.select(placement.provider, placement.pupil, placement.hours_per_week)
		.where(placement.provider.isin(providers) & placement.status.isin(CURRENT_STATES))
		.run(as_dict=True)
	)
	facts = welfare.facts_of([r.pupil for r in rows])
	hours: dict[str, dict[str, float]] = defaultdict(lambda: defaultdict(float))
	for r in rows:
		hours[r.provider][r.pupil] += r.hours_per_week or 0

	threshold = get_settings().registration_full_time_hours
	current = frappe.get_all(
		"AP Provider",
		filters={"name": ("in", providers)},
		fields=["name", "is_registered_school", "meets_registration_test", "registration_test_reason"],
	)
	for p in current:
		pupils = [placed(name, h, facts.get(name)) for name, h in hours[p.name].items()]
		verdict = registration_test(bool(p.is_registered_school), pupils, threshold)
		# Everyone who reads the provider reads this, so it names neither the pupils nor which limb of the
		# test is met: "one looked-after or EHCP pupil" beside a provider's known pupils would say who.
		reason = frappe._("Meets the independent-school registration test") if verdict.meets_test else ""
		if (
			bool(p.meets_registration_test) != verdict.meets_test
			or (p.registration_test_reason or "") != reason
		):
			frappe.db.set_value(
				"AP Provider",
				p.name,
				{"meets_registration_test": int(verdict.meets_test), "registration_test_reason": reason},
				update_modified=False,
			)


def placed(pupil: str, hours: float, facts) -> PlacedPupil:
	"""A pupil as the registration test sees them, from their welfare facts (None: nothing recorded)."""
	facts = facts or {}
	return PlacedPupil(pupil, hours, bool(facts.get("looked_after")), facts.get("sen_status") == "E")
