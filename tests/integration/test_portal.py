"""The provider portal's server side, in-process: register, forms, invitations, one provider per user."""

from datetime import datetime, timedelta

import frappe
import pytest
from frappe.utils import add_days, getdate, today

from ap_framework import exceptions as ex
from ap_framework.portal import api, register, users


def last_weekday():
	day = getdate(add_days(today(), -1))
	while day.weekday() > 4:
		day -= timedelta(days=1)
	return day


def as_provider(world, key="provider_1"):
	frappe.set_user(world.users[key])


def save(world, marks, on=None, session="AM"):
	return api.save_register(str(on or last_weekday()), session, frappe.as_json(marks))


def marks_for(placement, on=None, session="AM"):
	return frappe.get_all(
		"AP Attendance",
		filters={"placement": placement, "attendance_date": on or last_weekday(), "session": session},
		fields=["name", "mark", "minutes_late", "reported_by", "reported_at", "reported_late"],
	)


class TestRegister:
	def test_lists_only_this_providers_timetabled_pupils(self, world):
		rows = register.expected(world.p1, last_weekday(), "AM")
		assert set(rows) == {world.pa1, world.pb1}

	def test_saving_creates_stamped_marks_once(self, world):
		as_provider(world)
		result = save(
			world,
			[
				{"placement": world.pa1, "mark": "/"},
				{"placement": world.pb1, "mark": "L", "minutes_late": 10},
			],
		)
		assert result["inserted"] == 2
		[mark] = marks_for(world.pa1)
		assert mark.mark == "/" and mark.reported_by == world.users["provider_1"] and mark.reported_at
		assert mark.reported_late == 1  # yesterday's session, saved today: after the deadline
		again = save(
			world,
			[
				{"placement": world.pa1, "mark": "/"},
				{"placement": world.pb1, "mark": "L", "minutes_late": 10},
			],
		)
		assert again == {"inserted": 0, "updated": 0, "unchanged": 2, "notified": 0, "replaced": []}
		assert len(marks_for(world.pa1)) == 1

	def test_changing_a_mark_updates_it_with_history(self, world):
		as_provider(world)
		save(world, [{"placement": world.pa1, "mark": "/"}])
		result = save(world, [{"placement": world.pa1, "mark": "I"}])
		assert result["updated"] == 1
		[mark] = marks_for(world.pa1)
		assert mark.mark == "I"
		# the saver is told whose mark they replaced, and when it was reported
		[was] = result["replaced"]
		assert (was["placement"], was["mark"], was["reported_by"]) == (
			world.pa1,
			"/",
			world.users["provider_1"],
		)
		assert was["reported_at"]
		assert frappe.db.exists("Version", {"ref_doctype": "AP Attendance", "docname": mark.name})

	def test_in_time_is_not_late(self, world):
		as_provider(world)
		on = last_weekday()
		register.save(
			world.p1,
			on,
			"AM",
			[{"placement": world.pa1, "mark": "/"}],
			now=datetime.combine(on, datetime.min.time()) + timedelta(hours=9, minutes=20),
		)
		assert marks_for(world.pa1)[0].reported_late == 0

	@pytest.mark.parametrize(
		"case",
		[
			"other_provider",
			"unknown_code",
			"withdrawn",
			"late_no_minutes",
			"future",
			"before_start",
			"bad_session",
			"tampered_minutes",
			"duplicate_row",
			"empty",
		],
	)
	def test_bad_registers_are_refused_whole(self, world, case):
		as_provider(world)
		good = {"placement": world.pa1, "mark": "/"}
		on, session, marks = last_weekday(), "AM", [good]
		if case == "other_provider":
			marks = [good, {"placement": world.pa2, "mark": "/"}]
		elif case == "unknown_code":
			marks = [good, {"placement": world.pb1, "mark": "ZZ"}]
		elif case == "withdrawn":
			marks = [good, {"placement": world.pb1, "mark": "H"}]
		elif case == "late_no_minutes":
			marks = [good, {"placement": world.pb1, "mark": "L"}]
		elif case == "future":
			on = getdate(add_days(today(), 1))
		elif case == "before_start":
			on = getdate(add_days(today(), -45))
		elif case == "bad_session":
			session = "EVENING"
		elif case == "tampered_minutes":
			marks = [good, {"placement": world.pb1, "mark": "L", "minutes_late": "ten"}]
		elif case == "duplicate_row":
			marks = [good, good]
		elif case == "empty":
			marks = []
		before = frappe.db.count("AP Attendance")
		with pytest.raises(ex.APValidationError):
			save(world, marks, on=on, session=session)
		assert frappe.db.count("AP Attendance") == before, "nothing is half-saved"

	def test_unexplained_absence_notifies_ap_lead_and_dsl_at_once(self, world):
		frappe.db.set_value(
			"School", world.school_a, {"ap_lead": world.users["ap_lead_a"], "dsl": world.users["dsl_a"]}
		)
		as_provider(world)
		result = save(world, [{"placement": world.pa1, "mark": "N"}, {"placement": world.pb1, "mark": "/"}])
		assert result["notified"] == 1
		notified = frappe.get_all(
			"Notification Log",
			filters={"document_type": "Placement", "document_name": world.pa1},
			pluck="for_user",
		)
		assert sorted(notified) == sorted([world.users["ap_lead_a"], world.users["dsl_a"]])
		save(world, [{"placement": world.pa1, "mark": "N"}])  # unchanged: nobody is told twice
		assert (
			frappe.db.count("Notification Log", {"document_type": "Placement", "document_name": world.pa1})
			== 2
		)

	def test_status_done_due_overdue(self, world):
		on = last_weekday()
		morning = datetime.combine(on, datetime.min.time())
		assert register.status(world.p1, on, morning + timedelta(hours=9))[0]["state"] == "due"
		assert register.status(world.p1, on, morning + timedelta(hours=10))[0]["state"] == "overdue"
		register.save(
			world.p1,
			on,
			"AM",
			[{"placement": world.pa1, "mark": "/"}, {"placement": world.pb1, "mark": "/"}],
			now=morning + timedelta(hours=10),
		)
		am = next(
			s for s in register.status(world.p1, on, morning + timedelta(hours=10)) if s["session"] == "AM"
		)
		assert am["state"] == "done" and am["marked"] == am["expected"] == 2


class TestWhoMayUseThePortal:
	def test_school_staff_and_unscoped_provider_users_are_refused(self, world):
		for key in ("ap_lead_a", "provider_no_scope", "admin"):
			frappe.set_user(world.users[key])
			with pytest.raises(frappe.PermissionError):
				save(world, [{"placement": world.pa1, "mark": "/"}])

	def test_guest_is_refused(self, world):
		frappe.set_user("Guest")
		with pytest.raises(frappe.PermissionError):
			save(world, [{"placement": world.pa1, "mark": "/"}])


class TestForms:
	def test_contact_log_with_concern_reaches_the_dsl(self, world):
		frappe.db.set_value("School", world.school_a, {"dsl": world.users["dsl_a"]})
		as_provider(world)
		name = api.log_contact(
			world.pa1,
			"Phone",
			"Upset on arrival",
			safeguarding_concern=1,
			concern_details="Mentioned being scared to go home",
		)
		frappe.set_user("Administrator")
		log = frappe.get_doc("Contact Log", name)
		assert log.provider == world.p1 and log.school == world.school_a
		concern = frappe.get_doc("Safeguarding Concern", {"contact_log": name})
		assert (concern.pupil, concern.school, concern.provider) == (world.pupil_a1, world.school_a, world.p1)
		assert concern.details == "Mentioned being scared to go home"
		assert concern.raised_by == world.users["provider_1"]
		told = frappe.get_all("Notification Log", filters={"document_name": concern.name}, pluck="for_user")
		# the Safeguarding Lead alone: a notification names the child and says there is a concern
		assert told == [world.users["dsl_a"]]
		assert not frappe.db.exists("Notification Log", {"document_name": name})

	def test_a_concern_reaches_the_las_administrators_when_the_school_names_no_enabled_dsl(self, world):
		frappe.db.set_value("School", world.school_a, {"dsl": world.users["dsl_a"]})
		frappe.db.set_value("User", world.users["dsl_a"], "enabled", 0)  # left the school
		as_provider(world)
		api.log_contact(world.pa1, "Phone", "Upset", safeguarding_concern=1, concern_details="Hungry again")
		frappe.set_user("Administrator")
		concern = frappe.get_all("Safeguarding Concern", filters={"details": "Hungry again"}, pluck="name")
		told = set(
			frappe.get_all("Notification Log", filters={"document_name": concern[0]}, pluck="for_user")
		)
		assert world.users["admin"] in told  # an AP Administrator: no concern goes unseen
		assert not told & {world.users[k] for k in ("ap_lead_a", "qa", "senior_a", "dsl_a")}

	def test_contact_log_without_concern_raises_none(self, world):
		as_provider(world)
		name = api.log_contact(world.pa1, "Phone", "Settled well")
		frappe.set_user("Administrator")
		assert not frappe.db.exists("Safeguarding Concern", {"contact_log": name})

	def test_forms_refuse_another_providers_placement(self, world):
		as_provider(world)
		with pytest.raises(frappe.DoesNotExistError):
			api.log_contact(world.pa2, "Phone", "x")
		with pytest.raises(frappe.DoesNotExistError):
			api.submit_assessment(world.pa2, frappe.as_json([{"domain": "Resilience", "score": 3}]))
		with pytest.raises(frappe.DoesNotExistError):
			api.submit_review_input(world.pa2, "Going well")

	def test_assessment_is_submitted_with_descriptors(self, world):
		as_provider(world)
		name = api.submit_assessment(
			world.pa1,
			frappe.as_json([{"domain": "Resilience", "score": 4}]),
			assessment_date=str(last_weekday()),
		)
		frappe.set_user("Administrator")
		doc = frappe.get_doc("Domain Assessment", name)
		assert doc.docstatus == 1 and doc.provider == world.p1 and doc.scores[0].level_descriptor

	def test_assessment_score_out_of_range_is_refused(self, world):
		as_provider(world)
		with pytest.raises(ex.DomainScoreError):
			api.submit_assessment(world.pa1, frappe.as_json([{"domain": "Resilience", "score": 9}]))

	def test_review_input_feeds_the_next_review(self, world):
		as_provider(world)
		api.submit_review_input(world.pa1, "Settling well; maths improving", pupil_words="I like it here")
		frappe.set_user("Administrator")
		review = frappe.get_doc(
			{
				"doctype": "Plan Review",
				"placement": world.pa1,
				"review_date": today(),
				"decision": "Continue",
				"parent_voice": "Happier",
			}
		).insert()
		assert "Settling well" in review.provider_input and review.pupil_voice == "I like it here"
		review.submit()
		assert frappe.db.get_value("Review Input", {"placement": world.pa1}, "status") == "Used"

	def test_assurance_upload_attaches_the_providers_own_file(self, world):
		as_provider(world)
		file = frappe.get_doc(
			{"doctype": "File", "file_name": "letter.txt", "content": b"we checked", "is_private": 1}
		).insert()
		name = api.record_assurance(str(today()), "Centre Manager", file.file_url)
		frappe.set_user("Administrator")
		assert frappe.db.get_value("File", file.name, ["attached_to_doctype", "attached_to_name"]) == (
			"Safeguarding Assurance",
			name,
		)
		assert frappe.db.get_value("Safeguarding Assurance", name, "provider") == world.p1

	def test_other_documents_are_kept_with_the_provider(self, world):
		as_provider(world)
		file = frappe.get_doc(
			{"doctype": "File", "file_name": "policy.txt", "content": b"policy", "is_private": 1}
		).insert()
		api.attach_provider_document(file.file_url)
		frappe.set_user("Administrator")
		assert frappe.db.get_value("File", file.name, ["attached_to_doctype", "attached_to_name"]) == (
			"AP Provider",
			world.p1,
		)

	def test_someone_elses_file_cannot_be_attached(self, world):
		as_provider(world, "provider_2")
		file = frappe.get_doc(
			{"doctype": "File", "file_name": "theirs.txt", "content": b"x", "is_private": 1}
		).insert()
		as_provider(world)
		with pytest.raises(frappe.PermissionError):
			api.record_assurance(str(today()), "X", file.file_url)


class TestInvitations:
	def test_officer_invites_a_provider_user_tied_to_one_provider(self, world):
		frappe.set_user(world.users["admin"])
		email = f"invited-{world.token.lower()}@ap-test.example.com"
		users.invite_provider_user(world.p2, email, "Invited")
		frappe.set_user("Administrator")
		user = frappe.get_doc("User", email)
		assert "AP Provider User" in [r.role for r in user.roles] and user.user_type == "Website User"
		assert frappe.get_all("User Permission", filters={"user": email}, pluck="for_value") == [world.p2]
		with pytest.raises(frappe.ValidationError, match="one provider"):
			frappe.get_doc(
				{"doctype": "User Permission", "user": email, "allow": "AP Provider", "for_value": world.p1}
			).insert()

	def test_school_staff_cannot_invite(self, world):
		frappe.set_user(world.users["ap_lead_a"])
		with pytest.raises(frappe.PermissionError):
			users.invite_provider_user(world.p1, "nobody@ap-test.example.com", "No")
