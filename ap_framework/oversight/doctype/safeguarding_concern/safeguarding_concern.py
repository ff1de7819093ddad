import frappe
from frappe import _
from frappe.model.document import Document
from frappe.utils import get_datetime, getdate, today

from ap_framework.rules import contact, dates
from ap_framework.validation import throw_problems


class SafeguardingConcern(Document):
	"""A concern about a pupil, for the Safeguarding Lead alone: a DocType of its own so that the platform's
	DocType-level permission check keeps every door (lists, counts, filters, search, reports) shut to
	everyone else, on every Frappe line."""

	def validate(self):
		placement_pupil = (
			frappe.db.get_value("Placement", self.placement, "pupil") if self.placement else None
		)
		raised = get_datetime(self.raised_on).date() if self.raised_on else None
		throw_problems(
			self,
			contact.check_concern(self.details, self.pupil, placement_pupil)
			+ dates.not_in_future("raised_on", raised, getdate(today()), _("Raised on")),
		)
