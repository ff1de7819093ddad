frappe.provide("frappe.dashboards.chart_sources");

frappe.dashboards.chart_sources["AP Attendance Rate"] = {
	method: "ap_framework.oversight.cards.attendance_rate",
	filters: [],
};
