from frappe.model.document import Document


class RetentionPeriod(Document):
	"""A row of AP Settings: a configurable record type kept for a period other than its default, and why
	(checked by ap_framework.rules.retention.check_overrides when AP Settings is saved)."""
