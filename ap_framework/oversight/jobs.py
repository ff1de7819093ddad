"""The oversight jobs (hooks.py scheduler_events): the app does the remembering.

Each job gathers its facts in a fixed number of set-based queries, lets the rules
(ap_framework/rules/oversight.py) decide what is due, overdue or expiring, and hands the alerts to
alerts.raise_alerts, which raises each exactly once. Finding the alerts costs the same number of queries
however many placements there are; delivering costs a few queries per new alert.

Every job takes `now` (default: the site's current time), so tests and benchmarks can freeze time, and
returns a summary (ignored by the scheduler; printed by benchmarks/jobs.py).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import date, datetime, timedelta

import frappe
from frappe import _
from frappe.query_builder import DocType
from frappe.query_builder.functions import Count, Max
from frappe.utils import escape_html, get_url_to_form, now_datetime, validate_email_address

from ap_framework.oversight.alerts import (
	CLOSED,
	EMAIL,
	NOTIFICATION,
	OPEN,
	TODO,
	Alert,
	Outcome,
	raise_alerts,
)
from ap_framework.placement import attendance_window
from ap_framework.placement.doctype.placement_session.placement_session import COVERS
from ap_framework.provision import policies as provider_policies
from ap_framework.rules import oversight as rules
from ap_framework.rules.contact import VISIT_TYPES
from ap_framework.rules.policies import NON_SCHOOL
from ap_framework.rules.timetable import WEEKDAYS, register_opens, to_minutes
from ap_framework.settings import get_settings, session_windows
from ap_framework.utils import to_date

LA_ROLES = ("QA Officer", "AP Administrator")  # who looks after providers for the LA / trust
STAFF = {"ap_lead": "AP Lead", "dsl": "Designated Safeguarding Lead", "senior_leader": "Senior Leader"}
PLACEMENT_FIELDS = ("name", "pupil_name", "school", "provider", "start_date", "end_date", "planned_end_date")
DIGEST_LISTED = 20  # items listed per rule in a school's digest
CHUNK = 1000


# ---- the jobs --------------------------------------------------------------------------------------
def attendance_deadlines(now: datetime | None = None) -> dict:
	"""Every 15 minutes in school hours: today's sessions past their register deadline with no mark.
	Emails the provider's attendance contacts; notifies the school's AP Lead. Once per placement, date and
	session."""
	now = now or now_datetime()
	outcome = Outcome()
	findings = _detect_unmarked(now, get_settings(), outcome)
	staff = school_staff({f.school for f in findings}, ["ap_lead"], outcome)
	contacts = _attendance_contacts({f.provider for f in findings}, outcome)
	alerts = []
	for f in findings:
		alerts += [Alert(f, address, EMAIL, address) for address in contacts.get(f.provider, [])]
		if lead := staff.get((f.school, "ap_lead")):
			alerts.append(Alert(f, lead.user, NOTIFICATION, lead.email))
	return raise_alerts(alerts, now, outcome).as_dict()


def low_attendance(now: datetime | None = None) -> dict:
	"""Daily: attendance over the rolling window below the threshold starts an episode, and the AP Lead is
	given a task to open an intervention plan, once per episode. Episodes end when attendance recovers."""
	now = now or now_datetime()
	today, settings, outcome = now.date(), get_settings(), Outcome()
	placements = _each(_active_placements(), outcome, "Placement", lambda r: [_facts(r)])
	rates = _attendance_rates(today, settings.low_attendance_weeks)
	t = DocType("AP Alert")
	open_episodes = {
		r[0]
		for r in frappe.qb.from_(t)
		.select(t.reference_name)
		.distinct()
		.where((t.rule == rules.LOW_ATTENDANCE) & (t.status == OPEN))
		.run()
	}
	started, ended = rules.low_attendance(
		placements,
		rates,
		open_episodes,
		settings.low_attendance_threshold,
		settings.low_attendance_weeks,
		today,
	)
	_close(rules.LOW_ATTENDANCE, ended, today)
	outcome.extra["episodes_ended"] = len(ended)
	staff = school_staff({f.school for f in started}, ["ap_lead"], outcome)
	alerts = [
		Alert(f, lead.user, TODO, lead.email, status=OPEN)
		for f in started
		if (lead := staff.get((f.school, "ap_lead")))
	]
	return raise_alerts(alerts, now, outcome).as_dict()


def reviews(now: datetime | None = None) -> dict:
	"""Daily: a plan review due within the reminder window is a task for the AP Lead; an overdue one is
	escalated to the Senior Leader, as a task and an email. Once per review date; a submitted Plan Review
	closes them (alerts.close_review_todos)."""
	now = now or now_datetime()
	outcome = Outcome()
	findings = _detect_reviews(now.date(), get_settings(), outcome)
	staff = school_staff({f.school for f in findings}, ["ap_lead", "senior_leader"], outcome)
	alerts = []
	for f in findings:
		role, priority = ("ap_lead", "Medium") if f.rule == rules.REVIEW_DUE else ("senior_leader", "High")
		if person := staff.get((f.school, role)):
			escalated = role == "senior_leader"
			alerts.append(
				Alert(f, person.user, TODO, person.email, priority=priority, status=OPEN, email=escalated)
			)
	return raise_alerts(alerts, now, outcome).as_dict()


def providers(now: datetime | None = None) -> dict:
	"""Daily: safeguarding assurance expiring or expired, QA audit due, visit due (notifications to QA
	officers and AP administrators); an expired assurance or a suspended provider flags each of its active
	placements for the school's Designated Safeguarding Lead. A required policy near or past its review
	date is chased with the provider (its email) and the LA's officers, once per policy and review date."""
	now = now or now_datetime()
	outcome = Outcome()
	settings = get_settings()
	findings, _placements = _detect_providers(now.date(), settings, outcome)
	findings += _detect_policies(now.date(), settings, outcome)
	la_wide = ("AP Provider", "Provider Policy")
	officers = la_users() if any(f.doctype in la_wide for f in findings) else []
	staff = school_staff({f.school for f in findings if f.doctype == "Placement"}, ["dsl"], outcome)
	provider_emails = _provider_emails({f.provider for f in findings if f.doctype == "Provider Policy"})
	alerts = []
	for f in findings:
		if f.doctype in la_wide:
			alerts += [Alert(f, user, NOTIFICATION, email) for user, email in officers]
		if f.doctype == "Provider Policy" and (address := provider_emails.get(f.provider)):
			alerts.append(Alert(f, address, EMAIL, address))
		elif dsl := staff.get((f.school, "dsl")):
			alerts.append(Alert(f, dsl.user, TODO, dsl.email, priority="High"))
	return raise_alerts(alerts, now, outcome).as_dict()


def placements(now: datetime | None = None) -> dict:
	"""Daily: ending soon with no reintegration plan, part-time timetable past its review date, no plan
	agreed within the set number of school days. Tasks for the AP Lead."""
	now = now or now_datetime()
	outcome = Outcome()
	findings = _detect_placements(now.date(), get_settings(), outcome)
	staff = school_staff({f.school for f in findings}, ["ap_lead"], outcome)
	alerts = [
		Alert(f, lead.user, TODO, lead.email) for f in findings if (lead := staff.get((f.school, "ap_lead")))
	]
	return raise_alerts(alerts, now, outcome).as_dict()


def weekly_digest(now: datetime | None = None) -> dict:
	"""Monday morning: each school's Senior Leader gets one email with counts and lists of everything the
	daily jobs look for, as it stands, plus the registers missed in the past week. Once per school and week.
	Over a whole LA the emails are rendered by jobs on the long queue (alerts.raise_alerts, `spread`)."""
	now = now or now_datetime()
	today, settings, outcome = now.date(), get_settings(), Outcome()
	provider_findings, active = _detect_providers(today, settings, outcome)
	findings = _detect_reviews(today, settings, outcome)
	findings += _detect_placements(today, settings, outcome)
	findings += provider_findings
	schools_at: dict[str, set[str]] = defaultdict(set)
	for p in active:
		schools_at[p.provider].add(p.school)
	items: dict[str, list[DigestItem]] = defaultdict(list)
	for f in findings:
		for school in [f.school] if f.school else schools_at.get(f.provider, ()):
			items[school].append(DigestItem(f.rule, f.render(_), f.doctype, f.name))
	for row in _recent_alerts(now):
		items[row.school].append(
			DigestItem(row.rule, row.message or "", row.reference_doctype, row.reference_name)
		)

	s = DocType("School")
	schools = [
		r[0]
		for r in frappe.qb.from_(s)
		.select(s.name)
		.where(s.senior_leader.isnotnull() & (s.senior_leader != ""))
		.run()
	]
	staff = school_staff(schools, ["senior_leader"], outcome)
	week = rules.iso_week(today)
	alerts = []
	for school in sorted(schools):
		if leader := staff.get((school, "senior_leader")):
			finding = rules.Finding(
				rules.WEEKLY_DIGEST, "School", school, week, school, None, (school,), today
			)
			alerts.append(
				Alert(finding, leader.user, EMAIL, leader.email, content=_digest_html(school, items[school]))
			)
	return raise_alerts(alerts, now, outcome, spread="weekly_digest").as_dict()


# ---- detection: a fixed number of queries each -----------------------------------------------------
def _detect_unmarked(now: datetime, settings, outcome: Outcome) -> list[rules.Finding]:
	today = now.date()
	p, s, a = DocType("Placement"), DocType("Placement Session"), DocType("AP Attendance")
	rows = (
		frappe.qb.from_(p)
		.join(s)
		.on((s.parent == p.name) & (s.parenttype == "Placement"))
		.select(*(p[f] for f in PLACEMENT_FIELDS), s.covers_am, s.covers_pm, s.start_time)
		.where((p.status == "Active") & (s.weekday == WEEKDAYS[today.weekday()]) & (p.start_date <= today))
		.run(as_dict=True)
	)
	marked = set(frappe.qb.from_(a).select(a.placement, a.session).where(a.attendance_date == today).run())
	windows = session_windows(settings)

	def sessions(row):
		start = to_minutes(row.start_time)
		if start is None:
			raise ValueError(f"timetable row with no start time: {row.start_time!r}")
		return [
			rules.TimetabledSession(_facts(row), each, register_opens(each, [start], windows))
			for each, field in COVERS.items()
			if row[field]
		]

	timetabled = _each(rows, outcome, "Placement", sessions)
	return rules.unmarked_sessions(now, timetabled, marked, settings.attendance_deadline_minutes)


def _attendance_rates(today: date, weeks: int) -> dict[str, float | None]:
	"""Each active placement's rate over the window: the marks counted by code in the database."""
	start, end = rules.attendance_window(today, weeks)
	p, a = DocType("Placement"), DocType("AP Attendance")
	if start == attendance_window.since(today) and end == today - timedelta(days=1):
		# the four weeks' sums kept per placement, less today's marks (the window ends yesterday)
		live = frappe.qb.from_(p).select(p.name).where(p.status == "Active")
		kept = attendance_window.sums(live, today)
		if kept is not None:
			today_only = {r.placement: r for r in attendance_window.sums_of_day(live, today)}
			rates = {}
			for r in kept:
				t = today_only.get(r.placement)
				attended = r.attended - (t.attended if t else 0)
				possible = r.possible - (t.possible if t else 0)
				rates[r.placement] = round(100 * attended / possible, 1) if possible else None
			return rates
	counts: dict[str, dict[str, int]] = defaultdict(dict)
	for placement, mark, n in (
		frappe.qb.from_(a)
		.join(p)
		.on(p.name == a.placement)
		.select(a.placement, a.mark, Count("*"))
		.where((p.status == "Active") & (a.attendance_date >= start) & (a.attendance_date <= end))
		.groupby(a.placement, a.mark)
		.run()
	):
		counts[placement][mark] = n
	return {name: rules.rate_from_counts(c) for name, c in counts.items()}


def _detect_reviews(today: date, settings, outcome: Outcome) -> list[rules.Finding]:
	p = DocType("Placement")
	horizon = today + timedelta(days=settings.review_reminder_days)
	rows = _active_placements("next_review_date", where=p.next_review_date <= horizon)
	return _each(
		rows,
		outcome,
		"Placement",
		lambda r: rules.review_findings(_facts(r), today, settings.review_reminder_days),
	)


def _detect_providers(
	today: date, settings, outcome: Outcome
) -> tuple[list[rules.Finding], list[rules.PlacementFacts]]:
	pr, sa, cl = DocType("AP Provider"), DocType("Safeguarding Assurance"), DocType("Contact Log")
	rows = (
		frappe.qb.from_(pr)
		.select(pr.name, pr.approval_status, pr.last_qa_date, pr.last_qa_audit)
		.run(as_dict=True)
	)
	assured = dict(frappe.qb.from_(sa).select(sa.provider, Max(sa.valid_until)).groupby(sa.provider).run())
	visited = dict(
		frappe.qb.from_(cl)
		.select(cl.provider, Max(cl.contact_datetime))
		.where(cl.contact_type.isin(VISIT_TYPES))
		.groupby(cl.provider)
		.run()
	)
	active = _each(_active_placements(), outcome, "Placement", lambda r: [_facts(r)])
	by_provider: dict[str, list[rules.PlacementFacts]] = defaultdict(list)
	for p in active:
		by_provider[p.provider].append(p)

	def check(row):
		facts = rules.ProviderFacts(
			row.name,
			row.approval_status,
			to_date(assured.get(row.name)),
			to_date(row.last_qa_date),
			row.last_qa_audit,
			to_date(visited.get(row.name)),
		)
		here = by_provider.get(row.name, [])
		found = rules.safeguarding_flags(facts, here, today)
		# A provider the LA has turned down needs no audits or visits unless pupils are still there.
		if row.approval_status != "Not Approved" or here:
			found += rules.provider_findings(
				facts,
				today,
				settings.assurance_warning_days,
				settings.qa_interval_days,
				settings.visit_interval_days,
				min((p.start for p in here if p.start), default=None),
			)
		return found

	return _each(rows, outcome, "AP Provider", check), active


def _detect_policies(today: date, settings, outcome: Outcome) -> list[rules.Finding]:
	"""The required policies of the non-school providers still in use (not turned down) that are due for
	review within the assurance warning window, or lapsed: two queries whatever the number of providers."""
	pr = DocType("AP Provider")
	rows = (
		frappe.qb.from_(pr)
		.select(pr.name)
		.where(
			(pr.registration_status == NON_SCHOOL)
			& (pr.approval_status.isnull() | (pr.approval_status != "Not Approved"))
		)
		.run(as_dict=True)
	)
	records = provider_policies.held([r.name for r in rows])
	return _each(
		rows,
		outcome,
		"AP Provider",
		lambda row: rules.policy_findings(
			row.name, records.get(row.name, []), today, settings.assurance_warning_days
		),
	)


def _provider_emails(providers: Iterable[str | None]) -> dict[str, str]:
	"""The provider's own email address, where it is a valid one."""
	providers = sorted({p for p in providers if p})
	if not providers:
		return {}
	rows = frappe.get_all("AP Provider", filters={"name": ("in", providers)}, fields=["name", "email"])
	return {r.name: r.email for r in rows if r.email and validate_email_address(r.email)}


def _detect_placements(today: date, settings, outcome: Outcome) -> list[rules.Finding]:
	p, rp, pp = DocType("Placement"), DocType("Reintegration Plan"), DocType("Pupil Plan")
	rows = _active_placements("is_part_time", "part_time_review_date")
	with_return_plan = {
		r[0]
		for r in frappe.qb.from_(rp)
		.join(p)
		.on(p.name == rp.placement)
		.select(rp.placement)
		.distinct()
		.where(p.status == "Active")
		.run()
	}
	with_agreed_plan = {
		r[0]
		for r in frappe.qb.from_(pp)
		.join(p)
		.on(p.name == pp.placement)
		.select(pp.placement)
		.distinct()
		.where((p.status == "Active") & (pp.status == "Agreed"))
		.run()
	}
	return _each(
		rows,
		outcome,
		"Placement",
		lambda r: rules.placement_findings(
			_facts(r),
			today,
			settings.ending_warning_days,
			settings.plan_agreed_within_school_days,
			r.name in with_return_plan,
			r.name in with_agreed_plan,
		),
	)


def _recent_alerts(now: datetime) -> list:
	"""For the digest: registers missed in the past week and low-attendance episodes still open, once
	each however many people were alerted."""
	t = DocType("AP Alert")
	return (
		frappe.qb.from_(t)
		.select(t.rule, t.school, t.reference_doctype, t.reference_name, Max(t.message).as_("message"))
		.where(
			t.school.isnotnull()
			& (
				((t.rule == rules.ATTENDANCE_NOT_MARKED) & (t.raised_on >= now - timedelta(days=7)))
				| ((t.rule == rules.LOW_ATTENDANCE) & (t.status == OPEN))
			)
		)
		.groupby(t.rule, t.school, t.reference_doctype, t.reference_name, t.period)
		.run(as_dict=True)
	)


# ---- shared gathering ------------------------------------------------------------------------------
def _active_placements(*extra: str, where=None) -> list[frappe._dict]:
	p = DocType("Placement")
	query = frappe.qb.from_(p).select(*(p[f] for f in PLACEMENT_FIELDS + extra)).where(p.status == "Active")
	if where is not None:
		query = query.where(where)
	return query.run(as_dict=True)


def _facts(row) -> rules.PlacementFacts:
	return rules.PlacementFacts(
		name=row.name,
		label=f"{row.pupil_name} ({row.name})" if row.pupil_name else row.name,
		school=row.school,
		provider=row.provider,
		start=to_date(row.start_date),
		end=to_date(row.end_date or row.planned_end_date),
		next_review=to_date(row.get("next_review_date")),
		is_part_time=bool(row.get("is_part_time")),
		part_time_review=to_date(row.get("part_time_review_date")),
	)


def _each(rows: Iterable, outcome: Outcome, doctype: str, build: Callable[[frappe._dict], list]) -> list:
	"""build(row) for every row, concatenated. A row that breaks it is logged by name and skipped, so one
	bad record never stops the job."""
	out = []
	for row in rows:
		try:
			out += build(row)
		except Exception:
			_bad_record(outcome, doctype, row.name)
	return out


def _bad_record(outcome: Outcome, doctype: str, name: str, reason: str | None = None) -> None:
	outcome.bad_records += 1
	frappe.log_error(
		title=_("AP oversight skipped {0} {1}").format(_(doctype), name)[:140],
		message=reason,
		reference_doctype=doctype,
		reference_name=name,
	)


@dataclass(frozen=True)
class Person:
	user: str
	email: str


def enabled_emails(users: Iterable[str | None]) -> dict[str, str]:
	"""user -> email of those of `users` who are enabled: one query (none for no users)."""
	named = sorted({u for u in users if u})
	if not named:
		return {}
	u = DocType("User")
	return dict(frappe.qb.from_(u).select(u.name, u.email).where(u.name.isin(named) & (u.enabled == 1)).run())


def school_staff(schools: Iterable[str | None], fields: list[str], outcome: Outcome) -> dict:
	"""(school, field) -> Person for the schools' named staff who are enabled users: two queries.
	A school naming someone who is not an enabled user is a bad record: logged, and its alerts wait (they
	are not recorded) until it is put right."""
	schools = sorted({s for s in schools if s})
	if not schools:
		return {}
	s = DocType("School")
	rows = (
		frappe.qb.from_(s)
		.select(s.name, *(s[f] for f in fields))
		.where(s.name.isin(schools))
		.run(as_dict=True)
	)
	users = enabled_emails({r[f] for r in rows for f in fields})
	out = {}
	for r in rows:
		for f in fields:
			user = r[f]
			if not user:
				continue  # nobody named for the role: nobody to alert
			if users.get(user):
				out[(r.name, f)] = Person(user, users[user])
			else:
				_bad_record(
					outcome, "School", r.name, _("{0} {1} is not an enabled user").format(_(STAFF[f]), user)
				)
	return out


def _attendance_contacts(providers: Iterable[str | None], outcome: Outcome) -> dict[str, list[str]]:
	"""Provider -> the email addresses of its Attendance contacts (one query); a bad address is logged."""
	providers = sorted({p for p in providers if p})
	if not providers:
		return {}
	c = DocType("AP Provider Contact")
	rows = (
		frappe.qb.from_(c)
		.select(c.parent, c.email)
		.where((c.parenttype == "AP Provider") & (c.contact_role == "Attendance") & c.parent.isin(providers))
		.run()
	)
	out: dict[str, list[str]] = defaultdict(list)
	for provider, email in rows:
		if not email:
			continue
		if address := validate_email_address(email.strip()):
			out[provider].append(address)
		else:
			_bad_record(
				outcome,
				"AP Provider",
				provider,
				_("The attendance contact's email address {0} is not valid").format(email),
			)
	return out


def la_users(roles: tuple[str, ...] = LA_ROLES) -> list[tuple[str, str]]:
	"""(user, email) of every enabled user holding one of the LA's `roles` (QA Officer, AP Administrator):
	one query."""
	hr, u = DocType("Has Role"), DocType("User")
	return sorted(
		frappe.qb.from_(hr)
		.join(u)
		.on(u.name == hr.parent)
		.select(u.name, u.email)
		.distinct()
		.where(
			(hr.parenttype == "User")
			& hr.role.isin(roles)
			& (u.enabled == 1)
			& u.email.isnotnull()
			& (u.name != "Guest")
		)
		.run()
	)


def _close(rule: str, names: list[str], on: date) -> None:
	"""Close the open alerts of `rule` for these placements (one update per thousand)."""
	t = DocType("AP Alert")
	for i in range(0, len(names), CHUNK):
		(
			frappe.qb.update(t)
			.set(t.status, CLOSED)
			.set(t.closed_on, on)
			.where(
				(t.rule == rule)
				& (t.status == OPEN)
				& (t.reference_doctype == "Placement")
				& t.reference_name.isin(names[i : i + CHUNK])
			)
			.run()
		)


# ---- the digest's email ----------------------------------------------------------------------------
@dataclass(frozen=True)
class DigestItem:
	rule: str
	text: str
	doctype: str
	name: str


def _digest_html(school: str, items: list[DigestItem]) -> str:
	parts = [f"<h3>{escape_html(school)}</h3>"]
	sections = rules.digest_sections(items, DIGEST_LISTED)
	if not sections:
		parts.append("<p>" + _("Nothing needs attention this week.") + "</p>")
	for rule, count, listed in sections:
		parts.append(f"<h4>{escape_html(_(rules.TITLES[rule]))}: {count}</h4><ul>")
		parts += [
			f'<li><a href="{get_url_to_form(i.doctype, i.name)}">{escape_html(i.text)}</a></li>'
			for i in listed
		]
		parts.append("</ul>")
		if count > len(listed):
			parts.append("<p>" + _("… and {0} more.").format(count - len(listed)) + "</p>")
	return "".join(parts)
