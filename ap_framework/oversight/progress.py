"""The domain chart on the Pupil and Placement forms: baseline against the latest scores."""

from __future__ import annotations

import frappe
from frappe import _

from ap_framework import api_input
from ap_framework.oversight.report.ap_progress.ap_progress import pupil_progress
from ap_framework.rules import request


@frappe.whitelist()
@frappe.read_only()
def domain_chart(pupil: str | None = None, placement: str | None = None) -> dict | None:
	"""Chart data for one placement, or a pupil's latest placement with assessments; None when there is
	nothing to compare yet. Only for those who may read the record it is shown on."""
	args = api_input.checked(
		{"pupil": "Pupil", "placement": "Placement"},
		pupil=(pupil, request.name()),
		placement=(placement, request.name()),
	)
	doctype, name = ("Placement", args.placement) if args.placement else ("Pupil", args.pupil)
	if not name or not frappe.has_permission(doctype, "read", doc=name):
		raise frappe.PermissionError
	rows = pupil_progress(frappe._dict({doctype.lower(): name}))[0]
	if not rows:
		return None
	row = rows[-1]
	domains = [
		d
		for d in frappe.get_all(
			"Development Domain", filters={"is_active": 1}, pluck="name", order_by="sort_order"
		)
		if d in row["baseline"] or d in row["latest"]
	]
	return {
		"labels": domains,
		"datasets": [
			{"name": _("Baseline"), "values": [row["baseline"].get(d, 0) for d in domains]},
			{"name": _("Latest"), "values": [row["latest"].get(d, 0) for d in domains]},
		],
	}
