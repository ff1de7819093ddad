"""Which DocTypes a spreadsheet may be imported into (Frappe's Data Import) by whom.

An LA's AP Administrator onboards its providers, pupils and placements from the app's templates; every
other DocType (User, Role, settings...) stays a System Manager's to import. Plain Python: the caller
says which DocTypes the templates fill and whether the user may import anything."""

from __future__ import annotations

from ap_framework.rules import Problem, _, problem

IMPORTER = "AP Administrator"  # given Data Import at install (ap_framework/setup/data_import.py)


def check_document_type(
	reference_doctype: str | None, importable, may_import_anything: bool
) -> list[Problem]:
	"""A Data Import's Document Type is one the app's templates fill, unless the user is a System
	Manager. A blank one is left to Frappe's own mandatory check."""
	if may_import_anything or not reference_doctype or reference_doctype in importable:
		return []
	return [
		problem(
			"reference_doctype",
			_("{0} cannot be imported here: choose one of {1}, or ask a System Manager"),
			reference_doctype,
			", ".join(importable),
			kind="import_scope",
		)
	]
