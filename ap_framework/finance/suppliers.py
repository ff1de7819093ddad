"""AP Provider -> Supplier, one way: link or create the provider's Supplier (supplier group "Alternative
Provision"), and keep its name, address and VAT number in step. Payment terms, bank details, accounts,
holds, the supplier group once set, and anything else finance owns are never written."""

from __future__ import annotations

import frappe
from frappe import _

from ap_framework import api_input, once
from ap_framework.finance import enabled
from ap_framework.finance.setup import SUPPLIER_GROUP
from ap_framework.rules import request
from ap_framework.rules import suppliers as rule

PROVIDER_FIELDS = ["name", "provider_name", "vat_number", "website", "supplier", "supplier_address"]
PROVIDER_FIELDS += list(rule.ADDRESS_FIELDS)


def on_provider_update(doc, method=None):
	"""AP Provider saved: bring its linked Supplier into step (a provider with no Supplier yet gets one
	when it is first commissioned, or from link_supplier)."""
	if enabled() and doc.get("supplier"):
		sync(doc.name)


def supplier_for(provider: str) -> str:
	"""The provider's Supplier: the one linked, else an existing one with the same VAT number or name,
	else a new one in the "Alternative Provision" group. Links it, brings it into step, returns its name."""
	p = _provider(provider)
	supplier = p.supplier if p.supplier and frappe.db.exists("Supplier", p.supplier) else None
	if not supplier:
		supplier = _find(p) or _create(p)
		frappe.db.set_value("AP Provider", provider, "supplier", supplier, update_modified=False)
	sync(provider)
	return supplier


@frappe.whitelist()
def link_supplier(provider: str | None = None, form_token: str | None = None) -> str:
	"""Form button: link or create the provider's Supplier now; clicked twice (the same form token), one
	Supplier."""
	args = api_input.checked(
		{"provider": "AP Provider", "form_token": "Form token"},
		provider=(provider, request.name(required=True)),
		form_token=(form_token, once.TOKEN),
	)
	if not enabled():
		frappe.throw(_("ERPNext is not installed on this site"))
	frappe.get_doc("AP Provider", args.provider).check_permission("write")
	frappe.has_permission("Supplier", "create", throw=True)
	return once.create(
		"link_supplier",
		args.form_token,
		lambda: frappe._dict(doctype="Supplier", name=supplier_for(args.provider)),
	)


def sync(provider: str):
	p = _provider(provider)
	if not p.supplier:
		return
	supplier = frappe.get_doc("Supplier", p.supplier)
	changes = rule.updates(p, supplier.as_dict(), rule.SUPPLIER_FIELDS)
	if changes:
		supplier.update(changes)
		supplier.flags.ignore_permissions = True  # keeping the provider's own facts in step, one way
		supplier.save()
	_sync_address(p)


def _provider(name: str) -> frappe._dict:
	return frappe.db.get_value("AP Provider", name, PROVIDER_FIELDS, as_dict=True) or frappe._dict()


def _find(p) -> str | None:
	if p.vat_number:
		found = frappe.db.get_value("Supplier", {"tax_id": p.vat_number}, "name", order_by="creation asc")
		if found:
			return found
	return frappe.db.get_value(
		"Supplier", {"supplier_name": p.provider_name}, "name", order_by="creation asc"
	)


def _create(p) -> str:
	_ensure_supplier_group()
	doc = frappe.get_doc(
		{
			"doctype": "Supplier",
			"supplier_name": p.provider_name,
			"supplier_group": SUPPLIER_GROUP,
			"supplier_type": "Company",
			"tax_id": p.vat_number or None,
			"website": p.website or None,
		}
	)
	doc.flags.ignore_permissions = True  # commissioning a provider the user may commission
	return doc.insert().name


def _ensure_supplier_group():
	if frappe.db.exists("Supplier Group", SUPPLIER_GROUP):
		return
	root = frappe.db.get_value("Supplier Group", {"is_group": 1, "parent_supplier_group": ("in", ("", None))})
	doc = frappe.get_doc(
		{"doctype": "Supplier Group", "supplier_group_name": SUPPLIER_GROUP, "parent_supplier_group": root}
	)
	doc.flags.ignore_permissions = True  # master data this integration needs, created once
	doc.insert()


def _sync_address(p):
	"""The provider's address as the Supplier's billing address; only the one this app made is updated."""
	if not rule.can_have_address(p):
		return
	if p.supplier_address and frappe.db.exists("Address", p.supplier_address):
		address = frappe.get_doc("Address", p.supplier_address)
		changes = rule.updates(p, address.as_dict(), rule.ADDRESS_FIELDS)
		if not changes:
			return
		address.update(changes)
	else:
		address = frappe.get_doc(
			{
				"doctype": "Address",
				"address_title": p.provider_name,
				"address_type": "Billing",
				"country": "United Kingdom",
				"is_primary_address": 1,
				"links": [{"link_doctype": "Supplier", "link_name": p.supplier}],
				**rule.updates(p, {}, rule.ADDRESS_FIELDS),
			}
		)
	address.flags.ignore_permissions = True  # the provider's own address, kept in step one way
	address.save()
	if address.name != p.supplier_address:
		frappe.db.set_value("AP Provider", p.name, "supplier_address", address.name, update_modified=False)
