/*
 * res_other.h - resource-estimate helpers shared by the HLS and RTL variants
 * other than MVAU/VVAU/Thresholding (finn-backend.md 11.4-11.6).
 *
 * Convention of finn_hw_res (as in res_common.h and the report writer): an
 * efficiency of exactly 1 stands for FINN's default, the Python integer 1
 * (the reports print it as "1"); any other value is a computed float.
 */
#ifndef FINN_HLS_RES_OTHER_H
#define FINN_HLS_RES_OTHER_H

#include "finn/plugin.h"

/* FINN's HWCustomOp defaults: LUT, BRAM, URAM, DSP 0, efficiencies int 1. */
void ro_res_defaults(finn_hw_res *out);
/* A resources hook for variants FINN gives no model (all defaults). */
int ro_res_none(const finn_model *m, const finn_node *n, const char *fpga_part,
                 finn_hw_res *out, finn_error *err);

/* Attribute readers; errors name node, op and attribute. */
int ro_attr_i(const finn_node *n, const char *name, int64_t *v, finn_error *err);
/* Exactly two values (H, W). */
int ro_attr_pair(const finn_node *n, const char *name, int64_t v[2], finn_error *err);
/* Bit width of a datatype-name attribute. */
int ro_attr_bits(const finn_node *n, const char *name, int64_t *bits, finn_error *err);
int ro_res_fail(finn_error *err, const finn_node *n, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* ceil(a / b) for a >= 0, b > 0 in integers (Python math.ceil of an
 * exact quotient). */
int64_t ro_ceil_div(int64_t a, int64_t b);
/* FINN's RAM-width table for a buffer depth: 36/18/9/4/2/1 for depth
 * <= 512/1024/2048/4096/8192/larger. */
int64_t ro_ram_width(double depth);

/* Python math.log(x, 2): log(x) / log(2), not log2 (they differ, e.g.
 * for 2**29). */
double ro_pylog2(double x);

/* StreamingDataWidthConverter LUTs (hls and rtl alike): a shift-based
 * converter through L = lcm(in, out); the control-set LUTs count L and/or
 * out, the counters ceil(log2) of the ratios (ceil of a negative log
 * rounds toward zero). */
int64_t ro_dwc_luts(int64_t in_w, int64_t out_w);
int ro_dwc_resources(const finn_model *m, const finn_node *n, const char *fpga_part,
                     finn_hw_res *out, finn_error *err);

/* FINN's ramb18 table (SDP RAMB18 shapes) for a depth x width memory. */
int64_t ro_ramb18_tiles(int64_t depth, int64_t width);

#endif
