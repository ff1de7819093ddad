"""The fields the ERPNext integration adds, installed only where ERPNext is, and removed with either app.

Called from setup/install.py (after_install, after_migrate, before_uninstall) and from the
after_app_install / before_app_uninstall hooks, so ERPNext installed (or removed) after this app is
handled as well. Installing is idempotent and writes nothing when every field is already as specified,
so migrating twice changes nothing.
"""

from __future__ import annotations

import frappe

from ap_framework.finance import enabled

SUPPLIER_GROUP = "Alternative Provision"
# One service item per charging basis, created on first use (finance's master data from then on).
ITEMS = {
	"Per Session": "AP Session",
	"Per Day": "AP Day",
	"Per Week": "AP Week",
	"Per Term": "AP Term",
	"Fixed": "AP Placement Fee",
}

_RO = {"read_only": 1, "no_copy": 1}
# DocType -> fields. Keys are Custom Field properties; every field is system-generated.
CUSTOM_FIELDS: dict[str, list[dict]] = {
	# this app's DocTypes: links to ERPNext records, meaningless without it
	"AP Provider": [
		{
			"fieldname": "supplier",
			"label": "Supplier",
			"fieldtype": "Link",
			"options": "Supplier",
			"insert_after": "vat_number",
			"description": "The provider's Supplier in ERPNext; name, address and VAT number are kept in step",
		},
		{
			"fieldname": "supplier_address",
			"label": "Supplier Address",
			"fieldtype": "Link",
			"options": "Address",
			"insert_after": "supplier",
			**_RO,
		},
	],
	"School": [
		{
			"fieldname": "cost_center",
			"label": "Cost Center",
			"fieldtype": "Link",
			"options": "Cost Center",
			"insert_after": "senior_leader",
			"description": "Where this school's AP spend is booked",
		},
	],
	"Placement": [
		{
			"fieldname": "purchase_order",
			"label": "Purchase Order",
			"fieldtype": "Link",
			"options": "Purchase Order",
			"insert_after": "funding",
			**_RO,
		},
	],
	"AP Settings": [
		{
			"fieldname": "sb_finance",
			"label": "Finance (ERPNext)",
			"fieldtype": "Section Break",
			"insert_after": "registration_full_time_hours",
		},
		{
			"fieldname": "finance_company",
			"label": "Company",
			"fieldtype": "Link",
			"options": "Company",
			"insert_after": "sb_finance",
			"description": "The company that commissions AP; the site's default company when empty",
		},
		{
			"fieldname": "la_cost_center",
			"label": "LA High Needs Cost Center",
			"fieldtype": "Link",
			"options": "Cost Center",
			"insert_after": "finance_company",
			"description": "Where the LA's high-needs share is booked; the school's cost center when empty",
		},
	],
	# ERPNext's DocTypes
	"Purchase Order Item": [
		{
			"fieldname": "ap_placement",
			"label": "AP Placement",
			"fieldtype": "Link",
			"options": "Placement",
			"insert_after": "item_name",
			"search_index": 1,
			**_RO,
		},
		{
			"fieldname": "ap_funding_source",
			"label": "AP Funding Source",
			"fieldtype": "Data",
			"insert_after": "ap_placement",
			**_RO,
		},
	],
	"Purchase Invoice Item": [
		{
			"fieldname": "ap_placement",
			"label": "AP Placement",
			"fieldtype": "Link",
			"options": "Placement",
			"insert_after": "item_name",
			"search_index": 1,
			"description": "The placement this line charges for",
		},
		{
			"fieldname": "ap_period_from",
			"label": "AP Period From",
			"fieldtype": "Date",
			"insert_after": "ap_placement",
		},
		{
			"fieldname": "ap_period_to",
			"label": "AP Period To",
			"fieldtype": "Date",
			"insert_after": "ap_period_from",
		},
	],
	"Purchase Invoice": [
		{
			"fieldname": "ap_check_status",
			"label": "AP Register Check",
			"fieldtype": "Select",
			"options": "\nMatched\nHeld\nReleased",
			"insert_after": "hold_comment",
			"allow_on_submit": 1,
			"in_standard_filter": 1,
			**_RO,
		},
		{
			"fieldname": "ap_check_breakdown",
			"label": "AP Register Check Breakdown",
			"fieldtype": "Small Text",
			"insert_after": "ap_check_status",
			"allow_on_submit": 1,
			"depends_on": "ap_check_status",
			**_RO,
		},
		{
			"fieldname": "ap_released_by",
			"label": "AP Hold Released By",
			"fieldtype": "Link",
			"options": "User",
			"insert_after": "ap_check_breakdown",
			"allow_on_submit": 1,
			"depends_on": "eval:doc.ap_check_status=='Released'",
			**_RO,
		},
		{
			"fieldname": "ap_check_key",
			"label": "AP Register Check Key",
			"fieldtype": "Data",
			"insert_after": "ap_released_by",
			"allow_on_submit": 1,
			"hidden": 1,
			**_RO,
		},
	],
}
ERPNEXT_DOCTYPES = ("Purchase Order Item", "Purchase Invoice Item", "Purchase Invoice")


def install():
	"""Add or update the custom fields where ERPNext is installed; do nothing anywhere else."""
	if not enabled():
		return
	changed = set()
	for dt, fields in CUSTOM_FIELDS.items():
		existing = {
			f.fieldname: f
			for f in frappe.get_all(
				"Custom Field",
				filters={"dt": dt, "fieldname": ("in", [f["fieldname"] for f in fields])},
				fields=["name", "fieldname", *sorted({k for f in fields for k in f} - {"fieldname"})],
			)
		}
		for spec in fields:
			have = existing.get(spec["fieldname"])
			if have is None:
				doc = frappe.get_doc({"doctype": "Custom Field", "dt": dt, "is_system_generated": 1, **spec})
				doc.flags.ignore_validate = True  # insert_after may name a field another app added
				doc.insert(ignore_permissions=True)  # install step, run by the site administrator
				changed.add(dt)
			elif any(_differs(have.get(k), v) for k, v in spec.items()):
				doc = frappe.get_doc("Custom Field", have.name)
				doc.update(spec)
				doc.save(ignore_permissions=True)  # install step
				changed.add(dt)
	for dt in changed:
		frappe.clear_cache(doctype=dt)


def _differs(have, want) -> bool:
	if isinstance(want, int):
		return int(have or 0) != want
	return (have or "") != want


def remove(doctypes=None):
	"""Remove the custom fields (all of them, or those on `doctypes`). The columns stay: Frappe never
	drops a column with a field, and on ERPNext's tables they hold finance's history."""
	for dt, fields in CUSTOM_FIELDS.items():
		if doctypes is not None and dt not in doctypes:
			continue
		for spec in fields:
			frappe.db.delete("Custom Field", {"dt": dt, "fieldname": spec["fieldname"]})
			frappe.db.delete("Property Setter", {"doc_type": dt, "field_name": spec["fieldname"]})
		frappe.clear_cache(doctype=dt)


def uninstall():
	"""This app is leaving: its fields go, and the supplier group and items it created unless finance
	has used them (suppliers, orders and invoices are finance's records and stay)."""
	remove()
	if not enabled():
		return
	for item in ITEMS.values():
		_delete_if_unused("Item", item)
	if not frappe.db.exists("Supplier", {"supplier_group": SUPPLIER_GROUP}):
		_delete_if_unused("Supplier Group", SUPPLIER_GROUP)


def _delete_if_unused(doctype: str, name: str):
	if not frappe.db.exists(doctype, name):
		return
	frappe.db.savepoint("ap_finance_uninstall")
	try:
		frappe.delete_doc(doctype, name, ignore_permissions=True)  # uninstall step, run by the administrator
	except (frappe.LinkExistsError, frappe.ValidationError):
		frappe.db.rollback(save_point="ap_finance_uninstall")  # used by finance's records: it stays


def after_app_install(app: str):
	"""ERPNext installed after this app: add the fields now."""
	if app == "erpnext":
		install()


def before_app_uninstall(app: str):
	"""ERPNext leaving while this app stays: remove every field that links to its DocTypes."""
	if app == "erpnext":
		remove()
