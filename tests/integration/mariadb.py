"""Throwaway MariaDB servers for the replica test: each its own datadir, port, socket and server id under
one temporary folder, run as the test's own user, and replication between them by GTID.

Nothing here touches the site's own database server beyond reading from it (a dump of the site's
database, its binary log position), so the test can run beside others on a shared machine.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import time
from pathlib import Path

_PLACES = ("/usr/sbin", "/usr/local/sbin", "/usr/libexec", "/usr/local/mysql/bin", "/opt/mariadb/bin")


def binary(*names: str) -> str | None:
	"""The first of `names` on PATH or in the usual server folders (often not on a user's PATH)."""
	path = os.pathsep.join([os.environ.get("PATH", ""), *_PLACES])
	for name in names:
		if found := shutil.which(name, path=path):
			return found
	return None


SERVER = binary("mariadbd", "mysqld")
INSTALL_DB = binary("mariadb-install-db", "mysql_install_db")
DUMP = binary("mariadb-dump", "mysqldump")
CLIENT = binary("mariadb", "mysql")


def missing() -> str | None:
	"""Why servers cannot be made here (None when they can)."""
	for label, found in (
		("mariadbd", SERVER),
		("mariadb-install-db", INSTALL_DB),
		("mariadb-dump", DUMP),
		("mariadb", CLIENT),
	):
		if not found:
			return f"replica test skipped: no {label} binary on this machine"
	return None


class Endpoint:
	"""Where a server answers and who logs in there: the site's own server, or one of ours."""

	def __init__(self, host: str, port: int, user: str, password: str, socket: str | None = None):
		self.host, self.port, self.user, self.password, self.socket = host, port, user, password, socket

	def connect(self, database: str | None = None):
		import pymysql

		where = {"unix_socket": self.socket} if self.socket else {"host": self.host, "port": self.port}
		return pymysql.connect(
			**where,
			user=self.user,
			password=self.password,
			database=database,
			autocommit=True,
			charset="utf8mb4",
			connect_timeout=10,
		)

	def sql(self, query: str, args=None, database: str | None = None) -> list[tuple]:
		conn = self.connect(database)
		try:
			with conn.cursor() as cur:
				cur.execute(query, args)
				return list(cur.fetchall())
		finally:
			conn.close()

	def value(self, query: str, args=None):
		rows = self.sql(query, args)
		return rows[0][0] if rows else None

	def client_args(self) -> list[str]:
		where = [f"--socket={self.socket}"] if self.socket else [f"--host={self.host}", f"--port={self.port}"]
		password = [f"--password={self.password}"] if self.password else []
		return ["--no-defaults", *where, f"--user={self.user}", *password]


class Server(Endpoint):
	"""A mariadbd of our own: root with no password over its socket; TCP on 127.0.0.1 for replication
	and for Frappe."""

	def __init__(self, root: Path, name: str, server_id: int, port: int, options: list[str]):
		self.dir = root / name
		self.datadir = self.dir / "data"
		super().__init__("127.0.0.1", port, "root", "", socket=str(self.dir / "mysqld.sock"))
		self.server_id, self.options, self.proc = server_id, options, None

	def start(self, timeout: float = 60) -> Server:
		return self.launch().ready(timeout)

	def launch(self) -> Server:
		"""Make the datadir and start the server (without waiting for it: see ready)."""
		self.dir.mkdir(parents=True)
		as_root = ["--user=root"] if os.geteuid() == 0 else []
		common = ["--no-defaults", f"--datadir={self.datadir}", "--innodb-log-file-size=8M", *as_root]
		subprocess.run(
			[INSTALL_DB, *common, "--auth-root-authentication-method=normal", "--skip-test-db"],
			check=True,
			capture_output=True,
			timeout=120,
		)
		log = self.dir / "error.log"
		self.proc = subprocess.Popen(
			[
				SERVER,
				*common,
				f"--port={self.port}",
				"--bind-address=127.0.0.1",
				f"--socket={self.socket}",
				f"--pid-file={self.dir / 'mysqld.pid'}",
				f"--log-error={log}",
				f"--server-id={self.server_id}",
				"--skip-name-resolve",
				"--innodb-buffer-pool-size=64M",
				"--performance-schema=OFF",
				"--max-allowed-packet=256M",
				"--character-set-server=utf8mb4",
				"--collation-server=utf8mb4_unicode_ci",
				"--skip-character-set-client-handshake",
				# a throwaway server: no waiting for the disk on every commit
				"--innodb-flush-log-at-trx-commit=0",
				"--sync-binlog=0",
				"--innodb-doublewrite=0",
				*self.options,
			],
			stdout=subprocess.DEVNULL,
			stderr=subprocess.DEVNULL,
			start_new_session=True,
		)
		return self

	def ready(self, timeout: float = 60) -> Server:
		"""Wait until the server answers."""
		log = self.dir / "error.log"
		deadline = time.monotonic() + timeout
		while time.monotonic() < deadline:
			if self.proc.poll() is not None:
				raise RuntimeError(f"mariadbd {self.dir.name} exited: {_tail(log)}")
			try:
				self.sql("SELECT 1")
				return self
			except Exception:
				time.sleep(0.2)
		raise RuntimeError(f"mariadbd {self.dir.name} did not answer in {timeout} s: {_tail(log)}")

	def stop(self) -> None:
		if self.proc is None or self.proc.poll() is not None:
			return
		try:
			self.sql("SHUTDOWN")
			self.proc.wait(timeout=30)
		except Exception:
			self.proc.kill()
			self.proc.wait(timeout=10)


def _tail(path: Path, lines: int = 8) -> str:
	try:
		return " | ".join(path.read_text(errors="replace").splitlines()[-lines:])
	except OSError:
		return "(no error log)"


def copy_database(
	source: Endpoint, database: str, target: Endpoint, dump_file: Path, gtid: bool
) -> str | None:
	"""Dump `database` from `source` in one consistent snapshot and load it into `target` (which has the
	database already, empty). With `gtid`, the snapshot's binary log position on the source is returned
	(GTID), from which a replica seeded with it follows."""
	args = [DUMP, *source.client_args(), "--single-transaction", "--quick", "--routines", "--triggers"]
	if gtid:
		args += ["--master-data=2", "--gtid"]  # the position, as a comment, taken at the snapshot
	with open(dump_file, "wb") as out:
		subprocess.run([*args, database], stdout=out, stderr=subprocess.PIPE, check=True, timeout=300)
	with open(dump_file, "rb") as dump:
		subprocess.run(
			[CLIENT, *target.client_args(), database],
			stdin=dump,
			capture_output=True,
			check=True,
			timeout=300,
		)
	if not gtid:
		return None
	position = None
	with open(dump_file, encoding="utf8", errors="replace") as dump:
		for line in dump:  # "-- SET GLOBAL gtid_slave_pos='0-1-42';", near the end of the file
			if line.startswith("--") and (found := re.search(r"gtid_slave_pos\s*=\s*'([^']*)'", line)):
				position = found.group(1)
	if position is None:
		raise RuntimeError("the dump names no GTID position: is the source's binary log on?")
	return position


def follow(replica: Server, source: Endpoint, gtid_position: str, user: str, password: str) -> None:
	"""Make `replica` replicate from `source`, from `gtid_position` on."""
	replica.sql("SET GLOBAL gtid_slave_pos = %s", (gtid_position,))
	replica.sql(
		"CHANGE MASTER TO MASTER_HOST = %s, MASTER_PORT = %s, MASTER_USER = %s, MASTER_PASSWORD = %s,"
		" MASTER_USE_GTID = slave_pos, MASTER_CONNECT_RETRY = 1",
		(source.host, int(source.port), user, password),
	)
	replica.sql("START SLAVE")


def caught_up(replica: Server, source: Endpoint, timeout: int = 60) -> None:
	"""Wait until `replica` has applied everything `source` has written so far."""
	position = source.value("SELECT @@gtid_binlog_pos")
	if replica.value("SELECT MASTER_GTID_WAIT(%s, %s)", (position, timeout)) != 0:
		raise RuntimeError(f"the replica did not catch up with {position} in {timeout} s: {status(replica)}")


def status(replica: Server) -> dict:
	conn = replica.connect()
	try:
		with conn.cursor() as cur:
			cur.execute("SHOW SLAVE STATUS")
			row = cur.fetchone()
			names = [d[0] for d in cur.description or []]
	finally:
		conn.close()
	if not row:
		return {}
	wanted = ("Slave_IO_Running", "Slave_SQL_Running", "Last_IO_Error", "Last_SQL_Error", "Gtid_IO_Pos")
	return {k: v for k, v in zip(names, row, strict=True) if k in wanted}
