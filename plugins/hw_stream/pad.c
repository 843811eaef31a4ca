/*
 * pad.c - FMPadding: zero padding of an NHWC feature map,
 * Padding = [top, left, bottom, right].  finn-frontend.md 8.4 and 10;
 * finn-backend.md 7 and 10.
 */
#include "hws.h"

#include <string.h>

typedef struct pad_params {
    int64_t img[2], pad[4], c, simd, nvec;
} pad_params;

static int pad_params_get(const finn_node *n, pad_params *p, finn_error *err)
{
    if (hs_req_ints(n, "ImgDim", 2, p->img, NULL, err) ||
        hs_req_ints(n, "Padding", 4, p->pad, NULL, err) ||
        hs_req_i(n, "NumChannels", &p->c, err))
        return -1;
    for (int i = 0; i < 4; i++)
        if (p->pad[i] < 0)
            return hs_fail(err, n, FINN_ERR_INVALID, "Padding must not be negative");
    p->simd = finn_node_attr_i(n, "SIMD", 1);
    p->nvec = finn_node_attr_i(n, "numInputVectors", 1);
    return hs_positive(n, "SIMD", p->simd, err);
}

static int pad_shape(const finn_model *m, const finn_node *n, finn_hw_shape_kind kind,
                     size_t index, int *ndim, int64_t *shape, finn_error *err)
{
    (void)m;
    pad_params p;
    if (index != 0)
        return hs_bad_kind(n, kind, index, err);
    if (pad_params_get(n, &p, err))
        return -1;
    if (kind == FINN_HW_NORMAL_IN || kind == FINN_HW_FOLDED_IN)
        hs_shape4(ndim, shape, 1, p.img[0], p.img[1], p.c);
    else
        hs_shape4(ndim, shape, 1, p.img[0] + p.pad[0] + p.pad[2], p.img[1] + p.pad[1] + p.pad[3],
                  p.c);
    if (kind == FINN_HW_FOLDED_IN || kind == FINN_HW_FOLDED_OUT)
        return hs_fold_last(n, "SIMD", p.simd, ndim, shape, err);
    return 0;
}

/* FINN's get_input_datatype asserts the type can hold the padding zero. */
static int pad_dt(const finn_node *n, finn_datatype *dt, finn_error *err)
{
    if (hs_req_dt(n, "inputDataType", dt, err))
        return -1;
    if (!finn_dt_allowed(*dt, 0)) {
        char buf[FINN_DT_NAME_MAX];
        return hs_fail(err, n, FINN_ERR_INVALID, "inputDataType %s cannot represent 0",
                       finn_dt_name(*dt, buf, sizeof buf));
    }
    return 0;
}

static int64_t pad_width(const finn_model *m, const finn_node *n, size_t index)
{
    (void)m, (void)index;
    finn_error e = {0};
    finn_datatype dt;
    if (pad_dt(n, &dt, &e))
        return -1;
    return finn_node_attr_i(n, "SIMD", 1) * finn_dt_bitwidth(dt);
}

/* int((C / SIMD) * batch * OH * OW) in float arithmetic, as FINN */
static int64_t pad_cycles(const finn_model *m, const finn_node *n)
{
    (void)m;
    finn_error e = {0};
    pad_params p;
    if (pad_params_get(n, &p, &e))
        return -1;
    double oh = (double)(p.img[0] + p.pad[0] + p.pad[2]);
    double ow = (double)(p.img[1] + p.pad[1] + p.pad[3]);
    return (int64_t)((double)p.c / (double)p.simd * (double)p.nvec * oh * ow);
}

static int pad_check_folding(const finn_model *m, const finn_node *n, finn_error *err)
{
    (void)m;
    int64_t c;
    if (hs_req_i(n, "NumChannels", &c, err))
        return -1;
    return hs_check_divides(n, "SIMD", finn_node_attr_i(n, "SIMD", 1), "NumChannels", c, err);
}

/* np.pad of the actual input with zeros on H and W. */
static int pad_exec(const finn_model *m, const finn_node *n, finn_exec_ctx *ctx, finn_error *err)
{
    (void)m;
    pad_params p;
    const finn_tensor *x = hs_input(ctx, n, 0, err);
    if (!x || pad_params_get(n, &p, err))
        return -1;
    if (x->ndim != 4)
        return hs_fail(err, n, FINN_ERR_INVALID, "input must be 4-D NHWC, got %d-D", x->ndim);
    int64_t nb = x->shape[0], h = x->shape[1], w = x->shape[2], c = x->shape[3];
    int64_t oh = h + p.pad[0] + p.pad[2], ow = w + p.pad[1] + p.pad[3];
    int64_t os[4] = {nb, oh, ow, c};
    finn_tensor *y = hs_output_new(ctx, n, 0, x->type, 4, os, err);
    if (!y)
        return -1;
    size_t es = finn_elem_size(x->type), row = (size_t)(w * c) * es;
    const unsigned char *src = x->data;
    unsigned char *dst = y->data;
    for (int64_t b = 0; b < nb; b++)
        for (int64_t iy = 0; iy < h; iy++)
            memcpy(dst + (size_t)(((b * oh + iy + p.pad[0]) * ow + p.pad[1]) * c) * es,
                   src + (size_t)((b * h + iy) * w * c) * es, row);
    return 0; /* the rest stays zero from finn_tensor_new */
}

static const finn_hw_op PAD_HW;

static int pad_infer_shapes(finn_model *m, finn_node *n, finn_error *err)
{
    return hs_infer_shapes(&PAD_HW, m, n, err);
}

static int pad_infer_dt(finn_model *m, finn_node *n, finn_error *err)
{
    return hs_dt_like_input(m, n, "inputDataType", err);
}

static const finn_hw_attr PAD_ATTRS[] = {
    {"ImgDim", FINN_ATTR_INTS, NULL},
    {"Padding", FINN_ATTR_INTS, NULL}, /* required, FINN's table says [1, 1, 1, 1] */
    {"NumChannels", FINN_ATTR_INT, NULL},
    {"SIMD", FINN_ATTR_INT, "1"},
    {"inputDataType", FINN_ATTR_STRING, NULL},
    {"numInputVectors", FINN_ATTR_INT, "1"},
    {NULL, 0, NULL}};
static const char *const PAD_FOLDING[] = {"SIMD", NULL};

static const finn_hw_op PAD_HW = {"FMPadding", NULL,      PAD_ATTRS,  pad_shape,
                                  pad_width,   pad_width, pad_cycles, NULL,
                                  pad_check_folding, PAD_FOLDING};
const finn_op hs_fmpadding_op = {FINN_HW_DOMAIN, "FMPadding", pad_infer_shapes, pad_infer_dt,
                                 pad_exec, &PAD_HW};
