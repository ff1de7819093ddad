"""Per-provider summary for the planning call: pupils, full/part-time, status, QA, assurance, last visit."""

from __future__ import annotations

from collections import defaultdict

import frappe
from frappe import _

from ap_framework.oversight import evidence
from ap_framework.oversight.report.ap_planning_call_pack.ap_planning_call_pack import pack_rows


def execute(filters=None):
	filters = frappe._dict(filters or {})
	columns = [
		{
			"fieldname": "provider",
			"label": _("Provider"),
			"fieldtype": "Link",
			"options": "AP Provider",
			"width": 180,
		},
		{"fieldname": "registration_status", "label": _("Registration"), "fieldtype": "Data", "width": 120},
		{"fieldname": "urn", "label": _("URN / UKPRN"), "fieldtype": "Data", "width": 100},
		{"fieldname": "pupils", "label": _("Pupils"), "fieldtype": "Int", "width": 70},
		{"fieldname": "full_time", "label": _("Full-time"), "fieldtype": "Int", "width": 80},
		{"fieldname": "part_time", "label": _("Part-time"), "fieldtype": "Int", "width": 80},
		{"fieldname": "approval_status", "label": _("Approval"), "fieldtype": "Data", "width": 110},
		{"fieldname": "last_qa_date", "label": _("Last QA"), "fieldtype": "Date", "width": 100},
		{
			"fieldname": "assurance_valid_until",
			"label": _("Assurance valid until"),
			"fieldtype": "Date",
			"width": 130,
		},
		{"fieldname": "last_visit", "label": _("Last visit"), "fieldtype": "Date", "width": 100},
	]
	return columns, summary_rows(filters)


def summary_rows(filters) -> list[dict]:
	rows = pack_rows(filters)
	counts = defaultdict(lambda: {"pupils": 0, "full_time": 0, "part_time": 0})
	for r in rows:
		c = counts[r["provider"]]
		c["pupils"] += 1
		c["part_time" if r["is_part_time"] else "full_time"] += 1
	providers = sorted(counts)
	info = {
		p.name: p
		for p in frappe.get_all(
			"AP Provider",
			filters={"name": ("in", providers or [""])},
			fields=["name", "registration_status", "urn", "ukprn", "approval_status", "last_qa_date"],
		)
	}
	assured, visits = evidence.assurance_until(providers), evidence.last_visits(providers)
	return [
		{
			"provider": name,
			"registration_status": info[name].registration_status,
			"urn": info[name].urn or info[name].ukprn,
			**counts[name],
			"approval_status": info[name].approval_status,
			"last_qa_date": info[name].last_qa_date,
			"assurance_valid_until": assured.get(name),
			"last_visit": visits.get(name),
		}
		for name in providers
	]
