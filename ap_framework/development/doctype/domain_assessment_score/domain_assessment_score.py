from frappe.model.document import Document


class DomainAssessmentScore(Document):
	pass
