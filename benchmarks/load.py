"""A realistic mix against gunicorn for several minutes, then a count of what went wrong (a script that
prints figures, not a test).

	AP_BENCH=/opt/bench AP_SITE=SITE /opt/bench/env/bin/python benchmarks/load.py [--seconds 300]

The mix, each kind in threads of its own, each user logged in over HTTP:
- provider staff (two per provider) saving registers, every save sent twice at once (a double tap),
  the two staff of a provider on the same registers with marks of their own;
- providers logging contacts and submitting assessments from the pupil page, each form double-tapped
  with the token the page rendered;
- AP Leads reading placement lists, counts and the provider summary report;
- an officer approving placements waiting for approval, each approval double-clicked.
Then it counts: errors (any answer but 200), doubled records (a register mark twice, a form's record
twice), lost marks (a mark saved and answered 200 that is not there), and prints throughput and latency
percentiles per kind. Everything it made is the test world's and is removed at the end.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import re
import statistics
import subprocess
import sys
import threading
import time
import uuid
from collections import defaultdict
from datetime import timedelta

from _common import BENCH, ROOT, connect, frappe, free_port

SITE = os.environ["AP_SITE"]
connect(SITE)
sys.path.insert(0, str(ROOT))

from tests.integration.world import World  # noqa: E402

PASSWORD = "Load-" + uuid.uuid4().hex[:10]
MARKS = ["/", "/", "/", "L", "I", "M", "C"]  # mostly present


class Tally:
	def __init__(self):
		self.lock = threading.Lock()
		self.latency = defaultdict(list)
		self.errors = []

	def record(self, kind: str, seconds: float, response) -> bool:
		ok = getattr(response, "status_code", None) == 200
		with self.lock:
			self.latency[kind].append(seconds)
			if not ok:
				text = getattr(response, "text", str(response))
				self.errors.append(f"{kind}: {getattr(response, 'status_code', '')} {text[:300]}")
		return ok


def gunicorn(workers: int) -> tuple[subprocess.Popen, str]:
	import requests

	port = free_port()
	env = {
		**os.environ,
		"PYTHONPATH": os.pathsep.join(filter(None, [str(ROOT), os.environ.get("PYTHONPATH")])),
	}
	server = subprocess.Popen(
		[
			str(BENCH / "env" / "bin" / "gunicorn"),
			"-b",
			f"127.0.0.1:{port}",
			"-w",
			str(workers),
			"-t",
			"120",
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
			if requests.get(f"{url}/api/method/ping", headers={"Host": SITE}, timeout=2).ok:
				return server, url
		except requests.ConnectionError:
			time.sleep(0.5)
	server.terminate()
	raise SystemExit("gunicorn did not answer")


def login(url: str, email: str):
	import requests

	s = requests.Session()
	s.headers["Host"] = SITE
	r = s.post(f"{url}/api/method/login", data={"usr": email, "pwd": PASSWORD}, timeout=60)
	r.raise_for_status()
	return s


def twice(s, url: str, method: str, data: dict) -> list:
	"""The same request sent twice at once from two connections of one session (a double tap)."""
	import requests

	barrier, out = threading.Barrier(2), [None, None]

	def one(i):
		c = requests.Session()
		c.headers.update(s.headers)
		c.cookies.update(s.cookies)
		barrier.wait()
		t0 = time.perf_counter()
		try:
			out[i] = (c.post(f"{url}/api/method/{method}", data=data, timeout=120), time.perf_counter() - t0)
		except requests.RequestException as e:
			out[i] = (e, time.perf_counter() - t0)

	threads = [threading.Thread(target=one, args=(i,)) for i in range(2)]
	for t in threads:
		t.start()
	for t in threads:
		t.join()
	return out


def main():
	parser = argparse.ArgumentParser()
	parser.add_argument("--seconds", type=int, default=300)
	parser.add_argument("--workers", type=int, default=4, help="gunicorn workers")
	parser.add_argument("--approvals", type=int, default=40, help="placements waiting for approval")
	args = parser.parse_args()

	world = World(PASSWORD)
	world.build()
	pending = []
	for i in range(args.approvals):
		pupil = world.pupil(world.school_a if i % 2 else world.school_b)
		pending.append(world.placement(pupil, world.p1 if i % 2 else world.p2, "Pending Approval").name)
	frappe.db.commit()
	domain = frappe.get_all("Development Domain", filters={"is_active": 1}, pluck="name", limit=1)[0]
	today = frappe.utils.getdate()
	days = []
	back = 1
	while len(days) < 15:  # weekdays within the world's placements (they began 30 days ago)
		day = today - timedelta(days=back)
		if day.weekday() < 5:
			days.append(day)
		back += 1
	placements = {"provider_1": [world.pa1, world.pb1], "provider_2": [world.pa2, world.pb2]}

	started = frappe.utils.now_datetime()
	server, url = gunicorn(args.workers)
	tally = Tally()
	saved = set()  # (placement, day) answered 200
	tokens = defaultdict(set)  # doctype -> form tokens answered 200
	answered = defaultdict(set)  # doctype -> names answered
	approved = []
	stop = time.monotonic() + args.seconds
	try:
		sessions = {
			key: login(url, world.users[key])
			for key in ("provider_1", "provider_2", "ap_lead_a", "ap_lead_b", "admin")
		}
		staff = {key: [sessions[key], login(url, world.users[key])] for key in placements}

		def register_staff(key, s, seed):
			rng = random.Random(seed)
			while time.monotonic() < stop:
				day = rng.choice(days)
				marks = [
					{"placement": p, "mark": rng.choice(MARKS), "minutes_late": 5} for p in placements[key]
				]
				for m in marks:
					if m["mark"] != "L":
						m.pop("minutes_late")
				data = {"attendance_date": str(day), "session": "AM", "marks": json.dumps(marks)}
				for r, seconds in twice(s, url, "ap_framework.portal.api.save_register", data):
					if tally.record("register (double tap)", seconds, r):
						with tally.lock:
							saved.update((m["placement"], str(day)) for m in marks)

		def pupil_forms(key, seed):
			rng = random.Random(seed)
			s = sessions[key]
			while time.monotonic() < stop:
				placement = rng.choice(placements[key])
				t0 = time.perf_counter()
				page = s.get(f"{url}/ap/pupil", params={"placement": placement}, timeout=60)
				tally.record("pupil page", time.perf_counter() - t0, page)
				if page.status_code != 200:
					continue
				form_tokens = dict(
					re.findall(
						r'id="(ap-\w+)">\s*<input type="hidden" name="form_token" value="(\w+)"', page.text
					)
				)
				csrf = re.search(r'csrf_token\s*=\s*"(\w+)"', page.text)
				s.headers["X-Frappe-CSRF-Token"] = csrf.group(1) if csrf else ""
				if rng.random() < 0.7:
					doctype, method, form = "Contact Log", "log_contact", "ap-log"
					data = {
						"placement": placement,
						"contact_type": "Phone",
						"summary": f"Load {uuid.uuid4().hex[:8]}",
					}
				else:
					doctype, method, form = "Domain Assessment", "submit_assessment", "ap-assess"
					data = {
						"placement": placement,
						"scores": json.dumps([{"domain": domain, "score": str(rng.randint(1, 5))}]),
					}
				data["form_token"] = form_tokens[form]
				for r, seconds in twice(s, url, f"ap_framework.portal.api.{method}", data):
					if tally.record(f"{doctype} (double tap)", seconds, r):
						with tally.lock:
							tokens[doctype].add(data["form_token"])
							answered[doctype].add(r.json()["message"])

		def lead(key, seed):
			rng = random.Random(seed)
			s = sessions[key]
			reads = [
				(
					"placement list",
					"/api/resource/Placement",
					{"fields": json.dumps(["name", "status", "provider"]), "limit_page_length": 100},
				),
				("placement count", "/api/method/frappe.client.get_count", {"doctype": "Placement"}),
				(
					"attendance list",
					"/api/resource/AP Attendance",
					{"fields": json.dumps(["name", "mark"]), "limit_page_length": 200},
				),
				(
					"provider summary report",
					"/api/method/frappe.desk.query_report.run",
					{"report_name": "AP Provider Summary", "filters": "{}"},
				),
			]
			while time.monotonic() < stop:
				kind, path, params = rng.choice(reads)
				t0 = time.perf_counter()
				try:
					r = s.get(url + path, params=params, timeout=120)
				except Exception as e:
					r = e
				tally.record(f"AP Lead: {kind}", time.perf_counter() - t0, r)

		def officer():
			s = sessions["admin"]
			queue = list(pending)
			while queue and time.monotonic() < stop:
				name = queue.pop(0)
				doc = s.get(f"{url}/api/resource/Placement/{name}", timeout=60)
				if not tally.record("officer: open placement", doc.elapsed.total_seconds(), doc):
					continue
				data = {"doc": json.dumps(doc.json()["data"]), "action": "Approve"}
				results = twice(s, url, "frappe.model.workflow.apply_workflow", data)
				if all(
					[tally.record("officer: approve (double click)", seconds, r) for r, seconds in results]
				):
					approved.append(name)
				time.sleep(args.seconds / max(1, len(pending)) / 2)

		threads = [
			threading.Thread(target=register_staff, args=(key, s, i))
			for key in staff
			for i, s in enumerate(staff[key])
		]
		threads += [
			threading.Thread(target=pupil_forms, args=(key, 10 + i)) for i, key in enumerate(placements)
		]
		threads += [
			threading.Thread(target=lead, args=(key, 20 + i))
			for i, key in enumerate(("ap_lead_a", "ap_lead_b"))
		]
		threads.append(threading.Thread(target=officer))
		t0 = time.monotonic()
		for t in threads:
			t.start()
		for t in threads:
			t.join()
		elapsed = time.monotonic() - t0
	finally:
		server.terminate()
		server.wait(timeout=60)

	try:
		frappe.db.rollback()
		every = [p for ps in placements.values() for p in ps]
		rows = frappe.get_all(
			"AP Attendance",
			filters={"placement": ("in", every), "attendance_date": ("in", days), "session": "AM"},
			fields=["placement", "attendance_date"],
		)
		count = defaultdict(int)
		for r in rows:
			count[(r.placement, str(r.attendance_date))] += 1
		doubled_marks = sum(n - 1 for n in count.values() if n > 1)
		lost_marks = len(saved - set(count))
		doubled_forms = {}
		providers = [world.users["provider_1"], world.users["provider_2"]]
		for doctype in tokens:
			made = frappe.db.count(doctype, {"owner": ("in", providers), "creation": (">=", started)})
			# a form's two taps answered two records, or more records made than forms sent
			doubled_forms[doctype] = (
				len(answered[doctype]) - len(tokens[doctype]),
				made - len(tokens[doctype]),
			)
		still_pending = frappe.db.count("Placement", {"name": ("in", approved), "status": ("!=", "Approved")})
		approvals = frappe.get_all(
			"Version", filters={"ref_doctype": "Placement", "docname": ("in", approved or [""])}, pluck="data"
		)
		doubled_approvals = sum(
			1
			for v in approvals
			if ["status", "Pending Approval", "Approved"] in json.loads(v).get("changed", [])
		) - len(approved)

		total = sum(len(v) for v in tally.latency.values())
		print(
			f"{elapsed:.0f} s against gunicorn -w {args.workers} on {SITE}: {total} requests, {total / elapsed:.1f}/s"
		)
		print(f"{'kind':38} {'requests':>8} {'p50 ms':>8} {'p95 ms':>8} {'p99 ms':>8} {'max ms':>8}")
		for kind, values in sorted(tally.latency.items()):
			values.sort()

			def pct(q, values=values):
				return values[min(len(values) - 1, int(len(values) * q))] * 1000

			print(
				f"{kind:38} {len(values):>8} {statistics.median(values) * 1000:>8.0f} {pct(0.95):>8.0f} {pct(0.99):>8.0f} {values[-1] * 1000:>8.0f}"
			)
		print(f"errors: {len(tally.errors)}")
		for e in tally.errors[:5]:
			print("  ", e)
		print(f"doubled marks: {doubled_marks}; lost marks: {lost_marks} (of {len(saved)} marks saved)")
		for doctype, (extra_answers, extra_rows) in doubled_forms.items():
			print(
				f"doubled {doctype}: {max(extra_answers, extra_rows, 0)} ({len(tokens[doctype])} forms, each double-tapped)"
			)
		print(
			f"placements approved: {len(approved)} of {len(pending)}, each double-clicked; approved twice: "
			f"{doubled_approvals}; answered approved but not so on the record: {still_pending}"
		)
		failed = (
			len(tally.errors)
			or doubled_marks
			or lost_marks
			or any(a or b for a, b in doubled_forms.values())
			or still_pending
			or doubled_approvals
		)
	finally:
		frappe.db.rollback()
		users = list(world.users.values())
		frappe.db.delete("AP Submission", {"user": ("in", users)})
		world.destroy()
		frappe.db.commit()
	raise SystemExit(1 if failed else 0)


if __name__ == "__main__":
	main()
