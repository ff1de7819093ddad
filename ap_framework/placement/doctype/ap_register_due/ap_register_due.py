import frappe
from frappe.model.document import Document


class APRegisterDue(Document):
	"""Written set-based by ap_framework/placement/registers_due.py only: never by a form."""


def on_doctype_update():
	# the registers-outstanding card: the day's unmarked sessions, per school, from the index alone
	frappe.db.add_index("AP Register Due", ["day", "marked", "school"])
	frappe.db.add_index("AP Register Due", ["placement", "session"])
