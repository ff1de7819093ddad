"""After a profile is sent: ask the partner what became of it, report its receipt and its acceptance or
rejection back to the sender, and chase a safeguarding share whose receipt is not confirmed within five
school days.

The sender asks (pull) rather than the receiver calling back: the sender already holds credentials for
the receiver, while a receive-only partnership gives the receiver none for us; and an answer that cannot
be fetched now is fetched next hour, so nothing is lost while either site is down. One request per
partner (in batches of keys), however many transfers are outstanding."""

from __future__ import annotations

from collections import defaultdict
from datetime import datetime, timedelta

import frappe
import requests
from frappe import _
from frappe.query_builder import DocType
from frappe.utils import now_datetime

from ap_framework import api_input
from ap_framework.oversight.alerts import NOTIFICATION, Alert, Outcome, raise_alerts
from ap_framework.oversight.jobs import enabled_emails, school_staff
from ap_framework.rules import oversight, request
from ap_framework.rules import transfer as rules
from ap_framework.transfer import delivery
from ap_framework.utils import to_date

STATUSES = "/api/method/ap_framework.transfer.receive.statuses"
STUCK_AFTER = timedelta(minutes=10)  # a transfer queued this long with no job behind it is queued again
FIELDS = ["name", "partner", "channel", "idempotency_key", "pupil_name", "school", "sent_by"]


# ---- jobs ----------------------------------------------------------------------------------------------
def hourly(now: datetime | None = None) -> dict:
	"""Queue again what a lost job left queued, then ask partners about what is undecided."""
	now = now or now_datetime()
	return {"requeued": len(requeue_stuck(now)), **poll(now)}


def receipts(now: datetime | None = None) -> dict:
	"""Daily: ask first (a receipt that came in overnight stops the reminder), then remind the sender,
	and the school's Safeguarding Lead, of each safeguarding share still unconfirmed when due. Once."""
	now = now or now_datetime()
	asked = poll(now)
	t = DocType("Profile Transfer")
	rows = (
		frappe.qb.from_(t)
		.select(*(t[f] for f in FIELDS), t.sent_on, t.receipt_due_by)
		.where(
			(t.channel == "Safeguarding")
			& (t.status == "Sent")
			& t.receipt_confirmed_on.isnull()
			& (t.receipt_due_by <= now.date())
		)
		.run(as_dict=True)
	)
	findings = [
		oversight.Finding(
			oversight.RECEIPT_OVERDUE,
			"Profile Transfer",
			r.name,
			str(r.receipt_due_by),
			school=r.school,
			args=(r.pupil_name, r.partner, to_date(r.sent_on)),
			due=to_date(r.receipt_due_by),
		)
		for r in rows
	]
	outcome = Outcome()
	staff = school_staff({f.school for f in findings}, ["dsl"], outcome)
	senders = enabled_emails({r.sent_by for r in rows})
	alerts = []
	for f, r in zip(findings, rows, strict=True):
		people = {r.sent_by: senders.get(r.sent_by)}
		if dsl := staff.get((f.school, "dsl")):
			people[dsl.user] = dsl.email
		alerts += [
			Alert(f, user, NOTIFICATION, email, priority="High") for user, email in people.items() if email
		]
	return {**asked, **raise_alerts(alerts, now, outcome).as_dict()}


def requeue_stuck(now: datetime) -> list[str]:
	"""Transfers someone asked to send that are still queued with no job behind them (a worker or Redis
	lost it): queue them again. Deduplicated by job id, so a job still waiting is not queued twice."""
	names = frappe.get_all(
		"Profile Transfer",
		filters={"status": "Queued", "sent_by": ("is", "set"), "modified": ("<", now - STUCK_AFTER)},
		pluck="name",
	)
	for name in names:
		delivery.enqueue(name, after_commit=False)
	return names


# ---- asking the partner ---------------------------------------------------------------------------------
def poll(now: datetime | None = None, names: list[str] | None = None) -> dict:
	"""Ask each partner about our sends it has not decided on (or, for safeguarding, not confirmed), and
	record what changed. A partner that cannot be asked is counted and asked again next time."""
	now = now or now_datetime()
	outstanding = _outstanding(now, names)
	result = {"asked": 0, "updated": 0, "unreachable": 0}
	if not outstanding:
		return result
	by_partner = defaultdict(list)
	for row in outstanding:
		by_partner[row.partner].append(row)
	decided = []
	for partner, rows in by_partner.items():
		reported = _ask(partner, [r.idempotency_key for r in rows])
		if reported is None:
			result["unreachable"] += 1
			continue
		result["asked"] += len(rows)
		by_change = defaultdict(list)  # the same change (often none) for many sends: one statement each
		for row in rows:
			changed = rules.changes(row, reported.get(row.idempotency_key) or {})
			by_change[tuple(sorted(changed.items()))].append(row.name)
			if changed:
				result["updated"] += 1
				_note(row, changed)
				if changed.get("remote_status") in ("Accepted", "Rejected"):
					decided.append(frappe._dict({**row, **changed}))
		for change, batch in by_change.items():
			_stamp(batch, dict(change), now)
	_report_decisions(decided, now)
	return result


def _stamp(names: list[str], change: dict, now: datetime) -> None:
	"""Record what the partner reported, and when we asked. Bookkeeping on a frozen record (nobody holds
	write on it), so set directly."""
	t = DocType("Profile Transfer")
	query = frappe.qb.update(t).set(t.last_checked_on, now)
	for field, value in change.items():
		query = query.set(t[field], value)
	if change:
		query = query.set(t.modified, now_datetime())
	query.where(t.name.isin(names)).run()


def _outstanding(now: datetime, names: list[str] | None) -> list:
	filters = {"status": "Sent", "sent_on": (">=", now - timedelta(days=rules.FOLLOW_UP_DAYS))}
	if names is not None:
		filters["name"] = ("in", names)
	rows = frappe.get_all(
		"Profile Transfer",
		filters=filters,
		fields=[*FIELDS, *rules.REMOTE_FIELDS.values()],
	)
	return [
		r for r in rows if rules.needs_follow_up(r.channel, r.remote_status, bool(r.receipt_confirmed_on))
	]


def _ask(partner: str, keys: list[str]) -> dict | None:
	"""{key: what the partner reports} for our keys, or None if it could not be asked or answered garbage."""
	base, headers = delivery.endpoint(partner)
	if not base:
		return None
	conf = delivery.settings()
	out = {}
	for i in range(0, len(keys), rules.STATUS_BATCH):
		batch = keys[i : i + rules.STATUS_BATCH]
		try:
			r = requests.post(
				base + STATUSES,
				json={"keys": batch},
				headers=headers,
				timeout=(conf["connect_timeout"], conf["read_timeout"]),
				allow_redirects=False,
			)
		except requests.RequestException as e:
			frappe.logger("ap_framework").warning(f"Transfer status from {partner}: {type(e).__name__}: {e}")
			return None
		parsed = rules.parse_statuses(r.text, batch) if r.ok else None
		if parsed is None:
			frappe.logger("ap_framework").warning(f"Transfer status from {partner}: HTTP {r.status_code}")
			return None
		out.update(parsed)
	return out


def _note(row, changed: dict) -> None:
	"""The transfer's timeline says what the partner did, in words (receipt and decision; not "still
	awaiting")."""
	status = changed.get("remote_status")
	if not changed.get("receipt_confirmed_on") and status not in ("Accepted", "Rejected"):
		return
	doc = frappe.get_doc("Profile Transfer", row.name)
	if changed.get("receipt_confirmed_on"):
		doc.add_comment(
			"Info",
			_("{0} confirmed receipt ({1}, {2})").format(
				row.partner, changed.get("receipt_confirmed_by") or "?", changed["receipt_confirmed_on"]
			),
		)
	if status in ("Accepted", "Rejected"):
		by = changed.get("remote_decided_by") or row.remote_decided_by or "?"
		when = changed.get("remote_decided_on") or row.remote_decided_on or ""
		text = (
			_("{0} accepted the profile ({1}, {2})")
			if status == "Accepted"
			else _("{0} rejected the profile ({1}, {2})")
		).format(row.partner, by, when)
		reason = changed.get("remote_rejection_reason")
		doc.add_comment("Info", f"{text}: {reason}" if reason else text)


def _report_decisions(rows: list, now: datetime) -> None:
	"""The sender hears of the partner's decision once (an AP Alert keyed by the decision)."""
	if not rows:
		return
	emails = enabled_emails({r.sent_by for r in rows})
	alerts = []
	for r in rows:
		if not emails.get(r.sent_by):
			continue
		answer = _(r.remote_status)
		if r.remote_rejection_reason:
			answer = f"{answer} — {r.remote_rejection_reason}"
		finding = oversight.Finding(
			oversight.TRANSFER_DECIDED,
			"Profile Transfer",
			r.name,
			r.remote_status,
			school=r.school,
			args=(r.pupil_name, r.partner, r.name, answer),
			due=to_date(r.remote_decided_on) or now.date(),
		)
		alerts.append(Alert(finding, r.sent_by, NOTIFICATION, emails[r.sent_by]))
	raise_alerts(alerts, now)


# ---- on demand ------------------------------------------------------------------------------------------
@frappe.whitelist(methods=["POST"])
def check(name: str | None = None) -> dict:
	"""Ask the partner now about one transfer the user may see."""
	name = api_input.checked({"name": "Profile Transfer"}, name=(name, request.name(required=True))).name
	doc = frappe.get_doc("Profile Transfer", name)
	doc.check_permission("read")
	result = poll(names=[name])
	if result["unreachable"]:
		frappe.throw(
			_("{0} could not be asked just now; it will be asked again within the hour").format(doc.partner),
			title=_("Partner"),
		)
	doc.reload()
	return {f: doc.get(f) for f in ("remote_status", "receipt_confirmed_on", "remote_decided_on")}
