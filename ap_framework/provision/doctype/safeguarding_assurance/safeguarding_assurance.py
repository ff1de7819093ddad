from frappe import _
from frappe.model.document import Document
from frappe.utils import add_days, getdate, today

from ap_framework.rules import dates
from ap_framework.settings import get_settings
from ap_framework.utils import to_date
from ap_framework.validation import throw_problems


class SafeguardingAssurance(Document):
	def before_validate(self):
		if self.received_date and not self.valid_until:
			self.valid_until = add_days(self.received_date, get_settings().assurance_validity_days)

	def validate(self):
		received, valid_until = to_date(self.received_date), to_date(self.valid_until)
		throw_problems(
			self,
			dates.not_in_future("received_date", received, getdate(today()), _("Received date"))
			+ dates.order(
				"received_date",
				received,
				"valid_until",
				valid_until,
				_("Received date"),
				_("Valid until"),
				allow_equal=False,
			),
		)
