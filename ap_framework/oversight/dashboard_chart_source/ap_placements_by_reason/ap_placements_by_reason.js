frappe.provide("frappe.dashboards.chart_sources");

frappe.dashboards.chart_sources["AP Placements by Reason"] = {
	method: "ap_framework.oversight.cards.placements_by_reason",
	filters: [],
};
