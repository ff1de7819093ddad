from frappe.model.document import Document


class APPlacementEvidence(Document):
	"""Written set-based by ap_framework/oversight/placement_evidence.py only: never by a form."""
