from frappe.model.document import Document


class IncomingDomainScore(Document):
	pass
