from frappe.model.document import Document


class PlacementSession(Document):
	pass
