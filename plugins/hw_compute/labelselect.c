/*
 * labelselect.c - LabelSelect (FINN's labelselect.py): the indices of the
 * K largest values on the last axis, largest first, equal values in index
 * order (ONNX TopK), returned as float32.
 *
 * outputDataType, when empty, is FINN's constructor choice: the smallest
 * type holding Labels - 1 with its bit count rounded up to a multiple of 8
 * (UINT4 -> UINT8, UINT10 -> UINT16; BINARY stays BINARY).
 */
#include "hwc.h"

#include <stdlib.h>
#include <string.h>

static const finn_hw_attr LS_ATTRS[] = {
    {"Labels", FINN_ATTR_INT, NULL},
    {"PE", FINN_ATTR_INT, NULL},
    {"K", FINN_ATTR_INT, NULL},
    {"inputDataType", FINN_ATTR_STRING, NULL},
    {"outputDataType", FINN_ATTR_STRING, ""},
    {"numInputVectors", FINN_ATTR_INTS, "[1]"},
    {NULL, 0, NULL}};

static const char *const FOLDING[] = {"PE", NULL};

typedef struct ls_p {
    int64_t labels, pe, k;
    int64_t vecs[HWC_MAXV];
    int nv;
} ls_p;

static int ls_params(const finn_node *n, ls_p *p, finn_error *err)
{
    if (hwc_req_pos(n, "Labels", &p->labels, err) || hwc_req_pos(n, "PE", &p->pe, err) ||
        hwc_req_pos(n, "K", &p->k, err))
        return -1;
    p->nv = hwc_vecs(n, p->vecs, err);
    return p->nv < 0 ? -1 : 0;
}

/* outputDataType, or FINN's default from Labels when it is empty. */
static int ls_out_dt(const finn_node *n, finn_datatype *dt, finn_error *err)
{
    const char *s = finn_node_attr_s(n, "outputDataType", "");
    if (s[0])
        return hwc_dt(n, "outputDataType", dt, err);
    int64_t labels;
    if (hwc_req_i(n, "Labels", &labels, err))
        return -1;
    finn_datatype d = finn_dt_smallest_for_value((double)(labels - 1));
    int bits = (finn_dt_bitwidth(d) + 7) / 8 * 8;
    /* FINN renames the bit count inside the name: only UINTn/INTn carry one */
    if (d.kind == FINN_DT_UINT)
        d = finn_dt_uint(bits);
    else if (d.kind == FINN_DT_INT)
        d = finn_dt_int(bits);
    *dt = d;
    return 0;
}

/* in: normal vecs + [Labels], folded vecs + [Labels/PE, PE];
 * out: normal vecs + [K], folded vecs + [K, 1] */
static int ls_shape(const finn_model *m, const finn_node *n, finn_hw_shape_kind kind,
                    size_t index, int *ndim, int64_t *shape, finn_error *err)
{
    (void)m, (void)index;
    ls_p p;
    if (ls_params(n, &p, err))
        return hwc_named(err, n);
    int64_t tail[2] = {0, 0};
    int nt = 1;
    switch (kind) {
    case FINN_HW_NORMAL_IN:
        tail[0] = p.labels;
        break;
    case FINN_HW_FOLDED_IN:
        if (p.labels % p.pe)
            return hwc_check_div(n, "PE", p.pe, "Labels", p.labels, err);
        tail[0] = p.labels / p.pe, tail[1] = p.pe, nt = 2;
        break;
    case FINN_HW_NORMAL_OUT:
        tail[0] = p.k;
        break;
    default:
        tail[0] = p.k, tail[1] = 1, nt = 2;
        break;
    }
    return hwc_shape_cat(p.vecs, p.nv, tail, nt, ndim, shape, err) ? hwc_named(err, n) : 0;
}

static int64_t ls_in_width(const finn_model *m, const finn_node *n, size_t index)
{
    (void)m, (void)index;
    int64_t b = hwc_bits(n, "inputDataType"), pe = finn_node_attr_i(n, "PE", -1);
    return b < 0 || pe < 0 ? -1 : b * pe;
}

/* one label index per beat: b(out) */
static int64_t ls_out_width(const finn_model *m, const finn_node *n, size_t index)
{
    (void)m, (void)index;
    finn_datatype dt;
    finn_error e = {0};
    return ls_out_dt(n, &dt, &e) ? -1 : finn_dt_bitwidth(dt);
}

/* int(Labels / PE) */
static int64_t ls_cycles(const finn_model *m, const finn_node *n)
{
    (void)m;
    ls_p p;
    finn_error e = {0};
    return ls_params(n, &p, &e) ? -1 : (int64_t)((double)p.labels / (double)p.pe);
}

static int ls_check_folding(const finn_model *m, const finn_node *n, finn_error *err)
{
    (void)m;
    ls_p p;
    if (ls_params(n, &p, err))
        return hwc_named(err, n);
    return hwc_check_div(n, "PE", p.pe, "Labels", p.labels, err);
}

/* Output vecs + [K] as int64 (FINN's shape stand-in is an INT64
 * RandomNormal); the input must have shape vecs + [Labels] when known. */
static int ls_infer_shapes(finn_model *m, finn_node *n, finn_error *err)
{
    int nd;
    int64_t shape[FINN_MAX_DIMS];
    if (ls_shape(m, n, FINN_HW_NORMAL_IN, 0, &nd, shape, err))
        return -1;
    if (hwc_expect_in_shape(m, n, 0, nd, shape, err) ||
        ls_shape(m, n, FINN_HW_NORMAL_OUT, 0, &nd, shape, err) ||
        hwc_set_out_shape(m, n, 0, FINN_ELEM_INT64, nd, shape, err))
        return hwc_named(err, n);
    return 0;
}

/* inputDataType <- input annotation; outputDataType filled when empty. */
static int ls_infer_dt(finn_model *m, finn_node *n, finn_error *err)
{
    finn_datatype idt, odt;
    char buf[FINN_DT_NAME_MAX];
    if (hwc_copy_in_dt(m, n, 0, "inputDataType", &idt, err) || ls_out_dt(n, &odt, err) ||
        finn_node_set_attr_s(n, "outputDataType", finn_dt_name(odt, buf, sizeof buf), err) ||
        hwc_set_out_dt(m, n, 0, odt, err))
        return hwc_named(err, n);
    return 0;
}

typedef struct ls_item {
    float v;
    int64_t i;
} ls_item;

/* larger value first; equal values keep index order */
static int ls_cmp(const void *a, const void *b)
{
    const ls_item *x = a, *y = b;
    if (x->v != y->v)
        return x->v > y->v ? -1 : 1;
    return x->i < y->i ? -1 : x->i > y->i;
}

static int ls_exec(const finn_model *m, const finn_node *n, finn_exec_ctx *ctx, finn_error *err)
{
    const finn_tensor *x = hwc_in(ctx, n, 0, err);
    int64_t k;
    if (!x || hwc_req_pos(n, "K", &k, err))
        return -1;
    if (x->ndim < 1 || x->shape[x->ndim - 1] < k)
        return finn_error_set(err, FINN_ERR_INVALID,
                              "K = %lld exceeds the %lld values of the last axis", (long long)k,
                              (long long)(x->ndim ? x->shape[x->ndim - 1] : 0));
    int64_t len = x->shape[x->ndim - 1];
    int64_t shape[FINN_MAX_DIMS];
    memcpy(shape, x->shape, sizeof shape);
    shape[x->ndim - 1] = k;
    finn_tensor *y = finn_tensor_new(FINN_ELEM_FLOAT, x->ndim, shape, err);
    ls_item *items = y ? malloc((size_t)len * sizeof *items) : NULL;
    if (!items) {
        finn_tensor_free(y);
        return y ? finn_error_set(err, FINN_ERR_NOMEM, "out of memory") : -1;
    }
    size_t rows = finn_tensor_numel(x) / (size_t)len;
    float *yv = y->data;
    for (size_t r = 0; r < rows; r++) {
        for (int64_t i = 0; i < len; i++)
            items[i] = (ls_item){(float)finn_tensor_get(x, r * (size_t)len + (size_t)i), i};
        qsort(items, (size_t)len, sizeof *items, ls_cmp);
        for (int64_t j = 0; j < k; j++)
            yv[r * (size_t)k + (size_t)j] = (float)items[j].i;
    }
    free(items);
    return hwc_store(m, n, 0, ctx, y, err);
}

static const finn_hw_op LS_HW = {"LabelSelect", NULL,         LS_ATTRS,  ls_shape,
                                 ls_in_width,   ls_out_width, ls_cycles, NULL,
                                 ls_check_folding, FOLDING};

const finn_op hwc_labelselect_op = {FINN_HW_DOMAIN, "LabelSelect", ls_infer_shapes, ls_infer_dt,
                                    ls_exec, &LS_HW};
