"""The commissioning order: when a costed placement is approved, a Purchase Order to its provider's
Supplier for the planned units, one line per funder booked to that funder's cost center; amended
(cancelled and replaced by its amendment) when the timetable, dates, rate or funding change; closed when
the placement ends (first brought down to what was planned up to the end date) or is cancelled."""

from __future__ import annotations

import frappe
from frappe import _
from frappe.utils import getdate, today

from ap_framework.finance import company, enabled
from ap_framework.finance.setup import ITEMS
from ap_framework.finance.suppliers import supplier_for
from ap_framework.rules import costing

LIVE = ("Approved", "Active")
FINISHED = ("Ended", "Cancelled", "Rejected")
OPEN_PO = ("To Receive and Bill", "To Bill", "To Receive", "On Hold")


def on_placement_update(doc, method=None):
	"""Placement saved (a workflow action saves it too): bring its order into line with it."""
	if not enabled():
		return
	po_name = doc.get("purchase_order")
	if doc.status in LIVE and doc.charging_basis:
		lines = planned_lines(doc)
		if not po_name:
			if lines:
				create(doc, lines)
			return
		po = frappe.get_doc("Purchase Order", po_name)
		if po.docstatus == 1 and po.status in OPEN_PO and differs(po, lines):
			amend(po, doc, lines)
	elif doc.status in FINISHED and po_name:
		po = frappe.get_doc("Purchase Order", po_name)
		if po.docstatus != 1 or po.status not in OPEN_PO:
			return
		lines = planned_lines(doc)
		if doc.status == "Ended" and lines and differs(po, lines):
			po = amend(po, doc, lines)
		po.flags.ignore_permissions = True  # follows the placement the user was allowed to end
		po.update_status("Closed")


def planned_lines(doc) -> list[dict]:
	"""The order lines the placement plans for now, with their items and cost centers."""
	funding = [costing.Funding(r.funding_source, r.percentage or 0, r.idx) for r in doc.get("funding") or []]
	lines = costing.order_lines(int(doc.planned_units or 0), doc.rate, funding)
	if not lines:
		return []
	item = _ensure_item(doc.charging_basis)
	school_cc = frappe.db.get_value("School", doc.school, "cost_center")
	la_cc = frappe.db.get_single_value("AP Settings", "la_cost_center")
	return [
		{
			"item_code": item,
			"qty": ln.qty,
			"rate": ln.rate,
			"ap_placement": doc.name,
			"ap_funding_source": ln.funding_source,
			"cost_center": (la_cc if ln.funding_source == "LA High Needs" and la_cc else school_cc) or None,
		}
		for ln in lines
	]


def differs(po, lines: list[dict]) -> bool:
	def key(r):
		return (
			r.get("item_code"),
			r.get("ap_funding_source"),
			float(r.get("qty")),
			round(float(r.get("rate")), 2),
		)

	have = sorted(key(r) for r in po.items)
	want = sorted(key(r) for r in lines)
	if have != want:
		return True
	ccs = {r.get("ap_funding_source"): r.get("cost_center") for r in lines if r.get("cost_center")}
	return any(ccs.get(r.ap_funding_source) not in (None, r.cost_center) for r in po.items)


def create(doc, lines: list[dict]):
	supplier = supplier_for(doc.provider)
	buyer = company()
	if not buyer:
		frappe.throw(
			_("Set the company that commissions AP in AP Settings before approving a costed placement"),
			title=_("No company for the Purchase Order"),
		)
	po = frappe.get_doc({"doctype": "Purchase Order", "supplier": supplier, "company": buyer})
	_fill(po, doc, lines)
	po.flags.ignore_permissions = True  # the order follows an approval the user was allowed to give
	po.insert()
	po.submit()
	doc.db_set("purchase_order", po.name, update_modified=False)
	return po


def amend(po, doc, lines: list[dict]):
	"""Cancel the order and submit its amendment with the lines as planned now."""
	po.flags.ignore_permissions = True  # follows a change to the placement the user was allowed to make
	po.cancel()
	new = frappe.copy_doc(po)
	new.amended_from = po.name
	_fill(new, doc, lines)
	new.flags.ignore_permissions = True  # as above
	new.insert()
	new.submit()
	doc.db_set("purchase_order", new.name, update_modified=False)
	return new


def _fill(po, doc, lines: list[dict]):
	required_by = max(getdate(today()), getdate(doc.start_date))
	po.transaction_date = today()
	po.schedule_date = required_by
	po.set("items", [])
	for ln in lines:
		po.append(
			"items",
			{
				**ln,
				"schedule_date": required_by,
				"description": _("Alternative provision: placement {0}, {1} from {2} to {3} ({4})").format(
					doc.name,
					_(doc.charging_basis).lower(),
					doc.start_date,
					doc.end_date or doc.planned_end_date,
					_(ln["ap_funding_source"]),
				),
			},
		)


def _ensure_item(basis: str) -> str:
	"""The service item for a charging basis, created on first use."""
	code = ITEMS[basis]
	if frappe.db.exists("Item", code):
		return code
	group = (
		"Services"
		if frappe.db.exists("Item Group", {"name": "Services", "is_group": 0})
		else frappe.db.get_value("Item Group", {"is_group": 0}, "name")
		or frappe.db.get_value("Item Group", {}, "name")
	)
	uom = "Nos" if frappe.db.exists("UOM", "Nos") else frappe.db.get_value("UOM", {}, "name")
	item = frappe.get_doc(
		{
			"doctype": "Item",
			"item_code": code,
			"item_name": code,
			"item_group": group,
			"stock_uom": uom,
			"is_stock_item": 0,
			"is_purchase_item": 1,
			"is_sales_item": 0,
			"include_item_in_manufacturing": 0,
			"description": f"Alternative provision, charged {basis.lower()}",
		}
	)
	item.flags.ignore_permissions = True  # master data this integration needs, created once
	item.insert()
	return code
