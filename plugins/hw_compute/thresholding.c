/*
 * thresholding.c - Thresholding, the standalone multithreshold layer
 * (FINN's thresholding.py): y = #{j : x >= T[c][j]} + ActVal per channel,
 * then 2y - 1 when the output is BIPOLAR.
 *
 * Inputs: x (vecs + [NumChannels]), thresholds T (NumChannels or 1, steps).
 */
#include "hwc.h"

#include <string.h>

static const finn_hw_attr THR_ATTRS[] = {
    {"runtime_writeable_weights", FINN_ATTR_INT, "0"},
    {"PE", FINN_ATTR_INT, NULL},
    {"NumChannels", FINN_ATTR_INT, NULL},
    {"numSteps", FINN_ATTR_INT, NULL}, /* required; FINN's nominal default is 1 */
    {"inputDataType", FINN_ATTR_STRING, NULL},
    {"weightDataType", FINN_ATTR_STRING, NULL},
    {"outputDataType", FINN_ATTR_STRING, NULL},
    {"numInputVectors", FINN_ATTR_INTS, "[1]"},
    {"ActVal", FINN_ATTR_INT, "0"},
    {NULL, 0, NULL}};

static const char *const FOLDING[] = {"PE", "runtime_writeable_weights", NULL};

typedef struct thr_p {
    int64_t pe, ch;
    int64_t vecs[HWC_MAXV];
    int nv;
} thr_p;

static int thr_params(const finn_node *n, thr_p *p, finn_error *err)
{
    if (hwc_req_pos(n, "PE", &p->pe, err) || hwc_req_pos(n, "NumChannels", &p->ch, err))
        return -1;
    p->nv = hwc_vecs(n, p->vecs, err);
    return p->nv < 0 ? -1 : 0;
}

/* normal: vecs + [C] both ways; folded: vecs + [C/PE, PE] both ways */
static int thr_shape(const finn_model *m, const finn_node *n, finn_hw_shape_kind kind,
                     size_t index, int *ndim, int64_t *shape, finn_error *err)
{
    (void)m, (void)index;
    thr_p p;
    if (thr_params(n, &p, err))
        return hwc_named(err, n);
    int64_t tail[2] = {p.ch, 0};
    int nt = 1;
    if (kind == FINN_HW_FOLDED_IN || kind == FINN_HW_FOLDED_OUT)
        tail[0] = p.ch / p.pe, tail[1] = p.pe, nt = 2;
    return hwc_shape_cat(p.vecs, p.nv, tail, nt, ndim, shape, err) ? hwc_named(err, n) : 0;
}

static int64_t thr_in_width(const finn_model *m, const finn_node *n, size_t index)
{
    (void)m, (void)index;
    int64_t b = hwc_bits(n, "inputDataType"), pe = finn_node_attr_i(n, "PE", -1);
    return b < 0 || pe < 0 ? -1 : b * pe;
}

static int64_t thr_out_width(const finn_model *m, const finn_node *n, size_t index)
{
    (void)m, (void)index;
    int64_t b = hwc_bits(n, "outputDataType"), pe = finn_node_attr_i(n, "PE", -1);
    return b < 0 || pe < 0 ? -1 : b * pe;
}

/* prod(folded output shape[:-1]) = prod(vecs) * (C // PE) */
static int64_t thr_cycles(const finn_model *m, const finn_node *n)
{
    (void)m;
    thr_p p;
    finn_error e = {0};
    return thr_params(n, &p, &e) ? -1 : hwc_prod(p.vecs, p.nv) * (p.ch / p.pe);
}

static int thr_check_folding(const finn_model *m, const finn_node *n, finn_error *err)
{
    (void)m;
    thr_p p;
    if (thr_params(n, &p, err))
        return hwc_named(err, n);
    return hwc_check_div(n, "PE", p.pe, "NumChannels", p.ch, err);
}

static int thr_infer_shapes(finn_model *m, finn_node *n, finn_error *err)
{
    int nd;
    int64_t shape[FINN_MAX_DIMS];
    if (thr_shape(m, n, FINN_HW_NORMAL_OUT, 0, &nd, shape, err))
        return -1;
    return hwc_set_out_shape(m, n, 0, FINN_ELEM_FLOAT, nd, shape, err) ? hwc_named(err, n) : 0;
}

static int thr_infer_dt(finn_model *m, finn_node *n, finn_error *err)
{
    finn_datatype idt, odt;
    if (hwc_copy_in_dt(m, n, 0, "inputDataType", &idt, err) ||
        hwc_dt(n, "outputDataType", &odt, err) || hwc_set_out_dt(m, n, 0, odt, err))
        return hwc_named(err, n);
    return 0;
}

static int thr_exec(const finn_model *m, const finn_node *n, finn_exec_ctx *ctx,
                    finn_error *err)
{
    const finn_tensor *x = hwc_in(ctx, n, 0, err), *t = x ? hwc_in(ctx, n, 1, err) : NULL;
    if (!t)
        return -1;
    finn_tensor *y = finn_tensor_convert(x, FINN_ELEM_FLOAT, err);
    if (!y)
        return -1;
    float bias = (float)finn_node_attr_i(n, "ActVal", 0);
    if (hwc_threshold(y, t, 1.0f, bias, err)) {
        finn_tensor_free(y);
        return -1;
    }
    if (!strcmp(finn_node_attr_s(n, "outputDataType", ""), "BIPOLAR")) {
        float *v = y->data;
        for (size_t i = 0; i < finn_tensor_numel(y); i++)
            v[i] = 2.0f * v[i] - 1.0f;
    }
    return hwc_store(m, n, 0, ctx, y, err);
}

static const finn_hw_op THR_HW = {"Thresholding", NULL,          THR_ATTRS,  thr_shape,
                                  thr_in_width,   thr_out_width, thr_cycles, NULL,
                                  thr_check_folding, FOLDING};

const finn_op hwc_thresholding_op = {FINN_HW_DOMAIN, "Thresholding", thr_infer_shapes,
                                     thr_infer_dt, thr_exec, &THR_HW};
