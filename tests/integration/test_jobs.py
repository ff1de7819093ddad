"""The oversight jobs in a real site, with frozen time: each run twice, raising exactly the ToDos,
notifications and emails expected and none twice; a broken record logged while the rest go out."""

from __future__ import annotations

import email
import random
from datetime import datetime, time, timedelta

import frappe
import pytest
from frappe.utils import add_days, getdate, now_datetime, today
from frappe.utils.background_jobs import get_job

from ap_framework.oversight import alerts as alerts_module
from ap_framework.oversight import jobs
from ap_framework.rules import oversight as rules


# ---- time and fixtures ------------------------------------------------------------------------------
def school_day(hour=10, minute=0, back=0) -> datetime:
	"""The latest weekday on or before today - `back` days, at hour:minute (the world's timetables are
	Monday to Friday, and its placements started 30 days ago)."""
	day = getdate(add_days(today(), -back))
	while day.weekday() > 4:
		day -= timedelta(days=1)
	return datetime.combine(day, time(hour, minute))


@pytest.fixture(autouse=True)
def _isolated(world, monkeypatch):
	"""Keep each test's writes in its own transaction, to be rolled back: the jobs commit every
	COMMIT_EVERY alerts, which no test here reaches; make sure of it whatever else the site holds.
	Error Log is a MyISAM table (it survives rollbacks by design): remove the ones a test caused."""
	monkeypatch.setattr(alerts_module, "COMMIT_EVERY", 10**9)
	started = now_datetime()
	yield
	frappe.db.delete("Error Log", {"creation": (">=", started), "method": ("like", "AP %")})


@pytest.fixture
def town(world, monkeypatch):
	"""Two schools and three providers of the test's own (rolled back with it), so the alerts about them
	are exactly what the test expects whatever else the site holds. School A names an AP Lead, a DSL and a
	Senior Leader, school B an AP Lead. P1 and P2 are approved; P3 has never been audited. Placements
	pa1 (A, P1), pa2 (A, P2), pb1 (B, P1), pb2 (B, P2) are Active, timetabled 09:00-15:00 Monday to Friday,
	started 30 days ago. An outgoing email account exists (emails stay muted)."""
	monkeypatch.setitem(frappe.local.conf, "mail_server", "smtp.invalid")
	tag = frappe.generate_hash(length=6)
	t = frappe._dict(users=world.users)
	t.school_a = world.school(f"Jobs A {tag}", str(random.randint(3_000_000, 3_999_999)))
	t.school_b = world.school(f"Jobs B {tag}", str(random.randint(3_000_000, 3_999_999)))
	ukprn = lambda: str(random.randint(10_000_000, 19_999_999))  # noqa: E731
	t.p1 = world.provider(f"Jobs P1 {tag}", "Non-school AP", ukprn=ukprn())
	t.p2 = world.provider(f"Jobs P2 {tag}", "Non-school AP", ukprn=ukprn())
	t.p3 = world.provider(f"Jobs P3 {tag}", "Non-school AP", approved=False)
	for key, school, provider in (
		("pa1", t.school_a, t.p1),
		("pa2", t.school_a, t.p2),
		("pb1", t.school_b, t.p1),
		("pb2", t.school_b, t.p2),
	):
		t[key] = world.placement(world.pupil(school), provider, "Active").name
	u = world.users
	frappe.db.set_value(
		"School", t.school_a, {"ap_lead": u["ap_lead_a"], "dsl": u["dsl_a"], "senior_leader": u["senior_a"]}
	)
	frappe.db.set_value("School", t.school_b, {"ap_lead": u["ap_lead_b"]})
	frappe.local.outgoing_email_account = {}  # found afresh from the setting above
	yield t
	# Frappe keeps the outgoing account it found (the one mail_server makes) for the rest of the process:
	# forget it, or a later test sends through an account whose setting is gone
	frappe.local.outgoing_email_account = {}


def todos(user) -> list[tuple[str, str]]:
	rows = frappe.get_all("ToDo", filters={"allocated_to": user}, fields=["reference_name", "description"])
	return sorted((r.reference_name, r.description) for r in rows)


def todo_refs(user, status=None) -> list[str]:
	filters = {"allocated_to": user}
	if status:
		filters["status"] = status
	return sorted(frappe.get_all("ToDo", filters=filters, pluck="reference_name"))


def alert_keys(**filters) -> list[tuple]:
	rows = frappe.get_all(
		"AP Alert", filters=filters, fields=["rule", "reference_name", "period", "recipient", "channel"]
	)
	return sorted((r.rule, r.reference_name, r.period, r.recipient, r.channel) for r in rows)


def notifications(user) -> list[frappe._dict]:
	return frappe.get_all(
		"Notification Log",
		filters={"for_user": user},
		fields=["subject", "email_content", "document_type", "document_name"],
	)


def emails_to(address) -> list[tuple[str, str]]:
	"""(subject, html) of every queued email to `address`."""
	names = frappe.get_all("Email Queue Recipient", filters={"recipient": address}, pluck="parent")
	out = []
	for raw in frappe.get_all("Email Queue", filters={"name": ("in", names)}, pluck="message"):
		msg = email.message_from_string(raw)
		html = "".join(
			part.get_payload(decode=True).decode()
			for part in msg.walk()
			if part.get_content_type() == "text/html"
		)
		out.append((str(email.header.make_header(email.header.decode_header(msg["Subject"]))), html))
	return out


def errors_about(name) -> int:
	return frappe.db.count("Error Log", {"reference_name": name})


def add_contact(provider, role, address):
	doc = frappe.get_doc("AP Provider", provider)
	doc.append("contacts", {"contact_role": role, "full_name": f"{role} office", "email": address})
	doc.save()


def mark(placement, on, session="AM", code=None):
	frappe.get_doc(
		{
			"doctype": "AP Attendance",
			"placement": placement,
			"attendance_date": on,
			"session": session,
			"mark": code or ("/" if session == "AM" else "\\"),
		}
	).insert()


# ---- attendance deadline -----------------------------------------------------------------------------
class TestAttendanceDeadline:
	def test_a_missed_register_alerts_the_attendance_contact_and_the_ap_lead_once(self, world, town):
		office = f"office-{world.token.lower()}@ap-test.example.com"
		add_contact(town.p1, "Attendance", office)
		add_contact(town.p1, "Safeguarding", f"dsl-{world.token.lower()}@ap-test.example.com")
		now = school_day(10, 0)
		mark(town.pa2, now.date())  # pa2's register is in

		jobs.attendance_deadlines(now=school_day(9, 30))  # the deadline (09:00 + 30 minutes) not yet passed
		assert alert_keys(school=("in", [town.school_a, town.school_b])) == []

		for _run in range(2):
			jobs.attendance_deadlines(now=now)
		period = f"{now.date().isoformat()} AM"
		a, b = town.users["ap_lead_a"], town.users["ap_lead_b"]
		assert alert_keys(school=("in", [town.school_a, town.school_b])) == sorted(
			[
				(rules.ATTENDANCE_NOT_MARKED, town.pa1, period, office, "Email"),
				(rules.ATTENDANCE_NOT_MARKED, town.pa1, period, a, "Notification"),
				(rules.ATTENDANCE_NOT_MARKED, town.pb1, period, office, "Email"),
				(rules.ATTENDANCE_NOT_MARKED, town.pb1, period, b, "Notification"),
				(rules.ATTENDANCE_NOT_MARKED, town.pb2, period, b, "Notification"),  # p2 has no contact
			]
		)
		# one email to the provider's office for its two missing registers; only the attendance contact
		(sent,) = emails_to(office)
		assert town.pa1 in sent[1] and town.pb1 in sent[1] and town.pa2 not in sent[1]
		assert emails_to(f"dsl-{world.token.lower()}@ap-test.example.com") == []
		# one notification per lead: A's names its one placement, B's lists both
		(note_a,) = notifications(a)
		assert (note_a.document_type, note_a.document_name) == ("Placement", town.pa1)
		(note_b,) = notifications(b)
		assert town.pb1 in note_b.email_content and town.pb2 in note_b.email_content

	def test_the_pm_register_is_a_separate_alert(self, world, town):
		doc = frappe.get_doc("Placement", town.pa1)
		for row in doc.timetable:  # 08:30-12:00 and 13:00-15:00: still full time
			row.start_time, row.end_time = "08:30:00", "12:00:00"
		for day in ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday"):
			doc.append("timetable", {"weekday": day, "start_time": "13:00:00", "end_time": "15:00:00"})
		doc.save()
		now = school_day(14, 0)
		mark(town.pa1, now.date(), "AM")
		jobs.attendance_deadlines(now=now)
		jobs.attendance_deadlines(now=now)
		assert alert_keys(reference_name=town.pa1) == [
			(
				rules.ATTENDANCE_NOT_MARKED,
				town.pa1,
				f"{now.date().isoformat()} PM",
				town.users["ap_lead_a"],
				"Notification",
			)
		]

	def test_a_timetable_row_without_a_start_time_is_logged_and_the_rest_still_go(self, world, town):
		frappe.db.sql("update `tabPlacement Session` set start_time = null where parent = %s", town.pb1)
		jobs.attendance_deadlines(now=school_day(10, 0))
		assert errors_about(town.pb1) >= 1
		assert {k[1] for k in alert_keys(school=("in", [town.school_a, town.school_b]))} == {
			town.pa1,
			town.pa2,
			town.pb2,
		}

	def test_an_invalid_contact_address_is_logged_and_the_ap_lead_is_still_told(self, world, town):
		add_contact(town.p1, "Attendance", "office@example.org")
		frappe.db.sql(
			"update `tabAP Provider Contact` set email = 'not an address' where parent = %s", town.p1
		)
		out = jobs.attendance_deadlines(now=school_day(10, 0))
		assert out["bad_records"] >= 1 and errors_about(town.p1) >= 1
		assert [k[3] for k in alert_keys(reference_name=town.pa1)] == [town.users["ap_lead_a"]]

	def test_a_failed_notification_goes_with_its_alert_and_is_sent_next_run(self, world, town, monkeypatch):
		"""The notification is written in the alert's savepoint (compat.py, entry 4): when the delivery
		fails after it, both are undone, and the next run sends it once."""
		notify = alerts_module._notify

		def broken(unit):
			notify(unit)
			if unit[0].recipient == town.users["ap_lead_a"]:
				raise RuntimeError("failed after the notification was written")

		monkeypatch.setattr(alerts_module, "_notify", broken)
		now = school_day(10, 0)
		out = jobs.attendance_deadlines(now=now)
		assert out["failed"] >= 1 and errors_about(town.pa1) >= 1
		assert notifications(town.users["ap_lead_a"]) == [] and alert_keys(reference_name=town.pa1) == []
		assert len(notifications(town.users["ap_lead_b"])) == 1
		monkeypatch.setattr(alerts_module, "_notify", notify)
		jobs.attendance_deadlines(now=now)
		jobs.attendance_deadlines(now=now)
		assert len(notifications(town.users["ap_lead_a"])) == 1
		assert len(notifications(town.users["ap_lead_b"])) == 1


# ---- low attendance ----------------------------------------------------------------------------------
class TestLowAttendance:
	def marks(self, placement, codes):
		"""One AM mark per school day going back from yesterday."""
		day = getdate(add_days(today(), -1))
		for code in codes:
			while day.weekday() > 4:
				day -= timedelta(days=1)
			mark(placement, day, "AM", code)
			day -= timedelta(days=1)

	def test_a_task_for_the_ap_lead_once_per_episode(self, world, town):
		lead = town.users["ap_lead_a"]
		self.marks(town.pa1, ["O", "O", "/", "/", "/"])  # 60%
		self.marks(town.pa2, ["/"] * 5 + ["X"])  # 100%; X is not a possible session
		now = now_datetime()
		for _run in range(2):
			jobs.low_attendance(now=now)
		assert todo_refs(lead) == [town.pa1]
		assert alert_keys(rule=rules.LOW_ATTENDANCE, status="Open") == [
			(rules.LOW_ATTENDANCE, town.pa1, now.date().isoformat(), lead, "ToDo")
		]
		assert "60.0%" in todos(lead)[0][1]

		# attendance recovers: the episode ends, no new task
		frappe.db.sql("update `tabAP Attendance` set mark = '/' where placement = %s", town.pa1)
		jobs.low_attendance(now=now + timedelta(days=1))
		assert alert_keys(rule=rules.LOW_ATTENDANCE, status="Open", reference_name=town.pa1) == []
		assert todo_refs(lead) == [town.pa1]

		# a new dip is a new episode, with a new task, once
		frappe.db.sql("update `tabAP Attendance` set mark = 'O' where placement = %s", town.pa1)
		for _run in range(2):
			jobs.low_attendance(now=now + timedelta(days=2))
		assert todo_refs(lead) == [town.pa1, town.pa1]
		assert len(alert_keys(rule=rules.LOW_ATTENDANCE, reference_name=town.pa1)) == 2


# ---- reviews -----------------------------------------------------------------------------------------
class TestReviews:
	def test_due_is_a_task_overdue_is_escalated_and_a_held_review_closes_both(self, world, town):
		lead, senior = town.users["ap_lead_a"], town.users["senior_a"]
		now = now_datetime()
		frappe.db.set_value("Placement", town.pa1, "next_review_date", add_days(today(), 5))
		frappe.db.set_value("Placement", town.pa2, "next_review_date", add_days(today(), -3))
		for _run in range(2):
			jobs.reviews(now=now)
		assert todo_refs(lead) == sorted([town.pa1, town.pa2])
		assert todo_refs(senior) == [town.pa2]
		assert frappe.db.get_value("ToDo", {"allocated_to": senior}, "priority") == "High"
		# pb1 / pb2 are 12 days away: nothing for school B
		assert todo_refs(town.users["ap_lead_b"]) == []

		review = frappe.get_doc(
			{
				"doctype": "Plan Review",
				"placement": town.pa2,
				"review_date": today(),
				"decision": "Continue",
				"pupil_voice": "Going well",
				"parent_voice": "Happier",
			}
		)
		review.submit()
		assert todo_refs(lead, "Open") == [town.pa1]
		assert todo_refs(senior, "Open") == []
		assert todo_refs(lead, "Closed") == [town.pa2]
		assert {r.status for r in frappe.get_all("AP Alert", {"reference_name": town.pa2}, ["status"])} == {
			"Closed"
		}

		# the review moved the next one on: running again raises nothing new
		jobs.reviews(now=now)
		assert len(todo_refs(lead)) == 2 and len(todo_refs(senior)) == 1

	def test_a_schools_overdue_reviews_are_a_task_each_and_one_email_to_its_senior_leader(self, world, town):
		"""Escalations that share a rule and a person reach that person as one email listing them, with a
		task for each; the next run sends nothing more."""
		senior = town.users["senior_a"]
		pa3 = world.placement(world.pupil(town.school_a), town.p1, "Active").name
		overdue = sorted([town.pa1, town.pa2, pa3])
		for name in overdue:
			frappe.db.set_value("Placement", name, "next_review_date", add_days(today(), -3))
		for _run in range(2):
			jobs.reviews(now=now_datetime())
		assert todo_refs(senior) == overdue
		(escalation,) = emails_to(senior)
		subject, html = escalation
		assert "3" in subject, subject
		assert all(name in html for name in overdue), html
		assert frappe.db.count("AP Alert", {"recipient": senior, "rule": rules.REVIEW_OVERDUE}) == 3

	def test_many_tasks_of_one_rule_reach_a_person_as_one_digest_that_closes_with_its_last(
		self, world, town, monkeypatch
	):
		"""A first run over a whole LA must not bury anyone: more than DIGEST_AFTER new tasks of one rule
		for one person are one task linking to the filtered list, while each keeps its own AP Alert."""
		monkeypatch.setattr(alerts_module, "DIGEST_AFTER", 2)
		lead = town.users["ap_lead_a"]
		pa3 = world.placement(world.pupil(town.school_a), town.p1, "Active").name
		placements = sorted([town.pa1, town.pa2, pa3])
		for name in placements:
			frappe.db.set_value("Placement", name, "next_review_date", add_days(today(), 5))
		for _run in range(2):
			jobs.reviews(now=now_datetime())
		(task,) = frappe.get_all(
			"ToDo",
			filters={"allocated_to": lead},
			fields=["name", "description", "reference_type", "status"],
		)
		assert (task.reference_type, task.status) == (None, "Open")
		assert f"/app/ap-alert?todo={task.name}" in task.description and "3 records" in task.description
		alerts = frappe.get_all(
			"AP Alert",
			filters={"recipient": lead, "rule": rules.REVIEW_DUE},
			fields=["reference_name", "todo"],
		)
		assert sorted(a.reference_name for a in alerts) == placements and {a.todo for a in alerts} == {
			task.name
		}

		def review(placement):
			frappe.get_doc(
				{
					"doctype": "Plan Review",
					"placement": placement,
					"review_date": today(),
					"decision": "Continue",
					"pupil_voice": "Going well",
					"parent_voice": "Happier",
				}
			).submit()

		review(placements[0])
		assert frappe.db.get_value("ToDo", task.name, "status") == "Open"  # two reviews still to hold
		review(placements[1])
		review(placements[2])
		assert frappe.db.get_value("ToDo", task.name, "status") == "Closed"


# ---- providers ---------------------------------------------------------------------------------------
class TestProviders:
	def test_assurance_qa_and_visits_notify_the_la_and_flag_placements_for_the_dsl(self, world, town):
		qa, admin, dsl = town.users["qa"], town.users["admin"], town.users["dsl_a"]
		frappe.db.set_value(
			"Safeguarding Assurance", {"provider": town.p1}, "valid_until", add_days(today(), -1)
		)
		frappe.db.set_value(
			"Safeguarding Assurance", {"provider": town.p2}, "valid_until", add_days(today(), 10)
		)
		frappe.get_doc(
			{
				"doctype": "Contact Log",
				"provider": town.p1,
				"contact_type": "Unannounced Visit",
				"contact_datetime": add_days(now_datetime(), -50),
				"summary": "Visited",
			}
		).insert()
		now = now_datetime()
		for _run in range(2):
			jobs.providers(now=now)

		expired, expiring = add_days(today(), -1), add_days(today(), 10)
		visit_due = add_days(today(), -8)
		providers = [town.p1, town.p2, town.p3]
		for user in (qa, admin):
			assert alert_keys(provider=("in", providers), recipient=user) == sorted(
				[
					(rules.ASSURANCE_EXPIRED, town.p1, str(expired), user, "Notification"),
					(rules.VISIT_DUE, town.p1, str(visit_due), user, "Notification"),
					(rules.ASSURANCE_EXPIRING, town.p2, str(expiring), user, "Notification"),
					(rules.QA_DUE, town.p3, rules.NEVER, user, "Notification"),  # never audited
				]
			)
			(note,) = notifications(user)  # one notification listing them all
			assert all(p in note.email_content for p in providers)
		# the expired assurance flags p1's active placements for the school's DSL (school B names none)
		assert todo_refs(dsl) == [town.pa1]
		assert frappe.db.get_value("ToDo", {"allocated_to": dsl}, "priority") == "High"

	def test_a_suspended_provider_flags_its_placements_once_per_suspension(self, world, town):
		frappe.db.set_value("AP Provider", town.p2, "approval_status", "Suspended")
		for _run in range(2):
			jobs.providers(now=now_datetime())
		audit = frappe.db.get_value("AP Provider", town.p2, "last_qa_audit")
		assert alert_keys(rule=rules.PLACEMENT_PROVIDER_SUSPENDED, school=town.school_a) == [
			(rules.PLACEMENT_PROVIDER_SUSPENDED, town.pa2, audit, town.users["dsl_a"], "ToDo")
		]
		assert todo_refs(town.users["dsl_a"]) == [town.pa2]


# ---- placements --------------------------------------------------------------------------------------
class TestPlacements:
	def test_tasks_written_in_a_batch_are_what_todo_insert_makes(self, world, town):
		"""One run's one-alert tasks are written set-based; each is the ToDo Frappe's own insert makes: open,
		assigned by the job's user, on the record's assignments (`_assign`, what "Assigned To" lists read)
		with the "assigned" comment on the record's timeline, and named by its AP Alert."""
		lead = town.users["ap_lead_a"]
		jobs.placements(now=now_datetime())
		made = frappe.get_all(
			"ToDo",
			filters={"allocated_to": lead},
			fields=["name", "status", "reference_type", "reference_name", "assigned_by", "description"],
		)
		assert len(made) >= 2 and {t.reference_name for t in made} == {town.pa1, town.pa2}
		by_hand = frappe.get_doc(
			{
				"doctype": "ToDo",
				"allocated_to": lead,
				"reference_type": "Placement",
				"reference_name": town.pa1,
			}
			| {"description": "by hand", "assigned_by": "Administrator"}
		).insert()
		for t in made:
			assert (t.status, t.reference_type, t.assigned_by) == ("Open", "Placement", by_hand.assigned_by)
			assert lead in frappe.parse_json(frappe.db.get_value("Placement", t.reference_name, "_assign"))
			assert frappe.db.exists(
				"Comment",
				{
					"reference_name": t.reference_name,
					"comment_type": "Assigned",
					"content": ("like", f"%{t.description}%"),
				},
			)
			assert frappe.db.get_value("AP Alert", {"todo": t.name}, "reference_name") == t.reference_name
		# the record's assignments list each person once, as Frappe's own insert keeps them
		assert (
			frappe.parse_json(frappe.db.get_value("Placement", town.pa1, "_assign")).count(lead)
			== len([t for t in made if t.reference_name == town.pa1]) + 1
		)

	def test_ending_part_time_and_unagreed_plans_are_tasks_for_the_ap_lead(self, world, town):
		frappe.db.set_value("Placement", town.pa1, "planned_end_date", add_days(today(), 10))
		frappe.db.set_value("Placement", town.pa2, "planned_end_date", add_days(today(), 10))
		frappe.get_doc(
			{"doctype": "Reintegration Plan", "placement": town.pa2, "target_date": add_days(today(), 10)}
		).insert()
		plan = frappe.get_doc(
			{
				"doctype": "Pupil Plan",
				"placement": town.pa2,
				"plan_start": add_days(today(), -30),
				"objectives": [{"objective": "Settle", "success_criteria": "Attends"}],
			}
		).insert()
		frappe.db.set_value("Pupil Plan", plan.name, "status", "Agreed")
		part_time = world.placement(
			world.pupil(town.school_a), town.p1, "Active", days=["Monday", "Tuesday", "Wednesday"]
		).name  # its part-time review date is start + 28 days: two days ago

		for _run in range(2):
			jobs.placements(now=now_datetime())
		start = str(add_days(today(), -30))
		a, b = town.users["ap_lead_a"], town.users["ap_lead_b"]
		assert alert_keys(school=("in", [town.school_a, town.school_b])) == sorted(
			[
				(rules.ENDING_WITHOUT_PLAN, town.pa1, str(add_days(today(), 10)), a, "ToDo"),
				(rules.PLAN_NOT_AGREED, town.pa1, start, a, "ToDo"),
				(rules.PART_TIME_REVIEW_OVERDUE, part_time, str(add_days(start, 28)), a, "ToDo"),
				(rules.PLAN_NOT_AGREED, part_time, start, a, "ToDo"),
				(rules.PLAN_NOT_AGREED, town.pb1, start, b, "ToDo"),
				(rules.PLAN_NOT_AGREED, town.pb2, start, b, "ToDo"),
			]
		)
		assert todo_refs(a) == sorted([town.pa1, town.pa1, part_time, part_time])
		assert todo_refs(b) == sorted([town.pb1, town.pb2])

	def test_a_school_naming_a_missing_user_is_logged_and_the_other_school_still_gets_its_tasks(
		self, world, town
	):
		frappe.db.set_value("School", town.school_b, "ap_lead", "nobody@ap-test.example.com")
		out = jobs.placements(now=now_datetime())
		assert out["bad_records"] >= 1 and errors_about(town.school_b) >= 1
		assert todo_refs(town.users["ap_lead_a"]) == sorted([town.pa1, town.pa2])
		assert alert_keys(school=town.school_b) == []  # nothing recorded: sent once the school is fixed
		frappe.db.set_value("School", town.school_b, "ap_lead", town.users["ap_lead_b"])
		jobs.placements(now=now_datetime())
		assert todo_refs(town.users["ap_lead_b"]) == sorted([town.pb1, town.pb2])

	def test_a_failed_delivery_is_rolled_back_logged_and_sent_on_the_next_run(self, world, town, monkeypatch):
		deliver, deliver_batch = alerts_module._todo, alerts_module._bulk_todos

		def broken(unit, names):
			deliver(unit, names)  # the ToDo is made, then the delivery fails
			if unit[0].finding.name == town.pa1:
				raise RuntimeError("mail server on fire")

		def broken_batch(batch, names):
			deliver_batch(batch, names)  # the batch's ToDos are made, then it fails as a whole
			if any(a.finding.name == town.pa1 for a in batch):
				raise RuntimeError("mail server on fire")

		monkeypatch.setattr(alerts_module, "_todo", broken)
		monkeypatch.setattr(alerts_module, "_bulk_todos", broken_batch)
		out = jobs.placements(now=now_datetime())
		assert out["failed"] >= 1 and errors_about(town.pa1) >= 1
		assert todo_refs(town.users["ap_lead_a"]) == [town.pa2]  # pa1's ToDo went with its savepoint
		assert alert_keys(reference_name=town.pa1) == []
		monkeypatch.setattr(alerts_module, "_todo", deliver)
		monkeypatch.setattr(alerts_module, "_bulk_todos", deliver_batch)
		jobs.placements(now=now_datetime())
		jobs.placements(now=now_datetime())
		assert todo_refs(town.users["ap_lead_a"]) == sorted([town.pa1, town.pa2])


# ---- weekly digest -----------------------------------------------------------------------------------
class TestWeeklyDigest:
	def test_each_senior_leader_gets_one_digest_a_week(self, world, town):
		senior = town.users["senior_a"]
		frappe.db.set_value("Placement", town.pa2, "next_review_date", add_days(today(), -3))
		now = now_datetime()
		for _run in range(2):
			jobs.weekly_digest(now=now)
		(digest,) = emails_to(senior)
		subject, html = digest
		assert subject == f"Weekly AP oversight digest for {town.school_a}"
		assert "Review Overdue: 1" in html and town.pa2 in html
		assert "Plan Not Agreed: 2" in html  # pa1 and pa2, neither with an agreed plan
		assert town.pb1 not in html  # another school's placement
		assert alert_keys(rule=rules.WEEKLY_DIGEST, reference_name=town.school_a) == [
			(rules.WEEKLY_DIGEST, town.school_a, rules.iso_week(now.date()), senior, "Email")
		]
		jobs.weekly_digest(now=now + timedelta(days=7))
		assert len(emails_to(senior)) == 2

	def test_over_a_whole_la_the_digests_are_rendered_by_queued_jobs_each_once(
		self, world, town, monkeypatch
	):
		"""A large run hands its emails to jobs on the long queue (any worker may take them); each job,
		run as a worker runs it from what Redis holds, sends its digests once, and neither a second run of
		the job nor a queued job run twice sends anything again."""
		monkeypatch.setattr(alerts_module, "SPREAD_AFTER", 0)
		monkeypatch.setattr(alerts_module, "SPREAD_CHUNK", 1)
		senior, now = town.users["senior_a"], now_datetime()
		frappe.db.set_value("School", town.school_b, "senior_leader", town.users["ap_lead_b"])
		out = jobs.weekly_digest(now=now)
		queued = out["extra"]["queued_jobs"]
		try:
			assert out["queued"] == len(queued) >= 2 and out["sent"] == 0  # a job per school's leader here
			assert emails_to(senior) == []
			held = [get_job(job_id) for job_id in queued]
			assert all(job and job.origin.split(":")[-1] == "long" for job in held), queued
			assert jobs.weekly_digest(now=now)["queued"] == len(queued)  # still waiting: the same jobs
			assert [get_job(job_id).id for job_id in queued] == [job.id for job in held]
			for job in held:  # what a worker would call, with what the queue holds
				call = job.kwargs
				assert call["method"] == "ap_framework.oversight.alerts.raise_queued"
				frappe.get_attr(call["method"])(**call["kwargs"])
			(digest,) = emails_to(senior)
			assert digest[0] == f"Weekly AP oversight digest for {town.school_a}"
			assert [s for s, _html in emails_to(town.users["ap_lead_b"])] == [
				f"Weekly AP oversight digest for {town.school_b}"
			]
			again = [frappe.get_attr(j.kwargs["method"])(**j.kwargs["kwargs"]) for j in held]
			assert sum(o["sent"] for o in again) == 0 and len(emails_to(senior)) == 1
			assert jobs.weekly_digest(now=now)["queued"] == 0
		finally:
			for job_id in queued:
				if job := get_job(job_id):
					job.delete()


# ---- exactly once, cheaply ---------------------------------------------------------------------------
JOBS = [
	("attendance_deadlines", lambda: school_day(10, 0)),
	("low_attendance", now_datetime),
	("reviews", now_datetime),
	("providers", now_datetime),
	("placements", now_datetime),
	("weekly_digest", now_datetime),
]


def test_a_long_run_commits_between_alerts_never_inside_one(world, town, monkeypatch):
	"""A first run over a whole LA commits every COMMIT_EVERY alerts, always between one alert's record
	and delivery and the next, so a crash never leaves an alert recorded but unsent (or sent twice)."""
	inside, commits = {"unit": False}, []
	deliver = alerts_module._deliver

	def tracked(unit, now, outcome):
		inside["unit"] = True
		try:
			deliver(unit, now, outcome)
		finally:
			inside["unit"] = False

	monkeypatch.setattr(alerts_module, "_deliver", tracked)
	monkeypatch.setattr(alerts_module, "COMMIT_EVERY", 2)
	# recorded, not done: this test's writes are rolled back like the others'
	monkeypatch.setattr(frappe.db, "commit", lambda: commits.append(inside["unit"]))
	out = jobs.placements(now=now_datetime())
	assert out["sent"] >= 4 and len(commits) == out["sent"] // 2
	assert not any(commits)


def test_an_alert_recorded_by_a_concurrent_run_is_not_sent_again(world, town, monkeypatch):
	"""The unique index, not a check, is what stops a second send: hide the earlier record from the
	job's own look-up and the database still refuses the duplicate."""
	jobs.placements(now=now_datetime())
	before = todo_refs(town.users["ap_lead_a"])
	monkeypatch.setattr(alerts_module, "_not_yet_raised", lambda alerts: list(alerts))
	out = jobs.placements(now=now_datetime())
	assert out["duplicate"] >= len(before) and out["sent"] == 0
	assert todo_refs(town.users["ap_lead_a"]) == before


@pytest.mark.parametrize("job,when", JOBS, ids=[j for j, _w in JOBS])
def test_finding_alerts_costs_the_same_queries_however_many_placements(world, town, monkeypatch, job, when):
	"""A run with nothing new to send makes the same number of queries after more placements arrive."""
	run = getattr(jobs, job)
	now = when()
	count = {"n": 0}
	sql = frappe.db.sql

	def counting(*args, **kwargs):
		count["n"] += 1
		return sql(*args, **kwargs)

	def queries() -> int:
		run(now=now)  # sends whatever is new
		count["n"] = 0
		monkeypatch.setattr(frappe.db, "sql", counting)
		out = run(now=now)
		monkeypatch.setattr(frappe.db, "sql", sql)
		assert out["new"] == 0
		return count["n"]

	# something to find from the start: a count with nothing found at all skips the look-ups of recipients
	frappe.db.set_value("Placement", town.pa1, "next_review_date", add_days(today(), 3))
	before = queries()
	for school in (town.school_a, town.school_b, town.school_a):
		# due for review soon too, so every job's facts include the newcomers
		world.placement(world.pupil(school), town.p1, "Active", next_review_date=add_days(today(), 3))
	assert queries() == before


# Jobs that sweep the whole site run on the long queue (hooks "*_long" events), where any number of
# long-queue workers on any host sharing the bench's Redis take them; the ones that must be on time run
# on the default queue, as Frappe runs every cron event.
LONG = {
	"ap_framework.placement.attendance_window.rebuild": "Daily Long",
	"ap_framework.oversight.placement_evidence.rebuild": "Daily Long",
	"ap_framework.placement.registers_due.rebuild": "Daily Long",
	"ap_framework.oversight.jobs.low_attendance": "Daily Long",
	"ap_framework.oversight.jobs.reviews": "Daily Long",
	"ap_framework.oversight.jobs.providers": "Daily Long",
	"ap_framework.oversight.jobs.placements": "Daily Long",
	"ap_framework.development.monitoring.check_ins": "Daily Long",
	"ap_framework.transfer.follow_up.receipts": "Daily Long",
	"ap_framework.oversight.retention.daily": "Daily Long",
	"ap_framework.once.forget_old": "Daily Long",
	"ap_framework.transfer.follow_up.hourly": "Hourly Long",
}
ON_TIME = {
	"ap_framework.oversight.jobs.attendance_deadlines": "*/15 7-18 * * *",
	"ap_framework.oversight.jobs.weekly_digest": "30 7 * * 1",
}


def test_every_job_is_scheduled(site):
	rows = frappe.get_all(
		"Scheduled Job Type",
		filters={"method": ("like", "ap_framework.%")},
		fields=["method", "frequency", "cron_format"],
	)
	assert {r.method: r.frequency for r in rows} == {**LONG, **dict.fromkeys(ON_TIME, "Cron")}
	assert {r.method: r.cron_format for r in rows if r.frequency == "Cron"} == ON_TIME


def test_the_daily_jobs_run_at_midnight_site_time_before_the_school_day(site):
	for method, frequency in LONG.items():
		job_type = frappe.get_doc("Scheduled Job Type", {"method": method})
		due = job_type.get_next_execution()
		if frequency == "Daily Long":
			assert (due.hour, due.minute) == (0, 0), method
		else:
			assert due.minute == 0, method


def test_the_scheduler_puts_the_heavy_jobs_on_the_long_queue(site):
	"""What the scheduler does with a due job (Scheduled Job Type.enqueue): an RQ job in the bench's Redis,
	on the long queue for the heavy jobs and the default queue for the ones that must be on time."""
	from frappe.utils.background_jobs import generate_qname, get_job

	queued = {}
	for method in [*LONG, *ON_TIME]:
		job_type = frappe.get_doc("Scheduled Job Type", {"method": method})
		if stale := get_job(job_type.rq_job_id):  # left queued by an earlier run with no worker
			stale.delete()
		try:
			assert job_type.enqueue(force=True), method
			job = get_job(job_type.rq_job_id)
			queued[method] = job.origin
			assert job.kwargs["site"] == frappe.local.site
		finally:
			if job := get_job(job_type.rq_job_id):
				job.delete()
	assert queued == {
		**dict.fromkeys(LONG, generate_qname("long")),
		**dict.fromkeys(ON_TIME, generate_qname("default")),
	}


def test_school_staff_read_only_their_own_schools_alerts(world):
	"""Alerts carry their school, so User Permissions scope them: an AP Lead reads their own school's."""
	u = world.users
	frappe.db.set_value("School", world.school_a, "ap_lead", u["ap_lead_a"])
	frappe.db.set_value("School", world.school_b, "ap_lead", u["ap_lead_b"])
	jobs.placements(now=now_datetime())
	other = frappe.db.get_value("AP Alert", {"school": world.school_b})
	assert other and frappe.db.exists("AP Alert", {"school": world.school_a})
	frappe.set_user(u["ap_lead_a"])
	try:
		assert {r.school for r in frappe.get_list("AP Alert", fields=["school"])} == {world.school_a}
		assert not frappe.has_permission("AP Alert", "read", doc=other)
		assert not frappe.has_permission("AP Alert", "create")
	finally:
		frappe.set_user("Administrator")
	frappe.set_user(u["admin"])
	try:
		assert frappe.has_permission("AP Alert", "read", doc=other)
		assert not frappe.has_permission("AP Alert", "create")
	finally:
		frappe.set_user("Administrator")
