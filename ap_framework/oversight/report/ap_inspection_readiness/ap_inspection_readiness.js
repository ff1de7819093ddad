frappe.query_reports["AP Inspection Readiness"] = {
	filters: [{ fieldname: "school", label: __("School"), fieldtype: "Link", options: "School", default: frappe.boot.ap_own_school }],
	formatter(value, row, column, data, default_formatter) {
		value = default_formatter(value, row, column, data);
		if (column.fieldname === "status" && data) {
			value = `<span class="indicator-pill ${data.indicator}">${value}</span>`;
		}
		return value;
	},
};
