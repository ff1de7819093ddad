"""Benchmark the oversight jobs (a script that prints figures, not a test).

	AP_BENCH=/opt/bench AP_SITE=SITE /opt/bench/env/bin/python benchmarks/jobs.py [--scales 10000 50000]

For each scale, smallest first, it tops the demo data up to that many scaled placements
(ap_framework.setup.demo.make_demo(scale=N), which commits: use a site kept for benchmarks, not a dev
site), names one benchmark user as every school's AP Lead, DSL and Senior Leader, then runs each job twice
at a fixed time (the latest weekday, 10:00) and prints, for each run, the wall time, the number of
queries and the alerts it found and sent. The first run delivers everything new: its cost grows with the
alerts it sends (about a dozen queries per ToDo; the jobs commit every 500). The second finds the same
alerts and sends nothing: that is the cost of finding them, which should not grow with the number of
placements. What the jobs wrote (alerts, ToDos, comments, notifications, queued emails) is deleted after
each scale, so every scale starts from nothing sent.
"""

from __future__ import annotations

import argparse
import os
import time
from datetime import datetime, timedelta
from datetime import time as clock

from _common import Recorder, connect, frappe

SITE = os.environ["AP_SITE"]
connect(SITE)
frappe.local.conf.mail_server = "smtp.invalid"  # an outgoing account for the Email Queue (never used)

from ap_framework.oversight import jobs  # noqa: E402
from ap_framework.setup.demo import make_demo  # noqa: E402

JOBS = ["attendance_deadlines", "low_attendance", "reviews", "providers", "placements", "weekly_digest"]
USER = "ap-bench-staff@ap-bench.example.com"


def school_day_afternoon() -> datetime:
	"""The latest weekday by the site's clock, at 14:00: both registers' deadlines have passed, so the
	missed-register job checks the morning and the afternoon of every full-day pupil."""
	day = frappe.utils.getdate()
	while day.weekday() > 4:
		day -= timedelta(days=1)
	return datetime.combine(day, clock(14, 0))


def measure(job: str, now: datetime) -> tuple[float, int, dict]:
	with Recorder() as q:
		t0 = time.perf_counter()
		out = getattr(jobs, job)(now=now)
		elapsed = time.perf_counter() - t0
	return elapsed, q.count, out


def staff_every_school():
	if not frappe.db.exists("User", USER):
		frappe.get_doc(
			{
				"doctype": "User",
				"email": USER,
				"first_name": "Bench",
				"send_welcome_email": 0,
				"roles": [{"role": r} for r in ("AP Lead", "Safeguarding Lead", "Senior Leader")],
			}
		).insert(ignore_permissions=True)
	frappe.db.sql("update `tabSchool` set ap_lead = %(u)s, dsl = %(u)s, senior_leader = %(u)s", {"u": USER})


def forget_what_was_sent(since: datetime):
	"""Delete what the jobs wrote (they commit as they go), so the next scale starts from nothing sent."""
	frappe.db.delete("AP Alert")
	frappe.db.delete("ToDo", {"allocated_to": USER})
	frappe.db.delete("Comment", {"creation": (">=", since), "comment_type": ("like", "Assign%")})
	frappe.db.delete("Notification Log", {"for_user": USER})
	queued = frappe.get_all("Email Queue", {"creation": (">=", since)}, pluck="name")
	if queued:
		frappe.db.delete("Email Queue Recipient", {"parent": ("in", queued)})
		frappe.db.delete("Email Queue", {"name": ("in", queued)})
	frappe.db.sql("update `tabPlacement` set _assign = null where _assign like %s", f"%{USER}%")
	frappe.db.sql("update `tabSchool` set ap_lead = null, dsl = null, senior_leader = null")
	frappe.db.commit()


def main():
	parser = argparse.ArgumentParser()
	parser.add_argument("--scales", type=int, nargs="+", default=[10000, 50000])
	args = parser.parse_args()
	now = school_day_afternoon()
	print(f"site {SITE}, Frappe {frappe.__version__}, jobs run as at {now:%a %Y-%m-%d %H:%M}")
	rows = []
	for scale in sorted(args.scales):
		t0 = time.perf_counter()
		make_demo(scale=scale)
		active = frappe.db.count("Placement", {"status": "Active"})
		print(
			f"\nscale {scale}: {active} active placements (demo data ready in {time.perf_counter() - t0:.0f} s)",
			flush=True,
		)
		staff_every_school()
		frappe.db.commit()
		since = frappe.utils.now_datetime()
		for job in JOBS:
			first, second = measure(job, now), measure(job, now)
			rows.append((scale, active, job, first, second))
			print(
				f"  {job:22} first run {first[0]:7.1f} s {first[1]:8} queries, {first[2]['new']:6} alerts sent"
				f" | second run {second[0]:6.2f} s {second[1]:4} queries, {second[2]['found']:6} alerts found,"
				f" {second[2]['new']} new",
				flush=True,
			)
		forget_what_was_sent(since)

	print("\nQueries to find the alerts (second run), by scale:")
	scales = sorted(args.scales)
	print(f"  {'job':22}" + "".join(f"{s:>10}" for s in scales))
	for job in JOBS:
		counts = [next(r[4][1] for r in rows if r[0] == s and r[2] == job) for s in scales]
		print(
			f"  {job:22}"
			+ "".join(f"{c:>10}" for c in counts)
			+ ("  constant" if len(set(counts)) == 1 else "")
		)


if __name__ == "__main__":
	main()
