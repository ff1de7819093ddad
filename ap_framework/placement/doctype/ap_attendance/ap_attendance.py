import frappe
from frappe import _
from frappe.model.document import Document
from frappe.utils import getdate, now_datetime, today

from ap_framework.placement import attendance_window, registers_due
from ap_framework.placement.doctype.placement_session.placement_session import COVERS
from ap_framework.rules import attendance, dates, problem, timetable
from ap_framework.settings import get_settings, session_windows
from ap_framework.utils import to_date
from ap_framework.validation import throw_problems

MARKABLE_STATES = ("Approved", "Active", "Ended")


class APAttendance(Document):
	def validate(self):
		settings = get_settings()
		placement = (
			frappe.db.get_value(
				"Placement",
				self.placement,
				["status", "start_date", "end_date", "planned_end_date"],
				as_dict=True,
			)
			or frappe._dict()
		)
		on = to_date(self.attendance_date)

		problems = attendance.check_mark(
			attendance.Mark(self.session, self.mark, self.minutes_late), settings.register_close_minutes
		)
		problems += dates.not_in_future("attendance_date", on, getdate(today()), _("Attendance date"))
		problems += dates.within(
			"attendance_date",
			on,
			to_date(placement.start_date),
			to_date(placement.end_date or placement.planned_end_date),
			_("Attendance date"),
			_("placement's dates"),
		)
		if placement.status and placement.status not in MARKABLE_STATES:
			problems.append(
				problem(
					"placement",
					_("Placement {0} is {1}: attendance can only be marked once it is approved"),
					self.placement,
					_(placement.status),
					kind="outside_window",
				)
			)
		duplicate = frappe.db.exists(
			"AP Attendance",
			{
				"placement": self.placement,
				"attendance_date": self.attendance_date,
				"session": self.session,
				"name": ("!=", self.name),
			},
		)
		if duplicate:
			problems.append(
				problem(
					"session",
					_("This pupil already has a mark for {0} {1} ({2})"),
					self.attendance_date,
					self.session,
					duplicate,
					kind="attendance_mark",
				)
			)
		throw_problems(self, problems)
		self._stamp(settings, on)

	def _stamp(self, settings, on):
		"""Who reported the mark, when, and whether that was after the deadline for the session."""
		if not (self.is_new() or self.has_value_changed("mark") or self.has_value_changed("minutes_late")):
			return
		self.reported_by = frappe.session.user
		self.reported_at = now_datetime()
		start = self._session_start(settings, on)
		self.reported_late = int(
			attendance.is_reported_late(self.reported_at, on, start, settings.attendance_deadline_minutes)
		)

	def _session_start(self, settings, on) -> int:
		"""When this pupil's register for the session opened that day (rules.timetable.register_opens)."""
		starts = frappe.get_all(
			"Placement Session",
			filters={
				"parent": self.placement,
				"parenttype": "Placement",
				"weekday": on.strftime("%A"),
				COVERS.get(self.session, "covers_am"): 1,
			},
			pluck="start_time",
		)
		minutes = [m for m in (timetable.to_minutes(s) for s in starts) if m is not None]
		return timetable.register_opens(self.session, minutes, session_windows(settings))

	def on_update(self):
		self._keep_sums_in_step()

	def after_delete(self):
		self._keep_sums_in_step()

	def _keep_sums_in_step(self):
		# the portal register sums its placements once for the whole register (flags.window_later), and
		# marks its registers due itself; a mark changed there is still a mark
		if not self.flags.window_later:
			before = self.get_doc_before_save()
			placements = [self.placement, before and before.placement]
			attendance_window.keep_in_step(placements)
			registers_due.keep_in_step(placements)


def on_doctype_update():
	# One mark per placement, date and session: duplicates are impossible, not merely checked for.
	frappe.db.add_unique(
		"AP Attendance", ["placement", "attendance_date", "session"], constraint_name="unique_mark"
	)
	# the weekly attendance chart counts marks by day from the index alone
	frappe.db.add_index("AP Attendance", ["attendance_date", "mark"])
