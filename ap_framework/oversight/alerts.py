"""Raising an alert exactly once: record its key as an AP Alert (unique in the database), then deliver it.

A job hands over every alert it finds, old and new. One query finds those already raised; each new one is
recorded and delivered inside a savepoint, so the record and the delivery (a ToDo, a Notification Log, an
Email Queue row: all in the database) stand or fall together:
- a second run, or a retry after a crash, finds the record and sends nothing;
- a concurrent run that got there first makes the insert fail on the unique key: nothing is sent twice;
- a delivery that fails rolls its own record back (so the next run tries again), is logged with the
  name of the record it is about, and the job carries on with the rest.
ToDos are delivered one per alert, until one run gives one person more than DIGEST_AFTER new tasks of one
rule (a first run over a whole LA: hundreds of reviews due): those reach the person as one task that links
to the filtered list of its alerts, while each record keeps its own AP Alert (so nothing is sent twice,
and each closes on its own). The one-alert tasks of a run are written in batches, set-based (AP Alerts,
ToDos, the records' "assigned" comments and `_assign`, a statement each), and a batch that fails goes
back to one savepoint per alert, so the failure is logged against its own record. Notifications and
emails go one per recipient, listing that recipient's new alerts, so a provider's office gets one email
for a morning's missing registers, not thirty. Tasks marked `email` (escalations) are also emailed: once
per person and rule, listing that run's tasks, in the tasks' transaction (the tasks stand if the email
cannot go). Frappe emails neither a ToDo made directly nor an "Alert" Notification Log, so a task or a
notification alone reaches nobody who is not signed in.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import asdict, dataclass, field
from datetime import datetime
from urllib.parse import urlencode

import frappe
from frappe import _
from frappe.query_builder import Case, DocType, Field
from frappe.utils import escape_html, get_url_to_form, now_datetime

from ap_framework.rules import oversight
from ap_framework.rules.oversight import Finding

TODO, NOTIFICATION, EMAIL = "ToDo", "Notification", "Email"
SENT, OPEN, CLOSED = "Sent", "Open", "Closed"
LISTED = 100  # a message lists this many alerts, then says how many more there are
SAVEPOINT = "ap_alert"
EMAIL_SAVEPOINT = "ap_alert_email"  # an emailed task's email, inside the alert's own savepoint
COMMIT_EVERY = 500  # delivered units (a ToDo, or one recipient's message) per transaction
DIGEST_AFTER = 10  # more new tasks than this, of one rule for one person in one run, are one task
SPREAD_AFTER = 200  # a spread run with more new alerts than this hands them to queued jobs
SPREAD_CHUNK = 250  # alerts per queued job (a recipient's alerts are never split)


@dataclass(frozen=True)
class Alert:
	finding: Finding
	recipient: str  # the key: a User (ToDo, Notification, digest) or an email address
	channel: str
	address: str | None = None  # where a Notification / Email goes: the user's or contact's email
	priority: str = "Medium"
	status: str = SENT  # OPEN: followed up by the jobs (low-attendance episodes, review reminders)
	content: str | None = None  # HTML that replaces the one-line message (the weekly digest)
	email: bool = False  # a task also emailed to `address` (an escalation: it must not wait for a login)

	@property
	def key(self) -> tuple[str, str, str, str, str]:
		return (*self.finding.key, self.recipient)


@dataclass
class Outcome:
	found: int = 0  # alerts the job found, old and new
	new: int = 0  # not raised before
	sent: int = 0
	failed: int = 0  # logged; retried next run
	duplicate: int = 0  # raised meanwhile by a concurrent run
	queued: int = 0  # jobs on the long queue that raise the rest (a large spread run)
	bad_records: int = 0  # records skipped while gathering (logged)
	extra: dict = field(default_factory=dict)

	def as_dict(self) -> dict:
		return asdict(self)


def raise_alerts(
	alerts: list[Alert], now: datetime, outcome: Outcome | None = None, spread: str | None = None
) -> Outcome:
	"""Raise each alert not raised before. `spread` (the job's name): a run with more than SPREAD_AFTER new
	alerts hands them to jobs on the long queue instead, SPREAD_CHUNK each, so any number of workers, on
	any host sharing the bench's Redis, render and queue the emails between them (Frappe renders each
	email, CSS inlined, as it queues it: tens of milliseconds, thousands of times on a Monday)."""
	outcome = outcome or Outcome()
	outcome.found += len(alerts)
	new = _not_yet_raised(alerts)
	outcome.new += len(new)
	if spread and len(new) > SPREAD_AFTER:
		jobs = _spread(new, now, spread)
		outcome.queued += len(jobs)
		outcome.extra["queued_jobs"] = jobs
		return outcome
	tasks: dict[tuple[str, str], list[Alert]] = {}
	grouped: dict[tuple[str, str], list[Alert]] = {}
	for a in new:
		if a.channel == TODO:
			tasks.setdefault((a.finding.rule, a.recipient), []).append(a)
		else:
			grouped.setdefault((a.channel, a.recipient), []).append(a)
	units = [group for group in tasks.values() if len(group) > DIGEST_AFTER]
	# one-alert tasks go in batches of whole groups, each batch in one statement per table
	for batch in _batches([group for group in tasks.values() if len(group) <= DIGEST_AFTER]):
		_deliver_tasks(batch, now, outcome)
		if sum(map(len, batch)) >= COMMIT_EVERY:  # only a job raises so many: each batch whole
			frappe.db.commit()
	for i, unit in enumerate(units + list(grouped.values()), 1):
		_deliver(unit, now, outcome)
		_commit_between_units(i)
	return outcome


def _spread(new: list[Alert], now: datetime, name: str) -> list[str]:
	"""Queue the alerts in chunks, a recipient's alerts together (they are one message). A chunk's job id
	is its alerts' keys: a second run while it waits queues nothing again, and a chunk that runs twice
	anyway finds its alerts raised and sends nothing."""
	by_recipient: dict[str, list[Alert]] = {}
	for a in new:
		by_recipient.setdefault(a.recipient, []).append(a)
	chunks, chunk = [], []
	for recipient in sorted(by_recipient):
		chunk += by_recipient[recipient]
		if len(chunk) >= SPREAD_CHUNK:
			chunks.append(chunk)
			chunk = []
	if chunk:
		chunks.append(chunk)
	ids = []
	for chunk in chunks:
		keys = repr(sorted(a.key for a in chunk)).encode()
		job_id = f"ap_alerts::{name}::{hashlib.sha1(keys, usedforsecurity=False).hexdigest()[:20]}"
		frappe.enqueue(
			"ap_framework.oversight.alerts.raise_queued",
			queue="long",
			job_id=job_id,
			deduplicate=True,
			alerts=chunk,
			raised_at=now,
		)
		ids.append(job_id)
	return ids


def raise_queued(alerts: list[Alert], raised_at: datetime) -> dict:
	"""A queued chunk of a spread run's alerts: raised as the run itself would have, each once."""
	return raise_alerts(alerts, raised_at).as_dict()


def _batches(groups: list[list[Alert]]) -> list[list[list[Alert]]]:
	"""Whole groups (one rule, one person) into batches of about COMMIT_EVERY alerts: a group's alerts and
	its one email are always in the same transaction."""
	batches, batch, size = [], [], 0
	for group in groups:
		batch.append(group)
		size += len(group)
		if size >= COMMIT_EVERY:
			batches.append(batch)
			batch, size = [], 0
	return [*batches, batch] if batch else batches


def _deliver_tasks(groups: list[list[Alert]], now: datetime, outcome: Outcome) -> None:
	"""One-alert tasks delivered set-based: the AP Alerts, the ToDos, the "assigned" comments on their
	records and the records' assignments (`_assign`), one statement each, in one savepoint, as ToDo.insert
	makes them one by one. A group of escalations (one rule, one person) is then emailed once, listing its
	tasks: a first run that finds a school's eight overdue reviews sends its senior leader one email, not
	eight. If any of it fails (a concurrent run recorded one of the alerts meanwhile, a record gone), the
	batch goes back to one unit per alert, so one bad record holds back nothing else and is logged on its
	own."""
	batch = [a for group in groups for a in group]
	if len(batch) < 2:
		for unit in ([a] for a in batch):
			_deliver(unit, now, outcome)
		return
	try:
		frappe.db.savepoint(SAVEPOINT)
		todos = [frappe.generate_hash(length=10) for _a in batch]
		_record(batch, now, todos=todos)
		_bulk_todos(batch, todos)
		for group in groups:
			if group[0].email:
				_email_beside_task(group)
		frappe.db.release_savepoint(SAVEPOINT)
		outcome.sent += len(batch)
	except Exception:
		frappe.db.rollback(save_point=SAVEPOINT)
		for unit in ([a] for a in batch):
			_deliver(unit, now, outcome)


def _bulk_todos(batch: list[Alert], names: list[str]) -> None:
	stamp, user = now_datetime(), frappe.session.user
	people = {user} | {a.recipient for a in batch}
	full = dict(
		frappe.qb.from_("User").select("name", "full_name").where(Field("name").isin(sorted(people))).run()
	)
	base = {"creation": stamp, "modified": stamp, "owner": user, "modified_by": user, "docstatus": 0}
	by = full.get(user) or user
	todos, comments = [], []
	for name, a in zip(names, batch, strict=True):
		f = a.finding
		description = escape_html(f.render(_))
		todos.append(
			{
				**base,
				"name": name,
				"status": "Open",
				"allocated_to": a.recipient,
				"reference_type": f.doctype,
				"reference_name": f.name,
				"description": description,
				"priority": a.priority,
				"date": f.due,
				"assigned_by": user,
				"assigned_by_full_name": full.get(user),
			}
		)
		comments.append(  # the comment ToDo.on_update adds to the record ("X assigned Y: ...")
			{
				**base,
				"name": frappe.generate_hash(length=10),
				"comment_type": "Assigned",
				"comment_email": user,
				"comment_by": by,
				"reference_doctype": f.doctype,
				"reference_name": f.name,
				"content": _("{0} assigned {1}: {2}").format(
					by, full.get(a.recipient) or a.recipient, description
				),
			}
		)
	for doctype, rows in (("ToDo", todos), ("Comment", comments)):
		fields = list(rows[0])
		frappe.db.bulk_insert(doctype, fields, [[r[k] for k in fields] for r in rows])
	# each record's `_assign`, as ToDo.update_in_reference sets it: its open tasks' people, oldest first
	by_doctype: dict[str, set[str]] = {}
	for a in batch:
		by_doctype.setdefault(a.finding.doctype, set()).add(a.finding.name)
	t = DocType("ToDo")
	for doctype, refs in by_doctype.items():  # the doctypes of one job's alerts: one or two
		assigned: dict[str, list[str]] = {}
		for ref, person in (
			frappe.qb.from_(t)
			.select(t.reference_name, t.allocated_to)
			.where(
				(t.reference_type == doctype)
				& t.reference_name.isin(sorted(refs))
				& t.status.notin(["Cancelled", "Closed"])
				& t.allocated_to.isnotnull()
				& (t.allocated_to != "")
			)
			.orderby(t.creation)
			.orderby(t.name)
			.run()
		):
			assigned.setdefault(ref, []).append(person)
		r = DocType(doctype)
		value = Case()
		for ref, them in assigned.items():
			value = value.when(r.name == ref, json.dumps(them))
		frappe.qb.update(r).set(r._assign, value.else_(r._assign)).where(r.name.isin(sorted(assigned))).run()


def _not_yet_raised(alerts: list[Alert]) -> list[Alert]:
	"""The alerts with no AP Alert yet, each once. One query: by rule and period, which are few (dates,
	sessions, weeks) however many placements there are."""
	if not alerts:
		return []
	t = DocType("AP Alert")
	rows = (
		frappe.qb.from_(t)
		.select(t.rule, t.reference_doctype, t.reference_name, t.period, t.recipient)
		.where(
			t.rule.isin(sorted({a.finding.rule for a in alerts}))
			& t.period.isin(sorted({a.finding.period for a in alerts}))
		)
		.run()
	)
	seen = {tuple(r) for r in rows}
	new = []
	for a in alerts:
		if a.key not in seen:
			seen.add(a.key)
			new.append(a)
	return new


def _deliver(unit: list[Alert], now: datetime, outcome: Outcome) -> None:
	try:
		frappe.db.savepoint(SAVEPOINT)
		names = _record(unit, now)
		if unit[0].channel == TODO:
			_todo(unit, names)
			if unit[0].email:
				_email_beside_task(unit)
		elif unit[0].channel == NOTIFICATION:
			_notify(unit)
		else:
			_email(unit)
		frappe.db.release_savepoint(SAVEPOINT)
		outcome.sent += len(unit)
	except Exception as e:
		frappe.db.rollback(save_point=SAVEPOINT)
		if _is_duplicate(e):
			outcome.duplicate += len(unit)
			return
		outcome.failed += len(unit)
		first = unit[0].finding
		frappe.log_error(
			title=_("AP alert not sent: {0} for {1} to {2}").format(
				_(first.rule), first.name, unit[0].recipient
			)[:140],
			reference_doctype=first.doctype,
			reference_name=first.name,
		)


def _record(unit: list[Alert], now: datetime, todos: list[str] | None = None) -> list[str]:
	"""The AP Alert rows, before anything is sent (one insert for the unit), each naming its task when
	the task's name is known already (a batch of tasks)."""
	stamp, user = now_datetime(), frappe.session.user
	names = [frappe.generate_hash(length=10) for _a in unit]
	fields = [
		"name",
		"creation",
		"modified",
		"owner",
		"modified_by",
		"docstatus",
		"rule",
		"reference_doctype",
		"reference_name",
		"period",
		"recipient",
		"channel",
		"school",
		"provider",
		"status",
		"raised_on",
		"message",
	]
	rows = [
		[
			name,
			stamp,
			stamp,
			user,
			user,
			0,
			a.finding.rule,
			a.finding.doctype,
			a.finding.name,
			a.finding.period,
			a.recipient,
			a.channel,
			a.finding.school,
			a.finding.provider,
			a.status,
			now,
			a.finding.render(_),
			todo,
		]
		for name, a, todo in zip(names, unit, todos or [None] * len(unit), strict=True)
	]
	frappe.db.bulk_insert("AP Alert", [*fields, "todo"], rows)
	return names


def _todo(unit: list[Alert], alert_names: list[str]) -> None:
	"""One task for one alert, about its record; or one task for a digest of alerts of one rule, linking
	to the list of them (AP Alert filtered by this task)."""
	a, f = unit[0], unit[0].finding
	single = len(unit) == 1
	todo = frappe.get_doc(
		{
			"doctype": "ToDo",
			"allocated_to": a.recipient,
			"reference_type": f.doctype if single else None,
			"reference_name": f.name if single else None,
			"description": escape_html(f.render(_)) if single else _digest_title(unit),
			"priority": a.priority,
			"date": min((u.finding.due for u in unit if u.finding.due), default=None),
			"assigned_by": frappe.session.user,
		}
	)
	# A scheduled job assigns the task; what the recipient may then open is still decided by their roles.
	todo.insert(ignore_permissions=True)
	t = DocType("AP Alert")
	frappe.qb.update(t).set(t.todo, todo.name).where(t.name.isin(alert_names)).run()
	if not single:
		description = _digest_body(unit, "/app/ap-alert?" + urlencode({"todo": todo.name}))
		frappe.db.set_value("ToDo", todo.name, "description", description, update_modified=False)


def _digest_title(unit: list[Alert]) -> str:
	return _("{0}: {1} records").format(_(oversight.TITLES[unit[0].finding.rule]), len(unit))


def _digest_body(unit: list[Alert], list_url: str) -> str:
	"""The digest task: its title, a link to the filtered list of its alerts, and the first LISTED."""
	items = "".join(
		f'<li><a href="{get_url_to_form(a.finding.doctype, a.finding.name)}">'
		f"{escape_html(a.finding.render(_))}</a></li>"
		for a in unit[:LISTED]
	)
	more = "<p>" + _("… and {0} more.").format(len(unit) - LISTED) + "</p>" if len(unit) > LISTED else ""
	link = (
		f'<p><a href="{list_url}">'
		+ escape_html(_("Open the list of all {0}").format(len(unit)))
		+ "</a></p>"
	)
	return f"<p>{escape_html(_digest_title(unit))}</p>{link}<ul>{items}</ul>{more}"


def _notify(unit: list[Alert]) -> None:
	from frappe.desk.doctype.notification_log.notification_log import make_notification_logs

	subject, body = _compose(unit, links=True)
	doc = frappe._dict(type="Alert", subject=subject, email_content=body, from_user=frappe.session.user)
	if len(unit) == 1:
		doc.document_type, doc.document_name = unit[0].finding.doctype, unit[0].finding.name
	else:
		doc.link = "/app/ap-alert?" + urlencode({"recipient": unit[0].recipient})
	# Synchronous (not enqueue_create_notification), so the log shares the alert's savepoint.
	make_notification_logs(doc, [unit[0].address])


def _email(unit: list[Alert]) -> None:
	# Links to the desk for the school's own staff (a digest, an emailed task), not for provider contacts.
	subject, body = _compose(unit, links=unit[0].content is not None or unit[0].channel == TODO)
	reference = _reference(unit)
	frappe.sendmail(
		recipients=[unit[0].address],
		subject=subject,
		message=body,
		reference_doctype=reference[0],
		reference_name=reference[1],
		delayed=True,  # Email Queue: written in this transaction, sent by Frappe's email worker
	)


def _email_beside_task(unit: list[Alert]) -> None:
	"""An escalation's email. The task stands without it: a site with no outgoing email account yet keeps
	its escalations on the desk, and the failure is logged naming the record."""
	try:
		frappe.db.savepoint(EMAIL_SAVEPOINT)
		_email(unit)
		frappe.db.release_savepoint(EMAIL_SAVEPOINT)
	except Exception:
		frappe.db.rollback(save_point=EMAIL_SAVEPOINT)
		first = unit[0].finding
		frappe.log_error(
			title=_("AP alert email not sent: {0} for {1} to {2}").format(
				_(first.rule), first.name, unit[0].address
			)[:140],
			reference_doctype=first.doctype,
			reference_name=first.name,
		)


def _reference(unit: list[Alert]) -> tuple[str | None, str | None]:
	if len(unit) == 1:
		return unit[0].finding.doctype, unit[0].finding.name
	for doctype, fieldname in (("School", "school"), ("AP Provider", "provider")):
		values = {getattr(a.finding, fieldname) for a in unit}
		if len(values) == 1 and None not in values:
			return doctype, values.pop()
	return None, None


def _compose(unit: list[Alert], links: bool) -> tuple[str, str]:
	"""Subject and HTML body for one recipient's alerts."""
	rules = {a.finding.rule for a in unit}
	if unit[0].content is not None:  # the digest: each alert brings its own section
		subject = (
			unit[0].finding.render(_)
			if len(unit) == 1
			else _("Weekly AP oversight digest ({0} schools)").format(len(unit))
		)
		return subject, "".join(a.content for a in unit)
	if len(unit) == 1:
		subject = unit[0].finding.render(_)
	elif len(rules) == 1:
		subject = _("{0}: {1} alerts").format(_(oversight.TITLES[rules.pop()]), len(unit))
	else:
		subject = _("{0} AP oversight alerts").format(len(unit))
	items = []
	for a in unit[:LISTED]:
		text = escape_html(a.finding.render(_))
		if links:
			text = f'<a href="{get_url_to_form(a.finding.doctype, a.finding.name)}">{text}</a>'
		items.append(f"<li>{text}</li>")
	more = "<p>" + _("… and {0} more.").format(len(unit) - LISTED) + "</p>" if len(unit) > LISTED else ""
	return subject[:140], "<ul>" + "".join(items) + "</ul>" + more


def _is_duplicate(e: Exception) -> bool:
	"""The unit's AP Alert key was recorded meanwhile by a concurrent run of the same job."""
	try:
		return bool(frappe.db.is_unique_key_violation(e))
	except (IndexError, TypeError):  # not a database error: it has no error code
		return False


def _commit_between_units(delivered: int) -> None:
	"""Commit every COMMIT_EVERY units. A first run over a whole LA raises tens of thousands of ToDos: in
	one transaction that passes Frappe's cap on writes, and Frappe's after-commit realtime log (checked for
	duplicates on every append) makes each ToDo slower than the last. Committing between units, never
	inside one, keeps each alert's record with its delivery, so nothing is sent twice."""
	if (
		delivered % COMMIT_EVERY == 0
		or frappe.db.transaction_writes > frappe.db.MAX_WRITES_PER_TRANSACTION // 2
	):
		frappe.db.commit()


# ---- a review held closes its reminders ------------------------------------------------------------
def close_review_todos(doc, method=None) -> None:
	"""Plan Review on_submit: the review reminders and escalations for the placement are answered."""
	t = DocType("AP Alert")
	rows = (
		frappe.qb.from_(t)
		.select(t.name, t.todo)
		.where(
			t.rule.isin(oversight.REVIEW_RULES)
			& (t.reference_doctype == "Placement")
			& (t.reference_name == doc.placement)
			& (t.status == OPEN)
		)
		.run(as_dict=True)
	)
	if not rows:
		return
	(
		frappe.qb.update(t)
		.set(t.status, CLOSED)
		.set(t.closed_on, frappe.utils.getdate(doc.review_date))
		.where(t.name.isin([r.name for r in rows]))
		.run()
	)
	# A digest task answers many placements' reviews: it closes when the last of its alerts does.
	tasks = {r.todo for r in rows if r.todo}
	still_open = {
		r[0]
		for r in frappe.qb.from_(t)
		.select(t.todo)
		.distinct()
		.where(t.todo.isin(sorted(tasks) or [""]) & (t.status == OPEN))
		.run()
	}
	todos = frappe.get_all(
		"ToDo", filters={"name": ("in", sorted(tasks - still_open)), "status": "Open"}, pluck="name"
	)
	# One placement's reminders (a reminder and an escalation per review date): a handful at most. Each is
	# closed through its document so Frappe updates the placement's assignments and comments.
	for name in todos:
		todo = frappe.get_doc("ToDo", name)
		todo.status = "Closed"
		todo.flags.ignore_permissions = True  # the reviewer closes reminders that were assigned to others
		todo.save()
