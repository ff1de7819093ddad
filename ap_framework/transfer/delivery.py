"""Send a frozen Profile Transfer to its partner: timeouts, bounded retries with back-off, and an
idempotency key, so a retried or duplicated send is received once. Whatever the partner does (down,
slow, an error, garbage), the transfer ends Sent with the partner's reference, or Failed with the error
and ready to retry: nothing is lost."""

from __future__ import annotations

import base64
import json
import time

import frappe
import requests
from frappe import _
from frappe.utils import cint, flt, now_datetime

from ap_framework.rules import transfer as rules

RECEIVE = "/api/method/ap_framework.transfer.receive.receive"


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


def payload(doc, partner) -> dict:
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
	partner = frappe.get_doc("Transfer Partner", doc.partner)
	conf = settings()
	url = partner.site_url.rstrip("/") + RECEIVE
	secret = partner.get_password("api_secret", raise_exception=False) or ""
	headers = {
		"Authorization": f"token {partner.api_key or ''}:{secret}",
		"Idempotency-Key": doc.idempotency_key,
		"Accept": "application/json",
	}
	body = {"payload": payload(doc, partner)}
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
		values.update(
			status="Sent",
			remote_reference=outcome.reference,
			sent_on=now_datetime(),
			sent_by=frappe.session.user,
			last_error=None,
		)
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


@frappe.whitelist(methods=["POST"])
def send(name: str) -> dict:
	"""Send (or retry) a Profile Transfer the user may see and could have created."""
	doc = frappe.get_doc("Profile Transfer", name)
	doc.check_permission("read")
	if not frappe.has_permission("Profile Transfer", "create"):
		frappe.throw(_("You may not send profiles"), frappe.PermissionError)
	outcome = deliver(doc)
	return {"status": doc.status, "message": outcome.message, "reference": outcome.reference}
