"""Life after reintegration: check-ins on the same domains while the pupil is monitored back at school,
an alert when a domain falls back, and reminders when a check-in comes round."""

from __future__ import annotations

from datetime import datetime, timedelta

import frappe
from frappe.query_builder import DocType
from frappe.query_builder.functions import Max
from frappe.utils import now_datetime

from ap_framework.oversight.alerts import NOTIFICATION, OPEN, TODO, Alert, Outcome, raise_alerts
from ap_framework.oversight.jobs import school_staff
from ap_framework.rules import oversight as rules
from ap_framework.rules import reintegration
from ap_framework.utils import to_date

RETURNED = "Reintegrated to Home School"
DEFAULT_WEEKS = 6  # monitoring when no reintegration plan says otherwise


def monitoring_window(placement: str) -> tuple | None:
	"""(returned on, monitoring ends) for a placement that ended with the pupil back at school."""
	p, rp = DocType("Placement"), DocType("Reintegration Plan")
	row = (
		frappe.qb.from_(p)
		.left_join(rp)
		.on(rp.placement == p.name)
		.select(p.end_date, p.end_outcome, Max(rp.monitoring_end_date).as_("monitoring_end"))
		.where(p.name == placement)
		.groupby(p.name)
		.run(as_dict=True)
	)
	if not row or row[0].end_outcome != RETURNED or not row[0].end_date:
		return None
	ended = to_date(row[0].end_date)
	return ended, to_date(row[0].monitoring_end) or ended + timedelta(weeks=DEFAULT_WEEKS)


def on_check_in_submitted(doc) -> None:
	"""Compare a check-in with the last scores before the return; a domain lower now alerts the school."""
	da, s = DocType("Domain Assessment"), DocType("Domain Assessment Score")
	rows = (
		frappe.qb.from_(da)
		.join(s)
		.on((s.parent == da.name) & (s.parenttype == "Domain Assessment"))
		.select(s.domain, s.score)
		.where((da.placement == doc.placement) & (da.docstatus == 1) & (da.after_reintegration == 0))
		.orderby(da.assessment_date)
		.orderby(da.creation)
		.run()
	)
	before = dict(rows)  # in date order: the latest score per domain wins
	fell = reintegration.fallbacks(before, {r.domain: r.score for r in doc.scores})
	if not fell:
		return
	doc.db_set("fell_back", ", ".join(fell))
	details = "; ".join(
		f"{d} {before[d]} → {next(r.score for r in doc.scores if r.domain == d)}" for d in fell
	)
	finding = rules.Finding(
		rules.DOMAIN_FELL_BACK,
		"Domain Assessment",
		doc.name,
		doc.name,
		school=doc.school,
		provider=doc.provider,
		args=(doc.pupil_name, ", ".join(fell), details),
		due=to_date(doc.assessment_date),
	)
	outcome = Outcome()
	staff = school_staff([doc.school], ["ap_lead", "dsl"], outcome)
	alerts = [
		Alert(finding, p.user, NOTIFICATION, p.email, priority="High")
		for key in ("ap_lead", "dsl")
		if (p := staff.get((doc.school, key)))
	]
	raise_alerts(alerts, now_datetime(), outcome)


def check_ins(now: datetime | None = None) -> dict:
	"""Daily: a check-in that has come round with none recorded since is a task for the AP Lead, once."""
	now = now or now_datetime()
	today = now.date()
	p, rp, da = DocType("Placement"), DocType("Reintegration Plan"), DocType("Domain Assessment")
	last = (
		frappe.qb.from_(da)
		.select(da.placement, Max(da.assessment_date).as_("last"))
		.where((da.docstatus == 1) & (da.after_reintegration == 1))
		.groupby(da.placement)
	)
	rows = (
		frappe.qb.from_(p)
		.join(rp)
		.on(rp.placement == p.name)
		.left_join(last)
		.on(last.placement == p.name)
		.select(
			p.name,
			p.pupil_name,
			p.school,
			p.provider,
			p.end_date,
			rp.monitoring_end_date,
			rp.check_in_weeks,
			last.last,
		)
		.where((p.status == "Ended") & (p.end_outcome == RETURNED) & (rp.monitoring_end_date >= today))
		.run(as_dict=True)
	)
	findings = []
	for r in rows:
		due = reintegration.check_in_due(
			to_date(r.end_date), to_date(r.monitoring_end_date), r.check_in_weeks, today, to_date(r.last)
		)
		if due:
			findings.append(
				rules.Finding(
					rules.CHECK_IN_DUE,
					"Placement",
					r.name,
					due.isoformat(),
					school=r.school,
					provider=r.provider,
					args=(f"{r.pupil_name} ({r.name})", due),
					due=due,
				)
			)
	outcome = Outcome()
	staff = school_staff({f.school for f in findings}, ["ap_lead"], outcome)
	alerts = [
		Alert(f, lead.user, TODO, lead.email, status=OPEN)
		for f in findings
		if (lead := staff.get((f.school, "ap_lead")))
	]
	return raise_alerts(alerts, now, outcome).as_dict()
