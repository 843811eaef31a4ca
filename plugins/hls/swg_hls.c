/*
 * swg_hls.c - ConvolutionInputGenerator_hls: the HLS sliding-window generator (square
 * 2-D windows without dilation, or 1-D).
 *
 * Execution, shapes and widths come from the abstract ConvolutionInputGenerator
 * layer; this file adds FINN's cycle and resource models of the finn-hlslib
 * SWU variants (finn-backend.md 11.4).  FINN evaluates them in Python float
 * arithmetic (C / SIMD is a true division); the expressions below keep its
 * operation order so the truncating int() gives the same result.
 */
#include "hls.h"
#include "res_other.h"

#include <math.h>
#include <string.h>

typedef enum swu_variant {
    SWU_2D,          /* ConvolutionInputGenerator[_kernel_stride][_dws] */
    SWU_1D_PARALLEL, /* _1D_parallel */
    SWU_1D,          /* _1D */
    SWU_1D_DWS,      /* _1D_dws and _1D_dws_stride */
    SWU_1D_DWS_NAIVE /* _1D_dws_naive */
} swu_variant;

typedef struct swg {
    int64_t c, simd, bits;
    int64_t k[2], ifm[2], ofm[2], stride[2], dil[2];
    int is1d, dws;
    const char *ram_style;
    swu_variant var;
} swg;

static void swap2(int64_t v[2])
{
    int64_t t = v[0];
    v[0] = v[1], v[1] = t;
}

/* FINN's use_parallel_window_output: 1-D, parallel_window == 1 and a layout
 * the finn-hlslib parallel SWU supports (else FINN only warns). */
static int use_parallel(const finn_node *n, const swg *p)
{
    if (!p->is1d || finn_node_attr_i(n, "parallel_window", 0) != 1)
        return 0;
    return p->simd == p->c && !p->dws && p->stride[0] == 1 && p->stride[1] == 1 &&
           p->dil[0] == 1 && p->dil[1] == 1 &&
           (!strcmp(p->ram_style, "auto") || !strcmp(p->ram_style, "distributed"));
}

static swu_variant variant_of(const finn_node *n, const swg *p)
{
    if (!p->is1d)
        return SWU_2D;
    if (use_parallel(n, p))
        return SWU_1D_PARALLEL;
    if (!p->dws)
        return SWU_1D;
    int64_t sprod = p->stride[0] * p->stride[1];
    if ((sprod > 1 && sprod != 2) || p->dil[0] * p->dil[1] > 1)
        return SWU_1D_DWS_NAIVE;
    return SWU_1D_DWS;
}

/* Attributes, with the 1-D ones normalised as FINN's
 * get_1d_conv_attrs_normalized: a unit W axis is swapped to the front. */
static int swg_get(const finn_node *n, swg *p, finn_error *err)
{
    if (ro_attr_i(n, "IFMChannels", &p->c, err) || ro_attr_i(n, "SIMD", &p->simd, err) ||
        ro_attr_pair(n, "ConvKernelDim", p->k, err) || ro_attr_pair(n, "IFMDim", p->ifm, err) ||
        ro_attr_pair(n, "OFMDim", p->ofm, err) || ro_attr_pair(n, "Stride", p->stride, err) ||
        ro_attr_pair(n, "Dilation", p->dil, err) || ro_attr_bits(n, "inputDataType", &p->bits, err))
        return -1;
    if (p->simd < 1)
        return ro_res_fail(err, n, "SIMD = %lld must be positive", (long long)p->simd);
    p->is1d = finn_node_attr_i(n, "is1D", 0) != 0;
    p->dws = finn_node_attr_i(n, "depthwise", 0) != 0;
    p->ram_style = finn_node_attr_s(n, "ram_style", "distributed");
    p->var = variant_of(n, p);
    if (p->is1d && p->ifm[1] == 1) {
        swap2(p->k), swap2(p->ifm), swap2(p->ofm), swap2(p->stride), swap2(p->dil);
    }
    return 0;
}

static int64_t swg_hls_cycles(const finn_model *m, const finn_node *n)
{
    (void)m;
    swg p;
    finn_error e = {0};
    if (swg_get(n, &p, &e))
        return -1;
    double cf = (double)p.c / (double)p.simd;
    double c = (double)p.c, simd = (double)p.simd;
    double cyc = 0;
    int64_t kh = p.k[0], kw = p.k[1], ow = p.ofm[1], iw = p.ifm[1];
    switch (p.var) {
    case SWU_2D: {
        /* mmv = 1, so the write block's "/ mmv" changes nothing */
        double write = (double)(ow * kw * kh) * cf;
        double read = (double)(p.stride[1] * iw) * cf;
        cyc = (double)(iw * kh * p.dil[0]) * cf + (double)p.ofm[0] * (write > read ? write : read);
        break;
    }
    case SWU_1D_PARALLEL:
        return kw + ow;
    case SWU_1D:
        cyc = 1 + (double)(ow * kw) * c / simd;
        break;
    case SWU_1D_DWS:
        cyc = 1 + (double)(ow * kw) * c / simd + cf * (double)(kw - 1) - (double)(kw - 1);
        break;
    case SWU_1D_DWS_NAIVE:
        cyc = (double)iw * c / simd + (double)(ow * kw) * c / simd;
        break;
    }
    return (int64_t)cyc;
}

/* Buffer depth of a 1-D variant: (kw-1)*C/SIMD, IFM_W*C/SIMD or kw*C/SIMD. */
static double depth_1d(const swg *p)
{
    double cs = (double)p->c / (double)p->simd;
    int64_t kw = p->k[1];
    switch (p->var) {
    case SWU_1D:
        return (double)((kw - 1) * p->c) / (double)p->simd;
    case SWU_1D_DWS_NAIVE:
        return (double)(p->ifm[1] * p->c) / (double)p->simd;
    case SWU_1D_DWS:
        return (double)(kw * p->c) / (double)p->simd;
    default:
        return cs;
    }
}

static int64_t bram(const swg *p)
{
    if (p->var == SWU_1D_PARALLEL ||
        (strcmp(p->ram_style, "block") && strcmp(p->ram_style, "auto")))
        return 0;
    double depth = p->is1d ? depth_1d(p) : (double)(p->ifm[0] * p->c) / (double)p->simd;
    int64_t rw = ro_ram_width(depth);
    int64_t wmul = ro_ceil_div(p->simd * p->bits, rw);
    if (!p->is1d) {
        double dmul = ceil((double)(p->ifm[0] * p->c) / (double)p->simd / depth);
        return (int64_t)((double)((p->k[0] + p->stride[0]) * wmul) * dmul);
    }
    return wmul * (int64_t)ceil(depth / 18432);
}

static int64_t lut(const swg *p)
{
    int64_t ram_luts = 0;
    int64_t b = p->bits, kw = p->k[1];
    if (strcmp(p->ram_style, "distributed"))
        return 300;
    if (!p->is1d) {
        double d = ceil((double)(p->ifm[0] * p->c) / (double)p->simd / 64);
        ram_luts = (int64_t)((double)(p->k[0] + p->stride[0]) * ((double)(p->simd * b) * d));
    } else if (p->var == SWU_1D_PARALLEL)
        ram_luts = ro_ceil_div(p->simd * b * (kw + 1), 64);
    else if (p->var == SWU_1D)
        ram_luts = ro_ceil_div(b * (kw - 1) * p->c, 64);
    else if (p->var == SWU_1D_DWS_NAIVE)
        ram_luts = ro_ceil_div(b * p->ifm[1] * p->c, 64);
    else
        ram_luts = ro_ceil_div(b * kw * p->c, 64);
    return 300 + ram_luts;
}

static int64_t uram(const swg *p)
{
    if (p->var == SWU_1D_PARALLEL || strcmp(p->ram_style, "ultra"))
        return 0;
    if (!p->is1d) {
        double d = ceil((double)(p->ifm[0] * p->c) / (double)p->simd / 4096);
        return (int64_t)((double)(p->k[0] + p->stride[0]) *
                         ((double)ro_ceil_div(p->simd * p->bits, 64) * d));
    }
    return ro_ceil_div(p->simd * p->bits, 72) * (int64_t)ceil(depth_1d(p) / 4096);
}

static int swg_hls_resources(const finn_model *m, const finn_node *n, const char *fpga_part,
                             finn_hw_res *out, finn_error *err)
{
    (void)m, (void)fpga_part;
    swg p;
    if (swg_get(n, &p, err))
        return -1;
    ro_res_defaults(out);
    out->bram_18k = (double)bram(&p);
    out->lut = (double)lut(&p);
    out->uram = (double)uram(&p);
    return 0;
}

/* Attributes ConvolutionInputGenerator_hls adds to its abstract layer (FINN's own + backend). */
static const finn_hw_attr ATTRS[] = {HLS_BACKEND_ATTRS, {NULL, 0, NULL}};

static const finn_hw_op HW = {.base = "ConvolutionInputGenerator",
                              .impl = "hls",
                              .attrs = ATTRS,
                              .exp_cycles = swg_hls_cycles,
                              .resources = swg_hls_resources};

const finn_op hls_swg_op = {
    .domain = FINN_HW_DOMAIN_HLS, .op_type = "ConvolutionInputGenerator_hls", .ext = &HW};
