import frappe
from frappe import _
from frappe.model.document import Document
from frappe.utils import getdate, today

from ap_framework.placement import welfare
from ap_framework.rules import dates, problem, upn
from ap_framework.utils import to_date
from ap_framework.validation import throw_problems


class Pupil(Document):
	def validate(self):
		self.full_name = " ".join(p.strip() for p in (self.first_name, self.last_name) if p and p.strip())
		self.upn = upn.normalise(self.upn) or None
		self.keep_replaced_temporary_upn()

		problems = upn.check(self.upn)
		problems += dates.not_in_future(
			"date_of_birth", to_date(self.date_of_birth), getdate(today()), _("Date of birth")
		)
		problems += dates.order(
			"date_of_birth",
			to_date(self.date_of_birth),
			"leaving_date",
			to_date(self.leaving_date),
			_("Date of birth"),
			_("Leaving date"),
		)
		if self.upn and frappe.db.exists("Pupil", {"upn": self.upn, "name": ("!=", self.name)}):
			problems.append(
				problem("upn", _("UPN {0} already belongs to another pupil"), self.upn, kind="upn")
			)
		throw_problems(self, problems)

	def onload(self):
		facts = welfare.for_form(self)
		if facts:
			self.set_onload("welfare", facts)

	def after_insert(self):
		welfare.create_for(self, self.flags.welfare)

	def on_update(self):
		welfare.keep_in_step(self)

	def on_trash(self):
		welfare.remove_with(self)

	def keep_replaced_temporary_upn(self):
		"""A temporary UPN replaced by the real one is kept as the former UPN (the census asks for it)."""
		before = self.get_doc_before_save()
		if before and before.upn and self.upn and before.upn != self.upn and upn.is_temporary(before.upn):
			self.former_upn = before.upn
