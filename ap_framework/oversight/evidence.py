"""Set-based gathering of the facts behind the leadership reports and the readiness board.

Every function here scopes itself to the viewing user through permissions.scope: an AP Lead sees their
school's figures exactly as their lists do, an AP Administrator the whole LA. A fixed number of
queries, whatever the number of placements.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import date, timedelta

import frappe
from frappe.query_builder import DocType
from frappe.query_builder.functions import Count, Max, Sum

from ap_framework import permissions
from ap_framework.placement import attendance_window
from ap_framework.provision import policies as provider_policies
from ap_framework.rules import offrolling, readiness
from ap_framework.settings import get_settings
from ap_framework.utils import site_today, to_date

LIVE = ("Approved", "Active")


def allowed_schools(user: str | None = None) -> list[str] | None:
	"""None: every school. A list (possibly empty): only these."""
	restriction = permissions.scope("Placement", user or frappe.session.user)
	if restriction is None:
		return None
	fieldname, values = restriction
	return list(values) if fieldname == "school" else []


def scoped(query, table, schools: list[str] | None, school: str | None = None, trust: str | None = None):
	"""Apply the viewer's scope and the report's own school / trust filter to a query on `table`."""
	if schools is not None:
		query = query.where(table.school.isin(schools or [""]))
	if school:
		query = query.where(table.school == school)
	if trust:
		sc = DocType("School")
		query = query.where(table.school.isin(frappe.qb.from_(sc).select(sc.name).where(sc.trust == trust)))
	return query


def placements_as_at(as_at: date, schools, school=None, trust=None, fields=None) -> list[frappe._dict]:
	"""Placements running on `as_at`: started, not ended, approved at the time (approved, active or since ended)."""
	p = DocType("Placement")
	query = (
		frappe.qb.from_(p)
		.select(*(fields or [p.star]))
		.where(p.status.isin(("Approved", "Active", "Ended")) & (p.start_date <= as_at))
		.where(p.end_date.isnull() | (p.end_date >= as_at))
	)
	return (
		scoped(query, p, schools, school, trust).orderby(p.provider).orderby(p.pupil_name).run(as_dict=True)
	)


def readiness_facts(
	user: str | None = None, today: date | None = None, school: str | None = None
) -> readiness.Facts:
	today = today or site_today()
	settings = get_settings()
	schools = allowed_schools(user)
	p = DocType("Placement")
	live = scoped(
		frappe.qb.from_(p)
		.select(
			p.name,
			p.provider,
			p.school,
			p.rationale,
			p.sla_attachment,
			p.hours_per_week,
			p.start_date,
			p.planned_end_date,
			p.next_review_date,
			p.curriculum_gap_plan,
		)
		.where(p.status == "Active"),
		p,
		schools,
		school,
	).run(as_dict=True)
	# The live placements as a subquery: an IN list of tens of thousands of names is slower than the join.
	names = scoped(frappe.qb.from_(p).select(p.name).where(p.status == "Active"), p, schools, school)
	providers_in_use = sorted({r.provider for r in live})
	live_names = {r.name for r in live}
	prov = {
		r.name: r
		for r in frappe.get_all(
			"AP Provider",
			filters={"name": ("in", providers_in_use or [""])},
			fields=[
				"name",
				"registration_status",
				"address_line1",
				"postcode",
				"specialisms",
				"cost_per_session",
				"cost_per_day",
				"last_qa_date",
				"communication_agreement",
				"offers_pshe",
				"offers_rse",
				"offers_careers",
			],
		)
	}
	contacts = defaultdict(set)
	for c in frappe.get_all(
		"AP Provider Contact",
		filters={"parenttype": "AP Provider", "parent": ("in", providers_in_use or [""])},
		fields=["parent", "contact_role"],
	):
		contacts[c.parent].add(c.contact_role)
	sa = DocType("Safeguarding Assurance")
	assured = {
		r[0]
		for r in frappe.qb.from_(sa)
		.select(sa.provider)
		.where(
			sa.provider.isin(providers_in_use or [""])
			& (sa.valid_until >= today)
			& (sa.received_date <= today)
		)
		.run()
	}

	def placements_with(doctype, extra=None):
		t = DocType(doctype)
		q = frappe.qb.from_(t).select(t.placement).distinct().where(t.placement.isin(names))
		return {r[0] for r in (extra(q, t) if extra else q).run()}

	with_risk = placements_with("Risk Assessment", lambda q, t: q.where(t.review_date >= today))
	agreed = placements_with("Pupil Plan", lambda q, t: q.where(t.status == "Agreed"))
	with_strategies = placements_with(
		"Pupil Plan",
		lambda q, t: q.where(t.strategies_that_work.isnotnull() & (t.strategies_that_work != "")),
	)
	with_reintegration = placements_with("Reintegration Plan")
	since = today - timedelta(days=settings.visit_interval_days)
	with_contact = placements_with("Contact Log", lambda q, t: q.where(t.contact_datetime >= since))
	cl = DocType("Contact Log")
	visited = {
		r[0]
		for r in frappe.qb.from_(cl)
		.select(cl.provider)
		.distinct()
		.where(
			cl.provider.isin(providers_in_use or [""])
			& cl.contact_type.isin(["Announced Visit", "Unannounced Visit"])
			& (cl.contact_datetime >= since)
		)
		.run()
	}
	da = DocType("Domain Assessment")
	impact = {
		r[0]
		for r in frappe.qb.from_(da)
		.select(da.placement)
		.distinct()
		.where(da.placement.isin(names) & (da.is_baseline == 0) & (da.docstatus == 1))
		.run()
	}
	pr = DocType("Plan Review")
	voiceless = [
		r[0]
		for r in frappe.qb.from_(pr)
		.select(pr.name)
		.where(
			pr.placement.isin(names)
			& (pr.docstatus == 1)
			& (pr.review_date >= today - timedelta(days=180))
			& (
				pr.pupil_voice.isnull()
				| (pr.pupil_voice == "")
				| pr.parent_voice.isnull()
				| (pr.parent_voice == "")
			)
		)
		.run()
	]
	window = attendance_window.since(today)
	# Attendance over four weeks: the sums kept per placement, or summed here from the marks when they are
	# not as at this day (a row per placement either way, never a row per mark).
	marks = attendance_window.sums(names, today)
	if marks is None:
		att = DocType("AP Attendance")
		marks = (
			frappe.qb.from_(att)
			.select(
				att.placement,
				attendance_window.attended(att).as_("attended"),
				attendance_window.possible(att).as_("possible"),
				Sum(att.reported_late).as_("late"),
				Count("*").as_("registers"),
			)
			.where(att.placement.isin(names) & (att.attendance_date >= window))
			.groupby(att.placement)
			.run(as_dict=True)
		)
	followed_up = placements_with(
		"Contact Log",
		lambda q, t: q.where((t.contact_type == "Attendance Follow-up") & (t.contact_datetime >= window)),
	)
	low = [
		m.placement
		for m in marks
		if m.possible
		and 100 * m.attended / m.possible < settings.low_attendance_threshold
		and m.placement not in followed_up
	]
	settings_doc = frappe.get_cached_doc("AP Settings")

	def gap(r):
		pv = prov.get(r.provider) or {}
		missing = not (pv.get("offers_pshe") and pv.get("offers_rse") and pv.get("offers_careers"))
		return missing and not (r.curriculum_gap_plan or "").strip()

	qa_due = today - timedelta(days=settings.qa_interval_days)
	return readiness.Facts(
		today=today,
		active=[r.name for r in live],
		providers_in_use=providers_in_use,
		policy_reviewed_on=to_date(settings_doc.get("ap_policy_reviewed_on")),
		governors_report_on=to_date(settings_doc.get("governors_report_presented_on")),
		providers_without_profile=[
			n for n, v in prov.items() if not (v.specialisms and (v.cost_per_session or v.cost_per_day))
		],
		providers_without_current_qa=[
			n for n, v in prov.items() if not v.last_qa_date or to_date(v.last_qa_date) < qa_due
		],
		providers_without_assurance=[n for n in providers_in_use if n not in assured],
		providers_without_policies=sorted(
			provider_policies.missing_on({n: v.registration_status for n, v in prov.items()}, today)
		),
		placements_incomplete_record=[
			r.name
			for r in live
			if not r.hours_per_week
			or not prov.get(r.provider)
			or not (prov[r.provider].address_line1 or prov[r.provider].postcode)
		],
		providers_without_agreement=[
			n
			for n, v in prov.items()
			if not v.communication_agreement or not {"Safeguarding", "Attendance", "Finance"} <= contacts[n]
		],
		placements_without_recent_contact=[r.name for r in live if r.name not in with_contact],
		providers_without_recent_visit=[n for n in providers_in_use if n not in visited],
		placements_without_sla=[r.name for r in live if not r.sla_attachment],
		placements_without_rationale=[r.name for r in live if not (r.rationale or "").strip()],
		placements_without_risk_assessment=[r.name for r in live if r.name not in with_risk],
		placements_without_strategies=[r.name for r in live if r.name not in with_strategies],
		registers_reported_late=[m.placement for m in marks if m.late],
		low_attendance_without_intervention=low,
		placements_without_agreed_plan=[r.name for r in live if r.name not in agreed],
		placements_review_overdue=[
			r.name for r in live if r.next_review_date and to_date(r.next_review_date) < today
		],
		reviews_without_voice=voiceless,
		placements_with_curriculum_gap=[r.name for r in live if gap(r)],
		placements_without_impact_evidence=[
			r.name
			for r in live
			if r.name not in impact and today - to_date(r.start_date) > timedelta(days=42)
		],
		placements_breaking_guard=[
			r["name"] for r in guard_rows(user, today, school) if r["name"] in live_names
		],
		placements_ending_without_plan=[
			r.name
			for r in live
			if r.planned_end_date
			and r.name not in with_reintegration
			and to_date(r.planned_end_date) - today <= timedelta(days=14)
		],
	)


def guard_rows(user: str | None = None, today: date | None = None, school: str | None = None) -> list[dict]:
	"""The off-rolling guard: each live placement that breaks a rule, with the rules it breaks."""
	today = today or site_today()
	settings = get_settings()
	p, pu, rp = DocType("Placement"), DocType("Pupil"), DocType("Reintegration Plan")
	rows = scoped(
		frappe.qb.from_(p)
		.join(pu)
		.on(pu.name == p.pupil)
		.left_join(rp)
		.on(rp.placement == p.name)
		.select(
			p.name,
			p.pupil_name,
			p.school,
			p.provider,
			p.placement_type,
			p.start_date,
			p.planned_end_date,
			p.rationale,
			p.last_review_date,
			pu.on_roll,
			Count(rp.name).as_("plans"),
		)
		.where(p.status.isin(LIVE))
		.groupby(p.name),
		p,
		allowed_schools(user),
		school,
	).run(as_dict=True)
	out = []
	for r in rows:
		facts = offrolling.PlacementFacts(
			r.name,
			r.placement_type,
			to_date(r.start_date),
			to_date(r.planned_end_date),
			r.rationale,
			to_date(r.last_review_date),
			bool(r.plans),
			bool(r.on_roll),
		)
		broken = offrolling.breaches(
			facts, today, settings.review_interval_days, settings.max_offsite_direction_days
		)
		if broken:
			out.append({**r, "rules": broken})
	return out


def last_visits(providers: list[str]) -> dict[str, date]:
	cl = DocType("Contact Log")
	rows = (
		frappe.qb.from_(cl)
		.select(cl.provider, Max(cl.contact_datetime))
		.where(
			cl.provider.isin(providers or [""])
			& cl.contact_type.isin(["Announced Visit", "Unannounced Visit"])
		)
		.groupby(cl.provider)
		.run()
	)
	return {r[0]: to_date(r[1]) for r in rows}


def assurance_until(providers: list[str]) -> dict[str, date]:
	sa = DocType("Safeguarding Assurance")
	rows = (
		frappe.qb.from_(sa)
		.select(sa.provider, Max(sa.valid_until))
		.where(sa.provider.isin(providers or [""]))
		.groupby(sa.provider)
		.run()
	)
	return {r[0]: to_date(r[1]) for r in rows}
