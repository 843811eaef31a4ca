/*
 * vvau_hls.c - VVAU_hls: the HLS vector-vector-activation unit (depthwise conv).
 *
 * Execution, shapes, widths and cycles come from the abstract VVAU layer
 * (FINN's variant does not override get_exp_cycles).  This file adds the
 * resource estimate of vectorvectoractivation_hls.py: BRAM/URAM as every
 * VVAU (with its own RAMB18 width divisors), the FINN-R LUT model with the
 * VVAU threshold term, and DSPs (without a SIMD factor) for resType "dsp".
 */
#include "hls.h"
#include "res_common.h"

/* Attributes VVAU_hls adds to its abstract layer (FINN's own + backend). */
static const finn_hw_attr ATTRS[] = {HLS_BACKEND_ATTRS, {NULL, 0, NULL}};

static int vvau_hls_resources(const finn_model *m, const finn_node *n, const char *fpga_part,
                              finn_hw_res *out, finn_error *err)
{
    (void)m, (void)fpga_part; /* the HLS model does not depend on the part */
    res_mac p;
    finn_hw_res r;
    res_init(&r);
    if (res_mac_params(n, true, &p, err) || res_mac_memory(&p, &r, err) ||
        res_mac_hls_lut(&p, &r.lut, err))
        return -1;
    r.dsp = res_mac_hls_dsp(&p);
    *out = r;
    return 0;
}

static const finn_hw_op HW = {
    .base = "VVAU", .impl = "hls", .attrs = ATTRS, .resources = vvau_hls_resources};

const finn_op hls_vvau_op = {.domain = FINN_HW_DOMAIN_HLS, .op_type = "VVAU_hls", .ext = &HW};
