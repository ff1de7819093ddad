"""The governors' annual AP report for one school and academic year: figures only, no pupil named and no
safeguarding detail, so the Governor role can have exactly this."""

from __future__ import annotations

from collections import Counter
from datetime import date

import frappe
from frappe import _
from frappe.query_builder import DocType

from ap_framework.oversight import evidence
from ap_framework.oversight.report.ap_progress.ap_progress import cohort_rows, pupil_progress
from ap_framework.rules import attendance, census
from ap_framework.utils import site_today


def execute(filters=None):
	filters = frappe._dict(filters or {})
	figures = governors_figures(filters.get("school"), filters.get("year"))
	columns = [
		{"fieldname": "section", "label": _("Section"), "fieldtype": "Data", "width": 180},
		{"fieldname": "measure", "label": _("Measure"), "fieldtype": "Data", "width": 320},
		{"fieldname": "value", "label": _("Value"), "fieldtype": "Data", "width": 160},
	]
	rows = [{"section": s, "measure": m, "value": v} for s, m, v in figures["rows"]]
	return columns, rows


def academic_year(label: str | None) -> tuple[date, date]:
	"""'2025-26' -> 1 Sep 2025 to 31 Aug 2026; default: the year today falls in."""
	today = site_today()
	start = int(label[:4]) if label else (today.year if today.month >= 9 else today.year - 1)
	return date(start, 9, 1), date(start + 1, 8, 31)


def governors_figures(school: str | None, year: str | None) -> dict:
	if not school:
		frappe.throw(_("Choose the school"), frappe.MandatoryError, title=_("School"))
	allowed = evidence.allowed_schools()
	if allowed is not None and school not in allowed:
		raise frappe.PermissionError(_("You can only see your own school's report"))
	start, end = academic_year(year)
	p, pr = DocType("Placement"), DocType("AP Provider")
	placements = (
		frappe.qb.from_(p)
		.join(pr)
		.on(pr.name == p.provider)
		.select(
			p.name,
			p.provider,
			p.status,
			p.census_reason,
			p.end_outcome,
			p.is_part_time,
			p.next_review_date,
			pr.registration_status,
			pr.approval_status,
			pr.last_qa_date,
		)
		.where(
			(p.school == school)
			& p.status.isin(("Approved", "Active", "Ended"))
			& (p.start_date <= end)
			& (p.end_date.isnull() | (p.end_date >= start))
		)
		.run(as_dict=True)
	)
	names = [r.name for r in placements] or [""]
	att = DocType("AP Attendance")
	marks = [
		r[0]
		for r in frappe.qb.from_(att)
		.select(att.mark)
		.where(att.placement.isin(names) & (att.attendance_date >= start) & (att.attendance_date <= end))
		.run()
	]
	pv = DocType("Plan Review")
	reviews = (
		frappe.qb.from_(pv)
		.select(pv.name)
		.where(
			pv.placement.isin(names)
			& (pv.docstatus == 1)
			& (pv.review_date >= start)
			& (pv.review_date <= end)
		)
		.run()
	)
	today = site_today()
	overdue = sum(
		1 for r in placements if r.status == "Active" and r.next_review_date and r.next_review_date < today
	)
	live = sum(1 for r in placements if r.status == "Active")
	rows = [
		(_("Numbers"), _("Placements during the year"), len(placements)),
		(_("Numbers"), _("Part-time placements"), sum(1 for r in placements if r.is_part_time)),
		(_("Numbers"), _("Still placed"), sum(1 for r in placements if r.status in ("Approved", "Active"))),
	]
	for reason, n in Counter(r.census_reason for r in placements).most_common():
		rows.append((_("Reasons"), _(census.REASONS.get(reason or "", "Not recorded")), n))
	providers = {}
	for r in placements:
		providers.setdefault(r.provider, r)
	for name, r in sorted(providers.items()):
		qa = r.last_qa_date.isoformat() if r.last_qa_date else _("none")
		rows.append(
			(
				_("Providers and QA"),
				f"{name} ({_(r.registration_status)})",
				f"{_(r.approval_status)}, {_('QA')} {qa}",
			)
		)
	rate = attendance.attendance_rate(marks)
	rows.append(
		(_("Attendance"), _("Sessions attended at AP"), f"{rate}%" if rate is not None else _("no registers"))
	)
	outcomes = Counter(r.end_outcome for r in placements if r.status == "Ended")
	rows.append(
		(_("Outcomes"), _("Reintegrated to home school"), outcomes.get("Reintegrated to Home School", 0))
	)
	rows.append(
		(
			_("Outcomes"),
			_("Moved on (another school, specialist, post-16)"),
			sum(
				v
				for k, v in outcomes.items()
				if k in ("Moved to Another School", "Specialist Placement", "Post-16 Destination")
			),
		)
	)
	per_pupil, domains = pupil_progress(frappe._dict(school=school))
	for row in cohort_rows([e for e in per_pupil if e["placement"] in names], domains, None):
		rows.append(
			(
				_("Progress across domains"),
				_(row["domain"]),
				_("mean change {0}; {1}% improving").format(row["mean_change"], row["improving"]),
			)
		)
	rows.append((_("Reviews"), _("Reviews held during the year"), len(reviews)))
	rows.append((_("Reviews"), _("Live placements with a review overdue"), f"{overdue} / {live}"))
	return {"school": school, "start": start, "end": end, "rows": rows}
