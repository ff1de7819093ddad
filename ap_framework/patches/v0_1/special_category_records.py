"""Special-category facts leave Pupil and Contact Log for Pupil Welfare and Safeguarding Concern.

A field's permlevel hid only its value: on Frappe v15 a user without the level could still filter, count
and group by it, and so learn which named child is looked after or on a child-protection plan. Moved into
DocTypes of their own, the facts are refused by the platform's DocType-level check at every door.

This patch copies what earlier releases held, takes the old values out of the documents' version
history (the form timeline shows it to every reader of the pupil), and drops the old columns so no query
can reach them. Every pupil gets its welfare record, whatever made it (a bulk insert included).
"""

import json

import frappe
from frappe.model.naming import make_autoname

from ap_framework.patches import drop_columns
from ap_framework.placement.welfare import FACTS

CONCERN_FIELDS = ("safeguarding_concern", "concern_details")


def execute():
	old_pupil = [f for f in FACTS if frappe.db.has_column("Pupil", f)]
	old_log = [f for f in CONCERN_FIELDS if frappe.db.has_column("Contact Log", f)]
	copy_welfare(old_pupil)
	if len(old_log) == len(CONCERN_FIELDS):
		copy_concerns()
	scrub_versions("Pupil", old_pupil)
	scrub_versions("Contact Log", old_log)
	drop_columns("Pupil", old_pupil)
	drop_columns("Contact Log", old_log)


def copy_welfare(old_columns: list[str]) -> None:
	"""One Pupil Welfare per pupil that has none, in one statement, carrying the old facts where present."""
	facts = ", ".join(f"`{f}`" for f in old_columns)
	frappe.db.sql(
		f"""insert into `tabPupil Welfare`
			(name, pupil, pupil_name, date_of_birth, school, creation, modified, owner, modified_by,
			docstatus {", " + facts if facts else ""})
		select p.name, p.name, p.full_name, p.date_of_birth, p.school, now(), now(), 'Administrator',
			'Administrator', 0 {", " + ", ".join(f"p.`{f}`" for f in old_columns) if facts else ""}
		from `tabPupil` p
		left join `tabPupil Welfare` w on w.name = p.name
		where w.name is null"""
	)
	if "sen_status" in old_columns:
		frappe.db.sql("update `tabPupil Welfare` set ehcp = (sen_status = 'E')")


def copy_concerns() -> None:
	logs = frappe.db.sql(
		"""select l.name, l.pupil, l.placement, l.school, l.provider, l.contact_datetime, l.owner,
			l.concern_details
		from `tabContact Log` l
		left join `tabSafeguarding Concern` c on c.contact_log = l.name
		where l.safeguarding_concern = 1 and c.name is null""",
		as_dict=True,
	)
	if not logs:
		return
	fields = [
		"name",
		"pupil",
		"pupil_name",
		"placement",
		"school",
		"provider",
		"contact_log",
		"raised_on",
		"raised_by",
		"details",
		"owner",
		"creation",
		"modified",
		"modified_by",
		"docstatus",
	]
	names = dict(
		frappe.get_all(
			"Pupil",
			filters={"name": ("in", [r.pupil for r in logs])},
			fields=["name", "full_name"],
			as_list=True,
		)
	)
	# A concern once raised on a provider-level log has no pupil: it is kept all the same, for the AP
	# Administrator (no school scopes it to a Safeguarding Lead). Names come from the series one by one:
	# concerns are few, and each needs its own number.
	rows = [
		[
			make_autoname("SGC-.YYYY.-.#####", "Safeguarding Concern"),
			r.pupil,
			names.get(r.pupil),
			r.placement,
			r.school,
			r.provider,
			r.name,
			r.contact_datetime,
			r.owner,
			r.concern_details or "(no details were recorded)",
			r.owner,
			r.contact_datetime,
			r.contact_datetime,
			r.owner,
			0,
		]
		for r in logs
	]
	frappe.db.bulk_insert("Safeguarding Concern", fields, rows)


def scrub_versions(doctype: str, fields: list[str]) -> None:
	"""Take the moved fields out of the recorded changes; a version that changed nothing else goes."""
	if not fields:
		return
	moved = set(fields)
	for v in frappe.get_all(
		"Version",
		filters={"ref_doctype": doctype},
		or_filters=[["data", "like", f"%{f}%"] for f in fields],
		fields=["name", "data"],
	):
		data = json.loads(v.data or "{}")
		data["changed"] = [c for c in data.get("changed", []) if c[0] not in moved]
		if any(data.get(k) for k in ("changed", "added", "removed", "row_changed", "comment")):
			frappe.db.set_value("Version", v.name, "data", json.dumps(data), update_modified=False)
		else:
			frappe.db.delete("Version", v.name)
