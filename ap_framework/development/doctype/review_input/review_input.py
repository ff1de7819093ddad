from frappe.model.document import Document


class ReviewInput(Document):
	"""An AP's input to the next Plan Review, with the pupil's own words; used when the review is submitted."""
