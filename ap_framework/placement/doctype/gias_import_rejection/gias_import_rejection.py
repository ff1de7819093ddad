from frappe.model.document import Document


class GIASImportRejection(Document):
	pass
