"""What each placement's records show, held in one row instead of asked of six tables on every look.

The readiness board asks, of every live placement: is its risk assessment current, its plan agreed, its
strategies recorded, its route back planned; when was it last contacted and its attendance last followed
up; is there evidence of impact; was a review held without both voices? Across an LA that is six tables
of hundreds of thousands of rows, about a second and a half on every look. **AP Placement Evidence**
holds the answers, one row per placement, as dates and flags that do not age (the latest review date of
its risk assessments, not "current today"), so the table is never stale by the calendar, only by writes:

- every save, submit, cancel and delete of a Risk Assessment, Pupil Plan, Reintegration Plan, Contact
  Log, Domain Assessment or Plan Review (the desk, the portal, Data Import, a transfer) calls
  `keep_in_step()` through the doc_events in hooks.py, which works the rows of its placement (and of the one it was
  moved from) out again from those records;
- each night (a `daily_long` job) `rebuild()` works out every row again in one statement, catching up
  on whatever was written beneath the documents (a set-based load, a restore).

`built()` says whether the table was ever built (a row of its own, with no placement, like the
attendance window's stamp): until it is, the board asks the records themselves, as it always did, so an
unbuilt table is slower, never wrong.
"""

from __future__ import annotations

from collections.abc import Iterable

import frappe
from frappe.query_builder import DocType
from frappe.utils import now_datetime

TABLE = "AP Placement Evidence"
STAMP = "built"
FOLLOW_UP = "Attendance Follow-up"  # the contact type that answers low attendance


def rebuild() -> int:
	"""Every placement's row again, in one statement; the number of rows."""
	frappe.db.delete(TABLE)
	_work_out()
	now = now_datetime()
	frappe.db.sql(
		"""insert into `tabAP Placement Evidence` (name, creation, modified, owner, modified_by)
		values (%s, %s, %s, 'Administrator', 'Administrator')""",
		(STAMP, now, now),
	)
	return frappe.db.count(TABLE) - 1


def built() -> bool:
	return bool(frappe.db.exists(TABLE, STAMP))


def keep_in_step(doc, method=None) -> None:
	"""doc_events handler (on_change, after_delete) of the records the rows come from: its placement's row, and
	that of the placement it was moved from, worked out again. Nothing until the table is built."""
	before = doc.get_doc_before_save() if method != "after_delete" else None
	placements = {doc.get("placement"), before and before.get("placement")}
	refresh(p for p in placements if p)


def refresh(placements: Iterable[str]) -> None:
	placements = sorted(set(placements))
	if not placements or not built():
		return
	e = DocType(TABLE)
	frappe.qb.from_(e).delete().where(e.placement.isin(placements)).run()  # never the stamp: no placement
	_work_out(placements)


def _work_out(placements: list[str] | None = None) -> None:
	"""One INSERT ... SELECT: each placement's row, from its records (every placement, or these).
	The conditions are the readiness board's own (evidence.readiness_facts asks the records the same)."""
	now = now_datetime()
	only = "where p.name in %(placements)s" if placements else ""
	frappe.db.sql(
		f"""insert into `tabAP Placement Evidence`
			(name, placement, risk_review_until, plan_agreed, has_strategies, has_reintegration_plan,
			last_contact, last_follow_up, has_impact, last_voiceless_review,
			creation, modified, owner, modified_by, docstatus, idx)
		select p.name, p.name,
			(select max(r.review_date) from `tabRisk Assessment` r where r.placement = p.name),
			exists (select 1 from `tabPupil Plan` pp where pp.placement = p.name and pp.status = 'Agreed'),
			exists (select 1 from `tabPupil Plan` pp where pp.placement = p.name
				and ifnull(pp.strategies_that_work, '') != ''),
			exists (select 1 from `tabReintegration Plan` rp where rp.placement = p.name),
			(select max(c.contact_datetime) from `tabContact Log` c where c.placement = p.name),
			(select max(c.contact_datetime) from `tabContact Log` c where c.placement = p.name
				and c.contact_type = %(follow_up)s),
			exists (select 1 from `tabDomain Assessment` d where d.placement = p.name
				and d.is_baseline = 0 and d.docstatus = 1),
			(select max(pr.review_date) from `tabPlan Review` pr where pr.placement = p.name
				and pr.docstatus = 1
				and (ifnull(pr.pupil_voice, '') = '' or ifnull(pr.parent_voice, '') = '')),
			%(now)s, %(now)s, 'Administrator', 'Administrator', 0, 0
		from `tabPlacement` p {only}""",
		{"placements": tuple(placements or ()), "now": now, "follow_up": FOLLOW_UP},
	)
