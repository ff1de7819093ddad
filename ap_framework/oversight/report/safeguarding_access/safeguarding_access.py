"""Safeguarding Access: who has seen this child's safeguarding information, and when.

For a subject access request (filter by pupil) or a DPO's audit (by school, by member of staff, over a
period). Reads the Safeguarding Access Log through frappe.get_list, so the reader sees only what the log's
own permissions give them: an AP Administrator every school, a Safeguarding Lead their own school.

Besides the entries naming the pupil's records, a pupil's answer lists the list-type requests in the
pupil's school over the period whose answers named no record (a count, an export file): the log cannot
say whether the pupil was among their rows, so they are shown, marked as such, rather than left out.
"""

from __future__ import annotations

import frappe
from frappe import _
from frappe.utils import get_datetime, getdate

from ap_framework.rules import access
from ap_framework.validation import throw_problems

LOG = "Safeguarding Access Log"
FIELDS = [
	"accessed_on",
	"user",
	"full_name",
	"roles",
	"outcome",
	"door",
	"access",
	"reference_doctype",
	"reference_name",
	"pupil",
	"school",
	"http_status",
	"request_path",
	"query",
]


def execute(filters=None):
	filters = frappe._dict(filters or {})
	from_date = getdate(filters.from_date) if filters.from_date else None
	to_date = getdate(filters.to_date) if filters.to_date else None
	throw_problems(
		None,
		access.check_report_filters(filters.pupil, filters.school, filters.user, from_date, to_date),
		labels={"pupil": _("Pupil"), "to_date": _("To")},
		title=_("Safeguarding Access"),
	)
	return columns(), rows(filters, from_date, to_date)


def columns() -> list[dict]:
	return [
		{"fieldname": "accessed_on", "label": _("When"), "fieldtype": "Datetime", "width": 160},
		{"fieldname": "user", "label": _("Who"), "fieldtype": "Data", "width": 200},
		{"fieldname": "full_name", "label": _("Name"), "fieldtype": "Data", "width": 140},
		{"fieldname": "roles", "label": _("Role(s)"), "fieldtype": "Data", "width": 160},
		{"fieldname": "outcome", "label": _("Outcome"), "fieldtype": "Data", "width": 80},
		{"fieldname": "door", "label": _("Door"), "fieldtype": "Data", "width": 80},
		{"fieldname": "reference_doctype", "label": _("Record Type"), "fieldtype": "Data", "width": 140},
		{
			"fieldname": "reference_name",
			"label": _("Record"),
			"fieldtype": "Dynamic Link",
			"options": "reference_doctype",
			"width": 150,
		},
		{"fieldname": "pupil", "label": _("Pupil"), "fieldtype": "Data", "width": 120},
		{"fieldname": "school", "label": _("School"), "fieldtype": "Data", "width": 140},
		{"fieldname": "note", "label": _("Note"), "fieldtype": "Data", "width": 260},
		{"fieldname": "request_path", "label": _("Request"), "fieldtype": "Data", "width": 260},
	]


def rows(filters, from_date, to_date) -> list[dict]:
	period = []
	if from_date:
		period.append(["accessed_on", ">=", get_datetime(f"{from_date} 00:00:00")])
	if to_date:
		period.append(["accessed_on", "<=", get_datetime(f"{to_date} 23:59:59.999999")])
	common = list(period)
	if filters.user:
		common.append(["user", "=", filters.user])
	if filters.outcome:
		common.append(["outcome", "=", filters.outcome])
	named = list(common)
	if filters.pupil:
		named.append(["pupil", "=", filters.pupil])
	if filters.school:
		named.append(["school", "=", filters.school])
	out = [dict(r, note=None) for r in _entries(named)]
	if filters.pupil:
		# the pupil's school's queries that named no record: the pupil may have been among their rows
		school = filters.school or frappe.db.get_value("Pupil", filters.pupil, "school")
		if school:
			unnamed = [
				*common,
				["school", "=", school],
				["access", "=", "Query"],
				["reference_name", "is", "not set"],
			]
			note = _(
				"A list or export in the pupil's school that named no record: the pupil may be among its rows"
			)
			out += [dict(r, note=note) for r in _entries(unnamed)]
	out.sort(key=lambda r: r["accessed_on"], reverse=True)
	for r in out:
		if r["access"] == "Query" and not r["note"]:
			r["note"] = _("Named in a list-type answer")
	return out


def _entries(filters) -> list[dict]:
	# get_list, not get_all: the log's permissions decide which entries this reader sees
	return frappe.get_list(
		LOG, filters=filters, fields=FIELDS, order_by="accessed_on desc", limit_page_length=0
	)
