from frappe.model.document import Document


class DomainLevelDescriptor(Document):
	pass
