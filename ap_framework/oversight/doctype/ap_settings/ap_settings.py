from frappe import _
from frappe.model.document import Document
from frappe.utils import flt

from ap_framework.rules import problem
from ap_framework.validation import throw_problems

POSITIVE = (
	"review_interval_days",
	"visit_interval_days",
	"qa_interval_days",
	"assurance_validity_days",
	"attendance_deadline_minutes",
	"register_close_minutes",
	"full_time_hours",
	"registration_full_time_hours",
	"review_reminder_days",
	"ending_warning_days",
	"assurance_warning_days",
	"low_attendance_weeks",
)


class APSettings(Document):
	def validate(self):
		# flt: defaults stored by setup.install arrive as strings until the document is reloaded
		problems = [problem(f, _("Must be more than zero")) for f in POSITIVE if flt(self.get(f)) <= 0]
		if not 0 <= flt(self.low_attendance_threshold) <= 100:
			problems.append(problem("low_attendance_threshold", _("Must be a percentage between 0 and 100")))
		throw_problems(self, problems)
