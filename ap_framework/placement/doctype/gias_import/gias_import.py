from frappe.model.document import Document

from ap_framework.rules import gias
from ap_framework.validation import throw_problems


class GIASImport(Document):
	def validate(self):
		throw_problems(self, gias.check_la_codes(self.la_codes)[1])
