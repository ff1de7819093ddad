"""Safeguarding shares sent before receipts were followed up have no `receipt_due_by`, so the daily job
would never chase them: give them the date they would have had (five school days after sending)."""

import frappe

from ap_framework.rules.transfer import receipt_due_by
from ap_framework.utils import to_date


def execute():
	rows = frappe.get_all(
		"Profile Transfer",
		filters={"channel": "Safeguarding", "status": "Sent", "receipt_due_by": ("is", "not set")},
		fields=["name", "sent_on"],
	)
	for r in rows:  # one per unconfirmed share: a handful, each with its own date
		if r.sent_on:
			frappe.db.set_value(
				"Profile Transfer",
				r.name,
				"receipt_due_by",
				receipt_due_by(to_date(r.sent_on)),
				update_modified=False,
			)
