from frappe.model.document import Document


class TransferPartner(Document):
	pass
