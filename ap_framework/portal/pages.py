"""What every portal page does first: find the user's provider, or send guests to log in."""

from __future__ import annotations

import frappe
from frappe import _

from ap_framework.portal import access


def provider_or_login(context, path: str) -> str:
	context.no_cache = 1
	context.show_sidebar = True
	if frappe.session.user == "Guest":
		frappe.local.flags.redirect_location = f"/login?redirect-to={path}"
		raise frappe.Redirect
	provider = access.current_provider()
	context.provider = provider
	context.provider_title = frappe.db.get_value("AP Provider", provider, "provider_name")
	return provider


def arg(name: str, default=None):
	value = frappe.form_dict.get(name)
	return value if value not in (None, "") else default


def not_found():
	raise frappe.DoesNotExistError(_("Not found"))
