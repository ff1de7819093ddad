from frappe import _
from frappe.model.document import Document

from ap_framework.provision import registration
from ap_framework.rules import dates, identifiers
from ap_framework.utils import to_date
from ap_framework.validation import throw_problems


class APProvider(Document):
	def validate(self):
		self.is_registered_school = int(
			bool(self.registration_status) and self.registration_status != "Non-school AP"
		)
		throw_problems(
			self,
			identifiers.check_urn(self.urn)
			+ identifiers.check_ukprn(self.ukprn)
			+ identifiers.check_postcode(self.postcode)
			+ identifiers.check_provider_identity(bool(self.is_registered_school), self.urn)
			+ dates.order(
				"agreement_start",
				to_date(self.agreement_start),
				"agreement_end",
				to_date(self.agreement_end),
				_("Agreement start"),
				_("Agreement end"),
			),
		)

	def on_update(self):
		if self.has_value_changed("registration_status"):
			registration.refresh([self.name])
