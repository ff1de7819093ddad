"""Frappe's Data Import, bounded when it imports into this app's DocTypes (rules/spreadsheet.py): the file's
size before Frappe reads it, the number of records before the import is started."""

from __future__ import annotations

import frappe
from frappe.utils import cint

from ap_framework.rules import spreadsheet
from ap_framework.validation import throw_problems


def _ours(doctype: str | None) -> bool:
	if not doctype:
		return False
	module = frappe.db.get_value("DocType", doctype, "module")
	return module in frappe.get_module_list("ap_framework")


def before_validate(doc, method=None) -> None:
	"""Before Frappe's own validate parses the attached file."""
	if doc.import_file and _ours(doc.reference_doctype):
		size = frappe.db.get_value("File", {"file_url": doc.import_file}, "file_size")
		throw_problems(doc, spreadsheet.check_size(cint(size)))


def validate(doc, method=None) -> None:
	"""After Frappe has counted the documents the file makes (payload_count)."""
	if _ours(doc.reference_doctype):
		throw_problems(doc, spreadsheet.check_records(cint(doc.payload_count), doc.reference_doctype))
