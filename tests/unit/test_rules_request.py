"""The shape checks every whitelisted method runs first (rules/request.py), without Frappe.

House rule they follow (the developers' brief): bad input gets a clear, translated message naming the
field, an HTTP 4xx and never a 500, and nothing is half-saved. Python's json module and Frappe's
getdate() fail on the inputs below with exceptions Frappe answers 500; these checks answer problems.
"""

from __future__ import annotations

import ast
import json
from datetime import date
from pathlib import Path

import pytest

from ap_framework.rules import request, transfer

APP = Path(__file__).resolve().parents[2] / "ap_framework"
MARKS = request.rows(
	{
		"placement": request.name(required=True),
		"mark": request.name(max_length=4),
		"minutes_late": request.integer(),
	},
	labels={"minutes_late": "Minutes late"},
	max_rows=3,
)


def rendered(problems) -> list[str]:
	return [p.render() for p in problems]


class TestRows:
	"""A register's marks: the three inputs that were a 500 first."""

	def test_text_that_is_not_json(self):
		value, problems = MARKS("marks", "this is not JSON")
		assert value is None and rendered(problems) == ["Is not valid JSON"]
		assert problems[0].field == "marks" and problems[0].kind == "malformed"

	def test_an_object_instead_of_a_list(self):
		_, problems = MARKS("marks", json.dumps({"placement": "P1", "mark": "/"}))
		assert rendered(problems) == ["Must be a list of rows, not an object"]

	def test_a_list_of_numbers(self):
		_, problems = MARKS("marks", "[1, 2]")
		assert rendered(problems) == [
			"Row 1 must be an object, not a number",
			"Row 2 must be an object, not a number",
		]

	def test_good_rows_from_a_form_or_a_json_body(self):
		rows = [{"placement": "P1", "mark": "L", "minutes_late": "5", "extra": "dropped"}]
		assert MARKS("marks", json.dumps(rows)) == ([{"placement": "P1", "mark": "L", "minutes_late": 5}], [])
		assert MARKS("marks", rows)[0] == [{"placement": "P1", "mark": "L", "minutes_late": 5}]
		assert MARKS("marks", None) == ([], []) and MARKS("marks", "") == ([], [])

	def test_each_cell_is_named_by_row_and_label(self):
		_, problems = MARKS("marks", [{"placement": 5, "minutes_late": "soon"}, {"mark": "/"}])
		assert rendered(problems) == [
			"Row 1, placement: Must be text, not a number",
			"Row 1, Minutes late: Must be a whole number",
			"Row 2, placement: Is required",
		]
		assert {p.field for p in problems} == {"marks"}

	def test_too_many_rows_too_deep_too_long(self):
		assert rendered(MARKS("marks", [{}] * 4)[1]) == ["Must have at most 3 rows"]
		assert rendered(MARKS("marks", "[" * 600_000 + "]" * 600_000)[1]) == [
			"Must be at most 1000000 characters"
		]
		# json.loads raises RecursionError (Python 3.14 parses deeper than 3.11, not this deep)
		assert rendered(MARKS("marks", "[" * 200_000 + "]" * 200_000)[1]) == ["Is not valid JSON"]


class TestScalars:
	@pytest.mark.parametrize("value", [5, 1.5, True, [], {"a": 1}])
	def test_text_is_text(self, value):
		assert request.name()("placement", value)[1][0].message.startswith("Must be text")

	def test_text_that_cannot_be_stored_or_is_too_long(self):
		assert rendered(request.text()("summary", "a\ud800b")[1]) == [
			"Contains characters that cannot be stored"
		]
		assert rendered(request.text()("summary", "nul\x00")[1]) == [
			"Contains characters that cannot be stored"
		]
		assert rendered(request.name()("placement", "x" * 141)[1]) == ["Must be at most 140 characters"]
		assert request.text(required=True)("summary", "  ")[1][0].message == "Is required"
		assert request.text()("summary", "") == (None, [])

	@pytest.mark.parametrize(
		"value, expected", [("1", 1), ("0", 0), (True, 1), (0, 0), ("", 0), (None, 0), ("on", 1), (1.0, 1)]
	)
	def test_flags(self, value, expected):
		assert request.flag()("is_baseline", value) == (expected, [])

	@pytest.mark.parametrize("value", ["2", "maybe", [1], {"a": 1}, 7])
	def test_not_a_flag(self, value):
		assert request.flag()("is_baseline", value)[1][0].message.startswith("Must be 0 or 1")

	@pytest.mark.parametrize("value", ["12abc", "1e400", "1.5", [], True, 2.5])
	def test_not_a_whole_number(self, value):
		assert rendered(request.integer()("minutes_late", value)[1]) == ["Must be a whole number"]

	def test_whole_numbers_within_an_int_column(self):
		assert request.integer()("score", " 42 ") == (42, [])
		assert request.integer()("score", 3.0) == (3, [])
		assert request.integer()("score", str(2**35))[1][0].message == "Must be between {0} and {1}"

	@pytest.mark.parametrize(
		"value", ["yesterday", "2025-02-30", "20250101", 20250101, "0001-01-01", "9999-12-31"]
	)
	def test_dates_that_are_not(self, value):
		assert request.day()("attendance_date", value)[1], value

	def test_dates(self):
		assert request.day()("attendance_date", "2025-09-01") == (date(2025, 9, 1), [])
		assert request.day()("attendance_date", None) == (None, [])
		assert rendered(request.day(required=True)("received_date", "")[1]) == ["Is required"]

	def test_choices_do_not_echo_what_was_sent(self):
		_, problems = request.choice(("AM", "PM"))("session", "x" * 100)
		assert rendered(problems) == ["Must be one of AM, PM"]

	def test_names_one_or_a_list(self):
		assert request.names()("pupils", "PUP-1") == (["PUP-1"], [])
		assert request.names()("pupils", '["PUP-1", "PUP-2"]') == (["PUP-1", "PUP-2"], [])
		assert rendered(request.names()("pupils", "[{}]")[1]) == ["Name 1: Must be text, not an object"]
		assert rendered(request.names()("pupils", "[oops")[1]) == ["Is not valid JSON"]
		assert request.names()("pupils", None) == ([], [])

	def test_a_record(self):
		assert request.record()("payload", '{"a": 1}') == ({"a": 1}, [])
		assert rendered(request.record()("payload", "[1]")[1]) == ["Must be a JSON object, not a list"]
		assert rendered(request.record()("payload", None)[1]) == ["Is required"]

	def test_a_document_names_its_doctype_and_name(self):
		doc = '{"doctype": "Placement", "name": "PLC-2026-00001", "status": "Pending Approval"}'
		assert request.document()("doc", doc)[0]["name"] == "PLC-2026-00001"
		for unnamed in ('{"name": "PLC-1"}', "{}"):
			assert rendered(request.document()("doc", unnamed)[1]) == [
				"Must name the document's doctype: Is required"
			]
		assert rendered(request.document()("doc", '{"doctype": "Placement", "name": [1]}')[1]) == [
			"Must name the document's name: Must be text, not a list"
		]

	def test_check_all_reports_every_field(self):
		values, problems = request.check_all(
			{
				"session": ("XM", request.choice(("AM", "PM"))),
				"marks": ("{", MARKS),
				"note": ("ok", request.text()),
			}
		)
		assert values == {"session": None, "marks": None, "note": "ok"}
		assert [p.field for p in problems] == ["session", "marks"]


class TestIncomingPayloadShapes:
	"""A partner's payload with one part of the wrong shape is refused, not a crash in the rule."""

	def good(self):
		row = {"code": "EMO", "baseline": {"score": 2, "date": "2025-01-01"}, "latest": {"score": 3}}
		return {
			"protocol": 1,
			"idempotency_key": "k" * 32,
			"channel": "Profile",
			"snapshot": {
				"pupil": {"first_name": "A", "last_name": "B", "date_of_birth": "2012-01-01"},
				"sections": {"domains": {"rows": [row]}},
			},
		}

	@pytest.mark.parametrize(
		"rows",
		[
			[1],
			{"a": 1},
			[{"code": "E", "baseline": [], "latest": {}}],
			[{"code": "E", "baseline": {"score": True}}],
		],
	)
	def test_domain_rows_of_the_wrong_shape(self, rows):
		p = self.good()
		p["snapshot"]["sections"]["domains"]["rows"] = rows
		assert "domains" in {x.field for x in transfer.check_payload(p, ["domains"], False)}

	def test_domains_that_are_not_an_object(self):
		p = self.good()
		p["snapshot"]["sections"]["domains"] = ["a list"]
		assert "domains" in {x.field for x in transfer.check_payload(p, ["domains"], False)}

	def test_a_score_date_that_is_not_a_date(self):
		p = self.good()
		p["snapshot"]["sections"]["domains"]["rows"][0]["baseline"]["date"] = "someday"
		assert {x.field for x in transfer.check_payload(p, ["domains"], False)} == {"domains"}

	@pytest.mark.parametrize(
		"key, value", [("version", "one"), ("pack", 5), ("sender", {"a": 1}), ("sender", "x" * 141)]
	)
	def test_envelope_fields_of_the_wrong_type(self, key, value):
		p = {**self.good(), key: value}
		assert key in {x.field for x in transfer.check_payload(p, ["domains"], False)}

	def test_a_upn_that_is_not_text_and_a_protocol_not_echoed_at_length(self):
		p = self.good()
		p["snapshot"]["pupil"]["upn"] = 5
		p["protocol"] = "x" * 10_000
		problems = transfer.check_payload(p, ["domains"], False)
		assert "upn" in {x.field for x in problems}
		assert all(len(x.render()) < 200 for x in problems)

	def test_the_good_one_still_passes(self):
		assert transfer.check_payload(self.good(), ["domains"], False) == []


def whitelisted_functions():
	"""(module path, function node) of every @frappe.whitelist function in the app's code."""
	for path in sorted(APP.rglob("*.py")):
		for node in ast.walk(ast.parse(path.read_text())):
			if isinstance(node, ast.FunctionDef) and any(
				"frappe.whitelist" in ast.unparse(d) for d in node.decorator_list
			):
				yield f"{path.relative_to(APP.parent)}:{node.name}", node


def test_there_are_whitelisted_methods_to_check():
	assert len(list(whitelisted_functions())) >= 25


@pytest.mark.parametrize(
	"where, node", list(whitelisted_functions()), ids=lambda v: v if isinstance(v, str) else ""
)
def test_every_argument_of_a_whitelisted_method_is_checked_by_api_input(where, node):
	"""Frappe calls a method with only the arguments posted, so one left out is a TypeError (a 500) unless
	it has a default; and an argument the method uses goes through api_input.checked first."""
	args = node.args
	params = [a.arg for a in args.args + args.kwonlyargs]
	assert len(args.defaults) == len(args.args) and all(d is not None for d in args.kw_defaults), where
	used = {n.id for n in ast.walk(node) if isinstance(n, ast.Name)} & set(params)
	calls = {ast.unparse(n.func) for n in ast.walk(node) if isinstance(n, ast.Call)}
	assert not used or "api_input.checked" in calls, f"{where} uses {sorted(used)} unchecked"
