"""An entry of the access audit: who read which safeguarding record, when, and through which door.

Entries are written only by ap_framework/oversight/access_audit.py, straight into the table, and are
never changed or deleted: every path through the document API (desk, REST, frappe.client, data import,
bulk delete, and code running as Administrator) is refused here. No role holds write, create or delete
on the DocType, and it has no `clear_old_logs`, so Log Settings cannot clear it either.
"""

import frappe
from frappe import _
from frappe.model.document import Document

from ap_framework.exceptions import AccessLogImmutableError


class SafeguardingAccessLog(Document):
	def before_insert(self):
		# The recorder writes with a plain INSERT; a document inserted through the API would be a forgery.
		self._refuse(_("Safeguarding Access Log entries are written by the access audit only"))

	def validate(self):
		self._refuse(_("A Safeguarding Access Log entry cannot be changed"))

	def on_trash(self):
		self._refuse(_("A Safeguarding Access Log entry cannot be deleted"))

	def before_rename(self, old, new, merge=False):
		self._refuse(_("A Safeguarding Access Log entry cannot be renamed"))

	def db_set(self, *args, **kwargs):
		self._refuse(_("A Safeguarding Access Log entry cannot be changed"))

	@staticmethod
	def _refuse(message: str):
		frappe.throw(message, AccessLogImmutableError, title=_("Access audit"))


def on_doctype_update():
	# The report asks by pupil, by user and by school over a period.
	frappe.db.add_index("Safeguarding Access Log", ["pupil", "accessed_on"])
	frappe.db.add_index("Safeguarding Access Log", ["school", "accessed_on"])
	frappe.db.add_index("Safeguarding Access Log", ["reference_doctype", "reference_name"])
