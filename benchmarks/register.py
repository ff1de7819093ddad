"""Benchmark the provider register (a script that prints figures, not a test).

	cd $AP_BENCH/sites && AP_BENCH=... AP_SITE=... ../env/bin/python /path/to/benchmarks/register.py [--seconds 60]

1. Server time to save a 30-pupil register (validation + one bulk insert) beside the raw insert of the
   same 30 rows, with the number of queries each takes.
2. 50 provider users, each logged in over HTTP to a gunicorn of the site, saving their registers
   concurrently for a minute: requests, errors, p50 / p95 / max latency.
Everything it creates is named BENCH-* and removed at the end.
"""

from __future__ import annotations

import argparse
import os
import statistics
import time
import uuid
from datetime import date, timedelta

from _common import Recorder, closed_loop, connect, frappe, gunicorn, login, production_workers
from frappe.utils.password import update_password

SITE = os.environ["AP_SITE"]
PASSWORD = "Bench-" + uuid.uuid4().hex[:10]
connect(SITE)  # lifts Frappe's sign-up throttle (60 an hour): this process makes 51 users

from ap_framework.portal import register  # noqa: E402

TOKEN = uuid.uuid4().hex[:6].upper()
WEEK = ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday"]


def weekdays_back(n: int) -> list[date]:
	out, day = [], frappe.utils.getdate() - timedelta(days=1)  # the site's yesterday
	while len(out) < n:
		if day.weekday() < 5:
			out.append(day)
		day -= timedelta(days=1)
	return out


def make_provider(index: int, pupils: int, school: str) -> tuple[str, list[str], str]:
	"""A provider, its portal user and `pupils` Active full-week placements (bulk rows, like the demo's scale)."""
	provider = (
		frappe.get_doc(
			{
				"doctype": "AP Provider",
				"provider_name": f"BENCH-{TOKEN}-P{index:02d}",
				"registration_status": "Non-school AP",
			}
		)
		.insert()
		.name
	)
	email = f"bench-{TOKEN.lower()}-{index:02d}@ap-bench.example.com"
	user = frappe.get_doc(
		{
			"doctype": "User",
			"email": email,
			"first_name": f"Bench {index}",
			"send_welcome_email": 0,
			"roles": [{"role": "AP Provider User"}],
		}
	)
	user.insert(ignore_permissions=True)
	update_password(email, PASSWORD)
	frappe.get_doc(
		{
			"doctype": "User Permission",
			"user": email,
			"allow": "AP Provider",
			"for_value": provider,
			"apply_to_all_doctypes": 1,
		}
	).insert(ignore_permissions=True)
	now = frappe.utils.now_datetime()
	start = now.date() - timedelta(days=120)
	base = {
		"creation": now,
		"modified": now,
		"owner": "Administrator",
		"modified_by": "Administrator",
		"docstatus": 0,
	}
	pupil_rows, placement_rows, session_rows = [], [], []
	for k in range(pupils):
		pupil, placement = f"BENCH-{TOKEN}-{index:02d}-{k:02d}", f"BENCH-PLC-{TOKEN}-{index:02d}-{k:02d}"
		pupil_rows.append(
			{
				**base,
				"name": pupil,
				"first_name": "Bench",
				"last_name": f"{index}-{k}",
				"full_name": f"Bench {index}-{k}",
				"date_of_birth": "2012-01-01",
				"school": school,
			}
		)
		placement_rows.append(
			{
				**base,
				"name": placement,
				"pupil": pupil,
				"pupil_name": f"Bench {index}-{k}",
				"school": school,
				"provider": provider,
				"status": "Active",
				"placement_type": "Off-site Direction",
				"start_date": start,
				"planned_end_date": start + timedelta(days=365),
				"hours_per_week": 30,
			}
		)
		for i, day in enumerate(WEEK, 1):
			session_rows.append(
				{
					**base,
					"name": f"{placement}-{i}",
					"parent": placement,
					"parenttype": "Placement",
					"parentfield": "timetable",
					"idx": i,
					"weekday": day,
					"start_time": "09:00:00",
					"end_time": "15:00:00",
					"covers_am": 1,  # a full school day: on both registers (rules.timetable.covers)
					"covers_pm": 1,
				}
			)
	for doctype, rows in (
		("Pupil", pupil_rows),
		("Placement", placement_rows),
		("Placement Session", session_rows),
	):
		fields = list(rows[0])
		frappe.db.bulk_insert(doctype, fields, [[r[f] for f in fields] for r in rows])
	return provider, [r["name"] for r in placement_rows], email


def server_side(provider: str, placements: list[str], days: list[date]) -> None:
	frappe.set_user("Administrator")
	for session in ("AM", "PM"):
		timings, queries = [], []
		for day in days[:10]:
			marks = [{"placement": p, "mark": "/" if session == "AM" else "\\"} for p in placements]
			with Recorder() as qc:
				t0 = time.perf_counter()
				register.save(provider, day, session, marks)
				timings.append(time.perf_counter() - t0)
			queries.append(qc.count)
			frappe.db.rollback()
		print(
			f"30 full-day pupils, {session} register, server side: mean {statistics.mean(timings) * 1000:.1f} ms, "
			f"median {statistics.median(timings) * 1000:.1f} ms, {min(queries)}-{max(queries)} queries"
		)
	# the raw inserts the same register needs: one multi-row INSERT of 30 rows
	raw = []
	fields = [
		"name",
		"creation",
		"modified",
		"owner",
		"modified_by",
		"placement",
		"attendance_date",
		"session",
		"mark",
		"minutes_late",
		"reported_late",
	]
	for day in days[:10]:
		now = frappe.utils.now_datetime()
		values = [
			[
				frappe.generate_hash(length=10),
				now,
				now,
				"Administrator",
				"Administrator",
				p,
				day,
				"AM",
				"/",
				0,
				0,
			]
			for p in placements
		]
		t0 = time.perf_counter()
		frappe.db.bulk_insert("AP Attendance", fields, values)
		raw.append(time.perf_counter() - t0)
		frappe.db.rollback()
	print(f"raw INSERT of the same 30 rows: mean {statistics.mean(raw) * 1000:.1f} ms, 1 query")


def concurrent(users: list[str], days: list[date], seconds: int, workers: int) -> None:
	server, url = gunicorn(SITE, workers)
	try:
		# Log everyone in first, one by one: the measurement is of registers, not of 50 password hashes at once.
		sessions = [(login(url, SITE, email, PASSWORD), placements) for email, placements in users]

		def save(user, i):
			s, placements = user
			if s is None:
				return "not signed in"
			day = days[i % len(days)]
			marks = [{"placement": p, "mark": "/" if (i + k) % 7 else "I"} for k, p in enumerate(placements)]
			r = s.post(
				f"{url}/api/method/ap_framework.portal.api.save_register",
				timeout=60,
				data={"attendance_date": str(day), "session": "AM", "marks": frappe.as_json(marks)},
			)
			return None if r.status_code == 200 else str(r.status_code)

		load = closed_loop([u for u in sessions if u[0] is not None], save, seconds)
	finally:
		server.terminate()
		server.wait(timeout=30)
	print(
		f"{len(users)} concurrent providers for {load.elapsed:.0f} s against gunicorn -w {workers}: {load.summary()}"
	)
	if load.errors:
		print("first errors:", load.errors[:5])


def cleanup(school: str) -> None:
	frappe.db.rollback()
	providers = frappe.get_all("AP Provider", filters={"name": ("like", f"BENCH-{TOKEN}-%")}, pluck="name")
	placements = frappe.get_all("Placement", filters={"provider": ("in", providers)}, pluck="name")
	frappe.db.delete("AP Attendance", {"placement": ("in", placements)})
	frappe.db.delete("Placement Session", {"parent": ("in", placements)})
	frappe.db.delete("Placement", {"name": ("in", placements)})
	frappe.db.delete("Pupil", {"name": ("like", f"BENCH-{TOKEN}-%")})
	users = frappe.get_all("User", filters={"name": ("like", f"bench-{TOKEN.lower()}-%")}, pluck="name")
	frappe.db.delete("User Permission", {"user": ("in", users)})
	for user in users:
		frappe.delete_doc("User", user, force=True, ignore_permissions=True)
	frappe.db.delete("AP Provider", {"name": ("in", providers)})
	frappe.db.delete("School", {"name": school})
	frappe.db.commit()


def main():
	parser = argparse.ArgumentParser()
	parser.add_argument("--seconds", type=int, default=60)
	parser.add_argument("--providers", type=int, default=50)
	parser.add_argument("--pupils", type=int, default=10, help="pupils per provider in the concurrent run")
	parser.add_argument("--workers", type=int, default=production_workers(), help="gunicorn workers")
	args = parser.parse_args()
	school = frappe.get_doc({"doctype": "School", "school_name": f"BENCH-{TOKEN} School"}).insert().name
	try:
		big, big_placements, _ = make_provider(0, 30, school)
		users = [make_provider(i, args.pupils, school) for i in range(1, args.providers + 1)]
		frappe.db.commit()
		days = weekdays_back(40)
		server_side(big, big_placements, days)
		concurrent([(email, placements) for _p, placements, email in users], days, args.seconds, args.workers)
	finally:
		cleanup(school)


if __name__ == "__main__":
	main()
