"""Number cards and chart sources for the Alternative Provision workspace, each scoped to the viewer
exactly as their lists are (no cache shared between users), read from the site's replica where it has
one (frappe.read_only; compat.py 12). The chart sources take none of the arguments the chart widget
posts (name, dates, timespan): Frappe drops arguments a method does not declare, and these figures have
fixed windows."""

from __future__ import annotations

from datetime import date, timedelta

import frappe
from frappe.query_builder import DocType
from frappe.query_builder.functions import Count
from pypika.terms import ExistsCriterion

from ap_framework.oversight import evidence
from ap_framework.placement import registers_due
from ap_framework.placement.doctype.placement_session.placement_session import covering
from ap_framework.rules import attendance
from ap_framework.rules.oversight import rate_from_counts
from ap_framework.utils import site_today


@frappe.whitelist()
@frappe.read_only()
def registers_outstanding(filters: str | dict | None = None) -> int:
	"""Register sessions due today at live placements with no mark yet: a pupil counts once in each
	session a slot covers, however many slots fall in it."""
	today = site_today()
	allowed = evidence.allowed_schools()
	kept = registers_due.outstanding(today, lambda query, table: evidence.scoped(query, table, allowed))
	if kept is not None:  # the day's rows, kept in step (ap_framework/placement/registers_due.py)
		return kept
	p, s, a = DocType("Placement"), DocType("Placement Session"), DocType("AP Attendance")
	total = 0
	for session in attendance.SESSIONS:
		marked = (
			frappe.qb.from_(a)
			.select(a.name)
			.where((a.placement == p.name) & (a.attendance_date == today) & (a.session == session))
		)
		query = (
			frappe.qb.from_(p)
			.join(s)
			.on((s.parent == p.name) & (s.parenttype == "Placement"))
			.select(Count(p.name).distinct())
			.where((p.status == "Active") & (p.start_date <= today) & (s.weekday == today.strftime("%A")))
			.where(covering(s, session))
			.where(ExistsCriterion(marked).negate())
		)
		total += evidence.scoped(query, p, allowed).run()[0][0]
	return total


@frappe.whitelist()
@frappe.read_only()
def reviews_overdue(filters: str | dict | None = None) -> int:
	p = DocType("Placement")
	query = (
		frappe.qb.from_(p)
		.select(Count("*"))
		.where((p.status == "Active") & (p.next_review_date < site_today()))
	)
	return evidence.scoped(query, p, evidence.allowed_schools()).run()[0][0]


@frappe.whitelist()
@frappe.read_only()
def assurances_expiring(filters: str | dict | None = None) -> int:
	"""Providers in use whose latest letter of assurance runs out within 30 days (or already has)."""
	p = DocType("Placement")
	in_use = [
		r[0]
		for r in evidence.scoped(
			frappe.qb.from_(p).select(p.provider).distinct().where(p.status.isin(evidence.LIVE)),
			p,
			evidence.allowed_schools(),
		).run()
	]
	until = evidence.assurance_until(in_use)
	soon = site_today() + timedelta(days=30)
	return sum(1 for provider in in_use if not until.get(provider) or until[provider] <= soon)


@frappe.whitelist()
@frappe.read_only()
def attendance_rate() -> dict:
	"""Weekly share of possible sessions attended at AP over the last 12 weeks (chart source)."""
	start = site_today() - timedelta(weeks=12)
	start -= timedelta(days=start.weekday())
	a = DocType("AP Attendance")
	# counted by day and mark in the database: a few hundred rows back, not a row per mark
	query = (
		frappe.qb.from_(a)
		.select(a.attendance_date, a.mark, Count("*"))
		.where(a.attendance_date >= start)
		.groupby(a.attendance_date, a.mark)
	)
	weeks: dict[date, dict[str, int]] = {}
	for day, mark, n in evidence.scoped(query, a, evidence.allowed_schools()).run():
		week = weeks.setdefault(day - timedelta(days=day.weekday()), {})
		week[mark] = week.get(mark, 0) + n
	labels = [start + timedelta(weeks=i) for i in range(13)]
	values = [rate_from_counts(weeks.get(w, {})) or 0 for w in labels]
	return {
		"labels": [w.strftime("%d %b") for w in labels],
		"datasets": [{"name": "Attendance %", "values": values}],
	}


def _placements_by(fieldname: str, limit: int = 10) -> dict:
	p = DocType("Placement")
	column = p[fieldname]
	query = frappe.qb.from_(p).select(column, Count("*").as_("n")).where(p.status == "Active").groupby(column)
	rows = (
		evidence.scoped(query, p, evidence.allowed_schools())
		.orderby(Count("*"), order=frappe.qb.desc)
		.orderby(column)  # ties in name order, the same on every server (a replica's plan may differ)
		.limit(limit)
		.run()
	)
	return {
		"labels": [r[0] or "-" for r in rows],
		"datasets": [{"name": "Pupils", "values": [r[1] for r in rows]}],
	}


@frappe.whitelist()
@frappe.read_only()
def placements_by_provider() -> dict:
	"""Pupils in AP now, per provider (chart source; not Frappe's Group By chart, whose cache is shared
	by every user and would show one school the LA's figures)."""
	return _placements_by("provider")


@frappe.whitelist()
@frappe.read_only()
def placements_by_reason() -> dict:
	"""Pupils in AP now, per census reason (chart source, scoped like the lists)."""
	return _placements_by("census_reason")


# ---- the governors' home: figures of the governors' report for the viewer's school, no pupil named ----
# Number cards of type Custom on DocType School (which a Governor may read); each answers Frappe's
# {value, fieldtype, route, route_options}, so the card opens the report it comes from, on that school.
def _this_year_placements(fields) -> tuple[list, date, date]:
	from ap_framework.oversight.report.ap_governors_report.ap_governors_report import academic_year

	start, end = academic_year(None)
	p = DocType("Placement")
	query = (
		frappe.qb.from_(p)
		.select(*(p[f] for f in fields))
		.where(
			p.status.isin(("Approved", "Active", "Ended"))
			& (p.start_date <= end)
			& (p.end_date.isnull() | (p.end_date >= start))
		)
	)
	return evidence.scoped(query, p, evidence.allowed_schools()).run(as_dict=True), start, end


def _governors_card(value, fieldtype: str) -> dict:
	from ap_framework.oversight.homes import own_school

	school = own_school()
	return {
		"value": value,
		"fieldtype": fieldtype,
		"precision": 1,
		"route": ["query-report", "AP Governors Report"],
		"route_options": {"school": school} if school else {},
	}


@frappe.whitelist()
@frappe.read_only()
def governors_placements(filters: str | dict | None = None) -> dict:
	"""Placements running at any time this academic year (the report's "Placements during the year")."""
	rows, _start, _end = _this_year_placements(["name"])
	return _governors_card(len(rows), "Int")


@frappe.whitelist()
@frappe.read_only()
def governors_attendance(filters: str | dict | None = None) -> dict:
	"""Share of possible sessions attended at AP this academic year (the report's "Attendance")."""
	rows, start, end = _this_year_placements(["name"])
	a = DocType("AP Attendance")
	counts = dict(
		frappe.qb.from_(a)
		.select(a.mark, Count("*"))
		.where(
			a.placement.isin([r.name for r in rows] or [""])
			& (a.attendance_date >= start)
			& (a.attendance_date <= end)
		)
		.groupby(a.mark)  # counted by mark in the database, not a row per mark
		.run()
	)
	return _governors_card(rate_from_counts(counts) or 0, "Percent")


@frappe.whitelist()
@frappe.read_only()
def governors_reintegrated(filters: str | dict | None = None) -> dict:
	"""Placements ended this academic year with the pupil back at their home school (the report's outcome)."""
	rows, _start, _end = _this_year_placements(["status", "end_outcome"])
	n = sum(1 for r in rows if r.status == "Ended" and r.end_outcome == "Reintegrated to Home School")
	return _governors_card(n, "Int")
