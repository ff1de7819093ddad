"""The bridge between pure rules and Frappe: translate every problem and throw once."""

from __future__ import annotations

import frappe
from frappe import _

from ap_framework.exceptions import BY_KIND, APValidationError
from ap_framework.rules import Problem


def throw_problems(
	doc, problems: list[Problem], labels: dict[str, str] | None = None, title: str | None = None
) -> None:
	"""Throw one error listing every problem, each naming its field's label, so nothing is half-saved
	and the user can fix everything in one go. The exception class is the first problem's family.

	`doc` is a Document (labels come from its meta) or None for input that is not one document, such
	as a whole register, where `labels` names the fields."""
	if not problems:
		return
	meta = frappe.get_meta(doc.doctype) if doc is not None else None
	labels = labels or {}
	lines = []
	for p in problems:
		df = meta.get_field(p.field) if meta else None
		label = _(df.label) if df and df.label else _(labels.get(p.field, p.field))
		lines.append(f"<b>{frappe.utils.escape_html(label)}</b>: {frappe.utils.escape_html(p.render(_))}")
	message = (
		lines[0] if len(lines) == 1 else "<ul>" + "".join(f"<li>{line}</li>" for line in lines) + "</ul>"
	)
	if title is None:
		title = (
			_("Please correct {0}").format(_(doc.doctype))
			if doc is not None
			else _("Please correct the form")
		)
	frappe.throw(message, BY_KIND.get(problems[0].kind, APValidationError), title=title)
