"""What became of a send, over real HTTP: the receiver confirms receipt and decides; the sender asks
(hourly, or on demand), records it and hears of it once; a safeguarding share with no receipt five school
days on is chased, once. And sending runs in a real background worker, and a lost job is queued again."""

from __future__ import annotations

import subprocess
from datetime import datetime, time, timedelta

import frappe
import pytest
from frappe.utils import getdate, now_datetime, today
from frappe.utils.background_jobs import get_job, is_job_enqueued

from ap_framework.rules import oversight
from ap_framework.rules.transfer import receipt_due_by
from ap_framework.transfer import delivery, follow_up
from tests.conftest import BENCH
from tests.integration.conftest import frappe_cli
from tests.integration.transfer.conftest import partner_record
from tests.integration.transfer.test_transfer import comments, new_transfer, send

pytestmark = pytest.mark.usefixtures("fast_delivery")

RECEIVE = "/api/method/ap_framework.transfer.receive."
SAFEGUARDING = dict(
	sections=["Safeguarding"], channel="Safeguarding", lawful_basis="Legal obligation", parent_consent=""
)


def told(user: str, name: str) -> list[str]:
	return frappe.get_all(
		"Notification Log", filters={"for_user": user, "document_name": name}, pluck="subject"
	)


def overdue_alerts(name: str) -> list[str]:
	return frappe.get_all(
		"AP Alert",
		filters={"rule": oversight.RECEIPT_OVERDUE, "reference_name": name},
		pluck="recipient",
	)


def at(day, hour=6, minute=30) -> datetime:
	return datetime.combine(getdate(day), time(hour, minute))


def test_acceptance_is_reported_back_to_the_sender_once(world, profile, sender_partner, remote, partner):
	doc = new_transfer(profile, sender_partner, world.users["ap_lead_a"])
	send(doc)
	frappe.set_user("Administrator")
	assert follow_up.poll(names=[doc.name]) == {"asked": 1, "updated": 1, "unreachable": 0}
	doc.reload()
	assert doc.remote_status == "Awaiting Acceptance" and doc.last_checked_on and not doc.receipt_confirmed_on
	later = now_datetime().replace(microsecond=0) + timedelta(hours=1)
	assert follow_up.poll(later, names=[doc.name])["updated"] == 0  # nothing new: nothing said
	doc.reload()
	assert doc.last_checked_on == later and doc.remote_status == "Awaiting Acceptance"

	assert remote("lead").post(RECEIVE + "accept", name=doc.remote_reference).ok
	assert follow_up.poll(names=[doc.name]) == {"asked": 1, "updated": 1, "unreachable": 0}
	doc.reload()
	assert doc.remote_status == "Accepted" and doc.remote_decided_by == "lead" and doc.remote_decided_on
	assert doc.receipt_confirmed_on and doc.receipt_confirmed_by == "lead"  # deciding confirms receipt
	assert any("accepted the profile" in c for c in comments("Profile Transfer", doc.name))
	(subject,) = told(world.users["ap_lead_a"], doc.name)
	assert "answered the learner profile you sent" in subject and "Accepted" in subject
	# decided: no longer asked about, and the sender is not told twice
	assert follow_up.poll(names=[doc.name]) == {"asked": 0, "updated": 0, "unreachable": 0}
	assert len(told(world.users["ap_lead_a"], doc.name)) == 1


def test_rejection_and_its_reason_are_reported_back(world, profile, sender_partner, remote):
	doc = new_transfer(profile, sender_partner, world.users["ap_lead_a"])
	send(doc)
	assert remote("lead").post(RECEIVE + "reject", name=doc.remote_reference, reason="Not on our roll").ok
	frappe.set_user(world.users["ap_lead_a"])
	out = follow_up.check(doc.name)  # the "Ask the partner now" button, as the sender
	assert out["remote_status"] == "Rejected"
	doc.reload()
	assert doc.remote_rejection_reason == "Not on our roll"
	frappe.set_user("Administrator")
	(subject,) = told(world.users["ap_lead_a"], doc.name)
	assert "Rejected" in subject and "Not on our roll" in subject


def test_a_partner_hears_only_of_its_own_sends(world, profile, sender_partner, remote):
	doc = new_transfer(profile, sender_partner, world.users["ap_lead_a"])
	send(doc)
	url, keys = RECEIVE + "statuses", [doc.idempotency_key]
	mine = remote("integration").post(url, keys=keys)
	assert mine.ok, mine.text
	assert mine.json()["message"]["profiles"][doc.idempotency_key]["reference"] == doc.remote_reference
	assert remote("other").post(url, keys=keys).json()["message"]["profiles"] == {}  # another sender
	assert remote("lead").post(url, keys=keys).status_code == 403  # staff there are no partner
	too_many = remote("integration").post(url, keys=[f"{i:032d}" for i in range(201)])
	assert too_many.status_code == 417 and "at most 200" in too_many.text


def test_a_partner_that_cannot_answer_changes_nothing(
	world, profile, sender_partner, dead_url, fake_receiver, partner
):
	doc = new_transfer(profile, sender_partner, world.users["ap_lead_a"])
	send(doc)
	frappe.set_user("Administrator")
	sender_partner.db_set("site_url", dead_url)
	assert follow_up.poll(names=[doc.name]) == {"asked": 0, "updated": 0, "unreachable": 1}
	with fake_receiver("garbage") as fake:
		sender_partner.db_set("site_url", fake.url)
		assert follow_up.poll(names=[doc.name]) == {"asked": 0, "updated": 0, "unreachable": 1}
		assert fake.hits == 1
	with fake_receiver("500") as fake:
		sender_partner.db_set("site_url", fake.url)
		frappe.set_user(world.users["ap_lead_a"])
		with pytest.raises(frappe.ValidationError, match="asked again within the hour"):
			follow_up.check(doc.name)
	frappe.set_user("Administrator")
	doc.reload()
	assert not doc.remote_status and not doc.last_checked_on  # never half-applied
	sender_partner.db_set("site_url", partner["url"])  # back: the next hour's ask gets the answer
	assert follow_up.poll(names=[doc.name])["updated"] == 1


def test_safeguarding_receipt_is_chased_after_five_school_days_once(
	world, profile, sender_partner, remote, partner
):
	frappe.set_user("Administrator")
	frappe.db.set_value("School", world.school_a, "dsl", world.users["dsl_a"])
	doc = new_transfer(profile, sender_partner, world.users["dsl_a"], **SAFEGUARDING)
	send(doc)
	assert doc.status == "Sent" and getdate(doc.receipt_due_by) == receipt_due_by(getdate(today()))
	frappe.set_user("Administrator")
	follow_up.receipts(now=at(doc.receipt_due_by) - timedelta(days=1))
	assert overdue_alerts(doc.name) == []  # four school days: not yet
	follow_up.receipts(now=at(doc.receipt_due_by))
	assert overdue_alerts(doc.name) == [world.users["dsl_a"]]  # the sender, who is the school's DSL
	(subject,) = told(world.users["dsl_a"], doc.name)
	assert "no confirmed receipt after five school days" in subject
	follow_up.receipts(now=at(doc.receipt_due_by, 7))  # the job again: nothing sent twice
	assert len(told(world.users["dsl_a"], doc.name)) == 1 and len(overdue_alerts(doc.name)) == 1
	# the alert names a safeguarding share: Safeguarding Leads only, through every door
	(alert,) = frappe.get_all("AP Alert", filters={"reference_name": doc.name}, pluck="name")
	assert not frappe.has_permission("AP Alert", "read", alert, user=world.users["ap_lead_a"])
	assert frappe.has_permission("AP Alert", "read", alert, user=world.users["dsl_a"])
	for user, listed in (("ap_lead_a", False), ("dsl_a", True)):
		frappe.set_user(world.users[user])
		assert (alert in frappe.get_list("AP Alert", pluck="name", limit=0)) is listed, user
	frappe.set_user("Administrator")

	# the receiving Safeguarding Lead confirms; nobody else there can
	confirm = RECEIVE + "confirm_receipt"
	assert remote("lead").post(confirm, name=doc.remote_reference).status_code == 403
	r = remote("dsl").post(confirm, name=doc.remote_reference)
	assert r.ok, r.text
	incoming = remote("dsl").doc("Incoming Profile", doc.remote_reference)
	assert incoming["receipt_confirmed_by"] == partner["users"]["dsl"]["email"]
	assert incoming["status"] == "Awaiting Acceptance"  # receipt is not acceptance
	assert remote("dsl").post(confirm, name=doc.remote_reference).ok  # again: unchanged
	follow_up.poll(names=[doc.name])
	doc.reload()
	assert doc.receipt_confirmed_on and doc.receipt_confirmed_by == "dsl"
	assert any("confirmed receipt" in c for c in comments("Profile Transfer", doc.name))

	# a share confirmed in time is never chased
	second = new_transfer(profile, sender_partner, world.users["dsl_a"], **SAFEGUARDING)
	send(second)
	assert remote("dsl").post(confirm, name=second.remote_reference).ok
	frappe.set_user("Administrator")
	follow_up.receipts(now=at(second.receipt_due_by) + timedelta(days=3))
	assert overdue_alerts(second.name) == []
	second.reload()
	assert second.receipt_confirmed_on


def test_a_profile_share_is_never_chased_for_receipt(world, profile, sender_partner):
	doc = new_transfer(profile, sender_partner, world.users["ap_lead_a"])
	send(doc)
	assert not doc.receipt_due_by
	frappe.set_user("Administrator")
	follow_up.receipts(now=now_datetime() + timedelta(days=30))
	assert overdue_alerts(doc.name) == []


def test_sending_runs_in_a_real_worker_and_a_lost_job_is_queued_again(world, partner, remote):
	"""Committed (a worker is another process), and removed at the end."""
	frappe.set_user("Administrator")
	made = []
	try:
		pupil = world.pupil(world.school_a)
		made.append(("Pupil", pupil))
		partner_doc = partner_record(world, partner)
		made.append(("Transfer Partner", partner_doc.name))
		lp = frappe.get_doc({"doctype": "Learner Profile", "pupil": pupil}).insert()
		made.append(("Learner Profile", lp.name))
		doc = new_transfer(lp, partner_doc, world.users["ap_lead_a"], sections=["Strengths"])
		made.append(("Profile Transfer", doc.name))
		frappe.db.commit()

		assert delivery.send(doc.name)["status"] == "Queued"
		job = delivery.job_id(doc.name)
		assert not is_job_enqueued(job)  # queued only when the transaction commits
		frappe.db.commit()
		assert is_job_enqueued(job)
		get_job(job).delete()  # lost (a Redis flush, a dead worker)
		frappe.set_user("Administrator")
		assert doc.name not in follow_up.requeue_stuck(now_datetime())  # too soon to call it lost
		assert doc.name in follow_up.requeue_stuck(now_datetime() + timedelta(minutes=11))
		frappe.db.commit()
		assert is_job_enqueued(job)

		worker = subprocess.run(
			frappe_cli("worker", "--queue", "default", "--burst"),
			cwd=BENCH / "sites",
			capture_output=True,
			text=True,
			timeout=600,
		)
		assert worker.returncode == 0, worker.stderr[-3000:]
		doc.reload()
		assert doc.status == "Sent" and doc.sent_by == world.users["ap_lead_a"], doc.last_error
		assert len(remote("admin").incoming(idempotency_key=doc.idempotency_key)) == 1
	finally:
		frappe.db.rollback()
		for doctype, name in reversed(made):
			frappe.db.delete("Comment", {"reference_doctype": doctype, "reference_name": name})
			frappe.db.delete("Version", {"ref_doctype": doctype, "docname": name})
			for child in ("Transfer Section", "Learner Profile Narrative", "Learner Profile Attachment"):
				frappe.db.delete(child, {"parent": name, "parenttype": doctype})
			frappe.db.delete(doctype, {"name": name})
		frappe.db.commit()


def test_the_patch_gives_earlier_safeguarding_shares_their_receipt_date(world, profile, sender_partner):
	from ap_framework.patches.v0_1 import transfer_receipt_due

	doc = new_transfer(profile, sender_partner, world.users["dsl_a"], **SAFEGUARDING)
	send(doc)
	frappe.set_user("Administrator")
	doc.db_set("receipt_due_by", None)  # as sent before this release
	transfer_receipt_due.execute()
	doc.reload()
	assert getdate(doc.receipt_due_by) == receipt_due_by(getdate(doc.sent_on))
