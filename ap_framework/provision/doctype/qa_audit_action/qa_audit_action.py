from frappe.model.document import Document


class QAAuditAction(Document):
	pass
