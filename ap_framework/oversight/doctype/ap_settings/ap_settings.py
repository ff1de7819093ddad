import frappe
from frappe import _
from frappe.model.document import Document
from frappe.query_builder import DocType
from frappe.utils import flt

from ap_framework.rules import problem, retention, timetable
from ap_framework.settings import session_windows
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
REVIEWER_ROLE = "AP Administrator"  # as ap_framework/oversight/retention.py


class APSettings(Document):
	def validate(self):
		# flt: defaults stored by setup.install arrive as strings until the document is reloaded
		problems = [problem(f, _("Must be more than zero")) for f in POSITIVE if flt(self.get(f)) <= 0]
		if not 0 <= flt(self.low_attendance_threshold) <= 100:
			problems.append(problem("low_attendance_threshold", _("Must be a percentage between 0 and 100")))
		problems += timetable.check_windows(session_windows(self.as_dict()))
		problems += self._reviewer_problems()
		problems += retention.check_overrides(
			retention.Override(r.idx, r.record_type, r.basis, r.years, r.reason)
			for r in self.get("retention_periods") or []
		)
		throw_problems(self, problems)

	def on_update(self):
		# reviews still pending go to the reviewer named now (the one who may decide them)
		before = self.get_doc_before_save()
		if self.retention_reviewer and before and before.retention_reviewer != self.retention_reviewer:
			t = DocType("Retention Review")
			(
				frappe.qb.update(t)
				.set(t.reviewer, self.retention_reviewer)
				.where(t.status == retention.PENDING)
				.run()
			)

	def _reviewer_problems(self):
		"""The reviewer must be able to read every record they are asked to remove: an enabled AP
		Administrator."""
		user = self.retention_reviewer
		if not user:
			return []
		if not frappe.db.get_value("User", user, "enabled") or REVIEWER_ROLE not in frappe.get_roles(user):
			return [
				problem(
					"retention_reviewer",
					_("{0} must be an enabled user with the {1} role"),
					user,
					_(REVIEWER_ROLE),
					kind="retention",
				)
			]
		return []
