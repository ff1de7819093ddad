from frappe.model.document import Document


class QAStandard(Document):
	pass
