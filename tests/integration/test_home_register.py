"""The home school's register, on a real site: the codes a school records for its pupils in AP, through
the desk report, the CSV download and the JSON API, each scoped to the viewer, over real HTTP too.

A school of its own (School H, with its own provider and AP Lead), committed so the served site sees
it, holds four pupils:
- B: an off-site direction, every day 09:00–15:00, reported present both sessions of `day`;
- K: LA-arranged provision, every day, reported late (L) in the morning of `day`;
- D: a dual registration, every day, reported present in the morning of `day` only;
- A: an off-site direction on `day`'s weekday only: ill (I) in the morning, the afternoon not reported,
  and a medical appointment (M) reported on `before`, a day its timetable does not show.
"""

from __future__ import annotations

import csv
import io
import json
from datetime import timedelta

import frappe
import pytest
from frappe.utils import add_days, today

from ap_framework import exceptions as ex
from ap_framework.oversight import home_register
from ap_framework.rules import home_register as rules
from ap_framework.scope import SCOPE_FIELDS
from tests.integration.test_portal import last_weekday
from tests.integration.test_reports import report

REPORT = "Home School Register"
API = "/api/method/ap_framework.oversight.home_register.register_rows"
CSV = "/api/method/ap_framework.oversight.home_register.register_csv"
RUN = "/api/method/frappe.desk.query_report.run"


def previous_weekday(day):
	day -= timedelta(days=1)
	while day.weekday() > 4:
		day -= timedelta(days=1)
	return day


@pytest.fixture(scope="module")
def h(world):
	frappe.set_user("Administrator")
	t = frappe._dict()
	t.school = world.school("School H", "4" + world.token[:5].translate(str.maketrans("ABCDEF", "123456")))
	t.provider = world.provider("Provider H", "PRU", urn=f"158{world.serial_num(3):03d}", approved=True)
	world.users["ap_lead_h"] = world.user("ap_lead_h", ["AP Lead"], {"School": t.school})
	world.users["provider_h"] = world.user("provider_h", ["AP Provider User"], {"AP Provider": t.provider})
	t.day, t.before = last_weekday(), previous_weekday(last_weekday())
	t.period = {"school": t.school, "from_date": str(t.before), "to_date": str(t.day)}

	def placement(placement_type, **kw):
		pupil = world.pupil(t.school)
		doc = world.placement(pupil, t.provider, "Active", placement_type=placement_type, **kw)
		return frappe._dict(pupil=pupil, placement=doc.name, upn=frappe.db.get_value("Pupil", pupil, "upn"))

	def mark(who, on, session, code, **kw):
		frappe.get_doc(
			{
				"doctype": "AP Attendance",
				"placement": who.placement,
				"attendance_date": on,
				"session": session,
				"mark": code,
				**kw,
			}
		).insert()

	t.b = placement("Off-site Direction")
	t.k = placement("LA-arranged")
	t.d = placement("Dual Registration")
	t.a = placement("Off-site Direction", days=[t.day.strftime("%A")])
	mark(t.b, t.day, "AM", "/")
	mark(t.b, t.day, "PM", "\\")
	mark(t.k, t.day, "AM", "L", minutes_late=10)
	mark(t.d, t.day, "AM", "/")
	mark(t.a, t.day, "AM", "I")
	mark(t.a, t.before, "AM", "M")
	frappe.db.commit()
	yield t
	frappe.db.rollback()
	frappe.set_user("Administrator")
	for doctype, (school_field, _provider_field) in SCOPE_FIELDS.items():
		if school_field and school_field != "name":
			world._delete(doctype, {school_field: t.school})
	frappe.db.commit()


def as_user(user, fn, **kwargs):
	frappe.set_user(user)
	try:
		return fn(**kwargs)
	finally:
		frappe.set_user("Administrator")


def rows_as(user, **args):
	"""The API's rows, called in this process as `user`."""
	return as_user(user, home_register.register_rows, **args)


def register_of(world, h, user="admin"):
	"""{(pupil, date, session): row} of School H over the test period, as `user` sees it."""
	return {(r["pupil"], r["date"], r["session"]): r for r in rows_as(world.users[user], **h.period)}


class TestCodes:
	def test_a_full_day_pupil_has_an_am_and_a_pm_row(self, world, h):
		rows = register_of(world, h)
		assert {k[2] for k in rows if k[0] == h.b.pupil and k[1] == h.day} == {"AM", "PM"}
		am, pm = rows[(h.b.pupil, h.day, "AM")], rows[(h.b.pupil, h.day, "PM")]
		assert (am["code"], am["ap_mark"], pm["code"], pm["ap_mark"]) == ("B", "/", "B", "\\")
		assert am["upn"] == h.b.upn and {am["status"], pm["status"]} == {rules.REPORTED}
		assert am["timetabled"] == pm["timetabled"] == 1
		# the day before, nothing reported: both sessions are on the register, awaiting the provider
		assert {rows[(h.b.pupil, h.before, s)]["status"] for s in ("AM", "PM")} == {rules.MISSING}

	def test_b_when_the_school_arranged_it_k_when_the_la_did(self, world, h):
		rows = register_of(world, h)
		assert rows[(h.b.pupil, h.day, "AM")]["code"] == "B"
		late = rows[(h.k.pupil, h.day, "AM")]
		assert (late["code"], late["ap_mark"]) == ("K", "L")

	def test_a_dual_registration_is_d_reported_or_not(self, world, h):
		rows = register_of(world, h)
		am, pm = rows[(h.d.pupil, h.day, "AM")], rows[(h.d.pupil, h.day, "PM")]
		assert (am["code"], am["ap_mark"], am["status"]) == ("D", "/", rules.DUAL)
		assert (pm["code"], pm["ap_mark"], pm["status"]) == ("D", None, rules.DUAL)

	def test_an_absence_code_passes_through(self, world, h):
		row = register_of(world, h)[(h.a.pupil, h.day, "AM")]
		assert (row["code"], row["ap_mark"], row["status"]) == ("I", "I", rules.REPORTED)

	def test_an_unreported_session_is_missing_and_names_the_provider(self, world, h):
		row = register_of(world, h)[(h.a.pupil, h.day, "PM")]
		assert (row["code"], row["status"]) == (None, rules.MISSING)
		assert row["provider"] == h.provider and row["awaiting"] == h.provider

	def test_a_mark_for_a_session_the_timetable_does_not_show_still_appears(self, world, h):
		rows = register_of(world, h)
		row = rows[(h.a.pupil, h.before, "AM")]
		assert (row["code"], row["status"], row["timetabled"]) == ("M", rules.NOT_TIMETABLED, 0)
		assert (h.a.pupil, h.before, "PM") not in rows  # neither timetabled nor reported

	def test_a_placement_not_yet_approved_is_not_on_the_register(self, world, h):
		draft = world.placement(world.pupil(h.school), h.provider, "Draft")
		pupils = {k[0] for k in register_of(world, h)}
		assert draft.pupil not in pupils and h.b.pupil in pupils

	def test_the_register_costs_the_same_queries_however_many_pupils(self, world, h, monkeypatch):
		count, sql = {"n": 0}, frappe.db.sql

		def counting(*args, **kwargs):
			count["n"] += 1
			return sql(*args, **kwargs)

		def queries() -> int:
			home_register.rows(h.school, h.before, h.day)  # warm the settings cache
			count["n"] = 0
			monkeypatch.setattr(frappe.db, "sql", counting)
			out = home_register.rows(h.school, h.before, h.day)
			monkeypatch.setattr(frappe.db, "sql", sql)
			return count["n"], len(out)

		before, rows_before = queries()
		for _ in range(3):  # part-time, on `day`: the provider's registration test is not this test's
			world.placement(world.pupil(h.school), h.provider, "Active", days=[h.day.strftime("%A")])
		after, rows_after = queries()
		assert rows_after > rows_before and after == before


class TestReport:
	def test_the_desk_report_shows_the_register(self, world, h):
		result = report(REPORT, world.users["ap_lead_h"], **h.period)
		rows = {(r["pupil"], str(r["date"]), r["session"]): r for r in result["result"]}
		assert rows[(h.b.pupil, str(h.day), "AM")]["code"] == "B"
		assert rows[(h.a.pupil, str(h.day), "PM")]["status_label"] == "Missing"
		assert {c["fieldname"] for c in result["columns"]} >= {"upn", "code", "ap_mark", "provider"}

	def test_the_default_period_is_this_week(self, world, h):
		result = report(REPORT, world.users["ap_lead_h"], school=h.school)
		monday = frappe.utils.getdate(today()) - timedelta(days=frappe.utils.getdate(today()).weekday())
		assert {frappe.utils.getdate(r["date"]) for r in result["result"]} <= {
			monday + timedelta(days=i) for i in range(5)
		}

	def test_a_malformed_date_is_refused_naming_the_field(self, world, h):
		with pytest.raises(ex.MalformedInputError, match="From date"):
			report(REPORT, world.users["ap_lead_h"], school=h.school, from_date="2025-13-45")

	def test_longer_than_a_term_is_refused_naming_the_to_date(self, world, h):
		with pytest.raises(ex.RegisterPeriodError, match="To date"):
			report(
				REPORT,
				world.users["ap_lead_h"],
				school=h.school,
				from_date=add_days(today(), -200),
				to_date=today(),
			)


# ---- who sees it ---------------------------------------------------------------------------------------
OTHER_SCHOOL_STAFF = ["ap_lead_a", "dsl_a", "senior_a"]
NOBODY = ["provider_h", "provider_1", "governor_a", "qa", "lead_no_scope"]


class TestScope:
	@pytest.mark.parametrize("user", OTHER_SCHOOL_STAFF)
	def test_school_staff_see_their_own_school_and_not_another(self, world, h, user):
		own = rows_as(world.users[user], school=world.school_a, to_date=str(h.day))
		assert own and {frappe.db.get_value("Pupil", r["pupil"], "school") for r in own} == {world.school_a}
		with pytest.raises(frappe.PermissionError):
			rows_as(world.users[user], **h.period)
		with pytest.raises(frappe.PermissionError):
			report(REPORT, world.users[user], **h.period)

	@pytest.mark.parametrize("user", NOBODY)
	def test_providers_governors_and_the_unscoped_see_nothing(self, world, h, user):
		with pytest.raises(frappe.PermissionError):
			rows_as(world.users[user], **h.period)
		with pytest.raises(frappe.PermissionError):
			as_user(world.users[user], home_register.register_csv, **h.period)
		with pytest.raises(frappe.PermissionError):
			report(REPORT, world.users[user], **h.period)

	def test_a_governor_sees_not_even_their_own_schools_register(self, world, h):
		"""Governors read no pupil records: the register names pupils."""
		with pytest.raises(frappe.PermissionError):
			rows_as(world.users["governor_a"], school=world.school_a, to_date=str(h.day))

	def test_the_administrator_sees_every_school(self, world, h):
		assert register_of(world, h, "admin")


# ---- over HTTP --------------------------------------------------------------------------------------
def get(s, path, **params):
	return s.get(s.base + path, params=params, timeout=60)


def run_report(s, **filters):
	return get(s, RUN, report_name=REPORT, filters=json.dumps(filters))


class TestHttp:
	def test_the_api_answers_the_schools_lead(self, world, h, http):
		r = get(http("ap_lead_h"), API, **h.period)
		assert r.status_code == 200, r.text[:500]
		rows = {(x["pupil"], x["date"], x["session"]): x for x in r.json()["message"]}
		assert rows[(h.k.pupil, str(h.day), "AM")]["code"] == "K"
		assert rows[(h.a.pupil, str(h.day), "PM")]["status"] == "Missing"

	def test_the_csv_parses_and_has_the_header(self, world, h, http):
		r = get(http("ap_lead_h"), CSV, **h.period)
		assert r.status_code == 200, r.text[:500]
		assert r.headers["Content-Type"].startswith("text/csv")
		assert "attachment" in r.headers["Content-Disposition"]
		table = list(csv.reader(io.StringIO(r.content.decode("utf-8"))))
		assert tuple(table[0]) == rules.CSV_HEADER
		rows = {
			(x["UPN"], x["Date"], x["Session"]): x for x in csv.DictReader(io.StringIO(r.content.decode()))
		}
		b = rows[(h.b.upn, str(h.day), "AM")]
		pupil = frappe.db.get_value("Pupil", h.b.pupil, ["first_name", "last_name"], as_dict=True)
		assert (b["Surname"], b["Forename"], b["Mark"], b["Provider"], b["Status"]) == (
			pupil.last_name,
			pupil.first_name,
			"B",
			h.provider,
			"Reported",
		)
		missing = rows[(h.a.upn, str(h.day), "PM")]
		assert (missing["Mark"], missing["Status"], missing["Provider"]) == ("", "Missing", h.provider)
		assert rows[(h.d.upn, str(h.day), "PM")]["Mark"] == "D"

	@pytest.mark.parametrize("user", ["ap_lead_a", "provider_h"])
	def test_another_schools_lead_and_the_provider_get_none_of_it(self, world, h, http, user):
		s = http(user)
		names = [frappe.db.get_value("Pupil", x.pupil, "full_name") for x in (h.b, h.k, h.d, h.a)]
		upns = [x.upn for x in (h.b, h.k, h.d, h.a)]
		for r in (get(s, API, **h.period), get(s, CSV, **h.period), run_report(s, **h.period)):
			assert r.status_code == 403, (r.url, r.status_code, r.text[:300])
			assert not any(v in r.text for v in names + upns)

	def test_the_report_over_http_for_the_schools_lead(self, world, h, http):
		r = run_report(http("ap_lead_h"), **h.period)
		assert r.status_code == 200, r.text[:500]
		assert h.b.upn in r.text

	@pytest.mark.parametrize("door", [API, CSV])
	def test_a_malformed_date_is_a_400_naming_the_field(self, world, h, http, door):
		r = get(http("ap_lead_h"), door, school=h.school, from_date=str(h.before), to_date="14/03/2025")
		assert r.status_code == 400 and r.json()["exc_type"] == "MalformedInputError"
		[message] = [json.loads(m)["message"] for m in json.loads(r.json()["_server_messages"])]
		assert "To date" in message and "YYYY-MM-DD" in message

	def test_too_long_a_period_is_a_4xx_naming_the_to_date(self, world, h, http):
		r = get(http("ap_lead_h"), API, school=h.school, from_date="2025-01-01", to_date="2025-12-31")
		assert 400 <= r.status_code < 500 and r.json()["exc_type"] == "RegisterPeriodError"
		assert "To date" in r.text

	def test_posting_is_refused(self, world, h, http):
		"""Read-only doors: GET only."""
		s = http("ap_lead_h")
		assert s.post(s.base + API, data=h.period, timeout=60).status_code == 403
