import frappe
from frappe import _
from frappe.utils import getdate, now_datetime

from ap_framework.portal import pages, register

no_cache = 1


def get_context(context):
	provider = pages.provider_or_login(context, "/ap")
	now = now_datetime()
	context.title = _("AP Provider Portal")
	context.today = getdate(now)
	context.registers = register.status(provider, context.today, now)
	context.placements = frappe.get_all(
		"Placement",
		filters={"provider": provider, "status": "Active"},
		fields=["name", "pupil_name", "school", "start_date", "hours_per_week", "is_part_time"],
		order_by="pupil_name asc",
	)
	return context
