"""The v15 / v16 differences listed in ap_framework/compat.py, each proven on whichever line runs this."""

import frappe

from ap_framework import compat, permissions


def test_running_frappe_is_a_supported_line(site):
	assert compat.frappe_major() in (15, 16)


def test_permission_hook_answers_a_bool_on_every_path(world):
	"""v16 treats None as a denial: the hook must answer True when it has no objection."""
	doc = frappe.get_doc("Placement", world.pa1)
	assert permissions.has_permission(doc, "read", world.users["admin"]) is True  # unrestricted role
	assert permissions.has_permission(doc, "read", world.users["ap_lead_a"]) is True  # in scope
	assert permissions.has_permission(doc, "read", world.users["ap_lead_b"]) is False  # out of scope
	frappe.set_user(world.users["ap_lead_a"])
	assert frappe.has_permission("Placement", "read", doc=world.pa1)
