from frappe.model.document import Document

from ap_framework.rules import identifiers
from ap_framework.validation import throw_problems


class School(Document):
	def validate(self):
		throw_problems(
			self,
			identifiers.check_urn(self.urn)
			+ identifiers.check_la_code(self.la_code)
			+ identifiers.check_postcode(self.postcode),
		)
