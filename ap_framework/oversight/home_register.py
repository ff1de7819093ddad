"""The home school's register of its pupils in AP, for one school and a period of up to a term.

One row per pupil per school session (Monday to Friday, less closures) on which a live placement of
the school is timetabled, and per session the AP reported although the timetable shows none: the
pupil's UPN and name, the provider(s), the code the home school records, the AP's own mark and a
status. rules/home_register.py decides every value; this module gathers the facts in a fixed number of
queries whatever the size of the school or the period (the placements with their timetables, the
marks, the closures) and serves them three ways, each scoped to the viewer:

- the desk report Home School Register (report/home_school_register);
- register_csv: a CSV file the school's MIS can import (GET);
- register_rows: the same rows as JSON (GET).

Who sees what: the AP Administrator any school; a school's AP Lead, Safeguarding Lead and Senior
Leader their own (their User Permission on School, through permissions.scope); anyone else, provider
users included, nothing (403). The school is named in the request, but only ever looked up within the
viewer's own scope.
"""

from __future__ import annotations

import csv
import io
import re

import frappe
from frappe import _
from frappe.query_builder import DocType
from frappe.query_builder.functions import Coalesce
from frappe.utils import escape_html, getdate, now_datetime

from ap_framework import api_input, finance
from ap_framework.oversight import evidence
from ap_framework.rules import home_register as rules
from ap_framework.rules import request
from ap_framework.rules.timetable import SCHOOL_DAYS, to_minutes
from ap_framework.settings import get_settings, session_windows
from ap_framework.utils import site_today, to_date
from ap_framework.validation import throw_problems

LABELS = {"school": "School", "from_date": "From date", "to_date": "To date"}
PUPIL_FIELDS = ("upn", "first_name", "last_name", "full_name")


# ---- the doors ---------------------------------------------------------------------------------------
@frappe.whitelist(methods=["GET"])
def register_rows(school: str | None = None, from_date: str | None = None, to_date: str | None = None):
	"""The school's register for the period (default: this week) as JSON rows."""
	require_viewer()
	args = api_input.checked(LABELS, **arguments(school, from_date, to_date))
	return rows(*settle(args))


@frappe.whitelist(methods=["GET"])
def register_csv(school: str | None = None, from_date: str | None = None, to_date: str | None = None):
	"""The school's register for the period as a CSV file (UTF-8, a header row, ISO dates)."""
	require_viewer()
	args = api_input.checked(LABELS, **arguments(school, from_date, to_date))
	school, start, end = settle(args)
	slug = re.sub(r"[^A-Za-z0-9]+", "-", school).strip("-") or "school"
	frappe.local.response.filename = f"home-school-register-{slug}-{start}-{end}.csv"
	frappe.local.response.filecontent = csv_text(rows(school, start, end)).encode("utf-8")
	frappe.local.response.content_type = "text/csv; charset=utf-8"
	frappe.local.response.type = "download"


# ---- what every door checks ------------------------------------------------------------------------
def require_viewer() -> None:
	"""Only the report's roles may see a register at all (frappe.only_for lets everyone through in
	tests, so the check is made here)."""
	if not set(rules.VIEWER_ROLES) & set(frappe.get_roles()):
		frappe.throw(
			_(
				"Only an AP Administrator, AP Lead, Senior Leader or Safeguarding Lead can see a school's register"
			),
			frappe.PermissionError,
		)


def arguments(school, from_date, to_date) -> dict:
	"""The posted arguments with their checks, for api_input.checked (dates as YYYY-MM-DD)."""
	return {
		"school": (school, request.name(required=True)),
		"from_date": (_iso(from_date), request.day()),
		"to_date": (_iso(to_date), request.day()),
	}


def _iso(value):
	"""A date handed in by Python code (the desk's report runner may) as the text a request posts."""
	return value.isoformat() if hasattr(value, "isoformat") else value


def settle(args) -> tuple[str, object, object]:
	"""(school, start, end) once the period is sound and the viewer may see the school."""
	start, end = rules.period(args.from_date, args.to_date, site_today())
	throw_problems(None, rules.check_period(start, end), labels=LABELS, title=_("Home School Register"))
	authorise(args.school)
	return args.school, start, end


def authorise(school: str) -> None:
	"""403 for a school outside the viewer's scope (asked first, so a guess learns nothing), 404 for
	one that does not exist."""
	allowed = evidence.allowed_schools()
	if allowed is not None and school not in allowed:
		frappe.throw(
			_("You cannot see the register of {0}").format(escape_html(school)), frappe.PermissionError
		)
	if not frappe.db.exists("School", school):
		frappe.throw(_("School {0} not found").format(escape_html(school)), frappe.DoesNotExistError)


# ---- gathering: two queries for the whole school and period ---------------------------------------------
def rows(school: str, start, end, now=None) -> list[dict]:
	"""The register's rows, sorted by date, session and pupil."""
	allowed = evidence.allowed_schools()
	p, s = DocType("Placement"), DocType("Placement Session")
	a, pu = DocType("AP Attendance"), DocType("Pupil")
	ends = Coalesce(p.end_date, p.planned_end_date)
	placement = (
		p.name,
		p.pupil,
		p.provider,
		p.placement_type,
		p.home_school_code,
		p.start_date,
		p.end_date,
		p.planned_end_date,
		*(pu[f] for f in PUPIL_FIELDS),
	)
	timetabled = evidence.scoped(
		frappe.qb.from_(p)
		.join(s)
		.on((s.parent == p.name) & (s.parenttype == "Placement"))
		.left_join(pu)
		.on(pu.name == p.pupil)
		.select(*placement, s.weekday, s.covers_am, s.covers_pm, s.start_time)
		.where(p.status.isin(rules.LIVE_STATES) & (p.start_date <= end) & (ends.isnull() | (ends >= start)))
		.where(s.weekday.isin(SCHOOL_DAYS) & ((s.covers_am == 1) | (s.covers_pm == 1))),
		p,
		allowed,
		school,
	).run(as_dict=True)
	reported = evidence.scoped(
		frappe.qb.from_(a)
		.join(p)
		.on(p.name == a.placement)
		.left_join(pu)
		.on(pu.name == p.pupil)
		.select(*placement, a.attendance_date, a.session, a.mark)
		.where((a.attendance_date >= start) & (a.attendance_date <= end)),
		p,
		allowed,
		school,
	).run(as_dict=True)

	settings = get_settings()
	placements, pupils = {}, {}
	for r in (*timetabled, *reported):
		placements[r.name] = rules.Placement(
			r.name,
			r.pupil,
			r.provider,
			rules.home_code(r.placement_type, r.home_school_code),
			getdate(r.start_date),
			to_date(r.end_date or r.planned_end_date),
		)
		pupils[r.pupil] = {f: r[f] for f in PUPIL_FIELDS}
	entries = rules.register(
		placements.values(),
		[
			rules.Slot(r.name, r.weekday, bool(r.covers_am), bool(r.covers_pm), to_minutes(r.start_time) or 0)
			for r in timetabled
		],
		[rules.Mark(r.name, getdate(r.attendance_date), r.session, r.mark) for r in reported],
		rules.school_days(start, end, finance.closed_dates(start, end)),
		now or now_datetime(),
		session_windows(settings),
		settings.attendance_deadline_minutes,
	)
	out = [
		{
			"pupil": pupil,
			"upn": pupils[pupil]["upn"],
			"last_name": pupils[pupil]["last_name"],
			"first_name": pupils[pupil]["first_name"],
			"pupil_name": pupils[pupil]["full_name"],
			"date": day,
			"session": session,
			"code": e.code,
			"ap_mark": e.ap_mark,
			"provider": ", ".join(e.providers),
			"awaiting": ", ".join(e.awaiting) or None,
			"status": e.status,
			"timetabled": int(e.timetabled),
		}
		for (pupil, day, session), e in entries.items()
	]
	out.sort(key=lambda r: (r["date"], r["session"], r["last_name"] or "", r["first_name"] or "", r["pupil"]))
	return out


def csv_text(register: list[dict]) -> str:
	buffer = io.StringIO()
	writer = csv.writer(buffer)  # RFC 4180: quoted where needed, CRLF line ends
	writer.writerow(rules.CSV_HEADER)
	writer.writerows(rules.csv_rows(register))
	return buffer.getvalue()
