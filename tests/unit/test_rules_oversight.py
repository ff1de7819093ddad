"""Pure oversight rules: what is due, overdue or expiring, given dates and settings."""

import json
import random
from datetime import date, datetime
from pathlib import Path

import pytest

from ap_framework.rules import attendance
from ap_framework.rules import oversight as o

TODAY = date(2026, 11, 23)  # a Monday
NOW = datetime(2026, 11, 23, 10, 0)


def placement(name="PLC-1", **kw):
	base = dict(name=name, label=f"Ann ({name})", school="School A", provider="Prov", start=date(2026, 9, 1))
	base.update(kw)
	return o.PlacementFacts(**base)


class TestUnmarkedSessions:
	def session(self, p=None, session="AM", start=9 * 60):
		return o.TimetabledSession(p or placement(), session, start)

	def test_a_session_past_its_deadline_with_no_mark_is_found_once(self):
		found = o.unmarked_sessions(NOW, [self.session()], set(), 30)
		assert [(f.rule, f.name, f.period) for f in found] == [
			(o.ATTENDANCE_NOT_MARKED, "PLC-1", "2026-11-23 AM")
		]
		assert found[0].args[-1] == "09:30" and found[0].school == "School A" and found[0].provider == "Prov"

	def test_not_before_the_deadline_has_passed(self):
		assert o.unmarked_sessions(datetime(2026, 11, 23, 9, 30), [self.session()], set(), 30) == []
		assert len(o.unmarked_sessions(datetime(2026, 11, 23, 9, 31), [self.session()], set(), 30)) == 1

	def test_a_marked_session_is_not_found(self):
		assert o.unmarked_sessions(NOW, [self.session()], {("PLC-1", "AM")}, 30) == []

	def test_the_earliest_row_of_a_session_sets_its_deadline_and_it_is_found_once(self):
		rows = [self.session(start=9 * 60 + 45), self.session(start=9 * 60)]
		found = o.unmarked_sessions(datetime(2026, 11, 23, 9, 40), rows, set(), 30)
		assert len(found) == 1 and found[0].args[-1] == "09:30"

	def test_am_and_pm_are_separate_sessions(self):
		rows = [self.session(), self.session(session="PM", start=13 * 60)]
		found = o.unmarked_sessions(datetime(2026, 11, 23, 14, 0), rows, {("PLC-1", "AM")}, 30)
		assert [f.period for f in found] == ["2026-11-23 PM"]

	@pytest.mark.parametrize(
		"start,end,expected",
		[
			(date(2026, 11, 24), None, 0),  # not started yet
			(date(2026, 9, 1), date(2026, 11, 20), 0),  # already ended
			(date(2026, 9, 1), date(2026, 11, 23), 1),  # its last day
			(date(2026, 11, 23), None, 1),  # its first day
		],
	)
	def test_only_placements_running_today(self, start, end, expected):
		p = placement(start=start, end=end)
		assert len(o.unmarked_sessions(NOW, [self.session(p)], set(), 30)) == expected


class TestLowAttendance:
	@pytest.mark.parametrize("seed", range(20))
	def test_rate_from_counts_matches_attendance_rate(self, seed):
		rng = random.Random(seed)
		marks = [rng.choice(list(attendance.MARKS)) for _ in range(rng.randint(0, 40))]
		counts = {}
		for m in marks:
			counts[m] = counts.get(m, 0) + 1
		assert o.rate_from_counts(counts) == attendance.attendance_rate(marks)

	def test_window_is_the_whole_weeks_up_to_yesterday(self):
		assert o.attendance_window(TODAY, 4) == (date(2026, 10, 26), date(2026, 11, 22))

	def run(self, rates, open_=(), placements=None):
		placements = placements or [placement(n) for n in rates]
		return o.low_attendance(placements, rates, set(open_), 90.0, 4, TODAY)

	def test_a_dip_below_the_threshold_starts_an_episode(self):
		started, ended = self.run({"A": 89.9, "B": 90.0, "C": None})
		assert [(f.name, f.period, f.args[1]) for f in started] == [("A", "2026-11-23", 89.9)]
		assert ended == []

	def test_an_open_episode_starts_no_new_one(self):
		started, ended = self.run({"A": 50.0}, open_=["A"])
		assert started == [] and ended == []

	def test_recovery_ends_the_episode(self):
		started, ended = self.run({"A": 95.0}, open_=["A"])
		assert started == [] and ended == ["A"]

	def test_no_possible_session_neither_starts_nor_ends_an_episode(self):
		assert self.run({"A": None}, open_=["A"]) == ([], [])

	def test_a_placement_no_longer_active_ends_its_episode(self):
		assert self.run({"A": 95.0}, open_=["Gone"]) == ([], ["Gone"])


class TestReviews:
	@pytest.mark.parametrize(
		"next_review,rules",
		[
			(date(2026, 12, 1), []),  # 8 days away
			(date(2026, 11, 30), [o.REVIEW_DUE]),  # 7 days away
			(TODAY, [o.REVIEW_DUE]),  # due today: not yet overdue
			(date(2026, 11, 22), [o.REVIEW_DUE, o.REVIEW_OVERDUE]),
			(None, []),
		],
	)
	def test_due_within_the_reminder_window_and_overdue(self, next_review, rules):
		found = o.review_findings(placement(next_review=next_review), TODAY, 7)
		assert [f.rule for f in found] == rules
		assert all(f.period == next_review.isoformat() for f in found)

	def test_the_reminder_is_due_on_the_review_date(self):
		(due,) = o.review_findings(placement(next_review=date(2026, 11, 27)), TODAY, 7)
		assert due.due == date(2026, 11, 27) and due.doctype == "Placement"


class TestProviders:
	def provider(self, **kw):
		base = dict(
			name="Prov",
			approval_status="Approved",
			assurance_until=date(2027, 6, 1),
			last_qa=date(2026, 6, 1),
			last_qa_audit="QA-1",
			last_visit=date(2026, 11, 1),
		)
		base.update(kw)
		return o.ProviderFacts(**base)

	def rules(self, p, first_active=date(2026, 9, 1)):
		return {(f.rule, f.period) for f in o.provider_findings(p, TODAY, 30, 365, 42, first_active)}

	def test_a_provider_in_good_order_raises_nothing(self):
		assert self.rules(self.provider()) == set()

	@pytest.mark.parametrize(
		"until,expected",
		[
			(date(2026, 12, 23), {(o.ASSURANCE_EXPIRING, "2026-12-23")}),  # 30 days
			(date(2026, 12, 24), set()),  # 31 days
			(TODAY, {(o.ASSURANCE_EXPIRING, "2026-11-23")}),  # valid to the end of today
			(date(2026, 11, 22), {(o.ASSURANCE_EXPIRED, "2026-11-22")}),
		],
	)
	def test_assurance(self, until, expected):
		assert self.rules(self.provider(assurance_until=until)) == expected

	def test_qa_due_after_the_interval_or_when_never_audited(self):
		assert self.rules(self.provider(last_qa=date(2025, 11, 23))) == {(o.QA_DUE, "2026-11-23")}
		assert self.rules(self.provider(last_qa=date(2025, 11, 24))) == set()
		assert self.rules(self.provider(last_qa=None, last_qa_audit=None)) == {(o.QA_DUE, o.NEVER)}

	def test_visit_due_after_the_interval_from_the_last_visit(self):
		assert self.rules(self.provider(last_visit=date(2026, 10, 12))) == {(o.VISIT_DUE, "2026-11-23")}
		assert self.rules(self.provider(last_visit=date(2026, 10, 13))) == set()

	def test_never_visited_counts_from_the_first_active_placement(self):
		p = self.provider(last_visit=None)
		assert self.rules(p, first_active=date(2026, 10, 12)) == {(o.VISIT_DUE, "2026-11-23")}
		assert self.rules(p, first_active=date(2026, 11, 1)) == set()

	def test_no_visit_is_due_without_active_placements(self):
		assert self.rules(self.provider(last_visit=None), first_active=None) == set()

	def test_expired_assurance_flags_every_active_placement(self):
		p = self.provider(assurance_until=date(2026, 11, 1))
		found = o.safeguarding_flags(p, [placement("A"), placement("B", school="School B")], TODAY)
		assert [(f.rule, f.name, f.school, f.period) for f in found] == [
			(o.PLACEMENT_ASSURANCE_EXPIRED, "A", "School A", "2026-11-01"),
			(o.PLACEMENT_ASSURANCE_EXPIRED, "B", "School B", "2026-11-01"),
		]

	def test_suspension_flags_every_active_placement_once_per_suspending_audit(self):
		found = o.safeguarding_flags(self.provider(approval_status="Suspended"), [placement("A")], TODAY)
		assert [(f.rule, f.period) for f in found] == [(o.PLACEMENT_PROVIDER_SUSPENDED, "QA-1")]

	def test_a_provider_in_good_order_flags_nothing(self):
		assert o.safeguarding_flags(self.provider(), [placement("A")], TODAY) == []


class TestPlacements:
	def rules(self, p, reintegration=False, agreed=True):
		return [(f.rule, f.period) for f in o.placement_findings(p, TODAY, 14, 10, reintegration, agreed)]

	@pytest.mark.parametrize(
		"end,has_plan,expected",
		[
			(date(2026, 12, 7), False, [(o.ENDING_WITHOUT_PLAN, "2026-12-07")]),  # 14 days
			(date(2026, 12, 8), False, []),  # 15 days
			(date(2026, 12, 7), True, []),
			(date(2026, 11, 20), False, [(o.ENDING_WITHOUT_PLAN, "2026-11-20")]),  # past, still active
		],
	)
	def test_ending_without_a_reintegration_plan(self, end, has_plan, expected):
		assert self.rules(placement(end=end), reintegration=has_plan) == expected

	def test_part_time_timetable_past_its_review_date(self):
		assert self.rules(placement(is_part_time=True, part_time_review=date(2026, 11, 22))) == [
			(o.PART_TIME_REVIEW_OVERDUE, "2026-11-22")
		]
		assert self.rules(placement(is_part_time=True, part_time_review=TODAY)) == []
		assert self.rules(placement(is_part_time=False, part_time_review=date(2026, 11, 1))) == []

	@pytest.mark.parametrize(
		"start,days,expected",
		[
			(date(2026, 11, 9), 10, TODAY),  # Monday: two school weeks later
			(date(2026, 11, 7), 10, date(2026, 11, 20)),  # Saturday: weekends are not school days
			(date(2026, 11, 13), 6, TODAY),  # Friday
			(TODAY, 0, TODAY),
		],
	)
	def test_school_days_after(self, start, days, expected):
		assert o.school_days_after(start, days) == expected

	def test_no_plan_agreed_after_ten_school_days(self):
		assert self.rules(placement(start=date(2026, 11, 9)), agreed=False) == [
			(o.PLAN_NOT_AGREED, "2026-11-09")
		]
		assert self.rules(placement(start=date(2026, 11, 10)), agreed=False) == []
		assert self.rules(placement(start=date(2026, 11, 9)), agreed=True) == []


class TestDigestAndMessages:
	def test_iso_week(self):
		assert o.iso_week(TODAY) == "2026-W48" and o.iso_week(date(2027, 1, 1)) == "2026-W53"

	def test_sections_count_everything_and_list_the_first(self):
		found = [o.Finding(o.REVIEW_DUE, "Placement", f"P{i}", "d") for i in range(3)]
		found.append(o.Finding(o.ATTENDANCE_NOT_MARKED, "Placement", "X", "d"))
		sections = o.digest_sections(found, limit=2)
		assert [(rule, count, [f.name for f in listed]) for rule, count, listed in sections] == [
			(o.ATTENDANCE_NOT_MARKED, 1, ["X"]),
			(o.REVIEW_DUE, 3, ["P0", "P1"]),
		]

	def test_every_rule_has_a_message_and_renders(self):
		assert set(o.MESSAGES) == set(o.RULES)
		f = o.Finding(o.REVIEW_DUE, "Placement", "P", "2026-11-30", args=("Ann (P)", "2026-11-30"))
		assert f.render() == "Ann (P): the plan review is due by 2026-11-30"
		# the template is translated, the values are not
		assert f.render(str.upper) == "Ann (P): THE PLAN REVIEW IS DUE BY 2026-11-30"

	def test_the_rules_are_the_ap_alert_rule_options(self):
		app = Path(__file__).resolve().parents[2] / "ap_framework"
		doc = json.loads((app / "oversight/doctype/ap_alert/ap_alert.json").read_text())
		options = next(f for f in doc["fields"] if f["fieldname"] == "rule")["options"].split("\n")
		assert tuple(options) == o.RULES
