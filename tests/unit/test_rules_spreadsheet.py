"""Bounds on a spreadsheet brought in through Data Import into this app's DocTypes: each refusal says the
bound (OWASP File Upload Cheat Sheet: "Set a file size limit"; ASVS 4.0 12.1.1: the application does not
accept large files that could fill up storage or cause a denial of service)."""

from __future__ import annotations

from ap_framework.rules import spreadsheet


def test_a_file_over_the_size_bound_is_refused_saying_the_bound():
	assert spreadsheet.check_size(spreadsheet.MAX_BYTES) == []
	(p,) = spreadsheet.check_size(11 * 2**20)
	assert (p.field, p.kind) == ("import_file", "spreadsheet")
	assert p.render() == "The file is 11.0 MB; a Data Import into this app takes at most 10 MB"


def test_a_file_over_the_record_bound_is_refused_saying_the_bound():
	assert spreadsheet.check_records(spreadsheet.MAX_RECORDS, "Pupil") == []
	(p,) = spreadsheet.check_records(20_001, "Pupil")
	assert (p.field, p.kind) == ("import_file", "spreadsheet")
	assert p.render() == "The file holds 20,001 Pupil records; a Data Import takes at most 20,000"
