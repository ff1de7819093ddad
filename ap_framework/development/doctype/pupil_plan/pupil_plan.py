import frappe
from frappe import _
from frappe.model.document import Document
from frappe.utils import getdate, today

from ap_framework.rules import dates, plan
from ap_framework.utils import to_date
from ap_framework.validation import throw_problems


class PupilPlan(Document):
	def validate(self):
		problems = dates.order(
			"plan_start",
			to_date(self.plan_start),
			"plan_end",
			to_date(self.plan_end),
			_("Plan start"),
			_("Plan end"),
		)
		problems += plan.check_objectives(
			[plan.Objective(o.objective, o.success_criteria, o.idx) for o in self.objectives]
		)
		if self.status == "Agreed" and self.has_value_changed("status"):
			agreed_on = {f: to_date(self.get(f)) for f, _who in plan.PARTIES}
			problems += plan.check_agreement(len(self.objectives), agreed_on, getdate(today()))
		throw_problems(self, problems)


def on_doctype_update():
	# Composite indexes the oversight queries read at LA scale (benchmarks/national_targets.py).
	# the readiness board's agreed plans, read from the index alone
	frappe.db.add_index("Pupil Plan", ["placement", "status"])
