"""AP spend by provider, school, funding source or reason: committed, invoiced, paid and held; cost per
pupil and per attended session. Needs ERPNext (empty, with a note, without it)."""

from __future__ import annotations

import frappe
from frappe import _

from ap_framework.finance import enabled, spend
from ap_framework.rules.spend import per


def execute(filters=None):
	filters = frappe._dict(filters or {})
	group_by = filters.get("group_by") or "Provider"
	if group_by not in spend.GROUPS:
		frappe.throw(_("Group by must be one of {0}").format(", ".join(spend.GROUPS)), title=_("Group By"))
	columns = [
		{"fieldname": "grp", "label": _(group_by), "fieldtype": "Data", "width": 200},
		{"fieldname": "placements", "label": _("Placements invoiced"), "fieldtype": "Int", "width": 100},
		{"fieldname": "pupils", "label": _("Pupils"), "fieldtype": "Int", "width": 80},
		{"fieldname": "committed", "label": _("Committed"), "fieldtype": "Currency", "width": 120},
		{"fieldname": "invoiced", "label": _("Invoiced"), "fieldtype": "Currency", "width": 120},
		{"fieldname": "paid", "label": _("Paid"), "fieldtype": "Currency", "width": 120},
		{"fieldname": "held", "label": _("On hold"), "fieldtype": "Currency", "width": 110},
		{"fieldname": "attended", "label": _("Attended sessions"), "fieldtype": "Float", "width": 110},
		{"fieldname": "cost_per_pupil", "label": _("Cost per pupil"), "fieldtype": "Currency", "width": 120},
		{
			"fieldname": "cost_per_session",
			"label": _("Cost per attended session"),
			"fieldtype": "Currency",
			"width": 140,
		},
	]
	if not enabled():
		return columns, [], _("Spend is reported where ERPNext is installed on this site.")
	data = []
	for grp, f in sorted(spend.figures(filters).items()):
		data.append(
			{
				"grp": grp,
				**{k: round(v, 2) if isinstance(v, float) else v for k, v in f.items()},
				"cost_per_pupil": per(f["invoiced"], f["pupils"]),
				"cost_per_session": per(f["invoiced"], f["attended"]),
			}
		)
	return columns, data
