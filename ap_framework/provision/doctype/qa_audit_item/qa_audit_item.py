from frappe.model.document import Document


class QAAuditItem(Document):
	pass
