/*
 * vvau.c - VVAU, the depthwise vector-vector-activation unit (FINN's
 * vectorvectoractivation.py): per channel c, y[c] = sum_k x[k, c] W[c, 0, k]
 * over the kh*kw window, then optional multithresholding as MVAU.
 *
 * Inputs: x (1, H, W, kh*kw*C), W (C, 1, kh, kw), thresholds T.
 * Element order of x: (k, c) when its producer is an Im2Col or a generic
 * ConvolutionInputGenerator, else FINN's folded order (C/PE, k, PE).
 * BIPOLAR input and weights give the popcount (dot + kh*kw) / 2.
 */
#include "hwc.h"

#include <stdlib.h>
#include <string.h>

static const finn_hw_attr VVAU_ATTRS[] = {
    {"PE", FINN_ATTR_INT, NULL},
    {"SIMD", FINN_ATTR_INT, "1"},
    {"Dim", FINN_ATTR_INTS, NULL},
    {"Channels", FINN_ATTR_INT, NULL},
    {"Kernel", FINN_ATTR_INTS, NULL},
    {"resType", FINN_ATTR_STRING, "auto"},
    {"ActVal", FINN_ATTR_INT, "0"},
    {"inputDataType", FINN_ATTR_STRING, NULL},
    {"weightDataType", FINN_ATTR_STRING, NULL},
    {"outputDataType", FINN_ATTR_STRING, NULL},
    {"accDataType", FINN_ATTR_STRING, "INT32"},
    {"noActivation", FINN_ATTR_INT, "0"},
    {"mem_mode", FINN_ATTR_STRING, "internal_decoupled"},
    {"runtime_writeable_weights", FINN_ATTR_INT, "0"},
    {"ram_style", FINN_ATTR_STRING, "auto"},
    {"binaryXnorMode", FINN_ATTR_INT, "0"},
    {NULL, 0, NULL}};

static const char *const FOLDING[] = {"PE", "SIMD", "ram_style", "resType", "mem_mode",
                                      "runtime_writeable_weights", NULL};

typedef struct vv_p {
    int64_t pe, simd, ch, dim[2], kernel[2];
} vv_p;

static int vv_pair(const finn_node *n, const char *name, int64_t *v, finn_error *err)
{
    int count = hwc_ints(n, name, NULL, 0, v, 2, err);
    if (count < 0)
        return -1;
    if (count != 2)
        return finn_error_set(err, FINN_ERR_INVALID, "attribute '%s' needs 2 values, got %d",
                              name, count);
    return 0;
}

static int vv_params(const finn_node *n, vv_p *p, finn_error *err)
{
    p->simd = finn_node_attr_i(n, "SIMD", 1);
    if (p->simd < 1)
        return finn_error_set(err, FINN_ERR_INVALID, "attribute 'SIMD' = %lld must be >= 1",
                              (long long)p->simd);
    return hwc_req_pos(n, "PE", &p->pe, err) || hwc_req_pos(n, "Channels", &p->ch, err) ||
                   vv_pair(n, "Dim", p->dim, err) || vv_pair(n, "Kernel", p->kernel, err)
               ? -1
               : 0;
}

static int vv_check_folding(const finn_model *m, const finn_node *n, finn_error *err)
{
    (void)m;
    vv_p p;
    if (vv_params(n, &p, err))
        return hwc_named(err, n);
    if (hwc_check_div(n, "PE", p.pe, "Channels", p.ch, err) ||
        hwc_check_div(n, "SIMD", p.simd, "kernel size", p.kernel[0] * p.kernel[1], err))
        return -1;
    return 0;
}

/* normal: (1,H,W,k*C) -> (1,H,W,C); folded: (1,H,W,(k/SIMD)*(C/PE),SIMD*PE)
 * -> (1,H,W,C/PE,PE); external weights folded (1,(k/SIMD)*(C/PE),PE) */
static int vv_shape(const finn_model *m, const finn_node *n, finn_hw_shape_kind kind,
                    size_t index, int *ndim, int64_t *shape, finn_error *err)
{
    vv_p p;
    if (vv_params(n, &p, err))
        return hwc_named(err, n);
    int64_t k = p.kernel[0] * p.kernel[1], nf = p.ch / p.pe;
    shape[0] = 1, shape[1] = p.dim[0], shape[2] = p.dim[1];
    *ndim = 4;
    switch (kind) {
    case FINN_HW_NORMAL_IN:
        shape[3] = k * p.ch;
        break;
    case FINN_HW_NORMAL_OUT:
        shape[3] = p.ch;
        break;
    case FINN_HW_FOLDED_OUT:
        shape[3] = nf, shape[4] = p.pe, *ndim = 5;
        break;
    default: /* folded input: FINN asserts divisibility here */
        if (vv_check_folding(m, n, err))
            return -1;
        if (index == 0) {
            shape[3] = k / p.simd * nf, shape[4] = p.simd * p.pe, *ndim = 5;
        } else if (index == 1 &&
                   !strcmp(finn_node_attr_s(n, "mem_mode", "internal_decoupled"), "external")) {
            shape[1] = k / p.simd * nf, shape[2] = p.pe, *ndim = 3;
        } else {
            finn_error_set(err, FINN_ERR_INVALID, "no folded shape for input %zu", index);
            return hwc_named(err, n);
        }
        break;
    }
    return 0;
}

/* input 0: SIMD * PE * b(in); input 1 (weight stream): SIMD * PE * b(w)
 * unless the weights are embedded */
static int64_t vv_in_width(const finn_model *m, const finn_node *n, size_t index)
{
    (void)m;
    int64_t pe = finn_node_attr_i(n, "PE", -1), simd = finn_node_attr_i(n, "SIMD", 1);
    if (index == 1) {
        const char *mode = finn_node_attr_s(n, "mem_mode", "internal_decoupled");
        if (strcmp(mode, "internal_decoupled") && strcmp(mode, "external"))
            return 0;
    }
    int64_t b = hwc_bits(n, index == 1 ? "weightDataType" : "inputDataType");
    return b < 0 || pe < 0 ? -1 : b * simd * pe;
}

static int64_t vv_out_width(const finn_model *m, const finn_node *n, size_t index)
{
    (void)m, (void)index;
    return hwc_pe_width(n, "outputDataType");
}

/* int((C * kh * kw / PE / SIMD) * H * W), in float as FINN */
static int64_t vv_cycles(const finn_model *m, const finn_node *n)
{
    (void)m;
    vv_p p;
    finn_error e = {0};
    if (vv_params(n, &p, &e))
        return -1;
    double c = (double)(p.ch * p.kernel[0] * p.kernel[1]) / (double)p.pe / (double)p.simd *
               (double)(p.dim[0] * p.dim[1]);
    return (int64_t)c;
}

static int vv_infer_shapes(finn_model *m, finn_node *n, finn_error *err)
{
    int nd;
    int64_t shape[FINN_MAX_DIMS];
    if (vv_shape(m, n, FINN_HW_NORMAL_OUT, 0, &nd, shape, err))
        return -1;
    return hwc_set_out_shape(m, n, 0, FINN_ELEM_FLOAT, nd, shape, err) ? hwc_named(err, n) : 0;
}

static int vv_infer_dt(finn_model *m, finn_node *n, finn_error *err)
{
    finn_datatype idt, odt;
    if (hwc_copy_in_dt(m, n, 0, "inputDataType", &idt, err) ||
        hwc_dt(n, "outputDataType", &odt, err) || hwc_set_out_dt(m, n, 0, odt, err))
        return hwc_named(err, n);
    return 0;
}

/* y[pix, c] = sum_k x[pix, pos(k, c)] * W[c * K + k] */
static void vv_dot(const float *xv, const float *wv, int64_t pix, int64_t ch, int64_t kk,
                   int64_t pe, int bipolar, float *yv)
{
    for (int64_t q = 0; q < pix; q++) {
        const float *xp = xv + q * kk * ch;
        for (int64_t c = 0; c < ch; c++) {
            int64_t nf = c / pe, p = c % pe;
            double acc = 0;
            for (int64_t k = 0; k < kk; k++)
                acc += (double)xp[(nf * kk + k) * pe + p] * wv[c * kk + k];
            yv[q * ch + c] = (float)(bipolar ? (acc + (double)kk) / 2 : acc);
        }
    }
}

static int vv_exec(const finn_model *m, const finn_node *n, finn_exec_ctx *ctx, finn_error *err)
{
    const finn_tensor *x = hwc_in(ctx, n, 0, err), *w = x ? hwc_in(ctx, n, 1, err) : NULL;
    vv_p p;
    if (!w || vv_params(n, &p, err))
        return -1;
    int64_t kk = p.kernel[0] * p.kernel[1];
    const finn_node *prod = finn_model_producer(m, n->inputs[0]);
    int64_t pe = prod && (!strcmp(prod->op_type, "Im2Col") ||
                          !strcmp(prod->op_type, "ConvolutionInputGenerator"))
                     ? p.ch
                     : p.pe;
    if (x->ndim != 4 || x->shape[0] != 1 || x->shape[3] != kk * p.ch || p.ch % pe)
        return finn_error_set(err, FINN_ERR_INVALID,
                              "input must be (1, H, W, %lld) with PE dividing %lld channels",
                              (long long)(kk * p.ch), (long long)p.ch);
    if ((int64_t)finn_tensor_numel(w) != kk * p.ch)
        return finn_error_set(err, FINN_ERR_INVALID, "weights must hold %lld values (C, 1, kh, kw)",
                              (long long)(kk * p.ch));
    int64_t shape[4] = {1, x->shape[1], x->shape[2], p.ch};
    finn_tensor *y = finn_tensor_new(FINN_ELEM_FLOAT, 4, shape, err);
    int ox = 0, ow = 0;
    const float *xv = y ? hwc_floats(x, &ox, err) : NULL;
    const float *wv = xv ? hwc_floats(w, &ow, err) : NULL;
    int rc = -1;
    if (wv) {
        int bipolar = !strcmp(finn_node_attr_s(n, "inputDataType", ""), "BIPOLAR") &&
                      !strcmp(finn_node_attr_s(n, "weightDataType", ""), "BIPOLAR");
        vv_dot(xv, wv, x->shape[1] * x->shape[2], p.ch, kk, pe, bipolar, y->data);
        rc = 0;
    }
    if (ow)
        free((void *)wv);
    if (ox)
        free((void *)xv);
    if (!rc && finn_node_attr_i(n, "noActivation", 0) == 0) {
        const finn_tensor *t = hwc_in(ctx, n, 2, err);
        int bipolar = !strcmp(finn_node_attr_s(n, "outputDataType", ""), "BIPOLAR");
        rc = !t || hwc_threshold(y, t, bipolar ? 2.0f : 1.0f,
                                 bipolar ? -1.0f : (float)finn_node_attr_i(n, "ActVal", 0), err)
                 ? -1
                 : 0;
    }
    if (rc) {
        finn_tensor_free(y);
        return -1;
    }
    return hwc_store(m, n, 0, ctx, y, err);
}

static const finn_hw_op VVAU_HW = {"VVAU",      NULL,         VVAU_ATTRS, vv_shape,
                                   vv_in_width, vv_out_width, vv_cycles,  NULL,
                                   vv_check_folding, FOLDING};

const finn_op hwc_vvau_op = {FINN_HW_DOMAIN, "VVAU", vv_infer_shapes, vv_infer_dt, vv_exec,
                             &VVAU_HW};
