/*
 * mvau_hls.c - MVAU_hls: the HLS matrix-vector-activation unit (finn-hlslib MVAU).
 *
 * Execution, shapes, widths and cycles come from the abstract MVAU layer
 * (FINN's variant does not override get_exp_cycles).  This file adds the
 * resource estimate of matrixvectoractivation_hls.py: BRAM/URAM as every
 * MVAU, the FINN-R LUT model and DSPs only for resType "dsp".
 */
#include "hls.h"
#include "res_common.h"

/* Attributes MVAU_hls adds to its abstract layer (FINN's own + backend). */
static const finn_hw_attr ATTRS[] = {HLS_BACKEND_ATTRS, {NULL, 0, NULL}};

static int mvau_hls_resources(const finn_model *m, const finn_node *n, const char *fpga_part,
                              finn_hw_res *out, finn_error *err)
{
    (void)m, (void)fpga_part; /* the HLS model does not depend on the part */
    res_mac p;
    finn_hw_res r;
    res_init(&r);
    if (res_mac_params(n, false, &p, err) || res_mac_memory(&p, &r, err) ||
        res_mac_hls_lut(&p, &r.lut, err))
        return -1;
    r.dsp = res_mac_hls_dsp(&p);
    *out = r;
    return 0;
}

static const finn_hw_op HW = {
    .base = "MVAU", .impl = "hls", .attrs = ATTRS, .resources = mvau_hls_resources};

const finn_op hls_mvau_op = {.domain = FINN_HW_DOMAIN_HLS, .op_type = "MVAU_hls", .ext = &HW};
