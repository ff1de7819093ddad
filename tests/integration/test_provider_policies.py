"""Provider due diligence: the required policies of a non-school provider, held as records, uploaded on
the portal, scoped door by door, chased before they lapse, gating approval, counted on the board.

DfE "Arranging alternative provision" (2025) and the non-school AP national standards (2025): the
commissioner satisfies itself that a setting that is not a school has these policies and keeps them under
review (rules/policies.py)."""

from __future__ import annotations

from urllib.parse import quote

import frappe
import pytest
from frappe.model.workflow import apply_workflow
from frappe.utils import add_days, now_datetime, today

from ap_framework.exceptions import ApprovalError, DateOrderError
from ap_framework.oversight import alerts as alerts_module
from ap_framework.oversight import jobs
from ap_framework.rules import oversight as rules
from ap_framework.rules.policies import REQUIRED_POLICIES
from tests.integration.test_reports import board

DT = "Provider Policy"


def as_user(world, key):
	frappe.set_user(world.users[key])


def names(**kw):
	return set(frappe.get_list(DT, pluck="name", limit_page_length=0, **kw))


def policy(provider, policy_type="Behaviour", dated_on=None, review_date=None):
	return frappe.get_doc(
		{
			"doctype": DT,
			"provider": provider,
			"policy_type": policy_type,
			"policy_file": "https://example.org/policies/p.pdf",
			"dated_on": dated_on or add_days(today(), -30),
			"review_date": review_date or add_days(today(), 300),
		}
	)


@pytest.fixture
def fresh(world):
	"""A non-school provider of the test's own (rolled back with it), never audited and holding no policy."""
	return world.provider(f"Policies {frappe.generate_hash(length=6)}", "Non-school AP", approved=False)


class TestRecord:
	def test_adopted_in_the_future_or_reviewed_before_adoption_is_refused(self, world):
		with pytest.raises(DateOrderError, match="Adopted On"):
			policy(world.p2, dated_on=add_days(today(), 1), review_date=add_days(today(), 300)).insert()
		with pytest.raises(DateOrderError, match="Review Date"):
			policy(world.p2, dated_on=add_days(today(), -10), review_date=add_days(today(), -20)).insert()

	def test_the_eight_types_and_nothing_else(self, world):
		options = frappe.get_meta(DT).get_field("policy_type").options.split("\n")
		assert tuple(options) == REQUIRED_POLICIES
		with pytest.raises(frappe.ValidationError):
			policy(world.p2, policy_type="Uniform").insert()


class TestDoors:
	"""Deny by default, as Safeguarding Assurance: each door for each role."""

	def test_provider_user_lists_and_reads_only_their_own(self, world):
		own, other = policy(world.p1).insert().name, policy(world.p2).insert().name
		as_user(world, "provider_1")
		assert own in names() and other not in names()
		assert frappe.has_permission(DT, "read", doc=own)
		assert not frappe.has_permission(DT, "read", doc=other)
		with pytest.raises(frappe.PermissionError):
			frappe.get_doc(DT, other).check_permission("read")

	def test_provider_user_creates_for_their_own_provider_only(self, world):
		as_user(world, "provider_1")
		assert policy(world.p1).insert().name
		with pytest.raises(frappe.PermissionError):
			policy(world.p2).insert()

	def test_provider_user_cannot_change_or_delete_a_policy(self, world):
		name = policy(world.p1).insert().name
		as_user(world, "provider_1")
		assert not frappe.has_permission(DT, "write", doc=name)
		assert not frappe.has_permission(DT, "delete", doc=name)

	def test_provider_user_without_a_provider_sees_nothing(self, world):
		policy(world.p1).insert()
		as_user(world, "provider_no_scope")
		assert names() == set()
		with pytest.raises(frappe.PermissionError):
			policy(world.p1).insert()

	def test_qa_officer_and_administrator_see_every_provider(self, world):
		made = {policy(world.p1).insert().name, policy(world.p2).insert().name}
		for key in ("qa", "admin"):
			as_user(world, key)
			assert made <= names(), key
			assert frappe.has_permission(DT, "create"), key

	def test_school_staff_read_but_do_not_write(self, world):
		made = policy(world.p2).insert().name
		for key in ("ap_lead_a", "dsl_a", "senior_a"):
			as_user(world, key)
			assert made in names(), key
			assert not frappe.has_permission(DT, "create"), key
			assert not frappe.has_permission(DT, "write", doc=made), key

	def test_governor_and_guest_read_nothing(self, world):
		policy(world.p2).insert()
		for user in (world.users["governor_a"], "Guest"):
			frappe.set_user(user)
			assert not frappe.has_permission(DT, "read"), user
			with pytest.raises(frappe.PermissionError):
				frappe.get_list(DT)


class TestPortal:
	def test_a_provider_uploads_a_policy_that_only_its_readers_can_open(self, world, http):
		p1, p2, guest = http("provider_1"), http("provider_2"), http(None)
		up = p2.post(
			p2.base + "/api/method/upload_file",
			files={"file": ("behaviour.txt", b"Our behaviour policy")},
			data={"is_private": 1},
			headers={"X-Frappe-CSRF-Token": ""},
			timeout=30,
		)
		assert up.status_code == 200, up.text
		url = up.json()["message"]["file_url"]
		r = p2.post(
			p2.base + "/api/method/ap_framework.portal.api.record_policy",
			data={
				"policy_type": "Behaviour",
				"dated_on": add_days(today(), -5),
				"review_date": add_days(today(), 360),
				"file_url": url,
			},
			timeout=30,
		)
		assert r.status_code == 200, r.text
		name = r.json()["message"]
		frappe.db.rollback()  # see the server's commit
		doc = frappe.get_doc(DT, name)
		assert doc.provider == world.p2 and doc.policy_file == url
		assert frappe.db.get_value("File", {"file_url": url}, "attached_to_name") == name
		assert p2.get(p2.base + url, timeout=30).status_code == 200
		assert p1.get(p1.base + url, timeout=30).status_code in (403, 404)
		assert guest.get(guest.base + url, timeout=30, allow_redirects=False).status_code in (403, 404, 302)
		page = p2.get(p2.base + "/ap/documents", timeout=30)
		assert page.status_code == 200 and "Upload a policy" in page.text
		assert f"Behaviour · adopted {add_days(today(), -5)}" in page.text
		rest = p1.get(p1.base + f"/api/resource/{DT}/{name}", timeout=30)
		assert rest.status_code in (403, 404)

	def test_an_unknown_policy_type_is_a_400_naming_the_field(self, world, http):
		p2 = http("provider_2")
		r = p2.post(
			p2.base + "/api/method/ap_framework.portal.api.record_policy",
			data={"policy_type": "Uniform", "dated_on": today(), "review_date": add_days(today(), 9)},
			timeout=30,
		)
		assert r.status_code == 400 and "Policy" in r.text


class TestApproval:
	def test_a_provider_missing_a_policy_is_not_approved_without_an_override(self, world, fresh):
		world.policies(fresh, types=REQUIRED_POLICIES[:-1])  # no exclusions policy
		with pytest.raises(ApprovalError, match="Exclusions"):
			world.audit(fresh, "Approved")
		assert frappe.db.get_value("AP Provider", fresh, "approval_status") != "Approved"

	def test_a_lapsed_policy_counts_as_missing(self, world, fresh):
		world.policies(fresh)
		frappe.db.set_value(
			DT, {"provider": fresh, "policy_type": "Complaints"}, "review_date", add_days(today(), -1)
		)
		with pytest.raises(ApprovalError, match="Complaints"):
			world.audit(fresh, "Approved")

	def test_a_senior_leaders_recorded_override_lets_it_through(self, world, fresh):
		doc = frappe.get_doc("AP Provider", fresh)
		doc.approval_override_reason = "Exclusions policy in draft; LA reviewed it on site"
		doc.save()  # as Administrator, who holds every role
		assert frappe.db.get_value("AP Provider", fresh, "override_by") == "Administrator"
		world.audit(fresh, "Approved")
		assert frappe.db.get_value("AP Provider", fresh, "approval_status") == "Approved"

	def test_a_qa_officer_cannot_record_the_override(self, world, fresh):
		as_user(world, "qa")
		doc = frappe.get_doc("AP Provider", fresh)
		doc.approval_override_reason = "Looks fine"
		with pytest.raises(ApprovalError, match="Senior Leader"):
			doc.save()

	def test_a_registered_school_needs_no_policies(self, world):
		pru = world.provider(f"PRU {frappe.generate_hash(length=6)}", "PRU", urn="159999", approved=False)
		world.audit(pru, "Approved")
		assert frappe.db.get_value("AP Provider", pru, "approval_status") == "Approved"

	def test_a_placement_with_a_provider_missing_a_policy_waits_for_the_override(self, world):
		provider = world.provider(f"Placed {frappe.generate_hash(length=6)}", "Non-school AP")
		frappe.db.delete(DT, {"provider": provider, "policy_type": "Safer Recruitment"})
		pupil = world.pupil(world.school_a)
		doc = world.placement(pupil, provider, "Pending Approval", census_setting_type="OTH")
		with pytest.raises(ApprovalError, match="Safer Recruitment"):
			apply_workflow(doc, "Approve")
		doc.reload()
		doc.approval_override_reason = "Recruitment policy seen in draft, adopted next week"
		doc.save()
		assert apply_workflow(doc, "Approve").status == "Approved"


@pytest.fixture
def isolated(monkeypatch):
	monkeypatch.setattr(alerts_module, "COMMIT_EVERY", 10**9)
	monkeypatch.setitem(frappe.local.conf, "mail_server", "smtp.invalid")
	frappe.local.outgoing_email_account = {}  # found afresh from the setting above
	yield
	frappe.local.outgoing_email_account = {}  # the account mail_server made: no later test may find it


def policy_alerts(provider):
	rows = frappe.get_all(
		"AP Alert",
		filters={"provider": provider, "reference_doctype": DT},
		fields=["rule", "reference_name", "period", "recipient", "channel"],
	)
	return sorted((r.rule, r.reference_name, r.period, r.recipient, r.channel) for r in rows)


class TestChase:
	def test_due_and_lapsed_policies_are_chased_once_with_the_provider_and_the_la(
		self, world, fresh, isolated
	):
		frappe.db.set_value("AP Provider", fresh, "email", "office@provider.example.org")
		due = policy(fresh, "Behaviour", review_date=add_days(today(), 10)).insert().name
		lapsed = policy(fresh, "Complaints", review_date=add_days(today(), -2)).insert().name
		policy(fresh, "Exclusions", review_date=add_days(today(), 200)).insert()  # not yet
		for _run in range(2):
			jobs.providers(now=now_datetime())
		expected = []
		for name, rule, until in (
			(due, rules.POLICY_REVIEW_DUE, add_days(today(), 10)),
			(lapsed, rules.POLICY_LAPSED, add_days(today(), -2)),
		):
			expected.append((rule, name, str(until), "office@provider.example.org", "Email"))
			for user in (world.users["qa"], world.users["admin"]):
				expected.append((rule, name, str(until), user, "Notification"))
		assert set(expected) <= set(policy_alerts(fresh))
		assert len([a for a in policy_alerts(fresh) if a[3] == world.users["qa"]]) == 2

	def test_a_reviewed_policy_replaces_the_one_it_reviews(self, world, fresh, isolated):
		policy(
			fresh, "Behaviour", dated_on=add_days(today(), -400), review_date=add_days(today(), -5)
		).insert()
		policy(
			fresh, "Behaviour", dated_on=add_days(today(), -3), review_date=add_days(today(), 360)
		).insert()
		jobs.providers(now=now_datetime())
		assert policy_alerts(fresh) == []

	def test_a_provider_turned_down_is_not_chased(self, world, fresh, isolated):
		policy(fresh, "Behaviour", review_date=add_days(today(), 5)).insert()
		frappe.db.set_value("AP Provider", fresh, "approval_status", "Not Approved")
		jobs.providers(now=now_datetime())
		assert policy_alerts(fresh) == []


class TestBoard:
	def test_providers_in_use_missing_a_current_policy_are_counted(self, world):
		assert board(world)[21]["status"] == "Met"  # p1 is a PRU; p2 holds all eight
		frappe.db.delete(DT, {"provider": world.p2, "policy_type": "Data Protection"})
		point = board(world)[21]
		assert point["status"] == "Not Met" and point["count"] == 1 and point["total"] == 2
		assert quote(world.p2) in point["open"]
