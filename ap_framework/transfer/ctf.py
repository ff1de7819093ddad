"""Common Transfer File in and out of the site. rules/ctf.py does the XML; this reads and writes pupils.

Import is all or nothing: every record the file cannot give us is reported, with why, and then
nothing is imported; otherwise each pupil is created or updated (matched by UPN) in one transaction."""

from __future__ import annotations

import frappe
from frappe import _
from frappe.query_builder import DocType
from frappe.utils import getdate, now_datetime, today

from ap_framework import api_input, once
from ap_framework.placement import welfare
from ap_framework.rules import ctf as rules
from ap_framework.rules import problem, request
from ap_framework.validation import throw_problems

FIELDS = [
	"name",
	"upn",
	"first_name",
	"last_name",
	"date_of_birth",
	"gender",
	"year_group",
	"former_upn",
	"school",
]


def _school_codes(school: str | None) -> dict:
	if not school:
		return {}
	s = frappe.db.get_value("School", school, ["school_name", "urn", "la_code"], as_dict=True) or {}
	return {"la_code": s.get("la_code"), "estab": "", "urn": s.get("urn"), "name": s.get("school_name")}


LABELS = {
	"pupils": "Pupils",
	"dest_la": "Destination LA",
	"dest_estab": "Destination establishment",
	"content": "Common Transfer File",
	"school": "School",
	"form_token": "Form token",
}


@frappe.whitelist()
@frappe.read_only()
def export_ctf(
	pupils: list | str | None = None, dest_la: str | None = None, dest_estab: str | None = None
) -> str:
	"""CTF XML for the given pupils, as far as the user may read them (SEN status only for those who
	may read it)."""
	args = api_input.checked(
		LABELS,
		pupils=(pupils, request.names()),
		dest_la=(dest_la, request.name()),
		dest_estab=(dest_estab, request.name()),
	)
	names, dest_la, dest_estab = args.pupils, args.dest_la, args.dest_estab
	rows = frappe.get_list("Pupil", filters={"name": ("in", names)}, fields=FIELDS, order_by="name asc")
	if len(rows) != len(set(names)):
		frappe.throw(
			_("Some of these pupils do not exist or are not yours to export"), frappe.PermissionError
		)
	if welfare.may_read():  # SEN status from the welfare records this user may read (their school's)
		sen = dict(
			frappe.get_list(
				"Pupil Welfare",
				filters={"pupil": ("in", names)},
				fields=["pupil", "sen_status"],
				as_list=True,
			)
		)
		for r in rows:
			r["sen_status"] = sen.get(r.name)
	contacts = {r.name: [] for r in rows}
	for c in frappe.get_all(
		"Pupil Contact",
		filters={"parent": ("in", list(contacts)), "parenttype": "Pupil"},
		fields=["parent", "contact_name", "relationship", "phone", "email", "parental_responsibility"],
		order_by="idx asc",
	):
		contacts[c.parent].append(c)
	pupils_out = [
		{**r, "date_of_birth": getdate(r.date_of_birth), "contacts": contacts[r.name]} for r in rows
	]
	source = _school_codes(rows[0].school if rows else None)
	return rules.export(source, {"la_code": dest_la, "estab": dest_estab}, pupils_out, now_datetime())


@frappe.whitelist(methods=["POST"])
def import_ctf(content: str | None = None, school: str | None = None, form_token: str | None = None) -> dict:
	"""Create or update the file's pupils at `school`, matched by UPN; refuse the whole file if any record
	cannot be taken. The same file sent twice from one form (a double click, a retry: the same form
	token) is imported once; the second answers the file's pupils as the first left them."""
	args = api_input.checked(
		LABELS,
		# characters never outnumber UTF-8 bytes: past this the rule refuses it anyway, saying the bound in MB
		content=(content, request.text(required=True, max_length=2 * rules.MAX_BYTES)),
		school=(school, request.name(required=True)),
		form_token=(form_token, once.TOKEN),
	)
	done = {}

	def make() -> frappe._dict:
		done.update(_import(args.content, args.school))
		pupils = done["created"] + done["updated"]
		return frappe._dict(doctype="Pupil", name=pupils[0] if pupils else None)

	first = once.create("import_ctf", args.form_token, make)
	return done or _imported_before(args.content, first)


def _imported_before(content: str, first: str | None) -> dict:
	"""The answer to a repeated import: nothing created or updated now, and the file's pupils as the
	first import left them (a locking read: this request's snapshot may predate that import)."""
	header, pupils, _problems = rules.parse(content, getdate(today()))
	P = DocType("Pupil")
	names = (
		frappe.qb.from_(P)
		.select(P.name)
		.where(P.upn.isin([p.upn for p in pupils]))
		.for_update()
		.run(pluck=True)
		if pupils
		else []
	)
	return {
		"created": [],
		"updated": [],
		"source": header.get("source_name"),
		"imported_before": sorted(set(names) | ({first} if first else set())),
	}


def _import(content: str, school: str) -> dict:
	if not frappe.has_permission("School", "read", school) or not frappe.has_permission("Pupil", "create"):
		frappe.throw(_("You may not import pupils into {0}").format(school), frappe.PermissionError)
	header, pupils, problems = rules.parse(content, getdate(today()))
	existing = {}
	if pupils:
		for row in frappe.get_all(
			"Pupil", filters={"upn": ("in", [p.upn for p in pupils])}, fields=["name", "upn", "school"]
		):
			existing[row.upn] = row
	for p in pupils:
		other = existing.get(p.upn)
		if other and other.school != school:
			problems.append(
				problem(
					"ctf",
					_("UPN {0} belongs to a pupil at another school ({1})"),
					p.upn,
					other.school,
					kind="ctf",
				)
			)
	throw_problems(
		None, problems, labels={"ctf": _("Common Transfer File")}, title=_("The CTF was not imported")
	)

	created, updated = [], []
	frappe.db.savepoint("ap_ctf_import")
	try:
		for p in pupils:
			match = existing.get(p.upn)
			doc = frappe.get_doc("Pupil", match.name) if match else frappe.new_doc("Pupil")
			doc.update(
				{
					"first_name": p.first_name,
					"last_name": p.last_name,
					"date_of_birth": p.date_of_birth,
					"upn": p.upn,
					"school": school,
				}
			)
			if p.gender:
				doc.gender = p.gender
			if p.year_group:
				doc.year_group = p.year_group
			sen = {"sen_status": p.sen_status} if p.sen_status and welfare.may_read() else None
			if p.contacts:
				doc.set("contacts", p.contacts)
			if match:
				doc.save()
				if sen:  # a permission-checked save: this user may write this school's welfare records
					frappe.get_doc("Pupil Welfare", doc.name).update(sen).save()
				updated.append(doc.name)
			else:
				doc.flags.welfare = sen
				doc.insert()
				created.append(doc.name)
	except Exception:
		# one pupil the rules did not foresee failing (a permission, a validation): none of the file stays
		frappe.db.rollback(save_point="ap_ctf_import")
		raise
	return {"created": created, "updated": updated, "source": header.get("source_name")}
