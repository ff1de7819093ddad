import frappe
from frappe.model.document import Document


class APSubmission(Document):
	"""Written by ap_framework/once.py only, in the same transaction as the record it names."""


def on_doctype_update():
	frappe.db.add_index("AP Submission", ["creation"])  # old tokens are forgotten by age
