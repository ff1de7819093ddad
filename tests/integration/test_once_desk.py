"""The desk's buttons that make something, clicked twice (or retried) with the form token the dialog or
form was opened with, over real concurrent HTTP: one record, and every click answers it. A new token
(the dialog opened again) is a new request, judged afresh.

Accept an incoming profile (one pupil), import a Common Transfer File (its pupils once), confirm or
decline a retention review (one decision), send a profile transfer (queued once).
"""

from __future__ import annotations

import json
import uuid

import frappe
import pytest
from frappe.utils import add_days, getdate, now_datetime, today

from ap_framework.rules import ctf as ctf_rules
from ap_framework.rules import retention as retention_rules
from tests.integration.test_once_only import answers, together
from tests.integration.test_retention import REVIEW, committed  # noqa: F401  (a fixture)
from tests.integration.world import World

RACERS = 8


def token() -> str:
	return uuid.uuid4().hex


def clicks(session, method: str, payload: dict, n: int = RACERS) -> list:
	"""`n` posts of one payload at one moment: what each answered (all must be 200)."""
	return answers(together(session, method, [payload] * n))


def one(session, method: str, **data):
	return session.post(f"{session.base}/api/method/{method}", data=data, timeout=60)


# ---- accept an incoming profile: one pupil -------------------------------------------------------------
ACCEPT = "ap_framework.transfer.receive.accept"


@pytest.fixture
def incoming(world):
	"""An incoming profile awaiting acceptance by school A's AP Lead, of a pupil new here; committed for
	the served site, then removed with the pupil its acceptance made."""
	frappe.set_user("Administrator")
	upn = world.next_upn()
	doc = frappe.get_doc(
		{
			"doctype": "Incoming Profile",
			"channel": "Profile",
			"school": world.school_a,
			"assigned_to": world.users["ap_lead_a"],
			"status": "Awaiting Acceptance",
			"received_on": now_datetime(),
			"upn": upn,
			"first_name": "Tam",
			"last_name": "Arrived",
			"pupil_name": "Tam Arrived",
			"date_of_birth": add_days(today(), -365 * 12),
			"idempotency_key": uuid.uuid4().hex,
			"snapshot": "{}",
		}
	).insert(ignore_permissions=True)  # what receive() makes for a partner
	frappe.db.commit()
	yield frappe._dict(name=doc.name, upn=upn)
	frappe.db.rollback()
	pupils = frappe.get_all("Pupil", filters={"upn": upn}, pluck="name")
	_forget_pupils(pupils)
	frappe.db.delete("AP Submission", {"reference_name": ("in", pupils or ["-"])})
	frappe.db.delete("Comment", {"reference_doctype": "Incoming Profile", "reference_name": doc.name})
	frappe.db.delete("Incoming Profile", {"name": doc.name})
	frappe.db.commit()


def _forget_pupils(names):
	if names:
		for doctype in ("Pupil Welfare", "Pupil"):
			frappe.db.delete("Version", {"ref_doctype": doctype, "docname": ("in", names)})
			World._delete(doctype, {"name": ("in", names)})


def test_accept_clicked_eight_times_at_once_makes_one_pupil_and_every_click_answers_it(world, http, incoming):
	lead = http("ap_lead_a")
	results = clicks(lead, ACCEPT, {"name": incoming.name, "form_token": token()})
	frappe.db.rollback()
	made = frappe.get_all("Pupil", filters={"upn": incoming.upn}, pluck="name")
	assert len(made) == 1
	assert results == [{"status": "Accepted", "pupil": made[0]}] * RACERS
	assert frappe.db.get_value("Incoming Profile", incoming.name, ["status", "pupil"]) == (
		"Accepted",
		made[0],
	)


def test_accept_with_a_new_token_after_the_first_is_a_new_decision_refused_as_already_made(
	world, http, incoming
):
	lead = http("ap_lead_a")
	first = one(lead, ACCEPT, name=incoming.name, form_token=token())
	assert first.ok, first.text
	again = one(lead, ACCEPT, name=incoming.name, form_token=token())
	assert again.status_code == 417 and "already accepted" in again.text
	frappe.db.rollback()
	assert frappe.db.count("Pupil", {"upn": incoming.upn}) == 1


# ---- import a Common Transfer File: its pupils once ---------------------------------------------------
IMPORT = "ap_framework.transfer.ctf.import_ctf"


@pytest.fixture
def ctf_file(world):
	"""A CTF of two pupils new to the site (from another LA's school); the pupils it made are removed."""
	upns = [world.next_upn(), world.next_upn()]
	pupils = [
		{
			"upn": u,
			"first_name": "Ctf",
			"last_name": f"Pupil {i}",
			"date_of_birth": getdate("2013-05-0" + str(i)),
		}
		for i, u in enumerate(upns, 1)
	]
	xml = ctf_rules.export(
		{"la_code": "802", "estab": "4001", "urn": "100001", "name": "Old School"},
		{"la_code": "801", "estab": ""},
		pupils,
		now_datetime(),
	)
	yield frappe._dict(xml=xml, upns=upns)
	frappe.db.rollback()
	names = frappe.get_all("Pupil", filters={"upn": ("in", upns)}, pluck="name")
	frappe.db.delete("AP Submission", {"reference_name": ("in", names or ["-"])})
	_forget_pupils(names)
	frappe.db.commit()


def _pupils(upns) -> list[str]:
	frappe.db.rollback()  # what the served site committed
	return sorted(frappe.get_all("Pupil", filters={"upn": ("in", upns)}, pluck="name"))


def test_a_ctf_imported_eight_times_at_once_makes_its_pupils_once_and_every_answer_names_them(
	world, http, ctf_file
):
	lead = http("ap_lead_a")
	payload = {"content": ctf_file.xml, "school": world.school_a, "form_token": token()}
	results = clicks(lead, IMPORT, payload)
	made = _pupils(ctf_file.upns)
	assert len(made) == 2
	firsts = [r for r in results if r["created"]]
	assert len(firsts) == 1 and sorted(firsts[0]["created"]) == made
	assert all(r["imported_before"] == made for r in results if r not in firsts)


def test_a_ctf_imported_again_with_a_new_token_updates_the_same_pupils(world, http, ctf_file):
	lead = http("ap_lead_a")
	send = lambda: one(lead, IMPORT, content=ctf_file.xml, school=world.school_a, form_token=token())  # noqa: E731
	first, second = send(), send()
	assert first.ok and second.ok, (first.text, second.text)
	made = _pupils(ctf_file.upns)
	assert sorted(first.json()["message"]["created"]) == made
	assert second.json()["message"]["created"] == [] and sorted(second.json()["message"]["updated"]) == made


# ---- decide a retention review: one decision ---------------------------------------------------------
def _decisions(review) -> list[list]:
	frappe.db.rollback()
	return [
		c
		for v in frappe.get_all("Version", filters={"ref_doctype": REVIEW, "docname": review}, pluck="data")
		for c in json.loads(v).get("changed", [])
		if c[0] == "status"
	]


def test_confirm_removal_clicked_eight_times_at_once_removes_once_and_every_click_says_what(
	world,
	http,
	committed,  # noqa: F811
):
	admin = http("admin")
	method = "ap_framework.oversight.retention.confirm"
	results = clicks(admin, method, {"review": committed.review, "form_token": token()})
	assert len({json.dumps(r, sort_keys=True) for r in results}) == 1, results
	assert (
		results[0]["status"] == retention_rules.REMOVED
		and "Risk Assessment record" in results[0]["removed_what"]
	)
	assert _decisions(committed.review) == [["status", retention_rules.PENDING, retention_rules.REMOVED]]
	assert not frappe.db.exists("Risk Assessment", committed.ra)
	# the dialog opened afresh: a new decision, refused clearly (the review is decided)
	r = one(admin, method, review=committed.review, form_token=token())
	assert r.status_code == 417, r.text[:500]


def test_keep_clicked_eight_times_at_once_declines_once(world, http, committed):  # noqa: F811
	admin = http("admin")
	again = str(add_days(today(), 90))
	payload = {"review": committed.review, "note": "Open complaint", "review_again_on": again}
	results = clicks(admin, "ap_framework.oversight.retention.decline", {**payload, "form_token": token()})
	assert results == [{"status": retention_rules.DECLINED, "review_again_on": again}] * RACERS
	assert _decisions(committed.review) == [["status", retention_rules.PENDING, retention_rules.DECLINED]]


# ---- send a profile transfer: queued once ---------------------------------------------------------------
SEND = "ap_framework.transfer.delivery.send"


@pytest.fixture
def transfer(world):
	"""A Profile Transfer of pupil A1 to a partner (at a port nobody listens on), made by school A's AP
	Lead and not yet sent; committed for the served site, then removed."""
	from ap_framework.rules.profile import ALL_TITLES
	from tests.integration.conftest import _free_port
	from tests.integration.transfer.conftest import make_assessments

	frappe.set_user("Administrator")
	_domains, assessments = make_assessments(world, world.pupil_a1, world.pa1)
	profile = frappe.get_doc(
		{
			"doctype": "Learner Profile",
			"pupil": world.pupil_a1,
			"narratives": [{"section": "Strengths", "narrative": "Thrives with a key adult"}],
		}
	).insert()
	partner = frappe.get_doc(
		{
			"doctype": "Transfer Partner",
			"partner_name": f"T{world.token} Partner {frappe.generate_hash(length=6)}",
			"site_url": f"http://127.0.0.1:{_free_port()}",
			"school": world.school_a,
			"direction": "Send only",
			"api_key": "k" * 15,
			"api_secret": "s" * 15,
			"allow_safeguarding": 1,
			"sections": [{"section": t} for t in ALL_TITLES.values()],
		}
	).insert()
	frappe.set_user(world.users["ap_lead_a"])
	doc = frappe.get_doc(
		{
			"doctype": "Profile Transfer",
			"learner_profile": profile.name,
			"partner": partner.name,
			"sections": [{"section": "Strengths"}],
			"lawful_basis": "Public task",
			"parent_consent": "Given",
			"parent_consent_by": "A. Parent",
			"parent_consent_date": today(),
			"pupil_consent": "Given",
		}
	).insert()
	frappe.set_user("Administrator")
	frappe.db.commit()
	yield doc.name
	frappe.db.rollback()
	frappe.db.delete("AP Submission", {"reference_name": doc.name})
	frappe.db.delete("Comment", {"reference_doctype": "Profile Transfer", "reference_name": doc.name})
	for doctype, filters in (
		("Transfer Section", {"parent": ("in", [doc.name, partner.name])}),
		("Profile Transfer", {"name": doc.name}),
		("__Auth", {"doctype": "Transfer Partner", "name": partner.name}),
		("Transfer Partner", {"name": partner.name}),
		("Learner Profile", {"name": profile.name}),
		("Domain Assessment Score", {"parent": ("in", assessments)}),
		("Domain Assessment", {"name": ("in", assessments)}),
	):
		frappe.db.delete(doctype, filters)
	frappe.db.commit()


def _queued_notes(name) -> int:
	frappe.db.rollback()
	return frappe.db.count(
		"Comment",
		{
			"reference_doctype": "Profile Transfer",
			"reference_name": name,
			"content": ("like", "Queued for sending%"),
		},
	)


def test_send_clicked_eight_times_at_once_is_queued_once(world, http, transfer):
	lead = http("ap_lead_a")
	results = clicks(lead, SEND, {"name": transfer, "form_token": token()})
	assert sum(r["message"] == "Queued for sending" for r in results) == 1, results
	assert all(r["status"] in ("Queued", "Sent", "Failed") for r in results)
	assert _queued_notes(transfer) == 1


def test_send_with_a_new_token_queues_again(world, http, transfer):
	lead = http("ap_lead_a")
	for _n in range(2):
		r = one(lead, SEND, name=transfer, form_token=token())
		assert r.ok and r.json()["message"]["message"] == "Queued for sending", r.text[:500]
	assert _queued_notes(transfer) == 2
