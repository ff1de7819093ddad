frappe.query_reports["AP Planning Call Pack"] = {
	filters: [
		{ fieldname: "as_at", label: __("As at"), fieldtype: "Date", default: frappe.datetime.get_today(), reqd: 1 },
		{ fieldname: "school", label: __("School"), fieldtype: "Link", options: "School", default: frappe.boot.ap_own_school },
		{ fieldname: "trust", label: __("Trust"), fieldtype: "Data" },
	],
	onload(report) {
		report.page.add_inner_button(__("PDF pack"), () => {
			const f = report.get_values();
			const params = new URLSearchParams({ as_at: f.as_at || "", school: f.school || "", trust: f.trust || "" });
			window.open(`/api/method/ap_framework.oversight.packs.planning_call_pdf?${params}`);
		});
	},
};
