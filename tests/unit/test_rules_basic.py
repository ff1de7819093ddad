"""Pure rules: UPN, dates, identifiers, timetables."""

from datetime import date, time, timedelta

import pytest

from ap_framework.rules import dates, identifiers, timetable, upn


def kinds(problems):
	return [p.kind for p in problems]


def fields(problems):
	return [p.field for p in problems]


class TestUPN:
	def test_valid_upn_passes(self):
		assert upn.check("B801200005001") == []

	def test_check_letter_is_computed(self):
		assert upn.with_check_letter("801200005001") == "B801200005001"

	def test_wrong_check_letter_names_the_expected_letter(self):
		[p] = upn.check("A801200005001")
		assert p.field == "upn" and p.kind == "upn" and "B" in p.render()

	def test_unknown_la_code_is_refused(self):
		[p] = upn.check(upn.with_check_letter("000200005001"))
		assert "local authority" in p.render()

	def test_wrong_length_and_format(self):
		assert "13 characters" in upn.check("B8012")[0].render()
		assert upn.check("X80120000A001")[0].kind == "upn"

	def test_temporary_upn_is_accepted_and_recognised(self):
		temp = upn.with_check_letter("80120000500A")
		assert upn.check(temp) == []
		assert upn.is_temporary(temp)
		assert not upn.is_temporary("B801200005001")

	def test_normalise_strips_spaces_and_case(self):
		assert upn.normalise(" b801 2000 05001 ") == "B801200005001"

	def test_empty_upn_is_not_this_rules_business(self):
		assert upn.check("") == [] and upn.check(None) == []


class TestDates:
	def test_order_allows_equal_by_default(self):
		assert dates.order("a", date(2025, 1, 1), "b", date(2025, 1, 1), "A", "B") == []

	def test_order_refuses_later_before_earlier_naming_later_field(self):
		[p] = dates.order("start_date", date(2025, 2, 1), "end_date", date(2025, 1, 1), "Start", "End")
		assert p.field == "end_date" and p.kind == "date_order"

	def test_strict_order(self):
		assert dates.order("a", date(2025, 1, 1), "b", date(2025, 1, 1), "A", "B", allow_equal=False)

	def test_missing_dates_are_ignored(self):
		assert dates.order("a", None, "b", date(2025, 1, 1), "A", "B") == []

	def test_future(self):
		today = date(2025, 5, 1)
		assert dates.not_in_future("d", today + timedelta(days=1), today, "D")
		assert dates.not_in_future("d", today, today, "D") == []

	def test_within_open_and_closed_windows(self):
		start = date(2025, 1, 10)
		assert dates.within("d", date(2025, 1, 9), start, None, "D", "W")[0].kind == "outside_window"
		assert dates.within("d", date(2026, 1, 9), start, None, "D", "W") == []
		assert dates.within("d", date(2025, 2, 1), start, date(2025, 1, 31), "D", "W")


class TestIdentifiers:
	@pytest.mark.parametrize(
		"urn,ok", [("140001", True), ("1400012", True), ("14A001", False), ("12345", False)]
	)
	def test_urn(self, urn, ok):
		assert (identifiers.check_urn(urn) == []) is ok

	def test_ukprn_la_code_postcode(self):
		assert identifiers.check_ukprn("10000001") == []
		assert identifiers.check_ukprn("20000001")
		assert identifiers.check_la_code("801") == [] and identifiers.check_la_code("81")
		assert identifiers.check_postcode("BS1 5TR") == [] and identifiers.check_postcode("NOT A POSTCODE")

	def test_registered_school_needs_urn(self):
		assert fields(identifiers.check_provider_identity(True, "")) == ["urn"]
		assert identifiers.check_provider_identity(False, "") == []


def slot(day, start, end, row=1):
	return timetable.Slot(day, timetable.to_minutes(start), timetable.to_minutes(end), row)


class TestTimetable:
	def test_to_minutes_accepts_frappe_time_shapes(self):
		assert timetable.to_minutes("09:30:00") == 570
		assert timetable.to_minutes(timedelta(hours=13, minutes=5)) == 785
		assert timetable.to_minutes(time(8, 15)) == 495
		assert timetable.to_minutes(None) is None and timetable.to_minutes("x") is None

	def test_hours_and_part_time(self):
		slots = [slot(d, "09:00", "15:00") for d in ("Monday", "Tuesday", "Wednesday")]
		assert timetable.hours_per_week(slots) == 18
		assert timetable.is_part_time(18, 25) and not timetable.is_part_time(30, 25)

	def test_session_must_end_after_start(self):
		assert kinds(timetable.check_slots([slot("Monday", "10:00", "09:00")])) == ["timetable"]

	def test_overlapping_rows_same_day(self):
		problems = timetable.check_slots(
			[slot("Monday", "09:00", "12:00", 1), slot("Monday", "11:00", "13:00", 2)]
		)
		assert "overlap" in problems[0].render()

	def test_adjacent_rows_do_not_overlap(self):
		assert (
			timetable.check_slots([slot("Monday", "09:00", "12:00", 1), slot("Monday", "12:00", "15:00", 2)])
			== []
		)

	def test_bad_weekday(self):
		assert timetable.check_slots([timetable.Slot("Funday", 540, 600, 1)])

	def test_clash_with_other_placement_needs_dates_and_times_to_overlap(self):
		mine = [slot("Monday", "09:00", "12:00")]
		other = timetable.DatedTimetable(
			"PLC-1", date(2025, 1, 1), date(2025, 3, 1), (slot("Monday", "11:00", "15:00"),)
		)
		clash = timetable.check_against_other_placements(date(2025, 2, 1), None, mine, [other])
		assert kinds(clash) == ["timetable_clash"] and "PLC-1" in clash[0].render()
		# after the other placement ends: no clash
		assert timetable.check_against_other_placements(date(2025, 3, 2), None, mine, [other]) == []
		# another day: no clash
		assert (
			timetable.check_against_other_placements(
				date(2025, 2, 1), None, [slot("Tuesday", "09:00", "12:00")], [other]
			)
			== []
		)
