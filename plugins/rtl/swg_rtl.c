/*
 * swg_rtl.c - ConvolutionInputGenerator_rtl: the RTL sliding-window generator (any
 * kernel/stride/dilation, parallel window, dynamic mode).
 *
 * Execution, shapes and widths come from the abstract ConvolutionInputGenerator
 * layer; this file adds FINN's cycle and resource models of the finn-rtllib
 * swg (finn-backend.md 11.5): the "default" style keeps a line buffer of
 * get_buffer_depth() words, the "parallel" style (parallel_window or a 1x1
 * kernel) emits whole windows.
 */
#include "rtl.h"
#include "res_other.h"

#include <string.h>

typedef struct swg {
    int64_t c, simd, bits, m;
    int64_t k[2], ifm[2], ofm[2], stride[2], dil[2];
    int dws, parallel;
    const char *ram_style;
} swg;

/* Attributes plus FINN's select_impl_style (with its assertions). */
static int swg_get(const finn_node *n, swg *p, finn_error *err)
{
    if (ro_attr_i(n, "IFMChannels", &p->c, err) || ro_attr_i(n, "SIMD", &p->simd, err) ||
        ro_attr_pair(n, "ConvKernelDim", p->k, err) || ro_attr_pair(n, "IFMDim", p->ifm, err) ||
        ro_attr_pair(n, "OFMDim", p->ofm, err) || ro_attr_pair(n, "Stride", p->stride, err) ||
        ro_attr_pair(n, "Dilation", p->dil, err) || ro_attr_bits(n, "inputDataType", &p->bits, err))
        return -1;
    if (p->simd < 1)
        return ro_res_fail(err, n, "SIMD = %lld must be positive", (long long)p->simd);
    p->m = finn_node_attr_i(n, "M", 1);
    p->dws = finn_node_attr_i(n, "depthwise", 0) != 0;
    p->ram_style = finn_node_attr_s(n, "ram_style", "distributed");
    int64_t kh_eff = (p->k[0] - 1) * p->dil[0] + 1, kw_eff = (p->k[1] - 1) * p->dil[1] + 1;
    if (kh_eff > p->ifm[0] || kw_eff > p->ifm[1] || p->stride[0] > p->ifm[0] ||
        p->stride[1] > p->ifm[1])
        return ro_res_fail(err, n, "kernel or stride larger than IFMDim [%lld, %lld]",
                            (long long)p->ifm[0], (long long)p->ifm[1]);
    int pw = finn_node_attr_i(n, "parallel_window", 0) != 0;
    int64_t mmv_out = pw ? p->m * p->k[0] * p->k[1] : 1;
    int unit_k = p->k[0] == 1 && p->k[1] == 1;
    p->parallel = mmv_out > 1 || unit_k;
    if (p->parallel && !p->dws && !unit_k && p->c != p->simd)
        return ro_res_fail(err, n, "parallel window needs SIMD = IFMChannels = %lld (got %lld)",
                            (long long)p->c, (long long)p->simd);
    if (p->c % p->simd && (!p->parallel || p->dws || unit_k || !pw))
        return ro_res_fail(err, n, "SIMD = %lld must divide IFMChannels = %lld",
                            (long long)p->simd, (long long)p->c);
    return 0;
}

/* FINN's get_buffer_depth (cf = int(C / SIMD), mmv_in = mmv_out = 1). */
static int64_t buffer_depth(const swg *p)
{
    int64_t cf = p->c / p->simd, w = p->ifm[1], kk = p->k[0] * p->k[1];
    int64_t span = (p->k[0] - 1) * p->dil[0] * w + (p->k[1] - 1) * p->dil[1];
    if (p->parallel)
        return span * cf + 2;
    int64_t d = (span + 1) * cf;
    int64_t xs = ((p->stride[1] - 1) - kk) * cf, ys = ((p->stride[0] - 1) * w - kk) * cf;
    return d + (xs > 0 ? xs : 0) + (ys > 0 ? ys : 0);
}

static int64_t swg_rtl_cycles(const finn_model *m, const finn_node *n)
{
    (void)m;
    swg p;
    finn_error e = {0};
    if (swg_get(n, &p, &e))
        return -1;
    int64_t cf = p.c / p.simd;
    if (p.parallel) /* folded input elements (1, H, W, C/SIMD) + 2 */
        return p.ifm[0] * p.ifm[1] * cf + 2;
    if (p.ifm[0] == 1 || p.ifm[1] == 1) {
        /* 1-D: normalised so that the real axis is W */
        int sw = p.ifm[1] == 1;
        int64_t ow = sw ? p.ofm[0] : p.ofm[1], kw = sw ? p.k[0] : p.k[1];
        int64_t st = sw ? p.stride[0] : p.stride[1];
        if (p.dws)
            return ow * kw * cf + cf * (kw - 1) * (st - 1) - (kw - 1) + 2;
        return ow * kw * cf + 2;
    }
    int64_t w = p.ifm[1], kh = p.k[0], kw = p.k[1];
    int64_t base = ((kh - 1) * p.dil[0] * w + (kw - 1) * p.dil[1] + 1) * cf;
    int64_t write = p.ofm[1] * kw * kh * cf, read = p.stride[1] * w * cf;
    int64_t mx = write > read ? write : read;
    if (p.dws)
        mx += p.ofm[1] * (p.stride[1] - 1) * (cf - 1);
    int64_t cyc = base + p.ofm[0] * mx;
    if (p.dws)
        cyc += (p.stride[0] - 1) * w * cf;
    return cyc;
}

/* Depth and count of the line buffers the BRAM/URAM models see; count 0
 * for the 1-D parallel style (no line buffers). */
static void buffers(const swg *p, int64_t *depth, int64_t *count)
{
    if (!p->parallel) {
        *depth = buffer_depth(p), *count = 1;
        return;
    }
    if (p->ifm[0] == 1 || p->ifm[1] == 1) {
        *depth = 0, *count = 0;
        return;
    }
    int64_t kw_eff = (p->k[1] - 1) * p->dil[1] + 1;
    *depth = (p->ifm[1] - kw_eff) + p->ifm[1] * (p->dil[0] - 1);
    *count = p->k[0] - 1;
}

static int64_t bram(const swg *p)
{
    if (strcmp(p->ram_style, "block") && strcmp(p->ram_style, "auto"))
        return 0;
    int64_t depth, count, width = p->simd * p->bits;
    buffers(p, &depth, &count);
    if (!count)
        return 0;
    int64_t cd = ro_ceil_div(depth, 16384);
    int64_t cw = ro_ceil_div(width, ro_ram_width((double)depth));
    int64_t savings = 0;
    if (depth > 16384) /* the last cascade stage only needs the remainder's shape */
        savings = cw - ro_ceil_div(width, ro_ram_width((double)(depth % 16384)));
    return (cd * cw - savings) * count;
}

static int64_t uram(const swg *p)
{
    if (strcmp(p->ram_style, "ultra"))
        return 0;
    int64_t depth, count;
    buffers(p, &depth, &count);
    return ro_ceil_div(depth, 4096) * ro_ceil_div(p->simd * p->bits, 72) * count;
}

static int swg_rtl_resources(const finn_model *m, const finn_node *n, const char *fpga_part,
                             finn_hw_res *out, finn_error *err)
{
    (void)m, (void)fpga_part;
    swg p;
    if (swg_get(n, &p, err))
        return -1;
    ro_res_defaults(out);
    out->bram_18k = (double)bram(&p);
    out->uram = (double)uram(&p);
    /* the LUT model uses get_buffer_depth in both styles */
    out->lut = 300.0;
    if (!strcmp(p.ram_style, "distributed"))
        out->lut += (double)(p.simd * p.bits * ro_ceil_div(buffer_depth(&p), 38));
    return 0;
}

/* Attributes ConvolutionInputGenerator_rtl adds to its abstract layer (FINN's own + backend). */
static const finn_hw_attr ATTRS[] = {{"M", FINN_ATTR_INT, "1"}, RTL_BACKEND_ATTRS, {NULL, 0, NULL}};

static const finn_hw_op HW = {.base = "ConvolutionInputGenerator",
                              .impl = "rtl",
                              .attrs = ATTRS,
                              .exp_cycles = swg_rtl_cycles,
                              .resources = swg_rtl_resources};

const finn_op rtl_swg_op = {
    .domain = FINN_HW_DOMAIN_RTL, .op_type = "ConvolutionInputGenerator_rtl", .ext = &HW};
