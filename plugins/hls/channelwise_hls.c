/*
 * channelwise_hls.c - ChannelwiseOp_hls: per-channel add/mul/compare with a parameter.
 *
 * Execution, shapes, widths and cycles come from the abstract ChannelwiseOp
 * layer; this file adds FINN's resource model (finn-backend.md 11.6, the
 * Thresholding_hls formulas): A = input bits, TMEM = NumChannels // PE.
 */
#include "hls.h"
#include "res_other.h"

#include <string.h>

static int cw_resources(const finn_model *m, const finn_node *n, const char *fpga_part,
                        finn_hw_res *out, finn_error *err)
{
    (void)m, (void)fpga_part;
    int64_t pe = 1, ch = 0, a = 0;
    if (ro_attr_i(n, "PE", &pe, err) || ro_attr_i(n, "NumChannels", &ch, err) ||
        ro_attr_bits(n, "inputDataType", &a, err))
        return -1;
    if (pe < 1)
        return ro_res_fail(err, n, "PE = %lld must be positive", (long long)pe);
    const char *style = finn_node_attr_s(n, "ram_style", "distributed");
    int64_t tmem = ch / pe;
    ro_res_defaults(out);
    if (!strcmp(style, "block") && tmem > 1)
        out->bram_18k = (double)(ro_ceil_div(a * pe, 16) * ro_ceil_div(tmem, 1024));
    /* comparators, plus LUTRAM for the parameters */
    out->lut = (double)(a * pe);
    if (!strcmp(style, "distributed") && tmem > 1)
        out->lut += (double)(pe * a * ro_ceil_div(tmem, 64));
    return 0;
}

/* Attributes ChannelwiseOp_hls adds to its abstract layer (FINN's own + backend). */
static const finn_hw_attr ATTRS[] = {HLS_BACKEND_ATTRS, {NULL, 0, NULL}};

static const finn_hw_op HW = {.base = "ChannelwiseOp", .impl = "hls", .attrs = ATTRS,
                              .resources = cw_resources};

const finn_op hls_channelwise_op = {
    .domain = FINN_HW_DOMAIN_HLS, .op_type = "ChannelwiseOp_hls", .ext = &HW};
