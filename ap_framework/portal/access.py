"""Who is the provider behind this portal request: the one AP Provider the user is tied to."""

from __future__ import annotations

import frappe
from frappe import _
from frappe.core.doctype.user_permission.user_permission import get_user_permissions

PROVIDER_ROLE = "AP Provider User"


def provider_of(user: str) -> str | None:
	if user in ("Guest", "Administrator") or PROVIDER_ROLE not in frappe.get_roles(user):
		return None
	# On every portal request: the user's permissions as Frappe's own permission checks read them, kept in
	# its cache and dropped there whenever one of the user's User Permissions is saved or deleted.
	providers = {p.doc for p in get_user_permissions(user).get("AP Provider", [])}
	return next(iter(providers)) if len(providers) == 1 else None


def current_provider() -> str:
	"""The session user's provider; anyone else is refused (guests are sent to log in)."""
	user = frappe.session.user
	if user == "Guest":
		raise frappe.PermissionError(_("Please log in to the provider portal"))
	provider = provider_of(user)
	if not provider:
		raise frappe.PermissionError(_("This portal is for AP provider staff tied to one provider"))
	return provider


def placement_of_provider(placement: str, provider: str) -> frappe._dict:
	"""A placement of `provider`, or DoesNotExistError: never confirm that another provider's exists."""
	row = (
		frappe.db.get_value(
			"Placement",
			{"name": placement, "provider": provider},
			[
				"name",
				"pupil",
				"pupil_name",
				"school",
				"provider",
				"status",
				"start_date",
				"end_date",
				"planned_end_date",
			],
			as_dict=True,
		)
		if placement
		else None
	)
	if not row:
		raise frappe.DoesNotExistError(_("Placement not found"))
	return row
