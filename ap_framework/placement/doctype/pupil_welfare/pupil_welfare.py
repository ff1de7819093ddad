from frappe.model.document import Document


class PupilWelfare(Document):
	"""A pupil's special-category facts. They live apart from Pupil so that nobody below the Safeguarding
	Lead can learn anything of them through any door: a DocType the role cannot read is refused by the
	platform itself for lists, counts, filters, group-by, search and reports alike, on v15 as on v16,
	where a field's permlevel hides only its value."""

	def validate(self):
		self.ehcp = 1 if self.sen_status == "E" else 0
