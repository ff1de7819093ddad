"""Where each role lands: one desk home (a Workspace) per role, as plain data.

Used by hooks.py (role_home_page), ap_framework/oversight/homes.py (a user's default workspace) and the
tests; imports nothing from frappe. A user with several of these roles lands on the first home in
HOMES that one of their roles opens: the LA's board before the school's, the school's before the
governors' (a Safeguarding Lead who is also a governor works from the school's home).
"""

from __future__ import annotations

# workspace name -> the roles it is for, widest first. Each role has exactly one home.
HOMES: dict[str, tuple[str, ...]] = {
	"Alternative Provision": ("AP Administrator",),  # the LA: every school, provider, audit; the whole board
	"AP Quality Assurance": ("QA Officer",),  # the LA's QA: providers, assurances, audits, visits
	"AP School": ("Safeguarding Lead", "AP Lead", "Senior Leader"),  # one school's registers, reviews, alerts
	"AP Governors": ("Governor",),  # the governors' report and its figures; no pupil named
}
# The homes are Workspaces of module Oversight, but for the governors', which is of module Placement:
# Frappe opens a workspace only to a user who may read some DocType of its module (compat.py, 14), and
# of the app's DocTypes a Governor reads School, providers, audits and standards, none of Oversight.


def slug(workspace: str) -> str:
	"""The desk route of a workspace, as Frappe's router makes it ("AP School" -> "ap-school")."""
	return workspace.lower().replace(" ", "-")


def home_for(roles) -> str | None:
	"""The workspace a user with `roles` lands on, or None when no role of theirs has a home here."""
	held = set(roles)
	return next((ws for ws, for_roles in HOMES.items() if held & set(for_roles)), None)


def role_home_pages() -> dict[str, str]:
	"""Frappe's role_home_page hook: role -> path of its home ("app/<slug>", a route both lines serve)."""
	return {role: f"app/{slug(ws)}" for ws, roles in HOMES.items() for role in roles}


def ours(workspace: str | None) -> bool:
	return workspace in HOMES
