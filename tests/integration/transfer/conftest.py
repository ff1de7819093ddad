"""Two real sites on one bench: this one (AP_SITE, in-process, the sender) and AP_PARTNER_SITE (served
by `frappe serve` on a loopback port, the receiver), plus a throwaway loopback HTTP server that plays a
receiver that is down, slow, failing or talking garbage."""

from __future__ import annotations

import json
import subprocess
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from tests.conftest import PARTNER_SITE, SITE, integration_skip_reason, partner_skip_reason

if integration_skip_reason() is not None:
	collect_ignore_glob = ["test_*.py"]  # tests/integration/test__site.py says why
else:
	import frappe
	from frappe.utils import add_days, today

	from tests.integration.conftest import bench_python, serve

ROOT = Path(__file__).resolve().parents[3]


@pytest.fixture(scope="session")
def partner_site():
	reason = partner_skip_reason()
	if reason:
		pytest.skip(reason)
	return PARTNER_SITE


def _run_partner(action: str, token: str) -> dict | None:
	r = subprocess.run(
		[bench_python(), "-m", "tests.integration.transfer.partner", action, token],
		cwd=ROOT,
		capture_output=True,
		text=True,
		timeout=300,
		env={**__import__("os").environ, "AP_PARTNER_SITE": PARTNER_SITE},
	)
	assert r.returncode == 0, r.stderr[-3000:]
	line = next(line for line in r.stdout.splitlines() if line.startswith("AP-PARTNER-JSON "))
	return json.loads(line.split(" ", 1)[1])


@pytest.fixture(scope="session")
def partner_url(partner_site, site):
	"""The partner site served on a free loopback port for this run."""
	with serve(partner_site) as url:
		yield url


@pytest.fixture(scope="session")
def partner(partner_url, world):
	"""The receiving school, its people and API keys on the partner site; removed at the end."""
	data = _run_partner("setup", world.token)
	data["url"] = partner_url
	yield data
	_run_partner("teardown", world.token)


class Remote:
	"""REST on the partner site as one of its users (token auth)."""

	def __init__(self, url: str, user: dict):
		import requests

		self.url, self.s = url, requests.Session()
		self.s.headers["Authorization"] = f"token {user['key']}:{user['secret']}"

	def get(self, path, **params):
		return self.s.get(self.url + path, params=params, timeout=30)

	def post(self, path, **data):
		return self.s.post(self.url + path, json=data, timeout=30)

	def incoming(self, **filters) -> list[dict]:
		r = self.get(
			"/api/resource/Incoming Profile",
			filters=json.dumps(filters),
			fields='["name", "status", "pupil", "idempotency_key", "channel", "upn", "assigned_to"]',
			limit_page_length=0,
		)
		assert r.ok, r.text
		return r.json()["data"]

	def doc(self, doctype, name) -> dict:
		r = self.get(f"/api/resource/{doctype}/{name}")
		assert r.ok, r.text
		return r.json()["data"]


@pytest.fixture(scope="session")
def remote(partner):
	return lambda who: Remote(partner["url"], partner["users"][who])


@pytest.fixture
def fast_delivery(site):
	"""Three attempts, short waits and a short read timeout, for this process only."""
	conf = frappe.local.conf
	saved = {
		k: conf.get(k) for k in ("ap_transfer_attempts", "ap_transfer_backoff", "ap_transfer_read_timeout")
	}
	conf.update(ap_transfer_attempts=3, ap_transfer_backoff=0.05, ap_transfer_read_timeout=2)
	yield
	conf.update(saved)


def make_assessments(world, pupil, placement):
	"""A baseline and a later assessment on three domains, submitted."""
	domains = frappe.get_all(
		"Development Domain", filters={"is_active": 1}, pluck="name", order_by="sort_order"
	)[:3]
	names = []
	for days, baseline, score in ((-20, 1, 1), (-5, 0, 3)):
		doc = frappe.get_doc(
			{
				"doctype": "Domain Assessment",
				"placement": placement,
				"pupil": pupil,
				"assessment_date": add_days(today(), days),
				"is_baseline": baseline,
				"strengths": "Draws well",
				"barriers": "Loud rooms",
				"pupil_voice": f"My words {days}",
				"scores": [{"domain": d, "score": score + i % 2} for i, d in enumerate(domains)],
			}
		).insert()
		doc.submit()
		names.append(doc.name)
	return domains, names


@pytest.fixture
def profile(world):
	"""Pupil A1's learner profile (with a narrative) and assessments; rolled back after the test."""
	frappe.set_user("Administrator")
	domains, assessments = make_assessments(world, world.pupil_a1, world.pa1)
	doc = frappe.get_doc(
		{
			"doctype": "Learner Profile",
			"pupil": world.pupil_a1,
			"narratives": [{"section": "Strengths", "narrative": "Thrives with a key adult"}],
		}
	).insert()
	doc.domains, doc.assessments = domains, assessments
	return doc


def partner_record(world, partner, **kw):
	"""Our record of the partner: its URL, the API key it issued us, and what it may receive (all)."""
	from ap_framework.rules.profile import ALL_TITLES

	frappe.set_user("Administrator")
	doc = {
		"doctype": "Transfer Partner",
		"partner_name": f"T{world.token} Partner {frappe.generate_hash(length=6)}",
		"site_url": partner["url"],
		"school": world.school_a,
		"direction": "Send only",
		"api_key": partner["users"]["integration"]["key"],
		"api_secret": partner["users"]["integration"]["secret"],
		"allow_safeguarding": 1,
		"sections": [{"section": t} for t in ALL_TITLES.values()],
	}
	return frappe.get_doc({**doc, **kw}).insert()


@pytest.fixture
def sender_partner(world, partner):
	return partner_record(world, partner)


class FakeReceiver:
	"""A loopback HTTP server answering as told: 500, garbage, slow, or forwarding to the real partner
	and then losing the answer (returning 500), so the sender retries a send that did arrive."""

	def __init__(self, mode: str, forward_to: str | None = None):
		self.mode, self.forward_to, self.hits = mode, forward_to, 0
		outer = self

		class Handler(BaseHTTPRequestHandler):
			def log_message(self, *args):
				pass

			def do_POST(self):
				outer.hits += 1
				body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
				if outer.mode == "slow":
					time.sleep(4)
				if outer.mode == "lost-ack" and outer.forward_to:
					import requests

					requests.post(
						outer.forward_to + self.path,
						data=body,
						headers={
							k: v
							for k, v in self.headers.items()
							if k.lower() in ("authorization", "content-type")
						},
						timeout=30,
					)
				status, text = {"garbage": (200, b"<html>I am not a receipt</html>")}.get(
					outer.mode, (500, b"Internal Server Error")
				)
				try:
					self.send_response(status)
					self.send_header("Content-Type", "text/html")
					self.send_header("Content-Length", str(len(text)))
					self.end_headers()
					self.wfile.write(text)
				except (BrokenPipeError, ConnectionResetError):
					pass

		self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
		self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
		self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

	def __enter__(self):
		self.thread.start()
		return self

	def __exit__(self, *exc):
		self.server.shutdown()
		self.server.server_close()


@pytest.fixture
def fake_receiver():
	return FakeReceiver


@pytest.fixture
def dead_url():
	"""A loopback port nobody listens on: the receiver is down."""
	from tests.integration.conftest import _free_port

	return f"http://127.0.0.1:{_free_port()}"


__all__ = ["SITE"]
