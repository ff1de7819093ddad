"""Earlier installs stored the install time as AP Settings' AM / PM session starts (Frappe fills an
unsaved Single's Time fields with the current time). A real session start has no fractional seconds."""

import frappe


def execute():
	defaults = {"am_session_start": "09:00:00", "pm_session_start": "13:00:00"}
	stored = frappe.db.get_singles_dict("AP Settings")
	for field, default in defaults.items():
		if "." in str(stored.get(field) or ""):
			frappe.db.set_single_value("AP Settings", field, default)
