"""Home School Register: for a school and a period (default this week, at most a term), every session
of its pupils in AP with the code the school records, the AP's own mark, and whose register is missing.

The rows are ap_framework/oversight/home_register.py's, which the CSV download and the API serve too;
the same checks apply (the period, the viewer's scope: another school answers 403)."""

from __future__ import annotations

import frappe
from frappe import _

from ap_framework import api_input
from ap_framework.oversight import home_register
from ap_framework.rules import home_register as rules


def execute(filters=None):
	filters = frappe._dict(filters or {})
	home_register.require_viewer()
	args = api_input.checked(
		home_register.LABELS,
		**home_register.arguments(filters.get("school"), filters.get("from_date"), filters.get("to_date")),
	)
	school, start, end = home_register.settle(args)
	data = home_register.rows(school, start, end)
	for r in data:
		r["status_label"] = _(r["status"])
	return columns(), data, None, None, summary(data)


def columns() -> list[dict]:
	return [
		{"fieldname": "date", "label": _("Date"), "fieldtype": "Date", "width": 100},
		{"fieldname": "session", "label": _("Session"), "fieldtype": "Data", "width": 70},
		{"fieldname": "upn", "label": _("UPN"), "fieldtype": "Data", "width": 130},
		{"fieldname": "pupil", "label": _("Pupil"), "fieldtype": "Link", "options": "Pupil", "width": 170},
		{"fieldname": "provider", "label": _("Provider"), "fieldtype": "Data", "width": 180},
		{"fieldname": "code", "label": _("Code"), "fieldtype": "Data", "width": 60},
		{"fieldname": "ap_mark", "label": _("AP mark"), "fieldtype": "Data", "width": 80},
		{"fieldname": "status_label", "label": _("Status"), "fieldtype": "Data", "width": 120},
		{"fieldname": "awaiting", "label": _("Awaiting"), "fieldtype": "Data", "width": 160},
		{"fieldname": "timetabled", "label": _("Timetabled"), "fieldtype": "Check", "width": 90},
	]


def summary(data: list[dict]) -> list[dict]:
	count = {status: 0 for status in rules.STATUSES}
	for r in data:
		count[r["status"]] += 1
	return [
		{"label": _("Sessions"), "value": len(data), "datatype": "Int"},
		{
			"label": _("Reported"),
			"value": count[rules.REPORTED] + count[rules.NOT_TIMETABLED],
			"datatype": "Int",
		},
		{"label": _("Dual registered"), "value": count[rules.DUAL], "datatype": "Int"},
		{
			"label": _("Missing"),
			"value": count[rules.MISSING],
			"datatype": "Int",
			"indicator": "Red" if count[rules.MISSING] else "Green",
		},
		{"label": _("Not yet due"), "value": count[rules.NOT_YET_DUE], "datatype": "Int"},
	]
