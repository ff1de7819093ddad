import frappe
from frappe import _

from ap_framework import once
from ap_framework.portal import pages
from ap_framework.rules import policies as policy_rules
from ap_framework.utils import site_today, to_date

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
	context.policies = frappe.get_all(
		"Provider Policy",
		filters={"provider": provider},
		fields=["name", "policy_type", "dated_on", "review_date"],
		order_by="policy_type asc, dated_on desc",
	)
	held = [
		policy_rules.Policy(r.name, r.policy_type, to_date(r.dated_on), to_date(r.review_date))
		for r in context.policies
	]
	context.policy_types = policy_rules.REQUIRED_POLICIES
	context.policies_missing = policy_rules.missing_or_lapsed(held, site_today())
	# each form's submit happens once (ap_framework/once.py)
	context.form_tokens = {form: once.form_token() for form in ("upload", "policy", "other")}
	return context
