import frappe
from frappe.model.document import Document

from ap_framework.rules import reintegration
from ap_framework.utils import to_date
from ap_framework.validation import throw_problems


class ReintegrationPlan(Document):
	def validate(self):
		start = to_date(frappe.db.get_value("Placement", self.placement, "start_date"))
		target = to_date(self.target_date)
		stages = [reintegration.Stage(to_date(s.from_date), to_date(s.to_date), s.idx) for s in self.stages]
		throw_problems(self, reintegration.check(target, start, self.monitoring_weeks, stages))
		self.monitoring_end_date = reintegration.monitoring_end(target, self.monitoring_weeks)
