from frappe.model.document import Document


class TransferSection(Document):
	pass
