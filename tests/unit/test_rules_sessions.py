"""Which register sessions a timetable slot covers.

The Education (Pupil Registration) (England) Regulations 2024, reg. 10(1): the attendance register is
taken "at the commencement of each morning session and once during the course of each afternoon
session". A school day is two sessions, and a pupil at AP for the whole day is on both registers."""

from ap_framework.rules import timetable as t
from ap_framework.rules.timetable import SessionWindows, Slot

WINDOWS = SessionWindows(am_start=9 * 60, am_end=12 * 60, pm_start=13 * 60)


def hm(text: str) -> int:
	return t.to_minutes(text)


def slot(start: str, end: str, weekday: str = "Monday", row: int = 1) -> Slot:
	return Slot(weekday, hm(start), hm(end), row)


class TestCovers:
	def test_a_full_school_day_is_both_sessions(self):
		# reg. 10(1): morning and afternoon are separate sessions, each with its own mark
		assert t.covers(slot("09:00", "15:00"), WINDOWS) == ("AM", "PM")

	def test_a_morning_is_the_morning_session_only(self):
		assert t.covers(slot("09:00", "12:00"), WINDOWS) == ("AM",)

	def test_an_afternoon_is_the_afternoon_session_only(self):
		assert t.covers(slot("13:15", "15:00"), WINDOWS) == ("PM",)

	def test_a_morning_into_the_break_stays_a_morning(self):
		# the break (12:00–13:00) is no session: 09:00–12:45 overlaps only the morning
		assert t.covers(slot("09:00", "12:45"), WINDOWS) == ("AM",)

	def test_crossing_into_the_afternoon_by_a_few_minutes_is_not_the_afternoon(self):
		assert t.covers(slot("09:00", "13:10"), WINDOWS) == ("AM",)
		assert t.covers(slot("11:50", "15:00"), WINDOWS) == ("PM",)

	def test_half_an_hour_into_the_other_session_covers_it(self):
		assert t.covers(slot("09:00", "13:30"), WINDOWS) == ("AM", "PM")
		assert t.covers(slot("11:30", "15:00"), WINDOWS) == ("AM", "PM")

	def test_when_both_overlaps_are_short_the_longer_wins(self):
		# 11:50–13:15: ten minutes of morning, fifteen of afternoon
		assert t.covers(slot("11:50", "13:15"), WINDOWS) == ("PM",)
		assert t.covers(slot("11:45", "13:15"), WINDOWS) == ("AM",)  # a tie goes to the morning

	def test_no_break_between_sessions(self):
		windows = SessionWindows(am_start=8 * 60 + 45, am_end=12 * 60 + 30, pm_start=12 * 60 + 30)
		assert t.covers(slot("08:45", "12:40"), windows) == ("AM",)
		assert t.covers(slot("08:45", "15:15"), windows) == ("AM", "PM")

	def test_before_and_after_the_school_day(self):
		assert t.covers(slot("08:00", "08:50"), WINDOWS) == ("AM",)  # a breakfast start
		assert t.covers(slot("16:00", "18:00"), WINDOWS) == ("PM",)  # an evening session

	def test_a_slot_in_the_break_covers_nothing_and_is_refused(self):
		lunch = slot("12:05", "12:55", row=3)
		assert t.covers(lunch, WINDOWS) == ()
		problems = t.check_sessions([slot("09:00", "12:00"), lunch], WINDOWS)
		assert [p.field for p in problems] == ["timetable"]
		assert problems[0].args[:3] == (3, "12:05", "12:55")

	def test_settings_windows_follow(self):
		late_lunch = SessionWindows(am_start=9 * 60, am_end=12 * 60 + 30, pm_start=13 * 60 + 30)
		assert t.covers(slot("12:00", "13:00"), late_lunch) == ("AM",)
		assert t.covers(slot("13:00", "15:00"), late_lunch) == ("PM",)

	def test_an_empty_or_backwards_slot_covers_nothing(self):
		assert t.covers(slot("10:00", "10:00"), WINDOWS) == ()
		assert t.covers(slot("11:00", "10:00"), WINDOWS) == ()
		assert t.check_sessions([slot("11:00", "10:00")], WINDOWS) == []  # check_slots says why


class TestWeeklySessions:
	def test_two_slots_in_one_session_are_one_mark(self):
		rows = [("Monday", True, False), ("Monday", True, False), ("Monday", False, True)]
		assert t.weekly_sessions(rows) == {("Monday", "AM"), ("Monday", "PM")}

	def test_a_full_time_week_is_ten_school_sessions(self):
		days = ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday"]
		assert t.school_sessions_per_week((d, True, True) for d in days) == 10

	def test_saturday_is_not_a_school_session(self):
		rows = [("Monday", True, True), ("Saturday", True, False)]
		assert t.weekly_sessions(rows) == {("Monday", "AM"), ("Monday", "PM"), ("Saturday", "AM")}
		assert t.school_sessions_per_week(rows) == 2

	def test_saturday_slots_cover_sessions_by_the_same_clock(self):
		assert t.covers(slot("10:00", "14:00", weekday="Saturday"), WINDOWS) == ("AM", "PM")


class TestRegisterOpens:
	def test_the_afternoon_register_of_a_full_day_opens_at_the_afternoon_start(self):
		assert t.register_opens("PM", [hm("09:00")], WINDOWS) == hm("13:00")
		assert t.register_opens("AM", [hm("09:00")], WINDOWS) == hm("09:00")

	def test_a_late_arrival_opens_the_register_when_the_pupil_is_due(self):
		assert t.register_opens("PM", [hm("13:30")], WINDOWS) == hm("13:30")
		assert t.register_opens("AM", [hm("10:15"), hm("11:00")], WINDOWS) == hm("10:15")

	def test_an_early_start_waits_for_the_session(self):
		assert t.register_opens("AM", [hm("08:00")], WINDOWS) == hm("09:00")

	def test_no_slot_falls_back_to_the_session_start(self):
		assert t.register_opens("PM", [], WINDOWS) == hm("13:00")


class TestWindows:
	def test_the_default_windows_are_valid(self):
		assert t.check_windows(WINDOWS) == []

	def test_a_morning_that_ends_before_it_starts(self):
		problems = t.check_windows(SessionWindows(am_start=9 * 60, am_end=8 * 60, pm_start=13 * 60))
		assert [p.field for p in problems] == ["am_session_end"]

	def test_an_afternoon_that_starts_inside_the_morning(self):
		problems = t.check_windows(SessionWindows(am_start=9 * 60, am_end=12 * 60, pm_start=11 * 60))
		assert [p.field for p in problems] == ["pm_session_start"]
