from frappe.model.document import Document


class APAttendanceWindow(Document):
	"""Written set-based by ap_framework/placement/attendance_window.py only: never by a form."""
