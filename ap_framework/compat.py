"""Frappe v15 / v16 differences this app meets, in one place.

Each entry says what differs, what the app does so one codebase is right on both, and which test
fails on the line where it would go wrong. Prefer one behaviour that is correct on both lines over a
version switch; add a switch here (never scattered through the code) only where no such behaviour exists.

1. has_permission hooks. v15 reads a hook's None as "no opinion" and keeps checking; v16 reads None as
   a denial. permissions.has_permission therefore always answers a bool: True for "no objection"
   (it grants nothing: roles and User Permissions still decide), False to deny.
   Proven by tests/integration/test_http.py::test_school_lead_gets_403_for_the_other_school (its 200 for
   the lead's own placement fails on v16 with a None) and test_compat.py.
2. Python. v16 runs on Python 3.14 only, v15 on 3.10-3.13: the code uses nothing newer than 3.10 and
   nothing removed by 3.14 (ruff's target is py310; the suite runs on both interpreters).
3. Pins. Frappe pins pypdf (v15.101.1: 6.7.1, v16.9.0: 6.6.2) and requests (~=2.32.0 / ~=2.32.5);
   pyproject.toml admits both and tests/unit/test_packaging.py checks it against each bench found.
4. Notification Log. enqueue_create_notification enqueues its background job at once on v15 (outside
   the caller's transaction, so a rollback cannot take it back) and after commit on v16. The oversight
   jobs call make_notification_logs, which writes the logs in the caller's transaction on both lines, so
   a notification stands or falls with the AP Alert recorded for it (ap_framework/oversight/alerts.py).
   Proven by tests/integration/test_jobs.py::TestAttendanceDeadline::
   test_a_failed_notification_goes_with_its_alert_and_is_sent_next_run.
5. Rendering a print (frappe.get_print) writes an Access Log: v15 commits the caller's whole transaction
   to do so (unless flags.read_only, when it defers the log to Redis), v16 always defers it. The PDF pack
   renders inside a send, so compat.printing_without_commit sets flags.read_only around the render:
   the log is deferred on both lines and the caller's transaction stays the caller's. Proven by
   tests/integration/transfer/test_pack.py::test_building_a_pack_commits_nothing.
6. View Log (track_views: who opened an Incoming Profile, a Profile Transfer or a Learner Profile): v15
   writes it as the form loads; v16 loads forms read-only and defers the log to Redis until the
   scheduler's deferred-insert job writes it. Nothing to switch: the audit lands on both lines, later on
   v16. Proven by tests/integration/transfer/test_transfer.py::test_views_are_audited_on_the_receiving_side
   (which runs that job on the partner site before it looks).
7. Encryption key. A new v16 site has no encryption_key in its site_config until a secret (a Password
   field, an API secret) is first stored; a process started before then makes up a key of its own and
   cannot decrypt what another process stores meanwhile ("Failed to decrypt key"). Production sites
   have long had their key; the test harness creates it before it starts any server
   (tests/integration/conftest.py::ensure_encryption_key), without which the two-site transfer tests
   fail on a fresh v16 site (seen in CI).
8. Fields above the user's permlevel. Both lines blank their values in what they return; v15 still
   applies filters, or_filters, order_by, group_by and aggregates on them (so counts and matching rows
   answer what the value would), v16 refuses. Nothing to switch: the app keeps no field behind a
   permlevel (tests/unit/test_metadata.py::test_no_field_hides_behind_a_permlevel); special-category facts
   are DocTypes of their own, refused by the DocType-level check the two lines share. Proven door by door
   by tests/integration/test_special_category.py.
9. A table's cached column list. After a column is dropped, Frappe answers has_column / get_table_columns
   from a cache: v15 keeps it in the hash "table_columns" under "tab<DocType>" (which clear_cache(doctype)
   misses: it deletes the field "<DocType>"), v16 in the client cache under "table_columns::tab<DocType>".
   compat.forget_table_columns clears the one the running line keeps. Proven by
   tests/lifecycle/test_lifecycle.py::test_upgrade_moves_the_facts_out_of_pupil_and_contact_log.
10. Several has_permission hooks on one DocType. Both lines call them last-registered first; v15 stops at
    the first that answers anything but None and takes its answer, v16 stops at the first falsy answer.
    A second hook that only records has no right answer: None is "carry on" on v15 but a denial on v16,
    True is "carry on" on v16 but "no objection, ask no other hook" on v15; and it runs before the
    deciding hook either way. So the access audit's hook is the only hook of the audited DocTypes and
    takes the same decisions as permissions.py / transfer/access.py (ap_framework/oversight/access_audit.py).
    Proven on both lines by
    tests/integration/test_access_audit.py::test_a_refused_read_is_logged_as_denied.
11. The end of a request. v16 rolls back a failed request whatever its method; v15 rolls back only
    POST/PUT/DELETE/PATCH and leaves a failed GET's transaction open until the connection closes. The access
    audit writes its entries after both (hooks.after_request) and rolls back first, so its commit holds
    only the entries on either line (access_audit.after_request).
12. Reading from a replica. The site_config keys are the same on both lines: `read_from_replica`,
    `replica_host`, `replica_db_port`; with `different_credentials_for_replica`, the password is
    `replica_db_password` and the user `replica_db_name` (v15) or `replica_db_user`, else
    `replica_db_name` (v16). Without different credentials the replica is logged into as the primary's
    user: `db_name` on v15, `db_user` alone on v16, which a site made on v15 does not have (v16 then
    fails to connect: TypeError, the user is None). So the README's setting names a reader of its own in
    `replica_db_name`, right on both lines (and a SELECT-only grant keeps it from writing). `frappe.read_only()` makes frappe.db
    the replica for the call (frappe.local.primary_db keeps the primary) and closes it after; it leaves
    local.replica_db set, so a second block in the same request or job stays on the primary: the app puts
    it on the outermost read door only. Both lines run every report through it already
    (query_report.run, its exports, prepared reports, Report.get_data for Auto Email Reports), so the
    reports' execute() needs nothing; the cards and chart sources, the PDF packs, the domain chart and
    the CTF export are called directly and carry it themselves. What those doors write (the access audit)
    is written on the primary: a request's entries after the call, a job's in the primary's transaction,
    not the replica's (access_audit._primary). Proven on both lines by tests/integration/test_replica.py,
    on a second MariaDB server replicating from the first.
13. The queue a scheduled job runs on. Both lines: Scheduled Job Type.get_queue_name answers "long" for
    a frequency with "Long" or "Maintenance" in it (hooks "hourly_long", "daily_long", ...) and "default"
    for every other, cron included; the RQ job id differs (v15 `scheduled_job::<method>`, v16
    `scheduled_job||<name>`), which nothing here uses. The jobs that sweep the whole site are "*_long"
    events (hooks.py). Proven by
    tests/integration/test_jobs.py::test_the_scheduler_puts_the_heavy_jobs_on_the_long_queue.
14. Where a desk user lands after login. v15 answers the login with the User's default_workspace
    ("/app/<its slug>"), else the apps screen's default path, else "/app", whose router opens the
    default workspace, else Frappe's own "Home" (a Leaderboard shortcut); it reads role_home_page and
    Role.home_page only for website users and the site's "/". v16 answers every login with
    get_home_page: Role.home_page, then the role_home_page hook, else "/desk" (the desktop of app
    icons), and its router also opens the default workspace for a bare "/app" or "/desk". v16's sidebar
    and desktop icons come from Workspace Sidebar / Desktop Icon records, but a workspace's own roles
    still decide who may open it ("Not permitted" otherwise) on both lines, and both filter a
    workspace's shortcuts, links and number cards by what the user may read and its charts by their
    roles; and both refuse a workspace of a module in which the user may read no DocType (a Governor,
    who reads School but nothing of Oversight, has the governors' home in module Placement). So each
    role's home (ap_framework/rules/homes.py) is given both ways, and both lead to the
    same "/app/<slug>", a route both routers serve: role_home_page in hooks.py (v16), and the user's
    default workspace, filled in when the user is saved or migrated where they chose none
    (ap_framework/oversight/homes.py; v15, and the "/app" of both). Proven on both lines by
    tests/integration/test_role_homes.py::test_each_role_lands_on_its_home_and_everything_on_it_opens.
"""

from __future__ import annotations

import contextlib


def frappe_major() -> int:
	"""The running Frappe's major version (for reports and diagnostics, not for branching)."""
	import frappe

	return int(frappe.__version__.split(".")[0])


@contextlib.contextmanager
def printing_without_commit():
	"""See 5 above: render prints without v15 committing the caller's transaction."""
	import frappe

	saved = frappe.flags.read_only
	frappe.flags.read_only = True
	try:
		yield
	finally:
		frappe.flags.read_only = saved


def forget_table_columns(doctype: str) -> None:
	"""See 9 above: after DDL, make has_column and get_table_columns read the table again."""
	import frappe

	if hasattr(frappe, "client_cache"):  # v16
		frappe.client_cache.delete_value(f"table_columns::tab{doctype}")
	else:
		frappe.cache.hdel("table_columns", f"tab{doctype}")
