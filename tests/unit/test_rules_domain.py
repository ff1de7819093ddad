"""Pure rules: placements, census, attendance, assessments, registration, plans, QA, contacts, risk."""

from datetime import date, datetime

import pytest

from ap_framework.rules import (
	assessment,
	attendance,
	census,
	contact,
	placement,
	plan,
	qa,
	registration,
	reintegration,
	risk,
)

START = date(2025, 9, 1)


def approval(**kw):
	base = dict(
		rationale="Best for the pupil",
		slot_count=5,
		provider_status="Approved",
		assurance_valid_until=date(2026, 9, 1),
		start=START,
		override_reason=None,
	)
	base.update(kw)
	return placement.approval_gaps(placement.ApprovalFacts(**base))


class TestPlacement:
	@pytest.mark.parametrize(
		"ptype,code",
		[
			("Off-site Direction", "B"),
			("LA-arranged", "K"),
			("Dual Registration", "D"),
			("Managed Move Trial", "B"),
		],
	)
	def test_home_school_code(self, ptype, code):
		assert placement.home_school_code(ptype) == code

	def test_only_dual_registration_is_not_single_registered(self):
		assert not placement.is_single_registered("Dual Registration")
		assert placement.is_single_registered("LA-arranged")

	def test_ready_placement_has_no_gaps(self):
		assert approval() == []

	def test_rationale_and_timetable_required_even_with_override(self):
		problems = approval(rationale=" ", slot_count=0, override_reason="Urgent")
		assert {p.field for p in problems} == {"rationale", "timetable"}

	def test_provider_not_approved_or_no_assurance_blocks(self):
		assert {p.field for p in approval(provider_status="Suspended")} == {
			"provider",
			"approval_override_reason",
		}
		assert approval(assurance_valid_until=None)
		assert approval(assurance_valid_until=date(2025, 8, 31))  # lapsed before the start

	def test_override_reason_covers_provider_checks(self):
		assert (
			approval(
				provider_status="Under Review", assurance_valid_until=None, override_reason="LA directed"
			)
			== []
		)

	def test_override_needs_senior_leader(self):
		assert placement.check_override_author(True, False)[0].field == "approval_override_reason"
		assert placement.check_override_author(True, True) == []

	def test_part_time_needs_justification_and_review(self):
		assert {p.field for p in placement.check_part_time(True, "", None, START)} == {
			"part_time_justification",
			"part_time_review_date",
		}
		assert (
			placement.check_part_time(True, "Phased", date(2025, 8, 1), START)[0].field
			== "part_time_review_date"
		)
		assert placement.check_part_time(False, "", None, START) == []

	def test_activation_and_ending(self):
		assert placement.check_activation(date(2025, 8, 31), START)
		assert placement.check_activation(START, START) == []
		assert {p.field for p in placement.check_ending(None, None)} == {"end_date", "end_outcome"}

	def test_unknown_type(self):
		assert placement.check_type("Holiday")


def items(**kw):
	base = dict(
		urn="150001",
		ukprn=None,
		setting_type=None,
		reason="BEH",
		association=None,
		pattern="FT",
		sessions=10,
		single_registered=True,
		sen_status="N",
	)
	base.update(kw)
	return census.CensusItems(**base)


class TestCensus:
	def test_valid(self):
		assert census.check(items()) == []

	def test_exactly_one_identifier(self):
		assert census.check(items(urn=None))[0].field == "census_setting_type"
		assert census.check(items(ukprn="10000001"))
		assert census.check(items(urn=None, setting_type="OOT")) == []

	def test_reason_for_single_registered(self):
		assert census.check(items(reason=None))[0].field == "census_reason"
		assert census.check(items(reason=None, single_registered=False)) == []

	def test_ehc_reason_needs_sen_e(self):
		assert census.check(items(reason="EHC", sen_status="K"))[0].kind == "census"
		assert census.check(items(reason="EHC", sen_status="E")) == []
		# not known to the user saving (no read on welfare facts): left to the census return, whose
		# refusal would otherwise tell them the pupil's SEN status
		assert census.check(items(reason="EHC", sen_status=None)) == []

	def test_codes_and_sessions(self):
		assert census.check(items(setting_type="ZZZ", urn=None))
		assert census.check(items(sessions=11))
		assert census.pattern_for(True) == "PT"


class TestAttendance:
	def check(self, session, mark, late=None):
		return attendance.check_mark(attendance.Mark(session, mark, late), 30)

	def test_present_marks_by_session(self):
		assert self.check("AM", "/") == [] and self.check("PM", "\\") == []
		assert self.check("PM", "/") and self.check("AM", "\\")

	def test_withdrawn_and_unknown_codes(self):
		assert "withdrawn" in self.check("AM", "H")[0].render()
		assert self.check("AM", "ZZ")[0].field == "mark"

	def test_late_rules(self):
		assert self.check("AM", "L", 10) == []
		assert self.check("AM", "L")[0].field == "minutes_late"
		assert self.check("AM", "L", 45)  # after the register closed that is U
		assert self.check("AM", "U", 45) == [] and self.check("AM", "U", 10)
		assert self.check("AM", "I", 5)[0].field == "minutes_late"

	def test_bad_session(self):
		assert self.check("EVE", "I")[0].field == "session"

	def test_deadline(self):
		on = date(2025, 9, 1)
		assert attendance.session_deadline(on, 540, 30) == datetime(2025, 9, 1, 9, 30)
		assert attendance.is_reported_late(datetime(2025, 9, 1, 9, 31), on, 540, 30)
		assert not attendance.is_reported_late(datetime(2025, 9, 1, 9, 30), on, 540, 30)

	def test_rate_ignores_not_possible_sessions(self):
		assert attendance.attendance_rate(["/", "\\", "O", "X"]) == 66.7
		assert attendance.attendance_rate(["X"]) is None

	def test_every_mark_is_classified_once(self):
		groups = [attendance.PRESENT, attendance.NOT_POSSIBLE, attendance.ABSENT, {"U"}]
		for m in attendance.MARKS:
			assert sum(m in g for g in groups) == 1, m


class TestAssessment:
	RANGES = {"Resilience": (1, 5)}

	def test_scores_in_range(self):
		assert assessment.check_scores([assessment.Score("Resilience", 3, 1)], self.RANGES) == []
		[p] = assessment.check_scores([assessment.Score("Resilience", 6, 1)], self.RANGES)
		assert p.kind == "domain_score" and "between 1 and 5" in p.render()

	def test_unknown_domain_duplicate_and_empty(self):
		assert assessment.check_scores([assessment.Score("Juggling", 3, 1)], self.RANGES)
		dup = [assessment.Score("Resilience", 3, 1), assessment.Score("Resilience", 4, 2)]
		assert "twice" in assessment.check_scores(dup, self.RANGES)[0].render()
		assert assessment.check_scores([], self.RANGES)

	def test_single_baseline(self):
		assert assessment.check_single_baseline(True, ["DA-1"])[0].field == "is_baseline"
		assert assessment.check_single_baseline(False, ["DA-1"]) == []

	def test_descriptor_levels(self):
		assert assessment.check_descriptor_levels([1, 2, 3, 4, 5]) == []
		assert assessment.check_descriptor_levels([1, 3])
		assert assessment.check_descriptor_levels([1])

	def test_change(self):
		assert assessment.change_by_domain({"a": 1, "b": 2}, {"a": 3}) == {"a": 2}


class TestRegistration:
	P = registration.PlacedPupil

	def test_registered_schools_never_flagged(self):
		assert not registration.registration_test(True, [self.P(str(i), 25) for i in range(9)]).meets_test

	def test_five_full_time_pupils(self):
		v = registration.registration_test(False, [self.P(str(i), 18.5) for i in range(5)])
		assert v.meets_test and len(v.pupils) == 5
		assert not registration.registration_test(False, [self.P(str(i), 18.5) for i in range(4)]).meets_test

	def test_full_time_is_more_than_18_hours(self):
		# DfE, Registration of independent schools: "operating during the day, for more than 18 hours per
		# week" is full-time education; exactly 18 is not more than 18
		assert not registration.registration_test(False, [self.P(str(i), 18) for i in range(5)]).meets_test
		assert registration.registration_test(False, [self.P(str(i), 18.25) for i in range(5)]).meets_test

	def test_a_full_school_day_is_six_hours_however_many_sessions(self):
		# three 09:00–15:00 days are 18 hours (six register sessions): not full time
		assert not registration.registration_test(False, [self.P("a", 3 * 6, looked_after=True)]).meets_test
		assert registration.registration_test(False, [self.P("a", 4 * 6, looked_after=True)]).meets_test

	def test_part_time_pupils_do_not_count(self):
		assert not registration.registration_test(False, [self.P(str(i), 17.5) for i in range(9)]).meets_test

	def test_one_looked_after_or_ehcp_full_time_pupil(self):
		assert registration.registration_test(False, [self.P("a", 20, looked_after=True)]).pupils == ("a",)
		assert registration.registration_test(False, [self.P("b", 20, ehcp=True)]).meets_test
		assert not registration.registration_test(False, [self.P("b", 10, ehcp=True)]).meets_test


class TestPlanAndReview:
	def test_objectives_need_success_criteria(self):
		assert plan.check_objectives([plan.Objective("Calm", "", 1)])[0].field == "objectives"

	def test_agreement_needs_every_party(self):
		problems = plan.check_agreement(1, {"pupil_agreed_on": START}, START)
		assert {p.field for p in problems} == {"parent_agreed_on", "school_agreed_on", "provider_agreed_on"}
		assert plan.check_agreement(0, {f: START for f, _ in plan.PARTIES}, START)[0].field == "objectives"

	def test_review_interval_and_voices(self):
		ok = plan.check_review(START, plan.next_review(START, 42), 42, "Pupil", "Parent", "Continue")
		assert ok == []
		late = plan.check_review(START, plan.next_review(START, 43), 42, "Pupil", "Parent", "Continue")
		assert late[0].field == "next_review_date"
		assert {p.field for p in plan.check_review(START, None, 42, "", " ", None)} == {
			"pupil_voice",
			"parent_voice",
			"decision",
		}


class TestQA:
	def test_items_rated_once(self):
		rows = [qa.Item("SW1", qa.SAFEGUARDING_AREA, "Met", 1), qa.Item("SW1", qa.SAFEGUARDING_AREA, None, 2)]
		assert len(qa.check_items(rows)) == 2

	def test_safeguarding_not_met_cannot_be_approved(self):
		rows = [qa.Item("SW1", qa.SAFEGUARDING_AREA, "Not Met", 1)]
		acts = [qa.Action("Fix", date(2025, 10, 1), 1)]
		assert qa.check_outcome(rows, acts, "Approved", START)[0].field == "overall_outcome"
		assert qa.check_outcome(rows, acts, "Suspended", START) == []

	def test_gaps_need_actions(self):
		rows = [qa.Item("HS1", "Health and Safety", "Partly Met", 1)]
		assert qa.check_outcome(rows, [], "Approved", START)[0].field == "actions"


class TestContactRiskReintegration:
	def test_pupil_level_contact_needs_placement(self):
		assert contact.check("Home Visit", False, "P1", None)[0].field == "placement"

	def test_provider_must_match_placement(self):
		assert contact.check("Phone", True, "P1", "P2")[0].field == "provider"

	def test_concern_needs_details(self):
		# KCSIE part one: concerns are recorded in writing; an empty record is no record
		assert contact.check_concern("  ", "PUP-1", "PUP-1")[0].field == "details"
		assert contact.check_concern("Said they were hit", "PUP-1", "PUP-1") == []

	def test_concern_is_about_the_placements_pupil(self):
		assert contact.check_concern("x", "PUP-2", "PUP-1")[0].field == "pupil"

	def test_risk(self):
		assert {p.field for p in risk.check("High", "", "")} == {"mitigations", "welfare_plan"}
		assert risk.check("Low", "", "") == []

	def test_reintegration(self):
		stages = [
			reintegration.Stage(date(2025, 10, 1), date(2025, 10, 10), 1),
			reintegration.Stage(date(2025, 10, 5), date(2025, 10, 20), 2),
		]
		problems = reintegration.check(date(2025, 8, 1), START, 6, stages)
		assert {p.field for p in problems} == {"target_date", "stages"}
		assert reintegration.monitoring_end(date(2025, 10, 1), 2) == date(2025, 10, 15)
