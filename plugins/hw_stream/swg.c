/*
 * swg.c - sliding-window layers: ConvolutionInputGenerator (im2col in
 * NHWC, FINN's (ky, kx, c) order) and DownSampler (im2col with a 1x1
 * kernel).  finn-frontend.md 8.4 and 10; finn-backend.md 7 and 10.
 */
#include "hws.h"

/* ---- ConvolutionInputGenerator ---------------------------------------- */

typedef struct swg_params {
    int64_t k[2], ifm[2], stride[2], dil[2];
    int64_t c, simd;
    int parallel;
} swg_params;

static int swg_params_get(const finn_node *n, swg_params *p, finn_error *err)
{
    /* Stride and Dilation are required attributes in FINN despite the
     * [1, 1] in its table */
    if (hs_req_ints(n, "ConvKernelDim", 2, p->k, NULL, err) ||
        hs_req_ints(n, "IFMDim", 2, p->ifm, NULL, err) ||
        hs_req_i(n, "IFMChannels", &p->c, err) || hs_req_i(n, "SIMD", &p->simd, err) ||
        hs_req_ints(n, "Stride", 2, p->stride, NULL, err) ||
        hs_req_ints(n, "Dilation", 2, p->dil, NULL, err))
        return -1;
    for (int i = 0; i < 2; i++)
        if (p->k[i] < 1 || p->stride[i] < 1 || p->dil[i] < 1)
            return hs_fail(err, n, FINN_ERR_INVALID,
                           "ConvKernelDim, Stride and Dilation must be positive");
    /* The abstract layer has no parallel-window rule of its own; this is
     * the rtl variant's (attribute only).  The hls variant narrows it. */
    p->parallel = finn_node_attr_i(n, "parallel_window", 0) == 1;
    return hs_positive(n, "SIMD", p->simd, err);
}

static int swg_shape(const finn_model *m, const finn_node *n, finn_hw_shape_kind kind,
                     size_t index, int *ndim, int64_t *shape, finn_error *err)
{
    (void)m;
    swg_params p;
    if (index != 0)
        return hs_bad_kind(n, kind, index, err);
    if (swg_params_get(n, &p, err))
        return -1;
    int64_t oh = hs_conv_out_dim(p.ifm[0], p.k[0], p.stride[0], 0, p.dil[0]);
    int64_t ow = hs_conv_out_dim(p.ifm[1], p.k[1], p.stride[1], 0, p.dil[1]);
    int64_t kk = p.k[0] * p.k[1];
    switch (kind) {
    case FINN_HW_NORMAL_IN:
        hs_shape4(ndim, shape, 1, p.ifm[0], p.ifm[1], p.c);
        return 0;
    case FINN_HW_FOLDED_IN:
        hs_shape4(ndim, shape, 1, p.ifm[0], p.ifm[1], p.c);
        return hs_fold_last(n, "SIMD", p.simd, ndim, shape, err);
    case FINN_HW_NORMAL_OUT:
        hs_shape4(ndim, shape, 1, oh, ow, kk * p.c);
        return 0;
    case FINN_HW_FOLDED_OUT:
        if (p.c % p.simd)
            return hs_fail(err, n, FINN_ERR_INVALID, "SIMD = %lld must divide IFMChannels = %lld",
                           (long long)p.simd, (long long)p.c);
        hs_shape4(ndim, shape, 1, oh, ow, p.parallel ? p.c / p.simd : kk * p.c / p.simd);
        shape[4] = p.parallel ? kk * p.simd : p.simd;
        *ndim = 5;
        return 0;
    }
    return hs_bad_kind(n, kind, index, err);
}

static int64_t swg_in_width(const finn_model *m, const finn_node *n, size_t index)
{
    (void)m, (void)index;
    finn_error e = {0};
    swg_params p;
    finn_datatype dt;
    if (swg_params_get(n, &p, &e) || hs_req_dt(n, "inputDataType", &dt, &e) || p.c % p.simd)
        return -1;
    return p.simd * finn_dt_bitwidth(dt);
}

static int64_t swg_out_width(const finn_model *m, const finn_node *n, size_t index)
{
    int64_t w = swg_in_width(m, n, index);
    swg_params p;
    finn_error e = {0};
    if (w < 0 || swg_params_get(n, &p, &e))
        return -1;
    return p.parallel ? w * p.k[0] * p.k[1] : w;
}

/* FINN's abstract layer returns 0; the hls/rtl variants have formulas. */
static int64_t swg_cycles(const finn_model *m, const finn_node *n)
{
    (void)m, (void)n;
    return 0;
}

static int swg_check_folding(const finn_model *m, const finn_node *n, finn_error *err)
{
    (void)m;
    swg_params p;
    if (swg_params_get(n, &p, err) ||
        hs_check_divides(n, "SIMD", p.simd, "IFMChannels", p.c, err))
        return -1;
    for (int i = 0; i < 2; i++)
        if ((p.k[i] - 1) * p.dil[i] + 1 > p.ifm[i])
            return hs_fail(err, n, FINN_ERR_INVALID,
                           "ConvKernelDim = [%lld, %lld] with Dilation [%lld, %lld] does not fit "
                           "IFMDim = [%lld, %lld]",
                           (long long)p.k[0], (long long)p.k[1], (long long)p.dil[0],
                           (long long)p.dil[1], (long long)p.ifm[0], (long long)p.ifm[1]);
    return 0;
}

static int swg_exec(const finn_model *m, const finn_node *n, finn_exec_ctx *ctx, finn_error *err)
{
    (void)m;
    swg_params p;
    const finn_tensor *x = hs_input(ctx, n, 0, err);
    if (!x || swg_params_get(n, &p, err))
        return -1;
    hs_window w = {p.k[0], p.k[1], p.stride[0], p.stride[1], p.dil[0], p.dil[1]};
    return hs_im2col(n, x, &w, ctx, err);
}

static const finn_hw_op SWG_HW;

static int swg_infer_shapes(finn_model *m, finn_node *n, finn_error *err)
{
    return hs_infer_shapes(&SWG_HW, m, n, err);
}

/* FINN sets the output type only; the attributes stay as they are. */
static int swg_infer_dt(finn_model *m, finn_node *n, finn_error *err)
{
    return hs_dt_like_input(m, n, NULL, err);
}

static const finn_hw_attr SWG_ATTRS[] = {
    {"ConvKernelDim", FINN_ATTR_INTS, NULL},
    {"IFMChannels", FINN_ATTR_INT, NULL},
    {"IFMDim", FINN_ATTR_INTS, NULL},
    {"OFMDim", FINN_ATTR_INTS, NULL},
    {"SIMD", FINN_ATTR_INT, NULL},
    {"Stride", FINN_ATTR_INTS, NULL},   /* required, FINN's table says [1, 1] */
    {"Dilation", FINN_ATTR_INTS, NULL}, /* required, FINN's table says [1, 1] */
    {"inputDataType", FINN_ATTR_STRING, NULL},
    {"outputDataType", FINN_ATTR_STRING, NULL},
    {"depthwise", FINN_ATTR_INT, "0"},
    {"ram_style", FINN_ATTR_STRING, "distributed"},
    {"parallel_window", FINN_ATTR_INT, "0"},
    {"is1D", FINN_ATTR_INT, "0"},
    {"dynamic_mode", FINN_ATTR_INT, "0"},
    {NULL, 0, NULL}};
static const char *const SWG_FOLDING[] = {"SIMD", "parallel_window", NULL};

static const finn_hw_op SWG_HW = {"ConvolutionInputGenerator",
                                  NULL,
                                  SWG_ATTRS,
                                  swg_shape,
                                  swg_in_width,
                                  swg_out_width,
                                  swg_cycles,
                                  NULL,
                                  swg_check_folding,
                                  SWG_FOLDING};
const finn_op hs_swg_op = {FINN_HW_DOMAIN, "ConvolutionInputGenerator", swg_infer_shapes,
                           swg_infer_dt, swg_exec, &SWG_HW};

/* ---- DownSampler --------------------------------------------------------- */

typedef struct ds_params {
    int64_t idim, c, simd, stride, nvec;
    int is1d, unitx;
} ds_params;

static int ds_params_get(const finn_node *n, ds_params *p, finn_error *err)
{
    if (hs_req_i(n, "ImgDim", &p->idim, err) || hs_req_i(n, "NumChannels", &p->c, err) ||
        hs_req_i(n, "Stride", &p->stride, err))
        return -1;
    p->simd = finn_node_attr_i(n, "SIMD", 1);
    p->nvec = finn_node_attr_i(n, "numInputVectors", 1);
    p->is1d = finn_node_attr_i(n, "is1D", 0) != 0;
    p->unitx = finn_node_attr_i(n, "is1D_unitx", 1) != 0;
    return hs_positive(n, "Stride", p->stride, err) || hs_positive(n, "SIMD", p->simd, err);
}

static int64_t ds_odim(const ds_params *p)
{
    return (p->idim - 1) / p->stride + 1; /* floor((I-1)/S) + 1 for I >= 1 */
}

/* (N, D, 1, C) for 1-D with a unit x axis, (N, 1, D, C) for 1-D otherwise,
 * (N, D, D, C) for 2-D. */
static void ds_layout(const ds_params *p, int64_t d, int *ndim, int64_t *shape)
{
    if (!p->is1d)
        hs_shape4(ndim, shape, p->nvec, d, d, p->c);
    else if (p->unitx)
        hs_shape4(ndim, shape, p->nvec, d, 1, p->c);
    else
        hs_shape4(ndim, shape, p->nvec, 1, d, p->c);
}

static int ds_shape(const finn_model *m, const finn_node *n, finn_hw_shape_kind kind,
                    size_t index, int *ndim, int64_t *shape, finn_error *err)
{
    (void)m;
    ds_params p;
    if (index != 0)
        return hs_bad_kind(n, kind, index, err);
    if (ds_params_get(n, &p, err))
        return -1;
    bool in = kind == FINN_HW_NORMAL_IN || kind == FINN_HW_FOLDED_IN;
    ds_layout(&p, in ? p.idim : ds_odim(&p), ndim, shape);
    if (kind == FINN_HW_FOLDED_IN || kind == FINN_HW_FOLDED_OUT)
        return hs_fold_last(n, "SIMD", p.simd, ndim, shape, err);
    return 0;
}

static int64_t ds_width(const finn_model *m, const finn_node *n, size_t index)
{
    (void)m, (void)index;
    finn_error e = {0};
    ds_params p;
    finn_datatype dt;
    if (ds_params_get(n, &p, &e) || hs_req_dt(n, "inputDataType", &dt, &e))
        return -1;
    return p.simd * finn_dt_bitwidth(dt);
}

/* int(C / SIMD * batch * (I if 1-D else I*I)), float arithmetic as FINN */
static int64_t ds_cycles(const finn_model *m, const finn_node *n)
{
    (void)m;
    finn_error e = {0};
    ds_params p;
    if (ds_params_get(n, &p, &e))
        return -1;
    double total = p.is1d ? (double)p.idim : (double)p.idim * (double)p.idim;
    return (int64_t)((double)p.c / (double)p.simd * (double)p.nvec * total);
}

static int ds_check_folding(const finn_model *m, const finn_node *n, finn_error *err)
{
    (void)m;
    ds_params p;
    if (hs_req_i(n, "NumChannels", &p.c, err))
        return -1;
    return hs_check_divides(n, "SIMD", finn_node_attr_i(n, "SIMD", 1), "NumChannels", p.c, err);
}

/* Im2Col with a 1x1 kernel and the stride on the non-unit axes. */
static int ds_exec(const finn_model *m, const finn_node *n, finn_exec_ctx *ctx, finn_error *err)
{
    (void)m;
    ds_params p;
    const finn_tensor *x = hs_input(ctx, n, 0, err);
    if (!x || ds_params_get(n, &p, err))
        return -1;
    hs_window w = {1, 1, p.stride, p.stride, 1, 1};
    if (p.is1d && p.unitx)
        w.sw = 1;
    else if (p.is1d)
        w.sh = 1;
    return hs_im2col(n, x, &w, ctx, err);
}

static const finn_hw_op DS_HW;

static int ds_infer_shapes(finn_model *m, finn_node *n, finn_error *err)
{
    return hs_infer_shapes(&DS_HW, m, n, err);
}

static int ds_infer_dt(finn_model *m, finn_node *n, finn_error *err)
{
    return hs_dt_like_input(m, n, "inputDataType", err);
}

static const finn_hw_attr DS_ATTRS[] = {
    {"ImgDim", FINN_ATTR_INT, NULL},
    {"NumChannels", FINN_ATTR_INT, NULL},
    {"SIMD", FINN_ATTR_INT, "1"},
    {"Stride", FINN_ATTR_INT, NULL}, /* required, FINN's table says 2 */
    {"inputDataType", FINN_ATTR_STRING, NULL},
    {"numInputVectors", FINN_ATTR_INT, "1"},
    {"is1D", FINN_ATTR_INT, "0"},
    {"is1D_unitx", FINN_ATTR_INT, "1"},
    {NULL, 0, NULL}};
static const char *const DS_FOLDING[] = {"SIMD", NULL};

static const finn_hw_op DS_HW = {"DownSampler", NULL,    DS_ATTRS,         ds_shape,
                                 ds_width,      ds_width, ds_cycles,       NULL,
                                 ds_check_folding, DS_FOLDING};
const finn_op hs_downsampler_op = {FINN_HW_DOMAIN, "DownSampler", ds_infer_shapes, ds_infer_dt,
                                   ds_exec, &DS_HW};
