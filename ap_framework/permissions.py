"""Who sees which school's and which provider's rows, for every DocType, in one place.

Frappe's User Permissions do the scoping: a school user holds a User Permission on their School, a
provider user one on their AP Provider, and every pupil-level record carries both links. What User
Permissions cannot say is "deny by default": a school or provider user who has no such User Permission
would see everything. These hooks close that gap and state the scope explicitly, so a missing or
mistyped User Permission hides rows instead of exposing them.
"""

from __future__ import annotations

import frappe
from frappe.permissions import get_user_permissions

from ap_framework.scope import SCOPE_FIELDS

WIDE_ROLES = frozenset({"AP Administrator"})  # LA / trust officers: every school and provider
PROVIDER_ROLE = "AP Provider User"

# Roles that work across schools for a given DocType (QA officers visit every provider).
EXTRA_WIDE = {
	"School": frozenset({"QA Officer"}),
	"Contact Log": frozenset({"QA Officer"}),
}


def _allowed(user: str, doctype: str) -> list[str]:
	return [p.get("doc") for p in get_user_permissions(user).get(doctype, [])]


def scope(doctype: str, user: str) -> tuple[str | None, list[str]] | None:
	"""None when `user` is not restricted for `doctype`; else (fieldname, allowed values).
	An empty list of allowed values means the user may see no row at all."""
	if user == "Administrator":
		return None
	school_field, provider_field = SCOPE_FIELDS[doctype]
	roles = set(frappe.get_roles(user))
	if roles & WIDE_ROLES:
		return None
	if PROVIDER_ROLE in roles:
		# A provider user is held to their provider whatever other role they have been given.
		return provider_field, (_allowed(user, "AP Provider") if provider_field else [])
	if roles & EXTRA_WIDE.get(doctype, frozenset()):
		return None
	if school_field:
		return school_field, _allowed(user, "School")
	return None  # provider-level records are a shared catalogue for school staff


def query_conditions(user: str | None = None, doctype: str | None = None) -> str:
	user = user or frappe.session.user
	restriction = scope(doctype, user)
	if restriction is None:
		return ""
	fieldname, values = restriction
	if not fieldname or not values:
		return "1=0"
	quoted = ", ".join(frappe.db.escape(v) for v in values)
	return f"`tab{doctype}`.`{fieldname}` in ({quoted})"


WRITE_PTYPES = frozenset({"create", "write", "submit", "cancel", "amend", "delete"})


def has_permission(doc, ptype: str | None = None, user: str | None = None, debug: bool = False) -> bool:
	"""Deny a document outside the user's scope. True grants nothing by itself: roles and User Permissions
	still decide. (Frappe v16 reads None as a denial, v15 as "no opinion"; True is "no objection" to both.)"""
	user = user or frappe.session.user
	restriction = scope(doc.doctype, user)
	if restriction is None:
		return True
	fieldname, values = restriction
	return bool(fieldname) and _scope_value(doc, fieldname, ptype) in values


def _scope_value(doc, fieldname: str, ptype: str | None) -> str | None:
	"""The school / provider a document belongs to.

	When writing, judge by the pupil or placement it links to, not by its own school / provider field:
	Frappe fills link fields with the user's User Permission default before it fetches them from the
	links, so a new record for another school's pupil would otherwise pass as the user's own."""
	if fieldname != "name" and ptype in WRITE_PTYPES:
		if doc.get("placement") and doc.doctype != "Placement":
			return frappe.db.get_value("Placement", doc.placement, fieldname)
		if fieldname == "school" and doc.get("pupil") and doc.doctype != "Pupil":
			return frappe.db.get_value("Pupil", doc.pupil, "school")
	return doc.get(fieldname)
