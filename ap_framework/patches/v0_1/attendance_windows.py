"""The readiness board reads each placement's four weeks of marks from AP Attendance Window: sum them once
now, so the board is quick from the first look after the upgrade rather than from the first night."""

from ap_framework.placement import attendance_window


def execute():
	attendance_window.rebuild()
