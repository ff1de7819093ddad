"""Retention in a real site (ap_framework/oversight/retention.py), with frozen time: the daily job takes
`now`, and records are dated relative to today down to the boundary day. Due, not yet due, confirmed
(record gone with its traces, the stub kept and not editable), declined (kept, with a reason and a date
to look again), run twice (one review, one notification), and who may read and decide, in process and
over HTTP.

Guidance named in the test names: the IRMS Information Management Toolkit for Schools (child protection
files DOB + 25 years, SEN files DOB + 31 years) and the School Attendance (Pupil Registration) (England)
Regulations 2024, regulation 7 (register entries at least six years)."""

from __future__ import annotations

import os
from datetime import datetime, timedelta

import frappe
import pytest
from frappe.utils import add_days, add_years, getdate, now_datetime, today

from ap_framework.exceptions import MalformedInputError, RetentionError
from ap_framework.oversight import retention
from ap_framework.rules import retention as rules
from tests.integration.world import World

REVIEW = "Retention Review"


# ---- fixtures and helpers -----------------------------------------------------------------------------
@pytest.fixture(autouse=True)
def _isolated(world):
	"""Error Log survives rollbacks (MyISAM): remove the ones a test caused."""
	started = now_datetime()
	yield
	frappe.db.delete("Error Log", {"creation": (">=", started), "method": ("like", "Retention%")})


def set_reviewer(user: str | None) -> None:
	settings = frappe.get_doc("AP Settings")
	settings.retention_reviewer = user
	settings.save()


@pytest.fixture
def reviewer(world):
	set_reviewer(world.users["admin"])
	return world.users["admin"]


def born(years_ago: int, days: int = 0) -> str:
	"""The date of birth of someone who turns `years_ago` today (+ `days` later)."""
	return add_days(add_years(today(), -years_ago), days)


def pupil_with_placement(world, dob, school=None):
	pupil = world.pupil(school or world.school_a, date_of_birth=dob)
	return pupil, world.placement(pupil, world.p1, "Active").name


def risk_assessment(placement, on=None) -> str:
	on = on or add_days(today(), -400)
	return (
		frappe.get_doc(
			{
				"doctype": "Risk Assessment",
				"placement": placement,
				"assessment_date": on,
				"review_date": add_days(on, 90),
				"overall_rating": "Low",
			}
		)
		.insert()
		.name
	)


def contact_log(placement) -> str:
	return (
		frappe.get_doc(
			{
				"doctype": "Contact Log",
				"placement": placement,
				"contact_type": "Phone",
				"contact_datetime": add_days(today(), -400) + " 10:00:00",
				"summary": "Called the provider",
			}
		)
		.insert()
		.name
	)


def reviews(reference_name, rule=None) -> list[frappe._dict]:
	filters = {"reference_name": reference_name}
	if rule:
		filters["rule"] = rule
	return frappe.get_all(
		REVIEW,
		filters=filters,
		fields=["name", "rule", "status", "due_on", "due_note", "reviewer", "special_category", "school"],
	)


def review_of(reference_name, rule) -> frappe._dict:
	(row,) = reviews(reference_name, rule)
	return row


def notifications(user) -> int:
	return frappe.db.count("Notification Log", {"for_user": user, "subject": ("like", "Retention:%")})


def run(now: datetime | None = None) -> dict:
	out = retention.daily(now=now or now_datetime())
	assert not out["failed"], out
	return out


def as_user(user):
	frappe.set_user(user)


# ---- due and not yet due --------------------------------------------------------------------------------
def test_irms_child_protection_risk_assessment_is_due_on_the_25th_birthday_not_the_day_before(
	world, reviewer
):
	_p, due_today = pupil_with_placement(world, born(25))
	_p, due_tomorrow = pupil_with_placement(world, born(25, days=1))
	ra_due, ra_not_yet = risk_assessment(due_today), risk_assessment(due_tomorrow)
	run()
	row = review_of(ra_due, "Risk Assessment")
	assert (row.status, getdate(row.due_on), row.reviewer, row.special_category, row.school) == (
		rules.PENDING,
		getdate(today()),
		reviewer,
		1,
		world.school_a,
	)
	assert reviews(ra_not_yet) == []
	run(now_datetime() + timedelta(days=1))  # tomorrow, frozen
	assert review_of(ra_not_yet, "Risk Assessment").status == rules.PENDING


def test_a_run_with_a_date_of_birth_on_29_february_waits_until_1_march(world, reviewer):
	"""IRMS DOB + 25 from 29 February 2000: due 1 March 2025, not 28 February (the job at those dates)."""
	_p, placement = pupil_with_placement(world, "2000-02-29")
	ra = risk_assessment(placement, on="2015-01-05")
	run(datetime(2025, 2, 28, 6, 30))
	assert reviews(ra) == []
	run(datetime(2025, 3, 1, 6, 30))
	assert getdate(review_of(ra, "Risk Assessment").due_on) == getdate("2025-03-01")


def test_irms_a_missing_date_of_birth_counts_from_the_records_date_and_says_so(world, reviewer):
	pupil, placement = pupil_with_placement(world, born(13))
	ra = risk_assessment(placement, on=add_days(today(), -10))
	frappe.db.set_value("Pupil", pupil, "date_of_birth", None)
	run()
	assert reviews(ra) == []  # not due at once
	run(now_datetime() + timedelta(days=365 * 25))  # 25 years after the assessment
	row = review_of(ra, "Risk Assessment")
	assert getdate(row.due_on) == getdate(add_years(add_days(today(), -10), 25))
	assert row.due_note == rules.MISSING_DATE_OF_BIRTH


def test_registration_regulations_2024_reg_7_a_register_is_due_six_years_after_its_last_entry(
	world, reviewer
):
	_p, placement = pupil_with_placement(world, born(14))
	for back in (3, 2):
		mark(placement, add_days(today(), -back))
	last = getdate(today())  # six years from when the entry was made (today), not the session's date
	six_years = datetime.combine(add_years(last, 6), datetime.min.time())
	run(six_years)
	assert reviews(placement, "AP Attendance") == []  # the placement still runs: its register too
	frappe.db.set_value("Placement", placement, {"status": "Ended", "end_date": today()})
	run(six_years - timedelta(days=1))
	assert reviews(placement, "AP Attendance") == []
	run(six_years)
	row = review_of(placement, "AP Attendance")
	assert getdate(row.due_on) == add_years(last, 6) and row.special_category == 0
	label = frappe.db.get_value(REVIEW, row.name, "record_label")
	assert "2 register entries" in label and placement in label


def mark(placement, on, session="AM"):
	frappe.get_doc(
		{
			"doctype": "AP Attendance",
			"placement": placement,
			"attendance_date": on,
			"session": session,
			"mark": "/",
		}
	).insert()


# ---- the job: once, and one notification ------------------------------------------------------------------
def test_the_job_run_twice_raises_each_review_once_and_notifies_the_reviewer_once(world, reviewer):
	_p, placement = pupil_with_placement(world, born(26))
	ra = risk_assessment(placement)
	first, second = run(), run()
	assert first["raised"] >= 1 and first["notified"] == 1
	assert second == {"raised": 0, "reopened": 0, "notified": 0, "skipped": second["skipped"], "failed": []}
	assert len(reviews(ra)) == 1 and notifications(reviewer) == 1
	note = frappe.get_all(
		"Notification Log", filters={"for_user": reviewer}, fields=["subject", "email_content", "link"]
	)[0]
	assert note.link == retention.PENDING_LIST
	# the digest counts; it names no pupil and no record
	assert "Risk Assessment" in note.email_content and ra not in note.email_content


def test_the_database_refuses_a_second_review_of_the_same_record_under_the_same_rule(world, reviewer):
	_p, placement = pupil_with_placement(world, born(26))
	ra = risk_assessment(placement)
	run()
	with pytest.raises(Exception) as raised:
		frappe.db.bulk_insert(
			REVIEW,
			["name", "rule", "reference_doctype", "reference_name", "record_label", "status"],
			[[frappe.generate_hash(), "Risk Assessment", "Risk Assessment", ra, "again", rules.PENDING]],
		)
	assert frappe.db.is_unique_key_violation(raised.value)


def test_without_a_named_reviewer_nothing_is_listed_and_that_is_logged(world):
	set_reviewer(None)
	_p, placement = pupil_with_placement(world, born(26))
	ra = risk_assessment(placement)
	out = run()
	assert out["raised"] == 0 and reviews(ra) == []
	assert frappe.db.exists("Error Log", {"method": ("like", "Retention: no reviewer%")})


def test_a_reviewer_must_be_an_enabled_ap_administrator(world):
	with pytest.raises(RetentionError, match="Retention Reviewer"):
		set_reviewer(world.users["dsl_a"])


def test_finding_records_costs_the_same_queries_however_many_are_due(world, reviewer, monkeypatch):
	"""Set-based: one query per record type and one insert, not one per record."""
	sql, count = frappe.db.sql, {"n": 0}

	def counting(*args, **kwargs):
		count["n"] += 1
		return sql(*args, **kwargs)

	def queries(n: int) -> int:
		for _i in range(n):
			risk_assessment(pupil_with_placement(world, born(26))[1])
		count["n"] = 0
		monkeypatch.setattr(frappe.db, "sql", counting)
		out = run()
		monkeypatch.setattr(frappe.db, "sql", sql)
		assert out["raised"] >= 2 * n  # the assessment and its placement
		return count["n"]

	queries(1)  # warm Frappe's caches (meta, roles, notification settings)
	assert queries(1) == queries(4)


def test_settings_change_a_configurable_period_with_a_reason_never_a_guidance_one(world, reviewer):
	settings = frappe.get_doc("AP Settings")
	settings.append(
		"retention_periods",
		{"record_type": "Contact Log", "basis": rules.RECORD_DATE, "years": 1, "reason": "Trust policy"},
	)
	settings.save()
	_p, placement = pupil_with_placement(world, born(14))
	log = contact_log(placement)  # 400 days old: one year has passed
	run()
	assert review_of(log, "Contact Log").status == rules.PENDING
	settings.append(
		"retention_periods",
		{"record_type": "AP Attendance", "basis": rules.RECORD_DATE, "years": 3, "reason": "x"},
	)
	with pytest.raises(RetentionError, match="at least Record Date \\+ 6 years"):
		settings.save()


# ---- confirm ----------------------------------------------------------------------------------------------
def test_confirm_removes_the_record_and_its_traces_and_keeps_a_stub_saying_what_when_who_and_which_rule(
	world, reviewer
):
	_p, placement = pupil_with_placement(world, born(26))
	ra = risk_assessment(placement)
	doc = frappe.get_doc("Risk Assessment", ra)
	doc.overall_rating = "Medium"
	doc.mitigations = "Escorted travel"
	doc.save()  # a Version holding what it said
	doc.add_comment("Comment", "Discussed with the DSL")
	file = frappe.get_doc(
		{
			"doctype": "File",
			"file_name": f"ra-{ra}.txt",
			"content": b"assessment notes",
			"attached_to_doctype": "Risk Assessment",
			"attached_to_name": ra,
			"is_private": 1,
		}
	).insert(ignore_permissions=True)
	path = file.get_full_path()
	frappe.get_doc(
		{
			"doctype": "AP Alert",
			"rule": "Review Due",
			"reference_doctype": "Risk Assessment",
			"reference_name": ra,
			"period": "x",
			"recipient": reviewer,
			"channel": "Notification",
			"raised_on": now_datetime(),
			"school": world.school_a,
		}
	).insert(ignore_permissions=True)
	run()
	name = review_of(ra, "Risk Assessment").name

	as_user(reviewer)
	out = retention.confirm(review=name, note="Past the IRMS period")
	frappe.set_user("Administrator")

	assert not frappe.db.exists("Risk Assessment", ra)
	for doctype, filters in (
		("Version", {"ref_doctype": "Risk Assessment", "docname": ra}),
		("Comment", {"reference_doctype": "Risk Assessment", "reference_name": ra}),
		("File", {"attached_to_doctype": "Risk Assessment", "attached_to_name": ra}),
		("AP Alert", {"reference_doctype": "Risk Assessment", "reference_name": ra}),
		("Deleted Document", {"deleted_doctype": "Risk Assessment", "deleted_name": ra}),
	):
		assert not frappe.db.exists(doctype, filters), doctype
	assert not os.path.exists(path)
	stub = frappe.get_doc(REVIEW, name)
	assert (stub.status, stub.decided_by, stub.removed_by, stub.rule, stub.reference_name) == (
		rules.REMOVED,
		reviewer,
		reviewer,
		"Risk Assessment",
		ra,
	)
	assert stub.removed_on and stub.decided_on and stub.decision_note == "Past the IRMS period"
	assert stub.period_applied == "Date of Birth + 25 years" and "IRMS" in stub.source
	assert "1 attached files" in stub.removed_what and out["status"] == rules.REMOVED
	assert ra in stub.record_label and "Escorted" not in stub.as_json()  # what, never its content


def test_the_stub_cannot_be_edited_or_deleted_by_anyone(world, reviewer):
	_p, placement = pupil_with_placement(world, born(26))
	ra = risk_assessment(placement)
	run()
	name = review_of(ra, "Risk Assessment").name
	as_user(reviewer)
	retention.confirm(review=name)
	stub = frappe.get_doc(REVIEW, name)
	assert not frappe.has_permission(REVIEW, "write", stub) and not frappe.has_permission(
		REVIEW, "delete", stub
	)
	frappe.set_user("Administrator")
	stub.decision_note = "rewritten"
	with pytest.raises(RetentionError):
		stub.save()
	with pytest.raises(RetentionError):
		frappe.delete_doc(REVIEW, name)
	as_user(reviewer)
	with pytest.raises(RetentionError):  # decided: not again
		retention.confirm(review=name)


def test_confirm_refuses_a_record_that_is_not_due_yet(world, reviewer):
	_p, placement = pupil_with_placement(world, born(25, days=10))
	ra = risk_assessment(placement)
	run(now_datetime() + timedelta(days=10))  # listed by a run ten days ahead
	name = review_of(ra, "Risk Assessment").name
	as_user(reviewer)
	with pytest.raises(RetentionError, match="not due for removal yet"):
		retention.confirm(review=name)
	frappe.set_user("Administrator")
	assert frappe.db.exists("Risk Assessment", ra)


def test_confirm_removes_a_placements_whole_register_in_one_go(world, reviewer):
	_p, placement = pupil_with_placement(world, born(14))
	for back in (3, 2, 1):
		mark(placement, add_days(today(), -back))
	seven_years_ago = add_years(now_datetime(), -7)
	frappe.db.set_value("Placement", placement, {"status": "Ended", "end_date": seven_years_ago.date()})
	frappe.db.sql(
		"update `tabAP Attendance` set attendance_date = date_sub(attendance_date, interval 7 year),"
		" modified = %s where placement = %s",
		(seven_years_ago, placement),
	)
	run()
	name = review_of(placement, "AP Attendance").name
	as_user(reviewer)
	retention.confirm(review=name)
	frappe.set_user("Administrator")
	assert frappe.db.count("AP Attendance", {"placement": placement}) == 0
	assert frappe.db.exists("Placement", placement)  # the placement has its own period
	assert frappe.db.get_value(REVIEW, name, "removed_what").startswith("3 register entries")


def test_a_record_that_others_still_link_to_is_refused_whole(world, reviewer):
	"""A placement whose risk assessment is still held cannot go: Frappe's own link check, a clear error,
	and nothing removed (the stub stays pending)."""
	_p, placement = pupil_with_placement(world, born(26))
	ra = risk_assessment(placement)
	run()
	name = review_of(placement, "Placement").name
	as_user(reviewer)
	with pytest.raises(frappe.LinkExistsError):
		retention.confirm(review=name)
	frappe.set_user("Administrator")
	assert frappe.db.exists("Placement", placement) and frappe.db.exists("Risk Assessment", ra)
	assert frappe.db.get_value(REVIEW, name, "status") == rules.PENDING


# ---- decline ----------------------------------------------------------------------------------------------
def test_decline_keeps_the_record_needs_a_reason_and_a_date_and_brings_it_back_on_that_date(world, reviewer):
	_p, placement = pupil_with_placement(world, born(26))
	ra = risk_assessment(placement)
	run()
	name = review_of(ra, "Risk Assessment").name
	as_user(reviewer)
	with pytest.raises(RetentionError, match="Decision Note"):
		retention.decline(review=name, note="  ", review_again_on=add_days(today(), 30))
	with pytest.raises(RetentionError, match="Review Again On"):
		retention.decline(review=name, note="Subject access request open", review_again_on=today())
	with pytest.raises(MalformedInputError, match="Review again on"):  # not a date at all: a 400
		retention.decline(review=name, note="Subject access request open", review_again_on="not a date")
	again = add_days(today(), 30)
	out = retention.decline(review=name, note="Subject access request open", review_again_on=again)
	frappe.set_user("Administrator")
	assert out["status"] == rules.DECLINED and frappe.db.exists("Risk Assessment", ra)
	row = frappe.get_doc(REVIEW, name)
	assert (row.status, row.decided_by, str(row.review_again_on)) == (rules.DECLINED, reviewer, again)
	assert row.decision_note == "Subject access request open"

	before = notifications(reviewer)
	run(now_datetime() + timedelta(days=29))
	assert frappe.db.get_value(REVIEW, name, "status") == rules.DECLINED
	on_the_day = now_datetime() + timedelta(days=30)
	assert run(on_the_day)["reopened"] == 1 and run(on_the_day)["reopened"] == 0
	assert frappe.db.get_value(REVIEW, name, "status") == rules.PENDING
	assert notifications(reviewer) == before + 1
	assert len(reviews(ra)) == 1  # the same review, not a new one


# ---- who may read and decide -----------------------------------------------------------------------------
@pytest.fixture
def two_reviews(world, reviewer):
	"""A special-category review (a risk assessment) and an ordinary one (a contact log) in school A,
	and a risk assessment review in school B."""
	_p, placement_a = pupil_with_placement(world, born(26))
	_p, placement_b = pupil_with_placement(world, born(26), school=world.school_b)
	ra_a, log_a, ra_b = risk_assessment(placement_a), contact_log(placement_a), risk_assessment(placement_b)
	run()
	return frappe._dict(
		ra_a=review_of(ra_a, "Risk Assessment").name,
		log_a=review_of(log_a, "Contact Log").name,
		ra_b=review_of(ra_b, "Risk Assessment").name,
	)


@pytest.mark.parametrize("key", ["ap_lead_a", "senior_a", "governor_a", "qa", "provider_1"])
def test_other_roles_neither_read_nor_decide_reviews(world, two_reviews, key):
	as_user(world.users[key])
	for name in two_reviews.values():
		assert not frappe.has_permission(REVIEW, "read", frappe.get_doc(REVIEW, name)), name
	with pytest.raises(frappe.PermissionError):
		frappe.get_list(REVIEW)
	with pytest.raises(frappe.PermissionError):
		retention.confirm(review=two_reviews.ra_a)
	with pytest.raises(frappe.PermissionError):
		retention.decline(review=two_reviews.ra_a, note="x", review_again_on=add_days(today(), 9))


def test_the_safeguarding_lead_reads_their_schools_safeguarding_reviews_only_and_decides_none(
	world, two_reviews
):
	as_user(world.users["dsl_a"])
	assert set(frappe.get_list(REVIEW, pluck="name")) & set(two_reviews.values()) == {two_reviews.ra_a}
	assert frappe.has_permission(REVIEW, "read", frappe.get_doc(REVIEW, two_reviews.ra_a))
	for name in (two_reviews.log_a, two_reviews.ra_b):
		assert not frappe.has_permission(REVIEW, "read", frappe.get_doc(REVIEW, name)), name
	with pytest.raises(frappe.PermissionError):
		retention.confirm(review=two_reviews.ra_a)


def test_another_ap_administrator_reads_every_review_but_only_the_named_reviewer_decides(world, two_reviews):
	other = world.user("second_admin", ["AP Administrator"], {})
	as_user(other)
	assert set(frappe.get_list(REVIEW, pluck="name")) >= set(two_reviews.values())
	with pytest.raises(frappe.PermissionError):
		retention.confirm(review=two_reviews.ra_a)
	frappe.set_user("Administrator")
	assert frappe.db.get_value(REVIEW, two_reviews.ra_a, "status") == rules.PENDING


def test_a_change_of_reviewer_hands_them_the_pending_reviews(world, two_reviews):
	other = world.user("next_admin", ["AP Administrator"], {})
	set_reviewer(other)
	assert frappe.db.get_value(REVIEW, two_reviews.ra_a, "reviewer") == other
	as_user(world.users["admin"])
	with pytest.raises(frappe.PermissionError):  # no longer named
		retention.confirm(review=two_reviews.ra_a)
	as_user(other)
	assert retention.confirm(review=two_reviews.ra_a)["status"] == rules.REMOVED


# ---- over HTTP --------------------------------------------------------------------------------------------
@pytest.fixture
def committed(world):
	"""A due risk assessment and its pending review, committed for the test server; removed afterwards."""
	since = now_datetime()
	set_reviewer(world.users["admin"])
	pupil, placement = pupil_with_placement(world, born(26))
	ra = risk_assessment(placement)
	run()
	frappe.db.commit()
	yield frappe._dict(pupil=pupil, placement=placement, ra=ra, review=review_of(ra, "Risk Assessment").name)
	frappe.db.rollback()
	frappe.db.delete(REVIEW, {"pupil": pupil})
	World._delete("Risk Assessment", {"name": ra})
	World._delete("Placement", {"name": placement})
	World._delete("Pupil", {"name": pupil})
	frappe.db.set_single_value("AP Settings", "retention_reviewer", None)
	# the run's notification to the reviewer, committed with it (later tests count the reviewer's)
	frappe.db.delete(
		"Notification Log",
		{"for_user": world.users["admin"], "subject": ("like", "Retention:%"), "creation": (">=", since)},
	)
	frappe.db.commit()


def post(session, method, **data):
	return session.post(
		f"{session.base}/api/method/ap_framework.oversight.retention.{method}", data=data, timeout=30
	)


def test_over_http_only_the_named_reviewer_confirms_and_the_removal_is_committed(world, http, committed):
	for key in (None, "ap_lead_a", "senior_a", "provider_1", "dsl_a"):
		s = http(key)
		assert post(s, "confirm", review=committed.review).status_code == 403, key
		if key != "dsl_a":  # the school's Safeguarding Lead may read its safeguarding reviews
			r = s.get(f"{s.base}/api/resource/{REVIEW}/{committed.review}", timeout=30)
			assert r.status_code == 403, key
	guest = http(None)
	assert guest.get(f"{guest.base}/api/resource/{REVIEW}", timeout=30).status_code == 403
	frappe.db.rollback()
	assert frappe.db.exists("Risk Assessment", committed.ra)

	s = http("admin")
	r = post(s, "decline", review=committed.review, note="", review_again_on=add_days(today(), 5))
	assert r.status_code == 417 and "Decision Note" in r.text  # a clear refusal, not a server error
	r = s.put(f"{s.base}/api/resource/{REVIEW}/{committed.review}", json={"decision_note": "x"}, timeout=30)
	assert r.status_code == 403
	r = post(s, "confirm", review=committed.review)
	assert r.ok, r.text
	frappe.db.rollback()  # read what the server committed
	assert not frappe.db.exists("Risk Assessment", committed.ra)
	assert frappe.db.get_value(REVIEW, committed.review, ["status", "removed_by"]) == (
		rules.REMOVED,
		world.users["admin"],
	)


# ---- the special-category DocTypes (Pupil Welfare, Safeguarding Concern) ---------------------------------
def welfare(pupil, **facts) -> str:
	doc = frappe.get_doc("Pupil Welfare", pupil)  # every pupil has one, made with it
	doc.update(facts)
	doc.save()
	doc.child_in_need = 1
	doc.save()  # a Version that holds the facts too
	doc.add_comment("Comment", "Strategy meeting held")
	return doc.name


def test_irms_pupil_welfare_child_protection_facts_go_at_25_and_sen_facts_at_31(world, reviewer):
	if not frappe.db.exists("DocType", "Pupil Welfare"):
		pytest.skip("Pupil Welfare is not on this site yet")
	at_30 = world.pupil(world.school_a, date_of_birth=born(30))
	at_31 = world.pupil(world.school_a, date_of_birth=born(31))
	facts = dict(
		child_protection=1, safeguarding_notes="Section 47 enquiry", sen_status="K", sen_notes="Dyslexia"
	)
	w30, w31 = welfare(at_30, **facts), welfare(at_31, **facts)
	run()
	assert {r.rule for r in reviews(w30)} == {"Pupil Welfare: child protection"}  # SEN not due until 31
	assert {r.rule for r in reviews(w31)} == {"Pupil Welfare: child protection", "Pupil Welfare: SEN"}
	as_user(reviewer)
	retention.confirm(review=review_of(w31, "Pupil Welfare: child protection").name)
	frappe.set_user("Administrator")
	kept = frappe.db.get_value("Pupil Welfare", w31, ["child_protection", "safeguarding_notes", "sen_status"])
	assert kept == (0, None, "K")  # the SEN facts wait for their own review
	for trace in ("Version", "Comment"):  # the history and the comments hold the same facts
		field = "ref_doctype" if trace == "Version" else "reference_doctype"
		name = "docname" if trace == "Version" else "reference_name"
		assert not frappe.db.exists(trace, {field: "Pupil Welfare", name: w31}), trace
	assert frappe.db.exists("Version", {"ref_doctype": "Pupil Welfare", "docname": w30})  # not yet confirmed
	as_user(reviewer)
	retention.confirm(review=review_of(w31, "Pupil Welfare: SEN").name)
	frappe.set_user("Administrator")
	assert frappe.db.get_value("Pupil Welfare", w31, ["sen_status", "sen_notes"]) == (None, None)
	assert frappe.db.exists("Pupil Welfare", w31)  # emptied, not deleted
	run()
	assert len(reviews(w31)) == 2  # nothing left to raise again


def test_irms_a_safeguarding_concern_goes_at_25(world, reviewer):
	if not frappe.db.exists("DocType", "Safeguarding Concern"):
		pytest.skip("Safeguarding Concern is not on this site yet")
	pupil, placement = pupil_with_placement(world, born(25))
	concern = (
		frappe.get_doc(
			{
				"doctype": "Safeguarding Concern",
				"pupil": pupil,
				"placement": placement,
				"raised_on": add_days(today(), -400) + " 10:00:00",
				"details": "Disclosure during a session",
			}
		)
		.insert(ignore_permissions=True)
		.name
	)
	run()
	name = review_of(concern, "Safeguarding Concern").name
	as_user(reviewer)
	retention.confirm(review=name)
	frappe.set_user("Administrator")
	assert not frappe.db.exists("Safeguarding Concern", concern)
	assert "Disclosure" not in frappe.get_doc(REVIEW, name).as_json()


def test_the_daily_job_is_scheduled_before_the_school_day(site):
	"""Daily at midnight (site time), on the long queue: it sweeps every record type of the site."""
	job = frappe.get_doc("Scheduled Job Type", {"method": "ap_framework.oversight.retention.daily"})
	assert job.frequency == "Daily Long" and job.get_queue_name() == "long"
	due = job.get_next_execution()
	assert (due.hour, due.minute) == (0, 0)
