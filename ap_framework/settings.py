"""AP Settings with the DocType's own defaults filled in, so an unsaved setting never reads as 0."""

from __future__ import annotations

import frappe
from frappe.utils import cint, flt

from ap_framework.rules.timetable import SessionWindows, to_minutes


def get_settings() -> frappe._dict:
	doc = frappe.get_cached_doc("AP Settings")
	out = frappe._dict()
	for df in frappe.get_meta("AP Settings").fields:
		if not df.fieldname or df.fieldtype in ("Section Break", "Column Break", "Tab Break"):
			continue
		value = doc.get(df.fieldname)
		if value in (None, "", 0) and df.default not in (None, ""):
			value = df.default
		if df.fieldtype == "Int":
			value = cint(value)
		elif df.fieldtype in ("Float", "Percent", "Currency"):
			value = flt(value)
		out[df.fieldname] = value
	return out


def session_windows(settings: dict | None = None) -> SessionWindows:
	"""The school day's register sessions, from AP Settings (or the settings given, as saved)."""
	s = frappe._dict(settings or get_settings())
	default = SessionWindows()
	return SessionWindows(
		am_start=_minutes(s.am_session_start, default.am_start),
		am_end=_minutes(s.am_session_end, default.am_end),
		pm_start=_minutes(s.pm_session_start, default.pm_start),
	)


def _minutes(value, default: int) -> int:
	minutes = to_minutes(value)
	return default if minutes is None else minutes
