/*
 * vvau_rtl.c - VVAU_rtl: the RTL vector-vector unit (DSP58, Versal only).
 *
 * Execution, shapes, widths and cycles come from the abstract VVAU layer
 * (FINN's variant does not override get_exp_cycles).  This file adds the
 * resource estimate of vectorvectoractivation_rtl.py: BRAM/URAM as every
 * VVAU, no LUTs, and PE * ceil(SIMD/3) DSPs whatever the part.
 */
#include "res_common.h"
#include "rtl.h"

#include <math.h>

/* Attributes VVAU_rtl adds to its abstract layer (FINN's own + backend). */
static const finn_hw_attr ATTRS[] = {RTL_BACKEND_ATTRS, {NULL, 0, NULL}};

static int vvau_rtl_resources(const finn_model *m, const finn_node *n, const char *fpga_part,
                              finn_hw_res *out, finn_error *err)
{
    (void)m, (void)fpga_part; /* FINN assumes DSP58 without looking at the part */
    res_mac p;
    finn_hw_res r;
    res_init(&r);
    if (res_mac_params(n, true, &p, err) || res_mac_memory(&p, &r, err))
        return -1;
    r.dsp = trunc((double)p.pe * ceil((double)p.simd / 3));
    *out = r;
    return 0;
}

static const finn_hw_op HW = {
    .base = "VVAU", .impl = "rtl", .attrs = ATTRS, .resources = vvau_rtl_resources};

const finn_op rtl_vvau_op = {.domain = FINN_HW_DOMAIN_RTL, .op_type = "VVAU_rtl", .ext = &HW};
