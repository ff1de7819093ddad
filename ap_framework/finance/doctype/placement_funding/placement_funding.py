from frappe.model.document import Document


class PlacementFunding(Document):
	pass
