/*
 * reports.h - private interface of the reports plugin: FINN's
 * step_generate_estimate_reports (finn-backend.md section 9) and the
 * pictures of its per-layer estimates.
 *
 * Each report is built as a JSON tree (rjson.h) so it can be checked in
 * memory and written with Python's json.dump(indent=2) bytes.
 */
#ifndef FINN_REPORTS_H
#define FINN_REPORTS_H

#include <finn/plugin.h>

#include "rjson.h"

/* FINN's is_hls_node || is_rtl_node: a .hls/.rtl domain node with
 * backend "fpgadataflow". */
bool rep_is_specialized(const finn_node *n);

/* op_and_param_counts: {node: counts} for every HW node, then "total". */
int rep_op_counts(const finn_registry *reg, const finn_model *m, rj **out, finn_error *err);
/* exp_cycles_per_layer: {node: int cycles} for hls/rtl nodes. */
int rep_layer_cycles(const finn_registry *reg, const finn_model *m, rj **out, finn_error *err);
/* res_estimation plus "total" (float sums of the non-efficiency keys). */
int rep_layer_resources(const finn_registry *reg, const finn_model *m, const char *part,
                        rj **out, finn_error *err);
/* res_estimation_complete: {node: [estimates]} with resType / ram_style
 * alternatives.  The attributes are set back afterwards, as FINN does:
 * explicitly, to the value get_nodeattr returned (default if absent). */
int rep_config_alternatives(const finn_registry *reg, finn_model *m, const char *part,
                            rj **out, finn_error *err);
/* AnnotateCycles: cycles_estimate on every hls/rtl node. */
int rep_annotate_cycles(const finn_registry *reg, finn_model *m, finn_error *err);
/* dataflow_performance (from cycles_estimate) plus the throughput and
 * latency FINN's step adds for clock period clk_ns. */
int rep_network_performance(const finn_model *m, double clk_ns, rj **out, finn_error *err);

/* SVG bar charts: resources has one panel per resource (LUT, BRAM_18K,
 * DSP), each with one bar per layer; cycles one panel.  Inputs are the
 * per-layer trees above ("total" is skipped).  malloc'ed SVG text. */
char *rep_svg_resources(const rj *resources);
char *rep_svg_cycles(const rj *cycles);

#endif
