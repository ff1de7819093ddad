"""Email for real: a real SMTP server (aiosmtpd, on loopback) is the site's outgoing account, and what the
app sends leaves through Frappe's own Email Queue to exactly the right inboxes, once, and nobody else's.

Three messages a school or provider must not miss: a pupil's unexplained absence (to the home school's AP
Lead and Safeguarding Lead: KCSIE 2025, paragraph 177, "children who are absent from education"), a plan
review overdue (escalated to the Senior Leader) and a provider user's invitation (the welcome email).

Sending the queue commits (Frappe marks each message sent in its own commit), so this test builds its
people and places through the world and removes them, with its queue rows, alerts and tasks, when done.
Everyone else's tests keep email muted."""

from __future__ import annotations

import email
import random
from email.header import decode_header, make_header

import frappe
import pytest
from frappe.utils import add_days, now_datetime, today

from ap_framework.oversight import jobs
from ap_framework.portal import api, users
from tests.integration.conftest import _free_port
from tests.integration.test_portal import last_weekday


class Inbox:
	"""aiosmtpd handler: every message delivered, as (envelope recipient, parsed message)."""

	def __init__(self):
		self.delivered: list[tuple[str, email.message.Message]] = []

	async def handle_DATA(self, server, session, envelope):
		message = email.message_from_bytes(envelope.original_content or envelope.content)
		self.delivered += [(rcpt.lower(), message) for rcpt in envelope.rcpt_tos]
		return "250 Message accepted for delivery"


@pytest.fixture
def smtp():
	from aiosmtpd.controller import Controller

	inbox, port = Inbox(), _free_port()
	controller = Controller(inbox, hostname="127.0.0.1", port=port)
	controller.start()
	yield inbox, port
	controller.stop()


def subject(message) -> str:
	return str(make_header(decode_header(message["Subject"])))


def text(message) -> str:
	return "".join(
		part.get_payload(decode=True).decode(errors="replace")
		for part in message.walk()
		if part.get_content_maintype() == "text"
	)


@pytest.fixture
def post_office(world, smtp, monkeypatch):
	"""Email on for this test only, through an outgoing account at the SMTP server; a school of the test's
	own naming an AP Lead, a Safeguarding Lead and a Senior Leader; a second school (its AP Lead must get
	nothing); a provider placing a pupil at each; the provider's portal user."""
	inbox, port = smtp
	monkeypatch.setattr(frappe.flags, "mute_emails", False)
	monkeypatch.setattr(frappe.flags, "testing_email", True, raising=False)  # really send, even in_test
	# Frappe keeps the outgoing account it found for the rest of the process (frappe.local); an earlier test
	# may have had it find one from the site config. Forget it, before and after, so each finds its own.
	frappe.local.outgoing_email_account = {}
	started = now_datetime()
	tag = frappe.generate_hash(length=6).lower()
	defaults = frappe.get_all("Email Account", filters={"default_outgoing": 1}, pluck="name")
	frappe.db.set_value("Email Account", {"default_outgoing": 1}, "default_outgoing", 0)
	account = frappe.get_doc(
		{
			"doctype": "Email Account",
			"email_account_name": f"AP test outbox {tag}",
			"email_id": f"outbox-{tag}@ap-test.example.com",
			"enable_incoming": 0,
			"enable_outgoing": 1,
			"default_outgoing": 1,
			"smtp_server": "127.0.0.1",
			"smtp_port": port,
			"use_tls": 0,
			"use_ssl_for_outgoing": 0,
			"no_smtp_authentication": 1,
			"awaiting_password": 0,
		}
	).insert(ignore_permissions=True)
	t = frappe._dict(inbox=inbox, started=started)
	ukprn = str(random.randint(10_000_000, 19_999_999))
	t.school = world.school(f"Mail A {tag}", str(random.randint(5_000_000, 5_999_999)))
	t.other = world.school(f"Mail B {tag}", str(random.randint(5_000_000, 5_999_999)))
	t.provider = world.provider(f"Mail P {tag}", "Non-school AP", ukprn=ukprn)
	people = {
		"lead": (["AP Lead"], {"School": t.school}),
		"dsl": (["Safeguarding Lead"], {"School": t.school}),
		"senior": (["Senior Leader"], {"School": t.school}),
		"other_lead": (["AP Lead"], {"School": t.other}),
		"office": (["AP Provider User"], {"AP Provider": t.provider}),
	}
	t.people = {}
	for key, (roles, scope) in people.items():
		t.people[key] = world.users[f"mail_{key}_{tag}"] = world.user(f"mail-{key}-{tag}", roles, scope)
	frappe.db.set_value(
		"School",
		t.school,
		{"ap_lead": t.people["lead"], "dsl": t.people["dsl"], "senior_leader": t.people["senior"]},
	)
	frappe.db.set_value("School", t.other, {"ap_lead": t.people["other_lead"]})
	t.pupil = world.pupil(t.school, last_name=f"Absent{tag}")
	t.placement = world.placement(t.pupil, t.provider, "Active").name
	t.other_placement = world.placement(world.pupil(t.other), t.provider, "Active").name
	t.invitee = f"mail-invitee-{tag}@ap-test.example.com"
	world.users[f"mail_invitee_{tag}"] = t.invitee
	t.everyone = {*t.people.values(), t.invitee}
	frappe.db.commit()
	yield t
	frappe.db.rollback()
	frappe.set_user("Administrator")
	queued = frappe.get_all("Email Queue", filters={"creation": (">=", started)}, pluck="name")
	frappe.db.delete("Email Queue Recipient", {"parent": ("in", queued or [""])})
	frappe.db.delete("Email Queue", {"name": ("in", queued or [""])})
	frappe.delete_doc("Email Account", account.name, force=True, ignore_permissions=True)
	for name in defaults:
		frappe.db.set_value("Email Account", name, "default_outgoing", 1)
	world.remove([t.school, t.other], [t.provider], [k for k, v in world.users.items() if v in t.everyone])
	frappe.db.commit()
	frappe.local.outgoing_email_account = {}  # nor let a later test find this one


def send_queue(t) -> None:
	"""Send what was queued since the test began, through Frappe's own Email Queue send (as its flush job
	does, row by row: the flush would also send other tests' leftovers)."""
	frappe.db.commit()
	for name in frappe.get_all(
		"Email Queue", filters={"creation": (">=", t.started), "status": "Not Sent"}, pluck="name"
	):
		frappe.get_doc("Email Queue", name).send()
	assert not frappe.get_all(
		"Email Queue", filters={"creation": (">=", t.started), "status": ("!=", "Sent")}, pluck="name"
	), "a message was not sent"


def delivered_to(t, address) -> list[str]:
	return [subject(m) for rcpt, m in t.inbox.delivered if rcpt == address.lower()]


class TestEmailReachesTheRightInboxesOnce:
	def test_absence_escalation_and_invitation(self, world, post_office):
		t, p = post_office, post_office.people
		pupil = frappe.db.get_value("Placement", t.placement, "pupil_name")

		# an unexplained absence, saved by the provider's office twice (the second save changes nothing)
		frappe.set_user(p["office"])
		marks = frappe.as_json([{"placement": t.placement, "mark": "N"}])
		for _run in range(2):
			api.save_register(str(last_weekday()), "AM", marks)
		frappe.set_user("Administrator")

		# a plan review overdue at the school (and one at the other school due soon: a task, no email)
		frappe.db.set_value("Placement", t.placement, "next_review_date", add_days(today(), -3))
		frappe.db.set_value("Placement", t.other_placement, "next_review_date", add_days(today(), 3))
		for _run in range(2):
			jobs.reviews()

		# a provider user invited by the LA, twice (the second finds the user)
		frappe.set_user(world.users["admin"])
		for _run in range(2):
			users.invite_provider_user(t.provider, t.invitee, "Invited", "Office")
		frappe.set_user("Administrator")

		send_queue(t)
		send_queue(t)  # nothing left to send twice

		absence = [s for s in delivered_to(t, p["lead"]) if "absent" in s]
		assert (
			absence
			== delivered_to(t, p["dsl"])
			== [f"{pupil} is absent from {t.provider} ({last_weekday()} AM) and no reason is known yet"]
		)
		assert delivered_to(t, p["lead"]) == absence  # the AP Lead's review reminder is a task only
		(escalation,) = delivered_to(t, p["senior"])
		assert "plan review was due" in escalation and t.placement in escalation
		(invitation,) = [m for rcpt, m in t.inbox.delivered if rcpt == t.invitee]
		assert "/update-password?key=" in text(invitation)  # the welcome email: set a password, sign in

		# nobody else: not the other school's AP Lead, not the office that saved the register, not the
		# world's people; and no message elsewhere speaks of this test's pupil or placements
		ours = {p["lead"], p["dsl"], p["senior"], t.invitee}
		assert not [r for r, _m in t.inbox.delivered if r in set(world.users.values()) - ours]
		for rcpt, message in t.inbox.delivered:
			if rcpt not in ours:
				body = subject(message) + text(message)
				assert pupil not in body and t.placement not in body and t.other_placement not in body
		assert len([r for r, _m in t.inbox.delivered if r in ours]) == 4


class TestNothingIsLostWithoutAnOutgoingAccount:
	def test_the_register_and_the_escalation_task_stand_and_the_failure_is_logged(self, world, monkeypatch):
		"""A new site has no outgoing account, and Frappe cannot even compose a message then: the
		provider's register, the desk notifications and the Senior Leader's task must not go with it."""
		monkeypatch.delitem(frappe.local.conf, "mail_server", raising=False)
		frappe.db.set_value("Email Account", {"enable_outgoing": 1}, "enable_outgoing", 0)  # rolled back
		frappe.local.outgoing_email_account = {}
		started, tag = now_datetime(), frappe.generate_hash(length=6).lower()
		school = world.school(f"Nomail {tag}", str(random.randint(6_000_000, 6_999_999)))
		provider = world.provider(
			f"Nomail P {tag}", "Non-school AP", ukprn=str(random.randint(10_000_000, 19_999_999))
		)
		lead, dsl, senior, office = (
			world.user(f"nomail-{k}-{tag}", roles, scope)
			for k, roles, scope in (
				("lead", ["AP Lead"], {"School": school}),
				("dsl", ["Safeguarding Lead"], {"School": school}),
				("senior", ["Senior Leader"], {"School": school}),
				("office", ["AP Provider User"], {"AP Provider": provider}),
			)
		)
		frappe.db.set_value("School", school, {"ap_lead": lead, "dsl": dsl, "senior_leader": senior})
		placement = world.placement(world.pupil(school), provider, "Active").name
		try:
			frappe.set_user(office)
			marks = frappe.as_json([{"placement": placement, "mark": "N"}])
			assert api.save_register(str(last_weekday()), "AM", marks)["notified"] == 1
			frappe.set_user("Administrator")
			assert frappe.db.count("AP Attendance", {"placement": placement, "mark": "N"}) == 1
			assert {
				n.for_user
				for n in frappe.get_all("Notification Log", {"document_name": placement}, ["for_user"])
			} == {lead, dsl}

			frappe.db.set_value("Placement", placement, "next_review_date", add_days(today(), -3))
			jobs.reviews()
			assert frappe.get_all("ToDo", filters={"allocated_to": senior}, pluck="reference_name") == [
				placement
			]
			logged = frappe.get_all(
				"Error Log",
				filters={"reference_name": placement, "creation": (">=", started)},
				pluck="method",
			)
			assert sorted(logged) == sorted(
				[
					f"AP alert email not sent: Review Overdue for {placement} to {senior}",
					f"Unexplained absence email not sent to {lead}",
					f"Unexplained absence email not sent to {dsl}",
				]
			)
		finally:
			frappe.set_user("Administrator")
			frappe.db.delete("Error Log", {"reference_name": placement, "creation": (">=", started)})
			frappe.local.outgoing_email_account = {}
