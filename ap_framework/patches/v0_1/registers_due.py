"""The registers-outstanding card counts today's unmarked registers from AP Register Due: write today's
rows now, so the card reads them from the first look after the upgrade (until then it works them out)."""

from ap_framework.placement import registers_due


def execute():
	registers_due.rebuild()
