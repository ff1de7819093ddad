import frappe

from ap_framework import once
from ap_framework.portal import access, pages

no_cache = 1


def get_context(context):
	provider = pages.provider_or_login(context, "/ap")
	try:
		placement = access.placement_of_provider(pages.arg("placement"), provider)
	except frappe.DoesNotExistError:
		pages.not_found()
	# Only what the provider needs to keep the pupil safe and teach them: no UPN, no safeguarding
	# history, no SEN detail, nothing from other schools. Read here, field by field, on purpose.
	context.title = placement.pupil_name
	context.placement = placement
	plans = frappe.get_all(
		"Pupil Plan",
		filters={"placement": placement.name, "status": ("in", ["Agreed", "Pending Agreement"])},
		fields=[
			"name",
			"status",
			"strategies_that_work",
			"strategies_to_avoid",
			"triggers",
			"early_warning_signs",
			"reintegration_criteria",
		],
		order_by="creation desc",
		limit=1,
	)
	context.plan = plans[0] if plans else None
	context.objectives = (
		frappe.get_all(
			"Plan Objective",
			filters={"parent": context.plan.name, "parenttype": "Pupil Plan"},
			fields=["domain", "objective", "success_criteria", "objective_status"],
			order_by="idx",
		)
		if context.plan
		else []
	)
	context.contacts = frappe.get_all(
		"Pupil Contact",
		filters={"parent": placement.pupil, "parenttype": "Pupil", "emergency_contact": 1},
		fields=["contact_name", "relationship", "phone"],
		order_by="idx",
	)
	domains = frappe.get_all(
		"Development Domain", filters={"is_active": 1}, fields=["name", "code"], order_by="sort_order"
	)
	levels = frappe.get_all(
		"Domain Level Descriptor",
		filters={"parenttype": "Development Domain"},
		fields=["parent", "level", "title", "descriptor"],
		order_by="parent, level",
	)
	context.domains = [
		{"name": d.name, "levels": [lv for lv in levels if lv.parent == d.name]} for d in domains
	]
	context.contact_types = ["Phone", "Email", "Meeting", "Attendance Follow-up"]
	# each form's submit happens once (ap_framework/once.py)
	context.form_tokens = {form: once.form_token() for form in ("log", "assess", "review")}
	return context
