frappe.ui.form.on("Pupil", {
	refresh(frm) {
		if (frm.is_new()) return;
		// Development across the domains: baseline against the latest assessment (ap_framework.oversight.progress).
		frappe.call({ method: "ap_framework.oversight.progress.domain_chart", args: { pupil: frm.doc.name } }).then((r) => {
			if (!r.message) return;
			const wrapper = $('<div class="ap-domain-chart"></div>');
			frm.dashboard.add_section(wrapper, __("Development across the domains"));
			new frappe.Chart(wrapper[0], { data: r.message, type: "bar", height: 220, colors: ["#c0c6cc", "#2490ef"] });
			frm.dashboard.show();
		});
	},
});
