"""Small conversions shared by controllers."""

from __future__ import annotations

import datetime

from frappe.utils import getdate


def to_date(value) -> datetime.date | None:
	"""Like frappe.utils.getdate, but an empty value stays empty (getdate would answer today)."""
	return getdate(value) if value else None
