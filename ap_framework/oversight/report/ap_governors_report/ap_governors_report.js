frappe.query_reports["AP Governors Report"] = {
	filters: [
		{ fieldname: "school", label: __("School"), fieldtype: "Link", options: "School", default: frappe.boot.ap_own_school, reqd: 1 },
		{ fieldname: "year", label: __("Academic year (e.g. 2025-26)"), fieldtype: "Data" },
	],
	onload(report) {
		report.page.add_inner_button(__("PDF"), () => {
			const f = report.get_values();
			window.open(`/api/method/ap_framework.oversight.packs.governors_report_pdf?${new URLSearchParams({ school: f.school || "", year: f.year || "" })}`);
		});
	},
};
