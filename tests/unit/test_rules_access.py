"""The access audit's plain facts (ap_framework/rules/access.py): which door a request came through, which
records a list-type answer named, one entry per record and door, and the report's filters.

UK GDPR Art. 5(2) (accountability: be able to show who processed what) and Art. 15 (right of access: a
pupil or parent can ask who has seen the child's records); the entries must name the door exactly so a
DPO can tell a printed copy from a screen read.
"""

from __future__ import annotations

from datetime import date

import pytest

from ap_framework.rules import access


@pytest.mark.parametrize(
	("path", "door"),
	[
		("/api/method/frappe.desk.form.load.getdoc", "Form"),
		("/api/method/frappe.desk.form.load.get_docinfo", "Form"),
		("/api/method/frappe.desk.form.save.savedocs", "Form"),
		("/api/resource/Risk Assessment/RA-2026-00001", "API"),
		("/api/v2/document/Risk Assessment/RA-2026-00001", "API"),
		("/api/method/frappe.client.get", "API"),
		("/api/method/frappe.client.get_value", "API"),
		("/api/v2/method/frappe.client.get", "API"),
		("/printview", "Print"),
		("/api/method/frappe.www.printview.get_html_and_style", "Print"),
		("/api/method/frappe.utils.print_format.download_pdf", "PDF"),
		("/api/method/frappe.utils.print_format.download_multi_pdf", "PDF"),
		("/api/method/ap_framework.transfer.pack.download", "PDF"),
		("/api/method/frappe.desk.reportview.export_query", "Export"),
		("/api/method/frappe.desk.query_report.export_query", "Export"),
		("/api/method/frappe.desk.query_report.run", "Report"),
		("/api/method/frappe.desk.reportview.get", "List"),
		("/api/method/frappe.desk.reportview.get_group_by_count", "List"),
		("/api/method/frappe.desk.search.search_link", "List"),
		("/api/method/frappe.client.get_list", "List"),
		("/api/method/frappe.client.get_count", "List"),
		("/api/resource/Risk Assessment", "API"),
		("/api/method/frappe.core.doctype.communication.email.make", "Email"),
		("/private/files/risk.pdf", "File"),
		("/ap/pupil", "Portal"),
		("/ap", "Portal"),
		("/api/method/ap_framework.portal.api.log_contact", "Portal"),
		("/apple", "Other"),
		("/api/method/some_app.api.anything", "Other"),
		("/app/risk-assessment/RA-1", "Other"),
	],
)
def test_each_door_is_named_from_the_request_path(path, door):
	assert access.door(path) == door
	assert door in access.DOORS


def test_no_request_is_the_background_door_and_the_legacy_cmd_is_read():
	assert access.door(None) == "Background"
	assert access.door("/", cmd="frappe.desk.form.load.getdoc") == "Form"


def test_a_rest_read_of_one_record_is_told_from_its_path():
	assert access.record_read("/api/resource/Risk Assessment/RA-1", "GET") == ("Risk Assessment", "RA-1")
	assert access.record_read("/api/v2/document/Incoming Profile/INC-1/", "GET") == (
		"Incoming Profile",
		"INC-1",
	)
	assert access.record_read("/api/resource/Risk Assessment/RA-1", "PUT") is None
	assert access.record_read("/api/resource/Risk Assessment", "GET") is None  # a list
	assert access.record_read("/api/v2/document/Risk Assessment/RA-1/copy", "GET") is None
	assert access.record_read(None, None) is None


def test_names_in_each_shape_of_list_answer():
	assert access.names_in_answer([{"name": "RA-1"}, {"name": "RA-2", "pupil": "P"}]) == ["RA-1", "RA-2"]
	assert access.names_in_answer(
		{"keys": ["pupil", "name"], "values": [["P1", "RA-1"], ["P2", "RA-2"]]}
	) == [
		"RA-1",
		"RA-2",
	]
	assert access.names_in_answer({"name": "RA-1", "overall_rating": "High"}) == ["RA-1"]  # get_value
	assert access.names_in_answer([{"value": "RA-1", "description": "x"}]) == ["RA-1"]  # link search
	assert access.names_in_answer([]) == []


@pytest.mark.parametrize(
	"answer",
	[
		7,  # a count
		None,
		"Sr,Name\n1,RA-1",  # an export file
		{"keys": ["pupil"], "values": [["P1"]]},  # rows without their name
		[{"pupil": "P1", "count": 3}],  # a group-by
		{"overall_rating": "High"},  # get_value of one field
	],
)
def test_an_answer_naming_no_record_says_so(answer):
	assert access.names_in_answer(answer) is None


def test_a_count_per_group_names_groups_not_records():
	"""get_group_by_count answers [{"name": <the group's value>, "count": n}]."""
	groups = [{"name": "T School A", "count": 3}, {"name": "T School B", "count": 1}]
	assert access.names_in_answer(groups, "frappe.desk.listview.get_group_by_count") is None
	assert access.names_in_answer(groups) is None
	assert access.names_in_answer([{"name": "RA-1"}], "frappe.desk.reportview.get_count") is None
	assert access.names_in_answer([{"name": "RA-1"}], "frappe.client.get_list") == ["RA-1"]


def test_rows_are_counted_where_they_can_be():
	assert access.rows_in_answer([{"pupil": "P1"}, {"pupil": "P2"}]) == 2
	assert access.rows_in_answer({"keys": ["pupil"], "values": [["P1"]]}) == 1
	assert access.rows_in_answer(7) is None


def test_one_read_per_record_and_door_granted_if_any_check_was():
	read = access.Read("u@x", "Risk Assessment", "RA-1", "Print", checked={"read", "print"})
	assert read.outcome == "Denied"
	read.granted.add("print")  # validate_print_permission: read refused, print allowed
	assert read.outcome == "Granted"
	shown = access.Read("Guest", "Risk Assessment", "RA-1", "Print", shown=True)  # a share key's print
	assert shown.outcome == "Granted"
	assert access.key("u", "Risk Assessment", "RA-1", "Form") != access.key(
		"u", "Risk Assessment", "RA-1", "Print"
	)
	assert access.key("u", "Risk Assessment", "RA-1", "Form") != access.key(
		"v", "Risk Assessment", "RA-1", "Form"
	)
	assert access.key("u", "Risk Assessment", 1, "Form") == access.key("u", "Risk Assessment", "1", "Form")


def test_the_audited_records_and_what_counts_as_a_read():
	assert access.AUDITED == {
		"Pupil Welfare",
		"Safeguarding Concern",
		"Risk Assessment",
		"Profile Transfer",
		"Incoming Profile",
	}
	assert access.CHANNELLED <= access.AUDITED
	assert access.READ_PTYPES == {"read", "print", "email"}


def test_roles_are_kept_without_the_automatic_ones_and_text_is_bounded():
	assert access.roles_text(["All", "Guest", "Desk User", "Safeguarding Lead", "AP Lead"]) == (
		"AP Lead, Safeguarding Lead"
	)
	assert access.shorten("x" * 5000, 100) == "x" * 99 + "…"
	assert access.shorten("short") == "short" and access.shorten(None) is None


def test_the_report_needs_a_pupil_a_school_or_a_user_and_a_forward_period():
	assert access.check_report_filters("P1", None, None, None, None) == []
	assert access.check_report_filters(None, "S1", None, date(2026, 1, 1), date(2026, 1, 1)) == []
	[p] = access.check_report_filters(None, None, None, None, None)
	assert p.field == "pupil" and p.kind == "access_report"
	[p] = access.check_report_filters(None, None, "u@x", date(2026, 2, 1), date(2026, 1, 1))
	assert p.field == "to_date" and p.kind == "date_order"
