"""Provider portal users: invited from the AP Provider record, each tied to exactly one provider."""

from __future__ import annotations

import frappe
from frappe import _
from frappe.query_builder import DocType

from ap_framework import api_input
from ap_framework.portal.access import PROVIDER_ROLE
from ap_framework.rules import request


@frappe.whitelist(methods=["POST"])
def invite_provider_user(
	provider: str | None = None,
	email: str | None = None,
	first_name: str | None = None,
	last_name: str | None = None,
) -> str:
	frappe.only_for(("AP Administrator", "QA Officer"))
	args = api_input.checked(
		{"provider": "AP Provider", "email": "Email", "first_name": "First name", "last_name": "Last name"},
		provider=(provider, request.name(required=True)),
		email=(email, request.name(required=True)),
		first_name=(first_name, request.name(required=True)),
		last_name=(last_name, request.name()),
	)
	provider, email, first_name, last_name = args.provider, args.email, args.first_name, args.last_name
	frappe.get_doc("AP Provider", provider).check_permission("read")
	# Two clicks on "Invite" (or two officers at once) take turns on the provider's row, and each reads
	# the latest committed user and permission (locking reads, not the request's snapshot): the second
	# finds what the first made and answers the same user, with nothing doubled.
	p = DocType("AP Provider")
	frappe.qb.from_(p).select(p.name).where(p.name == provider).for_update().run()
	if frappe.db.get_value("User", email, "name", for_update=True):
		user = frappe.get_doc("User", email, for_update=True)
	else:
		user = frappe.get_doc(
			{
				"doctype": "User",
				"email": email,
				"first_name": first_name,
				"last_name": last_name,
				"user_type": "Website User",
				"send_welcome_email": 1,
			}
		)
	# Officers invite provider staff but hold no rights over User records; the only role given is fixed above.
	user.flags.ignore_permissions = True
	if user.is_new():
		user.append("roles", {"role": PROVIDER_ROLE})
		user.insert()
	elif PROVIDER_ROLE not in {r.role for r in user.roles}:
		user.append("roles", {"role": PROVIDER_ROLE})
		user.save()
	if not frappe.db.get_value(
		"User Permission",
		{"user": user.name, "allow": "AP Provider", "for_value": provider},
		"name",
		for_update=True,
	):
		frappe.get_doc(
			{
				"doctype": "User Permission",
				"user": user.name,
				"allow": "AP Provider",
				"for_value": provider,
				"apply_to_all_doctypes": 1,
			}
		).insert(ignore_permissions=True)
	return user.name


def one_provider_per_user(doc, method=None) -> None:
	"""User Permission hook: a provider user belongs to exactly one provider."""
	if doc.allow != "AP Provider":
		return
	other = frappe.db.get_value(
		"User Permission",
		{
			"user": doc.user,
			"allow": "AP Provider",
			"for_value": ("!=", doc.for_value),
			"name": ("!=", doc.name),
		},
		"for_value",
	)
	if other:
		frappe.throw(
			_("{0} already belongs to provider {1}; a provider user is tied to one provider").format(
				doc.user, other
			),
			frappe.ValidationError,
			title=_("One provider per user"),
		)
