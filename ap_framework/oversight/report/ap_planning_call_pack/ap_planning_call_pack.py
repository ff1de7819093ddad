"""Ofsted planning call: every pupil in AP on a date, with provider, address, status, reason, hours."""

from __future__ import annotations

import frappe
from frappe import _
from frappe.query_builder import DocType

from ap_framework.oversight import evidence
from ap_framework.rules import census
from ap_framework.utils import to_date

SECTIONS = {"Internal AP Unit": "On-site AP unit", "Cross-trust Academy": "Another academy of the trust"}


def execute(filters=None):
	filters = frappe._dict(filters or {})
	rows = pack_rows(filters)
	columns = [
		{"fieldname": "section", "label": _("Section"), "fieldtype": "Data", "width": 150},
		{"fieldname": "pupil_name", "label": _("Pupil"), "fieldtype": "Data", "width": 150},
		{"fieldname": "school", "label": _("School"), "fieldtype": "Link", "options": "School", "width": 150},
		{
			"fieldname": "provider",
			"label": _("Provider"),
			"fieldtype": "Link",
			"options": "AP Provider",
			"width": 170,
		},
		{"fieldname": "provider_address", "label": _("Provider address"), "fieldtype": "Data", "width": 200},
		{"fieldname": "registration_status", "label": _("Registration"), "fieldtype": "Data", "width": 120},
		{"fieldname": "placement_type", "label": _("Type"), "fieldtype": "Data", "width": 130},
		{"fieldname": "home_school_code", "label": _("Code"), "fieldtype": "Data", "width": 60},
		{"fieldname": "reason", "label": _("Reason"), "fieldtype": "Data", "width": 160},
		{"fieldname": "start_date", "label": _("Since"), "fieldtype": "Date", "width": 100},
		{"fieldname": "hours_per_week", "label": _("Hours/week"), "fieldtype": "Float", "width": 90},
		{"fieldname": "sessions_per_week", "label": _("Sessions/week"), "fieldtype": "Int", "width": 100},
		{"fieldname": "is_part_time", "label": _("Part-time"), "fieldtype": "Check", "width": 80},
		{
			"fieldname": "placement",
			"label": _("Placement"),
			"fieldtype": "Link",
			"options": "Placement",
			"width": 130,
		},
	]
	summary = [
		{"label": _("Pupils in AP"), "value": len(rows), "datatype": "Int"},
		{"label": _("Providers"), "value": len({r["provider"] for r in rows}), "datatype": "Int"},
		{"label": _("Part-time"), "value": sum(1 for r in rows if r["is_part_time"]), "datatype": "Int"},
	]
	return columns, rows, None, None, summary


def pack_rows(filters) -> list[dict]:
	as_at = to_date(filters.get("as_at")) or frappe.utils.getdate()
	p, pr = DocType("Placement"), DocType("AP Provider")
	schools = evidence.allowed_schools()
	query = (
		frappe.qb.from_(p)
		.join(pr)
		.on(pr.name == p.provider)
		.select(
			p.name.as_("placement"),
			p.pupil_name,
			p.school,
			p.provider,
			p.placement_type,
			p.home_school_code,
			p.census_reason,
			p.start_date,
			p.hours_per_week,
			p.census_sessions.as_("sessions_per_week"),  # school sessions, two a day, 0–10
			p.is_part_time,
			pr.registration_status,
			pr.address_line1,
			pr.town,
			pr.postcode,
		)
		.where(p.status.isin(("Approved", "Active", "Ended")) & (p.start_date <= as_at))
		.where(p.end_date.isnull() | (p.end_date >= as_at))
		.orderby(p.placement_type)
		.orderby(p.provider)
		.orderby(p.pupil_name)
	)
	rows = evidence.scoped(query, p, schools, filters.get("school"), filters.get("trust")).run(as_dict=True)
	for r in rows:
		r["section"] = _(SECTIONS.get(r.placement_type, "Off-site AP"))
		r["provider_address"] = ", ".join(
			v for v in (r.pop("address_line1"), r.pop("town"), r.pop("postcode")) if v
		)
		r["reason"] = _(census.REASONS.get(r.pop("census_reason") or "", "")) or ""
	return rows
