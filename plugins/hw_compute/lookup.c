/*
 * lookup.c - Lookup, the embedding table (FINN's lookup.py):
 * out[..., :] = Emb[index] (ONNX Gather on axis 0, opset 13; negative
 * indices count from the end).
 *
 * Inputs: indices (InputShape), embeddings Emb (NumEmbeddings, EmbeddingDim).
 */
#include "hwc.h"

#include <math.h>
#include <string.h>

static const finn_hw_attr LK_ATTRS[] = {
    {"NumEmbeddings", FINN_ATTR_INT, NULL},
    {"EmbeddingDim", FINN_ATTR_INT, NULL},
    {"EmbeddingType", FINN_ATTR_STRING, NULL},
    {"InputType", FINN_ATTR_STRING, NULL},
    {"InputShape", FINN_ATTR_INTS, "[1]"},
    {"mem_mode", FINN_ATTR_STRING, "internal_embedded"},
    {"ext_mem_width", FINN_ATTR_INT, "32"},
    {NULL, 0, NULL}};

static const char *const MEM_MODES[] = {"internal_embedded", "external", NULL};
static const char *const FOLDING[] = {"mem_mode", NULL};

typedef struct lk_p {
    int64_t dim;
    int64_t ishape[HWC_MAXV];
    int nin;
} lk_p;

static int lk_params(const finn_node *n, lk_p *p, finn_error *err)
{
    static const int64_t one[1] = {1};
    if (hwc_req_pos(n, "EmbeddingDim", &p->dim, err))
        return -1;
    p->nin = hwc_ints(n, "InputShape", one, 1, p->ishape, HWC_MAXV - 2, err);
    return p->nin < 0 ? -1 : 0;
}

/* external memory: embedding elements per ext_mem_width word */
static int lk_per_word(const finn_node *n, int64_t *e, finn_error *err)
{
    finn_datatype dt;
    if (hwc_dt(n, "EmbeddingType", &dt, err))
        return -1;
    int64_t width = finn_node_attr_i(n, "ext_mem_width", 32), b = finn_dt_bitwidth(dt);
    if (b < 1 || width < b || width % b)
        return finn_error_set(err, FINN_ERR_INVALID,
                              "ext_mem_width = %lld is not a multiple of the %lld-bit "
                              "EmbeddingType",
                              (long long)width, (long long)b);
    *e = width / b;
    return 0;
}

/* in: InputShape (folded + [1]); out: InputShape + [D] (external memory
 * folded: + [D/e, e]) */
static int lk_shape(const finn_model *m, const finn_node *n, finn_hw_shape_kind kind,
                    size_t index, int *ndim, int64_t *shape, finn_error *err)
{
    (void)m, (void)index;
    lk_p p;
    const char *mode;
    if (lk_params(n, &p, err) ||
        hwc_choice(n, "mem_mode", "internal_embedded", MEM_MODES, &mode, err))
        return hwc_named(err, n);
    int64_t tail[2] = {0, 0};
    int nt = 0;
    if (kind == FINN_HW_FOLDED_IN) {
        tail[0] = 1, nt = 1;
    } else if (kind == FINN_HW_NORMAL_OUT ||
               (kind == FINN_HW_FOLDED_OUT && !strcmp(mode, "internal_embedded"))) {
        tail[0] = p.dim, nt = 1;
    } else if (kind == FINN_HW_FOLDED_OUT) {
        int64_t e = 1;
        if (lk_per_word(n, &e, err))
            return hwc_named(err, n);
        tail[0] = p.dim / e, tail[1] = e, nt = 2;
    }
    return hwc_shape_cat(p.ishape, p.nin, tail, nt, ndim, shape, err) ? hwc_named(err, n) : 0;
}

static int64_t lk_in_width(const finn_model *m, const finn_node *n, size_t index)
{
    (void)m, (void)index;
    return hwc_bits(n, "InputType");
}

/* b(EmbeddingType) * last folded output dimension */
static int64_t lk_out_width(const finn_model *m, const finn_node *n, size_t index)
{
    (void)index;
    int nd;
    int64_t shape[FINN_MAX_DIMS];
    finn_error e = {0};
    int64_t b = hwc_bits(n, "EmbeddingType");
    if (b < 0 || lk_shape(m, n, FINN_HW_FOLDED_OUT, 0, &nd, shape, &e))
        return -1;
    return b * shape[nd - 1];
}

static int64_t lk_cycles(const finn_model *m, const finn_node *n)
{
    (void)m;
    lk_p p;
    finn_error e = {0};
    return lk_params(n, &p, &e) ? -1 : hwc_prod(p.ishape, p.nin);
}

/* the external-memory word must hold whole embedding elements */
static int lk_check_folding(const finn_model *m, const finn_node *n, finn_error *err)
{
    (void)m;
    int64_t e;
    if (strcmp(finn_node_attr_s(n, "mem_mode", "internal_embedded"), "external"))
        return 0;
    return lk_per_word(n, &e, err) ? hwc_named(err, n) : 0;
}

static int lk_infer_shapes(finn_model *m, finn_node *n, finn_error *err)
{
    lk_p p;
    int nd;
    int64_t shape[FINN_MAX_DIMS];
    if (lk_params(n, &p, err) || hwc_expect_in_shape(m, n, 0, p.nin, p.ishape, err))
        return hwc_named(err, n);
    if (lk_shape(m, n, FINN_HW_NORMAL_OUT, 0, &nd, shape, err))
        return -1;
    return hwc_set_out_shape(m, n, 0, FINN_ELEM_FLOAT, nd, shape, err) ? hwc_named(err, n) : 0;
}

static int lk_infer_dt(finn_model *m, finn_node *n, finn_error *err)
{
    finn_datatype idt, odt;
    if (hwc_copy_in_dt(m, n, 0, "InputType", &idt, err) || hwc_dt(n, "EmbeddingType", &odt, err) ||
        hwc_set_out_dt(m, n, 0, odt, err))
        return hwc_named(err, n);
    return 0;
}

static int lk_exec(const finn_model *m, const finn_node *n, finn_exec_ctx *ctx,
                   finn_error *err)
{
    const finn_tensor *idx = hwc_in(ctx, n, 0, err), *emb = idx ? hwc_in(ctx, n, 1, err) : NULL;
    if (!emb)
        return -1;
    if (emb->ndim < 1 || idx->ndim + emb->ndim - 1 > FINN_MAX_DIMS)
        return finn_error_set(err, FINN_ERR_INVALID, "embeddings of %d dimensions unsupported",
                              emb->ndim);
    int64_t shape[FINN_MAX_DIMS];
    int nd = idx->ndim + emb->ndim - 1;
    memcpy(shape, idx->shape, (size_t)idx->ndim * sizeof *shape);
    memcpy(shape + idx->ndim, emb->shape + 1, (size_t)(emb->ndim - 1) * sizeof *shape);
    int64_t rows = emb->shape[0];
    size_t row = finn_shape_numel(emb->ndim - 1, emb->shape + 1);
    finn_tensor *y = finn_tensor_new(FINN_ELEM_FLOAT, nd, shape, err);
    if (!y)
        return -1;
    float *yv = y->data;
    for (size_t i = 0; i < finn_tensor_numel(idx); i++) {
        double v = finn_tensor_get(idx, i);
        if (!(v == floor(v) && v >= -(double)rows && v < (double)rows)) {
            finn_tensor_free(y);
            return finn_error_set(err, FINN_ERR_INVALID,
                                  "index %g is out of range for %lld embeddings", v,
                                  (long long)rows);
        }
        int64_t r = (int64_t)v < 0 ? (int64_t)v + rows : (int64_t)v;
        for (size_t j = 0; j < row; j++)
            yv[i * row + j] = (float)finn_tensor_get(emb, (size_t)r * row + j);
    }
    return hwc_store(m, n, 0, ctx, y, err);
}

static const finn_hw_op LK_HW = {"Lookup",    NULL,         LK_ATTRS,  lk_shape,
                                 lk_in_width, lk_out_width, lk_cycles, NULL,
                                 lk_check_folding, FOLDING};
const finn_op hwc_lookup_op = {FINN_HW_DOMAIN, "Lookup", lk_infer_shapes, lk_infer_dt, lk_exec,
                               &LK_HW};
