import frappe
from frappe.model.document import Document

from ap_framework.rules import profile as rules
from ap_framework.validation import throw_problems


class LearnerProfile(Document):
	def validate(self):
		narratives = [(r.idx, r.section) for r in self.narratives]
		attachments = [(r.idx, r.reference_doctype, r.reference_name, r.file) for r in self.attachments]
		throw_problems(self, rules.check_rows(narratives, attachments, self._owners()))

	def _owners(self) -> dict:
		"""Which of the attached records are this pupil's: one query per record type attached."""
		wanted: dict[str, set] = {}
		for r in self.attachments:
			if r.reference_doctype in rules.PACK_RECORD_TYPES and r.reference_name:
				wanted.setdefault(r.reference_doctype, set()).add(r.reference_name)
		owners = {}
		for doctype, names in wanted.items():
			for name in frappe.get_all(
				doctype, filters={"name": ("in", list(names)), "pupil": self.pupil}, pluck="name"
			):
				owners[(doctype, name)] = self.pupil
		return owners

	def snapshot(self, sections: list[str], safeguarding: bool = False) -> dict:
		"""The profile as it stands, cut to `sections`, with the staff narrative."""
		from ap_framework.transfer.profile import gather, narratives_of

		whole = gather(self.pupil, narratives_of(self), safeguarding=safeguarding)
		out = rules.select(whole, sections)
		out["framework_version"] = whole["framework_version"]
		return out

	def print_context(self) -> dict:
		"""What the print format shows when printed from the form (the pack passes its own)."""
		return {
			"snapshot": self.snapshot(list(rules.SECTIONS)),
			"version": None,
			"included": [r.title for r in self.attachments],
			"left_out": {},
		}
