"""Site to site over real HTTP: this site sends, AP_PARTNER_SITE (served) receives. Each test ends in
the state the sender and receiver expect, with nothing lost or doubled on either side."""

from __future__ import annotations

import json
import threading

import frappe
import pytest
import requests
from frappe.utils import today

from ap_framework.exceptions import ConsentError, TransferScopeError
from ap_framework.transfer import delivery
from tests.integration.transfer.conftest import _run_partner

pytestmark = pytest.mark.usefixtures("fast_delivery")

SECTIONS = ["Development across the domains", "Strengths", "The pupil's own words"]


def new_transfer(profile, partner, user, sections=SECTIONS, **kw):
	frappe.set_user(user)
	doc = {
		"doctype": "Profile Transfer",
		"learner_profile": profile.name,
		"partner": partner.name,
		"sections": [{"section": s} for s in sections],
		"lawful_basis": "Public task",
		"parent_consent": "Given",
		"parent_consent_by": "A. Parent",
		"parent_consent_date": today(),
		"pupil_consent": "Given",
	}
	doc.update(kw)
	return frappe.get_doc(doc).insert()


def send(doc):
	"""Press Send, then run the job it queued (what the background worker does; see
	test_follow_up.py for a real worker)."""
	out = delivery.send(doc.name)
	if out["status"] == "Queued":
		delivery.deliver_queued(doc.name)
		doc.reload()
		return {"status": doc.status, "message": doc.last_error, "reference": doc.remote_reference}
	doc.reload()
	return out


def post_at_once(remote, body: dict, n: int) -> list:
	"""The same send posted by `n` threads at once: the answers."""
	results = []
	threads = [
		threading.Thread(
			target=lambda: results.append(
				remote.post("/api/method/ap_framework.transfer.receive.receive", **body)
			)
		)
		for _ in range(n)
	]
	for t in threads:
		t.start()
	for t in threads:
		t.join()
	return results


def comments(doctype, name) -> list[str]:
	return frappe.get_all(
		"Comment",
		filters={"reference_doctype": doctype, "reference_name": name},
		pluck="content",
		order_by="creation",
	)


def test_send_arrives_once_awaiting_the_named_lead(world, profile, sender_partner, remote, partner):
	doc = new_transfer(profile, sender_partner, world.users["ap_lead_a"])
	assert doc.status == "Queued" and doc.version == 1 and len(doc.idempotency_key) == 32
	snapshot = json.loads(doc.snapshot)
	assert list(snapshot["sections"]) == ["domains", "strengths", "pupil_voice"]
	assert snapshot["sections"]["strengths"]["narrative"] == "Thrives with a key adult"
	assert "looked_after" not in doc.snapshot and "safeguarding" not in snapshot["sections"]

	out = send(doc)
	assert out["status"] == "Sent" and doc.status == "Sent" and doc.attempts == 1 and not doc.last_error
	(row,) = remote("admin").incoming(idempotency_key=doc.idempotency_key)
	assert row["name"] == doc.remote_reference and row["status"] == "Awaiting Acceptance"
	assert row["assigned_to"] == partner["users"]["lead"]["email"] and row["channel"] == "Profile"
	incoming = remote("lead").doc("Incoming Profile", row["name"])
	history = incoming["domain_history"]
	assert len(history) == 2 * len(profile.domains)
	assert {h["domain"] for h in history} == set(profile.domains)  # mapped to the receiver's domains by code
	assert {h["point"] for h in history} == {"baseline", "latest"} and all(h["descriptor"] for h in history)
	# audited on both sides
	assert any("Sent to" in c for c in comments("Profile Transfer", doc.name))
	assert any("Version 1 frozen" in c for c in comments("Learner Profile", profile.name))
	notes = (
		remote("admin")
		.get(
			"/api/resource/Comment",
			filters=json.dumps({"reference_name": row["name"]}),
			fields='["content"]',
		)
		.json()["data"]
	)
	assert any("Received from" in n["content"] for n in notes)
	todo = (
		remote("lead")
		.get("/api/resource/ToDo", filters=json.dumps({"reference_name": row["name"], "status": "Open"}))
		.json()["data"]
	)
	assert len(todo) == 1


def test_each_send_freezes_the_next_version(world, profile, sender_partner):
	first = new_transfer(profile, sender_partner, world.users["ap_lead_a"])
	second = new_transfer(profile, sender_partner, world.users["ap_lead_a"], sections=["Strengths"])
	assert (first.version, second.version) == (1, 2)
	assert frappe.db.get_value("Learner Profile", profile.name, "last_version") == 2
	assert list(json.loads(second.snapshot)["sections"]) == ["strengths"]
	assert not frappe.has_permission("Profile Transfer", "write", first, user=world.users["ap_lead_a"])


def test_duplicate_send_creates_no_second_record(world, profile, sender_partner, remote, partner):
	doc = new_transfer(profile, sender_partner, world.users["ap_lead_a"])
	send(doc)
	again = send(doc)  # a second click: nothing is posted again
	assert again["reference"] == doc.remote_reference
	body = {"payload": delivery.payload(doc)}
	integration = remote("integration")
	answers = [
		integration.post("/api/method/ap_framework.transfer.receive.receive", **body) for _ in range(2)
	]
	results = post_at_once(integration, body, 4)
	for r in answers + results:
		assert r.ok, r.text
		assert r.json()["message"] == {"status": "duplicate", "reference": doc.remote_reference}
	assert len(remote("admin").incoming(idempotency_key=doc.idempotency_key)) == 1


def test_concurrent_first_sends_make_one_record(world, profile, sender_partner, remote):
	doc = new_transfer(profile, sender_partner, world.users["ap_lead_a"])
	body = {"payload": delivery.payload(doc)}
	integration = remote("integration")
	results = post_at_once(integration, body, 5)
	assert all(r.ok for r in results), [r.text for r in results]
	statuses = sorted(r.json()["message"]["status"] for r in results)
	assert statuses == ["duplicate"] * 4 + ["received"]
	assert len({r.json()["message"]["reference"] for r in results}) == 1
	assert len(remote("admin").incoming(idempotency_key=doc.idempotency_key)) == 1


def test_receiver_down_then_retried(world, profile, sender_partner, remote, dead_url, partner):
	sender_partner.db_set("site_url", dead_url)
	doc = new_transfer(profile, sender_partner, world.users["ap_lead_a"])
	out = send(doc)
	assert out["status"] == doc.status == "Failed" and doc.attempts == 3
	assert "Could not reach the partner" in doc.last_error
	assert any("failed after 3 attempts" in c for c in comments("Profile Transfer", doc.name))
	assert remote("admin").incoming(idempotency_key=doc.idempotency_key) == []
	sender_partner.db_set("site_url", partner["url"])  # the receiver is back
	assert send(doc)["status"] == "Sent" and doc.attempts == 4 and not doc.last_error
	assert len(remote("admin").incoming(idempotency_key=doc.idempotency_key)) == 1


@pytest.mark.parametrize("mode,error", [("500", "HTTP 500"), ("garbage", "not a receipt")])
def test_receiver_error_or_garbage_leaves_it_failed_and_retryable(
	world, profile, sender_partner, remote, fake_receiver, partner, mode, error
):
	doc = new_transfer(profile, sender_partner, world.users["ap_lead_a"])
	with fake_receiver(mode) as fake:
		sender_partner.db_set("site_url", fake.url)
		assert send(doc)["status"] == "Failed"
	assert fake.hits == 3 and doc.attempts == 3 and error in doc.last_error
	sender_partner.db_set("site_url", partner["url"])
	assert send(doc)["status"] == "Sent"
	assert len(remote("admin").incoming(idempotency_key=doc.idempotency_key)) == 1


def test_slow_receiver_times_out(world, profile, sender_partner, fake_receiver):
	frappe.local.conf.ap_transfer_attempts = 1
	doc = new_transfer(profile, sender_partner, world.users["ap_lead_a"])
	with fake_receiver("slow") as fake:
		sender_partner.db_set("site_url", fake.url)
		assert send(doc)["status"] == "Failed"
	assert "ReadTimeout" in doc.last_error


def test_lost_acknowledgement_is_retried_into_the_same_record(
	world, profile, sender_partner, remote, fake_receiver, partner
):
	"""The receiver stored the profile but its answer was lost: every retry lands on that one record."""
	doc = new_transfer(profile, sender_partner, world.users["ap_lead_a"])
	with fake_receiver("lost-ack", forward_to=partner["url"]) as fake:
		sender_partner.db_set("site_url", fake.url)
		assert send(doc)["status"] == "Failed"
	assert fake.hits == 3
	(stored,) = remote("admin").incoming(idempotency_key=doc.idempotency_key)
	sender_partner.db_set("site_url", partner["url"])
	assert send(doc)["status"] == "Sent" and doc.remote_reference == stored["name"]
	assert len(remote("admin").incoming(idempotency_key=doc.idempotency_key)) == 1


def test_no_consent_nothing_leaves(world, profile, sender_partner):
	with pytest.raises(ConsentError) as e:
		new_transfer(profile, sender_partner, world.users["ap_lead_a"], parent_consent="", pupil_consent="")
	assert "consent" in str(e.value).lower() and "Pupil" in str(e.value)
	frappe.set_user("Administrator")
	assert not frappe.db.exists("Profile Transfer", {"learner_profile": profile.name})
	assert not frappe.db.get_value("Learner Profile", profile.name, "last_version")


def test_partner_not_allowed_a_section_is_refused_before_sending(world, profile, sender_partner):
	sender_partner.set("sections", [{"section": "Strengths"}])
	sender_partner.save()
	with pytest.raises(TransferScopeError) as e:
		new_transfer(profile, sender_partner, world.users["ap_lead_a"])
	assert "may not receive: Development across the domains, The pupil" in str(e.value)
	frappe.set_user("Administrator")
	assert not frappe.db.exists("Profile Transfer", {"learner_profile": profile.name})


def test_receiver_refuses_a_section_it_does_not_take(world, profile, sender_partner, remote):
	"""We believe the partner takes "Remaining priorities"; it does not, and says so: not retried."""
	doc = new_transfer(
		profile, sender_partner, world.users["ap_lead_a"], sections=["Strengths", "Remaining priorities"]
	)
	assert send(doc)["status"] == "Failed"
	assert doc.attempts == 1 and "may not receive: Remaining priorities" in doc.last_error
	assert remote("admin").incoming(idempotency_key=doc.idempotency_key) == []


def test_wrong_credentials_fail_without_retrying(world, profile, sender_partner, remote):
	sender_partner.api_secret = "not-the-secret"
	sender_partner.save()
	doc = new_transfer(profile, sender_partner, world.users["ap_lead_a"])
	assert send(doc)["status"] == "Failed"
	assert doc.attempts == 1 and "HTTP 401" in doc.last_error
	assert remote("admin").incoming(idempotency_key=doc.idempotency_key) == []


def test_partner_for_another_school_or_not_sending_is_refused(world, profile, sender_partner):
	sender_partner.db_set("direction", "Receive only")
	with pytest.raises(TransferScopeError):
		new_transfer(profile, sender_partner, world.users["ap_lead_a"])
	frappe.set_user("Administrator")
	sender_partner.db_set({"direction": "Send only", "school": world.school_b})
	with pytest.raises(frappe.ValidationError):
		new_transfer(profile, sender_partner, world.users["ap_lead_a"])


def test_acceptance_by_the_named_person_creates_the_pupil_and_keeps_scores_as_history(
	world, profile, sender_partner, remote, partner
):
	doc = new_transfer(profile, sender_partner, world.users["ap_lead_a"])
	send(doc)
	name = doc.remote_reference
	accept = "/api/method/ap_framework.transfer.receive.accept"
	assert remote("dsl").post(accept, name=name).status_code == 403  # not the named person
	r = remote("lead").post(accept, name=name)
	assert r.ok, r.text
	pupil = r.json()["message"]["pupil"]
	created = remote("lead").doc("Pupil", pupil)
	upn = frappe.db.get_value("Pupil", world.pupil_a1, "upn")
	assert created["upn"] == upn and created["school"] == partner["school"]
	incoming = remote("lead").doc("Incoming Profile", name)
	assert incoming["status"] == "Accepted" and incoming["pupil"] == pupil
	assert incoming["decided_by"] == partner["users"]["lead"]["email"]
	# the sender's scores are history on the incoming profile, not the receiver's own assessments
	assessments = remote("admin").get("/api/resource/Domain Assessment", filters=json.dumps({"pupil": pupil}))
	assert assessments.json()["data"] == []
	assert remote("lead").post(accept, name=name).status_code == 417  # decided once
	# a second profile for the same pupil is matched by UPN on receipt
	again = new_transfer(profile, sender_partner, world.users["ap_lead_a"])
	send(again)
	assert remote("lead").doc("Incoming Profile", again.remote_reference)["pupil"] == pupil


def test_rejection_needs_a_reason_and_is_recorded(world, profile, sender_partner, remote):
	doc = new_transfer(profile, sender_partner, world.users["ap_lead_a"])
	send(doc)
	reject = "/api/method/ap_framework.transfer.receive.reject"
	assert remote("lead").post(reject, name=doc.remote_reference, reason=" ").status_code == 417
	assert remote("lead").post(reject, name=doc.remote_reference, reason="Not our pupil").ok
	incoming = remote("lead").doc("Incoming Profile", doc.remote_reference)
	assert incoming["status"] == "Rejected" and incoming["rejection_reason"] == "Not our pupil"
	assert incoming["pupil"] is None or remote("admin").get(f"/api/resource/Pupil/{incoming['pupil']}").ok


def test_views_are_audited_on_the_receiving_side(world, profile, sender_partner, remote, partner):
	doc = new_transfer(profile, sender_partner, world.users["ap_lead_a"])
	send(doc)
	r = remote("lead").get(
		"/api/method/frappe.desk.form.load.getdoc", doctype="Incoming Profile", name=doc.remote_reference
	)
	assert r.ok, r.text
	_run_partner("flush", "-")  # compat.py 6: v16 defers View Logs to the scheduler; v15 writes at once
	views = (
		remote("admin")
		.get(
			"/api/resource/View Log",
			filters=json.dumps(
				{"reference_doctype": "Incoming Profile", "reference_name": doc.remote_reference}
			),
			fields='["viewed_by"]',
		)
		.json()["data"]
	)
	assert [v["viewed_by"] for v in views] == [partner["users"]["lead"]["email"]]


def test_safeguarding_travels_on_its_own_channel_for_safeguarding_leads_only(
	world, profile, sender_partner, remote, partner
):
	frappe.set_user("Administrator")
	frappe.get_doc(
		{
			"doctype": "Safeguarding Concern",
			"placement": world.pa1,
			"pupil": world.pupil_a1,
			"details": "Seen with older youths",
		}
	).insert()
	safeguarding = dict(
		sections=["Safeguarding"], channel="Safeguarding", lawful_basis="Legal obligation", parent_consent=""
	)
	with pytest.raises(frappe.PermissionError):
		new_transfer(profile, sender_partner, world.users["ap_lead_a"], **safeguarding)
	with pytest.raises(TransferScopeError):  # and never inside a profile
		new_transfer(profile, sender_partner, world.users["dsl_a"], sections=["Strengths", "Safeguarding"])
	doc = new_transfer(profile, sender_partner, world.users["dsl_a"], **safeguarding)
	snapshot = json.loads(doc.snapshot)
	assert list(snapshot["sections"]) == ["safeguarding"]
	assert "Seen with older youths" in snapshot["sections"]["safeguarding"]["items"][-1]
	assert "Looked After" in snapshot["sections"]["safeguarding"]["flags"]
	# on this side only Safeguarding Leads see it
	assert not frappe.has_permission("Profile Transfer", "read", doc, user=world.users["ap_lead_a"])
	assert doc.name in frappe.get_list("Profile Transfer", pluck="name")  # as dsl_a
	frappe.set_user(world.users["ap_lead_a"])
	assert doc.name not in frappe.get_list("Profile Transfer", pluck="name")
	frappe.set_user(world.users["dsl_a"])
	assert send(doc)["status"] == "Sent"
	name = doc.remote_reference
	assert remote("lead").get(f"/api/resource/Incoming Profile/{name}").status_code == 403
	assert name not in {r["name"] for r in remote("lead").incoming()}
	seen = remote("dsl").doc("Incoming Profile", name)
	assert seen["channel"] == "Safeguarding" and seen["assigned_to"] == partner["users"]["dsl"]["email"]


def test_transfer_records_are_school_scoped(world, profile, sender_partner):
	doc = new_transfer(profile, sender_partner, world.users["ap_lead_a"])
	for key in ("ap_lead_b", "governor_a", "provider_1", "lead_no_scope"):
		for d in (profile, doc):
			assert not frappe.has_permission(d.doctype, "read", d, user=world.users[key]), (key, d.doctype)
	frappe.set_user(world.users["ap_lead_b"])
	assert frappe.get_list("Learner Profile", filters={"name": profile.name}) == []


def test_receiving_needs_a_partner_record(partner):
	"""Anyone else (a guest, or a user with no Transfer Partner record) is turned away."""
	url = partner["url"] + "/api/method/ap_framework.transfer.receive.receive"
	r = requests.post(url, json={"payload": {}}, timeout=30)
	assert r.status_code in (401, 403)
	lead = partner["users"]["lead"]
	r = requests.post(
		url,
		json={"payload": {}},
		headers={"Authorization": f"token {lead['key']}:{lead['secret']}"},
		timeout=30,
	)
	assert r.status_code == 403
