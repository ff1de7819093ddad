from frappe.model.document import Document


class APProviderContact(Document):
	pass
