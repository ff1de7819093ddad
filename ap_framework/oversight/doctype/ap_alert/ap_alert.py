import frappe
from frappe.model.document import Document

# An alert's natural key: the rule, what it is about, which occurrence (date, session, week) and who was told.
# The recipient is part of the key so that one recipient's failed delivery is retried without resending
# to the others.
ALERT_KEY = ("rule", "reference_doctype", "reference_name", "period", "recipient")


class APAlert(Document):
	"""Written by the oversight jobs (ap_framework/oversight/alerts.py) before they send anything."""


def on_doctype_update():
	# A second run, a retry or a concurrent run cannot raise the same alert twice: the database refuses it.
	frappe.db.add_unique("AP Alert", list(ALERT_KEY), constraint_name="unique_alert")
	frappe.db.add_index("AP Alert", ["reference_doctype", "reference_name"])
	frappe.db.add_index("AP Alert", ["rule", "status"])
	frappe.db.add_index("AP Alert", ["todo", "status"])  # a digest task closes with its last open alert
