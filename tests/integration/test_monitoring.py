"""Life after reintegration: check-ins in the monitoring period, fall-back alerts, reminders, history."""

from datetime import datetime, time, timedelta

import frappe
import pytest
from frappe.model.workflow import apply_workflow
from frappe.utils import add_days, getdate, today

from ap_framework import exceptions as ex
from ap_framework.development import monitoring


@pytest.fixture
def returned(world):
	"""A placement that ended 15 days ago with the pupil back at school, monitored for six weeks."""
	frappe.db.set_value(
		"School", world.school_a, {"ap_lead": world.users["ap_lead_a"], "dsl": world.users["dsl_a"]}
	)
	pupil = world.pupil(world.school_a)
	doc = world.placement(pupil, world.p1, "Active", start=add_days(today(), -60))
	for when, scores in (
		(-55, {"Resilience": 2, "Communication": 3}),
		(-20, {"Resilience": 4, "Communication": 3}),
	):
		frappe.get_doc(
			{
				"doctype": "Domain Assessment",
				"placement": doc.name,
				"pupil": pupil,
				"assessment_date": add_days(today(), when),
				"is_baseline": int(when == -55),
				"scores": [{"domain": d, "score": s} for d, s in scores.items()],
			}
		).submit()
	frappe.get_doc(
		{
			"doctype": "Reintegration Plan",
			"placement": doc.name,
			"target_date": add_days(today(), -15),
			"monitoring_weeks": 6,
			"check_in_weeks": 2,
		}
	).insert()
	doc = frappe.get_doc("Placement", doc.name)
	doc.end_date, doc.end_outcome = add_days(today(), -15), "Reintegrated to Home School"
	doc.save()
	return apply_workflow(doc, "End")


def check_in(placement, when, scores):
	return frappe.get_doc(
		{
			"doctype": "Domain Assessment",
			"placement": placement.name,
			"pupil": placement.pupil,
			"assessment_date": when,
			"scores": [{"domain": d, "score": s} for d, s in scores.items()],
		}
	)


def test_check_in_after_the_return_is_accepted_and_marked(world, returned):
	doc = check_in(returned, add_days(today(), -1), {"Resilience": 4}).insert()
	assert doc.after_reintegration == 1


def test_check_in_after_monitoring_ends_is_refused(world, returned):
	frappe.db.set_value(
		"Reintegration Plan", {"placement": returned.name}, "monitoring_end_date", add_days(today(), -2)
	)
	with pytest.raises(ex.OutsideWindowError, match="monitoring period"):
		check_in(returned, add_days(today(), -1), {"Resilience": 4}).insert()


def test_a_domain_falling_back_alerts_the_school_once(world, returned):
	doc = check_in(returned, add_days(today(), -1), {"Resilience": 2, "Communication": 3})
	doc.insert()
	doc.submit()
	assert frappe.db.get_value("Domain Assessment", doc.name, "fell_back") == "Resilience"
	told = frappe.get_all(
		"Notification Log",
		filters={
			"for_user": ("in", [world.users["ap_lead_a"], world.users["dsl_a"]]),
			"subject": ("like", "%fell back%"),
		},
		pluck="for_user",
	)
	assert sorted(told) == sorted([world.users["ap_lead_a"], world.users["dsl_a"]])
	monitoring.on_check_in_submitted(frappe.get_doc("Domain Assessment", doc.name))  # again: nothing new
	assert (
		frappe.db.count(
			"Notification Log",
			{
				"subject": ("like", "%fell back%"),
				"for_user": ("in", [world.users["ap_lead_a"], world.users["dsl_a"]]),
			},
		)
		== 2
	)


def test_steady_scores_raise_nothing(world, returned):
	doc = check_in(returned, add_days(today(), -1), {"Resilience": 4, "Communication": 3}).insert()
	doc.submit()
	assert not frappe.db.get_value("Domain Assessment", doc.name, "fell_back")


def test_check_in_reminder_once_until_one_is_held(world, returned):
	now = datetime.combine(getdate(today()), time(6, 30))
	first = monitoring.check_ins(now)
	todos = frappe.get_all(
		"ToDo",
		filters={
			"reference_type": "Placement",
			"reference_name": returned.name,
			"allocated_to": world.users["ap_lead_a"],
		},
		pluck="name",
	)
	assert len(todos) == 1 and first["new"] >= 1
	monitoring.check_ins(now)  # twice: nothing twice
	assert frappe.db.count("ToDo", {"reference_type": "Placement", "reference_name": returned.name}) == 1
	check_in(returned, today(), {"Resilience": 4}).insert().submit()
	again = monitoring.check_ins(now + timedelta(days=1))
	assert again["new"] == 0


def test_domain_history_for_the_ehcp_review(world, returned):
	from frappe.desk.query_report import run

	check_in(returned, add_days(today(), -1), {"Resilience": 3}).insert().submit()
	frappe.set_user(world.users["ap_lead_a"])
	rows = run("AP Domain History", filters={"pupil": returned.pupil})["result"]
	frappe.set_user("Administrator")
	stages = [(r["stage"], r["domain"], r["score"]) for r in rows]
	assert stages[0] == ("Baseline", "Resilience", 2)
	assert ("During placement", "Resilience", 4) in stages and stages[-1] == (
		"After reintegration",
		"Resilience",
		3,
	)
	assert all(r["level_descriptor"] for r in rows)
	frappe.set_user(world.users["ap_lead_b"])
	assert run("AP Domain History", filters={"pupil": returned.pupil})["result"] == []
	frappe.set_user("Administrator")
