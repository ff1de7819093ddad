"""Set-based gathering of the facts behind the leadership reports and the readiness board.

Every function here scopes itself to the viewing user through permissions.scope: an AP Lead sees their
school's figures exactly as their lists do, an AP Administrator the whole LA. A fixed number of
queries, whatever the number of placements.
"""

from __future__ import annotations

import operator
from collections import defaultdict
from datetime import date, timedelta
from functools import reduce

import frappe
from frappe.query_builder import Case, DocType
from frappe.query_builder.functions import Coalesce, Count, Max, Sum

from ap_framework import permissions
from ap_framework.oversight import placement_evidence
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
	since = today - timedelta(days=settings.visit_interval_days)
	window = attendance_window.since(today)
	p, pu = DocType("Placement"), DocType("Pupil")
	# Tens of thousands of rows: what the board asks of each is answered in SQL as bits of one number
	# (reading a row costs per column), the texts a rule reads kept whole.
	kept = placement_evidence.built()
	e = DocType(placement_evidence.TABLE)
	bits = {
		NO_HOURS: Coalesce(p.hours_per_week, 0) == 0,
		NO_SLA: Coalesce(p.sla_attachment, "") == "",
		REVIEW_OVERDUE: p.next_review_date < today,
		IMPACT_DUE: p.start_date < today - timedelta(days=IMPACT_AFTER_DAYS),
	}
	if kept:  # what each placement's records show, read with the placement itself
		bits |= {
			HAS_RISK: e.risk_review_until >= today,
			PLAN_AGREED: e.plan_agreed == 1,
			HAS_STRATEGIES: e.has_strategies == 1,
			HAS_REINTEGRATION_PLAN: e.has_reintegration_plan == 1,
			RECENT_CONTACT: e.last_contact >= since,
			FOLLOWED_UP: e.last_follow_up >= window,
			HAS_IMPACT: e.has_impact == 1,
			VOICELESS: e.last_voiceless_review >= today - timedelta(days=VOICE_DAYS),
		}
	query = (
		frappe.qb.from_(p)
		.left_join(pu)
		.on(pu.name == p.pupil)
		.select(
			p.name,
			p.provider,
			p.rationale,
			p.curriculum_gap_plan,
			p.placement_type,
			p.start_date,
			p.planned_end_date,
			p.last_review_date,
			pu.on_roll,  # NULL: no pupil record
			reduce(operator.add, (Case().when(c, bit).else_(0) for bit, c in bits.items())).as_("bits"),
		)
		.where(p.status == "Active")
	)
	if kept:
		query = query.left_join(e).on(e.name == p.name)
	w = DocType(attendance_window.TABLE)
	sums_kept = attendance_window.stamped() == today
	if sums_kept:  # and its four weeks of marks, as at today
		query = query.left_join(w).on(w.name == p.name).select(w.attended, w.possible, w.late)
	live = scoped(query, p, schools, school).run(as_dict=True)
	# The live placements as a subquery: an IN list of tens of thousands of names is slower than the join.
	names = scoped(frappe.qb.from_(p).select(p.name).where(p.status == "Active"), p, schools, school)
	if not kept:
		_ask_the_records(live, names, today, since, window)
	providers_in_use = sorted({r.provider for r in live})
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
	# Reviews held without both voices: asked only of the placements whose records show one.
	voiceless = _reviews_without_voice([r.name for r in live if r.bits & VOICELESS], today)
	# Attendance over four weeks: the sums kept per placement (read above), or summed here from the marks
	# when they are not as at this day (a row per placement either way, never a row per mark).
	if sums_kept:
		marks = [r for r in live if r.possible is not None]
		for r in marks:
			r.placement = r.name
	else:
		att = DocType("AP Attendance")
		marks = (
			frappe.qb.from_(att)
			.select(
				att.placement,
				attendance_window.attended(att).as_("attended"),
				attendance_window.possible(att).as_("possible"),
				Sum(att.reported_late).as_("late"),
			)
			.where(att.placement.isin(names) & (att.attendance_date >= window))
			.groupby(att.placement)
			.run(as_dict=True)
		)
	followed_up = {r.name for r in live if r.bits & FOLLOWED_UP}
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
			if r.bits & NO_HOURS
			or not prov.get(r.provider)
			or not (prov[r.provider].address_line1 or prov[r.provider].postcode)
		],
		providers_without_agreement=[
			n
			for n, v in prov.items()
			if not v.communication_agreement or not {"Safeguarding", "Attendance", "Finance"} <= contacts[n]
		],
		placements_without_recent_contact=[r.name for r in live if not r.bits & RECENT_CONTACT],
		providers_without_recent_visit=[n for n in providers_in_use if n not in visited],
		placements_without_sla=[r.name for r in live if r.bits & NO_SLA],
		placements_without_rationale=[r.name for r in live if not (r.rationale or "").strip()],
		placements_without_risk_assessment=[r.name for r in live if not r.bits & HAS_RISK],
		placements_without_strategies=[r.name for r in live if not r.bits & HAS_STRATEGIES],
		registers_reported_late=[m.placement for m in marks if m.late],
		low_attendance_without_intervention=low,
		placements_without_agreed_plan=[r.name for r in live if not r.bits & PLAN_AGREED],
		placements_review_overdue=[r.name for r in live if r.bits & REVIEW_OVERDUE],
		reviews_without_voice=voiceless,
		placements_with_curriculum_gap=[r.name for r in live if gap(r)],
		placements_without_impact_evidence=[
			r.name for r in live if r.bits & IMPACT_DUE and not r.bits & HAS_IMPACT
		],
		# the off-rolling guard, judged on the same rows (the guard report asks of approved ones too)
		placements_breaking_guard=[
			r.name
			for r, _broken in _breaking_guard((r for r in live if r.on_roll is not None), today, settings)
		],
		placements_ending_without_plan=[
			r.name
			for r in live
			if r.planned_end_date
			and not r.bits & HAS_REINTEGRATION_PLAN
			and to_date(r.planned_end_date) - today <= timedelta(days=14)
		],
	)


VOICE_DAYS = 180  # a review in the last six months held without the pupil's or the parent's voice
IMPACT_AFTER_DAYS = 42  # six weeks in, a placement shows evidence of impact
# The bits of a live placement's row (readiness_facts).
NO_HOURS, NO_SLA, REVIEW_OVERDUE, IMPACT_DUE = 1, 2, 4, 8
HAS_RISK, PLAN_AGREED, HAS_STRATEGIES, HAS_REINTEGRATION_PLAN = 16, 32, 64, 128
RECENT_CONTACT, FOLLOWED_UP, HAS_IMPACT, VOICELESS = 256, 512, 1024, 2048


def _ask_the_records(live: list, names, today: date, since: date, window: date) -> None:
	"""What AP Placement Evidence would say of each live placement, asked of the records themselves
	(the table not built yet): the same bits set on each row."""

	def placements_with(doctype, extra=None):
		t = DocType(doctype)
		q = frappe.qb.from_(t).select(t.placement).distinct().where(t.placement.isin(names))
		return {r[0] for r in (extra(q, t) if extra else q).run()}

	pr = DocType("Plan Review")
	found = {
		HAS_RISK: placements_with("Risk Assessment", lambda q, t: q.where(t.review_date >= today)),
		PLAN_AGREED: placements_with("Pupil Plan", lambda q, t: q.where(t.status == "Agreed")),
		HAS_STRATEGIES: placements_with(
			"Pupil Plan",
			lambda q, t: q.where(t.strategies_that_work.isnotnull() & (t.strategies_that_work != "")),
		),
		HAS_REINTEGRATION_PLAN: placements_with("Reintegration Plan"),
		RECENT_CONTACT: placements_with("Contact Log", lambda q, t: q.where(t.contact_datetime >= since)),
		FOLLOWED_UP: placements_with(
			"Contact Log",
			lambda q, t: q.where(
				(t.contact_type == placement_evidence.FOLLOW_UP) & (t.contact_datetime >= window)
			),
		),
		HAS_IMPACT: placements_with(
			"Domain Assessment", lambda q, t: q.where((t.is_baseline == 0) & (t.docstatus == 1))
		),
		VOICELESS: {
			r[0]
			for r in frappe.qb.from_(pr)
			.select(pr.placement)
			.distinct()
			.where(pr.placement.isin(names) & _voiceless(pr, today))
			.run()
		},
	}
	for r in live:
		for bit, placements in found.items():
			if r.name in placements:
				r.bits |= bit


def _voiceless(pr, today: date):
	"""Plan Reviews `pr` submitted in the last six months without the pupil's or the parent's voice."""
	return (
		(pr.docstatus == 1)
		& (pr.review_date >= today - timedelta(days=VOICE_DAYS))
		& (
			pr.pupil_voice.isnull()
			| (pr.pupil_voice == "")
			| pr.parent_voice.isnull()
			| (pr.parent_voice == "")
		)
	)


def _reviews_without_voice(placements: list[str], today: date) -> list[str]:
	if not placements:
		return []
	pr = DocType("Plan Review")
	return (
		frappe.qb.from_(pr)
		.select(pr.name)
		.where(pr.placement.isin(placements) & _voiceless(pr, today))
		.run(pluck=True)
	)


def _breaking_guard(rows, today: date, settings):
	"""(row, rules broken) of each row that breaks an off-rolling guard rule. A row says whether its
	placement has a reintegration plan in `plans` (the guard's query) or in its bits (the board's)."""
	for r in rows:
		facts = offrolling.PlacementFacts(
			r.name,
			r.placement_type,
			to_date(r.start_date),
			to_date(r.planned_end_date),
			r.rationale,
			to_date(r.last_review_date),
			bool(r.plans) if "plans" in r else bool(r.bits & HAS_REINTEGRATION_PLAN),
			bool(r.on_roll),
		)
		broken = offrolling.breaches(
			facts, today, settings.review_interval_days, settings.max_offsite_direction_days
		)
		if broken:
			yield r, broken


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
	return [{**r, "rules": broken} for r, broken in _breaking_guard(rows, today, settings)]


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
