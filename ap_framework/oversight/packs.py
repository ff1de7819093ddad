"""PDF packs for leaders: the Ofsted planning-call pack and the governors' annual AP report.

Plain HTML rendered by Frappe's own get_pdf (wkhtmltopdf), from figures read on the site's replica where
it has one (frappe.read_only; compat.py 12). The templates use no running headers or footers: Debian's
wkhtmltopdf (unpatched Qt) ignores them."""

from __future__ import annotations

import frappe
from frappe import _
from frappe.utils import getdate, now_datetime

from ap_framework import api_input
from ap_framework.oversight.report.ap_governors_report.ap_governors_report import governors_figures
from ap_framework.oversight.report.ap_planning_call_pack.ap_planning_call_pack import pack_rows
from ap_framework.oversight.report.ap_provider_summary.ap_provider_summary import summary_rows
from ap_framework.rules import request

LEADER_ROLES = ("AP Administrator", "AP Lead", "Senior Leader", "Safeguarding Lead")


def planning_call_html(as_at: str | None = None, school: str | None = None, trust: str | None = None) -> str:
	frappe.only_for(LEADER_ROLES)
	filters = frappe._dict(as_at=as_at or getdate(), school=school, trust=trust)
	rows = pack_rows(filters)
	sections = {}
	for r in rows:
		sections.setdefault(r["section"], []).append(r)
	return frappe.render_template(
		"ap_framework/templates/ap/planning_call_pack.html",
		{
			"as_at": getdate(filters.as_at),
			"scope": school or trust or _("All schools you can see"),
			"sections": sections,
			"providers": summary_rows(filters),
			"generated": now_datetime(),
			"_": _,
		},
	)


LABELS = {"as_at": "As at", "school": "School", "trust": "Trust", "year": "Academic year"}


@frappe.whitelist()
@frappe.read_only()
def planning_call_pdf(as_at: str | None = None, school: str | None = None, trust: str | None = None) -> None:
	args = api_input.checked(
		LABELS,
		as_at=(as_at, request.day()),
		school=(school, request.name()),
		trust=(trust, request.name()),
	)
	html = planning_call_html(args.as_at, args.school, args.trust)
	_send_pdf(html, f"AP planning call pack {args.as_at or getdate()}.pdf")


def governors_html(school: str, year: str | None = None) -> str:
	frappe.only_for((*LEADER_ROLES, "Governor"))
	figures = governors_figures(school, year)
	return frappe.render_template(
		"ap_framework/templates/ap/governors_report.html", {**figures, "_": _, "generated": now_datetime()}
	)


@frappe.whitelist()
@frappe.read_only()
def governors_report_pdf(school: str | None = None, year: str | None = None) -> None:
	args = api_input.checked(
		LABELS,
		school=(school, request.name(required=True)),
		year=(year, request.matching(r"(19|20)\d\d(-\d\d)?", "2025-26")),
	)
	_send_pdf(
		governors_html(args.school, args.year), f"AP report to governors {args.school} {args.year or ''}.pdf"
	)


def _send_pdf(html: str, filename: str) -> None:
	from frappe.utils.pdf import get_pdf  # loaded on use: it sets up logging relative to the sites folder

	frappe.local.response.filename = filename
	frappe.local.response.filecontent = get_pdf(html, {"orientation": "Landscape", "page-size": "A4"})
	frappe.local.response.type = "pdf"
