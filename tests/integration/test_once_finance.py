"""Approve clicked six times at once on a costed placement, over real concurrent HTTP, on an ERPNext
site: one approval, so one Purchase Order to the provider; every click is answered with the approved
placement or a clear conflict, never a server error. (On a site without ERPNext: skipped.)"""

from __future__ import annotations

import json

import frappe
import pytest

from ap_framework import finance
from tests.conftest import SITE
from tests.integration.test_finance import DAY_RATE, RATE, costed
from tests.integration.test_once_only import APPLY, together
from tests.integration.world import World

CLICKS = 6


@pytest.fixture
def pending_costed(world):
	"""A costed placement of a new school A pupil waiting for approval, with the provider's rates and the
	school's cost center it needs, committed for the served site; afterwards all of it is put back."""
	if not finance.enabled():
		pytest.skip(f"ERPNext is not installed on {SITE}: no Purchase Order to raise")
	facts = {
		"cost_per_session": RATE,
		"cost_per_day": DAY_RATE,
		"vat_number": f"GB{world.token}1",
		"address_line1": "1 High Street",
		"town": "Leeds",
		"postcode": "LS1 1AA",
	}  # as test_finance.py's erp fixture
	provider_was = frappe.db.get_value("AP Provider", world.p1, [*facts, "supplier"], as_dict=True)
	cc_was = frappe.db.get_value("School", world.school_a, "cost_center")
	company = finance.company()
	frappe.db.set_value("AP Provider", world.p1, facts)
	frappe.db.set_value(
		"School", world.school_a, "cost_center", frappe.db.get_value("Company", company, "cost_center")
	)
	doc = costed(world, state="Pending Approval")
	frappe.db.commit()
	yield doc
	frappe.db.rollback()
	pos = frappe.get_all(
		"Purchase Order Item", filters={"ap_placement": doc.name}, pluck="parent", distinct=True
	)
	if pos:
		frappe.db.delete("Purchase Order Item", {"parent": ("in", pos)})
		frappe.db.delete("Purchase Order", {"name": ("in", pos)})
	frappe.db.delete("Workflow Action", {"reference_doctype": "Placement", "reference_name": doc.name})
	World._delete("Placement", {"name": doc.name})
	World._delete("Pupil Welfare", {"name": doc.pupil})
	World._delete("Pupil", {"name": doc.pupil})
	made = frappe.db.get_value("AP Provider", world.p1, "supplier")
	if made and made != provider_was.supplier:  # the approval made the provider a Supplier
		delete_suppliers([made])
	frappe.db.set_value("AP Provider", world.p1, provider_was)
	frappe.db.set_value("School", world.school_a, "cost_center", cc_was)
	frappe.db.commit()


def test_approve_clicked_six_times_at_once_raises_one_purchase_order(world, http, pending_costed):
	admin = http("admin")
	name = pending_costed.name
	doc = admin.get(f"{admin.base}/api/resource/Placement/{name}", timeout=30).json()["data"]
	responses = together(admin, APPLY, [{"doc": json.dumps(doc), "action": "Approve"}] * CLICKS)
	codes = [r.status_code for r in responses]
	assert all(c in (200, 409) for c in codes), [(r.status_code, r.text[:800]) for r in responses]
	assert all(r.json()["message"]["status"] == "Approved" for r in responses if r.status_code == 200)
	frappe.db.rollback()  # what the served site committed
	orders = frappe.get_all(
		"Purchase Order Item", filters={"ap_placement": name}, pluck="parent", distinct=True
	)
	assert len(orders) == 1, orders
	assert frappe.db.get_value("Placement", name, ["status", "purchase_order"]) == ("Approved", orders[0])
	assert frappe.db.get_value("Purchase Order", orders[0], "docstatus") == 1


def delete_suppliers(made: list[str]):
	"""Suppliers a committed test made, with their addresses: left behind, they would keep the app's
	supplier group in use, and the lifecycle test's uninstall would rightly leave it."""
	if not made:
		return
	links = frappe.get_all(
		"Dynamic Link", filters={"link_doctype": "Supplier", "link_name": ("in", made)}, fields=["parent"]
	)
	frappe.db.delete("Dynamic Link", {"link_doctype": "Supplier", "link_name": ("in", made)})
	frappe.db.delete("Address", {"name": ("in", [r.parent for r in links] or ["-"])})
	frappe.db.delete("AP Submission", {"reference_name": ("in", made)})
	frappe.db.delete("Supplier", {"name": ("in", made)})


# ---- "Link supplier" on the provider's form: one Supplier -------------------------------------------
LINK = "ap_framework.finance.suppliers.link_supplier"
SUPPLIER_KEEPER = "Purchase Master Manager"  # ERPNext's role that may create a Supplier


@pytest.fixture
def unlinked(world):
	"""Provider Three, not yet a Supplier, and the AP Administrator also ERPNext's keeper of suppliers (the
	button needs both); afterwards the Suppliers made for it and the extra role are removed."""
	if not finance.enabled():
		pytest.skip(f"ERPNext is not installed on {SITE}: no Supplier to link")
	name = frappe.db.get_value("AP Provider", world.p3, "provider_name")
	frappe.db.set_value("AP Provider", world.p3, "supplier", None)
	frappe.get_doc("User", world.users["admin"]).add_roles(SUPPLIER_KEEPER)
	frappe.db.commit()
	yield name
	frappe.db.rollback()
	frappe.get_doc("User", world.users["admin"]).remove_roles(SUPPLIER_KEEPER)
	delete_suppliers(frappe.get_all("Supplier", filters={"supplier_name": name}, pluck="name"))
	frappe.db.set_value("AP Provider", world.p3, "supplier", None)
	frappe.db.commit()


def test_link_supplier_clicked_eight_times_at_once_makes_one_supplier(world, http, unlinked):
	admin = http("admin")
	token = frappe.generate_hash(length=32)
	responses = together(admin, LINK, [{"provider": world.p3, "form_token": token}] * 8)
	bad = [(r.status_code, r.text[:800]) for r in responses if r.status_code != 200]
	assert not bad, bad
	frappe.db.rollback()
	made = frappe.get_all("Supplier", filters={"supplier_name": unlinked}, pluck="name")
	assert len(made) == 1, made
	assert {r.json()["message"] for r in responses} == {made[0]}
	assert frappe.db.get_value("AP Provider", world.p3, "supplier") == made[0]
	# clicked again later (a new token): the provider is linked already, so the same Supplier
	again = admin.post(
		f"{admin.base}/api/method/{LINK}", data={"provider": world.p3, "form_token": "b" * 32}, timeout=60
	)
	assert again.ok and again.json()["message"] == made[0], again.text[:800]
