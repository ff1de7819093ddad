"""School census "AP placements arranged by schools" for a census date, validated as the census does."""

from __future__ import annotations

import frappe
from frappe import _
from frappe.query_builder import DocType

from ap_framework.oversight import access_audit, evidence
from ap_framework.placement import welfare
from ap_framework.rules import census, placement
from ap_framework.utils import to_date


def execute(filters=None):
	filters = frappe._dict(filters or {})
	columns = [
		{"fieldname": "upn", "label": _("UPN"), "fieldtype": "Data", "width": 130},
		{"fieldname": "pupil_name", "label": _("Pupil"), "fieldtype": "Data", "width": 150},
		{"fieldname": "school", "label": _("School"), "fieldtype": "Link", "options": "School", "width": 140},
		{"fieldname": "start_date", "label": _("Start date"), "fieldtype": "Date", "width": 100},
		{"fieldname": "end_date", "label": _("End date"), "fieldtype": "Date", "width": 100},
		{"fieldname": "census_urn", "label": _("URN"), "fieldtype": "Data", "width": 80},
		{"fieldname": "census_ukprn", "label": _("UKPRN"), "fieldtype": "Data", "width": 90},
		{"fieldname": "census_setting_type", "label": _("Setting type"), "fieldtype": "Data", "width": 90},
		{"fieldname": "census_association", "label": _("Association"), "fieldtype": "Data", "width": 90},
		{"fieldname": "census_reason", "label": _("Reason"), "fieldtype": "Data", "width": 70},
		{"fieldname": "census_attendance_pattern", "label": _("Pattern"), "fieldtype": "Data", "width": 70},
		{"fieldname": "census_sessions", "label": _("Sessions"), "fieldtype": "Int", "width": 70},
		{"fieldname": "failures", "label": _("Fails validation"), "fieldtype": "Data", "width": 320},
		{
			"fieldname": "placement",
			"label": _("Placement"),
			"fieldtype": "Link",
			"options": "Placement",
			"width": 130,
		},
	]
	rows = census_rows(filters)
	summary = [
		{"label": _("Placements"), "value": len(rows), "datatype": "Int"},
		{
			"label": _("Failing validation"),
			"value": sum(1 for r in rows if r["failures"]),
			"datatype": "Int",
			"indicator": "red" if any(r["failures"] for r in rows) else "green",
		},
	]
	return columns, rows, None, None, summary


def census_rows(filters) -> list[dict]:
	"""Off-site placements open on the census date (the census leaves on-site units out)."""
	on = to_date(filters.get("census_date")) or frappe.utils.getdate()
	p, pu = DocType("Placement"), DocType("Pupil")
	query = (
		frappe.qb.from_(p)
		.join(pu)
		.on(pu.name == p.pupil)
		.select(
			p.name.as_("placement"),
			p.pupil,
			pu.upn,
			p.pupil_name,
			p.school,
			p.start_date,
			p.end_date,
			p.placement_type,
			p.census_urn,
			p.census_ukprn,
			p.census_setting_type,
			p.census_association,
			p.census_reason,
			p.census_attendance_pattern,
			p.census_sessions,
			pu.on_roll,
			pu.leaving_date,
		)
		.where(
			p.status.isin(("Approved", "Active", "Ended"))
			& (p.start_date <= on)
			& (p.end_date.isnull() | (p.end_date >= on))
			& p.placement_type.isin(placement.OFF_SITE_TYPES)
		)
		.orderby(p.school)
		.orderby(p.pupil_name)
	)
	rows = evidence.scoped(query, p, evidence.allowed_schools(), filters.get("school")).run(as_dict=True)
	# The SEN check is made only for a user who may read SEN status: its failure would tell the rest.
	sen = welfare.facts_of([r.pupil for r in rows], ("sen_status",)) if welfare.may_read() else None
	if sen is not None:  # a failure of the EHC check tells its reader the pupil's SEN status
		access_audit.record_rows(
			"Pupil Welfare", [r.pupil for r in rows if r.census_reason == census.EHC_REASON], door="Report"
		)
	for r in rows:
		items = census.CensusItems(
			r.census_urn,
			r.census_ukprn,
			r.census_setting_type,
			r.census_reason,
			r.census_association,
			r.census_attendance_pattern,
			r.census_sessions,
			placement.is_single_registered(r.placement_type),
			(sen[r.pupil].sen_status if r.pupil in sen else "N") if sen is not None else None,
		)
		problems = census.check(items)
		problems += census.check_leaving(bool(r.on_roll), to_date(r.leaving_date), to_date(r.end_date))
		r["failures"] = "; ".join(p.render(_) for p in problems)
		for key in ("pupil", "on_roll", "leaving_date", "placement_type"):
			r.pop(key)
	return rows
