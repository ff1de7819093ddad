from frappe.model.document import Document


class LearnerProfileAttachment(Document):
	pass
