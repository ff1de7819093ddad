"""Send a frozen Profile Transfer to its partner: timeouts, bounded retries with back-off, and an
idempotency key, so a retried or duplicated send is received once. Whatever the partner does (down,
slow, an error, garbage), the transfer ends Sent with the partner's reference, or Failed with the error
and ready to retry: nothing is lost.

Sending runs in a background job (the retries and their waits can outlast a web request): `send` queues
it, `deliver_queued` is the job, and follow_up.requeue_stuck queues again what a lost job left behind."""

from __future__ import annotations

import base64
import json
import time

import frappe
import requests
from frappe import _
from frappe.utils import cint, flt, now_datetime
from frappe.utils.password import get_decrypted_password

from ap_framework import api_input, once
from ap_framework.rules import request
from ap_framework.rules import transfer as rules

RECEIVE = "/api/method/ap_framework.transfer.receive.receive"
QUEUE = "default"


def settings() -> dict:
	"""Delivery tuning from site config (defaults suit production; the tests shorten the waits)."""
	conf = frappe.conf
	return {
		"attempts": max(1, cint(conf.get("ap_transfer_attempts") or 3)),
		"backoff": flt(
			conf.get("ap_transfer_backoff") if conf.get("ap_transfer_backoff") is not None else 1.0
		),
		"connect_timeout": flt(conf.get("ap_transfer_connect_timeout") or 5),
		"read_timeout": flt(conf.get("ap_transfer_read_timeout") or 30),
	}


def endpoint(partner: str) -> tuple[str, dict]:
	"""The partner site's base URL, and the headers that sign us in with the key it issued us."""
	p = frappe.db.get_value("Transfer Partner", partner, ["site_url", "api_key"], as_dict=True) or {}
	secret = get_decrypted_password("Transfer Partner", partner, "api_secret", raise_exception=False)
	headers = {
		"Authorization": f"token {p.get('api_key') or ''}:{secret or ''}",
		"Accept": "application/json",
	}
	return (p.get("site_url") or "").rstrip("/"), headers


def payload(doc) -> dict:
	out = {
		"protocol": rules.PROTOCOL,
		"idempotency_key": doc.idempotency_key,
		"sender": frappe.utils.get_url(),
		"sender_reference": doc.name,
		"channel": doc.channel,
		"version": doc.version,
		"framework_version": doc.framework_version,
		"snapshot": json.loads(doc.snapshot),
	}
	if doc.include_pack:
		from ap_framework.transfer.pack import build_pack

		pdf, _report = build_pack(doc.learner_profile, snapshot=out["snapshot"])
		out["pack"] = base64.b64encode(pdf).decode()
	return out


def post_once(url: str, headers: dict, body: dict, timeout: tuple) -> rules.Outcome:
	try:
		r = requests.post(url, json=body, headers=headers, timeout=timeout, allow_redirects=False)
	except requests.RequestException as e:
		return rules.classify(None, None, f"{type(e).__name__}: {e}")
	return rules.classify(r.status_code, r.text)


def deliver(doc) -> rules.Outcome:
	"""Try to deliver `doc` now; record the outcome on it (and in its timeline) either way."""
	if doc.status == "Sent":
		return rules.Outcome("delivered", "Already delivered", doc.remote_reference)
	conf = settings()
	base, headers = endpoint(doc.partner)
	url = base + RECEIVE
	headers["Idempotency-Key"] = doc.idempotency_key
	body = {"payload": payload(doc)}
	attempts = cint(doc.attempts)
	outcome = None
	for attempt in range(1, conf["attempts"] + 1):
		outcome = post_once(url, headers, body, (conf["connect_timeout"], conf["read_timeout"]))
		attempts += 1
		if outcome.state != "retry" or attempt == conf["attempts"]:
			break
		time.sleep(rules.backoff(attempt, conf["backoff"]))
	values = {"attempts": attempts, "last_attempt_on": now_datetime()}
	if outcome.state == "delivered":
		sent_on = now_datetime()
		values.update(
			status="Sent",
			remote_reference=outcome.reference,
			sent_on=sent_on,
			sent_by=doc.sent_by or frappe.session.user,
			last_error=None,
		)
		if doc.channel == "Safeguarding":
			values["receipt_due_by"] = rules.receipt_due_by(sent_on.date())
		note = _("Sent to {0} as {1} ({2})").format(doc.partner, outcome.reference, outcome.message)
	else:
		values.update(status="Failed", last_error=outcome.message)
		note = _("Sending to {0} failed after {1} attempts: {2}").format(
			doc.partner, attempts, outcome.message
		)
	# Delivery bookkeeping: nobody holds write permission on a frozen transfer, so it is set directly.
	doc.db_set(values, update_modified=True)
	doc.add_comment("Info", note)
	return outcome


def job_id(name: str) -> str:
	return f"ap-profile-transfer::{name}"


def enqueue(name: str, after_commit: bool = True) -> None:
	"""One delivery job per transfer (deduplicated by job id), long enough for every attempt and wait."""
	conf = settings()
	waits = sum(rules.backoff(a, conf["backoff"]) for a in range(1, conf["attempts"]))
	timeout = conf["attempts"] * (conf["connect_timeout"] + conf["read_timeout"]) + waits + 300  # + the pack
	frappe.enqueue(
		"ap_framework.transfer.delivery.deliver_queued",
		queue=QUEUE,
		timeout=int(timeout),
		job_id=job_id(name),
		deduplicate=True,
		enqueue_after_commit=after_commit,  # the job must find the transfer marked Queued
		name=name,
	)


def deliver_queued(name: str) -> None:
	"""The background job: deliver a transfer still queued (a second job for it finds it Sent, and stops)."""
	status = frappe.db.get_value("Profile Transfer", name, "status")
	if status != "Queued":
		return  # delivered meanwhile, failed and waiting for a person to retry, or gone
	deliver(frappe.get_doc("Profile Transfer", name))


@frappe.whitelist(methods=["POST"])
def send(name: str | None = None, form_token: str | None = None) -> dict:
	"""Queue (or retry) the sending of a Profile Transfer the user may see and could have created. Send
	clicked twice (the same form token) queues it once: the second answers the transfer as it is now."""
	args = api_input.checked(
		{"name": "Profile Transfer", "form_token": "Form token"},
		name=(name, request.name(required=True)),
		form_token=(form_token, once.TOKEN),
	)
	answer = {}

	def make():
		answer.update(_send(args.name))
		return frappe._dict(doctype="Profile Transfer", name=args.name)

	once.create("send_profile_transfer", args.form_token, make)
	if answer:
		return answer
	# the first click's answer, as committed (a locking read: this click's snapshot may predate it)
	row = frappe.db.get_value(
		"Profile Transfer", args.name, ["status", "remote_reference"], as_dict=True, for_update=True
	)
	return {
		"status": row.status,
		"message": _("Already queued for sending"),
		"reference": row.remote_reference,
	}


def _send(name: str) -> dict:
	doc = frappe.get_doc("Profile Transfer", name)
	doc.check_permission("read")
	if not frappe.has_permission("Profile Transfer", "create"):
		frappe.throw(_("You may not send profiles"), frappe.PermissionError)
	if doc.status == "Sent":
		return {"status": "Sent", "message": _("Already delivered"), "reference": doc.remote_reference}
	# Delivery bookkeeping on a frozen record (nobody holds write on it): who asked, and that it waits.
	doc.db_set({"status": "Queued", "sent_by": frappe.session.user})
	doc.add_comment("Info", _("Queued for sending to {0} by {1}").format(doc.partner, frappe.session.user))
	enqueue(doc.name)
	return {"status": "Queued", "message": _("Queued for sending"), "reference": None}
