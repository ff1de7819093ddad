import frappe
from frappe import _
from frappe.model.document import Document

from ap_framework.placement.doctype.placement.placement import OVERRIDE_ROLES
from ap_framework.provision import policies, registration
from ap_framework.rules import dates, identifiers, placement
from ap_framework.utils import site_today, to_date
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
			)
			+ self._override_problems()
			+ self._approval_problems(),
		)

	def on_update(self):
		if self.has_value_changed("registration_status"):
			registration.refresh([self.name])

	# ---- approval: a non-school provider holds the required policies, or a senior leader says why not ----
	def _override_problems(self):
		changed = bool(self.approval_override_reason) and self.has_value_changed("approval_override_reason")
		may_override = bool(set(frappe.get_roles()) & set(OVERRIDE_ROLES))
		if changed and may_override:
			self.override_by = frappe.session.user
		return placement.check_override_author(changed, may_override)

	def _approval_problems(self):
		becomes_approved = self.approval_status == "Approved" and (
			self.is_new() or self.has_value_changed("approval_status")
		)
		if not becomes_approved:
			return []
		missing = policies.missing_on({self.name: self.registration_status}, site_today()).get(self.name, [])
		return placement.provider_approval_gaps(True, missing, self.approval_override_reason)
