"""AP Settings with the DocType's own defaults filled in, so an unsaved setting never reads as 0."""

from __future__ import annotations

import frappe
from frappe.utils import cint, flt


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
