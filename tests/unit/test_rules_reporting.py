"""Pure rules behind the leadership reports: the readiness board, the off-rolling guard, census leaving."""

from datetime import date, timedelta

from ap_framework.rules import census, offrolling, readiness

TODAY = date(2026, 3, 2)


def facts(**kw):
	base = dict(
		today=TODAY,
		active=["P1", "P2"],
		providers_in_use=["A"],
		policy_reviewed_on=TODAY,
		governors_report_on=TODAY,
	)
	base.update(kw)
	return readiness.Facts(**base)


def by_number(points):
	return {p.number: p for p in points}


class TestReadiness:
	def test_nineteen_points_all_met_on_a_clean_record(self):
		points = readiness.board(facts())
		assert [p.number for p in points] == list(range(1, 22))
		assert {p.status for p in points} == {readiness.MET}

	def test_safeguarding_points_are_not_met_and_evidence_points_at_risk(self):
		points = by_number(
			readiness.board(facts(providers_without_assurance=["A"], placements_without_sla=["P2"]))
		)
		assert (
			points[5].status == readiness.NOT_MET
			and points[5].names == ("A",)
			and points[5].doctype == "AP Provider"
		)
		assert points[10].status == readiness.AT_RISK and points[10].count == 1 and points[10].total == 2

	def test_dated_points_age(self):
		assert (
			by_number(readiness.board(facts(policy_reviewed_on=TODAY - timedelta(days=400))))[1].status
			== readiness.AT_RISK
		)
		assert by_number(readiness.board(facts(policy_reviewed_on=None)))[1].status == readiness.NOT_MET
		assert (
			by_number(readiness.board(facts(governors_report_on=TODAY - timedelta(days=600))))[2].status
			== readiness.NOT_MET
		)

	def test_attendance_point_is_not_met_only_for_unanswered_low_attendance(self):
		late = by_number(readiness.board(facts(registers_reported_late=["P1"])))[14]
		assert late.status == readiness.AT_RISK and late.names == ("P1",) and late.total == 2
		low = by_number(readiness.board(facts(low_attendance_without_intervention=["P1"])))[14]
		assert low.status == readiness.NOT_MET

	def test_reviews_overdue_are_not_met_voiceless_reviews_at_risk(self):
		assert (
			by_number(readiness.board(facts(placements_review_overdue=["P1"])))[16].status
			== readiness.NOT_MET
		)
		voiceless = by_number(readiness.board(facts(reviews_without_voice=["R1"])))[16]
		assert voiceless.status == readiness.AT_RISK and voiceless.doctype == "Plan Review"


def placement(**kw):
	base = dict(
		name="P",
		placement_type="Off-site Direction",
		start=TODAY - timedelta(days=30),
		planned_end=TODAY + timedelta(days=90),
		rationale="Best for her",
		last_review=None,
		has_reintegration_plan=False,
		pupil_on_roll=True,
	)
	base.update(kw)
	return offrolling.PlacementFacts(**base)


class TestOffRollingGuard:
	def check(self, p):
		return offrolling.breaches(p, TODAY, 42, 365)

	def test_a_sound_placement_breaks_nothing(self):
		assert self.check(placement()) == []

	def test_each_rule(self):
		assert self.check(placement(rationale=" ")) == [offrolling.NO_RATIONALE]
		assert self.check(placement(start=TODAY - timedelta(days=50))) == [offrolling.NO_REVIEW]
		assert (
			self.check(placement(start=TODAY - timedelta(days=50), last_review=TODAY - timedelta(days=10)))
			== []
		)
		assert self.check(placement(planned_end=TODAY + timedelta(days=10))) == [offrolling.NO_END_PLAN]
		assert (
			self.check(placement(planned_end=TODAY + timedelta(days=10), has_reintegration_plan=True)) == []
		)
		too_long = placement(start=TODAY - timedelta(days=400), last_review=TODAY)
		assert self.check(too_long) == [offrolling.TOO_LONG]
		assert (
			self.check(
				placement(
					start=TODAY - timedelta(days=400), last_review=TODAY, placement_type="Dual Registration"
				)
			)
			== []
		)
		assert self.check(placement(pupil_on_roll=False)) == [offrolling.OFF_ROLL]


def test_census_off_roll_leaving_date():
	assert census.check_leaving(False, date(2026, 1, 31), date(2026, 2, 28))[0].field == "end_date"
	assert census.check_leaving(False, date(2026, 1, 31), date(2026, 1, 15)) == []
	assert census.check_leaving(True, date(2026, 1, 31), date(2026, 2, 28)) == []


class TestAfterReintegration:
	def test_fallbacks_are_domains_scored_lower_now(self):
		from ap_framework.rules import reintegration

		assert reintegration.fallbacks({"A": 3, "B": 4, "C": 2}, {"A": 2, "B": 4, "D": 1}) == ["A"]

	def test_check_in_due(self):
		from ap_framework.rules.reintegration import check_in_due

		ended, end = date(2026, 3, 2), date(2026, 4, 13)  # six weeks
		assert check_in_due(ended, end, 2, date(2026, 3, 10), None) is None  # first check-in not yet due
		assert check_in_due(ended, end, 2, date(2026, 3, 16), None) == date(2026, 3, 16)
		assert check_in_due(ended, end, 2, date(2026, 3, 20), date(2026, 3, 17)) is None  # done since
		assert check_in_due(ended, end, 2, date(2026, 4, 1), date(2026, 3, 17)) == date(2026, 3, 30)
		assert check_in_due(ended, end, 2, date(2026, 4, 14), None) is None  # monitoring over
		assert check_in_due(ended, None, 2, date(2026, 3, 20), None) is None
