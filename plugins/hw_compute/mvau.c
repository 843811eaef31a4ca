/*
 * mvau.c - MVAU, the matrix-vector-activation unit (FINN's
 * matrixvectoractivation.py): y = x (vecs, MW) . W (MW, MH), then optional
 * multithresholding with ActVal as output bias.
 *
 * Inputs: x, W (MW, MH), thresholds T (MH or 1, steps) unless noActivation.
 * W and T are read from the execution context (initializers are copied
 * there), so unlike FINN a W that is not an initializer works too.
 * Accumulation is done in double, then rounded to float32: for the integer
 * data the layer is made for this is exactly numpy's float32 result while
 * sums stay below 2^24, and more exact beyond.
 */
#include "hwc.h"

#include <stdlib.h>
#include <string.h>

static const finn_hw_attr MVAU_ATTRS[] = {
    {"PE", FINN_ATTR_INT, NULL},
    {"SIMD", FINN_ATTR_INT, NULL},
    {"MW", FINN_ATTR_INT, NULL},
    {"MH", FINN_ATTR_INT, NULL},
    {"resType", FINN_ATTR_STRING, "auto"},
    {"ActVal", FINN_ATTR_INT, "0"},
    {"inputDataType", FINN_ATTR_STRING, NULL},
    {"weightDataType", FINN_ATTR_STRING, NULL},
    {"outputDataType", FINN_ATTR_STRING, NULL},
    {"accDataType", FINN_ATTR_STRING, "INT32"},
    {"binaryXnorMode", FINN_ATTR_INT, "0"},
    {"noActivation", FINN_ATTR_INT, "0"},
    {"numInputVectors", FINN_ATTR_INTS, "[1]"},
    {"mem_mode", FINN_ATTR_STRING, "internal_decoupled"},
    {"ram_style", FINN_ATTR_STRING, "auto"},
    {"ram_style_thresholds", FINN_ATTR_STRING, "auto"},
    {"runtime_writeable_weights", FINN_ATTR_INT, "0"},
    {NULL, 0, NULL}};

static const char *const MEM_MODES[] = {"internal_embedded", "internal_decoupled", "external",
                                        NULL};
static const char *const FOLDING[] = {"PE", "SIMD", "ram_style", "resType", "mem_mode",
                                      "runtime_writeable_weights", NULL};

typedef struct mv_p {
    int64_t pe, simd, mw, mh;
    int64_t vecs[HWC_MAXV];
    int nv;
} mv_p;

static int mv_params(const finn_node *n, mv_p *p, finn_error *err)
{
    if (hwc_req_pos(n, "PE", &p->pe, err) || hwc_req_pos(n, "SIMD", &p->simd, err) ||
        hwc_req_pos(n, "MW", &p->mw, err) || hwc_req_pos(n, "MH", &p->mh, err))
        return -1;
    p->nv = hwc_vecs(n, p->vecs, err);
    return p->nv < 0 ? -1 : 0;
}

static int mv_shape(const finn_model *m, const finn_node *n, finn_hw_shape_kind kind,
                    size_t index, int *ndim, int64_t *shape, finn_error *err)
{
    (void)m;
    mv_p p;
    if (mv_params(n, &p, err))
        return hwc_named(err, n);
    int64_t sf = p.mw / p.simd, nf = p.mh / p.pe;
    int64_t tail[2];
    int nt = 2;
    switch (kind) {
    case FINN_HW_NORMAL_IN:
        tail[0] = p.mw, nt = 1;
        break;
    case FINN_HW_NORMAL_OUT:
        tail[0] = p.mh, nt = 1;
        break;
    case FINN_HW_FOLDED_OUT:
        tail[0] = nf, tail[1] = p.pe;
        break;
    case FINN_HW_FOLDED_IN:
        if (index == 0) {
            tail[0] = sf, tail[1] = p.simd;
        } else if (index == 1 &&
                   !strcmp(finn_node_attr_s(n, "mem_mode", "internal_decoupled"), "external")) {
            tail[0] = sf * nf, tail[1] = p.simd * p.pe;
        } else {
            finn_error_set(err, FINN_ERR_INVALID, "no folded shape for input %zu", index);
            return hwc_named(err, n);
        }
        break;
    default:
        finn_error_set(err, FINN_ERR_INVALID, "unknown shape kind %d", (int)kind);
        return hwc_named(err, n);
    }
    return hwc_shape_cat(p.vecs, p.nv, tail, nt, ndim, shape, err) ? hwc_named(err, n) : 0;
}

/* Weight stream: PE * SIMD * b(w) unless the weights are embedded. */
static int64_t mv_weight_width(const finn_node *n)
{
    const char *mode = finn_node_attr_s(n, "mem_mode", "internal_decoupled");
    if (strcmp(mode, "internal_decoupled") && strcmp(mode, "external"))
        return 0;
    int64_t wb = hwc_bits(n, "weightDataType");
    int64_t pe = finn_node_attr_i(n, "PE", -1), simd = finn_node_attr_i(n, "SIMD", -1);
    return wb < 0 || pe < 0 || simd < 0 ? -1 : pe * simd * wb;
}

/* Input 0: SIMD * b(in); input 1 (the weight stream): see mv_weight_width. */
static int64_t mv_in_width(const finn_model *m, const finn_node *n, size_t index)
{
    (void)m;
    if (index == 1)
        return mv_weight_width(n);
    int64_t b = hwc_bits(n, "inputDataType"), simd = finn_node_attr_i(n, "SIMD", -1);
    return b < 0 || simd < 0 ? -1 : b * simd;
}

static int64_t mv_out_width(const finn_model *m, const finn_node *n, size_t index)
{
    (void)m, (void)index;
    int64_t b = hwc_bits(n, "outputDataType"), pe = finn_node_attr_i(n, "PE", -1);
    return b < 0 || pe < 0 ? -1 : b * pe;
}

/* (MH/PE) * (MW/SIMD) * prod(numInputVectors), in float as FINN, truncated. */
static int64_t mv_cycles(const finn_model *m, const finn_node *n)
{
    (void)m;
    mv_p p;
    finn_error e = {0};
    if (mv_params(n, &p, &e))
        return -1;
    double c = ((double)p.mh / (double)p.pe) * ((double)p.mw / (double)p.simd) *
               (double)hwc_prod(p.vecs, p.nv);
    return (int64_t)c;
}

static int mv_check_folding(const finn_model *m, const finn_node *n, finn_error *err)
{
    (void)m;
    mv_p p;
    if (mv_params(n, &p, err))
        return hwc_named(err, n);
    if (hwc_check_div(n, "PE", p.pe, "MH", p.mh, err) ||
        hwc_check_div(n, "SIMD", p.simd, "MW", p.mw, err))
        return -1;
    return 0;
}

static int mv_infer_shapes(finn_model *m, finn_node *n, finn_error *err)
{
    int nd;
    int64_t shape[FINN_MAX_DIMS];
    if (mv_shape(m, n, FINN_HW_NORMAL_OUT, 0, &nd, shape, err))
        return -1;
    return hwc_set_out_shape(m, n, 0, FINN_ELEM_FLOAT, nd, shape, err) ? hwc_named(err, n) : 0;
}

/* inputDataType <- input annotation; output <- outputDataType. */
static int mv_infer_dt(finn_model *m, finn_node *n, finn_error *err)
{
    finn_datatype idt, odt;
    if (hwc_copy_in_dt(m, n, 0, "inputDataType", &idt, err) ||
        hwc_dt(n, "outputDataType", &odt, err) || hwc_set_out_dt(m, n, 0, odt, err))
        return hwc_named(err, n);
    return 0;
}

/* acc = x . W with xnor-popcount variants (finn-frontend.md 10). */
static int mv_matmul(const finn_node *n, const finn_tensor *x, const finn_tensor *w,
                     finn_tensor *y, finn_error *err)
{
    int64_t k = w->shape[0], cols = w->shape[1];
    size_t rows = finn_tensor_numel(x) / (size_t)(k ? k : 1);
    int xnor = finn_node_attr_i(n, "binaryXnorMode", 0) != 0;
    /* BIPOLAR x BIPOLAR: popcount of (x+1)/2, (w+1)/2; 2((v+1)/2)-1 = v */
    int bipolar = !xnor &&
                  !strcmp(finn_node_attr_s(n, "inputDataType", ""), "BIPOLAR") &&
                  !strcmp(finn_node_attr_s(n, "weightDataType", ""), "BIPOLAR");
    int ox, ow;
    const float *xv = hwc_floats(x, &ox, err);
    const float *wv = xv ? hwc_floats(w, &ow, err) : NULL;
    double *acc = wv ? malloc((size_t)(cols ? cols : 1) * sizeof *acc) : NULL;
    if (!acc) {
        if (wv && ow)
            free((void *)wv);
        if (xv && ox)
            free((void *)xv);
        return wv ? finn_error_set(err, FINN_ERR_NOMEM, "out of memory") : -1;
    }
    float *yv = y->data;
    for (size_t r = 0; r < rows; r++) {
        memset(acc, 0, (size_t)cols * sizeof *acc);
        for (int64_t i = 0; i < k; i++) {
            double a = xv[r * (size_t)k + (size_t)i];
            if (xnor)
                a = 2.0 * a - 1.0;
            const float *wrow = wv + (size_t)i * (size_t)cols;
            if (xnor)
                for (int64_t j = 0; j < cols; j++)
                    acc[j] += a * (2.0 * wrow[j] - 1.0);
            else
                for (int64_t j = 0; j < cols; j++)
                    acc[j] += a * wrow[j];
        }
        for (int64_t j = 0; j < cols; j++)
            yv[r * (size_t)cols + (size_t)j] =
                (float)(xnor || bipolar ? (acc[j] + (double)k) * 0.5 : acc[j]);
    }
    free(acc);
    if (ow)
        free((void *)wv);
    if (ox)
        free((void *)xv);
    return 0;
}

static int mv_exec(const finn_model *m, const finn_node *n, finn_exec_ctx *ctx, finn_error *err)
{
    const finn_tensor *x = hwc_in(ctx, n, 0, err), *w = x ? hwc_in(ctx, n, 1, err) : NULL;
    if (!w)
        return -1;
    const char *mode;
    if (hwc_choice(n, "mem_mode", "internal_decoupled", MEM_MODES, &mode, err))
        return -1;
    if (w->ndim != 2)
        return finn_error_set(err, FINN_ERR_INVALID, "weights must be 2-D (MW, MH), got %d-D",
                              w->ndim);
    if (x->ndim < 1 || x->shape[x->ndim - 1] != w->shape[0])
        return finn_error_set(err, FINN_ERR_INVALID,
                              "input's last dimension %lld does not match the %lld weight rows",
                              (long long)(x->ndim ? x->shape[x->ndim - 1] : 0),
                              (long long)w->shape[0]);
    int64_t shape[FINN_MAX_DIMS];
    memcpy(shape, x->shape, sizeof shape);
    shape[x->ndim - 1] = w->shape[1];
    finn_tensor *y = finn_tensor_new(FINN_ELEM_FLOAT, x->ndim, shape, err);
    if (!y || mv_matmul(n, x, w, y, err))
        goto fail;
    if (finn_node_attr_i(n, "noActivation", 0) == 0) {
        const finn_tensor *t = hwc_in(ctx, n, 2, err);
        int bipolar = !strcmp(finn_node_attr_s(n, "outputDataType", ""), "BIPOLAR");
        float scale = bipolar ? 2.0f : 1.0f;
        float bias = bipolar ? -1.0f : (float)finn_node_attr_i(n, "ActVal", 0);
        if (!t || hwc_threshold(y, t, scale, bias, err))
            goto fail;
    }
    return hwc_store(m, n, 0, ctx, y, err);
fail:
    finn_tensor_free(y);
    return -1;
}

static const finn_hw_op MVAU_HW = {"MVAU",        NULL,         MVAU_ATTRS,       mv_shape,
                                   mv_in_width,   mv_out_width, mv_cycles,        NULL,
                                   mv_check_folding, FOLDING};

const finn_op hwc_mvau_op = {FINN_HW_DOMAIN, "MVAU", mv_infer_shapes, mv_infer_dt, mv_exec,
                             &MVAU_HW};
