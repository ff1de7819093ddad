"""Every rule, through the real DocTypes: the right error family, a message naming the field, nothing saved."""

import frappe
import pytest
from frappe.model.workflow import apply_workflow
from frappe.utils import add_days, getdate, today

from ap_framework import exceptions as ex
from ap_framework.rules.upn import with_check_letter


def refused(exc, doc, action="insert", contains=None):
	"""Run the action, expect `exc`, and prove nothing of the document was written."""
	before = frappe.db.count(doc.doctype)
	with pytest.raises(exc) as info:
		getattr(doc, action)()
	if action == "insert":
		assert frappe.db.count(doc.doctype) == before, "half-saved"
	if contains:
		assert contains in str(info.value), str(info.value)
	return str(info.value)


class TestPupil:
	def test_bad_check_letter_is_refused_naming_the_upn_field(self, world):
		doc = frappe.get_doc(
			{
				"doctype": "Pupil",
				"first_name": "A",
				"last_name": "B",
				"school": world.school_a,
				"date_of_birth": "2012-01-01",
				"upn": "A801200005001",
			}
		)
		message = refused(ex.UPNError, doc, contains="UPN")
		assert "check letter" in message

	def test_unknown_la_code_is_refused(self, world):
		doc = frappe.get_doc(
			{
				"doctype": "Pupil",
				"first_name": "A",
				"last_name": "B",
				"school": world.school_a,
				"date_of_birth": "2012-01-01",
				"upn": with_check_letter("000200005001"),
			}
		)
		refused(ex.UPNError, doc, contains="local authority")

	def test_duplicate_upn_is_refused(self, world):
		upn = frappe.db.get_value("Pupil", world.pupil_a1, "upn")
		doc = frappe.get_doc(
			{
				"doctype": "Pupil",
				"first_name": "A",
				"last_name": "B",
				"school": world.school_a,
				"date_of_birth": "2012-01-01",
				"upn": upn,
			}
		)
		refused(ex.UPNError, doc, contains="already belongs")

	def test_future_birth_date_is_refused(self, world):
		doc = frappe.get_doc(
			{
				"doctype": "Pupil",
				"first_name": "A",
				"last_name": "B",
				"school": world.school_a,
				"date_of_birth": add_days(today(), 3),
			}
		)
		refused(ex.DateOrderError, doc, contains="Date of birth")

	def test_temporary_upn_is_kept_as_former_when_replaced(self, world):
		temp = with_check_letter("80199992501A")
		name = world.pupil(world.school_a, upn=temp)
		doc = frappe.get_doc("Pupil", name)
		doc.upn = world.next_upn()
		doc.save()
		assert doc.former_upn == temp
		assert doc.full_name == f"Test {doc.last_name}"

	def test_ehcp_follows_sen_status(self, world):
		doc = frappe.get_doc("Pupil Welfare", world.pupil(world.school_a, sen_status="E"))
		assert doc.ehcp == 1

	def test_every_pupil_has_one_welfare_record_that_follows_its_school(self, world):
		name = world.pupil(world.school_a)
		assert frappe.db.get_value("Pupil Welfare", name, ["pupil", "school"]) == (name, world.school_a)
		doc = frappe.get_doc("Pupil", name)
		doc.school = world.school_b
		doc.save()
		assert frappe.db.get_value("Pupil Welfare", name, "school") == world.school_b
		frappe.delete_doc("Pupil", name)
		assert not frappe.db.exists("Pupil Welfare", name)


class TestSchoolAndProvider:
	def test_school_urn_must_be_digits(self, world):
		doc = frappe.get_doc({"doctype": "School", "school_name": world.name("Bad URN"), "urn": "12AB"})
		refused(ex.IdentifierError, doc, contains="URN")

	def test_registered_provider_needs_urn(self, world):
		doc = frappe.get_doc(
			{"doctype": "AP Provider", "provider_name": world.name("No URN"), "registration_status": "PRU"}
		)
		refused(ex.IdentifierError, doc, contains="URN")

	def test_assurance_dates_in_order_and_default_validity(self, world):
		doc = frappe.get_doc(
			{
				"doctype": "Safeguarding Assurance",
				"provider": world.p3,
				"received_date": today(),
				"valid_until": add_days(today(), -1),
				"signed_by": "X",
			}
		)
		refused(ex.DateOrderError, doc, contains="Valid until")
		ok = frappe.get_doc(
			{
				"doctype": "Safeguarding Assurance",
				"provider": world.p3,
				"received_date": today(),
				"signed_by": "X",
			}
		).insert()
		assert getdate(ok.valid_until) == getdate(add_days(today(), 365))


class TestPlacementRules:
	def test_derived_fields(self, world):
		doc = world.placement_doc(
			world.pupil(world.school_a), world.p1, days=["Monday", "Tuesday", "Wednesday"]
		).insert()
		assert doc.hours_per_week == 18 and doc.is_part_time == 1
		assert (
			doc.home_school_code == "B" and doc.census_attendance_pattern == "PT" and doc.census_sessions == 6
		)
		assert doc.census_urn == frappe.db.get_value("AP Provider", world.p1, "urn") and not doc.census_ukprn
		assert doc.school == world.school_a  # fetched from the pupil
		assert getdate(doc.next_review_date) == getdate(add_days(doc.start_date, 42))
		assert {(r.covers_am, r.covers_pm) for r in doc.timetable} == {(1, 1)}  # 09:00-15:00: both

	def test_la_arranged_is_code_k_and_ukprn_used_without_urn(self, world):
		doc = world.placement_doc(
			world.pupil(world.school_a), world.p2, placement_type="LA-arranged"
		).insert()
		assert doc.home_school_code == "K" and doc.census_ukprn and not doc.census_urn

	def test_dates_in_order(self, world):
		doc = world.placement_doc(
			world.pupil(world.school_a), world.p1, start=today(), planned_end_date=add_days(today(), -1)
		)
		refused(ex.DateOrderError, doc, contains="Planned End Date")

	def test_timetable_row_must_end_after_it_starts(self, world):
		doc = world.placement_doc(world.pupil(world.school_a), world.p1)
		doc.timetable[0].end_time = "08:00:00"
		refused(ex.TimetableError, doc, contains="Row 1")

	def test_no_overlapping_timetables_for_one_pupil(self, world):
		refused(ex.TimetableClashError, world.placement_doc(world.pupil_a1, world.p2), contains=world.pa1)

	def test_part_time_needs_justification_and_review_date(self, world):
		doc = world.placement_doc(
			world.pupil(world.school_a),
			world.p1,
			days=["Monday"],
			part_time_justification=None,
			part_time_review_date=None,
		)
		refused(ex.PartTimeError, doc, contains="justification")

	def test_census_ehc_reason_needs_sen_e(self, world):
		doc = world.placement_doc(world.pupil(world.school_a, sen_status="K"), world.p1, census_reason="EHC")
		refused(ex.CensusError, doc, contains="EHC")

	def test_census_needs_setting_type_when_provider_has_no_identifier(self, world):
		doc = world.placement_doc(world.pupil(world.school_a), world.p3)
		refused(ex.CensusError, doc, contains="setting type")
		doc = world.placement_doc(world.pupil(world.school_a), world.p3, census_setting_type="OOT").insert()
		assert doc.name

	def test_census_reason_for_single_registered_pupils(self, world):
		refused(
			ex.CensusError,
			world.placement_doc(world.pupil(world.school_a), world.p1, census_reason=None),
			contains="reason",
		)
		ok = world.placement_doc(
			world.pupil(world.school_a), world.p1, census_reason=None, placement_type="Dual Registration"
		).insert()
		assert ok.home_school_code == "D"


class TestPlacementApproval:
	def pending(self, world, provider, **kw):
		return world.placement(world.pupil(world.school_a), provider, "Pending Approval", **kw)

	def test_approval_needs_approved_provider_with_assurance(self, world):
		doc = self.pending(world, world.p3, census_setting_type="OTH")
		with pytest.raises(ex.ApprovalError) as info:
			apply_workflow(doc, "Approve")
		assert "letter of assurance" in str(info.value) and "approval status" in str(info.value)
		assert frappe.db.get_value("Placement", doc.name, "status") == "Pending Approval"

	def test_approval_needs_rationale_even_with_override(self, world):
		doc = self.pending(world, world.p1)
		doc.rationale = ""
		doc.approval_override_reason = "Urgent"
		doc.save()  # a workflow action works on the saved document, as the form does
		with pytest.raises(ex.ApprovalError, match="rationale"):
			apply_workflow(doc, "Approve")

	def test_senior_leader_override_approves_and_is_recorded(self, world):
		doc = self.pending(world, world.p3, census_setting_type="OTH")
		frappe.set_user(world.users["senior_a"])
		doc = frappe.get_doc("Placement", doc.name)
		doc.approval_override_reason = "LA directed placement pending QA; weekly visits agreed"
		doc.save()
		doc = apply_workflow(doc, "Approve")
		assert doc.status == "Approved" and doc.override_by == world.users["senior_a"]
		assert doc.approved_by == world.users["senior_a"]

	def test_only_a_senior_leader_may_write_the_override(self, world):
		doc = world.placement(world.pupil(world.school_a), world.p1, "Draft")
		frappe.set_user(world.users["ap_lead_a"])
		doc = frappe.get_doc("Placement", doc.name)
		doc.approval_override_reason = "I say so"
		refused(ex.ApprovalError, doc, action="save", contains="Senior Leader")

	def test_cannot_start_before_the_start_date(self, world):
		doc = world.placement(world.pupil(world.school_a), world.p1, "Approved", start=add_days(today(), 5))
		with pytest.raises(ex.WorkflowRuleError, match="start date"):
			apply_workflow(doc, "Start")

	def test_ending_needs_date_and_outcome(self, world):
		doc = world.placement(world.pupil(world.school_a), world.p1, "Active")
		with pytest.raises(ex.WorkflowRuleError, match="end outcome"):
			apply_workflow(doc, "End")

	def test_registration_test_flags_unregistered_provider(self, world):
		provider = world.provider("Flag Check", "Non-school AP", ukprn="10000009", approved=True)
		looked_after = world.pupil(world.school_a, looked_after=1)
		world.placement(looked_after, provider, "Active")
		flagged = frappe.db.get_value(
			"AP Provider", provider, ["meets_registration_test", "registration_test_reason"]
		)
		# everyone who reads the provider reads the reason: it names neither the pupil nor the looked-after limb
		assert flagged[0] == 1 and "looked after" not in flagged[1] and looked_after not in flagged[1]
		for _ in range(4):
			world.placement(world.pupil(world.school_a), provider, "Active", days=["Monday", "Tuesday"])
		assert frappe.db.get_value("AP Provider", provider, "meets_registration_test") == 1
		frappe.db.set_value("Pupil Welfare", looked_after, "looked_after", 0)
		from ap_framework.provision import registration

		registration.refresh([provider])
		assert (
			frappe.db.get_value("AP Provider", provider, "meets_registration_test") == 0
		)  # part-timers don't count


class TestAttendance:
	def mark(self, world, **kw):
		doc = {
			"doctype": "AP Attendance",
			"placement": world.pa1,
			"attendance_date": add_days(today(), -1),
			"session": "AM",
			"mark": "/",
		}
		doc.update(kw)
		return frappe.get_doc(doc)

	def test_mark_is_stamped_and_scoped(self, world):
		doc = self.mark(world).insert()
		assert doc.reported_by == "Administrator" and doc.reported_at
		assert doc.reported_late == 1  # yesterday's session: long past its deadline
		assert (doc.school, doc.provider, doc.pupil) == (world.school_a, world.p1, world.pupil_a1)

	def test_outside_the_placement_dates(self, world):
		refused(
			ex.OutsideWindowError,
			self.mark(world, attendance_date=add_days(today(), -60)),
			contains="outside",
		)

	def test_future_date(self, world):
		refused(ex.DateOrderError, self.mark(world, attendance_date=add_days(today(), 1)), contains="future")

	def test_withdrawn_code(self, world):
		refused(ex.AttendanceMarkError, self.mark(world, mark="H"), contains="withdrawn")

	def test_late_needs_minutes(self, world):
		refused(ex.AttendanceMarkError, self.mark(world, mark="L"), contains="Minutes Late")

	def test_one_mark_per_session(self, world):
		self.mark(world).insert()
		refused(ex.AttendanceMarkError, self.mark(world, mark="I"), contains="already has a mark")

	def test_database_refuses_a_duplicate_even_past_the_controller(self, world):
		self.mark(world).insert()
		dup = self.mark(world, mark="I")
		dup.flags.ignore_validate = True
		with pytest.raises(frappe.UniqueValidationError):
			dup.insert()

	def test_not_before_the_placement_is_approved(self, world):
		draft = world.placement(world.pupil(world.school_a), world.p1, "Draft")
		refused(
			ex.OutsideWindowError,
			self.mark(world, placement=draft.name, attendance_date=today()),
			contains="approved",
		)


class TestDevelopment:
	def assessment(self, world, **kw):
		doc = {
			"doctype": "Domain Assessment",
			"pupil": world.pupil_a1,
			"placement": world.pa1,
			"assessment_date": add_days(today(), -2),
			"scores": [{"domain": "Resilience", "score": 3}],
		}
		doc.update(kw)
		return frappe.get_doc(doc)

	def test_descriptor_is_shown_beside_the_score(self, world):
		doc = self.assessment(world).insert()
		assert doc.scores[0].level_descriptor == frappe.db.get_value(
			"Domain Level Descriptor", {"parent": "Resilience", "level": 3}, "descriptor"
		)
		assert doc.school == world.school_a and doc.provider == world.p1

	def test_score_outside_the_descriptor_range(self, world):
		refused(
			ex.DomainScoreError,
			self.assessment(world, scores=[{"domain": "Resilience", "score": 6}]),
			contains="between 1 and 5",
		)

	def test_one_baseline_per_pupil_per_placement(self, world):
		self.assessment(world, is_baseline=1).insert()
		refused(ex.BaselineError, self.assessment(world, is_baseline=1), contains="already has a baseline")

	def test_placement_must_be_the_pupils(self, world):
		refused(ex.APValidationError, self.assessment(world, placement=world.pb1), contains="not this pupil")

	def test_domain_levels_without_gaps(self, world):
		doc = frappe.get_doc(
			{
				"doctype": "Development Domain",
				"domain_name": world.name("Gappy"),
				"code": world.token,
				"descriptors": [{"level": 1, "descriptor": "a"}, {"level": 3, "descriptor": "c"}],
			}
		)
		refused(ex.DomainError, doc, contains="no gaps")

	def test_plan_agreement_needs_every_party(self, world):
		plan = frappe.get_doc(
			{
				"doctype": "Pupil Plan",
				"placement": world.pa1,
				"plan_start": today(),
				"objectives": [{"objective": "Calm", "success_criteria": "Uses plan"}],
			}
		).insert()
		plan = apply_workflow(plan, "Propose")
		with pytest.raises(ex.PlanError, match="parent or carer"):
			apply_workflow(plan, "Agree")

	def test_review_needs_voices_and_moves_the_next_review(self, world):
		review = frappe.get_doc(
			{"doctype": "Plan Review", "placement": world.pa1, "review_date": today(), "decision": "Continue"}
		).insert()
		with pytest.raises(ex.ReviewError, match="pupil voice"):
			review.submit()
		review = frappe.get_doc("Plan Review", review.name)
		review.pupil_voice, review.parent_voice = "Going well", "Happier"
		review.submit()
		placement = frappe.db.get_value(
			"Placement", world.pa1, ["next_review_date", "last_review_date"], as_dict=True
		)
		assert placement.next_review_date == getdate(add_days(today(), 42))
		assert placement.last_review_date == getdate(today())

	def test_next_review_within_the_interval(self, world):
		review = frappe.get_doc(
			{
				"doctype": "Plan Review",
				"placement": world.pa1,
				"review_date": today(),
				"next_review_date": add_days(today(), 60),
				"decision": "Continue",
				"pupil_voice": "a",
				"parent_voice": "b",
			}
		)
		review.insert()
		with pytest.raises(ex.ReviewError, match="within 42 days"):
			review.submit()


class TestQAAudit:
	def test_safeguarding_not_met_cannot_approve(self, world):
		sw = frappe.get_all(
			"QA Standard", filters={"area": "Safeguarding and Welfare"}, pluck="name", limit=1
		)[0]
		audit = frappe.get_doc(
			{
				"doctype": "QA Audit",
				"provider": world.p3,
				"audit_type": "Initial",
				"audit_date": today(),
				"overall_outcome": "Approved",
				"items": [{"standard": sw, "rating": "Not Met"}],
				"actions": [{"action": "Get DBS checks", "due_date": add_days(today(), 7)}],
			}
		).insert()
		audit = apply_workflow(audit, "Submit for Review")
		with pytest.raises(ex.QAError, match="safeguarding standard"):
			apply_workflow(audit, "Approve")

	def test_approved_audit_sets_provider_status_and_cancel_reverts(self, world):
		provider = world.provider("Audit Cycle", "Non-school AP", approved=False)
		audit = world.audit(provider, "Suspended", rating="Not Met")
		assert frappe.db.get_value("AP Provider", provider, ["approval_status", "last_qa_audit"]) == (
			"Suspended",
			audit.name,
		)
		apply_workflow(frappe.get_doc("QA Audit", audit.name), "Cancel")
		assert frappe.db.get_value("AP Provider", provider, "approval_status") == "Under Review"


class TestLogsRiskReintegration:
	def test_concern_needs_details(self, world):
		doc = frappe.get_doc(
			{
				"doctype": "Safeguarding Concern",
				"placement": world.pa1,
				"pupil": world.pupil_a1,
				"details": " ",
			}
		)
		refused(ex.ContactError, doc, contains="Describe")

	def test_concern_is_about_the_pupil_of_its_placement(self, world):
		doc = frappe.get_doc(
			{
				"doctype": "Safeguarding Concern",
				"placement": world.pa1,
				"pupil": world.pupil_a2,
				"details": "x",
			}
		)
		refused(ex.ContactError, doc, contains="placement is for")

	def test_provider_must_match_the_placement(self, world):
		doc = frappe.get_doc(
			{
				"doctype": "Contact Log",
				"placement": world.pa1,
				"provider": world.p2,
				"contact_type": "Phone",
				"summary": "Call",
			}
		)
		refused(ex.ContactError, doc, contains="not")

	def test_high_risk_needs_a_welfare_plan(self, world):
		doc = frappe.get_doc(
			{
				"doctype": "Risk Assessment",
				"placement": world.pa1,
				"assessment_date": today(),
				"review_date": add_days(today(), 30),
				"overall_rating": "High",
				"mitigations": "Escort",
			}
		)
		refused(ex.RiskError, doc, contains="welfare plan")

	def test_reintegration_stages_in_order_and_monitoring_end(self, world):
		doc = frappe.get_doc(
			{
				"doctype": "Reintegration Plan",
				"placement": world.pa1,
				"target_date": add_days(today(), 30),
				"monitoring_weeks": 6,
				"stages": [
					{"from_date": today(), "to_date": add_days(today(), 10)},
					{"from_date": add_days(today(), 5), "to_date": add_days(today(), 20)},
				],
			}
		)
		refused(ex.DateOrderError, doc, contains="overlaps")
		doc.stages[1].from_date = add_days(today(), 11)
		doc.insert()
		assert getdate(doc.monitoring_end_date) == getdate(add_days(today(), 72))
