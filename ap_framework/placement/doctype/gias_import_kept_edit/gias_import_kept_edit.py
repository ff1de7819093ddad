from frappe.model.document import Document


class GIASImportKeptEdit(Document):
	pass
