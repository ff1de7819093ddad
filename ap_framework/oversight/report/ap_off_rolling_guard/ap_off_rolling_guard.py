"""The off-rolling guard: live placements that break a best-interest rule, and which rule."""

from __future__ import annotations

import frappe
from frappe import _

from ap_framework.oversight import evidence


def execute(filters=None):
	filters = frappe._dict(filters or {})
	columns = [
		{
			"fieldname": "name",
			"label": _("Placement"),
			"fieldtype": "Link",
			"options": "Placement",
			"width": 130,
		},
		{"fieldname": "pupil_name", "label": _("Pupil"), "fieldtype": "Data", "width": 150},
		{"fieldname": "school", "label": _("School"), "fieldtype": "Link", "options": "School", "width": 150},
		{
			"fieldname": "provider",
			"label": _("Provider"),
			"fieldtype": "Link",
			"options": "AP Provider",
			"width": 160,
		},
		{"fieldname": "placement_type", "label": _("Type"), "fieldtype": "Data", "width": 130},
		{"fieldname": "start_date", "label": _("Since"), "fieldtype": "Date", "width": 100},
		{"fieldname": "rules", "label": _("Rules broken"), "fieldtype": "Data", "width": 380},
	]
	rows = evidence.guard_rows(school=filters.get("school"))
	for r in rows:
		r["rules"] = "; ".join(_(rule) for rule in r["rules"])
	return columns, rows
