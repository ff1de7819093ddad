"""Double taps and two staff at once, over real concurrent HTTP: every write happens once, and every
conflict is answered with what happened, never a server error.

Each race is run by threads that post the same (or a rival) request to the served site at one moment
(a barrier), each thread with its own connection and the logged-in user's cookies.
"""

from __future__ import annotations

import itertools
import json
import re
import threading
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta

import frappe
import pytest
import requests

from tests.integration.test_portal import last_weekday

RACERS = 20
REGISTER = "ap_framework.portal.api.save_register"


def together(session: requests.Session, method: str, payloads: list[dict], headers=None) -> list:
	"""Post every payload to `method` at the same moment, each from its own connection as the session's
	user; the responses in payload order."""
	barrier = threading.Barrier(len(payloads))

	def one(data):
		s = requests.Session()
		s.cookies.update(session.cookies)
		barrier.wait()
		return s.post(f"{session.base}/api/method/{method}", data=data, headers=headers or {}, timeout=120)

	with ThreadPoolExecutor(len(payloads)) as pool:
		return list(pool.map(one, payloads))


def answers(responses) -> list[dict]:
	bad = [(r.status_code, r.text[:1500]) for r in responses if r.status_code != 200]
	assert not bad, f"{len(bad)} of {len(responses)} failed; first: {bad[0]}"
	return [r.json()["message"] for r in responses]


def free_weekdays(n: int) -> list:
	"""Weekdays inside the world's placements (they began 30 days ago) that no other module marks (the
	portal tests use last_weekday() and whole weeks back from it)."""
	out, back = [], 1
	while len(out) < n:
		day = last_weekday() - timedelta(days=back)
		if day.weekday() < 5 and back % 7:
			out.append(day)
		back += 1
	assert back < 29
	return out


@pytest.fixture
def p1(http):
	return http("provider_1")


@pytest.fixture
def days(world):
	return free_weekdays(3)


@pytest.fixture
def clean(world, days):
	"""Deletes what the served site committed on this module's days (marks, their history, alerts)."""
	yield
	frappe.db.rollback()
	names = frappe.get_all(
		"AP Attendance",
		filters={"placement": ("in", [world.pa1, world.pb1]), "attendance_date": ("in", days)},
		pluck="name",
	)
	if names:
		frappe.db.delete("Version", {"ref_doctype": "AP Attendance", "docname": ("in", names)})
		frappe.db.delete("AP Attendance", {"name": ("in", names)})
	frappe.db.delete(
		"Notification Log", {"document_type": "Placement", "document_name": ("in", [world.pa1, world.pb1])}
	)
	frappe.db.commit()


def marks(world, day):
	frappe.db.rollback()  # what the server committed
	return frappe.get_all(
		"AP Attendance",
		filters={"placement": ("in", [world.pa1, world.pb1]), "attendance_date": day, "session": "AM"},
		fields=["name", "placement", "mark", "reported_by"],
	)


def versions(names) -> list[dict]:
	rows = frappe.get_all(
		"Version",
		filters={"ref_doctype": "AP Attendance", "docname": ("in", names)},
		fields=["data"],
		order_by="creation asc",
	)
	return [dict((c[0], c[1:]) for c in json.loads(r.data).get("changed", [])) for r in rows]


def register(day, **by_placement) -> dict:
	rows = [{"placement": p, "mark": m} for p, m in by_placement.items()]
	return {"attendance_date": str(day), "session": "AM", "marks": json.dumps(rows)}


class TestRegister:
	def test_twenty_identical_saves_of_a_new_register_all_succeed_and_mark_once(self, world, p1, days, clean):
		"""A double tap, or two staff on one register not yet saved: one save writes the marks, the
		others answer that nothing changed; no IntegrityError from the unique index."""
		day = days[0]
		payload = register(day, **{world.pa1: "/", world.pb1: "/"})
		results = answers(together(p1, REGISTER, [payload] * RACERS))
		assert sum(r["inserted"] for r in results) == 2
		assert sorted(r["unchanged"] for r in results) == [0] + [2] * (RACERS - 1)
		assert sorted((m.placement, m.mark) for m in marks(world, day)) == sorted(
			[(world.pa1, "/"), (world.pb1, "/")]
		)

	def test_twenty_identical_changes_of_a_saved_mark_change_it_once(self, world, p1, days, clean):
		"""The register already saved, one mark changed, saved twenty times at once: one update, nineteen
		'unchanged', no 'document has been modified after you opened it' for identical content."""
		day = days[1]
		answers([p1.post(f"{p1.base}/api/method/{REGISTER}", data=register(day, **{world.pa1: "/"}))])
		payload = register(day, **{world.pa1: "I"})
		results = answers(together(p1, REGISTER, [payload] * RACERS))
		assert sum(r["updated"] for r in results) == 1
		assert sum(r["unchanged"] for r in results) == RACERS - 1
		[mark] = marks(world, day)
		assert mark.mark == "I"
		assert [v["mark"] for v in versions([mark.name])] == [["/", "I"]]

	def test_rival_marks_saved_at_once_the_last_wins_and_each_earlier_is_kept_and_named(
		self, world, p1, days, clean
	):
		"""Two staff marking one pupil differently at the same moment: the saves take turns, the last
		saved wins, every earlier mark stays in the mark's history, and each save that replaced a mark
		is told which, by whom and when. Never a 500, never a mark lost or doubled."""
		day = days[2]
		rivals = ["I", "M", "R", "C"] * (RACERS // 4)
		results = answers(together(p1, REGISTER, [register(day, **{world.pa1: m}) for m in rivals]))
		[mark] = marks(world, day)
		assert sum(r["inserted"] for r in results) == 1
		changes = versions([mark.name])
		assert len(changes) == sum(r["updated"] for r in results)
		# the history is one chain: each change starts from the mark the one before left, ends at the last
		chain = [c["mark"] for c in changes]
		assert all(a[1] == b[0] for a, b in itertools.pairwise(chain))
		assert chain and chain[-1][1] == mark.mark
		replaced = sorted(x["mark"] for r in results for x in r["replaced"])
		assert replaced == sorted(old for old, _new in chain)
		assert all(x["reported_by"] == world.users["provider_1"] for r in results for x in r["replaced"])


# ---- portal forms: a token rendered with the form, a second submit of it answers the first record ---
def page_tokens(session, path, **params) -> tuple[dict, str]:
	"""{form id: token} of the forms of a portal page, and the page's CSRF token (a session that
	rendered a page must send it)."""
	r = session.get(session.base + path, params=params, timeout=30)
	assert r.status_code == 200, r.text[:500]
	forms = dict(
		re.findall(
			r'<section class="ap-card ap-form" id="([\w-]+)">\s*<input type="hidden" name="form_token" value="(\w+)">',
			r.text,
		)
	)
	csrf = re.search(r'csrf_token\s*=\s*"(\w+)"', r.text)
	return forms, (csrf.group(1) if csrf else "")


@pytest.fixture
def p1_page(http, world):
	"""provider_1 in a session of its own that renders pages (so carries a CSRF token)."""
	from tests.integration.conftest import PASSWORD

	s = requests.Session()
	s.base = http("provider_1").base
	r = s.post(f"{s.base}/api/method/login", data={"usr": world.users["provider_1"], "pwd": PASSWORD})
	assert r.ok, r.text
	return s


def created(doctype, names):
	frappe.db.rollback()
	return frappe.get_all(doctype, filters={"name": ("in", list(names))}, pluck="name")


class TestPortalForms:
	@pytest.mark.parametrize(
		"form, method, doctype, data",
		[
			("ap-log", "log_contact", "Contact Log", {"contact_type": "Phone", "summary": "Called home"}),
			("ap-review", "submit_review_input", "Review Input", {"provider_input": "Settling in well"}),
			("ap-assess", "submit_assessment", "Domain Assessment", {}),
		],
		ids=["contact-log", "review-input", "assessment"],
	)
	def test_two_taps_on_a_pupil_page_form_make_one_record(self, world, p1_page, form, method, doctype, data):
		tokens, csrf = page_tokens(p1_page, "/ap/pupil", placement=world.pa1)
		assert len(set(tokens.values())) == 3, tokens  # every form its own token
		payload = {"placement": world.pa1, "form_token": tokens[form], **data}
		if method == "submit_assessment":
			domain = frappe.get_all("Development Domain", filters={"is_active": 1}, pluck="name", limit=1)[0]
			payload["scores"] = json.dumps([{"domain": domain, "score": "3"}])
		results = answers(
			together(
				p1_page, f"ap_framework.portal.api.{method}", [payload] * 5, {"X-Frappe-CSRF-Token": csrf}
			)
		)
		try:
			assert len(set(results)) == 1, results
			assert created(doctype, results) == [results[0]]
		finally:
			_delete(doctype, set(results))

	def test_a_new_token_makes_a_new_record_and_no_token_works_as_before(self, world, p1):
		post = lambda **extra: p1.post(  # noqa: E731
			f"{p1.base}/api/method/ap_framework.portal.api.submit_review_input",
			data={"placement": world.pa1, "provider_input": "Another week", **extra},
			timeout=30,
		)
		made = [
			r.json()["message"]
			for r in (post(form_token="a" * 32), post(form_token="b" * 32), post(), post())
		]
		try:
			assert len(set(made)) == 4
		finally:
			_delete("Review Input", set(made))

	def test_two_taps_on_upload_make_one_letter_of_assurance(self, world, p1_page):
		tokens, csrf = page_tokens(p1_page, "/ap/documents")
		up = p1_page.post(
			p1_page.base + "/api/method/upload_file",
			files={"file": ("letter.txt", b"Assurance letter")},
			data={"is_private": 1},
			headers={"X-Frappe-CSRF-Token": csrf},
			timeout=30,
		)
		assert up.status_code == 200, up.text
		payload = {
			"received_date": str(last_weekday()),
			"signed_by": "Manager",
			"file_url": up.json()["message"]["file_url"],
			"form_token": tokens["ap-upload"],
		}
		results = answers(
			together(
				p1_page,
				"ap_framework.portal.api.record_assurance",
				[payload] * 5,
				{"X-Frappe-CSRF-Token": csrf},
			)
		)
		try:
			assert len(set(results)) == 1, results
			assert created("Safeguarding Assurance", results) == [results[0]]
		finally:
			_delete("Safeguarding Assurance", set(results))


def _delete(doctype, names):
	frappe.db.rollback()
	names = list(names)
	if doctype == "Contact Log":
		frappe.db.delete("Safeguarding Concern", {"contact_log": ("in", names)})
	if doctype == "Domain Assessment":
		frappe.db.delete("Domain Assessment Score", {"parent": ("in", names)})
	frappe.db.delete("AP Submission", {"reference_name": ("in", names)})
	frappe.db.delete("Version", {"ref_doctype": doctype, "docname": ("in", names)})
	frappe.db.delete(doctype, {"name": ("in", names)})
	frappe.db.commit()


def test_tokens_older_than_a_month_are_forgotten(world):
	"""The daily job keeps AP Submission small: a form open for more than KEEP_DAYS is submitted afresh."""
	from frappe.utils import add_days, now_datetime

	from ap_framework import once

	for name, age in (("load-old-token-row", once.KEEP_DAYS + 1), ("load-new-token-row", 1)):
		frappe.db.sql(
			"""insert into `tabAP Submission` (name, creation, modified, owner, modified_by, user, method, token)
			values (%s, %s, %s, 'Administrator', 'Administrator', 'Administrator', 'log_contact', %s)""",
			(name, add_days(now_datetime(), -age), now_datetime(), name),
		)
	once.forget_old()
	assert not frappe.db.exists("AP Submission", "load-old-token-row")
	assert frappe.db.exists("AP Submission", "load-new-token-row")


def test_two_clicks_on_invite_make_one_user_with_one_provider_permission(world, http):
	"""An officer's double click on "Invite" (or two officers at once): every click answers the same user;
	one User, one User Permission on the provider, no DuplicateEntryError."""
	email = f"invite-{world.token.lower()}-{frappe.generate_hash(length=6)}@provider.example.com"
	payload = {"provider": world.p1, "email": email, "first_name": "Sam", "last_name": "Twice"}
	try:
		results = answers(
			together(http("qa"), "ap_framework.portal.users.invite_provider_user", [payload] * 8)
		)
		assert set(results) == {email}
		frappe.db.rollback()
		assert frappe.db.count("User", {"name": email}) == 1
		assert frappe.db.count("User Permission", {"user": email, "allow": "AP Provider"}) == 1
	finally:
		frappe.db.rollback()
		frappe.db.delete("User Permission", {"user": email})
		if frappe.db.exists("User", email):
			frappe.delete_doc("User", email, force=True, ignore_permissions=True)
		frappe.db.commit()


# ---- desk actions: a workflow action clicked twice happens once ----------------------------------------
APPLY = "frappe.model.workflow.apply_workflow"  # the desk's path; the app's hooks point it at once.py


@pytest.fixture
def pending(world):
	"""A placement waiting for approval, committed (the served site approves it), then removed again so
	the other modules' counts of provider 1's placements stay as they are."""
	pupil = world.pupil(world.school_a)
	name = world.placement(pupil, world.p1, "Pending Approval").name
	frappe.db.commit()
	yield name
	frappe.db.rollback()
	frappe.db.delete("Workflow Action", {"reference_doctype": "Placement", "reference_name": name})
	world._delete("Placement", {"name": name})
	world._delete("Pupil Welfare", {"name": pupil})
	world._delete("Pupil", {"name": pupil})
	frappe.db.commit()


def test_two_clicks_on_approve_approve_once_and_both_answer_the_approved_placement(world, http, pending):
	admin = http("admin")
	doc = admin.get(f"{admin.base}/api/resource/Placement/{pending}", timeout=30).json()["data"]
	payload = {"doc": json.dumps(doc), "action": "Approve"}
	results = answers(together(admin, APPLY, [payload] * 6))
	assert {r["status"] for r in results} == {"Approved"}
	# a click that arrives after the approval committed answers the same
	[late] = answers([admin.post(f"{admin.base}/api/method/{APPLY}", data=payload, timeout=60)])
	assert late["status"] == "Approved"
	frappe.db.rollback()
	changes = [
		json.loads(v)
		for v in frappe.get_all(
			"Version",
			filters={"ref_doctype": "Placement", "docname": pending},
			pluck="data",
			order_by="creation",
		)
	]
	approvals = [c for c in changes if ["status", "Pending Approval", "Approved"] in c.get("changed", [])]
	assert len(approvals) == 1, changes


def test_an_action_on_a_placement_changed_meanwhile_is_a_conflict_saying_what_it_is_now(world, http, pending):
	admin = http("admin")
	doc = admin.get(f"{admin.base}/api/resource/Placement/{pending}", timeout=30).json()["data"]
	answers(
		[admin.post(f"{admin.base}/api/method/{APPLY}", data={"doc": json.dumps(doc), "action": "Approve"})]
	)
	r = admin.post(
		f"{admin.base}/api/method/{APPLY}", data={"doc": json.dumps(doc), "action": "Reject"}, timeout=60
	)
	assert r.status_code == 409, r.text[:1000]
	assert r.json()["exc_type"] == "ChangedMeanwhileError"
	message = json.loads(json.loads(r.json()["_server_messages"])[0])["message"]
	assert "it is now Approved" in message and world.users["admin"] in message
	frappe.db.rollback()
	assert frappe.db.get_value("Placement", pending, "status") == "Approved"
