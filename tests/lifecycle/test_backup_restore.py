"""A backup restores to the same site: `bench backup --with-files` of a site holding the test world, its
marks, logs and private files, `bench restore` of it into a new site, and every app table and every file
compared. Runs on the throwaway lifecycle site (AP_LIFECYCLE_SITE), before the uninstall module; the
restored site is made and dropped here with the bench CLI.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
from contextlib import contextmanager
from pathlib import Path

import pytest

from tests.conftest import BENCH, SITE, integration_skip_reason

LIFECYCLE_SITE = os.environ.get("AP_LIFECYCLE_SITE", "")
reason = integration_skip_reason()
if not reason and (not LIFECYCLE_SITE or LIFECYCLE_SITE != SITE):
	reason = "lifecycle tests skipped: they make and drop sites; set AP_LIFECYCLE_SITE to AP_SITE on a throwaway site"
pytestmark = pytest.mark.skipif(bool(reason), reason=reason or "")

ROOT_USER = os.environ.get("AP_DB_ROOT_USER", "root")
ROOT_PASSWORD = os.environ.get("AP_DB_ROOT_PASSWORD", "root")
RESTORED = "restored-" + SITE


def bench(*args: str, site: str | None = SITE) -> str:
	python = BENCH / "env" / "bin" / "python"
	out = subprocess.run(
		[
			str(python if python.exists() else sys.executable),
			"-m",
			"frappe.utils.bench_helper",
			"frappe",
			*(("--site", site) if site else ()),
			*args,
		],
		cwd=BENCH / "sites",
		capture_output=True,
		text=True,
		timeout=900,
	)
	assert out.returncode == 0, out.stdout[-3000:] + out.stderr[-3000:]
	return out.stdout


@pytest.fixture(scope="module")
def site():
	import frappe

	os.chdir(BENCH / "sites")
	frappe.init(site=SITE, sites_path=".")
	frappe.connect()
	frappe.set_user("Administrator")
	frappe.flags.mute_emails = True
	yield frappe
	frappe.db.rollback()
	frappe.destroy()


@pytest.fixture(scope="module")
def held(site):
	"""The test world, a register, a contact log, and private and public files, committed."""
	import frappe

	from tests.integration.test_portal import last_weekday
	from tests.integration.world import World

	world = World("Ap-restore-" + frappe.generate_hash(length=10))
	world.build()
	frappe.set_user(world.users["provider_1"])
	from ap_framework.portal import api

	api.save_register(str(last_weekday()), "AM", json.dumps([{"placement": world.pa1, "mark": "/"}]))
	api.log_contact(world.pa1, "Phone", "Called home", form_token="restore" + frappe.generate_hash(length=12))
	frappe.set_user("Administrator")
	files = [
		frappe.get_doc(
			{
				"doctype": "File",
				"file_name": f"restore-{world.token}-{kind}.txt",
				"content": f"{kind} file of {world.token}".encode(),
				"is_private": private,
				"attached_to_doctype": "AP Provider",
				"attached_to_name": world.p1,
			}
		).insert(ignore_permissions=True)  # Administrator, setting up the site under test
		for kind, private in (("private", 1), ("public", 0))
	]
	frappe.db.commit()
	yield world
	frappe.db.rollback()
	for f in files:
		frappe.delete_doc("File", f.name, force=True, ignore_permissions=True)
	world.destroy()
	frappe.db.commit()


def app_tables(db) -> list[str]:
	"""Every table of the app's DocTypes (child tables too); singles live in tabSingles."""
	modules = [r[0] for r in db.sql("select name from `tabModule Def` where app_name = 'ap_framework'")]
	rows = db.sql(
		"select name from tabDocType where module in %s and issingle = 0 and is_virtual = 0 order by name",
		(modules,),
	)
	return [f"tab{r[0]}" for r in rows]


def app_singles(db) -> list[str]:
	modules = [r[0] for r in db.sql("select name from `tabModule Def` where app_name = 'ap_framework'")]
	return [
		r[0] for r in db.sql("select name from tabDocType where module in %s and issingle = 1", (modules,))
	]


def digest(rows) -> str:
	return hashlib.sha256(json.dumps([list(r) for r in rows], default=str).encode()).hexdigest()


def contents(run, tables: list[str], singles: list[str]) -> dict[str, tuple[int, str]]:
	"""{table: (rows, digest of every row in name order)} through `run(sql, values)`."""
	out = {
		t: (lambda rows: (len(rows), digest(rows)))(run(f"select * from `{t}` order by name", ()))
		for t in tables
	}
	out["tabSingles (ours)"] = (
		0,
		digest(run("select * from tabSingles where doctype in %s order by doctype, field", (singles,))),
	)
	out["tabFile"] = (lambda rows: (len(rows), digest(rows)))(run("select * from tabFile order by name", ()))
	return out


def files_of(site_path: Path) -> dict[str, str]:
	"""{path under the site: sha256} of its private and public files (not its backups)."""
	out = {}
	for folder in ("private/files", "public/files"):
		for path in sorted((site_path / folder).rglob("*")):
			if path.is_file():
				out[str(path.relative_to(site_path))] = hashlib.sha256(path.read_bytes()).hexdigest()
	return out


@contextmanager
def reader(site_name: str):
	"""run(sql, values) -> rows, on a site's own database with its own credentials; the same client for
	both sites, so a value reads the same on each (Frappe's connection turns decimals into floats)."""
	import frappe
	import pymysql

	config = json.loads((BENCH / "sites" / site_name / "site_config.json").read_text())
	conn = pymysql.connect(
		host=frappe.conf.db_host or "127.0.0.1",
		port=int(frappe.conf.db_port or 3306),
		user=config.get("db_user") or config["db_name"],
		password=config["db_password"],
		database=config["db_name"],
	)

	def run(sql, values):
		with conn.cursor() as cursor:
			cursor.execute(sql, values or None)
			return cursor.fetchall()

	try:
		yield run
	finally:
		conn.close()


def test_a_backup_with_files_restores_into_a_new_site_with_every_row_and_file(site, held):
	import frappe

	db = frappe.db
	tables, singles = app_tables(db), app_singles(db)
	assert len(tables) >= 38 and "tabAP Attendance" in tables and "tabAP Submission" in tables
	with reader(SITE) as run:
		before = contents(run, tables, singles)
	assert before["tabAP Attendance"][0] and before["tabContact Log"][0] and before["tabAP Submission"][0]
	source = BENCH / "sites" / SITE
	files = files_of(source)
	assert any(p.startswith("private/files/restore-") for p in files), files
	assert any(p.startswith("public/files/restore-") for p in files), files
	db.rollback()

	out = bench("backup", "--with-files")
	made = dict(re.findall(r"^(Database|Public|Private)\s*:\s*(\S+)", out, re.M))
	assert set(made) == {"Database", "Public", "Private"}, out
	made = {k: str((BENCH / "sites" / v).resolve()) if not os.path.isabs(v) else v for k, v in made.items()}
	archive = tempfile.mkdtemp(prefix="ap-restore-archive-")
	host = ["--db-host", frappe.conf.db_host] if frappe.conf.db_host else []
	try:
		bench(
			"new-site",
			RESTORED,
			"--admin-password",
			"admin",
			"--db-root-username",
			ROOT_USER,
			"--db-root-password",
			ROOT_PASSWORD,
			*host,
			site=None,
		)
		bench(
			"restore",
			made["Database"],
			"--with-public-files",
			made["Public"],
			"--with-private-files",
			made["Private"],
			"--db-root-username",
			ROOT_USER,
			"--db-root-password",
			ROOT_PASSWORD,
			"--force",
			site=RESTORED,
		)
		# the site's secrets are readable with the key they were stored with, as a real move carries it
		bench("set-config", "encryption_key", frappe.conf.encryption_key or "", site=RESTORED)
		with reader(RESTORED) as run:
			assert sorted(r[0] for r in run("show tables", ()) if r[0] in tables) == sorted(tables)
			after = contents(run, tables, singles)
		differ = sorted(t for t in before if before[t] != after.get(t))
		assert not differ, f"restored differently: {differ}"
		assert files_of(BENCH / "sites" / RESTORED) == files
		assert "ap_framework" in bench("list-apps", site=RESTORED)
	finally:
		if (BENCH / "sites" / RESTORED).exists():
			bench(
				"drop-site",
				RESTORED,
				"--db-root-username",
				ROOT_USER,
				"--db-root-password",
				ROOT_PASSWORD,
				"--no-backup",
				"--force",
				"--archived-sites-path",
				archive,
				site=None,
			)
		shutil.rmtree(archive, ignore_errors=True)
		for path in made.values():
			Path(path).unlink(missing_ok=True)
		config_backup = Path(made["Database"].replace("-database.sql.gz", "-site_config_backup.json"))
		config_backup.unlink(missing_ok=True)
