/*
 * thresholding_hls.c - Thresholding_hls: the HLS multi-threshold unit. FINN gives it its own
 * memory attributes (the RTL variant has depth triggers instead).
 *
 * Execution, shapes, widths and cycles come from the abstract Thresholding
 * layer (FINN's variant does not override get_exp_cycles).  This file adds
 * the resource estimate of thresholding_hls.py: comparators plus LUTRAM or
 * BRAM for the thresholds by ram_style, sized by the INPUT bit width.
 */
#include "hls.h"
#include "res_common.h"

#include <math.h>

/* Attributes Thresholding_hls adds to its abstract layer (FINN's own + backend). */
static const finn_hw_attr ATTRS[] = {{"mem_mode", FINN_ATTR_STRING, "internal_decoupled"},
                                     {"ram_style", FINN_ATTR_STRING, "distributed"},
                                     {"runtime_writeable_weights", FINN_ATTR_INT, "0"},
                                     HLS_BACKEND_ATTRS,
                                     {NULL, 0, NULL}};

static const char *const RAM_STYLES[] = {"distributed", "block", NULL};

/* A = input bits, TMEM = NumChannels // PE:
 * BRAM = ceil(A*PE/16) * ceil(TMEM/1024) for "block" with TMEM > 1;
 * LUT = A*PE + (PE*A*ceil(TMEM/64) for "distributed" with TMEM > 1). */
static int thr_hls_resources(const finn_model *m, const finn_node *n, const char *fpga_part,
                             finn_hw_res *out, finn_error *err)
{
    (void)m, (void)fpga_part;
    int64_t pe, ch;
    const char *style;
    finn_datatype idt;
    if (res_pos(n, "PE", &pe, err) || res_pos(n, "NumChannels", &ch, err) ||
        res_dt(n, "inputDataType", NULL, &idt, err) ||
        res_choice(n, "ram_style", "distributed", RAM_STYLES, &style, err))
        return -1;
    double a = finn_dt_bitwidth(idt), p = (double)pe, tmem = (double)(ch / pe);
    bool block = style == RAM_STYLES[1];
    finn_hw_res r;
    res_init(&r);
    if (block && tmem > 1)
        r.bram_18k = ceil(a * p / 16) * ceil(tmem / 1024);
    r.lut = a * p;
    if (!block && tmem > 1)
        r.lut += p * a * ceil(tmem / 64);
    *out = r;
    return 0;
}

static const finn_hw_op HW = {
    .base = "Thresholding", .impl = "hls", .attrs = ATTRS, .resources = thr_hls_resources};

const finn_op hls_thresholding_op = {
    .domain = FINN_HW_DOMAIN_HLS, .op_type = "Thresholding_hls", .ext = &HW};
