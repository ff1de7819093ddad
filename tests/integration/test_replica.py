"""Reading from a MariaDB replica with Frappe's own settings: the reports, cards, chart sources, packs and
exports read where the site's replica is, give the primary's answers, and write nothing there; the
access audit of what they showed is written on the primary (compat.py 12).

A real second MariaDB server (mariadbd with its own datadir, port and server id under /tmp, run as the
test's user) replicates the site's database by GTID, read-only, with a SELECT-only reader for Frappe. The
site is pointed at it as a site would be: `read_from_replica`, `replica_host`, `replica_db_port`,
`different_credentials_for_replica`, `replica_db_name`, `replica_db_password`.

It replicates from the site's own server where that keeps a binary log. Where it does not (`log_bin` off:
a replica would have nothing to follow, and turning it on means restarting a server others may share),
the test starts a primary of its own with its binary log on, loads the site's database into it and points
the site at it too, for this module only; the site's own data is not touched.

Proof that a door read the replica: the replica stops applying what the primary writes, the primary
changes, and the door still answers with the replica's older copy; once the replica catches up, the
door's answer is the primary's, to the byte.
"""

from __future__ import annotations

import csv
import io
import json
import os
import shutil
import tempfile
import uuid
from contextlib import contextmanager
from pathlib import Path

import frappe
import pymysql
import pytest
import requests
from frappe.utils import add_days, now_datetime, today

from ap_framework.oversight import cards, packs, progress
from ap_framework.transfer import ctf
from tests.conftest import BENCH, SITE
from tests.integration import mariadb
from tests.integration.conftest import PASSWORD, _free_port, serve

pytestmark = pytest.mark.skipif(mariadb.missing() is not None, reason=mariadb.missing() or "")

LOG = "Safeguarding Access Log"
READER = "ap_replica_reader"
ROOT_USER = os.environ.get("AP_DB_ROOT_USER", "root")  # only to follow the site's own server
ROOT_PASSWORD = os.environ.get("AP_DB_ROOT_PASSWORD", "root")


class Replica:
	"""The running pair: `server` the replica (ours), `primary` where the site writes (the site's
	server, or ours), as the site's own database user sees it, and the site_config that points at them."""

	def __init__(self, server, primary, site_config: dict, reader_password: str):
		self.server, self.primary = server, primary
		self.site_config, self.reader_password = site_config, reader_password

	@property
	def replica_config(self) -> dict:
		keys = (
			"read_from_replica",
			"replica_host",
			"replica_db_port",
			"different_credentials_for_replica",
			"replica_db_name",
			"replica_db_password",
		)
		return {k: self.site_config[k] for k in keys}


def _follow_the_sites_server(site_db: mariadb.Endpoint) -> mariadb.Endpoint | None:
	"""The site's own server as root, where it keeps a binary log and root may replicate from it."""
	if not site_db.value("SELECT @@log_bin"):
		return None
	root = mariadb.Endpoint(site_db.host, site_db.port, ROOT_USER, ROOT_PASSWORD)
	try:
		root.value("SELECT 1")
	except pymysql.MySQLError:
		return None
	return root


@pytest.fixture(scope="module")
def replica(world):
	conf = frappe.local.conf
	database, password = conf.db_name, conf.db_password
	site_user = conf.get("db_user") or conf.db_name
	site_db = mariadb.Endpoint(conf.db_host or "127.0.0.1", int(conf.db_port or 3306), site_user, password)
	site_server_id = int(site_db.value("SELECT @@server_id"))
	root = Path(tempfile.mkdtemp(prefix="ap-replica-"))
	servers, saved_conf = [], {k: conf.get(k) for k in ("db_host", "db_port")}
	try:
		server_id = 1000 + os.getpid() % 50000
		server_id += 2 if server_id in (site_server_id, site_server_id - 1) else 0
		source = _follow_the_sites_server(site_db)
		replica = mariadb.Server(
			root,
			"replica",
			server_id,
			_free_port(),
			[
				"--read-only=1",
				"--skip-slave-start",
				f"--relay-log={root / 'replica' / 'relay'}",
				f"--replicate-do-db={database}",  # the site's database only, on a server others share
			],
		)
		servers.append(replica.launch())
		if not source:
			own = mariadb.Server(
				root,
				"primary",
				server_id + 1,
				_free_port(),
				[f"--log-bin={root / 'primary' / 'binlog'}", "--binlog-format=ROW"],
			)
			servers.append(own.launch())
		for server in servers:
			server.ready()
		reader_password = uuid.uuid4().hex
		replica.sql(f"CREATE DATABASE `{database}` CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci")
		replica.sql(f"CREATE USER '{READER}'@'127.0.0.1' IDENTIFIED BY %s", (reader_password,))
		replica.sql(f"GRANT SELECT ON `{database}`.* TO '{READER}'@'127.0.0.1'")

		if source:  # the site's own server keeps a binary log: the replica follows it
			primary, primary_config = site_db, {}
			follower = (source.user, source.password)
		else:  # a primary of our own, with the site's database, for this module
			follower = ("ap_repl", uuid.uuid4().hex)
			own.sql(f"CREATE DATABASE `{database}` CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci")
			own.sql(f"CREATE USER '{site_user}'@'127.0.0.1' IDENTIFIED BY %s", (password,))
			own.sql(f"GRANT ALL PRIVILEGES ON `{database}`.* TO '{site_user}'@'127.0.0.1'")
			own.sql(f"CREATE USER '{follower[0]}'@'127.0.0.1' IDENTIFIED BY %s", (follower[1],))
			own.sql(f"GRANT REPLICATION SLAVE ON *.* TO '{follower[0]}'@'127.0.0.1'")
			mariadb.copy_database(site_db, database, own, root / "site.sql", gtid=False)
			source = own
			primary = mariadb.Endpoint("127.0.0.1", own.port, site_user, password)
			primary_config = {"db_host": "127.0.0.1", "db_port": own.port}
			# this process writes there from now on (the site's own data stays as it was)
			frappe.db.rollback()
			frappe.db.close()
			conf.update(primary_config)
			frappe.connect()
		# the replica: a snapshot of the primary's database, then everything written after it, by GTID
		position = mariadb.copy_database(source, database, replica, root / "seed.sql", gtid=True)
		mariadb.follow(replica, source, position, *follower)
		mariadb.caught_up(replica, primary)
		yield Replica(
			replica,
			primary,
			{
				**primary_config,
				"read_from_replica": 1,
				"replica_host": "127.0.0.1",
				"replica_db_port": replica.port,
				"different_credentials_for_replica": 1,
				"replica_db_name": READER,  # v15 reads only this key; v16 replica_db_user, else this
				"replica_db_password": reader_password,
			},
			reader_password,
		)
	finally:
		_forget_the_replica()
		if conf.get("db_port") != saved_conf["db_port"]:
			frappe.db.rollback()
			frappe.db.close()
			for k, v in saved_conf.items():
				if v is None:
					conf.pop(k, None)
				else:
					conf[k] = v
			frappe.connect()
			frappe.clear_cache()  # documents cached from our own primary's copy
		for server in reversed(servers):
			server.stop()
		shutil.rmtree(root, ignore_errors=True)


def _forget_the_replica() -> None:
	"""Frappe leaves local.replica_db / primary_db behind after a read_only() block, and a later block
	in the same request then stays on the primary (compat.py 12); each call below is a request of its
	own, so it starts without them."""
	if getattr(frappe.local, "primary_db", None) is not None:
		frappe.local.db = frappe.local.primary_db
	for attr in ("replica_db", "primary_db"):
		if hasattr(frappe.local, attr):
			delattr(frappe.local, attr)


@contextmanager
def reading_from(replica: Replica):
	"""The site's replica settings, as its site_config would hold them, for the calls inside."""
	conf = frappe.local.conf
	saved = {k: conf.get(k) for k in replica.replica_config}
	conf.update(replica.replica_config)
	_forget_the_replica()
	try:
		yield
	finally:
		_forget_the_replica()
		for k, v in saved.items():
			if v is None:
				conf.pop(k, None)
			else:
				conf[k] = v


@contextmanager
def replica_behind(replica: Replica):
	"""The replica stops applying what the primary writes (its copy stays as it was); afterwards it
	applies everything and catches up."""
	replica.server.sql("STOP SLAVE SQL_THREAD")
	try:
		yield
	finally:
		replica.server.sql("START SLAVE SQL_THREAD")
		mariadb.caught_up(replica.server, replica.primary)


@pytest.fixture
def on_primary(replica):
	"""Change records on the primary, committed (the replica sees them only by replication); each is put
	back, committed, afterwards."""
	changed = []

	def change(doctype: str, name: str, **values) -> None:
		changed.append((doctype, name, frappe.db.get_value(doctype, name, list(values), as_dict=True)))
		frappe.db.set_value(doctype, name, values, update_modified=False)
		frappe.db.commit()

	yield change
	frappe.db.rollback()
	for doctype, name, old in reversed(changed):
		frappe.db.set_value(doctype, name, old, update_modified=False)
	frappe.db.commit()
	mariadb.caught_up(replica.server, replica.primary)


def run_report(name: str, user: str | None = None, **filters) -> dict:
	from frappe.desk.query_report import run

	frappe.set_user(user or "Administrator")
	try:
		return run(name, filters=filters)
	finally:
		frappe.set_user("Administrator")


def answer(result: dict) -> str:
	"""What a report says (not how long it took), comparable to the byte."""
	keys = ("columns", "result", "message", "chart", "report_summary")
	return json.dumps({k: result.get(k) for k in keys}, default=str, sort_keys=True)


def reports(world) -> dict[str, dict]:
	"""Every report of the app, with the filters it needs."""
	return {
		"AP Planning Call Pack": {"as_at": today()},
		"AP Provider Summary": {"as_at": today()},
		"AP Inspection Readiness": {},
		"AP Off-rolling Guard": {},
		"AP Registration Threshold": {},
		"AP Census Return": {"census_date": today()},
		"AP Progress": {},
		"AP Domain History": {"pupil": world.pupil_a1},
		"AP Governors Report": {"school": world.school_a},
		"AP Spend": {"group_by": "Provider"},
		"AP Value for Money": {"group_by": "Provider"},
		"Safeguarding Access": {"school": world.school_a},
	}


def census_failures(result: dict) -> dict[str, str]:
	return {
		r["placement"]: r["failures"] for r in result["result"] if isinstance(r, dict) and r.get("placement")
	}


def logged_on(endpoint, user: str, since) -> set[tuple]:
	rows = endpoint.sql(
		f"SELECT reference_doctype, reference_name, door, outcome FROM `tab{LOG}`"
		" WHERE user = %s AND accessed_on >= %s",
		(user, since),
		database=frappe.local.conf.db_name,
	)
	return set(rows)


@pytest.fixture
def audit_entries(world, replica):
	"""Entries the test writes (test data only), removed from the primary afterwards."""
	since = now_datetime()
	yield since
	frappe.db.rollback()
	frappe.db.delete(LOG, {"accessed_on": (">=", since), "user": ("in", list(world.users.values()))})
	frappe.db.commit()


# ---- the pair ---------------------------------------------------------------------------------------
def test_the_replica_is_a_read_only_copy_frappe_reads_as_a_select_only_user(replica):
	r = replica
	assert r.server.value("SELECT @@global.read_only") == 1
	assert r.server.value("SELECT @@server_id") != r.primary.value("SELECT @@server_id")
	reader = mariadb.Endpoint("127.0.0.1", r.server.port, READER, r.reader_password)
	database = frappe.local.conf.db_name
	assert [g[0] for g in reader.sql("SHOW GRANTS")][1:] == [
		f"GRANT SELECT ON `{database}`.* TO `{READER}`@`127.0.0.1`"
	]
	with pytest.raises(pymysql.MySQLError, match=r"read-only|command denied"):
		reader.sql(f"UPDATE `{database}`.`tabPlacement` SET modified = modified LIMIT 1")

	@frappe.read_only()
	def server_id():
		return frappe.db.sql("SELECT @@server_id")[0][0]

	with reading_from(replica):
		assert server_id() == r.server.server_id
	assert server_id() == r.primary.value("SELECT @@server_id")


# ---- reports ----------------------------------------------------------------------------------------
def test_every_report_answers_on_the_replica_as_on_the_primary(world, replica):
	for name, filters in reports(world).items():
		expected = answer(run_report(name, **filters))
		with reading_from(replica):
			assert answer(run_report(name, **filters)) == expected, name


def test_a_report_reads_the_replica(world, replica, on_primary):
	census = {"census_date": today(), "school": world.school_a}
	with replica_behind(replica):
		on_primary("Placement", world.pa1, census_reason="EHC")  # pupil A1's SEN status is not "E"
		assert "EHC" in census_failures(run_report("AP Census Return", **census))[world.pa1]
		with reading_from(replica):
			stale = run_report("AP Census Return", **census)
		assert census_failures(stale)[world.pa1] == ""  # the replica's copy: not changed yet
	with reading_from(replica):
		caught_up = run_report("AP Census Return", **census)
	assert answer(caught_up) == answer(run_report("AP Census Return", **census))
	assert "EHC" in census_failures(caught_up)[world.pa1]


# ---- cards, chart sources, packs, exports -----------------------------------------------------------
DOORS = {
	"registers_outstanding": lambda w: cards.registers_outstanding(),
	"reviews_overdue": lambda w: cards.reviews_overdue(),
	"assurances_expiring": lambda w: cards.assurances_expiring(),
	"attendance_rate": lambda w: cards.attendance_rate(),
	"placements_by_provider": lambda w: cards.placements_by_provider(),
	"placements_by_reason": lambda w: cards.placements_by_reason(),
	"domain_chart": lambda w: progress.domain_chart(placement=w.pa1),
}


def test_the_cards_and_charts_answer_on_the_replica_as_on_the_primary(world, replica):
	for name, door in DOORS.items():
		expected = door(world)
		with reading_from(replica):
			assert door(world) == expected, name


def test_a_card_reads_the_replica(world, replica, on_primary):
	before = cards.reviews_overdue()
	with replica_behind(replica):
		on_primary("Placement", world.pa1, next_review_date=add_days(today(), -400))
		assert cards.reviews_overdue() == before + 1
		with reading_from(replica):
			assert cards.reviews_overdue() == before
	with reading_from(replica):
		assert cards.reviews_overdue() == before + 1


def test_the_ctf_export_reads_the_replica(world, replica, on_primary):
	first_name = frappe.db.get_value("Pupil", world.pupil_a1, "first_name")
	with replica_behind(replica):
		on_primary("Pupil", world.pupil_a1, first_name="Renamed")
		with reading_from(replica):
			xml = ctf.export_ctf(pupils=json.dumps([world.pupil_a1]))
		assert first_name in xml and "Renamed" not in xml
	with reading_from(replica):
		assert "Renamed" in ctf.export_ctf(pupils=json.dumps([world.pupil_a1]))


def test_the_domain_chart_reads_the_replica(world, replica):
	made = []
	try:
		with replica_behind(replica):
			for when, baseline, score in ((-20, 1, 1), (-1, 0, 3)):
				doc = frappe.get_doc(
					{
						"doctype": "Domain Assessment",
						"placement": world.pa2,
						"pupil": world.pupil_a2,
						"assessment_date": add_days(today(), when),
						"is_baseline": baseline,
						"scores": [{"domain": "Resilience", "score": score}],
					}
				).submit()
				made.append(doc.name)
			frappe.db.commit()
			assert progress.domain_chart(placement=world.pa2)["labels"] == ["Resilience"]
			with reading_from(replica):
				assert progress.domain_chart(placement=world.pa2) is None  # nothing assessed there yet
		with reading_from(replica):
			assert progress.domain_chart(placement=world.pa2)["labels"] == ["Resilience"]
	finally:
		frappe.db.rollback()
		frappe.db.delete("Domain Assessment Score", {"parent": ("in", made)})
		frappe.db.delete("Domain Assessment", {"name": ("in", made)})
		frappe.db.commit()


def pdf_text(content: bytes) -> str:
	from pypdf import PdfReader

	return " ".join(" ".join(page.extract_text().split()) for page in PdfReader(io.BytesIO(content)).pages)


def test_the_planning_call_pack_reads_the_replica(world, replica, on_primary):
	pupil_name = frappe.db.get_value("Placement", world.pa1, "pupil_name")
	with replica_behind(replica):
		on_primary("Placement", world.pa1, pupil_name="Renamed Pupil")
		with reading_from(replica):
			packs.planning_call_pdf(as_at=today(), school=world.school_a)
		text = pdf_text(frappe.local.response.pop("filecontent"))
		frappe.local.response.pop("filename", None), frappe.local.response.pop("type", None)
	assert pupil_name in text and "Renamed Pupil" not in text


# ---- nothing written on the replica: the audit goes to the primary -----------------------------------
def test_a_welfare_fact_shown_from_the_replica_is_audited_on_the_primary(
	world, replica, on_primary, audit_entries
):
	"""As a job would run it (here: this process): the census return checks a pupil's SEN status for a
	Safeguarding Lead, which shows it; the entry joins the primary's transaction, committed with it."""
	on_primary("Placement", world.pa1, census_reason="EHC")
	mariadb.caught_up(replica.server, replica.primary)
	dsl, since = world.users["dsl_a"], audit_entries
	with replica_behind(replica):
		with reading_from(replica):
			rows = run_report("AP Census Return", dsl, census_date=today())
		assert "EHC" in census_failures(rows)[world.pa1]
		frappe.db.commit()  # the job's commit
		shown = ("Pupil Welfare", world.pupil_a1, "Report", "Granted")
		assert shown in logged_on(replica.primary, dsl, since)
		assert logged_on(replica.server, dsl, since) == set()  # nothing there but what replication brings
	assert shown in logged_on(replica.server, dsl, since)


# ---- over HTTP: the desk's own requests ------------------------------------------------------------
@contextmanager
def serving(replica: Replica, **settings):
	"""The site as a web server whose site_config names the replica: a site folder of its own in the
	bench holding the site's site_config plus the replica keys (the same database), served by
	`frappe serve`; the site's own site_config is left alone."""
	name = f"ap-replica-{os.getpid()}-{uuid.uuid4().hex[:6]}.localhost"
	folder = BENCH / "sites" / name
	config = json.loads((BENCH / "sites" / SITE / "site_config.json").read_text())
	config.update(replica.site_config, pause_scheduler=1, **settings)
	(folder / "logs").mkdir(parents=True)  # Frappe logs there
	try:
		(folder / "site_config.json").write_text(json.dumps(config, indent=1))
		with serve(name) as url:
			yield url
	finally:
		shutil.rmtree(folder, ignore_errors=True)


@pytest.fixture(scope="module")
def served(replica):
	with serving(replica) as url:
		yield url


def login(url: str, user: str) -> requests.Session:
	s = requests.Session()
	r = s.post(f"{url}/api/method/login", data={"usr": user, "pwd": PASSWORD}, timeout=30)
	assert r.ok, r.text
	return s


def test_over_http_reports_exports_and_cards_read_the_replica_and_the_audit_lands_on_the_primary(
	world, replica, served, on_primary, audit_entries
):
	"""The desk's own requests, as the LA's AP Administrator (who makes the census return and may read SEN
	status): the report, its CSV export and a card answer from the replica; the entry for the SEN status
	the census check showed is written on the primary when the request ends."""
	admin, since = world.users["admin"], audit_entries
	on_primary("Placement", world.pa1, census_reason="EHC")
	mariadb.caught_up(replica.server, replica.primary)
	s = login(served, admin)
	census = json.dumps({"census_date": today(), "school": world.school_a})
	frappe.set_user(admin)
	overdue = cards.reviews_overdue()
	frappe.set_user("Administrator")
	with replica_behind(replica):
		# the primary moves on: the reason corrected, a review missed
		on_primary("Placement", world.pa1, census_reason="BEH", next_review_date=add_days(today(), -400))
		frappe.set_user(admin)
		assert cards.reviews_overdue() == overdue + 1
		frappe.set_user("Administrator")
		r = s.get(
			f"{served}/api/method/frappe.desk.query_report.run",
			params={"report_name": "AP Census Return", "filters": census},
			timeout=60,
		)
		assert r.ok, r.text
		assert "EHC" in census_failures(r.json()["message"])[world.pa1]  # the replica's copy
		r = s.post(
			f"{served}/api/method/frappe.desk.query_report.export_query",
			data={
				"report_name": "AP Census Return",
				"file_format_type": "CSV",
				"filters": census,
				"visible_idx": "[]",  # every row
				"include_indentation": 0,
			},
			timeout=60,
		)
		assert r.ok, r.text
		exported = {row[-1]: row for row in csv.reader(io.StringIO(r.content.decode("utf-8-sig")))}
		assert any("EHC" in cell for cell in exported[world.pa1])
		r = s.get(f"{served}/api/method/ap_framework.oversight.cards.reviews_overdue", timeout=60)
		assert r.ok and r.json()["message"] == overdue
		shown = ("Pupil Welfare", world.pupil_a1, "Report", "Granted")
		assert shown in logged_on(replica.primary, admin, since)
		assert logged_on(replica.server, admin, since) == set()
	assert shown in logged_on(replica.server, admin, since)  # replicated, as every write of the primary
	r = s.get(
		f"{served}/api/method/frappe.desk.query_report.run",
		params={"report_name": "AP Census Return", "filters": census},
		timeout=60,
	)
	assert census_failures(r.json()["message"])[world.pa1] == ""  # caught up: the primary's answer


def test_reads_during_maintenance_come_from_the_replica_and_a_safeguarding_record_is_withheld(
	world, replica, served, on_primary, audit_entries
):
	"""Frappe's reads during maintenance (maintenance_mode with allow_reads_during_maintenance) answer the
	whole request from the replica, in a read-only transaction: a placement is served (the replica's
	copy), but a pupil's welfare record is withheld, since its read cannot be written on the log (no
	entry, no data); nothing is written on either server."""
	dsl, since = world.users["dsl_a"], audit_entries
	welfare = frappe.db.get_value("Pupil Welfare", {"pupil": world.pupil_a1})
	pupil_name = frappe.db.get_value("Placement", world.pa1, "pupil_name")
	s = login(served, dsl)  # before the maintenance: signing in writes a session
	with (
		replica_behind(replica),
		serving(replica, maintenance_mode=1, allow_reads_during_maintenance=1) as url,
	):
		on_primary("Placement", world.pa1, pupil_name="Renamed Pupil")
		r = s.get(f"{url}/api/resource/Placement/{world.pa1}", timeout=60)
		assert r.ok, r.text
		assert r.json()["data"]["pupil_name"] == pupil_name  # the replica's copy
		r = s.get(f"{url}/api/resource/Pupil Welfare/{welfare}", timeout=60)
		assert r.status_code == 503 and world.pupil_a1 not in r.text
		assert logged_on(replica.primary, dsl, since) == set()
	assert logged_on(replica.server, dsl, since) == set()
