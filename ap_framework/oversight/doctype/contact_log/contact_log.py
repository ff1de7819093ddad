import frappe
from frappe import _
from frappe.model.document import Document
from frappe.utils import get_datetime, getdate, today

from ap_framework.rules import contact, dates
from ap_framework.validation import throw_problems


class ContactLog(Document):
	def validate(self):
		placement_provider = (
			frappe.db.get_value("Placement", self.placement, "provider") if self.placement else None
		)
		when = get_datetime(self.contact_datetime).date() if self.contact_datetime else None
		throw_problems(
			self,
			contact.check(
				self.contact_type,
				bool(self.placement),
				self.provider,
				placement_provider,
			)
			+ dates.not_in_future("contact_datetime", when, getdate(today()), _("Contact date")),
		)


def on_doctype_update():
	# Composite indexes the oversight queries read at LA scale (benchmarks/national_targets.py).
	# recent contact and attendance follow-ups per placement, from the index alone
	frappe.db.add_index("Contact Log", ["placement", "contact_datetime", "contact_type"])
	# the latest visit to each provider
	frappe.db.add_index("Contact Log", ["provider", "contact_type", "contact_datetime"])
