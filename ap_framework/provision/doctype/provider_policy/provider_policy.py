from frappe.model.document import Document
from frappe.utils import getdate, today

from ap_framework.rules import policies
from ap_framework.utils import to_date
from ap_framework.validation import throw_problems


class ProviderPolicy(Document):
	def validate(self):
		throw_problems(
			self,
			policies.check_policy(
				self.policy_type, to_date(self.dated_on), to_date(self.review_date), getdate(today())
			),
		)
