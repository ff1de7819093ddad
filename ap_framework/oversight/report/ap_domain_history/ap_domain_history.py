"""A pupil's development across the domains over time, for an EHCP annual review: every submitted
assessment, baseline to the latest check-in after reintegration, with the descriptor behind each score."""

from __future__ import annotations

import frappe
from frappe import _
from frappe.query_builder import DocType

from ap_framework.oversight import evidence


def execute(filters=None):
	filters = frappe._dict(filters or {})
	columns = [
		{"fieldname": "assessment_date", "label": _("Date"), "fieldtype": "Date", "width": 100},
		{"fieldname": "stage", "label": _("Stage"), "fieldtype": "Data", "width": 150},
		{
			"fieldname": "domain",
			"label": _("Domain"),
			"fieldtype": "Link",
			"options": "Development Domain",
			"width": 200,
		},
		{"fieldname": "score", "label": _("Score"), "fieldtype": "Int", "width": 70},
		{"fieldname": "level_descriptor", "label": _("Descriptor"), "fieldtype": "Data", "width": 320},
		{"fieldname": "assessor_role", "label": _("Assessed by"), "fieldtype": "Data", "width": 110},
		{
			"fieldname": "placement",
			"label": _("Placement"),
			"fieldtype": "Link",
			"options": "Placement",
			"width": 130,
		},
		{
			"fieldname": "assessment",
			"label": _("Assessment"),
			"fieldtype": "Link",
			"options": "Domain Assessment",
			"width": 130,
		},
	]
	if not filters.get("pupil"):
		return columns, []
	return columns, history(filters.pupil)


def history(pupil: str) -> list[dict]:
	da, s = DocType("Domain Assessment"), DocType("Domain Assessment Score")
	query = (
		frappe.qb.from_(da)
		.join(s)
		.on((s.parent == da.name) & (s.parenttype == "Domain Assessment"))
		.select(
			da.assessment_date,
			da.is_baseline,
			da.after_reintegration,
			s.domain,
			s.score,
			s.level_descriptor,
			da.assessor_role,
			da.placement,
			da.name.as_("assessment"),
		)
		.where((da.pupil == pupil) & (da.docstatus == 1))
		.orderby(da.assessment_date)
		.orderby(s.idx)
	)
	rows = evidence.scoped(query, da, evidence.allowed_schools()).run(as_dict=True)
	for r in rows:
		r["stage"] = (
			_("Baseline")
			if r.pop("is_baseline")
			else (_("After reintegration") if r.pop("after_reintegration") else _("During placement"))
		)
		r.pop("after_reintegration", None)
	return rows
