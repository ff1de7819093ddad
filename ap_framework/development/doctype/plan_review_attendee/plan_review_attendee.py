from frappe.model.document import Document


class PlanReviewAttendee(Document):
	pass
