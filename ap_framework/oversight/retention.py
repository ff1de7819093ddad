"""Retention: a daily list of records past their period for the named reviewer, and the reviewer's decision.

The schedule (which records, counted from what, for how long, and the guidance behind each) is in
ap_framework/rules/retention.py; AP Settings names the reviewer and may change the configurable periods.

- The daily job (hooks.py) asks, per record type, one query for the records past their period that have
  no review under that rule yet, and raises a Retention Review for each (one insert per type). A review
  declined earlier whose "review again on" date has come is pending again. The reviewer gets one
  notification for the run, linking the pending list; a run that raises nothing tells nobody. Reviews are
  unique on (record type, record, rule), so a second run, or a concurrent one, raises nothing twice.
  Without a named reviewer nothing is raised (and that is logged): the reviews wait for someone to decide.
- Nothing is removed until the named reviewer confirms (confirm()). In one transaction: the record is
  checked again to be due, the review becomes the stub (what, when, by whom, which rule), and the record
  goes with its child rows, attachments, change history, comments, assignments and alerts; for Pupil
  Welfare the facts of that rule are emptied instead and the record stays. Decline (decline()) keeps the
  record, with the reason and the date to look at it again.
- Who sees reviews: AP Administrators, and a school's Safeguarding Lead for the safeguarding and SEN
  records of their own school (a review names the record type, which is itself telling). Nobody edits one.
"""

from __future__ import annotations

from collections import Counter
from datetime import date, datetime

import frappe
from frappe import _
from frappe.query_builder import DocType
from frappe.utils import escape_html, getdate, now_datetime, today

from ap_framework import api_input, once, permissions
from ap_framework.exceptions import RetentionError
from ap_framework.oversight.jobs import enabled_emails
from ap_framework.rules import request
from ap_framework.rules import retention as rules
from ap_framework.utils import to_date
from ap_framework.validation import throw_problems

REVIEW = "Retention Review"
REVIEWER_ROLE = "AP Administrator"  # the one role that may read every record the schedule removes
PENDING_LIST = "/app/retention-review?status=" + rules.PENDING
SAVEPOINT = "ap_retention"
CHUNK = 1000
# What Frappe keeps about a document besides the document (as frappe.model.delete_doc.delete_dynamic_links
# removes it, but set-based and at once, not after commit in a background job):
# (DocType, field naming the DocType, field naming the record)
TRACES = (
	("Version", "ref_doctype", "docname"),
	("Comment", "reference_doctype", "reference_name"),
	("ToDo", "reference_type", "reference_name"),
	("Notification Log", "document_type", "document_name"),
	("DocShare", "share_doctype", "share_name"),
	("View Log", "reference_doctype", "reference_name"),
	("Document Follow", "ref_doctype", "ref_docname"),
	("AP Alert", "reference_doctype", "reference_name"),
)
HISTORY = TRACES[:2]  # what goes when only some fields are emptied: the history and comments hold them too


# ---- the schedule in force ---------------------------------------------------------------------------
def schedule() -> list[tuple[rules.RecordType, rules.Period]]:
	"""Every record type with the period in force (AP Settings' overrides applied)."""
	settings = frappe.get_cached_doc("AP Settings")
	overrides = [
		rules.Override(r.idx, r.record_type, r.basis, r.years, r.reason)
		for r in settings.get("retention_periods") or []
	]
	in_force = rules.periods(overrides)
	return [(rt, in_force[rt.rule]) for rt in rules.SCHEDULE]


def period_of(rule: str) -> tuple[rules.RecordType, rules.Period]:
	return next((rt, p) for rt, p in schedule() if rt.rule == rule)


def named_reviewer() -> str | None:
	"""AP Settings' retention reviewer, if they are an enabled user who is an AP Administrator."""
	user = frappe.get_cached_doc("AP Settings").get("retention_reviewer")
	if not user or not enabled_emails([user]) or REVIEWER_ROLE not in frappe.get_roles(user):
		return None
	return user


# ---- the daily job -------------------------------------------------------------------------------------
def daily(now: datetime | None = None) -> dict:
	"""Raise a review for every record past its period, once; tell the reviewer once per run."""
	now = now or now_datetime()
	today_ = now.date()
	out = {"raised": 0, "reopened": 0, "notified": 0, "skipped": [], "failed": []}
	reviewer = named_reviewer()
	if not reviewer:
		frappe.log_error(
			title=_("Retention: no reviewer named in AP Settings; no records were listed for review"),
			reference_doctype="AP Settings",
		)
		return out
	present = set(
		frappe.get_all(
			"DocType", filters={"name": ("in", sorted({rt.doctype for rt in rules.SCHEDULE}))}, pluck="name"
		)
	)
	raised: Counter = Counter()
	frappe.db.savepoint(SAVEPOINT)
	try:
		for rt, period in schedule():
			if rt.doctype not in present:  # a record type this site does not have (yet)
				out["skipped"].append(rt.rule)
				continue
			try:
				frappe.db.savepoint(SAVEPOINT + "_type")
				raised[rt.rule] += _raise(rt, period, today_, now, reviewer)
				frappe.db.release_savepoint(SAVEPOINT + "_type")
			except Exception:
				# one record type failing (a schema it does not expect) is logged; the others go on
				frappe.db.rollback(save_point=SAVEPOINT + "_type")
				out["failed"].append(rt.rule)
				frappe.log_error(
					title=_("Retention: could not list {0} records for review").format(_(rt.rule))[:140],
					reference_doctype=rt.doctype,
				)
		reopened = _reopen(today_, reviewer)
		out["raised"], out["reopened"] = sum(raised.values()), sum(reopened.values())
		if out["raised"] or out["reopened"]:
			_notify(reviewer, raised, reopened)
			out["notified"] = 1
		frappe.db.release_savepoint(SAVEPOINT)
	except Exception:
		# the reviews and their notification stand or fall together: the next run raises them again
		frappe.db.rollback(save_point=SAVEPOINT)
		out.update(raised=0, reopened=0, notified=0)
		frappe.log_error(title=_("Retention: the daily review run failed"), reference_doctype=REVIEW)
	return out


def _raise(rt: rules.RecordType, period: rules.Period, today_: date, now: datetime, reviewer: str) -> int:
	"""One query for the records of `rt` past `period` with no review under this rule, one insert."""
	cutoff = rules.latest_start(today_, period.years)
	rows = _records(rt, period, cutoff=cutoff)
	stamp, user = now_datetime(), frappe.session.user
	values = []
	for row in rows:
		due = rules.due(period, _facts(row))
		if not due.is_due(today_):  # the query over-selects a little (placements' last change)
			continue
		values.append(
			[
				frappe.generate_hash(length=12),
				stamp,
				stamp,
				user,
				user,
				0,
				rt.rule,
				"Placement" if rt.per_placement else rt.doctype,
				row.name,
				_label(rt, row)[:240],
				row.school,
				row.pupil,
				int(rt.special_category),
				period.describe(_),
				due.on,
				_(due.note) if due.note else None,
				_(rt.source),
				rules.PENDING,
				reviewer,
				now,
			]
		)
	if values:
		frappe.db.bulk_insert(REVIEW, INSERTED, values, chunk_size=CHUNK)
	return len(values)


INSERTED = [
	"name",
	"creation",
	"modified",
	"owner",
	"modified_by",
	"docstatus",
	"rule",
	"reference_doctype",
	"reference_name",
	"record_label",
	"school",
	"pupil",
	"special_category",
	"period_applied",
	"due_on",
	"due_note",
	"source",
	"status",
	"reviewer",
	"raised_on",
]


def _records(
	rt: rules.RecordType, period: rules.Period, cutoff: date | None = None, name: str | None = None
) -> list[frappe._dict]:
	"""The facts the rule needs, for the records of `rt`: either those whose period may have ended by
	`cutoff` and that have no review under this rule yet (the job), or the one record `name` (a decision).
	One query. Table and field names come from the schedule in code, never from the request."""
	doctype, f = rt.doctype, rt.date_field
	own_date = f"date(coalesce(t.`{f}`, t.`creation`))"
	joins = ""
	if rt.doctype == "Placement":
		placement = "t"
	elif frappe.get_meta(doctype).has_field("placement"):
		placement = "pl"
		joins = "left join `tabPlacement` pl on pl.`name` = t.`placement`"
	else:  # not about one placement (Pupil Welfare): its periods never count from a placement's end
		placement = None
	columns = {
		"school": "t.`school`",
		"pupil": "t.`pupil`",
		"date_of_birth": "p.`date_of_birth`",
		"record_date": own_date,
		"placement_status": f"{placement}.`status`" if placement else "null",
		"placement_end_date": f"{placement}.`end_date`" if placement else "null",
		"placement_changed": f"date({placement}.`modified`)" if placement else "null",
	}
	columns_of_placement = dict(columns)  # before aggregation: the placement's own, one per entry
	key = "t.`placement`" if rt.per_placement else "t.`name`"
	values = {"doctype": "Placement" if rt.per_placement else doctype, "rule": rt.rule}
	if rt.per_placement:
		# a placement's register is one record: its date is when it was last written (an entry made or
		# amended), the latest of its entries
		columns = {c: f"max({e})" for c, e in columns.items()}
		columns["record_date"] = "greatest(max(t.`attendance_date`), max(date(t.`modified`)))"
		columns.update(
			first_entry="min(t.`attendance_date`)", last_entry="max(t.`attendance_date`)", entries="count(*)"
		)
	select = ", ".join([f"{key} as name"] + [f"{e} as `{c}`" for c, e in columns.items()])
	where, having = [], []
	if name is not None:
		values["name"] = name
		where.append(f"{key} = %(name)s")
	else:
		values["cutoff"] = cutoff
		joins += (
			" left join `tabRetention Review` r on r.`reference_doctype` = %(doctype)s"
			f" and r.`reference_name` = {key} and r.`rule` = %(rule)s"
		)
		where.append("r.`name` is null")
		due = _due_condition(period, columns if not rt.per_placement else {c: f"`{c}`" for c in columns})
		(having if rt.per_placement else where).append(due)
		if rt.per_placement:
			# Only the registers of placements that ended at least the period ago: a register is written
			# until its placement ends, so no other can be due, and the daily look-up reads those
			# placements' entries (by their placement index), not every entry ever made.
			where.append(
				_due_condition(rules.Period(rules.END_OF_PLACEMENT, period.years), columns_of_placement)
			)
		if rt.action == rules.BLANK:
			where.append(_holds_any(rt))
	sql = (
		f"select {select} from `tab{doctype}` t left join `tabPupil` p on p.`name` = t.`pupil` {joins}"
		+ (" where " + " and ".join(where) if where else "")
		+ (f" group by {key}" if rt.per_placement else "")
		+ (" having " + " and ".join(having) if having else "")
	)
	return frappe.db.sql(sql, values, as_dict=True)


def _due_condition(period: rules.Period, c: dict[str, str]) -> str:
	"""SQL: the period may have ended by %(cutoff)s (rules.latest_start). The rule decides each row."""
	if period.basis == rules.DATE_OF_BIRTH:
		return (
			f"({c['date_of_birth']} <= %(cutoff)s"
			f" or ({c['date_of_birth']} is null and {c['record_date']} <= %(cutoff)s))"
		)
	if period.basis == rules.RECORD_DATE:
		return f"{c['record_date']} <= %(cutoff)s"
	return (
		f"({c['placement_status']} in ('Ended', 'Rejected', 'Cancelled')"
		f" and coalesce({c['placement_end_date']}, {c['placement_changed']}) <= %(cutoff)s)"
	)


def _holds_any(rt: rules.RecordType) -> str:
	"""SQL: the record still holds one of the facts this rule empties (else there is nothing to review)."""
	meta = frappe.get_meta(rt.doctype)
	held = [
		f"t.`{field}` = 1"
		if meta.get_field(field).fieldtype == "Check"
		else f"coalesce(t.`{field}`, '') != ''"
		for field in rt.fields
		if meta.has_field(field)
	]
	return "(" + " or ".join(held or ["0"]) + ")"


def _facts(row) -> rules.Facts:
	return rules.Facts(
		date_of_birth=to_date(row.date_of_birth),
		record_date=to_date(row.record_date),
		placement_end=rules.placement_end(
			row.placement_status, to_date(row.placement_end_date), to_date(row.placement_changed)
		),
	)


def _label(rt: rules.RecordType, row) -> str:
	"""What the record is, for the stub: its type, name and date, never its content."""
	if rt.per_placement:
		return _("{0}: {1} register entries of placement {2}, {3} to {4}").format(
			_(rt.doctype), row.entries, row.name, row.first_entry, row.last_entry
		)
	if rt.action == rules.BLANK:
		return _("{0} {1}: {2}").format(_(rt.doctype), row.name, _(rt.rule.split(": ", 1)[-1]))
	return _("{0} {1} of {2}").format(_(rt.doctype), row.name, row.record_date)


def _reopen(today_: date, reviewer: str) -> Counter:
	"""Declined reviews whose date to look again has come are pending again, for the reviewer named now."""
	t = DocType(REVIEW)
	rows = (
		frappe.qb.from_(t)
		.select(t.name, t.rule)
		.where((t.status == rules.DECLINED) & (t.review_again_on <= today_))
		.run(as_dict=True)
	)
	for i in range(0, len(rows), CHUNK):
		(
			frappe.qb.update(t)
			.set(t.status, rules.PENDING)
			.set(t.reviewer, reviewer)
			.set(t.modified, now_datetime())
			.where(t.name.isin([r.name for r in rows[i : i + CHUNK]]))
			.run()
		)
	return Counter(r.rule for r in rows)


def _notify(reviewer: str, raised: Counter, reopened: Counter) -> None:
	"""One notification for the run: how many of each record type, and the link to the pending list. It
	names no pupil and no record (it may also go out by email)."""
	from frappe.desk.doctype.notification_log.notification_log import make_notification_logs

	total = sum(raised.values()) + sum(reopened.values())
	items = [
		_("{0}: {1} past their retention period").format(_(rule), n)
		for rule, n in sorted(raised.items())
		if n
	]
	items += [
		_("{0}: {1} kept earlier, due for review again").format(_(rule), n)
		for rule, n in sorted(reopened.items())
	]
	doc = frappe._dict(
		type="Alert",
		subject=_("Retention: {0} records to review").format(total),
		email_content="<ul>" + "".join(f"<li>{escape_html(i)}</li>" for i in items) + "</ul>",
		from_user=frappe.session.user,
		link=PENDING_LIST,
	)
	# synchronous, so the notification shares the run's savepoint with the reviews it announces
	make_notification_logs(doc, list(enabled_emails([reviewer]).values()))


# ---- the reviewer's decisions ----------------------------------------------------------------------------
LABELS = {
	"review": "Retention Review",
	"note": "Note",
	"review_again_on": "Review again on",
	"form_token": "Form token",
}


@frappe.whitelist(methods=["POST"])
def confirm(review: str | None = None, note: str | None = None, form_token: str | None = None) -> dict:
	"""The named reviewer confirms: the record is removed (or its facts emptied) and the review stays as
	the stub saying what, when, by whom and under which rule. All in one transaction. Confirmed twice
	from one dialog (the same form token), the second answers what the first removed."""
	api_input.checked(
		LABELS,
		review=(review, request.name(required=True)),
		note=(note, request.text()),
		form_token=(form_token, once.TOKEN),
	)
	name = once.create("retention_confirm", form_token, lambda: _confirm(review, note))
	return _decided(name, "removed_what")


def _decided(name: str, field: str) -> dict:
	"""The review's decision as committed (a locking read: a repeated click's snapshot may predate it)."""
	row = frappe.db.get_value(REVIEW, name, ["status", field], as_dict=True, for_update=True)
	return {"status": row.status, field: str(row[field]) if field == "review_again_on" else row[field]}


def _confirm(review: str, note: str | None):
	doc = _for_decision(review)
	rt, period = period_of(doc.rule)
	found = _records(rt, period, name=doc.reference_name)
	if not found:
		frappe.throw(
			_("{0} {1} no longer exists").format(_(doc.reference_doctype), doc.reference_name), RetentionError
		)
	throw_problems(
		doc, rules.check_confirm(doc.status, rules.due(period, _facts(found[0])), getdate(today()))
	)
	frappe.db.savepoint(SAVEPOINT)
	try:
		stamp, user = now_datetime(), frappe.session.user
		_decide(
			doc,
			status=rules.REMOVED,
			decided_by=user,
			decided_on=stamp,
			decision_note=(note or "").strip() or None,
			review_again_on=None,
			removed_on=stamp,
			removed_by=user,
			removed_what=_what(rt, doc.reference_name, found[0]),
			period_applied=period.describe(_),
		)
		_remove(rt, doc.reference_name)
		frappe.db.release_savepoint(SAVEPOINT)
	except Exception:
		frappe.db.rollback(save_point=SAVEPOINT)  # nothing half-removed; files are deleted last of all
		raise
	return doc


@frappe.whitelist(methods=["POST"])
def decline(
	review: str | None = None,
	note: str | None = None,
	review_again_on: str | None = None,
	form_token: str | None = None,
) -> dict:
	"""The named reviewer keeps the record past its period: why, and when to look at it again. Declined
	twice from one dialog (the same form token), the second answers the first decision."""
	api_input.checked(
		LABELS,
		review=(review, request.name(required=True)),
		note=(note, request.text()),
		review_again_on=(review_again_on, request.day()),
		form_token=(form_token, once.TOKEN),
	)
	name = once.create("retention_decline", form_token, lambda: _decline(review, note, review_again_on))
	return _decided(name, "review_again_on")


def _decline(review: str, note: str | None, review_again_on: str | None):
	doc = _for_decision(review)
	today_ = getdate(today())
	again = to_date(review_again_on)
	problems = rules.check_pending(doc.status) + rules.check_decline(note, again, today_)
	throw_problems(doc, problems)
	_decide(
		doc,
		status=rules.DECLINED,
		decided_by=frappe.session.user,
		decided_on=now_datetime(),
		decision_note=note.strip(),
		review_again_on=again,
	)
	return doc


def _for_decision(review: str):
	"""The review, if the caller may read it and is the reviewer AP Settings names now."""
	if not frappe.db.exists(REVIEW, review):
		frappe.throw(_("Retention Review {0} not found").format(review), frappe.DoesNotExistError)
	doc = frappe.get_doc(REVIEW, review)
	doc.check_permission("read")
	if frappe.session.user != named_reviewer():
		frappe.throw(
			_("Only the retention reviewer named in AP Settings may confirm or decline a review"),
			frappe.PermissionError,
		)
	return doc


def _decide(doc, **values) -> None:
	doc.update(values)
	doc.flags.retention_decision = True
	# _for_decision checked the caller is the named reviewer; no role may write a review otherwise
	doc.save(ignore_permissions=True)


def _what(rt: rules.RecordType, name: str, row) -> str:
	"""What the removal takes, for the stub (counted before anything goes)."""
	if rt.per_placement:
		return _("{0} register entries ({1}), {2} to {3}, with their history").format(
			row.entries, _(rt.doctype), row.first_entry, row.last_entry
		)
	meta = frappe.get_meta(rt.doctype)
	if rt.action == rules.BLANK:
		labels = [_(meta.get_field(f).label) for f in rt.fields if meta.has_field(f)]
		return _("Emptied: {0}; with the record's change history and comments").format(", ".join(labels))
	tables = [df.options for df in meta.get_table_fields()]
	rows = sum(frappe.db.count(t, {"parent": name, "parenttype": rt.doctype}) for t in tables)
	files = frappe.db.count("File", {"attached_to_doctype": rt.doctype, "attached_to_name": name})
	return _(
		"The {0} record, {1} child rows and {2} attached files, with its change history, comments,"
		" assignments and alerts"
	).format(_(rt.doctype), rows, files)


def _remove(rt: rules.RecordType, name: str) -> None:
	if rt.action == rules.BLANK:
		meta = frappe.get_meta(rt.doctype)
		empty = {
			f: 0 if meta.get_field(f).fieldtype == "Check" else None for f in rt.fields if meta.has_field(f)
		}
		frappe.db.set_value(rt.doctype, name, empty)  # no Version: the history is going, not growing
		_forget(rt.doctype, [name], HISTORY)
		return
	if rt.per_placement:
		names = frappe.get_all(rt.doctype, filters={"placement": name}, pluck="name")
		_forget(rt.doctype, names, TRACES)
		frappe.db.delete(rt.doctype, {"placement": name})
		_delete_files(rt.doctype, names)
		return
	if frappe.get_meta(rt.doctype).is_submittable and frappe.db.get_value(rt.doctype, name, "docstatus") == 1:
		# Frappe deletes only drafts and cancelled documents. Cancelling through the workflow would run the
		# document's cancel logic for a record years closed; marking it cancelled is all deletion needs.
		frappe.db.set_value(rt.doctype, name, "docstatus", 2, update_modified=False)
	# alerts and other traces first: Frappe refuses to delete a record they still point at
	_forget(rt.doctype, [name], TRACES)
	# The named reviewer has confirmed this very record; no role may delete pupil records by hand, so the
	# reviewer's own permissions would refuse it. Frappe still refuses if a live record links to it.
	# delete_permanently: no "Deleted Document" copy of what retention removes. Its attachments go last.
	frappe.delete_doc(rt.doctype, name, ignore_permissions=True, delete_permanently=True)
	_forget(rt.doctype, [name], TRACES)  # and what deleting it left behind (its "deleted" comment aside)


def _forget(doctype: str, names: list[str], traces) -> None:
	"""Delete what Frappe and this app keep about these records besides them: a few statements per
	thousand records, whatever their number."""
	for i in range(0, len(names), CHUNK):
		chunk = names[i : i + CHUNK]
		for trace, type_field, name_field in traces:
			frappe.db.delete(trace, {type_field: doctype, name_field: ("in", chunk)})


def _delete_files(doctype: str, names: list[str]) -> None:
	files = []
	for i in range(0, len(names), CHUNK):
		files += frappe.get_all(
			"File",
			filters={"attached_to_doctype": doctype, "attached_to_name": ("in", names[i : i + CHUNK])},
			pluck="name",
		)
	# one delete per file: each removes its file from disk (register entries rarely carry any)
	for file in files:
		frappe.delete_doc("File", file, ignore_permissions=True, delete_permanently=True)


# ---- who sees reviews (hooks.py) ---------------------------------------------------------------------------
def _wide(user: str) -> bool:
	return user == "Administrator" or REVIEWER_ROLE in frappe.get_roles(user)


def query_conditions(user: str | None = None, doctype: str | None = None) -> str:
	"""AP Administrators see every review; anyone else with a role that reads them (a Safeguarding Lead)
	only the safeguarding and SEN records of their own school."""
	user = user or frappe.session.user
	condition = permissions.query_conditions(user, REVIEW)
	if _wide(user):
		return condition
	special = "`tabRetention Review`.`special_category` = 1"
	return f"({condition}) and {special}" if condition else special


def has_permission(doc, ptype: str | None = None, user: str | None = None, debug: bool = False) -> bool:
	user = user or frappe.session.user
	if not permissions.has_permission(doc, ptype, user):
		return False
	return _wide(user) or bool(doc.get("special_category"))
