"""Paying for AP through ERPNext: providers as suppliers, commissioning orders, invoices
checked against the registers, spend reports.

ERPNext is optional. Every entry point here asks enabled() first and does nothing on a site without
it; nothing in the app imports erpnext (ERPNext's documents are reached through frappe only), and the
fields this needs on ERPNext's DocTypes are added by finance/setup.py only where ERPNext is installed.

  setup.py          custom fields: installed, kept in step and removed with either app
  costing.py        the Placement's costing (works with or without ERPNext)
  suppliers.py      AP Provider -> Supplier, one way
  commissioning.py  the Purchase Order for a placement: on approval, on change, closed at the end
  invoices.py       a provider's Purchase Invoice checked against registers and agreed terms
  report/           spend, and cost beside outcomes
"""

from __future__ import annotations

import frappe


def enabled() -> bool:
	"""The integration is on wherever ERPNext is installed on the site, and nowhere else."""
	return "erpnext" in frappe.get_installed_apps()


def company() -> str | None:
	"""The company that buys AP: AP Settings' finance company, else the site's default company."""
	name = frappe.db.get_single_value("AP Settings", "finance_company") if enabled() else None
	return name or frappe.db.get_single_value("Global Defaults", "default_company") or None


def closed_dates(start, end) -> set:
	"""Holidays in the company's default holiday list between two dates (none without ERPNext)."""
	if not (enabled() and start and end):
		return set()
	holiday_list = frappe.db.get_value("Company", company(), "default_holiday_list") if company() else None
	if not holiday_list:
		return set()
	h = frappe.qb.DocType("Holiday")
	rows = (
		frappe.qb.from_(h)
		.select(h.holiday_date)
		.where((h.parent == holiday_list) & h.holiday_date.between(start, end))
		.run()
	)
	return {r[0] for r in rows}
