"""What the benchmark scripts share: the bench and site from the environment, a connection, a
statement recorder (the query counts they print), a free port, a `frappe serve` or a gunicorn of a site
as production runs it, signing in over HTTP and a closed-loop load of many users at once."""

from __future__ import annotations

import os
import socket
import statistics
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
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


def drain_long_queue(workers: int) -> float:
	"""`workers` burst RQ workers on the long queue, as a bench's long workers (on this host or any other
	sharing its Redis) would take its jobs; they exit once it is empty. The seconds until the last exits."""
	t0 = time.perf_counter()
	procs = [
		subprocess.Popen(
			[PYTHON, "-m", "frappe.utils.bench_helper", "frappe", "worker", "--queue", "long", "--burst"],
			cwd=BENCH / "sites",
			stdout=subprocess.DEVNULL,
			stderr=subprocess.PIPE,
			text=True,
		)
		for _ in range(workers)
	]
	for proc in procs:
		_out, err = proc.communicate(timeout=3600)
		if proc.returncode:
			raise SystemExit(f"a long-queue worker failed: {err[-2000:]}")
	return time.perf_counter() - t0


def production_workers() -> int:
	"""The gunicorn workers a production bench runs (bench's default: 2 × cores + 1)."""
	return 2 * (os.cpu_count() or 1) + 1


def gunicorn(site: str, workers: int) -> tuple[subprocess.Popen, str]:
	"""The site under gunicorn, as `bench setup production` runs it (same flags), on a free loopback port,
	once it answers: (process, URL). Requests must carry the site's Host header."""
	import requests

	port = free_port()
	env = {
		**os.environ,
		"PYTHONPATH": os.pathsep.join(filter(None, [str(ROOT), os.environ.get("PYTHONPATH")])),
	}
	proc = subprocess.Popen(
		[
			str(BENCH / "env" / "bin" / "gunicorn"),
			"-b",
			f"127.0.0.1:{port}",
			"-w",
			str(workers),
			"--max-requests",
			"5000",
			"--max-requests-jitter",
			"500",
			"-t",
			"120",
			"--graceful-timeout",
			"30",
			"--preload",
			"frappe.app:application",
			"--log-level",
			"warning",
		],
		cwd=BENCH / "sites",
		env=env,
	)
	url = f"http://127.0.0.1:{port}"
	for _ in range(240):
		try:
			if requests.get(f"{url}/api/method/ping", headers={"Host": site}, timeout=2).ok:
				return proc, url
		except requests.ConnectionError:
			time.sleep(0.5)
	proc.terminate()
	raise SystemExit(f"gunicorn of {site} did not start")


def login(url: str, site: str, email: str, password: str):
	"""A requests session signed in as `email` (None, with the reason printed, if refused)."""
	import requests

	s = requests.Session()
	s.headers["Host"] = site
	r = s.post(f"{url}/api/method/login", data={"usr": email, "pwd": password}, timeout=60)
	if not r.ok:
		print(f"login of {email} refused: {r.status_code} {r.text[:150]}")
		return None
	return s


@dataclass
class Load:
	"""What a closed-loop load measured: each request's latency, the errors, the wall time."""

	latencies: list[float] = field(default_factory=list)
	errors: list[str] = field(default_factory=list)
	elapsed: float = 0.0

	def percentile(self, q: float) -> float:
		ordered = sorted(self.latencies)
		return ordered[max(int(len(ordered) * q) - 1, 0)] if ordered else float("nan")

	@property
	def median(self) -> float:
		return statistics.median(self.latencies) if self.latencies else float("nan")

	def summary(self) -> str:
		if not self.latencies:
			return f"no request completed; first errors: {self.errors[:5]}"
		return (
			f"{len(self.latencies)} requests, {len(self.errors)} errors, {len(self.latencies) / self.elapsed:.1f}/s, "
			f"p50 {self.median * 1000:.0f} ms, p95 {self.percentile(0.95) * 1000:.0f} ms, "
			f"max {max(self.latencies) * 1000:.0f} ms"
		)


def closed_loop(users: list, request: Callable, seconds: float, think: float = 0.0) -> Load:
	"""Each of `users` sends request(user, i) one after another for `seconds`, all at once, pausing between
	requests a random time averaging `think` seconds (a person between two registers; 0: none, every user
	at full speed): request returns None when it succeeded, else what went wrong."""
	import random

	import requests

	load, lock = Load(), threading.Lock()
	stop = 0.0

	def run(user):
		i = 0
		pause = random.Random(f"think:{id(user)}")
		if think:  # users start spread over one think time, not all in the same instant
			time.sleep(pause.uniform(0, think))
		while time.monotonic() < stop:
			if i and think:
				time.sleep(min(pause.expovariate(1 / think), max(0.0, stop - time.monotonic())))
				if time.monotonic() >= stop:
					break
			t0 = time.perf_counter()
			try:
				error = request(user, i)
			except requests.RequestException as e:
				error = type(e).__name__
			with lock:
				load.latencies.append(time.perf_counter() - t0)
				if error:
					load.errors.append(str(error)[:80])
			i += 1

	threads = [threading.Thread(target=run, args=(u,)) for u in users]
	t0 = time.monotonic()
	stop = t0 + seconds
	for t in threads:
		t.start()
	for t in threads:
		t.join()
	load.elapsed = time.monotonic() - t0
	return load
