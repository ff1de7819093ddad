"""Frappe's Data Import for the LA's AP Administrator, for the DocTypes the app's templates fill and no
other. Frappe gives Data Import to System Managers only; an LA onboarding its providers, pupils and
placements should not need one. So:

- `grant` (install and migrate) lets an AP Administrator create, read and write Data Imports;
- `before_validate` refuses, on save, a Data Import whose Document Type is not one of IMPORTABLE unless
  the user is a System Manager (ap_framework/rules/data_import.py), before Frappe's own checks so the
  refusal names the Document Type whatever it is;
- an import into this app's DocTypes is bounded (ap_framework/rules/spreadsheet.py): the file's size in
  `before_validate`, before Frappe reads it, and the number of records in `validate`, once Frappe has
  counted them (`payload_count`);
- `has_permission` and `query_conditions` keep a System Manager's other imports (of Users, say, with
  their files and logs) out of an AP Administrator's sight.

The import itself runs as the user who started it, so their own permissions on Placement, Pupil and AP
Provider (and the app's scope hooks) still decide each row."""

from __future__ import annotations

import frappe
from frappe.utils import cint

from ap_framework.rules import data_import as rules
from ap_framework.rules import spreadsheet
from ap_framework.setup.templates import DOCTYPES, IMPORTERS
from ap_framework.validation import throw_problems

IMPORTABLE = tuple(DOCTYPES.values())
ROLE = rules.IMPORTER
RIGHTS = {"Data Import": ("read", "write", "create"), "Data Import Log": ("read",)}  # the form reads its log
ANYTHING = "System Manager"  # Frappe's own importer of any DocType


def may_import_anything(user: str | None = None) -> bool:
	return ANYTHING in frappe.get_roles(user or frappe.session.user)


def before_validate(doc, method=None) -> None:
	throw_problems(doc, rules.check_document_type(doc.reference_doctype, IMPORTABLE, may_import_anything()))
	if doc.import_file and _ours(doc.reference_doctype):
		size = frappe.db.get_value("File", {"file_url": doc.import_file}, "file_size")
		throw_problems(doc, spreadsheet.check_size(cint(size)))


def validate(doc, method=None) -> None:
	if _ours(doc.reference_doctype):
		throw_problems(doc, spreadsheet.check_records(cint(doc.payload_count), doc.reference_doctype))


def _ours(doctype: str | None) -> bool:
	if not doctype:
		return False
	module = frappe.db.get_value("DocType", doctype, "module")
	return module in frappe.get_module_list("ap_framework")


def has_permission(doc, ptype: str | None = None, user: str | None = None, debug: bool = False) -> bool:
	"""True (no objection) for a System Manager, for an import of one of IMPORTABLE, and for one being
	made (`validate` refuses it on save, naming its Document Type); False for a saved import of anything
	else."""
	if may_import_anything(user) or ptype == "create" or doc.is_new():
		return True
	return doc.reference_doctype in IMPORTABLE


def log_has_permission(doc, ptype: str | None = None, user: str | None = None, debug: bool = False) -> bool:
	"""A Data Import Log is read as its import is."""
	if may_import_anything(user):
		return True
	return frappe.db.get_value("Data Import", doc.data_import, "reference_doctype") in IMPORTABLE


def query_conditions(user: str | None = None) -> str:
	if may_import_anything(user):
		return ""
	return f"`tabData Import`.`reference_doctype` in ({_importable()})"


def log_query_conditions(user: str | None = None) -> str:
	if may_import_anything(user):
		return ""
	return (
		"`tabData Import Log`.`data_import` in (select `name` from `tabData Import`"
		f" where `reference_doctype` in ({_importable()}))"
	)


def _importable() -> str:
	return ", ".join(frappe.db.escape(dt) for dt in IMPORTABLE)


def grant():
	"""Give the AP Administrator create, read and write on Data Import (and read on its log), as Custom
	DocPerm rows (Frappe first copies the DocType's own rules, System Manager's, so they stay). Run
	again, it changes nothing."""
	assert ROLE in IMPORTERS
	from frappe.permissions import add_permission

	for doctype, rights in RIGHTS.items():
		add_permission(doctype, ROLE, 0)
		name = frappe.db.get_value(
			"Custom DocPerm", {"parent": doctype, "role": ROLE, "permlevel": 0, "if_owner": 0}
		)
		if any(not frappe.db.get_value("Custom DocPerm", name, right) for right in rights):
			frappe.db.set_value("Custom DocPerm", name, dict.fromkeys(rights, 1))
			frappe.clear_cache(doctype=doctype)
