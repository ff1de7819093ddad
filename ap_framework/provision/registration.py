"""Keep each AP Provider's independent-school registration flag in step with its current placements."""

from __future__ import annotations

from collections import defaultdict

import frappe
from frappe.query_builder import DocType

from ap_framework.rules.registration import PlacedPupil, registration_test
from ap_framework.settings import get_settings

CURRENT_STATES = ("Approved", "Active")


def refresh(providers: list[str] | set[str]) -> None:
	"""One query for all the providers' current pupils, then one update per provider whose flag changed."""
	providers = [p for p in set(providers) if p]
	if not providers:
		return
	placement, pupil = DocType("Placement"), DocType("Pupil")
	rows = (
		frappe.qb.from_(placement)
		.join(pupil)
		.on(pupil.name == placement.pupil)
		.select(
			placement.provider,
			placement.pupil,
			placement.hours_per_week,
			pupil.looked_after,
			pupil.sen_status,
		)
		.where(placement.provider.isin(providers) & placement.status.isin(CURRENT_STATES))
		.run(as_dict=True)
	)
	hours: dict[str, dict[str, float]] = defaultdict(lambda: defaultdict(float))
	flags: dict[tuple[str, str], tuple[bool, bool]] = {}
	for r in rows:
		hours[r.provider][r.pupil] += r.hours_per_week or 0
		flags[(r.provider, r.pupil)] = (bool(r.looked_after), r.sen_status == "E")

	threshold = get_settings().registration_full_time_hours
	current = frappe.get_all(
		"AP Provider",
		filters={"name": ("in", providers)},
		fields=["name", "is_registered_school", "meets_registration_test", "registration_test_reason"],
	)
	for p in current:
		pupils = [PlacedPupil(name, h, *flags[(p.name, name)]) for name, h in hours[p.name].items()]
		verdict = registration_test(bool(p.is_registered_school), pupils, threshold)
		reason = ""
		if verdict.meets_test:
			reason = frappe._("Meets the registration test: {0} ({1})").format(
				frappe._(verdict.reason), ", ".join(verdict.pupils)
			)
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
