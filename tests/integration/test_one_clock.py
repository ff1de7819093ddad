"""One clock, in a real site: the site's time zone is set far from UTC and the site's time frozen just
before and just after midnight, as Frappe's own tests freeze it (FrappeTestCase.freeze_time: the site-local
moment converted to UTC with the site's zone, then frozen with freezegun). The server's clock then reads
UTC: in each zone one of the two moments puts the server on another date than the site, the other at
another hour. The cards, the readiness board, the jobs (on their default path, as the scheduler calls
them) and the provider's register must all judge by the site's date and time."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import frappe
import pytest
from frappe.utils import get_datetime, getdate, now_datetime, today
from freezegun import freeze_time

from ap_framework.development import monitoring
from ap_framework.oversight import alerts as alerts_module
from ap_framework.oversight import cards, evidence, jobs
from ap_framework.portal import register
from ap_framework.rules import oversight as rules
from ap_framework.settings import get_settings
from tests.integration import test_jobs, test_monitoring

town = test_jobs.town  # a fixture: the jobs' own schools and providers, rolled back with each test
returned = test_monitoring.returned  # a fixture: a placement ended with the pupil back at school

# UTC+14 and UTC-12: the site's midnight is the server's mid-morning or mid-evening
ZONES = ("Pacific/Kiritimati", "Etc/GMT+12")
# Site-local moments either side of the midnight that starts a school day (the Monday)
MOMENTS = {"sunday 23:50": (-1, dt.time(23, 50)), "monday 00:10": (0, dt.time(0, 10))}


def next_monday() -> dt.date:
	"""The first Monday after the real date: the committed world's placements (dated from the real today)
	are running then, and nothing has been marked for it yet."""
	day = dt.datetime.now(dt.UTC).date() + dt.timedelta(days=1)
	return day + dt.timedelta(days=(7 - day.weekday()) % 7)


def to_utc(local: dt.datetime, zone: str) -> dt.datetime:
	"""A site-local moment as the naive UTC one freezegun freezes (as FrappeTestCase.freeze_time does)."""
	return local.replace(tzinfo=ZoneInfo(zone)).astimezone(dt.UTC).replace(tzinfo=None)


@pytest.fixture(params=[(z, m) for z in ZONES for m in MOMENTS], ids=lambda p: f"{p[0]} {p[1]}")
def site_clock(request, world, monkeypatch):
	"""The site's time zone set (in this process only) to a far zone, and time frozen at a site-local
	moment. `move(local)` moves the frozen clock to another site-local moment."""
	zone, moment = request.param
	days, at = MOMENTS[moment]
	monday = next_monday()
	local = dt.datetime.combine(monday + dt.timedelta(days=days), at)
	settings = frappe.get_doc("System Settings")
	settings.time_zone = zone
	saved = getattr(frappe.local, "system_settings", None)
	frappe.local.system_settings = settings
	# The jobs commit every COMMIT_EVERY alerts; this test's alerts are rolled back with it
	monkeypatch.setattr(alerts_module, "COMMIT_EVERY", 10**9)
	started = now_datetime()
	with freeze_time(to_utc(local, zone)) as frozen:
		server = dt.datetime.now()  # what a server on UTC reads: freezegun freezes UTC
		assert now_datetime() == local and getdate(today()) == local.date()
		assert (server.date(), server.hour) != (local.date(), local.hour)  # the two clocks disagree
		yield frappe._dict(
			zone=zone,
			now=local,
			today=local.date(),
			server=server,
			monday=monday,
			move=lambda to: frozen.move_to(to_utc(to, zone)),
		)
	frappe.local.system_settings = saved
	# What was cached while frozen holds freezegun's dates (pickled as freezegun.api.FakeDatetime), which
	# a process without freezegun (a worker, the web server, a console) could not read back
	frappe.clear_cache()
	frappe.db.delete("Error Log", {"creation": (">=", started), "method": ("like", "AP %")})


def alert_periods(rule: str, placement: str) -> list[str]:
	return sorted(
		frappe.get_all("AP Alert", filters={"rule": rule, "reference_name": placement}, pluck="period")
	)


# ---- the cards and the board ------------------------------------------------------------------------
def test_registers_outstanding_are_the_sites_todays(world, site_clock):
	"""Monday's registers are outstanding from the site's Monday midnight, not the server's: school A's
	two full-day pupils, each on the morning and the afternoon register."""
	frappe.set_user(world.users["ap_lead_a"])
	assert cards.registers_outstanding() == (4 if site_clock.today.weekday() < 5 else 0)


def test_reviews_overdue_and_assurances_expiring_count_the_sites_date(world, site_clock):
	"""A review due yesterday (by the site) is overdue, one due today is not; an assurance running out
	30 days from the site's today is expiring, one running out the day after is not."""
	frappe.db.set_value("Placement", world.pa1, "next_review_date", site_clock.today - dt.timedelta(days=1))
	frappe.set_user(world.users["ap_lead_a"])
	assert cards.reviews_overdue() == 1
	frappe.set_user("Administrator")
	frappe.db.set_value("Placement", world.pa1, "next_review_date", site_clock.today)
	frappe.set_user(world.users["ap_lead_a"])
	assert cards.reviews_overdue() == 0

	frappe.set_user("Administrator")
	if not frappe.db.exists("Safeguarding Assurance", {"provider": world.p1}):
		frappe.get_doc(
			{
				"doctype": "Safeguarding Assurance",
				"provider": world.p1,
				"received_date": site_clock.today - dt.timedelta(days=30),
				"valid_until": site_clock.today,
				"signed_by": "The provider's head",
			}
		).insert()
	expiring = {}
	for days in (30, 31):
		frappe.set_user("Administrator")
		until = site_clock.today + dt.timedelta(days=days)
		frappe.db.set_value("Safeguarding Assurance", {"provider": world.p1}, "valid_until", until)
		frappe.set_user(world.users["ap_lead_a"])
		expiring[days] = cards.assurances_expiring()
	assert expiring[30] == expiring[31] + 1


def test_the_readiness_board_is_dated_by_the_site(world, site_clock):
	frappe.db.set_value("Placement", world.pa1, "next_review_date", site_clock.today - dt.timedelta(days=1))
	frappe.db.set_value("Placement", world.pa2, "next_review_date", site_clock.today)
	facts = evidence.readiness_facts(user=world.users["ap_lead_a"], school=world.school_a)
	assert facts.today == site_clock.today
	assert world.pa1 in facts.placements_review_overdue
	assert world.pa2 not in facts.placements_review_overdue


# ---- the jobs, on the scheduler's path (no `now`) ---------------------------------------------------
def test_a_missed_register_is_the_sites_todays_after_the_sites_deadline(site_clock, town):
	"""Nothing is missed at midnight; Monday's AM register (09:00, 30 minutes' grace) is missed at 09:40
	site time, whatever the server's clock says, and the full-day pupil's PM register (13:00) at 13:40."""
	jobs.attendance_deadlines()
	assert alert_periods(rules.ATTENDANCE_NOT_MARKED, town.pa1) == []
	site_clock.move(dt.datetime.combine(site_clock.monday, dt.time(9, 20)))
	jobs.attendance_deadlines()
	assert alert_periods(rules.ATTENDANCE_NOT_MARKED, town.pa1) == []
	site_clock.move(dt.datetime.combine(site_clock.monday, dt.time(9, 40)))
	jobs.attendance_deadlines()
	assert alert_periods(rules.ATTENDANCE_NOT_MARKED, town.pa1) == [f"{site_clock.monday} AM"]
	site_clock.move(dt.datetime.combine(site_clock.monday, dt.time(13, 20)))
	jobs.attendance_deadlines()
	assert alert_periods(rules.ATTENDANCE_NOT_MARKED, town.pa1) == [f"{site_clock.monday} AM"]
	site_clock.move(dt.datetime.combine(site_clock.monday, dt.time(13, 40)))
	jobs.attendance_deadlines()
	assert alert_periods(rules.ATTENDANCE_NOT_MARKED, town.pa1) == [
		f"{site_clock.monday} AM",
		f"{site_clock.monday} PM",
	]


def test_a_review_is_overdue_the_day_after_its_date_by_the_site(site_clock, town):
	yesterday, today_ = site_clock.today - dt.timedelta(days=1), site_clock.today
	frappe.db.set_value("Placement", town.pa1, "next_review_date", yesterday)
	frappe.db.set_value("Placement", town.pa2, "next_review_date", today_)
	jobs.reviews()
	assert alert_periods(rules.REVIEW_OVERDUE, town.pa1) == [yesterday.isoformat()]
	assert alert_periods(rules.REVIEW_OVERDUE, town.pa2) == []
	assert alert_periods(rules.REVIEW_DUE, town.pa2) == [today_.isoformat()]


def test_an_assurance_expires_after_its_last_day_by_the_site(site_clock, town):
	"""Valid until the site's yesterday: expired; until the site's today: still expiring, not expired."""
	for provider, until in ((town.p1, site_clock.today - dt.timedelta(days=1)), (town.p2, site_clock.today)):
		frappe.db.delete("Safeguarding Assurance", {"provider": provider})
		frappe.get_doc(
			{
				"doctype": "Safeguarding Assurance",
				"provider": provider,
				"received_date": until - dt.timedelta(days=300),
				"valid_until": until,
				"signed_by": "The provider's head",
			}
		).insert()
	jobs.providers()
	expired = lambda p: frappe.get_all(  # noqa: E731
		"AP Alert", filters={"rule": rules.ASSURANCE_EXPIRED, "reference_name": p}, pluck="name"
	)
	assert expired(town.p1)
	assert not expired(town.p2)


def test_a_placement_ends_within_the_warning_by_the_sites_date(site_clock, town):
	"""Ending within the warning window of the site's today with no reintegration plan: a task; a day
	later: not yet."""
	warning = get_settings().ending_warning_days
	ends = {town.pa1: warning, town.pa2: warning + 1}
	for placement, days in ends.items():
		end = site_clock.today + dt.timedelta(days=days)
		frappe.db.set_value("Placement", placement, "planned_end_date", end)
	jobs.placements()
	assert alert_periods(rules.ENDING_WITHOUT_PLAN, town.pa1) == [
		(site_clock.today + dt.timedelta(days=warning)).isoformat()
	]
	assert alert_periods(rules.ENDING_WITHOUT_PLAN, town.pa2) == []


def test_a_check_in_comes_round_on_the_sites_date(site_clock, returned):
	"""Check-ins every two weeks after the return: due on the site's today when it returned 14 days ago,
	not yet when it returned 13 days ago."""
	for back, due in ((14, [site_clock.today.isoformat()]), (13, [])):
		frappe.db.delete("AP Alert", {"reference_name": returned.name})
		end = site_clock.today - dt.timedelta(days=back)
		frappe.db.set_value("Placement", returned.name, "end_date", end)
		monitoring.check_ins()
		assert alert_periods(rules.CHECK_IN_DUE, returned.name) == due


# ---- the provider's register ------------------------------------------------------------------------
def test_the_register_refuses_the_sites_tomorrow_and_stamps_the_sites_time(site_clock, town):
	"""At the site's Sunday 23:50 Monday's register is in the future; from the site's midnight it can be
	taken, stamped with the site's time, and late only after the site-local deadline."""
	marks = [{"placement": town.pa1, "mark": "/"}]
	if site_clock.today < site_clock.monday:
		with pytest.raises(frappe.ValidationError):
			register.save(town.p1, site_clock.monday, "AM", marks)
		site_clock.move(dt.datetime.combine(site_clock.monday, dt.time(0, 10)))
	for at, late in ((dt.time(0, 10), 0), (dt.time(9, 20), 0), (dt.time(9, 40), 1)):
		frappe.db.delete("AP Attendance", {"placement": town.pa1})
		local = dt.datetime.combine(site_clock.monday, at)
		site_clock.move(local)
		assert register.save(town.p1, site_clock.monday, "AM", marks)["inserted"] == 1
		row = frappe.get_all(
			"AP Attendance",
			filters={"placement": town.pa1},
			fields=["attendance_date", "reported_at", "reported_late"],
		)
		assert [(getdate(r.attendance_date), get_datetime(r.reported_at), r.reported_late) for r in row] == [
			(site_clock.monday, local, late)
		]


def test_the_portals_register_status_turns_overdue_at_the_sites_deadline(site_clock, town):
	"""The provider's home page: Monday's AM register is due until 09:30 site time, overdue after."""
	for at, state in ((dt.time(9, 20), "due"), (dt.time(9, 40), "overdue")):
		site_clock.move(dt.datetime.combine(site_clock.monday, at))
		am = [s for s in register.status(town.p1, site_clock.monday) if s["session"] == "AM"]
		assert [s["state"] for s in am] == [state]
