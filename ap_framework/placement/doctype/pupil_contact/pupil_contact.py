from frappe.model.document import Document


class PupilContact(Document):
	pass
