"""A real Frappe site for the integration layer: connection, a committed test world, an HTTP server."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import uuid
from contextlib import contextmanager
from pathlib import Path

import pytest

from tests.conftest import BENCH, SITE, integration_skip_reason

SKIP_REASON = integration_skip_reason()
if SKIP_REASON is None:
	import frappe
else:
	# Without a site the test modules (which import frappe) are not collected; test__site.py says why.
	collect_ignore_glob = ["test_[!_]*.py"]

PASSWORD = "Ap-test-" + uuid.uuid4().hex[:12]


@pytest.fixture(scope="session")
def site():
	"""Connect to AP_SITE as Administrator. Frappe writes logs relative to the sites folder, so work there."""
	os.chdir(BENCH / "sites")
	frappe.init(site=SITE, sites_path=".")
	frappe.connect()
	frappe.set_user("Administrator")
	frappe.flags.mute_emails = True
	yield frappe
	frappe.db.rollback()
	frappe.destroy()


@pytest.fixture(autouse=True)
def _rollback(request):
	"""Each test's own writes are rolled back; the committed world fixture stays."""
	if "site" not in request.fixturenames and "world" not in request.fixturenames:
		yield
		return
	yield
	frappe.db.rollback()
	frappe.set_user("Administrator")


@pytest.fixture(scope="session")
def world(site):
	from tests.integration.world import World

	w = World(PASSWORD)
	w.build()
	frappe.db.commit()  # committed so that the HTTP server (another process) sees it
	yield w
	frappe.db.rollback()
	frappe.set_user("Administrator")
	w.destroy()
	frappe.db.commit()


def bench_python() -> str:
	"""The bench's Python (its env has frappe and the apps), else this one."""
	python = BENCH / "env" / "bin" / "python"
	return str(python if python.exists() else sys.executable)


def frappe_cli(*args: str) -> list[str]:
	"""argv for a `bench`-style frappe command, run from the bench's sites folder."""
	return [bench_python(), "-m", "frappe.utils.bench_helper", "frappe", *args]


_ONE_JOB = """
import sys, frappe
from frappe.utils.background_jobs import get_job
frappe.init(site=sys.argv[1], sites_path="."); frappe.connect()
job = get_job(sys.argv[2])
frappe.destroy()
if job is None:
	sys.exit("nothing queued as " + sys.argv[2])
job.perform()
job.delete()
"""


def run_queued_job(job_id: str) -> None:
	"""Run the one job the site queued as `job_id` the way an RQ worker does (its own process, through
	Frappe's execute_job as the user who queued it), then take it off the queue. A burst worker would
	also run whatever else any site of the bench had queued, other tests' leftovers among them."""
	out = subprocess.run(
		[bench_python(), "-c", _ONE_JOB, SITE, job_id],
		cwd=BENCH / "sites",
		capture_output=True,
		text=True,
		timeout=600,
	)
	assert out.returncode == 0, out.stdout[-2000:] + out.stderr[-3000:]


def ensure_encryption_key(site_name: str) -> None:
	"""Give the site its encryption key before any server starts. A new v16 site has none until a secret
	is first stored; a server started before then makes up a key of its own and cannot read the secrets
	another process stores meanwhile (see ap_framework/compat.py)."""
	subprocess.run(
		frappe_cli("--site", site_name, "execute", "frappe.utils.password.get_encryption_key"),
		cwd=BENCH / "sites",
		check=True,
		capture_output=True,
		timeout=120,
	)


def _free_port() -> int:
	with socket.socket() as s:
		s.bind(("127.0.0.1", 0))
		return s.getsockname()[1]


@contextmanager
def serve(site_name: str):
	"""`frappe serve` of a site on a free loopback port, yielding its URL once it answers."""
	import requests

	ensure_encryption_key(site_name)
	port = _free_port()
	log = open(BENCH / "logs" / f"ap-test-serve-{site_name}-{port}.log", "w")
	proc = subprocess.Popen(
		frappe_cli("--site", site_name, "serve", "--port", str(port), "--noreload"),
		cwd=BENCH / "sites",
		stdout=log,
		stderr=subprocess.STDOUT,
	)
	url = f"http://127.0.0.1:{port}"
	try:
		deadline = time.monotonic() + 90
		while time.monotonic() < deadline:
			try:
				if requests.get(f"{url}/api/method/ping", timeout=2).ok:
					break
			except requests.ConnectionError:
				time.sleep(0.5)
		else:
			pytest.fail(f"frappe serve did not answer for {site_name} on {url}; see {log.name}")
		yield url
	finally:
		proc.terminate()
		proc.wait(timeout=20)
		log.close()
	Path(log.name).unlink(missing_ok=True)  # kept when the server failed to start


@pytest.fixture(scope="session")
def base_url(site):
	"""AP_BASE_URL, or a `frappe serve` of AP_SITE started for this run on a free loopback port."""
	if os.environ.get("AP_BASE_URL"):
		yield os.environ["AP_BASE_URL"].rstrip("/")
		return
	with serve(SITE) as url:
		yield url


@pytest.fixture(scope="session")
def http(base_url, world):
	"""Log a test user in over HTTP: http('ap_lead_a') -> requests.Session with that user's cookies."""
	import requests

	sessions = {}

	def login(key: str | None):
		if key in sessions:
			return sessions[key]
		s = requests.Session()
		s.base = base_url
		if key:
			r = s.post(
				f"{base_url}/api/method/login", data={"usr": world.users[key], "pwd": PASSWORD}, timeout=30
			)
			assert r.ok, r.text
		sessions[key] = s
		return s

	return login
