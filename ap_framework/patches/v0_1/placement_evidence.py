"""The readiness board reads what each placement's records show from AP Placement Evidence: work it out
once now, so the board reads the table from the first look after the upgrade (until then it asks the
records themselves)."""

from ap_framework.oversight import placement_evidence


def execute():
	placement_evidence.rebuild()
