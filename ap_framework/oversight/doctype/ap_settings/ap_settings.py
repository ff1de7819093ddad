from frappe import _
from frappe.model.document import Document

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
)


class APSettings(Document):
	def validate(self):
		problems = [problem(f, _("Must be more than zero")) for f in POSITIVE if (self.get(f) or 0) <= 0]
		if not 0 <= (self.low_attendance_threshold or 0) <= 100:
			problems.append(problem("low_attendance_threshold", _("Must be a percentage between 0 and 100")))
		throw_problems(self, problems)
