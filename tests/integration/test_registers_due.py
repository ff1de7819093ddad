"""The day's registers due (AP Register Due), in a real site: the registers-outstanding card gives the
same count from the rows as worked out from every timetable and mark, whatever moves it (a register saved
on the portal, a mark made or deleted in the desk, a placement ended, a timetable changed), scoped to the
viewer; and rows not for today are never read."""

from __future__ import annotations

from datetime import timedelta

import frappe
import pytest

from ap_framework.oversight import cards
from ap_framework.placement import registers_due
from ap_framework.portal import register
from ap_framework.utils import site_today


def worked_out() -> int:
	"""The card as it works the count out from the timetables and marks (no rows for today)."""
	stamp = frappe.db.get_value(registers_due.TABLE, registers_due.STAMP, "day")
	frappe.db.set_value(registers_due.TABLE, registers_due.STAMP, "day", "2000-01-03", update_modified=False)
	try:
		assert registers_due.outstanding(site_today(), lambda q, t: q) is None
		return cards.registers_outstanding()
	finally:
		frappe.db.set_value(registers_due.TABLE, registers_due.STAMP, "day", stamp, update_modified=False)


def both() -> tuple[int, int]:
	"""(from the rows, worked out): the card both ways."""
	return cards.registers_outstanding(), worked_out()


def desk_mark(day):
	"""A morning mark made in the desk for this test's placement today."""
	return frappe.get_doc(
		{
			"doctype": "AP Attendance",
			"placement": day.mine,
			"attendance_date": day.today,
			"session": "AM",
			"mark": "/",
		}
	).insert()


@pytest.fixture
def day(world):
	"""Today's rows, and a placement of this test's own due on both of today's registers (rolled back)."""
	today = site_today()
	if today.weekday() >= 5:
		pytest.skip("no weekday registers on a weekend (the site's today)")
	mine = world.placement(world.pupil(world.school_a), world.p1, "Active").name
	registers_due.rebuild()
	assert registers_due.stamped() == today
	return frappe._dict(today=today, mine=mine)


class TestTheRows:
	def test_the_rows_give_the_count_worked_out(self, world, day):
		kept, fresh = both()
		assert kept == fresh and kept >= 2  # this test's placement is due on both registers
		assert frappe.db.count(registers_due.TABLE, {"placement": day.mine, "marked": 0}) == 2

	def test_they_are_written_each_night_and_on_install(self):
		assert (
			"ap_framework.placement.registers_due.rebuild"
			in frappe.get_hooks("scheduler_events")["daily_long"]
		)


class TestKeptInStep:
	def test_a_register_saved_on_the_portal_marks_its_rows(self, world, day):
		before = cards.registers_outstanding()
		register.save(world.p1, day.today, "AM", [{"placement": day.mine, "mark": "/"}])
		assert both() == (before - 1, before - 1)
		register.save(world.p1, day.today, "PM", [{"placement": day.mine, "mark": "\\"}])
		assert both() == (before - 2, before - 2)

	def test_a_mark_made_and_deleted_in_the_desk(self, world, day):
		before = cards.registers_outstanding()
		mark = desk_mark(day)
		assert both() == (before - 1, before - 1)
		mark.delete()
		assert both() == (before, before)

	def test_a_placement_ended_and_a_timetable_changed(self, world, day):
		before = cards.registers_outstanding()
		doc = frappe.get_doc("Placement", day.mine)
		for slot in doc.timetable:  # today's slots moved to Saturday: the same hours, a day not due today
			if slot.weekday == day.today.strftime("%A"):
				slot.weekday = "Saturday"
		doc.save()
		assert both() == (before - 2, before - 2)  # not on today's registers any more
		other = world.placement(world.pupil(world.school_a), world.p1, "Active").name
		assert both() == (before, before)
		frappe.get_doc("Placement", other).db_set("status", "Ended")
		assert both() == (before - 2, before - 2)

	def test_scoped_to_the_viewer(self, world, day):
		for key in ("ap_lead_a", "ap_lead_b"):
			frappe.set_user(world.users[key])
			try:
				kept, fresh = both()
			finally:
				frappe.set_user("Administrator")
			assert kept == fresh
		frappe.set_user(world.users["ap_lead_b"])
		try:
			assert cards.registers_outstanding() == both()[1]
		finally:
			frappe.set_user("Administrator")


class TestWrittenBeneath:
	def test_a_placement_deleted_or_ended_or_a_mark_made_beneath_the_documents_never_counts(self, world, day):
		before = cards.registers_outstanding()
		gone = world.placement(world.pupil(world.school_a), world.p1, "Active").name
		ended = world.placement(world.pupil(world.school_a), world.p1, "Active").name
		assert cards.registers_outstanding() == before + 4
		frappe.db.delete("Placement Session", {"parent": gone})
		frappe.db.delete("Placement", {"name": gone})  # as a cleanup by SQL would
		frappe.db.set_value("Placement", ended, "status", "Ended")
		p = frappe.get_doc("Placement", day.mine)
		frappe.db.sql(
			"""insert into `tabAP Attendance` (name, placement, pupil, school, provider, attendance_date,
			session, mark, docstatus) values (%s, %s, %s, %s, %s, %s, 'AM', '/', 0)""",
			(frappe.generate_hash(length=10), p.name, p.pupil, p.school, p.provider, day.today),
		)
		assert both() == (before - 1, before - 1)


class TestNeverStale:
	def test_rows_for_another_day_are_not_read_nor_kept(self, world, day):
		registers_due.rebuild(day.today - timedelta(days=1))
		assert registers_due.outstanding(day.today, lambda q, t: q) is None
		desk_mark(day)
		assert frappe.db.count(registers_due.TABLE, {"placement": day.mine, "day": day.today}) == 0
