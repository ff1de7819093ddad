"""Special-category facts, door by door, role by role, over real HTTP.

UK GDPR art. 9 and KCSIE: that a named child is looked after, on a child-protection plan or has SEN is
the disclosure itself. The facts live in Pupil Welfare and Safeguarding Concern, which only the
Safeguarding Lead (their school) and the AP Administrator can read. On Frappe v15 a permlevel hid only a
field's value (filters, counts and group-by still answered); a DocType the role cannot read is refused by
the platform at every door that takes filters, fields, order_by, group_by, aggregates or search text.

Each probe carries a marker only the facts hold, filters on it, and checks the answer says nothing:
refused (4xx, never 500), and neither the marker nor a matching row in the body.
"""

from __future__ import annotations

import json

import frappe
import pytest
from frappe.utils import add_days, today

NOT_READERS = ("ap_lead_a", "senior_a", "governor_a", "qa", "provider_1", None)  # None: a guest
WELFARE, CONCERN = "Pupil Welfare", "Safeguarding Concern"


@pytest.fixture(scope="module")
def facts(world):
	"""pupil A1 is on a child-protection plan, with notes and a concern that carry a marker."""
	frappe.set_user("Administrator")
	marker = f"MARK{world.token}"
	frappe.db.set_value(
		WELFARE, world.pupil_a1, {"child_protection": 1, "safeguarding_notes": f"{marker} notes"}
	)
	concern = frappe.get_doc(
		{"doctype": CONCERN, "placement": world.pa1, "pupil": world.pupil_a1, "details": f"{marker} said"}
	).insert()
	charts = {}
	for doctype in (WELFARE, CONCERN):  # as an administrator might build one for the Safeguarding Leads
		charts[doctype] = (
			frappe.get_doc(
				{
					"doctype": "Dashboard Chart",
					"chart_name": f"T{world.token} {doctype} by school",
					"chart_type": "Group By",
					"document_type": doctype,
					"group_by_type": "Count",
					"group_by_based_on": "school",
					"filters_json": "[]",
					"type": "Bar",
					"is_public": 1,
				}
			)
			.insert()
			.name
		)
	frappe.db.commit()  # the served site is another process
	yield frappe._dict(marker=marker, concern=concern.name, charts=charts)
	frappe.db.delete("Dashboard Chart", {"name": ("in", list(charts.values()))})
	frappe.db.delete(CONCERN, concern.name)
	frappe.db.set_value(WELFARE, world.pupil_a1, {"child_protection": 0, "safeguarding_notes": None})
	frappe.db.commit()


def target(world, facts, doctype):
	"""(record name, the field holding the marker) for a special-category DocType."""
	if doctype == WELFARE:
		return world.pupil_a1, "safeguarding_notes"
	return facts.concern, "details"


def probes(world, facts, doctype):
	"""Every door that takes filters, fields, order_by, group_by, aggregates or search text, as
	(label, HTTP verb, path, parameters)."""
	name, field = target(world, facts, doctype)
	like = json.dumps([[field, "like", f"%{facts.marker}%"]])
	method = "/api/method/"
	return [
		("REST list", "GET", f"/api/resource/{doctype}", {"filters": like, "fields": '["name"]'}),
		("REST list order_by", "GET", f"/api/resource/{doctype}", {"order_by": f"{field} desc"}),
		("REST document", "GET", f"/api/resource/{doctype}/{name}", {}),
		("client.get_list", "POST", method + "frappe.client.get_list", {"doctype": doctype, "filters": like}),
		(
			"client.get_list or_filters",
			"POST",
			method + "frappe.client.get_list",
			{"doctype": doctype, "or_filters": like},
		),
		(
			"client.get_count",
			"POST",
			method + "frappe.client.get_count",
			{"doctype": doctype, "filters": like},
		),
		(
			"client.get_value",
			"POST",
			method + "frappe.client.get_value",
			{"doctype": doctype, "filters": like, "fieldname": field},
		),
		("client.get", "POST", method + "frappe.client.get", {"doctype": doctype, "name": name}),
		(
			"reportview.get",
			"POST",
			method + "frappe.desk.reportview.get",
			{"doctype": doctype, "fields": '["name"]', "filters": like},
		),
		(
			"reportview.get_count",
			"POST",
			method + "frappe.desk.reportview.get_count",
			{"doctype": doctype, "filters": like},
		),
		(
			"reportview.export_query",
			"POST",
			method + "frappe.desk.reportview.export_query",
			{
				"doctype": doctype,
				"file_format_type": "CSV",
				"fields": json.dumps([f"`tab{doctype}`.`name`", f"`tab{doctype}`.`{field}`"]),
				"filters": like,
			},
		),
		(
			"Report Builder group by",
			"POST",
			method + "frappe.desk.reportview.get",
			{
				"doctype": doctype,
				# as the Report Builder's "Group By" sends it on both lines: the server adds the aggregate
				"fields": json.dumps([f"`tab{doctype}`.`{field}`"]),
				"group_by": f"`tab{doctype}`.`{field}`",
				"aggregate_function": "count",
				"aggregate_on_doctype": doctype,
				"aggregate_on_field": "name",
			},
		),
		(
			"list sidebar group-by count",
			"POST",
			method + "frappe.desk.listview.get_group_by_count",
			{"doctype": doctype, "current_filters": like, "field": "school"},
		),
		(
			"list sidebar stats",
			"POST",
			method + "frappe.desk.reportview.get_sidebar_stats",
			{"doctype": doctype, "stats": json.dumps([field, "school"]), "filters": like},
		),
		(
			"link search",
			"POST",
			method + "frappe.desk.search.search_link",
			{"doctype": doctype, "txt": facts.marker},
		),
		(
			"number card",
			"POST",
			method + "frappe.desk.doctype.number_card.number_card.get_result",
			{
				"doc": json.dumps({"document_type": doctype, "function": "Count", "filters_json": like}),
				"filters": like,
			},
		),
		(
			"dashboard chart",
			"POST",
			method + "frappe.desk.doctype.dashboard_chart.dashboard_chart.get",
			{"chart_name": facts.charts[doctype], "filters": like},
		),
		(
			"calendar",
			"POST",
			method + "frappe.desk.calendar.get_events",
			{
				"doctype": doctype,
				"start": add_days(today(), -3650),
				"end": add_days(today(), 3650),
				"field_map": json.dumps(
					{"start": "creation", "end": "creation", "id": "name", "title": field}
				),
				"filters": like,
			},
		),
		("desk form", "POST", method + "frappe.desk.form.load.getdoc", {"doctype": doctype, "name": name}),
		("print view", "GET", "/printview", {"doctype": doctype, "name": name}),
		(
			"PDF",
			"GET",
			method + "frappe.utils.print_format.download_pdf",
			{"doctype": doctype, "name": name},
		),
	]


def ask(session, verb, path, params):
	if verb == "GET":
		return session.get(session.base + path, params=params, timeout=60)
	return session.post(session.base + path, data=params, timeout=60)


def learns_nothing(r, marker, label):
	assert r.status_code != 500, f"{label}: {r.status_code} {r.text[:300]}"
	assert marker not in r.text, f"{label}: the answer carries the fact"
	assert r.status_code in (401, 403, 404), f"{label}: answered {r.status_code} {r.text[:300]}"


@pytest.mark.parametrize("doctype", [WELFARE, CONCERN])
@pytest.mark.parametrize("who", NOT_READERS, ids=lambda w: w or "guest")
def test_no_door_answers_a_role_that_may_not_read_the_facts(world, facts, http, who, doctype):
	# The Safeguarding Lead looks first: a chart's figures must not be served from anything they left behind.
	(chart,) = [p[1:] for p in probes(world, facts, doctype) if p[0] == "dashboard chart"]
	chart = ask(http("dsl_a"), *chart)
	assert chart.ok and chart.json()["message"]["datasets"][0]["values"] == [1], chart.text[:300]
	session = http(who)
	for label, verb, path, params in probes(world, facts, doctype):
		learns_nothing(ask(session, verb, path, params), facts.marker, f"{who or 'guest'} / {label}")


@pytest.mark.parametrize("who", NOT_READERS[:-1])
def test_pupil_queries_cannot_reach_into_the_welfare_record(world, facts, http, who):
	"""The Pupil list the role may read does not join, filter or select the welfare facts."""
	session = http(who)
	pupils = "/api/resource/Pupil"
	attempts = [
		("filter on the welfare DocType", {"filters": json.dumps([[WELFARE, "child_protection", "=", 1]])}),
		(
			"field of the welfare DocType",
			{"fields": json.dumps(["name", f"`tab{WELFARE}`.`safeguarding_notes`"])},
		),
		(
			"subquery as a field",
			{"fields": json.dumps([f"(select safeguarding_notes from `tab{WELFARE}` limit 1) as x"])},
		),
		(
			"subquery in order_by",
			{"order_by": f"(select child_protection from `tab{WELFARE}` w where w.name = `tabPupil`.name)"},
		),
	]
	for label, params in attempts:
		r = session.get(session.base + pupils, params=params, timeout=60)
		assert r.status_code != 500, f"{label}: {r.text[:300]}"
		assert facts.marker not in r.text, label
		if r.ok:  # a query that ran must not have been narrowed by the fact
			assert not any("safeguarding_notes" in row or "x" in row for row in r.json()["data"]), label


@pytest.mark.parametrize("who", ("ap_lead_a", "senior_a"))
def test_the_facts_have_left_pupil_and_contact_log(world, facts, http, who):
	"""Filtering Pupil by a fact it once held answers a clear 4xx or ignores nothing: it never narrows the
	rows to the child who has it."""
	session = http(who)
	mine = {
		row["name"]
		for row in session.get(
			session.base + "/api/resource/Pupil", params={"limit_page_length": 0}, timeout=60
		).json()["data"]
	}
	for field in ("looked_after", "child_protection", "sen_status", "safeguarding_notes"):
		r = session.get(
			session.base + "/api/resource/Pupil",
			params={"filters": json.dumps([[field, "=", 1]]), "limit_page_length": 0},
			timeout=60,
		)
		assert r.status_code != 500, f"{field}: {r.text[:300]}"
		if r.ok:
			assert {row["name"] for row in r.json()["data"]} in (set(), mine), field
	assert "looked_after" not in frappe.get_meta("Pupil").get_valid_columns()
	assert "concern_details" not in frappe.get_meta("Contact Log").get_valid_columns()


def test_linked_documents_do_not_betray_a_concern(world, facts, http):
	"""A concern links to the pupil and placement; their readers are not told it is there."""
	session = http("ap_lead_a")
	for doctype, name in (("Pupil", world.pupil_a1), ("Placement", world.pa1)):
		r = session.post(
			session.base + "/api/method/frappe.desk.form.linked_with.get",
			data={"doctype": doctype, "docname": name},
			timeout=60,
		)
		assert r.status_code != 500, r.text[:300]
		assert CONCERN not in r.text and WELFARE not in r.text and facts.marker not in r.text


def test_the_pupil_form_shows_the_facts_to_the_dsl_alone(world, facts, http):
	def onload(who):
		r = http(who).post(
			http(who).base + "/api/method/frappe.desk.form.load.getdoc",
			data={"doctype": "Pupil", "name": world.pupil_a1},
			timeout=60,
		)
		assert r.ok, r.text[:300]
		return r.json()["docs"][0].get("__onload", {}).get("welfare")

	shown = onload("dsl_a")
	assert shown["name"] == world.pupil_a1
	labels = {f["label"] for f in shown["facts"]}
	assert {"Child Protection Plan", "Looked After", "SEN Status"} <= labels, labels
	assert onload("ap_lead_a") is None and onload("senior_a") is None


def test_the_dsl_reads_their_own_schools_facts_only(world, facts, http):
	dsl_a, dsl_b = http("dsl_a"), http("dsl_b")
	r = dsl_a.get(dsl_a.base + f"/api/resource/{WELFARE}/{world.pupil_a1}", timeout=60)
	assert r.ok and r.json()["data"]["child_protection"] == 1
	r = dsl_a.get(dsl_a.base + f"/api/resource/{CONCERN}/{facts.concern}", timeout=60)
	assert r.ok and facts.marker in r.json()["data"]["details"]
	listed = dsl_a.get(
		dsl_a.base + f"/api/resource/{WELFARE}",
		params={"filters": json.dumps([["child_protection", "=", 1]]), "limit_page_length": 0},
		timeout=60,
	).json()["data"]
	assert {row["name"] for row in listed} == {world.pupil_a1}
	for doctype, name in ((WELFARE, world.pupil_a1), (CONCERN, facts.concern)):
		learns_nothing(
			dsl_b.get(dsl_b.base + f"/api/resource/{doctype}/{name}", timeout=60), facts.marker, doctype
		)
	count = dsl_b.post(
		dsl_b.base + "/api/method/frappe.client.get_count",
		data={
			"doctype": WELFARE,
			"filters": json.dumps([["safeguarding_notes", "like", f"%{facts.marker}%"]]),
		},
		timeout=60,
	)
	assert count.ok and count.json()["message"] == 0


def test_the_dsl_keeps_the_lists_reports_and_forms(world, facts, http):
	dsl = http("dsl_a")
	for label, verb, path, params in probes(world, facts, WELFARE):
		if label in ("calendar", "dashboard chart", "number card", "reportview.export_query"):
			continue  # no calendar, charts or cards of the facts, and no export (as before): nothing to keep
		r = ask(dsl, verb, path, params)
		assert r.ok, f"{label}: {r.status_code} {r.text[:300]}"
