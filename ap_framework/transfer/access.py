"""Safeguarding information travels on its own channel: on top of the school scope that
ap_framework/permissions.py gives every transfer record, a safeguarding-channel record is seen only by
a Safeguarding Lead (and the LA's AP Administrator), on either side. So are the AP Alerts about one
(a receipt overdue, the partner's answer): an alert names the pupil and the share."""

from __future__ import annotations

import frappe

from ap_framework import permissions

SAFEGUARDING_ROLES = frozenset({"Safeguarding Lead", "AP Administrator"})


def may_see_safeguarding(user: str | None = None) -> bool:
	user = user or frappe.session.user
	return user == "Administrator" or bool(SAFEGUARDING_ROLES & set(frappe.get_roles(user)))


def _about_safeguarding(doc) -> bool:
	if doc.get("doctype") == "AP Alert":
		return doc.get("reference_doctype") == "Profile Transfer" and (
			frappe.db.get_value("Profile Transfer", doc.get("reference_name"), "channel") == "Safeguarding"
		)
	return doc.get("channel") == "Safeguarding"


def has_permission(doc, ptype: str | None = None, user: str | None = None, debug: bool = False) -> bool:
	if not permissions.has_permission(doc, ptype, user):
		return False
	return may_see_safeguarding(user) or not _about_safeguarding(doc)


def query_conditions(user: str | None = None, doctype: str | None = None) -> str:
	user = user or frappe.session.user
	condition = permissions.query_conditions(user, doctype)
	if may_see_safeguarding(user):
		return condition
	if doctype == "AP Alert":
		channel = (
			"(`tabAP Alert`.`reference_doctype` != 'Profile Transfer' or `tabAP Alert`.`reference_name` not in"
			" (select `name` from `tabProfile Transfer` where `channel` = 'Safeguarding'))"
		)
	else:
		channel = f"`tab{doctype}`.`channel` != 'Safeguarding'"
	return f"({condition}) and {channel}" if condition else channel
