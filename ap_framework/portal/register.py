"""The provider's daily register: who is expected, what is marked, and saving a whole session at once.

Set-based: one query for the pupils timetabled, one for the marks already there, one validation over
the whole register, one bulk insert for new marks. A register of 30 costs the same few queries as 3.
"""

from __future__ import annotations

from datetime import date, datetime

import frappe
from frappe import _
from frappe.query_builder import DocType
from frappe.utils import escape_html, get_url_to_form, getdate, now_datetime

from ap_framework.oversight.jobs import enabled_emails
from ap_framework.placement import attendance_window, registers_due
from ap_framework.placement.doctype.placement_session.placement_session import COVERS, covering
from ap_framework.rules import attendance, register, timetable
from ap_framework.settings import get_settings, session_windows
from ap_framework.utils import to_date
from ap_framework.validation import throw_problems

REGISTER_STATES = ("Active", "Ended")
LABELS = {"attendance_date": "Register date", "session": "Session", "marks": "Marks"}


def expected(
	provider: str, on: date, session: str | None = None, settings: dict | None = None
) -> dict[str, register.Expected]:
	"""Placements timetabled with `provider` on `on`, keyed by placement for one session, or by
	"placement|session" for both. A slot is on each register it covers (rules.timetable.covers); the
	register opens at the later of the session's start and the pupil's first slot in it."""
	p, s = DocType("Placement"), DocType("Placement Session")
	query = (
		frappe.qb.from_(p)
		.join(s)
		.on((s.parent == p.name) & (s.parenttype == "Placement"))
		.select(
			p.name,
			p.pupil,
			p.school,
			p.pupil_name,
			p.start_date,
			p.end_date,
			p.planned_end_date,
			s.covers_am,
			s.covers_pm,
			s.start_time,
		)
		.where((p.provider == provider) & p.status.isin(REGISTER_STATES) & (s.weekday == on.strftime("%A")))
		.where(p.start_date <= on)
		.orderby(p.pupil_name)
	)
	if session:
		query = query.where(covering(s, session))
	placements, starts = {}, {}
	for r in query.run(as_dict=True):
		end = to_date(r.end_date or r.planned_end_date)
		if end and on > end:
			continue
		placements[r.name] = (r, end)
		for each in attendance.SESSIONS:
			if r[COVERS[each]] and session in (None, each):
				starts.setdefault((r.name, each), []).append(timetable.to_minutes(r.start_time) or 0)
	windows = session_windows(settings)
	out: dict[str, register.Expected] = {}
	for (name, each), minutes in starts.items():
		r, end = placements[name]
		out[name if session else f"{name}|{each}"] = register.Expected(
			name,
			r.pupil_name,
			getdate(r.start_date),
			end,
			timetable.register_opens(each, minutes, windows),
			r.pupil,
			r.school,
		)
	return out


def existing(
	placements: list[str], on: date, session: str | None = None, for_update: bool = False
) -> dict[tuple[str, str], frappe._dict]:
	"""The marks already there. `for_update`: read the latest committed marks (not the request's earlier
	snapshot) and hold them until the request ends, as a register save does once it holds the register."""
	if not placements:
		return {}
	a = DocType("AP Attendance")
	query = (
		frappe.qb.from_(a)
		.select(
			a.name,
			a.placement,
			a.session,
			a.mark,
			a.minutes_late,
			a.note,
			a.reported_by,
			a.reported_at,
			a.reported_late,
		)
		.where(a.placement.isin(placements) & (a.attendance_date == on))
	)
	if session:
		query = query.where(a.session == session)
	if for_update:
		query = query.for_update()
	return {(r.placement, r.session): r for r in query.run(as_dict=True)}


def hold_register(provider: str) -> None:
	"""Saves of one provider's registers take turns, so a double tap or two staff saving at once never
	race: the later save waits for the earlier to commit, then reads what it wrote (existing(for_update)).
	The lock is the provider's own row, held until the request's transaction ends (commit or rollback):
	one row, always taken first, so two saves cannot deadlock on it."""
	p = DocType("AP Provider")
	frappe.qb.from_(p).select(p.name).where(p.name == provider).for_update().run()


def status(provider: str, on: date, now: datetime | None = None) -> list[dict]:
	"""Today's register status per session: done, due or overdue (after the reporting deadline)."""
	now = now or now_datetime()
	settings = get_settings()
	rows = expected(provider, on)
	marks = existing(list({e.placement for e in rows.values()}), on)
	out = []
	for session in attendance.SESSIONS:
		due = [e for key, e in rows.items() if key.endswith(f"|{session}")]
		if not due:
			continue
		marked = sum(1 for e in due if (e.placement, session) in marks)
		deadline = attendance.session_deadline(
			on, min(e.session_start for e in due), settings.attendance_deadline_minutes
		)
		state = "done" if marked == len(due) else ("overdue" if now > deadline else "due")
		out.append(
			{"session": session, "expected": len(due), "marked": marked, "deadline": deadline, "state": state}
		)
	return out


def save(provider: str, on, session: str, marks: list[dict], now: datetime | None = None) -> dict:
	"""Validate the whole register, then write it: new marks in one insert, changed marks through their
	documents (so their history is kept). Nothing is written unless every row is valid.

	Concurrent saves of one register (a double tap, two staff on one register) take turns
	(hold_register) and each compares with what the one before it wrote: the same marks again change
	nothing and answer "unchanged"; a different mark for the same pupil is the last save's, the earlier
	one is kept in the mark's version history, and the answer names it under "replaced" (mark, who
	reported it, when) so the later saver sees whose mark they changed."""
	now = now or now_datetime()
	settings = get_settings()
	on = to_date(on)
	rows = expected(provider, on, session, settings) if on and session in attendance.SESSIONS else {}
	submitted = [
		register.Submitted(
			str(m.get("placement") or ""),
			str(m.get("mark") or ""),
			_int(m.get("minutes_late")),
			(m.get("note") or "").strip() or None,
			i,
		)
		for i, m in enumerate(marks or [], 1)
	]
	throw_problems(
		None,
		register.check(on, session, getdate(now), rows, submitted, settings.register_close_minutes),
		labels=LABELS,
		title=_("The register was not saved"),
	)

	hold_register(provider)
	current = existing(list(rows), on, session, for_update=True)
	inserts, updated, replaced, unexplained, changed = [], [], [], [], []
	for s in submitted:
		late = attendance.is_reported_late(
			now, on, rows[s.placement].session_start, settings.attendance_deadline_minutes
		)
		before = current.get((s.placement, session))
		if before is None:
			inserts.append((s, int(late)))
		elif (before.mark, before.minutes_late or None, before.note) != (s.mark, s.minutes_late, s.note):
			# read under the lock, so its `modified` is the latest: no "modified after you opened it"
			doc = frappe.get_doc("AP Attendance", before.name, for_update=True)
			doc.update({"mark": s.mark, "minutes_late": s.minutes_late, "note": s.note})
			doc.flags.window_later = True  # summed once below, for the whole register
			doc.save()
			updated.append(doc.name)
			changed.append(s.placement)
			if before.mark != s.mark:
				replaced.append(
					{
						"placement": s.placement,
						"pupil_name": rows[s.placement].pupil_name,
						"mark": before.mark,
						"reported_by": before.reported_by,
						"reported_at": before.reported_at,
					}
				)
		if s.mark in attendance.UNEXPLAINED and (before is None or before.mark != s.mark):
			unexplained.append(s.placement)
	_insert(inserts, rows, provider, on, session, now)
	attendance_window.add_new([(s.placement, s.mark, late) for s, late in inserts], on)
	attendance_window.keep_in_step(changed)
	registers_due.marked([s.placement for s, _late in inserts], on, session)
	if unexplained:
		notify_unexplained_absence(unexplained, on, session)
	return {
		"inserted": len(inserts),
		"updated": len(updated),
		"unchanged": len(submitted) - len(inserts) - len(updated),
		"notified": len(unexplained),
		"replaced": replaced,
	}


def _insert(inserts, rows, provider, on, session, now):
	"""The new marks in one statement, filed under the pupil, school and provider expected() read."""
	if not inserts:
		return
	user = frappe.session.user
	records = [
		{
			"name": frappe.generate_hash(length=10),
			"creation": now,
			"modified": now,
			"owner": user,
			"modified_by": user,
			"docstatus": 0,
			"placement": s.placement,
			"pupil": rows[s.placement].pupil,
			"pupil_name": rows[s.placement].pupil_name,
			"school": rows[s.placement].school,
			"provider": provider,
			"attendance_date": on,
			"session": session,
			"mark": s.mark,
			"minutes_late": s.minutes_late or 0,
			"note": s.note,
			"reported_by": user,
			"reported_at": now,
			"reported_late": late,
		}
		for s, late in inserts
	]
	fields = list(records[0])
	# The register was validated as a whole above and scoped to the user's provider by expected(); the
	# composite unique index still refuses a duplicate that raced in since. One parameterised statement:
	# frappe.db.bulk_insert builds the same through the query builder at twice the cost, and this insert
	# is most of a register save.
	row = "({})".format(", ".join(["%s"] * len(fields)))
	frappe.db.sql(
		"insert into `tabAP Attendance` ({}) values {}".format(
			", ".join(f"`{f}`" for f in fields), ", ".join([row] * len(records))
		),
		[r[f] for r in records for f in fields],
	)


def notify_unexplained_absence(placements: list[str], on: date, session: str) -> None:
	"""First-day absence follow-up: tell the home school's AP Lead and Safeguarding Lead at once, on the
	desk (a notification on each placement) and by email, one per person for the register (Frappe sends
	no email for an "Alert" notification, and a child missing from AP cannot wait for a login)."""
	from frappe.desk.doctype.notification_log.notification_log import make_notification_logs

	p, sc = DocType("Placement"), DocType("School")
	rows = (
		frappe.qb.from_(p)
		.join(sc)
		.on(sc.name == p.school)
		.select(p.name, p.pupil_name, p.provider, sc.ap_lead, sc.dsl)
		.where(p.name.isin(placements))
		.orderby(p.pupil_name)
		.run(as_dict=True)
	)
	addresses = enabled_emails(u for r in rows for u in (r.ap_lead, r.dsl))
	by_address: dict[str, list[tuple[str, str]]] = {}
	for r in rows:
		users = [u for u in {r.ap_lead, r.dsl} if u]
		if not users:
			continue
		subject = _("{0} is absent from {1} ({2} {3}) and no reason is known yet").format(
			r.pupil_name, r.provider, on, session
		)
		make_notification_logs(
			{
				"type": "Alert",
				"document_type": "Placement",
				"document_name": r.name,
				"subject": subject,
				"from_user": frappe.session.user,
			},
			users,
		)
		for user in users:
			if user in addresses:
				by_address.setdefault(addresses[user], []).append((r.name, subject))
	for address, items in by_address.items():
		try:
			frappe.db.savepoint("ap_absence_email")
			_email_absences(address, items, on, session)
		except Exception:
			# The register and the desk notifications stand: a site with no outgoing email account yet must
			# not lose a provider's register over it. The failure is on the Error Log, naming the placement.
			frappe.db.rollback(save_point="ap_absence_email")
			frappe.log_error(
				title=_("Unexplained absence email not sent to {0}").format(address)[:140],
				reference_doctype="Placement",
				reference_name=items[0][0],
			)


def _email_absences(address: str, items: list[tuple[str, str]], on: date, session: str) -> None:
	subject = (
		items[0][1]
		if len(items) == 1
		else _("{0} pupils are absent from AP ({1} {2}) and no reason is known yet").format(
			len(items), on, session
		)
	)
	body = "".join(
		f'<li><a href="{get_url_to_form("Placement", name)}">{escape_html(text)}</a></li>'
		for name, text in items
	)
	frappe.sendmail(
		recipients=[address],
		subject=subject[:140],
		message=f"<ul>{body}</ul>",
		reference_doctype="Placement" if len(items) == 1 else None,
		reference_name=items[0][0] if len(items) == 1 else None,
		delayed=True,  # Email Queue: written with the register, sent by Frappe's email worker
	)


def _int(value) -> int | None:
	try:
		return int(value) if value not in (None, "") else None
	except (TypeError, ValueError):
		return -1  # refused by the mark rules as a clear "minutes late" error
