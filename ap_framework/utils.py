"""Small conversions shared by controllers."""

from __future__ import annotations

import datetime

from frappe.utils import getdate, today


def to_date(value) -> datetime.date | None:
	"""Like frappe.utils.getdate, but an empty value stays empty (getdate would answer today)."""
	return getdate(value) if value else None


def site_today() -> datetime.date:
	"""Today where the site is (its System Settings time zone), never the server's clock: an LA's site
	may run on a server in another zone, and "today's registers" are the school's today."""
	return getdate(today())
