/*
 * globalaccpool.c - GlobalAccPool (FINN's globalaccpool.py): the sum over
 * axes 1 and 2 of an NHWC input, kept as size-1 axes.
 *
 * numInputVectors is [N, H, W] (output (N, 1, 1, C)) or [V] (output
 * [V, C]; FINN cannot derive an output type then: npix needs two vecs).
 */
#include "hwc.h"

#include <stdlib.h>
#include <string.h>

static const finn_hw_attr GAP_ATTRS[] = {
    {"NumChannels", FINN_ATTR_INT, NULL},
    {"PE", FINN_ATTR_INT, NULL},
    {"inputDataType", FINN_ATTR_STRING, NULL},
    {"numInputVectors", FINN_ATTR_INTS, "[1]"},
    {NULL, 0, NULL}};

static const char *const FOLDING[] = {"PE", NULL};

/* normal output: vecs + [C] for one vec, (N, 1, 1, C) for three */
static int gap_normal_out(const hwc_chpe *p, int *ndim, int64_t *shape, finn_error *err)
{
    if (p->nv == 1) {
        shape[0] = p->vecs[0], shape[1] = p->ch, *ndim = 2;
    } else if (p->nv == 3) {
        shape[0] = p->vecs[0], shape[1] = 1, shape[2] = 1, shape[3] = p->ch, *ndim = 4;
    } else {
        return finn_error_set(err, FINN_ERR_INVALID,
                              "numInputVectors must have 1 or 3 entries, got %d", p->nv);
    }
    return 0;
}

static int gap_shape(const finn_model *m, const finn_node *n, finn_hw_shape_kind kind,
                     size_t index, int *ndim, int64_t *shape, finn_error *err)
{
    (void)m, (void)index;
    if (kind == FINN_HW_NORMAL_IN || kind == FINN_HW_FOLDED_IN)
        return hwc_chpe_shape(n, kind, true, ndim, shape, err);
    hwc_chpe p;
    if (hwc_chpe_get(n, &p, err) || gap_normal_out(&p, ndim, shape, err))
        return hwc_named(err, n);
    if (kind == FINN_HW_FOLDED_OUT) {
        if (p.ch % p.pe)
            return hwc_check_div(n, "PE", p.pe, "NumChannels", p.ch, err);
        shape[*ndim - 1] = p.ch / p.pe;
        shape[(*ndim)++] = p.pe;
    }
    return 0;
}

/* smallest(npix * min) if signed else smallest(npix * max), npix = the
 * product of the last two vecs */
static int gap_out_dt(const finn_node *n, finn_datatype *odt, finn_error *err)
{
    finn_datatype idt;
    int64_t vecs[HWC_MAXV];
    int nv = hwc_vecs(n, vecs, err);
    if (nv < 0 || hwc_dt(n, "inputDataType", &idt, err))
        return -1;
    if (nv < 2)
        return finn_error_set(err, FINN_ERR_INVALID,
                              "numInputVectors needs at least 2 entries for the output type");
    double npix = (double)vecs[nv - 1] * (double)vecs[nv - 2];
    *odt = finn_dt_smallest_for_value(npix * (finn_dt_signed(idt) ? finn_dt_min(idt)
                                                                  : finn_dt_max(idt)));
    return 0;
}

static int64_t gap_in_width(const finn_model *m, const finn_node *n, size_t index)
{
    (void)m, (void)index;
    return hwc_pe_width(n, "inputDataType");
}

static int64_t gap_out_width(const finn_model *m, const finn_node *n, size_t index)
{
    (void)m, (void)index;
    finn_datatype odt;
    finn_error e = {0};
    int64_t pe = finn_node_attr_i(n, "PE", -1);
    return gap_out_dt(n, &odt, &e) || pe < 0 ? -1 : pe * finn_dt_bitwidth(odt);
}

/* prod(vecs) * C/PE + C/PE (the folded input stream plus the output) */
static int64_t gap_cycles(const finn_model *m, const finn_node *n)
{
    (void)m;
    int64_t c = hwc_chpe_cycles(n, true);
    return c < 0 ? -1 : c + finn_node_attr_i(n, "NumChannels", 0) / finn_node_attr_i(n, "PE", 1);
}

static int gap_infer_shapes(finn_model *m, finn_node *n, finn_error *err)
{
    int nd;
    int64_t shape[FINN_MAX_DIMS];
    if (hwc_chpe_shape(n, FINN_HW_NORMAL_IN, true, &nd, shape, err))
        return -1;
    if (hwc_expect_in_shape(m, n, 0, nd, shape, err))
        return hwc_named(err, n);
    if (gap_shape(m, n, FINN_HW_NORMAL_OUT, 0, &nd, shape, err))
        return -1;
    return hwc_set_out_shape(m, n, 0, FINN_ELEM_FLOAT, nd, shape, err) ? hwc_named(err, n) : 0;
}

static int gap_infer_dt(finn_model *m, finn_node *n, finn_error *err)
{
    finn_datatype idt, odt;
    if (hwc_copy_in_dt(m, n, 0, "inputDataType", &idt, err) || gap_out_dt(n, &odt, err) ||
        hwc_set_out_dt(m, n, 0, odt, err))
        return hwc_named(err, n);
    return 0;
}

/* y[n, 0, 0, rest] = sum over axes 1 and 2; summed in double (exact for
 * the integer data the layer sees) */
static int gap_exec(const finn_model *m, const finn_node *n, finn_exec_ctx *ctx,
                    finn_error *err)
{
    const finn_tensor *x = hwc_in(ctx, n, 0, err);
    if (!x)
        return -1;
    if (x->ndim < 3)
        return finn_error_set(err, FINN_ERR_INVALID, "input needs at least 3 dimensions, got %d",
                              x->ndim);
    int64_t shape[FINN_MAX_DIMS];
    memcpy(shape, x->shape, sizeof shape);
    shape[1] = shape[2] = 1;
    size_t outer = (size_t)x->shape[0], pix = (size_t)(x->shape[1] * x->shape[2]);
    size_t inner = finn_shape_numel(x->ndim - 3, x->shape + 3);
    finn_tensor *y = finn_tensor_new(FINN_ELEM_FLOAT, x->ndim, shape, err);
    double *acc = y ? calloc(inner ? inner : 1, sizeof *acc) : NULL;
    if (!acc) {
        finn_tensor_free(y);
        return y ? finn_error_set(err, FINN_ERR_NOMEM, "out of memory") : -1;
    }
    float *yv = y->data;
    for (size_t o = 0; o < outer; o++) {
        memset(acc, 0, inner * sizeof *acc);
        for (size_t p = 0; p < pix; p++)
            for (size_t i = 0; i < inner; i++)
                acc[i] += finn_tensor_get(x, (o * pix + p) * inner + i);
        for (size_t i = 0; i < inner; i++)
            yv[o * inner + i] = (float)acc[i];
    }
    free(acc);
    return hwc_store(m, n, 0, ctx, y, err);
}

static const finn_hw_op GAP_HW = {"GlobalAccPool", NULL,          GAP_ATTRS,  gap_shape,
                                  gap_in_width,    gap_out_width, gap_cycles, NULL,
                                  hwc_chpe_check_folding, FOLDING};
const finn_op hwc_globalaccpool_op = {FINN_HW_DOMAIN, "GlobalAccPool", gap_infer_shapes,
                                      gap_infer_dt, gap_exec, &GAP_HW};
