"""The home school's register: which code the school records for each session of a pupil in AP.

Each mapping names the line of DfE "Working together to improve school attendance" (statutory guidance,
August 2024), section "Attendance codes", that it follows:
- "Code / and \\: Present (am / pm)"; "Code L: Late arrival before the register is closed" (heading
  "Attending the school" at the provider: the AP's own present marks);
- heading "Attending a place other than the school": "Code K: Attending education provision arranged by
  the local authority" (s.19 Education Act 1996, ss.42 and 61 Children and Families Act 2014), whose
  text adds that "a pupil attending provision arranged by the school rather than the local authority
  must be recorded using Codes P or B instead"; and "Code B: Attending any other approved educational
  activity";
- "Code D: Dual registered – at another school": a session the pupil is registered at, and attending,
  the other school, which is not a possible session at the home school;
- the absence headings ("Absent – leave of absence", "Absent – other authorised reasons", "Absent –
  suspended or excluded", "Absent – unable to attend school because of unavoidable cause", "Absent –
  unauthorised absence"): the code names why the pupil was absent from the provision, and the home
  school's register says the same of the same session.
"""

import json
from datetime import date, datetime
from pathlib import Path

import pytest

from ap_framework.rules import attendance
from ap_framework.rules import home_register as hr
from ap_framework.rules.timetable import SessionWindows

APP = Path(__file__).resolve().parents[2] / "ap_framework"
WINDOWS = SessionWindows(am_start=9 * 60, am_end=12 * 60, pm_start=13 * 60)
MON, TUE, WED, FRI, SAT = (date(2025, 3, d) for d in (10, 11, 12, 14, 15))
LATER = datetime(2025, 4, 1, 12, 0)  # long after every session of the week: all are due
DEADLINE = 60  # minutes after the register opens


def part(home="B", mark=None, provider="Oak AP", **kw):
	return hr.Part(kw.pop("placement", f"PLC-{provider}"), provider, home, mark, **kw)


class TestCodes:
	@pytest.mark.parametrize("mark", ["/", "\\", "L"])
	def test_present_at_a_placement_the_school_arranged_is_b(self, mark):
		# "Code B: Attending any other approved educational activity"; and the K line: provision the
		# school arranges "must be recorded using Codes P or B instead"
		assert hr.code_for("B", mark) == "B"

	@pytest.mark.parametrize("mark", ["/", "\\", "L"])
	def test_present_at_provision_the_la_arranged_is_k(self, mark):
		# "Code K: Attending education provision arranged by the local authority"
		assert hr.code_for("K", mark) == "K"

	@pytest.mark.parametrize("mark", [None, "/", "N", "I"])
	def test_a_dual_registered_pupil_is_d_whatever_the_ap_says(self, mark):
		# "Code D: Dual registered – at another school": not a possible session at the home school,
		# recorded from the registration, not from the other school's mark
		assert hr.code_for("D", mark) == "D"

	@pytest.mark.parametrize("mark", sorted(attendance.MARKS.keys() - attendance.PRESENT))
	def test_every_absence_not_possible_and_late_after_close_code_passes_through(self, mark):
		# the "Absent – ..." headings: I, M, C, C1, C2, E, G, J1, N, O, R, S, T, U, X, Q, Y1–Y7;
		# U (arrived after the register closed) is an unauthorised absence, not a late mark
		assert hr.code_for("B", mark) == mark and hr.code_for("K", mark) == mark

	def test_nothing_reported_is_no_code(self):
		# no line of the guidance lets a school record a session before it knows what happened
		assert hr.code_for("B", None) is None and hr.code_for("K", None) is None

	@pytest.mark.parametrize("mark", ["H", "Y", "J", "#", "", "Z"])
	def test_a_withdrawn_or_unknown_mark_is_not_a_report(self, mark):
		# H, Y and J were withdrawn from 19 August 2024; Z and # are the school's administrative codes
		assert hr.code_for("B", mark) is None
		assert hr.entry([part("B", mark)]).status == hr.MISSING

	def test_no_home_code_invents_none(self):
		assert hr.code_for(None, "/") is None

	@pytest.mark.parametrize(
		"placement_type, code",
		[
			("Off-site Direction", "B"),
			("Managed Move Trial", "B"),
			("Internal AP Unit", "B"),
			("Cross-trust Academy", "B"),
			("LA-arranged", "K"),
			("Dual Registration", "D"),
			(None, None),
		],
	)
	def test_who_arranged_it_comes_from_the_placement_type(self, placement_type, code):
		assert hr.home_code(placement_type) == code

	def test_the_placements_own_code_comes_first(self):
		assert hr.home_code("Off-site Direction", "K") == "K"
		assert hr.home_code("LA-arranged", "") == "K"  # not yet derived: from its type
		assert hr.home_code("LA-arranged", "Q") == "K"  # not a home-school code: from its type


class TestOneSession:
	def test_reported_present(self):
		e = hr.entry([part("K", "/")])
		assert (e.code, e.status, e.ap_mark) == ("K", hr.REPORTED, "/")
		assert (e.providers, e.awaiting) == (("Oak AP",), ())

	def test_reported_absent(self):
		e = hr.entry([part("B", "I")])
		assert (e.code, e.status, e.ap_mark) == ("I", hr.REPORTED, "I")

	def test_missing_names_the_provider_and_has_no_code(self):
		e = hr.entry([part("B", None)])
		assert (e.code, e.status, e.ap_mark, e.awaiting) == (None, hr.MISSING, None, ("Oak AP",))

	def test_not_yet_due_has_no_code_either(self):
		e = hr.entry([part("B", None, due=False)])
		assert (e.code, e.status, e.awaiting) == (None, hr.NOT_YET_DUE, ("Oak AP",))

	def test_dual_registered_without_a_report_is_d_with_no_ap_mark(self):
		e = hr.entry([part("D", None)])
		assert (e.code, e.status, e.ap_mark, e.awaiting) == ("D", hr.DUAL, None, ())

	def test_dual_registered_shows_the_ap_mark_for_information(self):
		assert hr.entry([part("D", "N")]).ap_mark == "N"

	def test_reported_for_a_session_the_timetable_does_not_show(self):
		e = hr.entry([part("B", "/", timetabled=False)])
		assert (e.code, e.status, e.timetabled) == ("B", hr.NOT_TIMETABLED, False)


class TestTwoProvidersInOneSession:
	"""A morning split between two providers: one code for the session."""

	def test_present_at_either_is_attending(self):
		e = hr.entry([part("B", "N", "Oak AP", opens=540), part("K", "/", "Elm AP", opens=630)])
		assert (e.code, e.status, e.providers) == ("K", hr.REPORTED, ("Oak AP", "Elm AP"))
		assert e.ap_mark == "N, /"

	def test_the_earlier_present_placement_decides_b_or_k(self):
		e = hr.entry([part("K", "/", "Elm AP", opens=630), part("B", "L", "Oak AP", opens=540)])
		assert e.code == "B" and e.providers == ("Oak AP", "Elm AP")

	def test_absent_at_both_is_the_earlier_absence(self):
		e = hr.entry([part("B", "O", "Elm AP", opens=630), part("B", "I", "Oak AP", opens=540)])
		assert (e.code, e.status) == ("I", hr.REPORTED)

	def test_one_absent_one_unreported_is_missing_naming_the_one_awaited(self):
		e = hr.entry([part("B", "I", "Oak AP", opens=540), part("B", None, "Elm AP", opens=630)])
		assert (e.code, e.status, e.awaiting) == (None, hr.MISSING, ("Elm AP",))

	def test_present_at_one_does_not_wait_for_the_other(self):
		e = hr.entry([part("B", "/", "Oak AP", opens=540), part("B", None, "Elm AP", opens=630)])
		assert (e.code, e.status, e.awaiting) == ("B", hr.REPORTED, ("Elm AP",))

	def test_a_dual_registration_in_the_session_makes_it_d(self):
		e = hr.entry([part("B", "/", "Oak AP"), part("D", None, "Elm School")])
		assert e.code == "D" and e.status == hr.DUAL


class TestPeriod:
	def test_default_is_this_school_week(self):
		assert hr.period(None, None, WED) == (MON, FRI)
		assert hr.period(None, None, SAT) == (MON, FRI)  # the week just gone

	def test_a_start_alone_runs_to_its_friday_an_end_alone_from_its_monday(self):
		assert hr.period(TUE, None, WED) == (TUE, FRI)
		assert hr.period(SAT, None, WED) == (SAT, SAT)
		assert hr.period(None, WED, WED) == (MON, WED)

	def test_a_term_is_allowed(self):
		assert hr.check_period(date(2025, 1, 6), date(2025, 4, 15)) == []  # 100 days

	def test_longer_than_a_term_is_refused_naming_the_to_date(self):
		[p] = hr.check_period(date(2025, 1, 6), date(2025, 4, 16))
		assert p.field == "to_date" and p.kind == "register_period" and "101" in p.render()

	def test_backwards_is_refused_naming_the_to_date(self):
		[p] = hr.check_period(WED, MON)
		assert p.field == "to_date" and p.kind == "register_period"

	def test_school_days_are_monday_to_friday_less_closures(self):
		days = hr.school_days(MON, date(2025, 3, 17), closed={WED})
		assert days == [MON, TUE, date(2025, 3, 13), FRI, date(2025, 3, 17)]


def placement(name="PLC-1", pupil="PUP-1", provider="Oak AP", home="B", start=MON, end=None):
	return hr.Placement(name, pupil, provider, home, start, end)


def slot(weekday="Monday", am=True, pm=True, start=9 * 60, name="PLC-1"):
	return hr.Slot(name, weekday, am, pm, start)


def build(placements, slots, marks=(), days=(MON, TUE, WED), now=LATER):
	return hr.register(placements, slots, marks, days, now, WINDOWS, DEADLINE)


class TestRegister:
	def test_a_full_day_is_an_am_and_a_pm_row(self):
		out = build([placement()], [slot("Monday")])
		assert set(out) == {("PUP-1", MON, "AM"), ("PUP-1", MON, "PM")}
		assert {e.status for e in out.values()} == {hr.MISSING}

	def test_only_the_sessions_the_timetable_covers(self):
		out = build([placement()], [slot("Tuesday", am=False, pm=True, start=13 * 60)])
		assert set(out) == {("PUP-1", TUE, "PM")}

	def test_marks_give_the_codes(self):
		marks = [hr.Mark("PLC-1", MON, "AM", "/"), hr.Mark("PLC-1", MON, "PM", "N")]
		out = build([placement(home="K")], [slot("Monday")], marks)
		assert out[("PUP-1", MON, "AM")].code == "K" and out[("PUP-1", MON, "PM")].code == "N"

	def test_not_before_the_start_nor_after_the_end(self):
		p = placement(start=TUE, end=TUE)
		out = build([p], [slot(d) for d in ("Monday", "Tuesday", "Wednesday")])
		assert {k[1] for k in out} == {TUE}

	def test_a_mark_on_an_untimetabled_school_day_still_appears(self):
		out = build([placement()], [slot("Monday")], [hr.Mark("PLC-1", WED, "AM", "I")])
		e = out[("PUP-1", WED, "AM")]
		assert (e.code, e.status, e.timetabled) == ("I", hr.NOT_TIMETABLED, False)

	def test_a_mark_on_a_closed_day_or_a_weekend_is_not_a_school_session(self):
		marks = [hr.Mark("PLC-1", WED, "AM", "/"), hr.Mark("PLC-1", SAT, "AM", "/")]
		out = build([placement()], [slot("Wednesday"), slot("Saturday")], marks, days=(MON, TUE))
		assert out == {}

	def test_closed_days_have_no_rows(self):
		days = hr.school_days(MON, WED, closed={TUE})
		out = build([placement()], [slot(d) for d in ("Monday", "Tuesday", "Wednesday")], days=days)
		assert {k[1] for k in out} == {MON, WED}

	def test_two_slots_in_one_session_are_one_row(self):
		out = build([placement()], [slot("Monday", pm=False), slot("Monday", pm=False, start=10 * 60)])
		assert list(out) == [("PUP-1", MON, "AM")]

	def test_two_placements_in_one_session_are_one_row_for_the_pupil(self):
		ps = [placement("PLC-1"), placement("PLC-2", provider="Elm AP")]
		slots = [slot("Monday", pm=False, name="PLC-1"), slot("Monday", pm=False, start=630, name="PLC-2")]
		out = build(ps, slots, [hr.Mark("PLC-2", MON, "AM", "/")])
		assert list(out) == [("PUP-1", MON, "AM")]
		assert out[("PUP-1", MON, "AM")].providers == ("Oak AP", "Elm AP")

	def test_a_session_before_its_deadline_is_not_yet_due_after_it_missing(self):
		# the morning register opens at 09:00; the AP has DEADLINE minutes to report it
		before = build([placement()], [slot("Monday", pm=False)], now=datetime(2025, 3, 10, 9, 59))
		after = build([placement()], [slot("Monday", pm=False)], now=datetime(2025, 3, 10, 10, 1))
		assert before[("PUP-1", MON, "AM")].status == hr.NOT_YET_DUE
		assert after[("PUP-1", MON, "AM")].status == hr.MISSING

	def test_the_afternoon_deadline_runs_from_the_afternoon(self):
		out = build([placement()], [slot("Monday")], now=datetime(2025, 3, 10, 13, 30))
		assert out[("PUP-1", MON, "AM")].status == hr.MISSING
		assert out[("PUP-1", MON, "PM")].status == hr.NOT_YET_DUE

	def test_a_mark_for_a_placement_not_gathered_is_ignored(self):
		assert build([], [], [hr.Mark("PLC-9", MON, "AM", "/")]) == {}


class TestCsv:
	def test_header_and_iso_dates(self):
		row = {"upn": "A801", "last_name": "Smith", "first_name": "Sam", "date": MON, "session": "PM"}
		[cells] = hr.csv_rows(
			[{**row, "code": "B", "provider": "Oak AP", "status": hr.REPORTED, "ap_mark": "\\"}]
		)
		assert hr.CSV_HEADER[:6] == ("UPN", "Surname", "Forename", "Date", "Session", "Mark")
		assert cells == ["A801", "Smith", "Sam", "2025-03-10", "PM", "B", "Oak AP", "Reported", "\\"]

	def test_a_missing_code_is_an_empty_cell(self):
		[cells] = hr.csv_rows([{"code": None, "status": hr.MISSING}])
		assert cells[5] == "" and cells[7] == "Missing"

	@pytest.mark.parametrize("text", ["=HYPERLINK(1)", "+1", "-1", "@SUM(A1)"])
	def test_nothing_a_spreadsheet_would_run(self, text):
		assert hr.csv_cell(text) == "'" + text


def test_the_reports_roles_are_the_viewers():
	report = json.loads((APP / "oversight/report/home_school_register/home_school_register.json").read_text())
	assert {r["role"] for r in report["roles"]} == set(hr.VIEWER_ROLES)
