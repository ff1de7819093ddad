from frappe.model.document import Document


class PlanReviewProgress(Document):
	pass
