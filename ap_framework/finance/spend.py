"""Set-based gathering for the spend reports: a fixed number of grouped queries whatever the number of
placements, each scoped to the viewer (permissions.scope on Placement) and to the report's filters.

  committed  submitted Purchase Orders' lines for placements (amended orders count once: the
             cancelled original is not submitted)
  invoiced   submitted Purchase Invoices' lines naming placements (returns subtract)
  paid       invoiced x the share of each invoice already paid (grand total less outstanding)
  held       invoiced on invoices still on hold
  attended   register marks showing the pupil attended, on costed placements

Grouped by provider, school or reason (the census reason for the placement), or by funding source: an
order's lines carry their funder, and invoice lines and sessions are shared out by the placement's
funding percentages (all to the school budget where none are set).
"""

from __future__ import annotations

from collections import defaultdict

import frappe
from frappe.query_builder import Case, DocType
from frappe.query_builder.functions import Coalesce, Count, Sum

from ap_framework import permissions
from ap_framework.finance import enabled
from ap_framework.rules import costing, invoicing

GROUPS = {"Provider": "provider", "School": "school", "Reason": "census_reason", "Funding Source": None}


def _scope(query, p, filters):
	restriction = permissions.scope("Placement", frappe.session.user)
	if restriction is not None:
		fieldname, values = restriction
		query = query.where(p[fieldname].isin(values or [""]) if fieldname else p.name.isnull())
	for f in ("school", "provider"):
		if filters.get(f):
			query = query.where(p[f] == filters.get(f))
	return query


def _dates(query, field, filters):
	if filters.get("from_date"):
		query = query.where(field >= filters.get("from_date"))
	if filters.get("to_date"):
		query = query.where(field <= filters.get("to_date"))
	return query


def _grouped(query, p, pf, group_by):
	"""Add the group key (and the funding join where grouping by funder); return (query, key, weight)."""
	if group_by == "Funding Source":
		query = query.left_join(pf).on((pf.parent == p.name) & (pf.parenttype == "Placement"))
		key = Coalesce(pf.funding_source, costing.DEFAULT_FUNDING)
		return query, key, Coalesce(pf.percentage, 100) / 100
	return query, Coalesce(p[GROUPS[group_by]], ""), 1


def figures(filters) -> dict[str, dict]:
	"""{group: {committed, invoiced, paid, held, pupils, placements, attended}}"""
	group_by = filters.get("group_by") or "Provider"
	out: dict[str, dict] = defaultdict(
		lambda: dict(committed=0.0, invoiced=0.0, paid=0.0, held=0.0, pupils=0, placements=0, attended=0.0)
	)
	if not enabled():
		return out
	p, pf = DocType("Placement"), DocType("Placement Funding")

	po, poi = DocType("Purchase Order"), DocType("Purchase Order Item")
	q = frappe.qb.from_(poi).join(po).on(po.name == poi.parent).join(p).on(p.name == poi.ap_placement)
	key = poi.ap_funding_source if group_by == "Funding Source" else Coalesce(p[GROUPS[group_by]], "")
	q = q.select(key.as_("grp"), Sum(poi.base_net_amount).as_("amount")).where(po.docstatus == 1)
	for r in _dates(_scope(q, p, filters), po.transaction_date, filters).groupby(key).run(as_dict=True):
		out[r.grp]["committed"] += float(r.amount or 0)

	pi, pii = DocType("Purchase Invoice"), DocType("Purchase Invoice Item")
	q = frappe.qb.from_(pii).join(pi).on(pi.name == pii.parent).join(p).on(p.name == pii.ap_placement)
	q, key, weight = _grouped(q, p, pf, group_by)
	paid_share = (
		Case().when(pi.grand_total != 0, (pi.grand_total - pi.outstanding_amount) / pi.grand_total).else_(0)
	)
	q = q.select(
		key.as_("grp"),
		Sum(pii.base_net_amount * weight).as_("invoiced"),
		Sum(pii.base_net_amount * weight * paid_share).as_("paid"),
		Sum(Case().when(pi.on_hold == 1, pii.base_net_amount * weight).else_(0)).as_("held"),
		Count(p.pupil).distinct().as_("pupils"),
		Count(p.name).distinct().as_("placements"),
	).where(pi.docstatus == 1)
	for r in _dates(_scope(q, p, filters), pi.posting_date, filters).groupby(key).run(as_dict=True):
		row = out[r.grp]
		row["invoiced"] += float(r.invoiced or 0)
		row["paid"] += float(r.paid or 0)
		row["held"] += float(r.held or 0)
		row["pupils"], row["placements"] = r.pupils, r.placements

	a = DocType("AP Attendance")
	q = frappe.qb.from_(a).join(p).on(p.name == a.placement)
	q, key, weight = _grouped(q, p, pf, group_by)
	q = q.select(key.as_("grp"), Sum(weight).as_("attended")).where(
		a.mark.isin(sorted(invoicing.DELIVERED)) & p.charging_basis.isnotnull() & (p.charging_basis != "")
	)
	for r in _dates(_scope(q, p, filters), a.attendance_date, filters).groupby(key).run(as_dict=True):
		out[r.grp]["attended"] += float(r.attended or 0)
	return out


def outcomes(filters) -> dict[str, dict]:
	"""Per placement with spend: its group keys, its reintegration, and its pupil's domain scores."""
	p = DocType("Placement")
	pii, pi = DocType("Purchase Invoice Item"), DocType("Purchase Invoice")
	spent = (
		frappe.qb.from_(pii)
		.join(pi)
		.on(pi.name == pii.parent)
		.select(pii.ap_placement)
		.where((pi.docstatus == 1) & pii.ap_placement.isnotnull())
	)
	q = frappe.qb.from_(p).select(
		p.name, p.provider, p.school, p.pupil, p.status, p.end_outcome, p.census_reason
	)
	q = q.where(p.name.isin(spent) if enabled() else p.name.isnull())
	placements = {r.name: r for r in _scope(q, p, filters).run(as_dict=True)}
	if not placements:
		return {}
	da, s = DocType("Domain Assessment"), DocType("Domain Assessment Score")
	rows = (
		frappe.qb.from_(s)
		.join(da)
		.on((da.name == s.parent) & (s.parenttype == "Domain Assessment"))
		.select(da.placement, da.assessment_date, da.is_baseline, s.domain, s.score)
		.where((da.docstatus == 1) & da.placement.isin(list(placements)))
		.run()
	)
	for r in placements.values():
		r.scores = []
	for placement, on, is_baseline, domain, score in rows:
		placements[placement].scores.append((on, bool(is_baseline), domain, score or 0))
	return placements
