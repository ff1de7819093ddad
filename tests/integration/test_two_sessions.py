"""Two register sessions a day, in a real site: the timetable rows, the registers and their deadlines,
the attendance rate, the census, the planning-call pack, the demo and the patch for existing placements.

The Education (Pupil Registration) (England) Regulations 2024, reg. 10(1): the register is taken "at the
commencement of each morning session and once during the course of each afternoon session". The
world's placements pa1 and pb1 (provider P1) run 09:00-15:00 Monday to Friday: each is on both."""

from __future__ import annotations

import random
from datetime import datetime, time, timedelta

import frappe
import pytest

from ap_framework import exceptions as ex
from ap_framework.oversight import jobs
from ap_framework.oversight.report.ap_planning_call_pack import ap_planning_call_pack as pack
from ap_framework.patches.v0_1 import two_sessions_a_day
from ap_framework.placement.doctype.ap_attendance.ap_attendance import APAttendance
from ap_framework.portal import register
from ap_framework.settings import get_settings
from ap_framework.setup import demo
from tests.integration.test_portal import last_weekday

ROWS = [
	{"weekday": "Monday", "start_time": "09:00:00", "end_time": "15:00:00"},
	{"weekday": "Tuesday", "start_time": "09:00:00", "end_time": "12:00:00"},
	{"weekday": "Wednesday", "start_time": "13:15:00", "end_time": "15:00:00"},
	{"weekday": "Thursday", "start_time": "09:00:00", "end_time": "10:30:00"},
	{"weekday": "Thursday", "start_time": "11:00:00", "end_time": "12:00:00"},
]


def part_time(world, timetable, provider=None, **kw):
	"""A part-time placement doc of a new school A pupil with this timetable."""
	return world.placement_doc(
		world.pupil(world.school_a), provider or world.p1, days=["Monday"], timetable=timetable, **kw
	)


def covered(doc):
	return [(r.weekday, r.covers_am, r.covers_pm) for r in doc.timetable]


@pytest.fixture
def windows():
	"""Change AP Settings' session windows for one test, then put them back (and the cache with them)."""
	settings = frappe.get_single("AP Settings")
	saved = {f: settings.get(f) for f in ("am_session_start", "am_session_end", "pm_session_start")}

	def change(**values):
		doc = frappe.get_single("AP Settings")
		doc.update(values)
		doc.save()

	yield change
	doc = frappe.get_single("AP Settings")
	doc.update(saved)
	doc.flags.ignore_validate = True
	doc.save()


class TestTimetableRows:
	def test_each_row_shows_the_sessions_it_covers(self, world):
		doc = part_time(world, ROWS).insert()
		assert covered(doc) == [
			("Monday", 1, 1),  # 09:00-15:00: both
			("Tuesday", 1, 0),  # 09:00-12:00: the morning
			("Wednesday", 0, 1),  # 13:15-15:00: the afternoon
			("Thursday", 1, 0),  # two slots in one morning
			("Thursday", 1, 0),
		]
		# census sessions a week: Mon AM+PM, Tue AM, Wed PM, Thu AM (once, for two slots)
		assert doc.census_sessions == 5

	def test_the_rows_columns_are_shown_in_the_grid(self):
		meta = frappe.get_meta("Placement Session")
		assert [f.fieldname for f in meta.fields if f.in_list_view] == [
			"weekday",
			"start_time",
			"end_time",
			"covers_am",
			"covers_pm",
		]

	def test_a_slot_wholly_in_the_break_is_refused_naming_the_timetable(self, world):
		doc = part_time(world, [{"weekday": "Monday", "start_time": "12:10:00", "end_time": "12:50:00"}])
		before = frappe.db.count("Placement")
		with pytest.raises(ex.TimetableError, match="break between the morning and afternoon"):
			doc.insert()
		assert frappe.db.count("Placement") == before

	def test_the_windows_come_from_ap_settings(self, world, windows):
		windows(am_session_end="12:30:00", pm_session_start="13:30:00")
		doc = part_time(
			world,
			[
				{"weekday": "Monday", "start_time": "12:00:00", "end_time": "13:00:00"},
				{"weekday": "Tuesday", "start_time": "13:00:00", "end_time": "15:00:00"},
			],
		).insert()
		# with the morning to 12:30, 12:00-13:00 is a morning; 13:00-15:00 is mostly afternoon
		assert covered(doc) == [("Monday", 1, 0), ("Tuesday", 0, 1)]

	def test_ap_settings_refuse_an_afternoon_that_starts_inside_the_morning(self, windows):
		with pytest.raises(ex.TimetableError, match="afternoon session cannot start"):
			windows(pm_session_start="11:00:00")


class TestRegisters:
	def test_a_full_day_pupil_is_on_both_registers(self, world):
		on = last_weekday()
		assert {world.pa1, world.pb1} <= set(register.expected(world.p1, on, "AM"))
		assert {world.pa1, world.pb1} <= set(register.expected(world.p1, on, "PM"))

	def test_the_afternoon_deadline_runs_from_the_afternoon_start(self, world):
		on = last_weekday()
		day = datetime.combine(on, time())
		grace = get_settings().attendance_deadline_minutes
		at = lambda h, m: day + timedelta(hours=h, minutes=m)  # noqa: E731

		status = {s["session"]: s for s in register.status(world.p1, on, at(13, grace - 10))}
		assert status["AM"]["state"] == "overdue" and status["PM"]["state"] == "due"
		assert status["PM"]["expected"] == 2
		assert status["PM"]["deadline"] == at(13, grace)  # not 09:00 + grace
		status = {s["session"]: s for s in register.status(world.p1, on, at(13, grace + 10))}
		assert status["PM"]["state"] == "overdue"

		marks = [{"placement": world.pa1, "mark": "\\"}, {"placement": world.pb1, "mark": "\\"}]
		assert register.save(world.p1, on, "PM", marks, now=at(13, grace - 10))["inserted"] == 2
		reported = frappe.get_all(
			"AP Attendance",
			filters={"placement": ("in", [world.pa1, world.pb1]), "attendance_date": on, "session": "PM"},
			pluck="reported_late",
		)
		assert reported == [0, 0]  # in time for the afternoon, though hours after 09:00
		status = {s["session"]: s for s in register.status(world.p1, on, at(13, grace + 10))}
		assert status["PM"]["state"] == "done"

	def test_a_mark_made_in_the_desk_is_judged_from_its_sessions_start(self, world):
		on = last_weekday()
		settings = get_settings()
		doc = lambda session: frappe.get_doc(  # noqa: E731
			{"doctype": "AP Attendance", "placement": world.pa1, "attendance_date": on, "session": session}
		)
		assert APAttendance._session_start(doc("PM"), settings, on) == 13 * 60
		assert APAttendance._session_start(doc("AM"), settings, on) == 9 * 60

	def test_an_afternoon_only_pupil_is_not_on_the_morning_register(self, world):
		name = part_time(
			world,
			[{"weekday": last_weekday().strftime("%A"), "start_time": "13:15:00", "end_time": "15:00:00"}],
			start=last_weekday() - timedelta(days=7),
		).insert()
		name = world.advance(name, "Active").name
		assert name in register.expected(world.p1, last_weekday(), "PM")
		assert name not in register.expected(world.p1, last_weekday(), "AM")
		# its afternoon register opens at 13:15, when the pupil is due
		assert register.expected(world.p1, last_weekday(), "PM")[name].session_start == 13 * 60 + 15


class TestAttendanceRate:
	def test_the_afternoon_counts_in_the_rate(self, world):
		on = last_weekday()
		register.save(world.p1, on, "AM", [{"placement": world.pa1, "mark": "/"}])
		register.save(world.p1, on, "PM", [{"placement": world.pa1, "mark": "O"}])
		rates = jobs._attendance_rates(frappe.utils.getdate(), 1)
		assert rates[world.pa1] == 50.0  # one of two sessions that day


class TestCensusAndPack:
	def test_a_full_time_week_is_ten_census_sessions(self, world):
		doc = world.placement_doc(world.pupil(world.school_a), world.p1).insert()
		assert (doc.census_sessions, doc.census_attendance_pattern) == (10, "FT")

	def test_the_planning_call_pack_gives_sessions_beside_hours(self, world):
		frappe.set_user(world.users["ap_lead_a"])
		rows = {r["placement"]: r for r in pack.pack_rows(frappe._dict())}
		assert (rows[world.pa1]["hours_per_week"], rows[world.pa1]["sessions_per_week"]) == (30, 10)


class TestDemo:
	def test_the_demos_full_day_pupils_are_on_both_registers(self, world):
		pupil = world.pupil(world.school_a)
		demo._placement(frappe._dict(name=pupil), world.p1, "Active", random.Random(1))
		name = frappe.db.get_value("Placement", {"pupil": pupil}, "name")
		day = last_weekday()
		days = {r.weekday for r in frappe.get_doc("Placement", name).timetable}
		while day.strftime("%A") not in days:
			day -= timedelta(days=1)
		assert name in register.expected(world.p1, day, "AM")
		assert name in register.expected(world.p1, day, "PM")


class TestPatch:
	def test_existing_placements_are_recomputed_and_nothing_else_changes(self, world):
		frappe.db.set_value("AP Provider", world.p1, "cost_per_session", 40)
		doc = world.placement_doc(
			world.pupil(world.school_a), world.p1, charging_basis="Per Session"
		).insert()
		before = frappe.db.get_value("Placement", doc.name, "*", as_dict=True)
		rows_before = frappe.get_all(
			"Placement Session", filters={"parent": doc.name}, fields=["*"], order_by="idx"
		)
		# as an earlier version left it: each row on the morning register only, five census sessions, half
		# the sessions planned and costed
		frappe.db.sql(
			"update `tabPlacement Session` set covers_am = 1, covers_pm = 0 where parent = %s", doc.name
		)
		frappe.db.sql(
			"update tabPlacement set census_sessions = 5, planned_units = %s, planned_cost = %s where name = %s",
			(before.planned_units // 2, before.planned_cost / 2, doc.name),
		)
		for _run in range(2):  # and a second run changes nothing more
			two_sessions_a_day.execute()
			after = frappe.db.get_value("Placement", doc.name, "*", as_dict=True)
			assert after == before  # modified, status and every other field as they were
			rows_after = frappe.get_all(
				"Placement Session", filters={"parent": doc.name}, fields=["*"], order_by="idx"
			)
			assert rows_after == rows_before
		assert (before.census_sessions, before.planned_cost) == (10, before.planned_units * 40)
