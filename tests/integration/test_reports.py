"""Leadership reporting on the test world, each figure computed by the test itself, and scoped per role."""

from datetime import timedelta

import frappe
import pytest
from frappe.utils import add_days, getdate, today

from ap_framework.oversight import cards

READINESS = "AP Inspection Readiness"


def report(name, user=None, **filters):
	from frappe.desk.query_report import run  # imported late: it loads modules that log relative to sites/

	if user:
		frappe.set_user(user)
	try:
		return run(name, filters=filters)
	finally:
		frappe.set_user("Administrator")


def rows_of(result, key="placement"):
	return {r[key]: r for r in result["result"] if isinstance(r, dict) and r.get(key)}


class TestPlanningCallPack:
	def test_every_column_for_the_schools_pupils(self, world):
		rows = rows_of(
			report("AP Planning Call Pack", world.users["admin"], as_at=today(), school=world.school_a)
		)
		assert set(rows) == {world.pa1, world.pa2}
		r = rows[world.pa1]
		placement = frappe.get_doc("Placement", world.pa1)
		assert (
			r["provider"] == world.p1 and r["registration_status"] == "PRU" and r["section"] == "Off-site AP"
		)
		assert r["placement_type"] == "Off-site Direction" and r["home_school_code"] == "B"
		assert r["hours_per_week"] == placement.hours_per_week == 30 and r["is_part_time"] == 0
		assert getdate(r["start_date"]) == getdate(placement.start_date)
		assert r["reason"] == "To improve behaviour off-site"

	def test_as_at_a_date_before_the_placements(self, world):
		rows = rows_of(
			report(
				"AP Planning Call Pack",
				world.users["admin"],
				as_at=add_days(today(), -60),
				school=world.school_a,
			)
		)
		assert not rows

	def test_on_site_units_have_their_own_section(self, world):
		doc = world.placement(
			world.pupil(world.school_a), world.p1, "Active", placement_type="Internal AP Unit"
		)
		rows = rows_of(
			report("AP Planning Call Pack", world.users["admin"], as_at=today(), school=world.school_a)
		)
		assert rows[doc.name]["section"] == "On-site AP unit"

	def test_a_school_lead_sees_only_their_school(self, world):
		rows = rows_of(report("AP Planning Call Pack", world.users["ap_lead_a"], as_at=today()))
		assert {r["school"] for r in rows.values()} == {world.school_a}
		rows = rows_of(
			report("AP Planning Call Pack", world.users["ap_lead_a"], as_at=today(), school=world.school_b)
		)
		assert not rows

	def test_provider_summary(self, world):
		frappe.get_doc(
			{
				"doctype": "Contact Log",
				"provider": world.p1,
				"contact_type": "Unannounced Visit",
				"summary": "Drop-in",
				"contact_datetime": frappe.utils.now_datetime() - timedelta(days=2),
			}
		).insert()
		rows = rows_of(
			report("AP Provider Summary", world.users["admin"], as_at=today(), school=world.school_a),
			key="provider",
		)
		assert set(rows) == {world.p1, world.p2}
		p1 = rows[world.p1]
		assert (p1["pupils"], p1["full_time"], p1["part_time"]) == (1, 1, 0)
		assert p1["approval_status"] == "Approved" and getdate(p1["last_qa_date"]) == getdate(today())
		assert getdate(p1["assurance_valid_until"]) == getdate(add_days(today(), 355))
		assert getdate(p1["last_visit"]) == getdate(add_days(today(), -2))
		assert rows[world.p2]["last_visit"] is None

	def test_pdf_pack(self, world):
		from ap_framework.oversight import packs

		frappe.set_user(world.users["ap_lead_a"])
		html = packs.planning_call_html(str(today()), world.school_a)
		assert frappe.db.get_value("Placement", world.pa1, "pupil_name") in html
		assert frappe.db.get_value("Placement", world.pb1, "pupil_name") not in html
		from frappe.utils.pdf import get_pdf

		assert get_pdf(html).startswith(b"%PDF")


def board(world, user="admin"):
	result = report(READINESS, world.users[user], school=world.school_a)
	return {r["number"]: r for r in result["result"]}


class TestReadinessBoard:
	def test_nineteen_points_with_status_count_and_link(self, world):
		points = board(world)
		assert sorted(points) == list(range(1, 22))
		# both school A placements have a rationale: met
		assert points[11]["status"] == "Met" and points[11]["count"] == 0 and points[11]["total"] == 2
		# neither has a risk assessment: not met, with a link to exactly those two
		assert points[12]["status"] == "Not Met" and points[12]["count"] == 2
		assert world.pa1 in points[12]["open"] and world.pa2 in points[12]["open"]
		# no SLA attached: evidence gap, at risk
		assert points[10]["status"] == "At Risk" and points[10]["count"] == 2

	def test_counts_follow_the_records(self, world):
		frappe.get_doc(
			{
				"doctype": "Risk Assessment",
				"placement": world.pa1,
				"assessment_date": today(),
				"review_date": add_days(today(), 30),
				"overall_rating": "Low",
			}
		).insert()
		assert board(world)[12]["count"] == 1
		frappe.db.set_value("Placement", world.pa2, "rationale", "")
		point = board(world)[11]
		assert point["status"] == "Not Met" and point["count"] == 1 and world.pa2 in point["open"]

	def test_policy_point_reads_settings(self, world):
		frappe.db.set_single_value("AP Settings", "ap_policy_reviewed_on", add_days(today(), -30))
		frappe.clear_document_cache("AP Settings", "AP Settings")
		assert board(world)[1]["status"] == "Met"
		frappe.db.set_single_value("AP Settings", "ap_policy_reviewed_on", add_days(today(), -400))
		frappe.clear_document_cache("AP Settings", "AP Settings")
		assert board(world)[1]["status"] == "At Risk"

	def test_scoped_to_the_viewer(self, world):
		points = board(world, "ap_lead_b")  # asks for school A, may see only school B
		assert points[11]["total"] == 0


class TestGuardThresholdCensus:
	def test_off_rolling_guard_names_each_rule(self, world):
		pupil = world.pupil(world.school_a)
		old = world.placement(
			pupil,
			world.p3,
			"Active",
			start=add_days(today(), -400),
			census_setting_type="OTH",
			approval_override_reason="Test: LA directed",
		)
		frappe.db.set_value("Placement", old.name, "rationale", "")
		frappe.db.set_value("Pupil", pupil, "on_roll", 0)
		rows = rows_of(
			report("AP Off-rolling Guard", world.users["admin"], school=world.school_a), key="name"
		)
		rules = rows[old.name]["rules"]
		for rule in (
			"No best-interest rationale",
			"Not reviewed within the review interval",
			"Off-site direction past its maximum length",
			"Pupil taken off roll while placed",
		):
			assert rule in rules
		guard_item = board(world)[20]  # the readiness board carries the guard as an item of its own
		assert guard_item["status"] == "Not Met" and old.name in guard_item["open"]
		assert world.pa1 not in rows

	def test_registration_threshold_lists_the_pupils_who_trigger_it(self, world):
		provider = world.provider("Threshold", "Non-school AP", ukprn="10000077")
		child = world.pupil(world.school_a, looked_after=1)
		world.placement(child, provider, "Active")
		rows = rows_of(report("AP Registration Threshold", world.users["admin"]), key="provider")
		name = frappe.db.get_value("Pupil", child, "full_name")
		assert "looked after" in rows[provider]["reason"] and name in rows[provider]["pupils"]
		assert provider not in rows_of(
			report("AP Registration Threshold", world.users["ap_lead_b"]), key="provider"
		)
		# the AP Lead learns that the provider must register, not that their pupil is the reason
		lead = rows_of(report("AP Registration Threshold", world.users["ap_lead_a"]), key="provider")
		assert "looked after" not in lead[provider]["reason"] and not lead[provider].get("pupils")

	def test_census_return_validates_each_row(self, world):
		rows = rows_of(
			report("AP Census Return", world.users["admin"], census_date=today(), school=world.school_a)
		)
		assert rows[world.pa1]["failures"] == "" and rows[world.pa1]["census_urn"]
		assert rows[world.pa2]["census_ukprn"] and not rows[world.pa2]["census_urn"]
		frappe.db.set_value("Placement", world.pa1, "census_reason", None)
		frappe.db.set_value("Placement", world.pa2, "census_reason", "EHC")
		rows = rows_of(
			report("AP Census Return", world.users["admin"], census_date=today(), school=world.school_a)
		)
		assert "reason is required" in rows[world.pa1]["failures"]
		assert "EHC" in rows[world.pa2]["failures"]


class TestProgress:
	def assess(self, world, placement, pupil, when, baseline, scores):
		frappe.get_doc(
			{
				"doctype": "Domain Assessment",
				"placement": placement,
				"pupil": pupil,
				"assessment_date": when,
				"is_baseline": baseline,
				"scores": [{"domain": d, "score": s} for d, s in scores.items()],
			}
		).submit()

	def test_cohort_mean_change_and_share_improving(self, world):
		self.assess(
			world, world.pa1, world.pupil_a1, add_days(today(), -20), 1, {"Resilience": 2, "Communication": 3}
		)
		self.assess(
			world, world.pa1, world.pupil_a1, add_days(today(), -1), 0, {"Resilience": 4, "Communication": 2}
		)
		self.assess(world, world.pa2, world.pupil_a2, add_days(today(), -20), 1, {"Resilience": 1})
		self.assess(world, world.pa2, world.pupil_a2, add_days(today(), -1), 0, {"Resilience": 2})
		result = report("AP Progress", world.users["admin"], school=world.school_a, group_by="School")
		rows = {(r["cohort"], r["domain"]): r for r in result["result"]}
		resilience, communication = (
			rows[(world.school_a, "Resilience")],
			rows[(world.school_a, "Communication")],
		)
		assert (resilience["pupils"], resilience["mean_change"], resilience["improving"]) == (2, 1.5, 100.0)
		assert (communication["pupils"], communication["mean_change"], communication["improving"]) == (
			1,
			-1.0,
			0.0,
		)
		assert result["chart"]["data"]["labels"]
		pupils = report("AP Progress", world.users["admin"], school=world.school_a, view="Pupils")["result"]
		assert next(r for r in pupils if r["placement"] == world.pa1)["resilience"] == "2 → 4"


class TestGovernors:
	def test_governor_gets_figures_and_no_names(self, world):
		frappe.get_doc(
			{
				"doctype": "AP Attendance",
				"placement": world.pa1,
				"attendance_date": add_days(today(), -1),
				"session": "AM",
				"mark": "/",
			}
		).insert()
		result = report("AP Governors Report", world.users["governor_a"], school=world.school_a)
		values = {r["measure"]: r["value"] for r in result["result"]}
		assert values["Placements during the year"] == 2
		from ap_framework.oversight import packs

		frappe.set_user(world.users["governor_a"])
		html = packs.governors_html(world.school_a)
		frappe.set_user("Administrator")
		for pupil in (world.pupil_a1, world.pupil_a2):
			assert frappe.db.get_value("Pupil", pupil, "full_name") not in html
		for word in ("looked after", "Looked After", "concern", "child protection"):
			assert word not in html

	def test_governor_gets_nothing_else(self, world):
		for name in (
			"AP Planning Call Pack",
			READINESS,
			"AP Off-rolling Guard",
			"AP Census Return",
			"AP Progress",
		):
			with pytest.raises(frappe.PermissionError):
				report(name, world.users["governor_a"])
		with pytest.raises(frappe.PermissionError):
			report("AP Governors Report", world.users["governor_a"], school=world.school_b)

	def test_provider_users_get_no_report(self, world):
		for name in ("AP Planning Call Pack", READINESS, "AP Governors Report", "AP Census Return"):
			with pytest.raises(frappe.PermissionError):
				report(name, world.users["provider_1"], school=world.school_a)


class TestCards:
	def test_reviews_overdue_is_scoped(self, world):
		frappe.db.set_value("Placement", world.pb1, "next_review_date", add_days(today(), -3))
		counts = {}
		for key in ("ap_lead_a", "ap_lead_b", "provider_1"):
			frappe.set_user(world.users[key])
			counts[key] = cards.reviews_overdue()
		frappe.set_user("Administrator")
		assert counts == {"ap_lead_a": 0, "ap_lead_b": 1, "provider_1": 0}

	def test_registers_outstanding_today(self, world):
		"""School A's two full-day pupils are due on both of today's registers: four sessions, one fewer
		for each register marked."""
		weekday = getdate(today()).weekday() < 5
		frappe.set_user(world.users["ap_lead_a"])
		assert cards.registers_outstanding() == (4 if weekday else 0)
		if weekday:
			for session, mark, left in (("AM", "/", 3), ("PM", "\\", 2)):
				frappe.set_user("Administrator")
				frappe.get_doc(
					{
						"doctype": "AP Attendance",
						"placement": world.pa1,
						"attendance_date": today(),
						"session": session,
						"mark": mark,
					}
				).insert()
				frappe.set_user(world.users["ap_lead_a"])
				assert cards.registers_outstanding() == left

	def test_attendance_trend_source(self, world):
		frappe.get_doc(
			{
				"doctype": "AP Attendance",
				"placement": world.pa1,
				"attendance_date": add_days(today(), -1),
				"session": "AM",
				"mark": "O",
			}
		).insert()
		frappe.set_user(world.users["ap_lead_b"])
		data = cards.attendance_rate()
		frappe.set_user("Administrator")
		assert len(data["labels"]) == 13 and len(data["datasets"][0]["values"]) == 13

	def test_placements_by_provider_biggest_first_ties_in_name_order(self, world):
		"""The same chart from any server: equal counts come in the providers' name order."""
		for _i in range(2):  # provider two now has more pupils in AP than provider one
			world.placement(world.pupil(world.school_a), world.p2, "Active")
		counts = self.counts(world)
		assert counts[world.p2] > counts[world.p1] and list(counts) == [world.p2, world.p1]
		for _i in range(counts[world.p2] - counts[world.p1]):
			world.placement(world.pupil(world.school_a), world.p1, "Active")
		counts = self.counts(world)
		assert counts[world.p1] == counts[world.p2] and list(counts) == sorted([world.p1, world.p2])

	def counts(self, world) -> dict:
		"""The chart's pupils per provider, in the chart's order, for the world's first two providers."""
		data = cards.placements_by_provider()
		pairs = zip(data["labels"], data["datasets"][0]["values"], strict=True)
		return {label: n for label, n in pairs if label in (world.p1, world.p2)}


class TestOneClickPdf:
	def test_planning_call_pdf_over_http(self, world, http):
		lead = http("ap_lead_a")
		r = lead.get(lead.base + "/api/method/ap_framework.oversight.packs.planning_call_pdf", timeout=120)
		assert r.status_code == 200 and r.content.startswith(b"%PDF"), r.text[:300]
		governor = http("governor_a")
		assert (
			governor.get(
				governor.base + "/api/method/ap_framework.oversight.packs.planning_call_pdf", timeout=60
			).status_code
			== 403
		)


class TestDomainChartOnForms:
	def test_chart_data_for_the_placement_and_pupil_forms(self, world):
		from ap_framework.oversight.progress import domain_chart

		TestProgress().assess(world, world.pa1, world.pupil_a1, add_days(today(), -20), 1, {"Resilience": 2})
		TestProgress().assess(world, world.pa1, world.pupil_a1, add_days(today(), -1), 0, {"Resilience": 4})
		frappe.set_user(world.users["ap_lead_a"])
		for chart in (domain_chart(placement=world.pa1), domain_chart(pupil=world.pupil_a1)):
			assert chart["labels"] == ["Resilience"]
			assert [d["values"] for d in chart["datasets"]] == [[2], [4]]
		assert domain_chart(placement=world.pa2) is None  # nothing assessed yet
		frappe.set_user(world.users["ap_lead_b"])
		with pytest.raises(frappe.PermissionError):
			domain_chart(placement=world.pa1)
		frappe.set_user("Administrator")
