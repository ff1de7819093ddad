"""Cost beside outcomes, for value-for-money reviews: what was spent per provider (or school), per
attended session, and what changed for the pupils — the change across the development domains since
baseline, and how many placements ended in reintegration. Needs ERPNext (empty without it)."""

from __future__ import annotations

from collections import defaultdict

import frappe
from frappe import _

from ap_framework.finance import enabled, spend
from ap_framework.rules import spend as rule

REINTEGRATED = "Reintegrated to Home School"


def execute(filters=None):
	filters = frappe._dict(filters or {})
	group_by = filters.get("group_by") or "Provider"
	if group_by not in ("Provider", "School"):
		frappe.throw(_("Group by must be Provider or School"), title=_("Group By"))
	columns = [
		{"fieldname": "grp", "label": _(group_by), "fieldtype": "Data", "width": 200},
		{"fieldname": "placements", "label": _("Placements invoiced"), "fieldtype": "Int", "width": 100},
		{"fieldname": "invoiced", "label": _("Invoiced"), "fieldtype": "Currency", "width": 120},
		{"fieldname": "attended", "label": _("Attended sessions"), "fieldtype": "Float", "width": 110},
		{
			"fieldname": "cost_per_session",
			"label": _("Cost per attended session"),
			"fieldtype": "Currency",
			"width": 140,
		},
		{
			"fieldname": "assessed",
			"label": _("Pupils with baseline and later scores"),
			"fieldtype": "Int",
			"width": 120,
		},
		{
			"fieldname": "domain_change",
			"label": _("Average change across domains"),
			"fieldtype": "Float",
			"width": 130,
		},
		{"fieldname": "ended", "label": _("Ended"), "fieldtype": "Int", "width": 70},
		{"fieldname": "reintegrated", "label": _("Reintegrated"), "fieldtype": "Int", "width": 100},
		{
			"fieldname": "reintegration_rate",
			"label": _("Reintegration rate %"),
			"fieldtype": "Percent",
			"width": 110,
		},
		{
			"fieldname": "cost_per_reintegration",
			"label": _("Cost per reintegration"),
			"fieldtype": "Currency",
			"width": 130,
		},
	]
	if not enabled():
		return columns, [], _("Value for money is reported where ERPNext is installed on this site.")
	money = spend.figures(frappe._dict(filters, group_by=group_by))
	field = spend.GROUPS[group_by]
	groups: dict[str, list] = defaultdict(list)
	for r in spend.outcomes(filters).values():
		groups[r[field] or ""].append(r)
	data = []
	for grp in sorted(set(money) | set(groups)):
		f, placements = money.get(grp) or {}, groups.get(grp, [])
		changes = [rule.domain_change(r.scores) for r in placements]
		ended = [r for r in placements if r.status == "Ended"]
		reintegrated = sum(1 for r in ended if r.end_outcome == REINTEGRATED)
		invoiced = round(f.get("invoiced", 0.0), 2)
		data.append(
			{
				"grp": grp,
				"placements": len(placements),
				"invoiced": invoiced,
				"attended": f.get("attended", 0.0),
				"cost_per_session": rule.per(invoiced, f.get("attended", 0)),
				"assessed": sum(1 for c in changes if c is not None),
				"domain_change": rule.mean(changes),
				"ended": len(ended),
				"reintegrated": reintegrated,
				"reintegration_rate": rule.per(100 * reintegrated, len(ended)),
				"cost_per_reintegration": rule.per(invoiced, reintegrated),
			}
		)
	return columns, data
