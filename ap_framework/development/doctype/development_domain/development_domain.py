from frappe.model.document import Document

from ap_framework.rules import assessment
from ap_framework.validation import throw_problems


class DevelopmentDomain(Document):
	def validate(self):
		self.code = (self.code or "").strip().upper()
		levels = [d.level for d in self.descriptors]
		throw_problems(self, assessment.check_descriptor_levels(levels))
		self.min_level, self.max_level = min(levels), max(levels)
