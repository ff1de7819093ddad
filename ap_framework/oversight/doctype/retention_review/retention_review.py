import frappe
from frappe import _
from frappe.model.document import Document

from ap_framework.exceptions import RetentionError

# A record is raised for review once per rule: a second run of the daily job, or a concurrent one,
# cannot raise it again (the database refuses it).
REVIEW_KEY = ("reference_doctype", "reference_name", "rule")


class RetentionReview(Document):
	"""Raised by the daily job (ap_framework/oversight/retention.py), decided only through its confirm and
	decline methods; once the record is removed it is the stub saying what, when, by whom and under which
	rule. Nobody edits one by hand: no role may write it, and saving it any other way is refused here."""

	def validate(self):
		if not self.flags.retention_decision:
			frappe.throw(
				_("A retention review changes only when its reviewer confirms or declines it"), RetentionError
			)

	def on_trash(self):
		# the stub is the record that something was removed, and why: it stays
		if not frappe.flags.in_uninstall:
			frappe.throw(_("A retention review cannot be deleted"), RetentionError)


def on_doctype_update():
	frappe.db.add_unique("Retention Review", list(REVIEW_KEY), constraint_name="unique_retention_review")
	frappe.db.add_index("Retention Review", ["status", "review_again_on"])
