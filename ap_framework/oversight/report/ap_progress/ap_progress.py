"""Progress across the development domains: each pupil's baseline against their latest assessment, and
per cohort (school, provider or placement type) the mean change per domain and the share improving."""

from __future__ import annotations

from collections import defaultdict

import frappe
from frappe import _
from frappe.query_builder import DocType

from ap_framework.oversight import evidence
from ap_framework.rules.assessment import change_by_domain

GROUPS = {"School": "school", "Provider": "provider", "Placement Type": "placement_type"}


def execute(filters=None):
	filters = frappe._dict(filters or {})
	per_pupil, domains = pupil_progress(filters)
	if filters.get("view") == "Pupils":
		columns = [
			{"fieldname": "pupil_name", "label": _("Pupil"), "fieldtype": "Data", "width": 160},
			{
				"fieldname": "placement",
				"label": _("Placement"),
				"fieldtype": "Link",
				"options": "Placement",
				"width": 130,
			},
		] + [
			{"fieldname": frappe.scrub(d), "label": _(d), "fieldtype": "Data", "width": 120} for d in domains
		]
		rows = [
			{
				"pupil_name": r["pupil_name"],
				"placement": r["placement"],
				**{frappe.scrub(d): _fmt(r["baseline"].get(d), r["latest"].get(d)) for d in domains},
			}
			for r in per_pupil
		]
		return columns, rows
	group = GROUPS.get(filters.get("group_by") or "School", "school")
	rows = cohort_rows(per_pupil, domains, group)
	columns = [
		{
			"fieldname": "cohort",
			"label": _(filters.get("group_by") or "School"),
			"fieldtype": "Data",
			"width": 180,
		},
		{
			"fieldname": "domain",
			"label": _("Domain"),
			"fieldtype": "Link",
			"options": "Development Domain",
			"width": 200,
		},
		{"fieldname": "pupils", "label": _("Pupils"), "fieldtype": "Int", "width": 70},
		{
			"fieldname": "mean_change",
			"label": _("Mean change"),
			"fieldtype": "Float",
			"precision": 2,
			"width": 110,
		},
		{"fieldname": "improving", "label": _("Improving (%)"), "fieldtype": "Percent", "width": 110},
	]
	overall = cohort_rows(per_pupil, domains, None)
	chart = {
		"data": {
			"labels": [r["domain"] for r in overall],
			"datasets": [{"name": _("Mean change"), "values": [r["mean_change"] for r in overall]}],
		},
		"type": "bar",
	}
	return columns, rows, None, chart


def _fmt(base, latest):
	return "" if base is None or latest is None else f"{base} → {latest}"


def pupil_progress(filters) -> tuple[list[dict], list[str]]:
	"""Each placement's baseline and latest scores per domain, from submitted assessments, in one query."""
	da, s, p = DocType("Domain Assessment"), DocType("Domain Assessment Score"), DocType("Placement")
	query = (
		frappe.qb.from_(da)
		.join(s)
		.on((s.parent == da.name) & (s.parenttype == "Domain Assessment"))
		.join(p)
		.on(p.name == da.placement)
		.select(
			da.placement,
			da.pupil,
			da.pupil_name,
			da.assessment_date,
			da.is_baseline,
			da.creation,
			s.domain,
			s.score,
			p.school,
			p.provider,
			p.placement_type,
		)
		.where(da.docstatus == 1)
		.orderby(da.assessment_date)
		.orderby(da.creation)
	)
	# the form charts ask about one pupil or placement: filter in SQL, not after reading the school
	if filters.get("placement"):
		query = query.where(da.placement == filters.get("placement"))
	if filters.get("pupil"):
		query = query.where(da.pupil == filters.get("pupil"))
	rows = evidence.scoped(query, p, evidence.allowed_schools(), filters.get("school")).run(as_dict=True)
	by_placement: dict[str, dict] = {}
	for r in rows:
		entry = by_placement.setdefault(
			r.placement,
			{
				"placement": r.placement,
				"pupil": r.pupil,
				"pupil_name": r.pupil_name,
				"school": r.school,
				"provider": r.provider,
				"placement_type": r.placement_type,
				"baseline": {},
				"latest": {},
				"latest_date": {},
			},
		)
		if r.is_baseline:
			entry["baseline"][r.domain] = r.score
		else:
			entry["latest"][r.domain] = r.score  # ordered by date: the last one wins
	domain_order = frappe.get_all(
		"Development Domain", filters={"is_active": 1}, pluck="name", order_by="sort_order"
	)
	out = [e for e in by_placement.values() if e["baseline"] and e["latest"]]
	return out, domain_order


def cohort_rows(per_pupil, domains, group: str | None) -> list[dict]:
	changes = defaultdict(list)
	for e in per_pupil:
		for domain, delta in change_by_domain(e["baseline"], e["latest"]).items():
			changes[(e[group] if group else _("All"), domain)].append(delta)
	rank = {d: i for i, d in enumerate(domains)}
	return [
		{
			"cohort": cohort,
			"domain": domain,
			"pupils": len(deltas),
			"mean_change": round(sum(deltas) / len(deltas), 2),
			"improving": round(100 * sum(1 for d in deltas if d > 0) / len(deltas), 1),
		}
		for (cohort, domain), deltas in sorted(
			changes.items(), key=lambda kv: (kv[0][0], rank.get(kv[0][1], 99))
		)
	]
