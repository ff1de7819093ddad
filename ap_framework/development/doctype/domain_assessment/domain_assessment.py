import frappe
from frappe import _
from frappe.model.document import Document
from frappe.query_builder import DocType
from frappe.utils import getdate, today

from ap_framework.development import monitoring
from ap_framework.rules import assessment, dates, problem
from ap_framework.utils import to_date
from ap_framework.validation import throw_problems


class DomainAssessment(Document):
	def validate(self):
		descriptors = self._descriptors()
		ranges = {}
		for domain, level in descriptors:
			low, high = ranges.get(domain, (level, level))
			ranges[domain] = (min(low, level), max(high, level))
		scores = [assessment.Score(r.domain, r.score, r.idx) for r in self.scores]
		on = to_date(self.assessment_date)

		problems = assessment.check_scores(scores, ranges)
		problems += dates.not_in_future("assessment_date", on, getdate(today()), _("Assessment date"))
		self.after_reintegration = 0
		if self.placement:
			placement = frappe.db.get_value(
				"Placement", self.placement, ["pupil", "start_date", "end_date"], as_dict=True
			)
			if placement and placement.pupil != self.pupil:
				problems.append(problem("placement", _("Placement {0} is not this pupil's"), self.placement))
			elif placement:
				end = to_date(placement.end_date)
				# After a return to school, check-ins on the same domains run until monitoring ends.
				window = monitoring.monitoring_window(self.placement) if end and on and on > end else None
				if window:
					self.after_reintegration = 1
					end = window[1]
				problems += dates.within(
					"assessment_date",
					on,
					to_date(placement.start_date),
					end,
					_("Assessment date"),
					_("placement's dates and monitoring period") if window else _("placement's dates"),
				)
		problems += assessment.check_single_baseline(bool(self.is_baseline), self._other_baselines())
		throw_problems(self, problems)
		for row in self.scores:
			row.level_descriptor = descriptors.get((row.domain, row.score))

	def on_submit(self):
		if self.after_reintegration:
			monitoring.on_check_in_submitted(self)

	def _descriptors(self) -> dict[tuple[str, int], str]:
		"""Every level of every active domain scored here, in one query."""
		domains = list({r.domain for r in self.scores if r.domain})
		if not domains:
			return {}
		d, lvl = DocType("Development Domain"), DocType("Domain Level Descriptor")
		rows = (
			frappe.qb.from_(lvl)
			.join(d)
			.on(d.name == lvl.parent)
			.select(lvl.parent, lvl.level, lvl.descriptor)
			.where(d.name.isin(domains) & (d.is_active == 1) & (lvl.parenttype == "Development Domain"))
			.run(as_dict=True)
		)
		return {(r.parent, r.level): r.descriptor for r in rows}

	def _other_baselines(self) -> list[str]:
		if not self.is_baseline:
			return []
		return frappe.get_all(
			"Domain Assessment",
			pluck="name",
			filters={
				"pupil": self.pupil,
				"placement": self.placement or ("is", "not set"),
				"is_baseline": 1,
				"docstatus": ("<", 2),
				"name": ("!=", self.name),
			},
		)


def on_doctype_update():
	# Composite indexes the oversight queries read at LA scale (benchmarks/national_targets.py).
	# evidence of impact: a submitted assessment after the baseline
	frappe.db.add_index("Domain Assessment", ["placement", "is_baseline", "docstatus"])
