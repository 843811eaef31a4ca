/*
 * stream.c - stream plumbing layers: StreamingDataWidthConverter and
 * StreamingFIFO (identity), StreamingConcat (concatenation on the last
 * axis) and UpsampleNearestNeighbour.  finn-frontend.md 8.4 and 10;
 * finn-backend.md 10.
 */
#include "hws.h"

#include <math.h>
#include <string.h>

static int64_t no_cycles(const finn_model *m, const finn_node *n)
{
    (void)m, (void)n;
    return 0; /* HWCustomOp's default */
}

/* ---- StreamingDataWidthConverter --------------------------------------- */

typedef struct dwc_params {
    int64_t shape[FINN_MAX_DIMS];
    size_t ndim;
    int64_t in_w, out_w;
    finn_datatype dt;
} dwc_params;

static int dwc_params_get(const finn_node *n, dwc_params *p, finn_error *err)
{
    if (hs_req_ints(n, "shape", 0, p->shape, &p->ndim, err) ||
        hs_req_i(n, "inWidth", &p->in_w, err) || hs_req_i(n, "outWidth", &p->out_w, err) ||
        hs_req_dt(n, "dataType", &p->dt, err))
        return -1;
    if (p->ndim < 1 || p->ndim >= FINN_MAX_DIMS)
        return hs_fail(err, n, FINN_ERR_INVALID, "attribute 'shape' needs 1 to %d values",
                       FINN_MAX_DIMS - 1);
    return 0;
}

/* shape[:-1] + [C / e, e] with e = width / bits; FINN asserts the width
 * is a multiple of the element bits and numpy's reshape that e divides C. */
static int dwc_fold(const finn_node *n, const dwc_params *p, const char *attr, int64_t width,
                    int *ndim, int64_t *shape, finn_error *err)
{
    int bits = finn_dt_bitwidth(p->dt);
    if (width < 1 || width % bits)
        return hs_fail(err, n, FINN_ERR_INVALID,
                       "%s = %lld must be a positive multiple of the element width %d", attr,
                       (long long)width, bits);
    int64_t elems = width / bits, c = shape[*ndim - 1];
    if (c % elems) {
        char buf[FINN_DT_NAME_MAX];
        return hs_fail(err, n, FINN_ERR_INVALID,
                       "%s = %lld holds %lld %s values, which do not divide the last "
                       "dimension %lld",
                       attr, (long long)width, (long long)elems,
                       finn_dt_name(p->dt, buf, sizeof buf), (long long)c);
    }
    return hs_fold_last(n, attr, elems, ndim, shape, err);
}

static int dwc_shape(const finn_model *m, const finn_node *n, finn_hw_shape_kind kind,
                     size_t index, int *ndim, int64_t *shape, finn_error *err)
{
    (void)m;
    dwc_params p;
    if (index != 0)
        return hs_bad_kind(n, kind, index, err);
    if (dwc_params_get(n, &p, err))
        return -1;
    *ndim = (int)p.ndim;
    memcpy(shape, p.shape, p.ndim * sizeof *shape);
    if (kind == FINN_HW_FOLDED_IN)
        return dwc_fold(n, &p, "inWidth", p.in_w, ndim, shape, err);
    if (kind == FINN_HW_FOLDED_OUT)
        return dwc_fold(n, &p, "outWidth", p.out_w, ndim, shape, err);
    return 0;
}

static int64_t dwc_in_width(const finn_model *m, const finn_node *n, size_t index)
{
    (void)m, (void)index;
    const finn_attr *a = finn_node_attr(n, "inWidth");
    return a && a->type == FINN_ATTR_INT ? a->i : -1;
}

static int64_t dwc_out_width(const finn_model *m, const finn_node *n, size_t index)
{
    (void)m, (void)index;
    const finn_attr *a = finn_node_attr(n, "outWidth");
    return a && a->type == FINN_ATTR_INT ? a->i : -1;
}

/* Both folded shapes must exist (FINN asserts when it builds them). */
static int dwc_check_folding(const finn_model *m, const finn_node *n, finn_error *err)
{
    int nd;
    int64_t s[FINN_MAX_DIMS];
    return dwc_shape(m, n, FINN_HW_FOLDED_IN, 0, &nd, s, err) ||
                   dwc_shape(m, n, FINN_HW_FOLDED_OUT, 0, &nd, s, err)
               ? -1
               : 0;
}

/* Identity; FINN asserts the input has exactly the attribute shape. */
static int dwc_exec(const finn_model *m, const finn_node *n, finn_exec_ctx *ctx, finn_error *err)
{
    (void)m;
    dwc_params p;
    const finn_tensor *x = hs_input(ctx, n, 0, err);
    if (!x || dwc_params_get(n, &p, err))
        return -1;
    if (!finn_shape_equal(x->ndim, x->shape, (int)p.ndim, p.shape)) {
        char a[96], b[96];
        return hs_fail(err, n, FINN_ERR_INVALID, "input shape %s does not match shape %s",
                       finn_shape_str(x->ndim, x->shape, a, sizeof a),
                       finn_shape_str((int)p.ndim, p.shape, b, sizeof b));
    }
    return hs_output_reshaped(ctx, n, 0, x, (int)p.ndim, p.shape, err);
}

static const finn_hw_op DWC_HW;

static int dwc_infer_shapes(finn_model *m, finn_node *n, finn_error *err)
{
    return hs_infer_shapes(&DWC_HW, m, n, err);
}

static int dt_attr_like_input(finn_model *m, finn_node *n, finn_error *err)
{
    return hs_dt_like_input(m, n, "dataType", err);
}

static const finn_hw_attr DWC_ATTRS[] = {{"shape", FINN_ATTR_INTS, NULL},
                                         {"inWidth", FINN_ATTR_INT, NULL},
                                         {"outWidth", FINN_ATTR_INT, NULL},
                                         {"dataType", FINN_ATTR_STRING, NULL},
                                         {NULL, 0, NULL}};

static const finn_hw_op DWC_HW = {"StreamingDataWidthConverter",
                                  NULL,
                                  DWC_ATTRS,
                                  dwc_shape,
                                  dwc_in_width,
                                  dwc_out_width,
                                  no_cycles,
                                  NULL,
                                  dwc_check_folding,
                                  NULL};
const finn_op hs_dwc_op = {FINN_HW_DOMAIN, "StreamingDataWidthConverter", dwc_infer_shapes,
                           dt_attr_like_input, dwc_exec, &DWC_HW};

/* ---- StreamingFIFO ------------------------------------------------------ */

static int fifo_shape(const finn_model *m, const finn_node *n, finn_hw_shape_kind kind,
                      size_t index, int *ndim, int64_t *shape, finn_error *err)
{
    (void)m;
    if (index != 0)
        return hs_bad_kind(n, kind, index, err);
    bool folded = kind == FINN_HW_FOLDED_IN || kind == FINN_HW_FOLDED_OUT;
    size_t nd;
    if (!folded) { /* FINN checks the depth when it reads the normal shape */
        int64_t depth;
        if (hs_req_i(n, "depth", &depth, err))
            return -1;
        if (depth < 1)
            return hs_fail(err, n, FINN_ERR_INVALID, "depth = %lld is too low (at least 1)",
                           (long long)depth);
    }
    if (hs_req_ints(n, folded ? "folded_shape" : "normal_shape", 0, shape, &nd, err))
        return -1;
    *ndim = (int)nd;
    return 0;
}

static int64_t fifo_width(const finn_model *m, const finn_node *n, size_t index)
{
    (void)m, (void)index;
    finn_error e = {0};
    int64_t fs[FINN_MAX_DIMS];
    size_t nd;
    finn_datatype dt;
    if (hs_req_ints(n, "folded_shape", 0, fs, &nd, &e) || nd < 1 ||
        hs_req_dt(n, "dataType", &dt, &e))
        return -1;
    return fs[nd - 1] * finn_dt_bitwidth(dt);
}

static int fifo_exec(const finn_model *m, const finn_node *n, finn_exec_ctx *ctx,
                     finn_error *err)
{
    (void)m;
    const finn_tensor *x = hs_input(ctx, n, 0, err);
    return x ? hs_output_reshaped(ctx, n, 0, x, x->ndim, x->shape, err) : -1;
}

static const finn_hw_op FIFO_HW;

static int fifo_infer_shapes(finn_model *m, finn_node *n, finn_error *err)
{
    return hs_infer_shapes(&FIFO_HW, m, n, err);
}

static const finn_hw_attr FIFO_ATTRS[] = {{"depth", FINN_ATTR_INT, NULL},
                                          {"folded_shape", FINN_ATTR_INTS, NULL},
                                          {"normal_shape", FINN_ATTR_INTS, NULL},
                                          {"dataType", FINN_ATTR_STRING, NULL},
                                          {"ram_style", FINN_ATTR_STRING, "auto"},
                                          {"depth_monitor", FINN_ATTR_INT, "0"},
                                          /* overrides HWCustomOp's [2] */
                                          {"inFIFODepths", FINN_ATTR_INTS, "[0]"},
                                          {"outFIFODepths", FINN_ATTR_INTS, "[0]"},
                                          {NULL, 0, NULL}};
static const char *const FIFO_FOLDING[] = {"depth", "ram_style", NULL};

static const finn_hw_op FIFO_HW = {"StreamingFIFO", NULL,       FIFO_ATTRS, fifo_shape,
                                   fifo_width,      fifo_width, no_cycles,  NULL,
                                   NULL,            FIFO_FOLDING};
const finn_op hs_fifo_op = {FINN_HW_DOMAIN, "StreamingFIFO", fifo_infer_shapes,
                            dt_attr_like_input, fifo_exec, &FIFO_HW};

/* ---- StreamingConcat ------------------------------------------------------ */

typedef struct concat_params {
    int64_t elems[FINN_MAX_DIMS * 4];
    size_t n_elems;
    int64_t vecs[FINN_MAX_DIMS];
    size_t n_vecs;
} concat_params;

static int concat_params_get(const finn_node *n, concat_params *p, finn_error *err)
{
    static const int64_t ONE[1] = {1};
    const finn_attr *a = finn_node_attr(n, "ElemsPerStream");
    if (!a)
        return hs_fail(err, n, FINN_ERR_INVALID, "required attribute 'ElemsPerStream' is missing");
    if (a->type != FINN_ATTR_INTS || a->n < 1 || a->n > sizeof p->elems / sizeof p->elems[0])
        return hs_fail(err, n, FINN_ERR_INVALID,
                       "attribute 'ElemsPerStream' must be a list of 1 to %zu integers",
                       sizeof p->elems / sizeof p->elems[0]);
    p->n_elems = a->n;
    memcpy(p->elems, a->ints, a->n * sizeof *p->elems);
    if (hs_opt_ints(n, "numInputVectors", 1, ONE, p->vecs, &p->n_vecs, err))
        return -1;
    if (p->n_vecs + 1 >= FINN_MAX_DIMS)
        return hs_fail(err, n, FINN_ERR_INVALID, "numInputVectors has too many values");
    return 0;
}

static int64_t concat_total(const concat_params *p)
{
    int64_t t = 0;
    for (size_t i = 0; i < p->n_elems; i++)
        t += p->elems[i];
    return t;
}

/* No folding: folded shapes are the normal ones. */
static int concat_shape(const finn_model *m, const finn_node *n, finn_hw_shape_kind kind,
                        size_t index, int *ndim, int64_t *shape, finn_error *err)
{
    (void)m;
    concat_params p;
    if (concat_params_get(n, &p, err))
        return -1;
    bool in = kind == FINN_HW_NORMAL_IN || kind == FINN_HW_FOLDED_IN;
    if ((in && index >= p.n_elems) || (!in && index != 0))
        return hs_bad_kind(n, kind, index, err);
    memcpy(shape, p.vecs, p.n_vecs * sizeof *shape);
    shape[p.n_vecs] = in ? p.elems[index] : concat_total(&p);
    *ndim = (int)p.n_vecs + 1;
    return 0;
}

static int64_t concat_width(const finn_node *n, int out, size_t index)
{
    finn_error e = {0};
    concat_params p;
    finn_datatype dt;
    if (concat_params_get(n, &p, &e) || hs_req_dt(n, "inputDataType", &dt, &e) ||
        (!out && index >= p.n_elems))
        return -1;
    return (out ? concat_total(&p) : p.elems[index]) * finn_dt_bitwidth(dt);
}

static int64_t concat_in_width(const finn_model *m, const finn_node *n, size_t index)
{
    (void)m;
    return concat_width(n, 0, index);
}

static int64_t concat_out_width(const finn_model *m, const finn_node *n, size_t index)
{
    (void)m;
    return concat_width(n, 1, index);
}

/* prod(folded output shape[:-1]) = prod(numInputVectors) */
static int64_t concat_cycles(const finn_model *m, const finn_node *n)
{
    (void)m;
    finn_error e = {0};
    concat_params p;
    if (concat_params_get(n, &p, &e))
        return -1;
    int64_t c = 1;
    for (size_t i = 0; i < p.n_vecs; i++)
        c *= p.vecs[i];
    return c;
}

static int concat_exec(const finn_model *m, const finn_node *n, finn_exec_ctx *ctx,
                       finn_error *err)
{
    (void)m;
    if (n->n_inputs < 1)
        return hs_fail(err, n, FINN_ERR_INVALID, "needs at least one input");
    const finn_tensor *x0 = hs_input(ctx, n, 0, err);
    if (!x0)
        return -1;
    if (x0->ndim < 1)
        return hs_fail(err, n, FINN_ERR_INVALID, "inputs must have at least one axis");
    int nd = x0->ndim;
    int64_t os[FINN_MAX_DIMS];
    memcpy(os, x0->shape, (size_t)nd * sizeof *os);
    os[nd - 1] = 0;
    for (size_t k = 0; k < n->n_inputs; k++) {
        const finn_tensor *x = hs_input(ctx, n, k, err);
        if (!x)
            return -1;
        bool ok = x->ndim == nd;
        for (int d = 0; ok && d < nd - 1; d++)
            ok = x->shape[d] == x0->shape[d];
        if (!ok) {
            char a[96], b[96];
            return hs_fail(err, n, FINN_ERR_INVALID,
                           "input '%s' %s cannot be concatenated with %s on the last axis",
                           n->inputs[k], finn_shape_str(x->ndim, x->shape, a, sizeof a),
                           finn_shape_str(x0->ndim, x0->shape, b, sizeof b));
        }
        os[nd - 1] += x->shape[nd - 1];
    }
    finn_tensor *y = hs_output_new(ctx, n, 0, x0->type, nd, os, err);
    if (!y)
        return -1;
    size_t rows = finn_shape_numel(nd - 1, os), o = 0;
    for (size_t r = 0; r < rows; r++)
        for (size_t k = 0; k < n->n_inputs; k++) {
            const finn_tensor *x = finn_exec_ctx_get(ctx, n->inputs[k]);
            size_t e = (size_t)x->shape[nd - 1];
            for (size_t i = 0; i < e; i++)
                finn_tensor_set(y, o++, finn_tensor_get(x, r * e + i));
        }
    return 0;
}

static const finn_hw_op CONCAT_HW;

static int concat_infer_shapes(finn_model *m, finn_node *n, finn_error *err)
{
    return hs_infer_shapes(&CONCAT_HW, m, n, err);
}

/* FINN asserts every input is annotated inputDataType; output = that. */
static int concat_infer_dt(finn_model *m, finn_node *n, finn_error *err)
{
    finn_datatype dt;
    char a[FINN_DT_NAME_MAX], b[FINN_DT_NAME_MAX];
    if (hs_req_dt(n, "inputDataType", &dt, err))
        return -1;
    for (size_t k = 0; k < n->n_inputs; k++) {
        finn_datatype idt = finn_model_datatype(m, n->inputs[k]);
        if (!finn_dt_equal(idt, dt))
            return hs_fail(err, n, FINN_ERR_INVALID,
                           "input '%s' is annotated %s, inputDataType is %s", n->inputs[k],
                           finn_dt_name(idt, a, sizeof a), finn_dt_name(dt, b, sizeof b));
    }
    if (n->n_outputs < 1 || !n->outputs[0][0])
        return hs_fail(err, n, FINN_ERR_INVALID, "output 0 is required");
    return finn_model_set_datatype(m, n->outputs[0], dt, err);
}

static const finn_hw_attr CONCAT_ATTRS[] = {{"ElemsPerStream", FINN_ATTR_INTS, NULL},
                                            {"inputDataType", FINN_ATTR_STRING, NULL},
                                            {"numInputVectors", FINN_ATTR_INTS, "[1]"},
                                            {NULL, 0, NULL}};

static const finn_hw_op CONCAT_HW = {"StreamingConcat", NULL,          CONCAT_ATTRS,
                                     concat_shape,      concat_in_width, concat_out_width,
                                     concat_cycles,     NULL,          NULL,
                                     NULL};
const finn_op hs_concat_op = {FINN_HW_DOMAIN, "StreamingConcat", concat_infer_shapes,
                              concat_infer_dt, concat_exec, &CONCAT_HW};

/* ---- UpsampleNearestNeighbour ----------------------------------------- */

typedef struct up_params {
    int64_t ofm, ifm, c, nvec;
    int is2d;
} up_params;

static int up_params_get(const finn_node *n, up_params *p, finn_error *err)
{
    if (hs_req_i(n, "OFMDim", &p->ofm, err) || hs_req_i(n, "IFMDim", &p->ifm, err) ||
        hs_req_i(n, "NumChannels", &p->c, err))
        return -1;
    p->nvec = finn_node_attr_i(n, "numInputVectors", 1);
    p->is2d = finn_node_attr_i(n, "DimMode", 0) == 0;
    return 0;
}

/* Folded shapes are the normal ones. */
static int up_shape(const finn_model *m, const finn_node *n, finn_hw_shape_kind kind,
                    size_t index, int *ndim, int64_t *shape, finn_error *err)
{
    (void)m;
    up_params p;
    if (index != 0)
        return hs_bad_kind(n, kind, index, err);
    if (up_params_get(n, &p, err))
        return -1;
    int64_t d = kind == FINN_HW_NORMAL_IN || kind == FINN_HW_FOLDED_IN ? p.ifm : p.ofm;
    hs_shape4(ndim, shape, p.nvec, d, p.is2d ? d : 1, p.c);
    return 0;
}

static int64_t up_width(const finn_model *m, const finn_node *n, size_t index)
{
    (void)m, (void)index;
    finn_error e = {0};
    up_params p;
    finn_datatype dt;
    if (up_params_get(n, &p, &e) || hs_req_dt(n, "inputDataType", &dt, &e))
        return -1;
    return p.c * finn_dt_bitwidth(dt);
}

/* 2-D: OFMDim^2 * numInputVectors; 1-D: OFMDim (FINN ignores the batch) */
static int64_t up_cycles(const finn_model *m, const finn_node *n)
{
    (void)m;
    finn_error e = {0};
    up_params p;
    if (up_params_get(n, &p, &e))
        return -1;
    return p.is2d ? p.ofm * p.ofm * p.nvec : p.ofm;
}

/* onnxruntime Resize nearest (opset 13 defaults: half_pixel,
 * round_prefer_floor) with an integer factor s reduces to
 * out[y][x] = in[floor(y/s)][floor(x/s)]. */
static int up_exec(const finn_model *m, const finn_node *n, finn_exec_ctx *ctx, finn_error *err)
{
    (void)m;
    up_params p;
    const finn_tensor *x = hs_input(ctx, n, 0, err);
    if (!x || up_params_get(n, &p, err))
        return -1;
    if (x->ndim != 4)
        return hs_fail(err, n, FINN_ERR_INVALID, "input must be 4-D NHWC, got %d-D", x->ndim);
    if (p.ifm < 1)
        return hs_fail(err, n, FINN_ERR_INVALID, "IFMDim must be positive");
    int64_t s = (int64_t)nearbyint((double)p.ofm / (double)p.ifm); /* python round() */
    int64_t nb = x->shape[0], h = x->shape[1], w = x->shape[2], c = x->shape[3], sw;
    if (h == w)
        sw = s;
    else if (h > 1 && w == 1)
        sw = 1;
    else
        return hs_fail(err, n, FINN_ERR_INVALID,
                       "can only upsample a square map or a (H, 1) map, got %lldx%lld",
                       (long long)h, (long long)w);
    if (s < 1)
        return hs_fail(err, n, FINN_ERR_INVALID, "OFMDim %lld / IFMDim %lld rounds to scale 0",
                       (long long)p.ofm, (long long)p.ifm);
    int64_t os[4] = {nb, h * s, w * sw, c};
    finn_tensor *y = hs_output_new(ctx, n, 0, x->type, 4, os, err);
    if (!y)
        return -1;
    size_t es = finn_elem_size(x->type), row = (size_t)c * es;
    const unsigned char *src = x->data;
    unsigned char *dst = y->data;
    for (int64_t b = 0; b < nb; b++)
        for (int64_t oy = 0; oy < os[1]; oy++)
            for (int64_t ox = 0; ox < os[2]; ox++, dst += row)
                memcpy(dst, src + (size_t)(((b * h + oy / s) * w + ox / sw) * c) * es, row);
    return 0;
}

static const finn_hw_op UP_HW;

static int up_infer_shapes(finn_model *m, finn_node *n, finn_error *err)
{
    return hs_infer_shapes(&UP_HW, m, n, err);
}

static int up_infer_dt(finn_model *m, finn_node *n, finn_error *err)
{
    return hs_dt_like_input(m, n, "inputDataType", err);
}

static const finn_hw_attr UP_ATTRS[] = {{"OFMDim", FINN_ATTR_INT, NULL},
                                        {"IFMDim", FINN_ATTR_INT, NULL},
                                        {"NumChannels", FINN_ATTR_INT, NULL},
                                        {"inputDataType", FINN_ATTR_STRING, NULL},
                                        {"numInputVectors", FINN_ATTR_INT, "1"},
                                        {"DimMode", FINN_ATTR_INT, "0"},
                                        {NULL, 0, NULL}};

static const finn_hw_op UP_HW = {"UpsampleNearestNeighbour", NULL, UP_ATTRS, up_shape, up_width,
                                 up_width, up_cycles, NULL, NULL, NULL};
const finn_op hs_upsample_op = {FINN_HW_DOMAIN, "UpsampleNearestNeighbour", up_infer_shapes,
                                up_infer_dt, up_exec, &UP_HW};
