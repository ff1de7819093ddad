from frappe.model.document import Document


class PlanObjective(Document):
	pass
