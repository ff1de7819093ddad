from frappe.model.document import Document


class IncomingProfile(Document):
	pass
