"""What each placement's records show, kept for the readiness board (AP Placement Evidence), in a real
site: the row agrees with the records, every way a record is written moves it (insert, edit, submit,
cancel, delete, a record moved to another placement), and the board says the same whether it reads the
table or asks the records, as before the table existed."""

from __future__ import annotations

import dataclasses
from datetime import timedelta

import frappe
import pytest
from frappe.utils import add_days, now_datetime, today

from ap_framework.oversight import evidence, placement_evidence
from ap_framework.utils import site_today

SOURCES = (
	"Risk Assessment",
	"Pupil Plan",
	"Reintegration Plan",
	"Contact Log",
	"Domain Assessment",
	"Plan Review",
)


def row(placement: str) -> dict:
	held = frappe.db.get_value(
		placement_evidence.TABLE,
		placement,
		[
			"risk_review_until",
			"plan_agreed",
			"has_strategies",
			"has_reintegration_plan",
			"last_contact",
			"last_follow_up",
			"has_impact",
			"last_voiceless_review",
		],
		as_dict=True,
	)
	return dict(held) if held else {}


def facts(**kw) -> dict:
	"""The board's facts, each list in order (the two ways of gathering them order rows differently)."""
	out = dataclasses.asdict(evidence.readiness_facts(today=site_today(), **kw))
	return {k: sorted(v) if isinstance(v, list) else v for k, v in out.items()}


@pytest.fixture
def placement(world):
	"""An active placement of this test's own, the table built (rolled back with the test)."""
	placement_evidence.rebuild()
	return world.placement(world.pupil(world.school_a), world.p1, "Active").name


def risk_assessment(placement: str):
	"""A risk assessment made today, to be reviewed in 30 days."""
	return frappe.get_doc(
		{
			"doctype": "Risk Assessment",
			"placement": placement,
			"assessment_date": today(),
			"review_date": add_days(today(), 30),
			"overall_rating": "Low",
		}
	).insert()


def assessment(placement: str, baseline: int, days_ago: int):
	pupil = frappe.db.get_value("Placement", placement, "pupil")
	return frappe.get_doc(
		{
			"doctype": "Domain Assessment",
			"placement": placement,
			"pupil": pupil,
			"assessment_date": add_days(today(), -days_ago),
			"is_baseline": baseline,
			"scores": [{"domain": "Resilience", "score": 2 + (1 - baseline)}],
		}
	)


class TestTheRow:
	def test_the_rebuild_holds_what_the_records_say(self, world, placement):
		risk_assessment(placement)
		frappe.get_doc(
			{
				"doctype": "Contact Log",
				"placement": placement,
				"contact_type": "Attendance Follow-up",
				"summary": "Called home",
				"contact_datetime": now_datetime() - timedelta(days=3),
			}
		).insert()
		kept = row(placement)
		placement_evidence.rebuild()
		assert row(placement) == kept
		assert str(kept["risk_review_until"]) == add_days(today(), 30)
		assert kept["last_follow_up"] == kept["last_contact"]

	def test_it_is_rebuilt_each_night_and_on_install(self):
		assert (
			"ap_framework.oversight.placement_evidence.rebuild"
			in frappe.get_hooks("scheduler_events")["daily_long"]
		)
		assert placement_evidence.built()  # after_install built it on this site

	def test_every_record_it_is_made_from_keeps_it_in_step(self):
		events = frappe.get_hooks("doc_events")
		for doctype in SOURCES:
			for event in ("on_change", "after_delete"):
				assert "ap_framework.oversight.placement_evidence.keep_in_step" in events[doctype][event], (
					doctype,
					event,
				)


class TestKeptInStep:
	def test_a_risk_assessment_made_reviewed_and_deleted(self, world, placement):
		doc = risk_assessment(placement)
		assert str(row(placement)["risk_review_until"]) == add_days(today(), 30)
		assert placement not in facts(school=world.school_a)["placements_without_risk_assessment"]
		doc.review_date = add_days(today(), 60)
		doc.save()
		assert str(row(placement)["risk_review_until"]) == add_days(today(), 60)
		doc.delete()
		assert row(placement)["risk_review_until"] is None
		assert placement in facts(school=world.school_a)["placements_without_risk_assessment"]

	def test_a_plan_agreed_with_strategies_and_a_reintegration_plan(self, world, placement):
		plan = frappe.get_doc(
			{
				"doctype": "Pupil Plan",
				"placement": placement,
				"plan_start": add_days(today(), -10),
				"objectives": [{"objective": "Settle", "success_criteria": "Attends"}],
			}
		).insert()
		assert row(placement)["plan_agreed"] == 0 and row(placement)["has_strategies"] == 0
		plan.db_set("strategies_that_work", "Calm start, a named adult")
		assert row(placement)["has_strategies"] == 1
		plan.db_set("status", "Agreed")
		assert row(placement)["plan_agreed"] == 1
		assert placement not in facts(school=world.school_a)["placements_without_agreed_plan"]
		rp = frappe.get_doc(
			{"doctype": "Reintegration Plan", "placement": placement, "target_date": add_days(today(), 20)}
		).insert()
		assert row(placement)["has_reintegration_plan"] == 1
		rp.delete()
		assert row(placement)["has_reintegration_plan"] == 0

	def test_contact_logs_and_a_log_moved_to_another_placement(self, world, placement):
		other = world.placement(world.pupil(world.school_a), world.p1, "Active").name
		log = frappe.get_doc(
			{
				"doctype": "Contact Log",
				"placement": placement,
				"contact_type": "Phone",
				"summary": "Checked in",
				"contact_datetime": now_datetime() - timedelta(days=2),
			}
		).insert()
		assert row(placement)["last_contact"] is not None and row(placement)["last_follow_up"] is None
		assert placement not in facts(school=world.school_a)["placements_without_recent_contact"]
		log.placement = other
		log.pupil = frappe.db.get_value("Placement", other, "pupil")
		log.save()
		assert row(placement)["last_contact"] is None  # the placement it left
		assert row(other)["last_contact"] is not None  # and the one it joined
		assert placement in facts(school=world.school_a)["placements_without_recent_contact"]

	def test_evidence_of_impact_is_a_submitted_assessment_after_the_baseline(self, world, placement):
		assessment(placement, 1, 20).submit()
		assert row(placement)["has_impact"] == 0  # a baseline is not impact
		later = assessment(placement, 0, 5)
		later.insert()
		assert row(placement)["has_impact"] == 0  # a draft is not evidence
		later.submit()
		assert row(placement)["has_impact"] == 1
		later.cancel()
		assert row(placement)["has_impact"] == 0

	def test_a_review_held_without_both_voices(self, world, placement):
		review = frappe.get_doc(
			{
				"doctype": "Plan Review",
				"placement": placement,
				"review_date": today(),
				"decision": "Continue",
				"pupil_voice": "Going well",
				"parent_voice": "Happier",
			}
		)
		review.submit()
		assert row(placement)["last_voiceless_review"] is None
		review.db_set("parent_voice", "")  # as an older record, or one loaded beneath the form, may hold
		assert str(row(placement)["last_voiceless_review"]) == today()
		assert facts(school=world.school_a)["reviews_without_voice"] == [review.name]


class TestTheBoardSaysTheSame:
	def test_from_the_table_or_from_the_records(self, world, placement):
		risk_assessment(placement)
		frappe.get_doc(
			{
				"doctype": "Reintegration Plan",
				"placement": world.pa1,
				"target_date": add_days(today(), 20),
			}
		).insert()
		assessment(placement, 0, 5).submit()
		kept = facts()
		frappe.db.delete(placement_evidence.TABLE, {"name": placement_evidence.STAMP})  # never built
		assert not placement_evidence.built()
		assert facts() == kept
		scoped = facts(user=world.users["ap_lead_a"], school=world.school_a)
		placement_evidence.rebuild()
		assert facts(user=world.users["ap_lead_a"], school=world.school_a) == scoped

	def test_an_unbuilt_table_is_left_alone(self, world, placement):
		frappe.db.delete(placement_evidence.TABLE, {"name": placement_evidence.STAMP})
		risk_assessment(placement)
		assert row(placement) == {}  # nothing written until the table is built
		assert placement not in facts(school=world.school_a)["placements_without_risk_assessment"]
