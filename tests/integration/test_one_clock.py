"""One clock, in a real site: with the site's time zone across midnight from the server's, the cards and
the readiness board count the site's today, not the server's."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import frappe
import pytest
from frappe.utils import getdate, today

from ap_framework.oversight import cards, evidence

# UTC+14 and UTC-12: at any hour one of them is on another date than a server on UTC (or near it)
ZONES = ("Pacific/Kiritimati", "Etc/GMT+12")


@pytest.fixture
def far_zone(world):
	"""The site's time zone set (in this process only) to one whose date is not the server's today."""
	server_today = dt.date.today()
	zone = next(z for z in ZONES if dt.datetime.now(ZoneInfo(z)).date() != server_today)
	settings = frappe.get_doc("System Settings")
	settings.time_zone = zone
	saved = getattr(frappe.local, "system_settings", None)
	frappe.local.system_settings = settings
	assert getdate(today()) != server_today  # the test means something only if the two disagree
	yield frappe._dict(zone=zone, site=getdate(today()), server=server_today)
	frappe.local.system_settings = saved


def test_registers_outstanding_counts_the_sites_today(world, far_zone):
	"""A register marked for the site's today is no longer outstanding, whatever the server's date."""
	frappe.set_user(world.users["ap_lead_a"])
	outstanding = cards.registers_outstanding()
	assert outstanding == (2 if far_zone.site.weekday() < 5 else 0)
	if outstanding:
		frappe.set_user("Administrator")
		frappe.get_doc(
			{
				"doctype": "AP Attendance",
				"placement": world.pa1,
				"attendance_date": far_zone.site,
				"session": "AM",
				"mark": "/",
			}
		).insert()
		frappe.set_user(world.users["ap_lead_a"])
		assert cards.registers_outstanding() == 1


def test_reviews_overdue_on_the_sites_date(world, far_zone):
	"""A review due on the day between the two clocks' dates is overdue only where the site is ahead."""
	due = min(far_zone.site, far_zone.server)
	frappe.db.set_value("Placement", world.pa1, "next_review_date", due)
	frappe.set_user(world.users["ap_lead_a"])
	overdue = cards.reviews_overdue()
	assert overdue == (1 if far_zone.site > far_zone.server else 0)
	frappe.set_user("Administrator")
	facts = evidence.readiness_facts(user=world.users["ap_lead_a"], school=world.school_a)
	assert facts.today == far_zone.site
	assert (world.pa1 in facts.placements_review_overdue) == (far_zone.site > far_zone.server)
