/*
 * fifo_rtl.c - StreamingFIFO_rtl: the FIFO between layers (RTL shift register or
 * Vivado FIFO IP by impl_style).
 *
 * Execution, shapes, widths and cycles (0) come from the abstract
 * StreamingFIFO layer; this file adds FINN's resource model
 * (finn-backend.md 11.6): BRAM/URAM only for a Vivado FIFO of that
 * ram_style, LUTs for the address counter plus LUTRAM when the memory is
 * distributed (always for impl_style rtl).
 */
#include "rtl.h"
#include "res_other.h"

#include <math.h>
#include <string.h>

/* FINN's get_adjusted_depth: a Vivado FIFO rounds the depth up to a power
 * of two, 1 << (depth - 1).bit_length(). */
static int64_t adjusted_depth(int64_t depth, const char *impl)
{
    if (strcmp(impl, "vivado"))
        return depth;
    int64_t x = depth - 1 < 0 ? -(depth - 1) : depth - 1;
    int bits = 0;
    while (x) {
        bits++;
        x >>= 1;
    }
    return (int64_t)1 << bits;
}

static int fifo_rtl_resources(const finn_model *m, const finn_node *n, const char *fpga_part,
                              finn_hw_res *out, finn_error *err)
{
    (void)m, (void)fpga_part;
    int64_t depth = 0, bits = 0;
    const int64_t *fs;
    size_t nfs = finn_node_attr_ints(n, "folded_shape", &fs);
    if (ro_attr_i(n, "depth", &depth, err) || ro_attr_bits(n, "dataType", &bits, err))
        return -1;
    if (nfs == 0)
        return ro_res_fail(err, n, "attribute 'folded_shape' is missing");
    const char *impl = finn_node_attr_s(n, "impl_style", "rtl");
    const char *ram = finn_node_attr_s(n, "ram_style", "auto");
    int64_t d = adjusted_depth(depth, impl);
    if (d < 1)
        return ro_res_fail(err, n, "depth = %lld must be positive", (long long)depth);
    int64_t w = fs[nfs - 1] * bits; /* unpadded stream width */
    int is_rtl = !strcmp(impl, "rtl"), is_vivado = !strcmp(impl, "vivado");

    ro_res_defaults(out);
    if (!is_rtl && !(is_vivado && strcmp(ram, "block")))
        out->bram_18k = (double)ro_ramb18_tiles(d, w);
    if (!is_rtl && !(is_vivado && strcmp(ram, "ultra")))
        out->uram = (double)(ro_ceil_div(d, 4096) * ro_ceil_div(w, 72));
    if (out->bram_18k > 0)
        out->bram_efficiency = (double)(w * d) / (out->bram_18k * 36 * 512);
    double addr = 2 * ceil(ro_pylog2((double)d));
    double ram_luts = 0;
    if (is_rtl || (is_vivado && !strcmp(ram, "distributed")))
        ram_luts = (double)(ro_ceil_div(d, 32) * ro_ceil_div(w, 2));
    out->lut = (double)(int64_t)(addr + ram_luts);
    return 0;
}

/* Attributes StreamingFIFO_rtl adds to its abstract layer (FINN's own + backend). */
static const finn_hw_attr ATTRS[] = {
    {"impl_style", FINN_ATTR_STRING, "rtl"}, RTL_BACKEND_ATTRS, {NULL, 0, NULL}};

static const finn_hw_op HW = {
    .base = "StreamingFIFO", .impl = "rtl", .attrs = ATTRS, .resources = fifo_rtl_resources};

const finn_op rtl_fifo_op = {
    .domain = FINN_HW_DOMAIN_RTL, .op_type = "StreamingFIFO_rtl", .ext = &HW};
