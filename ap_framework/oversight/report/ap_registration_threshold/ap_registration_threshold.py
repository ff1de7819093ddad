"""Unregistered providers that meet the independent-school registration test, and the pupils who make it so."""

from __future__ import annotations

from collections import defaultdict

import frappe
from frappe import _
from frappe.query_builder import DocType

from ap_framework.oversight import access_audit, evidence
from ap_framework.placement import welfare
from ap_framework.provision import registration
from ap_framework.rules.registration import registration_test
from ap_framework.settings import get_settings


def execute(filters=None):
	columns = [
		{
			"fieldname": "provider",
			"label": _("Provider"),
			"fieldtype": "Link",
			"options": "AP Provider",
			"width": 200,
		},
		{"fieldname": "reason", "label": _("Why it meets the test"), "fieldtype": "Data", "width": 330},
		{"fieldname": "pupils", "label": _("Pupils"), "fieldtype": "Data", "width": 350},
	]
	return columns, threshold_rows()


def threshold_rows() -> list[dict]:
	p, pr = DocType("Placement"), DocType("AP Provider")
	query = (
		frappe.qb.from_(p)
		.join(pr)
		.on(pr.name == p.provider)
		.select(p.provider, p.pupil, p.pupil_name, p.hours_per_week)
		.where(p.status.isin(evidence.LIVE) & (pr.is_registered_school == 0))
	)
	# The test is about the provider as a whole, so it counts every school's pupils there; a school user
	# sees only the providers their own pupils attend, and only their own pupils' names.
	rows = query.run(as_dict=True)
	facts = welfare.facts_of([r.pupil for r in rows])
	# Which limb of the test is met, and by whom, says that those pupils are looked after or have an EHC
	# plan: only a user who may read welfare facts learns it.
	may_read_welfare = welfare.may_read()
	schools = evidence.allowed_schools()
	visible = None
	if schools is not None:
		visible = {
			r.pupil
			for r in frappe.get_all(
				"Placement", filters={"school": ("in", schools or [""])}, fields=["pupil"]
			)
		}
	by_provider = defaultdict(dict)
	names = {}
	for r in rows:
		by_provider[r.provider][r.pupil] = by_provider[r.provider].get(r.pupil, 0) + (r.hours_per_week or 0)
		names[r.pupil] = r.pupil_name
	threshold = get_settings().registration_full_time_hours
	out = []
	for provider, pupils in sorted(by_provider.items()):
		placed = [registration.placed(k, hours, facts.get(k)) for k, hours in pupils.items()]
		verdict = registration_test(False, placed, threshold)
		if not verdict.meets_test or (visible is not None and not visible & set(pupils)):
			continue
		if verdict.vulnerable and not may_read_welfare:
			out.append({"provider": provider, "reason": _("Meets the independent-school registration test")})
			continue
		shown = [
			names[k] if visible is None or k in visible else _("a pupil of another school")
			for k in verdict.pupils
		]
		if verdict.vulnerable:  # named as looked after or with an EHC plan
			access_audit.record_rows(
				"Pupil Welfare", [k for k in verdict.pupils if visible is None or k in visible]
			)
		out.append({"provider": provider, "reason": _(verdict.reason), "pupils": ", ".join(shown)})
	return out
