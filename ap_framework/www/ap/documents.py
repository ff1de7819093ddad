import frappe
from frappe import _

from ap_framework.portal import pages

no_cache = 1


def get_context(context):
	provider = pages.provider_or_login(context, "/ap/documents")
	context.title = _("Documents")
	context.assurances = frappe.get_all(
		"Safeguarding Assurance",
		filters={"provider": provider},
		fields=["name", "received_date", "valid_until", "signed_by"],
		order_by="received_date desc",
	)
	return context
