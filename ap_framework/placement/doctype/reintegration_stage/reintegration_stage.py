from frappe.model.document import Document


class ReintegrationStage(Document):
	pass
