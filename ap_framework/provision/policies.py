"""Gather the providers' policy records for the rules in ap_framework/rules/policies.py: one query for
any number of providers (the approval gates, the readiness board and the daily chase all start here)."""

from __future__ import annotations

from collections import defaultdict
from datetime import date

import frappe
from frappe.query_builder import DocType

from ap_framework.rules import policies as rules
from ap_framework.utils import to_date


def held(providers) -> dict[str, list[rules.Policy]]:
	"""Every policy record of each provider (deliberately unscoped: callers decide who is told what)."""
	providers = sorted({p for p in providers if p})
	if not providers:
		return {}
	pp = DocType("Provider Policy")
	rows = (
		frappe.qb.from_(pp)
		.select(pp.name, pp.provider, pp.policy_type, pp.dated_on, pp.review_date)
		.where(pp.provider.isin(providers))
		.run(as_dict=True)
	)
	out: dict[str, list[rules.Policy]] = defaultdict(list)
	for r in rows:
		out[r.provider].append(
			rules.Policy(r.name, r.policy_type, to_date(r.dated_on), to_date(r.review_date))
		)
	return out


def missing_on(providers: dict[str, str | None], on: date) -> dict[str, list[str]]:
	"""{provider: required policies not current on `on`} for the providers (name -> registration status)
	that must hold them; a provider that is missing none is left out."""
	need = [p for p, status in providers.items() if rules.requires_policies(status)]
	records = held(need)
	out = {}
	for p in need:
		if missing := rules.missing_or_lapsed(records.get(p, []), on):
			out[p] = missing
	return out
