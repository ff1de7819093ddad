import frappe
from frappe import _
from frappe.model.document import Document
from frappe.utils import getdate, today

from ap_framework.rules import dates, risk
from ap_framework.utils import to_date
from ap_framework.validation import throw_problems


class RiskAssessment(Document):
	def validate(self):
		assessed, review = to_date(self.assessment_date), to_date(self.review_date)
		throw_problems(
			self,
			dates.not_in_future("assessment_date", assessed, getdate(today()), _("Assessment date"))
			+ dates.order(
				"assessment_date",
				assessed,
				"review_date",
				review,
				_("Assessment date"),
				_("Review date"),
				allow_equal=False,
			)
			+ risk.check(self.overall_rating, self.mitigations, self.welfare_plan),
		)


def on_doctype_update():
	# Composite indexes the oversight queries read at LA scale (benchmarks/national_targets.py).
	# a current risk assessment per placement, from the index alone
	frappe.db.add_index("Risk Assessment", ["placement", "review_date"])
