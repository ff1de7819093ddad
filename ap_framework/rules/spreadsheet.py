"""Bounds on a spreadsheet brought in through Frappe's Data Import into one of this app's DocTypes (the
providers, pupils and placements templates). Frappe bounds the upload itself (`max_file_size`, raised on
sites that take the GIAS CSV unzipped) but not the rows: a file of a million rows would occupy a worker
for hours inserting them one by one. Plain Python: no frappe import."""

from __future__ import annotations

from ap_framework.rules import Problem, _, problem

# An LA's providers, its pupils in AP and their placements: a few thousand rows each, under 5 MB as CSV.
MAX_BYTES = 10 * 2**20
MAX_RECORDS = 20_000


def check_size(size: int) -> list[Problem]:
	if size > MAX_BYTES:
		message = _("The file is {0} MB; a Data Import into this app takes at most {1} MB")
		return [
			problem("import_file", message, round(size / 2**20, 1), MAX_BYTES // 2**20, kind="spreadsheet")
		]
	return []


def check_records(count: int, doctype: str) -> list[Problem]:
	"""`count` is the number of documents the file makes (a row with only child columns adds to the one above)."""
	if count > MAX_RECORDS:
		message = _("The file holds {0:,} {1} records; a Data Import takes at most {2:,}")
		return [problem("import_file", message, count, doctype, MAX_RECORDS, kind="spreadsheet")]
	return []
