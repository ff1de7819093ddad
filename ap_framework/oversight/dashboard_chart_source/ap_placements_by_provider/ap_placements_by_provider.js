frappe.provide("frappe.dashboards.chart_sources");

frappe.dashboards.chart_sources["AP Placements by Provider"] = {
	method: "ap_framework.oversight.cards.placements_by_provider",
	filters: [],
};
