"""The inspection-readiness board: the 19 checklist points, each with its status, count and records."""

from __future__ import annotations

import json
from urllib.parse import quote

import frappe
from frappe import _

from ap_framework.oversight import evidence
from ap_framework.rules import readiness

INDICATOR = {readiness.MET: "green", readiness.AT_RISK: "orange", readiness.NOT_MET: "red"}
SETTINGS_POINTS = (1, 2)  # kept in AP Settings, not in records


def execute(filters=None):
	filters = frappe._dict(filters or {})
	points = readiness.board(evidence.readiness_facts(school=filters.get("school")))
	columns = [
		{"fieldname": "number", "label": _("No."), "fieldtype": "Int", "width": 50},
		{"fieldname": "point", "label": _("Checklist point"), "fieldtype": "Data", "width": 420},
		{"fieldname": "status", "label": _("Status"), "fieldtype": "Data", "width": 90},
		{"fieldname": "count", "label": _("At fault"), "fieldtype": "Int", "width": 80},
		{"fieldname": "total", "label": _("Looked at"), "fieldtype": "Int", "width": 90},
		{"fieldname": "open", "label": _("Records"), "fieldtype": "HTML", "width": 110},
	]
	data = [
		{
			"number": p.number,
			"point": p.title,
			"status": _(p.status),
			"count": p.count,
			"total": p.total,
			"open": link(p),
			"indicator": INDICATOR[p.status],
		}
		for p in points
	]
	summary = [
		{
			"label": _(status),
			"value": sum(1 for p in points if p.status == status),
			"indicator": INDICATOR[status],
			"datatype": "Int",
		}
		for status in (readiness.MET, readiness.AT_RISK, readiness.NOT_MET)
	]
	return columns, data, None, None, summary


def link(point: readiness.Point) -> str:
	"""A link that opens exactly the records at fault (a filtered list)."""
	if point.number in SETTINGS_POINTS:
		return '<a href="/app/ap-settings">{}</a>'.format(_("AP Settings"))
	if not point.names:
		return ""
	route = frappe.scrub(point.doctype).replace("_", "-")
	names = quote(json.dumps(["in", list(point.names[:200])]))
	return f'<a href="/app/{route}?name={names}">{_("Open {0}").format(point.count)}</a>'
