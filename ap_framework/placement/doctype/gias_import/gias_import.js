// GIAS Import: attach the extract, name the LA codes, Start. A small file is imported at once; a large
// one in a background job, with a progress bar fed by the job (frappe.publish_progress).
frappe.ui.form.on("GIAS Import", {
	refresh(frm) {
		if (frm.is_new() || ["Queued", "Running"].includes(frm.doc.status)) return;
		frm.add_custom_button(frm.doc.status === "Draft" ? __("Start") : __("Start again"), () => {
			frappe.call({
				method: "ap_framework.placement.gias_import.start",
				args: { name: frm.doc.name },
				freeze: true,
				freeze_message: __("Reading the GIAS file…"),
				callback: (r) => {
					if (r.message && r.message.queued) {
						frappe.show_alert({ message: __("Importing in the background"), indicator: "blue" });
					}
					frm.reload_doc();
				},
			});
		}).addClass("btn-primary");
	},
	onload(frm) {
		frappe.realtime.on("gias_import_done", (data) => {
			if (data && data.name === frm.doc.name) {
				frappe.hide_progress();
				frm.reload_doc();
			}
		});
	},
});
