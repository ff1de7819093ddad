import frappe
from frappe import _
from frappe.model.document import Document
from frappe.utils import getdate, today

from ap_framework.rules import dates, plan, problem
from ap_framework.settings import get_settings
from ap_framework.utils import to_date
from ap_framework.validation import throw_problems


class PlanReview(Document):
	def before_validate(self):
		self._take_provider_input()
		if self.review_date and not self.next_review_date:
			self.next_review_date = plan.next_review(
				to_date(self.review_date), get_settings().review_interval_days
			)

	def validate(self):
		reviewed = to_date(self.review_date)
		start = to_date(frappe.db.get_value("Placement", self.placement, "start_date"))
		problems = dates.not_in_future("review_date", reviewed, getdate(today()), _("Review date"))
		problems += dates.order(
			"start_date", start, "review_date", reviewed, _("Placement start"), _("Review date")
		)
		if (
			self.pupil_plan
			and frappe.db.get_value("Pupil Plan", self.pupil_plan, "placement") != self.placement
		):
			problems.append(
				problem("pupil_plan", _("Plan {0} belongs to another placement"), self.pupil_plan)
			)
		throw_problems(self, problems)

	def before_submit(self):
		throw_problems(
			self,
			plan.check_review(
				to_date(self.review_date),
				to_date(self.next_review_date),
				get_settings().review_interval_days,
				self.pupil_voice,
				self.parent_voice,
				self.decision,
			),
		)

	def on_submit(self):
		self._set_placement_dates(self.review_date, self.next_review_date)
		inputs = self._open_inputs()
		if inputs:
			frappe.db.set_value(
				"Review Input",
				{"name": ("in", [i.name for i in inputs])},
				{"status": "Used", "plan_review": self.name},
			)

	def _open_inputs(self):
		return frappe.get_all(
			"Review Input",
			filters={"placement": self.placement, "status": "Open"},
			fields=["name", "input_date", "pupil_words", "provider_input"],
			order_by="input_date asc",
		)

	def _take_provider_input(self):
		"""Start the review from what the AP sent through the portal since the last one (staff can edit it)."""
		if self.docstatus or (self.provider_input and self.pupil_voice):
			return
		inputs = self._open_inputs()
		if not self.provider_input:
			self.provider_input = "\n\n".join(f"{i.input_date}: {i.provider_input}" for i in inputs) or None
		if not self.pupil_voice:
			self.pupil_voice = "\n\n".join(i.pupil_words for i in inputs if i.pupil_words) or None

	def on_cancel(self):
		latest = frappe.get_all(
			"Plan Review",
			filters={"placement": self.placement, "docstatus": 1, "name": ("!=", self.name)},
			fields=["review_date", "next_review_date"],
			order_by="review_date desc",
			limit=1,
		)
		if latest:
			self._set_placement_dates(latest[0].review_date, latest[0].next_review_date)
		else:
			self._set_placement_dates(None, self.review_date)

	def _set_placement_dates(self, last, upcoming):
		# A direct update: the review's own permissions and rules cover it, and re-validating the whole
		# placement here would block a review for an unrelated problem on the placement.
		frappe.db.set_value(
			"Placement", self.placement, {"last_review_date": last, "next_review_date": upcoming}
		)
