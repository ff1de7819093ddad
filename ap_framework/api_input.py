"""The arguments of this app's whitelisted methods, checked before anything is read or written.

Every whitelisted method begins with

	args = api_input.checked(LABELS, placement=(placement, request.name(required=True)), ...)

The checks in rules/request.py judge each argument's shape (type, size, format); any problem is thrown
at once as a MalformedInputError (HTTP 400) listing every field by its translated label, so a request
that cannot be read writes nothing and never reaches code that would fail on it with a 500.

Two things Frappe does not do for us, on either line (15.x, 16.x):
- It checks argument types against annotations only where the annotations are real types. Every module
  here has `from __future__ import annotations`, so they are strings, and Frappe skips them; the hook
  `require_type_annotated_api_methods` is not read by Frappe 15.101 or 16.9 at all. The checks here
  are the only ones.
- It calls the method with only the arguments posted, so a missing one is Python's TypeError, which
  Frappe answers with a 500. So every parameter of a whitelisted method has a default, and the check
  for it says "Is required".
"""

from __future__ import annotations

import frappe
from frappe import _

from ap_framework.rules import request
from ap_framework.validation import throw_problems


def checked(labels: dict[str, str] | None = None, **fields: tuple[object, request.Check]) -> frappe._dict:
	"""{field: checked value} for `field=(posted value, check)`, or MalformedInputError naming every
	field at fault (by its label in `labels`, else its name)."""
	values, problems = request.check_all(fields)
	throw_problems(None, problems, labels=labels, title=_("The request could not be read"))
	return frappe._dict(values)
