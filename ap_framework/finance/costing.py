"""The Placement's costing: gather the facts, let rules/costing.py judge and derive. Works without ERPNext
(the planned cost is useful to anyone); with it, the company's holidays are left out of the plan."""

from __future__ import annotations

import frappe

from ap_framework.finance import closed_dates
from ap_framework.rules import Problem, costing, timetable
from ap_framework.utils import to_date


def derive(doc) -> list[Problem]:
	"""Set the Placement's rate, planned units and planned cost; return what is wrong with its costing.
	Call after the timetable rows' sessions are derived."""
	c = facts(doc)
	problems = costing.check(c)
	rate = costing.effective_rate(c)
	sessions = planned_sessions(doc) if c.basis else []
	doc.rate = rate or 0
	doc.planned_units, doc.planned_cost = costing.planned(c.basis, rate, sessions)
	return problems


def facts(doc) -> costing.Costing:
	field = costing.PROVIDER_RATE_FIELD.get(doc.charging_basis or "")
	provider_rate = (
		frappe.db.get_value("AP Provider", doc.provider, field) if field and doc.provider else None
	)
	return costing.Costing(
		basis=doc.charging_basis or None,
		rate_source=doc.rate_source or "Provider Rate",
		provider_rate=provider_rate,
		agreed_rate=doc.agreed_cost,
		funding=tuple(
			costing.Funding(r.funding_source, r.percentage or 0, r.idx) for r in doc.get("funding") or []
		),
	)


def planned_sessions(doc) -> list:
	start = to_date(doc.start_date)
	end = to_date(doc.end_date or doc.planned_end_date)
	weekly = timetable.weekly_sessions((r.weekday, r.covers_am, r.covers_pm) for r in doc.timetable)
	return costing.timetabled_sessions(start, end, weekly, closed_dates(start, end))
