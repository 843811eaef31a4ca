/*
 * streams.c - the element-wise stream layers: AddStreams (in0 + in1),
 * DuplicateStreams (the input copied to NumOutputStreams outputs) and
 * StreamingEltwise (Sub: in0 - in1, AbsDiff: |in0 - in1|, Add: in0 + in1)
 * (FINN's addstreams.py, duplicatestreams.py, streamingeltwise.py).
 *
 * All three have NumChannels, PE and numInputVectors; every stream is
 * vecs + [C] (folded vecs + [C/PE, PE], PE must divide C).
 */
#include "hwc.h"

#include <math.h>
#include <string.h>

static const char *const FOLDING_PE[] = {"PE", NULL};

/* ---- shared hooks ------------------------------------------------------------ */
static int pe_shape(const finn_model *m, const finn_node *n, finn_hw_shape_kind kind,
                    size_t index, int *ndim, int64_t *shape, finn_error *err)
{
    (void)m, (void)index;
    return hwc_chpe_shape(n, kind, true, ndim, shape, err);
}

static int64_t pe_cycles(const finn_model *m, const finn_node *n)
{
    (void)m;
    return hwc_chpe_cycles(n, true);
}

/* Inputs 0..n_in-1 must have shape vecs + [C] when known; every output
 * gets that shape. */
static int pe_infer_shapes(finn_model *m, finn_node *n, size_t n_in, finn_error *err)
{
    int nd;
    int64_t shape[FINN_MAX_DIMS];
    if (hwc_chpe_shape(n, FINN_HW_NORMAL_IN, true, &nd, shape, err))
        return -1;
    for (size_t k = 0; k < n_in; k++)
        if (hwc_expect_in_shape(m, n, k, nd, shape, err))
            return hwc_named(err, n);
    for (size_t k = 0; k < n->n_outputs; k++)
        if (hwc_set_out_shape(m, n, k, FINN_ELEM_FLOAT, nd, shape, err))
            return hwc_named(err, n);
    return 0;
}

/* Both inputs of equal shape, out = f(in0, in1) in float32. */
static int binary_exec(const finn_model *m, const finn_node *n, finn_exec_ctx *ctx,
                       float (*f)(float, float), finn_error *err)
{
    const finn_tensor *a = hwc_in(ctx, n, 0, err), *b = a ? hwc_in(ctx, n, 1, err) : NULL;
    if (!b)
        return -1;
    if (!finn_shape_equal(a->ndim, a->shape, b->ndim, b->shape)) {
        char sa[128], sb[128];
        return finn_error_set(err, FINN_ERR_INVALID, "input shapes differ: %s and %s",
                              finn_shape_str(a->ndim, a->shape, sa, sizeof sa),
                              finn_shape_str(b->ndim, b->shape, sb, sizeof sb));
    }
    finn_tensor *y = finn_tensor_new(FINN_ELEM_FLOAT, a->ndim, a->shape, err);
    if (!y)
        return -1;
    float *yv = y->data;
    for (size_t i = 0; i < finn_tensor_numel(y); i++)
        yv[i] = f((float)finn_tensor_get(a, i), (float)finn_tensor_get(b, i));
    return hwc_store(m, n, 0, ctx, y, err);
}

static float f_add(float a, float b)
{
    return a + b;
}
static float f_sub(float a, float b)
{
    return a - b;
}
static float f_absdiff(float a, float b)
{
    return fabsf(a - b);
}

/* ---- AddStreams -------------------------------------------------------------- */
static const finn_hw_attr ADD_ATTRS[] = {
    {"NumChannels", FINN_ATTR_INT, NULL},
    {"PE", FINN_ATTR_INT, NULL},
    {"inputDataType", FINN_ATTR_STRING, NULL},
    {"numInputVectors", FINN_ATTR_INTS, "[1]"},
    {"inFIFODepths", FINN_ATTR_INTS, "[2, 2]"},
    {NULL, 0, NULL}};

/* smallest(2 * min) if signed, else smallest(2 * max) */
static int add_out_dt(const finn_node *n, finn_datatype *odt, finn_error *err)
{
    finn_datatype idt;
    if (hwc_dt(n, "inputDataType", &idt, err))
        return -1;
    *odt = finn_dt_smallest_for_value(finn_dt_signed(idt) ? 2 * finn_dt_min(idt)
                                                          : 2 * finn_dt_max(idt));
    return 0;
}

static int64_t add_in_width(const finn_model *m, const finn_node *n, size_t index)
{
    (void)m, (void)index;
    return hwc_pe_width(n, "inputDataType");
}

static int64_t add_out_width(const finn_model *m, const finn_node *n, size_t index)
{
    (void)m, (void)index;
    finn_datatype odt;
    finn_error e = {0};
    int64_t pe = finn_node_attr_i(n, "PE", -1);
    return add_out_dt(n, &odt, &e) || pe < 0 ? -1 : pe * finn_dt_bitwidth(odt);
}

static int add_infer_shapes(finn_model *m, finn_node *n, finn_error *err)
{
    return pe_infer_shapes(m, n, 2, err);
}

static int add_infer_dt(finn_model *m, finn_node *n, finn_error *err)
{
    finn_datatype idt, odt;
    if (hwc_copy_in_dt(m, n, 0, "inputDataType", &idt, err) || add_out_dt(n, &odt, err) ||
        hwc_set_out_dt(m, n, 0, odt, err))
        return hwc_named(err, n);
    return 0;
}

static int add_exec(const finn_model *m, const finn_node *n, finn_exec_ctx *ctx,
                    finn_error *err)
{
    return binary_exec(m, n, ctx, f_add, err);
}

static const finn_hw_op ADD_HW = {"AddStreams",  NULL,          ADD_ATTRS, pe_shape,
                                  add_in_width,  add_out_width, pe_cycles, NULL,
                                  hwc_chpe_check_folding, FOLDING_PE};
const finn_op hwc_addstreams_op = {FINN_HW_DOMAIN, "AddStreams", add_infer_shapes, add_infer_dt,
                                   add_exec, &ADD_HW};

/* ---- DuplicateStreams -------------------------------------------------------- */
static const finn_hw_attr DUP_ATTRS[] = {
    {"NumChannels", FINN_ATTR_INT, NULL},
    {"PE", FINN_ATTR_INT, NULL},
    {"NumOutputStreams", FINN_ATTR_INT, NULL},
    {"inputDataType", FINN_ATTR_STRING, NULL},
    {"numInputVectors", FINN_ATTR_INTS, "[1]"},
    {NULL, 0, NULL}};

static int64_t dup_width(const finn_model *m, const finn_node *n, size_t index)
{
    (void)m, (void)index;
    return hwc_pe_width(n, "inputDataType");
}

static int dup_infer_shapes(finn_model *m, finn_node *n, finn_error *err)
{
    int64_t outs;
    if (hwc_req_i(n, "NumOutputStreams", &outs, err))
        return hwc_named(err, n);
    if ((int64_t)n->n_outputs != outs) {
        finn_error_set(err, FINN_ERR_INVALID, "NumOutputStreams = %lld but the node has %zu outputs",
                       (long long)outs, n->n_outputs);
        return hwc_named(err, n);
    }
    return pe_infer_shapes(m, n, 1, err);
}

/* every output carries the input type */
static int dup_infer_dt(finn_model *m, finn_node *n, finn_error *err)
{
    finn_datatype idt;
    if (hwc_copy_in_dt(m, n, 0, "inputDataType", &idt, err))
        return hwc_named(err, n);
    for (size_t k = 0; k < n->n_outputs; k++)
        if (hwc_set_out_dt(m, n, k, idt, err))
            return hwc_named(err, n);
    return 0;
}

/* each output: the input as float32 in the normal input shape */
static int dup_exec(const finn_model *m, const finn_node *n, finn_exec_ctx *ctx,
                    finn_error *err)
{
    const finn_tensor *x = hwc_in(ctx, n, 0, err);
    int nd;
    int64_t shape[FINN_MAX_DIMS];
    if (!x || hwc_chpe_shape(n, FINN_HW_NORMAL_IN, false, &nd, shape, err))
        return -1;
    if (finn_shape_numel(nd, shape) != finn_tensor_numel(x)) {
        char got[128], want[128];
        return finn_error_set(err, FINN_ERR_INVALID, "input of shape %s cannot be viewed as %s",
                              finn_shape_str(x->ndim, x->shape, got, sizeof got),
                              finn_shape_str(nd, shape, want, sizeof want));
    }
    for (size_t k = 0; k < n->n_outputs; k++) {
        if (!n->outputs[k][0])
            continue;
        finn_tensor *y = finn_tensor_convert(x, FINN_ELEM_FLOAT, err);
        if (!y)
            return -1;
        if (finn_tensor_reshape(y, nd, shape, err)) {
            finn_tensor_free(y);
            return -1;
        }
        if (hwc_store(m, n, k, ctx, y, err))
            return -1;
    }
    return 0;
}

static const finn_hw_op DUP_HW = {"DuplicateStreams", NULL,      DUP_ATTRS, pe_shape,
                                  dup_width,          dup_width, pe_cycles, NULL,
                                  hwc_chpe_check_folding, FOLDING_PE};
const finn_op hwc_duplicatestreams_op = {FINN_HW_DOMAIN, "DuplicateStreams", dup_infer_shapes,
                                         dup_infer_dt, dup_exec, &DUP_HW};

/* ---- StreamingEltwise -------------------------------------------------------- */
static const finn_hw_attr ELT_ATTRS[] = {
    {"NumChannels", FINN_ATTR_INT, NULL},
    {"PE", FINN_ATTR_INT, NULL},
    {"inputDataType0", FINN_ATTR_STRING, NULL},
    {"inputDataType1", FINN_ATTR_STRING, NULL},
    {"eltwiseOp", FINN_ATTR_STRING, NULL},
    {"numInputVectors", FINN_ATTR_INTS, "[1]"},
    {"inFIFODepths", FINN_ATTR_INTS, "[2, 2]"},
    {NULL, 0, NULL}};

static const char *const ELT_OPS[] = {"Add", "Sub", "AbsDiff", NULL};

/* Add: smallest(min0 + min1) if signed else smallest(max0 + max1);
 * Sub: smallest(-M); AbsDiff: smallest(M), M = largest |a - b| over the
 * input extremes.  Both inputs must share signedness. */
static int elt_out_dt(const finn_node *n, finn_datatype *odt, finn_error *err)
{
    finn_datatype a, b;
    const char *op;
    if (hwc_dt(n, "inputDataType0", &a, err) || hwc_dt(n, "inputDataType1", &b, err) ||
        hwc_choice(n, "eltwiseOp", NULL, ELT_OPS, &op, err))
        return -1;
    if (finn_dt_signed(a) != finn_dt_signed(b))
        return finn_error_set(err, FINN_ERR_INVALID, "inputs must have the same signedness");
    double c[4] = {finn_dt_min(a) - finn_dt_min(b), finn_dt_min(a) - finn_dt_max(b),
                   finn_dt_max(a) - finn_dt_min(b), finn_dt_max(a) - finn_dt_max(b)};
    double big = 0;
    for (int i = 0; i < 4; i++)
        big = fabs(c[i]) > big ? fabs(c[i]) : big;
    if (!strcmp(op, "Add"))
        *odt = finn_dt_smallest_for_value(finn_dt_signed(a) ? finn_dt_min(a) + finn_dt_min(b)
                                                            : finn_dt_max(a) + finn_dt_max(b));
    else if (!strcmp(op, "Sub"))
        *odt = finn_dt_smallest_for_value(-big);
    else
        *odt = finn_dt_smallest_for_value(big);
    return 0;
}

static int64_t elt_in_width(const finn_model *m, const finn_node *n, size_t index)
{
    (void)m;
    return hwc_pe_width(n, index == 1 ? "inputDataType1" : "inputDataType0");
}

static int64_t elt_out_width(const finn_model *m, const finn_node *n, size_t index)
{
    (void)m, (void)index;
    finn_datatype odt;
    finn_error e = {0};
    int64_t pe = finn_node_attr_i(n, "PE", -1);
    return elt_out_dt(n, &odt, &e) || pe < 0 ? -1 : pe * finn_dt_bitwidth(odt);
}

static int elt_infer_shapes(finn_model *m, finn_node *n, finn_error *err)
{
    return pe_infer_shapes(m, n, 2, err);
}

static int elt_infer_dt(finn_model *m, finn_node *n, finn_error *err)
{
    finn_datatype a, b, odt;
    if (hwc_copy_in_dt(m, n, 0, "inputDataType0", &a, err) ||
        hwc_copy_in_dt(m, n, 1, "inputDataType1", &b, err) || elt_out_dt(n, &odt, err) ||
        hwc_set_out_dt(m, n, 0, odt, err))
        return hwc_named(err, n);
    return 0;
}

static int elt_exec(const finn_model *m, const finn_node *n, finn_exec_ctx *ctx,
                    finn_error *err)
{
    const char *op;
    if (hwc_choice(n, "eltwiseOp", NULL, ELT_OPS, &op, err))
        return -1;
    float (*f)(float, float) = !strcmp(op, "Add") ? f_add : !strcmp(op, "Sub") ? f_sub
                                                                               : f_absdiff;
    return binary_exec(m, n, ctx, f, err);
}

static const finn_hw_op ELT_HW = {"StreamingEltwise", NULL,          ELT_ATTRS, pe_shape,
                                  elt_in_width,       elt_out_width, pe_cycles, NULL,
                                  hwc_chpe_check_folding, FOLDING_PE};
const finn_op hwc_eltwise_op = {FINN_HW_DOMAIN, "StreamingEltwise", elt_infer_shapes,
                                elt_infer_dt, elt_exec, &ELT_HW};
