// The week's Monday and Friday from the site's today (frappe.datetime, never the browser's clock).
const ap_week = () => {
	const today = frappe.datetime.get_today();
	const monday = frappe.datetime.add_days(today, -(moment(today).isoWeekday() - 1));
	return [monday, frappe.datetime.add_days(monday, 4)];
};

frappe.query_reports["Home School Register"] = {
	filters: [
		{
			fieldname: "school",
			label: __("School"),
			fieldtype: "Link",
			options: "School",
			reqd: 1,
			default: frappe.boot.ap_own_school || frappe.defaults.get_user_default("School"),
		},
		{ fieldname: "from_date", label: __("From date"), fieldtype: "Date", reqd: 1, default: ap_week()[0] },
		{ fieldname: "to_date", label: __("To date"), fieldtype: "Date", reqd: 1, default: ap_week()[1] },
	],
	formatter(value, row, column, data, default_formatter) {
		value = default_formatter(value, row, column, data);
		if (column.fieldname === "status_label" && data) {
			const colour = { Missing: "red", "Not yet due": "orange", "Not timetabled": "blue" }[data.status];
			if (colour) value = `<span class="indicator-pill ${colour}">${value}</span>`;
		}
		return value;
	},
	onload(report) {
		report.page.add_inner_button(__("Download CSV for the MIS"), () => {
			const f = report.get_values();
			if (!f) return;
			const params = new URLSearchParams({ school: f.school, from_date: f.from_date, to_date: f.to_date });
			window.open(`/api/method/ap_framework.oversight.home_register.register_csv?${params}`);
		});
	},
};
