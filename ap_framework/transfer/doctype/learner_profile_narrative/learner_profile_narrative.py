from frappe.model.document import Document


class LearnerProfileNarrative(Document):
	pass
