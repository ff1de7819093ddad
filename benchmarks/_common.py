"""What the benchmark scripts share: the bench and site from the environment, a connection, a
statement recorder (the query counts they print), a free port and a `frappe serve` of a site."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from pathlib import Path

BENCH = Path(os.environ.get("AP_BENCH", "/opt/bench"))
ROOT = Path(__file__).resolve().parents[1]
PYTHON = str(BENCH / "env" / "bin" / "python")

os.chdir(BENCH / "sites")
sys.path.insert(0, str(ROOT))
import frappe  # noqa: E402


def connect(site: str) -> None:
	"""As Administrator, emails muted, Frappe's sign-up throttle lifted for this process."""
	frappe.init(site=site, sites_path=".")
	frappe.connect()
	frappe.set_user("Administrator")
	frappe.flags.mute_emails = True
	frappe.local.conf.throttle_user_limit = 10**6


class Recorder:
	"""Counts and keeps every SQL statement run through frappe.db.sql while it is entered."""

	def __init__(self):
		self.statements: list[tuple] = []
		self._sql = frappe.db.sql

	@property
	def count(self) -> int:
		return len(self.statements)

	def __enter__(self):
		def recorded(query, values=(), *args, **kwargs):
			self.statements.append((str(query), values))
			return self._sql(query, values, *args, **kwargs)

		frappe.db.sql = recorded
		return self

	def __exit__(self, *exc):
		frappe.db.sql = self._sql


def free_port() -> int:
	with socket.socket() as s:
		s.bind(("127.0.0.1", 0))
		return s.getsockname()[1]


def serve(site: str) -> tuple[subprocess.Popen, str]:
	"""`frappe serve` of `site` on a free loopback port, once it answers: (process, URL)."""
	import requests

	port = free_port()
	proc = subprocess.Popen(
		[
			PYTHON,
			"-m",
			"frappe.utils.bench_helper",
			"frappe",
			"--site",
			site,
			"serve",
			"--port",
			str(port),
			"--noreload",
		],
		cwd=BENCH / "sites",
		stdout=subprocess.DEVNULL,
		stderr=subprocess.DEVNULL,
	)
	url = f"http://127.0.0.1:{port}"
	for _ in range(180):
		try:
			if requests.get(url + "/api/method/ping", timeout=2).ok:
				return proc, url
		except requests.ConnectionError:
			time.sleep(0.5)
	proc.terminate()
	raise SystemExit(f"frappe serve of {site} did not start")
