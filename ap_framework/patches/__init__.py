"""Helpers the patches share."""

import frappe

from ap_framework.compat import forget_table_columns


def drop_columns(doctype: str, columns: list[str]) -> None:
	"""Drop columns a DocType no longer has (migrate leaves them in the table)."""
	if columns:
		frappe.db.sql_ddl(f"alter table `tab{doctype}` " + ", ".join(f"drop column `{c}`" for c in columns))
		forget_table_columns(doctype)  # the cached column list would still name them
