/*
 * mvau_rtl.c - MVAU_rtl: the RTL matrix-vector unit on DSP slices (no embedded
 * thresholds, signed weights of at most 8 bits).
 *
 * Execution, shapes, widths and cycles come from the abstract MVAU layer
 * (FINN's variant does not override get_exp_cycles).  This file adds the
 * resource estimate of matrixvectoractivation_rtl.py: BRAM/URAM as every
 * MVAU, no LUTs, and DSPs by the part's DSP block.
 */
#include "res_common.h"
#include "rtl.h"

#include <math.h>

/* Attributes MVAU_rtl adds to its abstract layer (FINN's own + backend). */
static const finn_hw_attr ATTRS[] = {RTL_BACKEND_ATTRS, {NULL, 0, NULL}};

/* DSP58 (Versal): PE * ceil(SIMD/3); DSP48E1/E2: ceil(PE/4) * SIMD;
 * resType is not consulted. */
static int mvau_rtl_resources(const finn_model *m, const finn_node *n, const char *fpga_part,
                              finn_hw_res *out, finn_error *err)
{
    (void)m;
    res_mac p;
    res_dsp_block blk;
    finn_hw_res r;
    res_init(&r);
    if (res_mac_params(n, false, &p, err) || res_mac_memory(&p, &r, err))
        return -1;
    if (res_dsp_block_of(fpga_part, &blk, err))
        return finn_error_prefix(err, "node '%s' (%s): ", n->name, n->op_type);
    double pe = (double)p.pe, simd = (double)p.simd;
    r.dsp = blk == RES_DSP58 ? trunc(pe * ceil(simd / 3)) : trunc(ceil(pe / 4) * simd);
    *out = r;
    return 0;
}

static const finn_hw_op HW = {
    .base = "MVAU", .impl = "rtl", .attrs = ATTRS, .resources = mvau_rtl_resources};

const finn_op rtl_mvau_op = {.domain = FINN_HW_DOMAIN_RTL, .op_type = "MVAU_rtl", .ext = &HW};
