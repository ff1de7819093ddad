"""Provider due diligence (rules/policies.py): DfE "Arranging alternative provision" (2025) and the
non-school AP national standards (2025): before placing a pupil with a setting that is not a school, the
commissioner sees its safeguarding and child-protection, behaviour, health and safety, complaints, data
protection, safer recruitment, attendance and absence reporting and exclusions policies, kept under review."""

from datetime import date, timedelta

from ap_framework.rules import placement, policies
from ap_framework.rules.policies import REQUIRED_POLICIES, Policy

TODAY = date(2027, 1, 15)


def all_current() -> list[Policy]:
	return [
		Policy(f"P{i}", t, TODAY - timedelta(days=30), TODAY + timedelta(days=300))
		for i, t in enumerate(REQUIRED_POLICIES)
	]


def test_the_eight_policies_a_commissioner_asks_for():
	assert len(REQUIRED_POLICIES) == 8 and policies.SAFEGUARDING in REQUIRED_POLICIES


def test_only_a_non_school_provider_must_hold_them():
	assert policies.requires_policies("Non-school AP")
	assert not any(policies.requires_policies(s) for s in ("PRU", "AP Academy", "Independent School", None))


def test_all_current_is_nothing_missing():
	assert policies.missing_or_lapsed(all_current(), TODAY) == []


def test_missing_and_lapsed_are_named_in_list_order():
	held = all_current()
	held = [p for p in held if p.policy_type != "Exclusions"]
	held[0] = Policy("P0", REQUIRED_POLICIES[0], TODAY - timedelta(days=400), TODAY - timedelta(days=1))
	assert policies.missing_or_lapsed(held, TODAY) == [REQUIRED_POLICIES[0], "Exclusions"]


def test_a_policy_adopted_after_the_day_does_not_count_for_it():
	held = all_current()
	assert policies.missing_or_lapsed(held, TODAY - timedelta(days=31)) == list(REQUIRED_POLICIES)


def test_the_review_day_itself_is_still_current():
	p = Policy("P", "Behaviour", TODAY - timedelta(days=10), TODAY)
	assert policies.is_current(p, TODAY) and not policies.is_current(p, TODAY + timedelta(days=1))


def test_the_latest_adopted_record_replaces_the_older():
	old = Policy("OLD", "Behaviour", TODAY - timedelta(days=400), TODAY - timedelta(days=5))
	new = Policy("NEW", "Behaviour", TODAY - timedelta(days=3), TODAY + timedelta(days=360))
	assert policies.latest([new, old])["Behaviour"] is new
	assert policies.due_for_review([old, new], TODAY, 30) == []


def test_due_within_the_warning_and_lapsed_after_it():
	soon = Policy("SOON", "Behaviour", TODAY - timedelta(days=300), TODAY + timedelta(days=10))
	gone = Policy("GONE", "Complaints", TODAY - timedelta(days=400), TODAY - timedelta(days=2))
	later = Policy("LATER", "Exclusions", TODAY - timedelta(days=10), TODAY + timedelta(days=200))
	assert policies.due_for_review([soon, gone, later], TODAY, 30) == [(gone, True), (soon, False)]


def test_a_record_is_adopted_no_later_than_today_and_reviewed_after_adoption():
	assert policies.check_policy("Behaviour", TODAY, TODAY + timedelta(days=1), TODAY) == []
	(future,) = policies.check_policy(
		"Behaviour", TODAY + timedelta(days=1), TODAY + timedelta(days=9), TODAY
	)
	assert future.field == "dated_on" and future.kind == "date_order"
	(backwards,) = policies.check_policy("Behaviour", TODAY, TODAY, TODAY)
	assert backwards.field == "review_date"
	(unknown,) = policies.check_policy("Uniform", None, None, TODAY)
	assert unknown.field == "policy_type"


def test_provider_approval_waits_for_the_policies_or_an_override():
	gaps = placement.provider_approval_gaps(True, ["Exclusions"], None)
	assert [g.field for g in gaps] == ["approval_status", "approval_override_reason"]
	assert "Exclusions" in gaps[0].render()
	assert placement.provider_approval_gaps(True, ["Exclusions"], "Seen in draft on the visit") == []
	assert placement.provider_approval_gaps(False, ["Exclusions"], None) == []
	assert placement.provider_approval_gaps(True, [], None) == []


def _facts(**kw):
	base = dict(
		rationale="Needs a smaller setting",
		slot_count=5,
		provider_status="Approved",
		assurance_valid_until=TODAY + timedelta(days=100),
		start=TODAY,
		override_reason=None,
	)
	base.update(kw)
	return placement.ApprovalFacts(**base)


def test_a_placement_waits_for_the_providers_policies_like_its_other_checks():
	assert placement.approval_gaps(_facts()) == []
	gaps = placement.approval_gaps(_facts(policies_missing=("Behaviour",)))
	assert {g.field for g in gaps} == {"provider", "approval_override_reason"}
	assert placement.approval_gaps(_facts(policies_missing=("Behaviour",), override_reason="Seen")) == []
