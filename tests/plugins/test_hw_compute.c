/* test_hw_compute.c - the abstract HW compute layers of plugins/hw_compute:
 * attribute tables, normal/folded shapes, stream widths, expected cycles,
 * folding checks, datatype inference and execution, hand-checked and
 * compared exactly with the standard-op subgraph FINN replaces (MatMul +
 * MultiThreshold, TopK, Add, Sub, Gather, ...) run by the other plugins on
 * seeded random integer inputs. */
#include <finn/plugin.h>
#include "test.h"

#include <math.h>
#include <stdint.h>
#include <stdlib.h>

static finn_error err;
static finn_registry *reg; /* hw_compute only */
static finn_registry *ref; /* the standard plugins */

#define HW FINN_HW_DOMAIN
#define QD "qonnx.custom_op.general"

/* ---- small builders ------------------------------------------------------ */
static finn_tensor *ften(int ndim, const int64_t *shape, const float *v)
{
    finn_tensor *t = finn_tensor_new(FINN_ELEM_FLOAT, ndim, shape, &err);
    if (t && v)
        for (size_t i = 0; i < finn_tensor_numel(t); i++)
            ((float *)t->data)[i] = v[i];
    return t;
}

static uint64_t rng = 12345;
static int64_t rnd(int64_t lo, int64_t hi) /* inclusive */
{
    rng = rng * 6364136223846793005ULL + 1442695040888963407ULL;
    return lo + (int64_t)((rng >> 33) % (uint64_t)(hi - lo + 1));
}

static finn_tensor *frand(int ndim, const int64_t *shape, int64_t lo, int64_t hi)
{
    finn_tensor *t = ften(ndim, shape, NULL);
    for (size_t i = 0; t && i < finn_tensor_numel(t); i++)
        ((float *)t->data)[i] = (float)rnd(lo, hi);
    return t;
}

/* random thresholds (rows, steps), each row ascending */
static finn_tensor *thresholds(int64_t rows, int64_t steps, int64_t lo, int64_t hi)
{
    int64_t s[2] = {rows, steps};
    finn_tensor *t = ften(2, s, NULL);
    float *v = t->data;
    for (int64_t r = 0; r < rows; r++) {
        float prev = (float)lo;
        for (int64_t j = 0; j < steps; j++)
            prev = v[r * steps + j] = prev + (float)rnd(0, (hi - lo) / steps);
    }
    return t;
}

static void push_name(char ***list, size_t *count, const char *name)
{
    *list = realloc(*list, (*count + 1) * sizeof(char *));
    (*list)[(*count)++] = strdup(name);
}

static finn_model *mdl_new(void)
{
    finn_model *m = finn_model_new("g", &err);
    finn_model_set_opset(m, "", 13, &err);
    return m;
}

/* graph input with v's shape; dt annotation unless NULL */
static void mdl_input(finn_model *m, const char *name, const finn_tensor *v, const char *dt)
{
    push_name(&m->inputs, &m->n_inputs, name);
    finn_model_set_shape(m, name, v->type, v->ndim, v->shape, &err);
    if (dt) {
        finn_datatype d;
        finn_dt_parse(dt, &d, &err);
        finn_model_set_datatype(m, name, d, &err);
    }
}

static void mdl_init(finn_model *m, const char *name, const finn_tensor *v)
{
    finn_model_set_initializer(m, name, finn_tensor_copy(v, &err), &err);
}

/* node with comma-separated inputs and outputs, appended */
static finn_node *mdl_node(finn_model *m, const char *op, const char *dom, const char *name,
                           const char *ins, const char *outs)
{
    finn_node *n = finn_node_new(op, dom, name, &err);
    char buf[256];
    for (int pass = 0; pass < 2; pass++) {
        snprintf(buf, sizeof buf, "%s", pass ? outs : ins);
        for (char *s = strtok(buf, ","); s; s = strtok(NULL, ","))
            pass ? finn_node_add_output(n, s, &err) : finn_node_add_input(n, s, &err);
    }
    if (!strcmp(dom, HW))
        finn_node_set_attr_s(n, "backend", "fpgadataflow", &err);
    finn_model_insert_node(m, m->n_nodes, n, &err);
    return n;
}

static void set_s(finn_node *n, const char *k, const char *v)
{
    finn_node_set_attr_s(n, k, v, &err);
}
static void set_i(finn_node *n, const char *k, int64_t v)
{
    finn_node_set_attr_i(n, k, v, &err);
}
static void set_ints(finn_node *n, const char *k, const int64_t *v, size_t count)
{
    finn_node_set_attr_ints(n, k, v, count, &err);
}

/* Run m (inputs in order, copied) with registry r; returns a copy of
 * output `out` (NULL and a message on failure). */
static finn_tensor *run(const finn_registry *r, finn_model *m, const finn_tensor *const *in,
                        const char *out)
{
    finn_exec_ctx *ctx = finn_exec_ctx_new(&err);
    for (size_t i = 0; i < m->n_inputs; i++)
        finn_exec_ctx_set(ctx, m->inputs[i], finn_tensor_copy(in[i], &err), &err);
    finn_tensor *y = NULL;
    if (finn_execute(r, m, ctx, &err))
        fprintf(stderr, "execute: %s\n", err.msg);
    else
        y = finn_exec_ctx_take(ctx, out);
    finn_exec_ctx_free(ctx);
    return y;
}

/* same shape and exactly the same values (as doubles) */
static int same(const finn_tensor *a, const finn_tensor *b)
{
    if (!a || !b || !finn_shape_equal(a->ndim, a->shape, b->ndim, b->shape))
        return 0;
    for (size_t i = 0; i < finn_tensor_numel(a); i++)
        if (finn_tensor_get(a, i) != finn_tensor_get(b, i))
            return 0;
    return 1;
}

static int vals(const finn_tensor *t, const float *v, size_t count)
{
    if (!t || finn_tensor_numel(t) != count)
        return 0;
    for (size_t i = 0; i < count; i++)
        if (finn_tensor_get(t, i) != v[i])
            return 0;
    return 1;
}

/* shape of kind k as "(a, b)" */
static const char *hwshape(const finn_model *m, const finn_node *n, finn_hw_shape_kind k,
                           size_t index)
{
    static char buf[128];
    int nd;
    int64_t s[FINN_MAX_DIMS];
    if (finn_hw_shape(reg, m, n, k, index, &nd, s, &err))
        return err.msg;
    return finn_shape_str(nd, s, buf, sizeof buf);
}

static const char *vshape(const finn_model *m, const char *name)
{
    static char buf[128];
    const finn_value *v = finn_model_value(m, name);
    return v ? finn_shape_str(v->ndim, v->shape, buf, sizeof buf) : "(none)";
}

static const char *dtname(const finn_model *m, const char *name)
{
    static char buf[FINN_DT_NAME_MAX];
    return finn_dt_name(finn_model_datatype(m, name), buf, sizeof buf);
}

static const finn_hw_attr *find_attr(const finn_node *n, const char *name)
{
    const finn_hw_op *hw = finn_hw_op_of(reg, n);
    for (const finn_hw_attr *a = hw ? hw->attrs : NULL; a && a->name; a++)
        if (!strcmp(a->name, name))
            return a;
    return NULL;
}

static int has_folding(const finn_node *n, const char *name)
{
    const finn_hw_op *hw = finn_hw_op_of(reg, n);
    for (const char *const *f = hw ? hw->folding_attrs : NULL; f && *f; f++)
        if (!strcmp(*f, name))
            return 1;
    return 0;
}

static const char *folding_msg(const finn_model *m, const finn_node *n)
{
    finn_error_clear(&err);
    return finn_hw_check_folding(reg, m, n, &err) ? err.msg : "ok";
}

/* ---- MVAU ---------------------------------------------------------------- */
static finn_node *mvau_node(finn_model *m, const char *ins, int64_t mw, int64_t mh, int64_t pe,
                            int64_t simd)
{
    finn_node *n = mdl_node(m, "MVAU", HW, "mv", ins, "y");
    set_i(n, "MW", mw), set_i(n, "MH", mh), set_i(n, "PE", pe), set_i(n, "SIMD", simd);
    set_s(n, "inputDataType", "INT4"), set_s(n, "weightDataType", "INT2");
    set_s(n, "outputDataType", "UINT3");
    return n;
}

static void test_mvau_tables(void)
{
    finn_model *m = mdl_new();
    finn_node *n = mvau_node(m, "x,W", 8, 6, 3, 4);
    const int64_t vecs[3] = {1, 3, 3};
    set_ints(n, "numInputVectors", vecs, 3);
    const finn_hw_attr *a = find_attr(n, "numInputVectors");
    CHECK(a && a->type == FINN_ATTR_INTS && !strcmp(a->dflt, "[1]"));
    a = find_attr(n, "mem_mode");
    CHECK(a && a->type == FINN_ATTR_STRING && !strcmp(a->dflt, "internal_decoupled"));
    a = find_attr(n, "PE");
    CHECK(a && a->type == FINN_ATTR_INT && a->dflt == NULL);
    a = find_attr(n, "accDataType");
    CHECK(a && !strcmp(a->dflt, "INT32"));
    CHECK(find_attr(n, "ram_style_thresholds") != NULL);
    CHECK(find_attr(n, "Channels") == NULL);
    CHECK(has_folding(n, "PE") && has_folding(n, "SIMD") && !has_folding(n, "MW"));

    CHECK_STR(hwshape(m, n, FINN_HW_NORMAL_IN, 0), "(1, 3, 3, 8)");
    CHECK_STR(hwshape(m, n, FINN_HW_NORMAL_OUT, 0), "(1, 3, 3, 6)");
    CHECK_STR(hwshape(m, n, FINN_HW_FOLDED_IN, 0), "(1, 3, 3, 2, 4)");
    CHECK_STR(hwshape(m, n, FINN_HW_FOLDED_OUT, 0), "(1, 3, 3, 2, 3)");
    CHECK_STR(hwshape(m, n, FINN_HW_FOLDED_IN, 1), "node 'mv': no folded shape for input 1");
    /* widths: SIMD 4 * INT4 = 16, PE 3 * UINT3 = 9, weights 3 * 4 * INT2 = 24 */
    CHECK_EQ_INT(finn_hw_instream_width(reg, m, n, 0), 16);
    CHECK_EQ_INT(finn_hw_outstream_width(reg, m, n, 0), 9);
    CHECK_EQ_INT(finn_hw_instream_width(reg, m, n, 1), 24);
    /* (6/3) * (8/4) * 9 = 36 */
    CHECK_EQ_INT(finn_hw_exp_cycles(reg, m, n), 36);
    CHECK_STR(folding_msg(m, n), "ok");

    set_s(n, "mem_mode", "external");
    /* vecs + [sf * nf, SIMD * PE] = [2 * 2, 12] */
    CHECK_STR(hwshape(m, n, FINN_HW_FOLDED_IN, 1), "(1, 3, 3, 4, 12)");
    set_s(n, "mem_mode", "internal_embedded");
    CHECK_EQ_INT(finn_hw_instream_width(reg, m, n, 1), 0);

    set_i(n, "PE", 6), set_i(n, "SIMD", 8);
    CHECK_STR(hwshape(m, n, FINN_HW_FOLDED_IN, 0), "(1, 3, 3, 1, 8)");
    CHECK_STR(hwshape(m, n, FINN_HW_FOLDED_OUT, 0), "(1, 3, 3, 1, 6)");
    CHECK_EQ_INT(finn_hw_exp_cycles(reg, m, n), 9); /* 1 * 1 * 9 */
    set_i(n, "PE", 1), set_i(n, "SIMD", 1);
    CHECK_STR(hwshape(m, n, FINN_HW_FOLDED_IN, 0), "(1, 3, 3, 8, 1)");
    CHECK_STR(hwshape(m, n, FINN_HW_FOLDED_OUT, 0), "(1, 3, 3, 6, 1)");
    CHECK_EQ_INT(finn_hw_exp_cycles(reg, m, n), 432); /* 6 * 8 * 9 */
    /* PE 4 does not divide 6: FINN's float formula, 1.5 * 8 * 9 = 108 */
    set_i(n, "PE", 4);
    CHECK_EQ_INT(finn_hw_exp_cycles(reg, m, n), 108);
    CHECK_STR(folding_msg(m, n),
              "node 'mv': PE = 4 does not divide MH = 6; allowed values: 1, 2, 3, 6");
    set_i(n, "PE", 2), set_i(n, "SIMD", 3);
    CHECK_STR(folding_msg(m, n),
              "node 'mv': SIMD = 3 does not divide MW = 8; allowed values: 1, 2, 4, 8");
    set_i(n, "SIMD", 0);
    CHECK_STR(folding_msg(m, n), "node 'mv': attribute 'SIMD' = 0 must be >= 1");
    set_i(n, "SIMD", 4);
    finn_node_remove_attr(n, "MW");
    CHECK_STR(folding_msg(m, n), "node 'mv': required attribute 'MW' is missing");
    CHECK_EQ_INT(finn_hw_exp_cycles(reg, m, n), -1);

    /* shape inference writes vecs + [MH]; datatypes copy the input type */
    set_i(n, "MW", 8);
    int64_t xs[4] = {1, 3, 3, 8};
    finn_tensor *x = ften(4, xs, NULL);
    mdl_input(m, "x", x, "UINT4");
    push_name(&m->outputs, &m->n_outputs, "y");
    CHECK_EQ_INT(finn_infer_shapes(reg, m, &err), 0);
    CHECK_STR(vshape(m, "y"), "(1, 3, 3, 6)");
    CHECK_EQ_INT(finn_infer_datatypes(reg, m, &err), 0);
    CHECK_STR(finn_node_attr_s(n, "inputDataType", ""), "UINT4");
    CHECK_STR(dtname(m, "y"), "UINT3");
    finn_tensor_free(x);
    finn_model_free(m);
}

/* one MVAU (x, W[, T]) -> y model */
static finn_model *mvau_model(const finn_tensor *x, const finn_tensor *w, const finn_tensor *t,
                              const char *idt, const char *wdt, const char *odt)
{
    finn_model *m = mdl_new();
    mdl_input(m, "x", x, idt);
    push_name(&m->outputs, &m->n_outputs, "y");
    mdl_init(m, "W", w);
    if (t)
        mdl_init(m, "T", t);
    finn_node *n = mvau_node(m, t ? "x,W,T" : "x,W", w->shape[0], w->shape[1], 1, 1);
    set_s(n, "inputDataType", idt), set_s(n, "weightDataType", wdt);
    set_s(n, "outputDataType", odt);
    set_i(n, "noActivation", t ? 0 : 1);
    set_ints(n, "numInputVectors", x->shape, (size_t)x->ndim - 1);
    return m;
}

static void test_mvau_exec(void)
{
    /* acc = [1 2 3] . [[1 -1] [0 2] [-1 1]] = [1 - 3, -1 + 4 + 3] = [-2, 6] */
    int64_t xs[2] = {1, 3}, ws[2] = {3, 2}, ts[2] = {2, 3};
    const float xv[] = {1, 2, 3}, wv[] = {1, -1, 0, 2, -1, 1};
    finn_tensor *x = ften(2, xs, xv), *w = ften(2, ws, wv);
    finn_model *m = mvau_model(x, w, NULL, "INT4", "INT2", "INT32");
    const finn_tensor *in[1] = {x};
    finn_tensor *y = run(reg, m, in, "y");
    CHECK(vals(y, (const float[]){-2, 6}, 2));
    finn_tensor_free(y);
    finn_model_free(m);

    /* thresholds [[-3 0 3] [0 5 7]], ActVal -1: -2 passes 1 -> 0; 6 passes 2 -> 1 */
    const float tv[] = {-3, 0, 3, 0, 5, 7};
    finn_tensor *t = ften(2, ts, tv);
    m = mvau_model(x, w, t, "INT4", "INT2", "INT2");
    set_i(m->nodes[0], "ActVal", -1);
    y = run(reg, m, in, "y");
    CHECK(vals(y, (const float[]){0, 1}, 2));
    finn_tensor_free(y);
    finn_model_free(m);
    finn_tensor_free(t);

    /* BIPOLAR output: 2 * count - 1 with T = [[0] [0]]: -2 -> -1, 6 -> 1 */
    ts[1] = 1;
    t = ften(2, ts, (const float[]){0, 0});
    m = mvau_model(x, w, t, "INT4", "INT2", "BIPOLAR");
    set_i(m->nodes[0], "ActVal", 5); /* ignored for BIPOLAR */
    y = run(reg, m, in, "y");
    CHECK(vals(y, (const float[]){-1, 1}, 2));
    finn_tensor_free(y);
    finn_model_free(m);
    finn_tensor_free(t);
    finn_tensor_free(x);
    finn_tensor_free(w);

    /* binaryXnorMode: x = 1011, W columns 1101 and 0100: matching bits
     * 2 (positions 0 and 3) and 0 */
    xs[1] = 4, ws[0] = 4;
    x = ften(2, xs, (const float[]){1, 0, 1, 1});
    w = ften(2, ws, (const float[]){1, 0, 1, 1, 0, 0, 1, 0});
    m = mvau_model(x, w, NULL, "BINARY", "BINARY", "UINT3");
    set_i(m->nodes[0], "binaryXnorMode", 1);
    in[0] = x;
    y = run(reg, m, in, "y");
    CHECK(vals(y, (const float[]){2, 0}, 2));
    finn_tensor_free(y);
    finn_model_free(m);
    /* the same popcount for BIPOLAR x BIPOLAR (x = 2b - 1) */
    finn_tensor *xb = ften(2, xs, (const float[]){1, -1, 1, 1});
    finn_tensor *wb = ften(2, ws, (const float[]){1, -1, 1, 1, -1, -1, 1, -1});
    m = mvau_model(xb, wb, NULL, "BIPOLAR", "BIPOLAR", "UINT3");
    in[0] = xb;
    y = run(reg, m, in, "y");
    CHECK(vals(y, (const float[]){2, 0}, 2));
    finn_tensor_free(y);
    finn_model_free(m);
    finn_tensor_free(xb);
    finn_tensor_free(wb);
    finn_tensor_free(x);
    finn_tensor_free(w);

    /* missing thresholds input */
    xs[1] = 3, ws[0] = 3;
    x = ften(2, xs, xv), w = ften(2, ws, wv);
    m = mvau_model(x, w, NULL, "INT4", "INT2", "UINT2");
    set_i(m->nodes[0], "noActivation", 0);
    in[0] = x;
    finn_exec_ctx *ctx = finn_exec_ctx_new(&err);
    finn_exec_ctx_set(ctx, "x", finn_tensor_copy(x, &err), &err);
    CHECK_EQ_INT(finn_execute(reg, m, ctx, &err), -1);
    CHECK_STR(err.msg, "node 'mv' (MVAU): input 2 is missing");
    finn_exec_ctx_free(ctx);
    finn_model_free(m);
    finn_tensor_free(x);
    finn_tensor_free(w);
}

/* MVAU vs MatMul (+ MultiThreshold) on random integers, 2-D and 4-D */
static void test_mvau_vs_reference(void)
{
    for (int four = 0; four < 2; four++)
        for (int act = 0; act < 2; act++) {
            int64_t xs4[4] = {1, 3, 4, 12}, xs2[2] = {5, 12}, ws[2] = {12, 6};
            int nd = four ? 4 : 2;
            finn_tensor *x = frand(nd, four ? xs4 : xs2, -8, 7);
            finn_tensor *w = frand(2, ws, -2, 1);
            finn_tensor *t = act ? thresholds(6, 7, -40, 40) : NULL;
            finn_model *hw = mvau_model(x, w, t, "INT4", "INT2", act ? "INT3" : "INT32");
            if (act)
                set_i(hw->nodes[0], "ActVal", -4);
            finn_model *sw = mdl_new();
            mdl_input(sw, "x", x, "INT4");
            push_name(&sw->outputs, &sw->n_outputs, "y");
            mdl_init(sw, "W", w);
            mdl_node(sw, "MatMul", "", "mm", "x,W", act ? "acc" : "y");
            if (act) {
                mdl_init(sw, "T", t);
                finn_node *mt = mdl_node(sw, "MultiThreshold", QD, "mt", "acc,T", "y");
                set_s(mt, "out_dtype", "INT3");
                finn_node_set_attr_f(mt, "out_bias", -4.0f, &err);
                set_s(mt, "data_layout", four ? "NHWC" : "NC");
            }
            const finn_tensor *in[1] = {x};
            finn_tensor *a = run(reg, hw, in, "y"), *b = run(ref, sw, in, "y");
            CHECK(same(a, b));
            if (act) { /* the thresholds really cut somewhere */
                double lo = 1e9, hi = -1e9;
                for (size_t i = 0; a && i < finn_tensor_numel(a); i++)
                    lo = fmin(lo, finn_tensor_get(a, i)), hi = fmax(hi, finn_tensor_get(a, i));
                CHECK(lo < hi);
            }
            finn_tensor_free(a);
            finn_tensor_free(b);
            finn_model_free(hw);
            finn_model_free(sw);
            finn_tensor_free(x);
            finn_tensor_free(w);
            finn_tensor_free(t);
        }
}

/* ---- Thresholding ---------------------------------------------------------- */
static finn_model *thr_model(const finn_tensor *x, const finn_tensor *t, const char *idt,
                             const char *odt, int64_t actval)
{
    finn_model *m = mdl_new();
    mdl_input(m, "x", x, idt);
    push_name(&m->outputs, &m->n_outputs, "y");
    mdl_init(m, "T", t);
    finn_node *n = mdl_node(m, "Thresholding", HW, "th", "x,T", "y");
    set_i(n, "NumChannels", x->shape[x->ndim - 1]), set_i(n, "PE", 1);
    set_i(n, "numSteps", t->shape[1]);
    set_s(n, "inputDataType", idt), set_s(n, "weightDataType", "INT8");
    set_s(n, "outputDataType", odt), set_i(n, "ActVal", actval);
    set_ints(n, "numInputVectors", x->shape, (size_t)x->ndim - 1);
    return m;
}

static void test_thresholding(void)
{
    int64_t xs[4] = {1, 4, 4, 6};
    finn_tensor *x = ften(4, xs, NULL);
    finn_tensor *t = thresholds(6, 3, 0, 12);
    finn_model *m = thr_model(x, t, "UINT4", "INT3", 0);
    finn_node *n = m->nodes[0];
    set_i(n, "PE", 2);
    CHECK(find_attr(n, "numSteps") && !find_attr(n, "numSteps")->dflt);
    CHECK(find_attr(n, "ActVal") && !strcmp(find_attr(n, "ActVal")->dflt, "0"));
    CHECK(has_folding(n, "PE"));
    CHECK_STR(hwshape(m, n, FINN_HW_NORMAL_IN, 0), "(1, 4, 4, 6)");
    CHECK_STR(hwshape(m, n, FINN_HW_NORMAL_OUT, 0), "(1, 4, 4, 6)");
    CHECK_STR(hwshape(m, n, FINN_HW_FOLDED_IN, 0), "(1, 4, 4, 3, 2)");
    CHECK_STR(hwshape(m, n, FINN_HW_FOLDED_OUT, 0), "(1, 4, 4, 3, 2)");
    CHECK_EQ_INT(finn_hw_instream_width(reg, m, n, 0), 8);  /* 2 * UINT4 */
    CHECK_EQ_INT(finn_hw_outstream_width(reg, m, n, 0), 6); /* 2 * INT3 */
    CHECK_EQ_INT(finn_hw_exp_cycles(reg, m, n), 48);        /* 16 * 6 / 2 */
    set_i(n, "PE", 3);
    CHECK_STR(hwshape(m, n, FINN_HW_FOLDED_OUT, 0), "(1, 4, 4, 2, 3)");
    CHECK_EQ_INT(finn_hw_exp_cycles(reg, m, n), 32);
    set_i(n, "PE", 4);
    CHECK_EQ_INT(finn_hw_exp_cycles(reg, m, n), 16); /* 16 * (6 // 4) */
    CHECK_STR(folding_msg(m, n),
              "node 'th': PE = 4 does not divide NumChannels = 6; allowed values: 1, 2, 3, 6");
    /* datatypes: the annotation wins over the attribute */
    set_s(n, "inputDataType", "INT8");
    CHECK_EQ_INT(finn_infer_shapes(reg, m, &err), 0);
    CHECK_STR(vshape(m, "y"), "(1, 4, 4, 6)");
    CHECK_EQ_INT(finn_infer_datatypes(reg, m, &err), 0);
    CHECK_STR(finn_node_attr_s(n, "inputDataType", ""), "UINT4");
    CHECK_STR(dtname(m, "y"), "INT3");
    finn_model_free(m);
    finn_tensor_free(x);
    finn_tensor_free(t);

    /* T = [[2 4 6] [1 8 9]], ActVal -2: row 0: 3 -> 1 - 2, 7 -> 1 - 2;
     * row 1: 6 -> 3 - 2, 0 -> 0 - 2 */
    int64_t xs2[2] = {2, 2};
    x = ften(2, xs2, (const float[]){3, 7, 6, 0});
    int64_t t2[2] = {2, 3};
    t = ften(2, t2, (const float[]){2, 4, 6, 1, 8, 9});
    m = thr_model(x, t, "UINT4", "INT2", -2);
    const finn_tensor *in[1] = {x};
    finn_tensor *y = run(reg, m, in, "y");
    CHECK(vals(y, (const float[]){-1, -1, 1, -2}, 4));
    finn_tensor_free(y);
    finn_model_free(m);
    finn_tensor_free(t);
    finn_tensor_free(x);

    /* BIPOLAR: T = [[0] [0]]: -1 -> 2 * 0 - 1, 2 -> 2 * 1 - 1 */
    int64_t xs3[2] = {1, 2}, t3[2] = {2, 1};
    x = ften(2, xs3, (const float[]){-1, 2});
    t = ften(2, t3, (const float[]){0, 0});
    m = thr_model(x, t, "INT4", "BIPOLAR", 0);
    in[0] = x;
    y = run(reg, m, in, "y");
    CHECK(vals(y, (const float[]){-1, 1}, 2));
    finn_tensor_free(y);
    finn_model_free(m);
    finn_tensor_free(t);
    finn_tensor_free(x);

    /* vs MultiThreshold on random data, 2-D and 4-D (NHWC), one global row */
    for (int c = 0; c < 3; c++) {
        int64_t s4[4] = {1, 5, 3, 8}, s2[2] = {7, 8};
        x = frand(c == 1 ? 2 : 4, c == 1 ? s2 : s4, -20, 20);
        t = thresholds(c == 2 ? 1 : 8, 15, -20, 20);
        m = thr_model(x, t, "INT6", "INT4", -8);
        finn_model *sw = mdl_new();
        mdl_input(sw, "x", x, "INT6");
        push_name(&sw->outputs, &sw->n_outputs, "y");
        mdl_init(sw, "T", t);
        finn_node *mt = mdl_node(sw, "MultiThreshold", QD, "mt", "x,T", "y");
        set_s(mt, "out_dtype", "INT4");
        finn_node_set_attr_f(mt, "out_bias", -8.0f, &err);
        set_s(mt, "data_layout", c == 1 ? "NC" : "NHWC");
        in[0] = x;
        finn_tensor *a = run(reg, m, in, "y"), *b = run(ref, sw, in, "y");
        CHECK(same(a, b));
        finn_tensor_free(a);
        finn_tensor_free(b);
        finn_model_free(m);
        finn_model_free(sw);
        finn_tensor_free(t);
        finn_tensor_free(x);
    }
}

/* ---- LabelSelect ----------------------------------------------------------- */
static finn_model *ls_model(const finn_tensor *x, int64_t k, const char *idt)
{
    finn_model *m = mdl_new();
    mdl_input(m, "x", x, idt);
    push_name(&m->outputs, &m->n_outputs, "y");
    finn_node *n = mdl_node(m, "LabelSelect", HW, "ls", "x", "y");
    set_i(n, "Labels", x->shape[x->ndim - 1]), set_i(n, "PE", 1), set_i(n, "K", k);
    set_s(n, "inputDataType", idt);
    set_ints(n, "numInputVectors", x->shape, (size_t)x->ndim - 1);
    return m;
}

static const char *ls_odt(int64_t labels)
{
    static char buf[FINN_ERROR_MSG_MAX + 8];
    int64_t s[2] = {1, labels};
    finn_tensor *x = ften(2, s, NULL);
    finn_model *m = ls_model(x, 1, "INT8");
    if (finn_infer_datatypes(reg, m, &err))
        snprintf(buf, sizeof buf, "%s", err.msg);
    else
        snprintf(buf, sizeof buf, "%s/%s", finn_node_attr_s(m->nodes[0], "outputDataType", ""),
                 dtname(m, "y"));
    finn_model_free(m);
    finn_tensor_free(x);
    return buf;
}

static void test_labelselect(void)
{
    int64_t s[2] = {1, 10};
    const float xv[] = {3, 1, 3, 5, 1, 5, 0, 2, 3, 4};
    finn_tensor *x = ften(2, s, xv);
    finn_model *m = ls_model(x, 4, "INT8");
    finn_node *n = m->nodes[0];
    set_i(n, "PE", 2);
    CHECK(find_attr(n, "outputDataType") && !strcmp(find_attr(n, "outputDataType")->dflt, ""));
    CHECK_STR(hwshape(m, n, FINN_HW_NORMAL_IN, 0), "(1, 10)");
    CHECK_STR(hwshape(m, n, FINN_HW_FOLDED_IN, 0), "(1, 5, 2)");
    CHECK_STR(hwshape(m, n, FINN_HW_NORMAL_OUT, 0), "(1, 4)");
    CHECK_STR(hwshape(m, n, FINN_HW_FOLDED_OUT, 0), "(1, 4, 1)");
    CHECK_EQ_INT(finn_hw_instream_width(reg, m, n, 0), 16); /* 2 * INT8 */
    CHECK_EQ_INT(finn_hw_outstream_width(reg, m, n, 0), 8); /* UINT8 for 10 labels */
    CHECK_EQ_INT(finn_hw_exp_cycles(reg, m, n), 5);
    set_i(n, "PE", 3);
    CHECK_EQ_INT(finn_hw_exp_cycles(reg, m, n), 3); /* int(10 / 3) */
    CHECK_STR(folding_msg(m, n),
              "node 'ls': PE = 3 does not divide Labels = 10; allowed values: 1, 2, 5, 10");
    CHECK_STR(hwshape(m, n, FINN_HW_FOLDED_IN, 0),
              "node 'ls': PE = 3 does not divide Labels = 10; allowed values: 1, 2, 5, 10");
    CHECK_EQ_INT(finn_infer_shapes(reg, m, &err), 0);
    CHECK_STR(vshape(m, "y"), "(1, 4)");
    CHECK_EQ_INT(finn_model_value(m, "y")->elem, FINN_ELEM_INT64);
    /* descending, ties by index: 5 (3), 5 (5), 4 (9), 3 (0) */
    const finn_tensor *in[1] = {x};
    finn_tensor *y = run(reg, m, in, "y");
    CHECK(vals(y, (const float[]){3, 5, 9, 0}, 4));
    CHECK(y && y->type == FINN_ELEM_FLOAT);
    finn_tensor_free(y);
    /* the input must be vecs + [Labels] */
    set_i(n, "Labels", 12);
    CHECK_EQ_INT(finn_registry_op(reg, HW, "LabelSelect")->infer_shapes(m, n, &err), -1);
    CHECK_STR(err.msg, "node 'ls': input 'x' has shape (1, 10), expected (1, 12)");
    finn_model_free(m);
    finn_tensor_free(x);

    CHECK_STR(ls_odt(10), "UINT8/UINT8");
    CHECK_STR(ls_odt(1000), "UINT16/UINT16");
    CHECK_STR(ls_odt(300), "UINT16/UINT16"); /* UINT9 -> UINT16 */
    CHECK_STR(ls_odt(2), "BINARY/BINARY");

    /* vs TopK on random data with many ties */
    int64_t s3[3] = {1, 4, 20};
    x = frand(3, s3, 0, 5);
    m = ls_model(x, 5, "UINT3");
    finn_model *sw = mdl_new();
    mdl_input(sw, "x", x, "UINT3");
    push_name(&sw->outputs, &sw->n_outputs, "idx");
    int64_t ks = 1;
    finn_tensor *k = finn_tensor_new(FINN_ELEM_INT64, 1, &ks, &err);
    finn_tensor_set(k, 0, 5);
    mdl_init(sw, "K", k);
    finn_tensor_free(k);
    mdl_node(sw, "TopK", "", "tk", "x,K", "vals,idx");
    in[0] = x;
    finn_tensor *a = run(reg, m, in, "y"), *b = run(ref, sw, in, "idx");
    CHECK(same(a, b));
    finn_tensor_free(a);
    finn_tensor_free(b);
    finn_model_free(m);
    finn_model_free(sw);
    finn_tensor_free(x);
}

/* ---- ChannelwiseOp ----------------------------------------------------------- */
static finn_model *cw_model(const finn_tensor *x, const finn_tensor *p, const char *func,
                            const char *idt)
{
    finn_model *m = mdl_new();
    mdl_input(m, "x", x, idt);
    push_name(&m->outputs, &m->n_outputs, "y");
    mdl_init(m, "P", p);
    finn_node *n = mdl_node(m, "ChannelwiseOp", HW, "cw", "x,P", "y");
    set_s(n, "Func", func);
    set_i(n, "NumChannels", x->shape[x->ndim - 1]), set_i(n, "PE", 1);
    set_s(n, "inputDataType", idt), set_s(n, "paramDataType", "INT8");
    set_s(n, "outputDataType", "INT9");
    set_ints(n, "numInputVectors", x->shape, (size_t)x->ndim - 1);
    return m;
}

static finn_tensor *cw_run(const finn_tensor *x, const float *p, const char *func)
{
    int64_t ps = x->shape[x->ndim - 1];
    finn_tensor *pt = ften(1, &ps, p);
    finn_model *m = cw_model(x, pt, func, "INT4");
    const finn_tensor *in[1] = {x};
    finn_tensor *y = run(reg, m, in, "y");
    finn_model_free(m);
    finn_tensor_free(pt);
    return y;
}

static void test_channelwise(void)
{
    int64_t xs[2] = {2, 4};
    finn_tensor *x = ften(2, xs, (const float[]){1, 2, 3, 4, -1, -2, -3, -4});
    int64_t ps = 4;
    finn_tensor *p = ften(1, &ps, (const float[]){-3, 5, 0, 1});
    finn_model *m = cw_model(x, p, "add", "INT4");
    finn_node *n = m->nodes[0];
    CHECK(find_attr(n, "Func") && !strcmp(find_attr(n, "Func")->dflt, "cmp_le"));
    CHECK(find_attr(n, "ram_style") && !strcmp(find_attr(n, "ram_style")->dflt, "distributed"));
    CHECK(has_folding(n, "PE") && has_folding(n, "ram_style"));
    set_i(n, "PE", 2);
    CHECK_STR(hwshape(m, n, FINN_HW_NORMAL_IN, 0), "(2, 4)");
    CHECK_STR(hwshape(m, n, FINN_HW_FOLDED_OUT, 0), "(2, 2, 2)");
    CHECK_EQ_INT(finn_hw_instream_width(reg, m, n, 0), 8);   /* 2 * INT4 */
    CHECK_EQ_INT(finn_hw_outstream_width(reg, m, n, 0), 18); /* 2 * INT9 */
    CHECK_EQ_INT(finn_hw_exp_cycles(reg, m, n), 4);          /* 2 * 4 / 2 */
    set_i(n, "PE", 3);
    CHECK_STR(folding_msg(m, n),
              "node 'cw': PE = 3 does not divide NumChannels = 4; allowed values: 1, 2, 4");
    /* the annotation UINT4 differs from inputDataType INT4: add re-derives
     * the output from [0 - 3, 15 + 5] = [-3, 20] -> INT6 */
    finn_datatype u4 = finn_dt_uint(4);
    finn_model_set_datatype(m, "x", u4, &err);
    CHECK_EQ_INT(finn_infer_datatypes(reg, m, &err), 0);
    CHECK_STR(finn_node_attr_s(n, "inputDataType", ""), "UINT4");
    CHECK_STR(finn_node_attr_s(n, "outputDataType", ""), "INT6");
    CHECK_STR(dtname(m, "y"), "INT6");
    /* mul: extremes 15 * -3 = -45 and 15 * 5 = 75 -> INT8 */
    set_s(n, "Func", "mul"), set_s(n, "inputDataType", "INT4");
    CHECK_EQ_INT(finn_infer_datatypes(reg, m, &err), 0);
    CHECK_STR(dtname(m, "y"), "INT8");
    /* an unchanged input type keeps outputDataType */
    set_s(n, "outputDataType", "INT12");
    CHECK_EQ_INT(finn_infer_datatypes(reg, m, &err), 0);
    CHECK_STR(dtname(m, "y"), "INT12");
    set_s(n, "Func", "cmp_le"), set_s(n, "inputDataType", "INT4");
    CHECK_EQ_INT(finn_infer_datatypes(reg, m, &err), -1);
    CHECK_STR(err.msg, "node 'cw': input datatype UINT4 differs from inputDataType 'INT4', which "
                       "only Func add or mul can follow");
    finn_model_free(m);
    finn_tensor_free(p);

    /* hand-checked: x = [[1 2 3 4] [-1 -2 -3 -4]] */
    finn_tensor *y = cw_run(x, (const float[]){10, 20, 30, 40}, "add");
    CHECK(vals(y, (const float[]){11, 22, 33, 44, 9, 18, 27, 36}, 8));
    finn_tensor_free(y);
    y = cw_run(x, (const float[]){10, 20, 30, 40}, "mul");
    CHECK(vals(y, (const float[]){10, 40, 90, 160, -10, -40, -90, -160}, 8));
    finn_tensor_free(y);
    /* cmp_le = (P <= x), P = [1 3 3 -5] */
    y = cw_run(x, (const float[]){1, 3, 3, -5}, "cmp_le");
    CHECK(vals(y, (const float[]){1, 0, 1, 1, 0, 0, 0, 1}, 8));
    finn_tensor_free(y);
    /* cmp_ge = (P >= x) */
    y = cw_run(x, (const float[]){1, 3, 3, -5}, "cmp_ge");
    CHECK(vals(y, (const float[]){1, 1, 1, 0, 1, 1, 1, 0}, 8));
    finn_tensor_free(y);
    y = cw_run(x, (const float[]){1, 3, 3, -5}, "div");
    CHECK(y == NULL);
    CHECK_STR(err.msg, "node 'cw' (ChannelwiseOp): attribute 'Func' = 'div' is not one of "
                       "'cmp_le', 'cmp_ge', 'add', 'mul'");
    finn_tensor_free(x);

    /* vs ONNX Add / Mul on random NHWC data */
    for (int mul = 0; mul < 2; mul++) {
        int64_t s4[4] = {1, 3, 3, 5}, c = 5;
        x = frand(4, s4, -8, 7);
        p = frand(1, &c, -4, 4);
        m = cw_model(x, p, mul ? "mul" : "add", "INT4");
        finn_model *sw = mdl_new();
        mdl_input(sw, "x", x, "INT4");
        push_name(&sw->outputs, &sw->n_outputs, "y");
        mdl_init(sw, "P", p);
        mdl_node(sw, mul ? "Mul" : "Add", "", "op", "x,P", "y");
        const finn_tensor *in[1] = {x};
        finn_tensor *a = run(reg, m, in, "y"), *b = run(ref, sw, in, "y");
        CHECK(same(a, b));
        finn_tensor_free(a);
        finn_tensor_free(b);
        finn_model_free(m);
        finn_model_free(sw);
        finn_tensor_free(p);
        finn_tensor_free(x);
    }
}

/* ---- AddStreams / StreamingEltwise / DuplicateStreams ------------------------ */
static finn_model *two_in_model(const char *op, const finn_tensor *a, const finn_tensor *b,
                                const char *dt0, const char *dt1)
{
    finn_model *m = mdl_new();
    mdl_input(m, "a", a, dt0);
    mdl_input(m, "b", b, dt1);
    push_name(&m->outputs, &m->n_outputs, "y");
    finn_node *n = mdl_node(m, op, HW, "s", "a,b", "y");
    set_i(n, "NumChannels", a->shape[a->ndim - 1]), set_i(n, "PE", 1);
    if (!strcmp(op, "AddStreams")) {
        set_s(n, "inputDataType", dt0);
    } else {
        set_s(n, "inputDataType0", dt0), set_s(n, "inputDataType1", dt1);
        set_s(n, "eltwiseOp", "Sub");
    }
    set_ints(n, "numInputVectors", a->shape, (size_t)a->ndim - 1);
    return m;
}

static const char *out_dt_of(finn_model *m)
{
    static char buf[FINN_ERROR_MSG_MAX];
    if (finn_infer_datatypes(reg, m, &err))
        return snprintf(buf, sizeof buf, "%s", err.msg), buf;
    return dtname(m, "y");
}

static void test_addstreams(void)
{
    int64_t s[4] = {1, 2, 2, 6};
    finn_tensor *a = ften(4, s, NULL), *b = ften(4, s, NULL);
    finn_model *m = two_in_model("AddStreams", a, b, "INT4", "INT4");
    finn_node *n = m->nodes[0];
    CHECK(find_attr(n, "inFIFODepths") && !strcmp(find_attr(n, "inFIFODepths")->dflt, "[2, 2]"));
    set_i(n, "PE", 3);
    CHECK_STR(hwshape(m, n, FINN_HW_NORMAL_IN, 1), "(1, 2, 2, 6)");
    CHECK_STR(hwshape(m, n, FINN_HW_FOLDED_IN, 1), "(1, 2, 2, 2, 3)");
    CHECK_STR(hwshape(m, n, FINN_HW_FOLDED_OUT, 0), "(1, 2, 2, 2, 3)");
    CHECK_EQ_INT(finn_hw_instream_width(reg, m, n, 1), 12);  /* 3 * INT4 */
    CHECK_EQ_INT(finn_hw_outstream_width(reg, m, n, 0), 15); /* 3 * INT5 (2 * -8) */
    CHECK_EQ_INT(finn_hw_exp_cycles(reg, m, n), 8);          /* 4 * 6 / 3 */
    set_i(n, "PE", 4);
    CHECK_STR(folding_msg(m, n), "node 's': PE = 4 does not divide NumChannels = 6; allowed "
                                 "values: 1, 2, 3, 6");
    CHECK_EQ_INT(finn_hw_exp_cycles(reg, m, n), -1); /* FINN asserts */
    CHECK_EQ_INT(finn_infer_shapes(reg, m, &err), 0);
    CHECK_STR(vshape(m, "y"), "(1, 2, 2, 6)");
    CHECK_STR(out_dt_of(m), "INT5");
    finn_datatype d = finn_dt_uint(4);
    finn_model_set_datatype(m, "a", d, &err);
    CHECK_STR(out_dt_of(m), "UINT5"); /* 2 * 15 = 30 */
    CHECK_STR(finn_node_attr_s(n, "inputDataType", ""), "UINT4");
    finn_model_set_datatype(m, "a", finn_dt_binary(), &err);
    CHECK_STR(out_dt_of(m), "UINT2"); /* 2 * 1 */
    finn_model_free(m);
    finn_tensor_free(a);
    finn_tensor_free(b);

    int64_t s2[2] = {1, 2};
    a = ften(2, s2, (const float[]){1, 2});
    b = ften(2, s2, (const float[]){3, -4});
    m = two_in_model("AddStreams", a, b, "INT4", "INT4");
    const finn_tensor *in[2] = {a, b};
    finn_tensor *y = run(reg, m, in, "y");
    CHECK(vals(y, (const float[]){4, -2}, 2));
    finn_tensor_free(y);
    finn_model_free(m);
    finn_tensor_free(a);
    finn_tensor_free(b);

    /* vs ONNX Add */
    int64_t s3[4] = {1, 4, 4, 8};
    a = frand(4, s3, -8, 7), b = frand(4, s3, -8, 7);
    m = two_in_model("AddStreams", a, b, "INT4", "INT4");
    finn_model *sw = mdl_new();
    mdl_input(sw, "a", a, "INT4");
    mdl_input(sw, "b", b, "INT4");
    push_name(&sw->outputs, &sw->n_outputs, "y");
    mdl_node(sw, "Add", "", "add", "a,b", "y");
    in[0] = a, in[1] = b;
    finn_tensor *r1 = run(reg, m, in, "y"), *r2 = run(ref, sw, in, "y");
    CHECK(same(r1, r2));
    finn_tensor_free(r1);
    finn_tensor_free(r2);
    finn_model_free(m);
    finn_model_free(sw);
    finn_tensor_free(a);
    finn_tensor_free(b);
}

static void test_eltwise(void)
{
    int64_t s[2] = {1, 2};
    finn_tensor *a = ften(2, s, (const float[]){5, 1}), *b = ften(2, s, (const float[]){2, 4});
    finn_model *m = two_in_model("StreamingEltwise", a, b, "UINT4", "UINT4");
    finn_node *n = m->nodes[0];
    set_i(n, "PE", 2);
    CHECK_STR(hwshape(m, n, FINN_HW_FOLDED_IN, 0), "(1, 1, 2)");
    CHECK_EQ_INT(finn_hw_exp_cycles(reg, m, n), 1);
    /* UINT4 - UINT4: largest |difference| 15: Sub INT5, AbsDiff UINT4, Add UINT5 */
    CHECK_STR(out_dt_of(m), "INT5");
    CHECK_EQ_INT(finn_hw_outstream_width(reg, m, n, 0), 10);
    set_s(n, "eltwiseOp", "AbsDiff");
    CHECK_STR(out_dt_of(m), "UINT4");
    set_s(n, "eltwiseOp", "Add");
    CHECK_STR(out_dt_of(m), "UINT5");
    finn_model_set_datatype(m, "b", finn_dt_uint(2), &err);
    CHECK_EQ_INT(finn_hw_instream_width(reg, m, n, 0), 8);
    CHECK_STR(out_dt_of(m), "UINT5"); /* 15 + 3 = 18 */
    CHECK_EQ_INT(finn_hw_instream_width(reg, m, n, 1), 4); /* 2 * UINT2 */
    finn_model_set_datatype(m, "a", finn_dt_int(4), &err);
    finn_model_set_datatype(m, "b", finn_dt_int(4), &err);
    CHECK_STR(out_dt_of(m), "INT5"); /* -8 + -8 */
    set_s(n, "eltwiseOp", "Sub");
    CHECK_STR(out_dt_of(m), "INT5"); /* -(7 + 8) */
    finn_model_set_datatype(m, "b", finn_dt_uint(4), &err);
    CHECK_STR(out_dt_of(m), "node 's': inputs must have the same signedness");
    set_s(n, "eltwiseOp", "Mul");
    CHECK_STR(out_dt_of(m), "node 's': attribute 'eltwiseOp' = 'Mul' is not one of 'Add', "
                            "'Sub', 'AbsDiff'");
    set_s(n, "eltwiseOp", "Sub");
    const finn_tensor *in[2] = {a, b};
    finn_tensor *y = run(reg, m, in, "y");
    CHECK(vals(y, (const float[]){3, -3}, 2));
    finn_tensor_free(y);
    set_s(n, "eltwiseOp", "AbsDiff");
    y = run(reg, m, in, "y");
    CHECK(vals(y, (const float[]){3, 3}, 2));
    finn_tensor_free(y);
    finn_model_free(m);
    finn_tensor_free(a);
    finn_tensor_free(b);

    /* vs ONNX Sub and Sub + Abs */
    for (int absdiff = 0; absdiff < 2; absdiff++) {
        int64_t s3[4] = {1, 3, 5, 4};
        a = frand(4, s3, -8, 7), b = frand(4, s3, -8, 7);
        m = two_in_model("StreamingEltwise", a, b, "INT4", "INT4");
        set_s(m->nodes[0], "eltwiseOp", absdiff ? "AbsDiff" : "Sub");
        finn_model *sw = mdl_new();
        mdl_input(sw, "a", a, "INT4");
        mdl_input(sw, "b", b, "INT4");
        push_name(&sw->outputs, &sw->n_outputs, "y");
        mdl_node(sw, "Sub", "", "sub", "a,b", absdiff ? "d" : "y");
        if (absdiff)
            mdl_node(sw, "Abs", "", "abs", "d", "y");
        in[0] = a, in[1] = b;
        finn_tensor *r1 = run(reg, m, in, "y"), *r2 = run(ref, sw, in, "y");
        CHECK(same(r1, r2));
        finn_tensor_free(r1);
        finn_tensor_free(r2);
        finn_model_free(m);
        finn_model_free(sw);
        finn_tensor_free(a);
        finn_tensor_free(b);
    }
}

static void test_duplicate(void)
{
    int64_t s[2] = {1, 4};
    finn_tensor *x = ften(2, s, (const float[]){1, -2, 3, 7});
    finn_model *m = mdl_new();
    mdl_input(m, "x", x, "INT4");
    push_name(&m->outputs, &m->n_outputs, "y0");
    push_name(&m->outputs, &m->n_outputs, "y1");
    finn_node *n = mdl_node(m, "DuplicateStreams", HW, "dup", "x", "y0,y1");
    set_i(n, "NumChannels", 4), set_i(n, "PE", 2), set_i(n, "NumOutputStreams", 2);
    set_s(n, "inputDataType", "INT8");
    CHECK_STR(hwshape(m, n, FINN_HW_FOLDED_OUT, 1), "(1, 2, 2)");
    CHECK_EQ_INT(finn_hw_instream_width(reg, m, n, 0), 16); /* 2 * INT8 */
    CHECK_EQ_INT(finn_hw_exp_cycles(reg, m, n), 2);
    CHECK_EQ_INT(finn_infer_shapes(reg, m, &err), 0);
    CHECK_STR(vshape(m, "y1"), "(1, 4)");
    CHECK_EQ_INT(finn_infer_datatypes(reg, m, &err), 0);
    CHECK_STR(dtname(m, "y0"), "INT4");
    CHECK_STR(dtname(m, "y1"), "INT4");
    CHECK_EQ_INT(finn_hw_outstream_width(reg, m, n, 1), 8); /* 2 * INT4 now */
    finn_exec_ctx *ctx = finn_exec_ctx_new(&err);
    finn_exec_ctx_set(ctx, "x", finn_tensor_copy(x, &err), &err);
    CHECK_EQ_INT(finn_execute(reg, m, ctx, &err), 0);
    CHECK(vals(finn_exec_ctx_get(ctx, "y0"), (const float[]){1, -2, 3, 7}, 4));
    CHECK(vals(finn_exec_ctx_get(ctx, "y1"), (const float[]){1, -2, 3, 7}, 4));
    finn_exec_ctx_free(ctx);
    set_i(n, "NumOutputStreams", 3);
    CHECK_EQ_INT(finn_registry_op(reg, HW, "DuplicateStreams")->infer_shapes(m, n, &err), -1);
    CHECK_STR(err.msg, "node 'dup': NumOutputStreams = 3 but the node has 2 outputs");
    finn_model_free(m);
    finn_tensor_free(x);
}

/* ---- GlobalAccPool ------------------------------------------------------------ */
static void test_globalaccpool(void)
{
    int64_t s[4] = {1, 2, 3, 4};
    float xv[24];
    for (int i = 0; i < 24; i++)
        xv[i] = (float)(i - 5);
    finn_tensor *x = ften(4, s, xv);
    finn_model *m = mdl_new();
    mdl_input(m, "x", x, "INT5");
    push_name(&m->outputs, &m->n_outputs, "y");
    finn_node *n = mdl_node(m, "GlobalAccPool", HW, "gap", "x", "y");
    set_i(n, "NumChannels", 4), set_i(n, "PE", 2), set_s(n, "inputDataType", "UINT4");
    set_ints(n, "numInputVectors", s, 3);
    CHECK_STR(hwshape(m, n, FINN_HW_NORMAL_IN, 0), "(1, 2, 3, 4)");
    CHECK_STR(hwshape(m, n, FINN_HW_NORMAL_OUT, 0), "(1, 1, 1, 4)");
    CHECK_STR(hwshape(m, n, FINN_HW_FOLDED_IN, 0), "(1, 2, 3, 2, 2)");
    CHECK_STR(hwshape(m, n, FINN_HW_FOLDED_OUT, 0), "(1, 1, 1, 2, 2)");
    /* UINT4 over 6 pixels: 90 -> UINT7 */
    CHECK_EQ_INT(finn_hw_outstream_width(reg, m, n, 0), 14);
    CHECK_EQ_INT(finn_hw_instream_width(reg, m, n, 0), 8);
    CHECK_EQ_INT(finn_hw_exp_cycles(reg, m, n), 14); /* 6 * 2 + 2 */
    CHECK_STR(folding_msg(m, n), "ok");
    CHECK_EQ_INT(finn_infer_shapes(reg, m, &err), 0);
    CHECK_STR(vshape(m, "y"), "(1, 1, 1, 4)");
    CHECK_EQ_INT(finn_infer_datatypes(reg, m, &err), 0);
    CHECK_STR(dtname(m, "y"), "INT8"); /* INT5: 6 * -16 = -96 */
    /* channel c sums i - 5 over i = c, c + 4, ..., c + 20: 6c + 60 - 30 */
    const finn_tensor *in[1] = {x};
    finn_tensor *y = run(reg, m, in, "y");
    CHECK(vals(y, (const float[]){30, 36, 42, 48}, 4));
    finn_tensor_free(y);
    /* vs ReduceSum(axes 1, 2, keepdims) on random data */
    finn_tensor_free(x);
    x = frand(4, s, -16, 15);
    finn_model *sw = mdl_new();
    mdl_input(sw, "x", x, "INT5");
    push_name(&sw->outputs, &sw->n_outputs, "y");
    int64_t two = 2;
    finn_tensor *axes = finn_tensor_new(FINN_ELEM_INT64, 1, &two, &err);
    finn_tensor_set(axes, 0, 1), finn_tensor_set(axes, 1, 2);
    mdl_init(sw, "axes", axes);
    finn_tensor_free(axes);
    mdl_node(sw, "ReduceSum", "", "rs", "x,axes", "y");
    in[0] = x;
    finn_tensor *a = run(reg, m, in, "y"), *b = run(ref, sw, in, "y");
    CHECK(same(a, b));
    finn_tensor_free(a);
    finn_tensor_free(b);
    finn_model_free(sw);
    /* one input vector: no output type (npix needs two) */
    int64_t one = 1;
    set_ints(n, "numInputVectors", &one, 1);
    CHECK_STR(hwshape(m, n, FINN_HW_NORMAL_OUT, 0), "(1, 4)");
    CHECK_EQ_INT(finn_hw_outstream_width(reg, m, n, 0), -1);
    finn_model_free(m);
    finn_tensor_free(x);
}

/* ---- Lookup -------------------------------------------------------------------- */
static void test_lookup(void)
{
    int64_t is[2] = {1, 2}, es[2] = {4, 3};
    finn_tensor *idx = ften(2, is, (const float[]){2, 0});
    finn_tensor *emb = ften(2, es, (const float[]){1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12});
    finn_model *m = mdl_new();
    mdl_input(m, "idx", idx, "UINT2");
    push_name(&m->outputs, &m->n_outputs, "y");
    mdl_init(m, "E", emb);
    finn_node *n = mdl_node(m, "Lookup", HW, "lk", "idx,E", "y");
    set_i(n, "NumEmbeddings", 4), set_i(n, "EmbeddingDim", 3);
    set_s(n, "EmbeddingType", "INT8"), set_s(n, "InputType", "UINT8");
    set_ints(n, "InputShape", is, 2);
    CHECK(find_attr(n, "ext_mem_width") && !strcmp(find_attr(n, "ext_mem_width")->dflt, "32"));
    CHECK_STR(hwshape(m, n, FINN_HW_NORMAL_IN, 0), "(1, 2)");
    CHECK_STR(hwshape(m, n, FINN_HW_NORMAL_OUT, 0), "(1, 2, 3)");
    CHECK_STR(hwshape(m, n, FINN_HW_FOLDED_IN, 0), "(1, 2, 1)");
    CHECK_STR(hwshape(m, n, FINN_HW_FOLDED_OUT, 0), "(1, 2, 3)");
    CHECK_EQ_INT(finn_hw_instream_width(reg, m, n, 0), 8);
    CHECK_EQ_INT(finn_hw_outstream_width(reg, m, n, 0), 24); /* 3 * INT8 */
    CHECK_EQ_INT(finn_hw_exp_cycles(reg, m, n), 2);
    set_s(n, "mem_mode", "external"), set_i(n, "ext_mem_width", 16);
    set_i(n, "EmbeddingDim", 4);
    /* 16 / 8 = 2 elements per word: (1, 2, 4 / 2, 2) */
    CHECK_STR(hwshape(m, n, FINN_HW_FOLDED_OUT, 0), "(1, 2, 2, 2)");
    CHECK_EQ_INT(finn_hw_outstream_width(reg, m, n, 0), 16);
    CHECK_STR(folding_msg(m, n), "ok");
    set_i(n, "ext_mem_width", 12);
    CHECK_STR(folding_msg(m, n), "node 'lk': ext_mem_width = 12 is not a multiple of the 8-bit "
                                 "EmbeddingType");
    set_s(n, "mem_mode", "internal_embedded"), set_i(n, "EmbeddingDim", 3);
    CHECK_EQ_INT(finn_infer_shapes(reg, m, &err), 0);
    CHECK_STR(vshape(m, "y"), "(1, 2, 3)");
    CHECK_EQ_INT(finn_infer_datatypes(reg, m, &err), 0);
    CHECK_STR(finn_node_attr_s(n, "InputType", ""), "UINT2");
    CHECK_STR(dtname(m, "y"), "INT8");
    const finn_tensor *in[1] = {idx};
    finn_tensor *y = run(reg, m, in, "y");
    CHECK(vals(y, (const float[]){7, 8, 9, 1, 2, 3}, 6));
    finn_tensor_free(y);
    finn_tensor_set(idx, 1, 4);
    y = run(reg, m, in, "y");
    CHECK(y == NULL);
    CHECK_STR(err.msg, "node 'lk' (Lookup): index 4 is out of range for 4 embeddings");
    finn_model_free(m);
    finn_tensor_free(idx);
    finn_tensor_free(emb);

    /* vs Gather on random indices */
    int64_t is2[2] = {3, 5}, es2[2] = {10, 6};
    idx = frand(2, is2, 0, 9);
    emb = frand(2, es2, -100, 100);
    m = mdl_new();
    mdl_input(m, "idx", idx, "UINT4");
    push_name(&m->outputs, &m->n_outputs, "y");
    mdl_init(m, "E", emb);
    n = mdl_node(m, "Lookup", HW, "lk", "idx,E", "y");
    set_i(n, "NumEmbeddings", 10), set_i(n, "EmbeddingDim", 6);
    set_s(n, "EmbeddingType", "INT8"), set_s(n, "InputType", "UINT4");
    set_ints(n, "InputShape", is2, 2);
    finn_model *sw = mdl_new();
    mdl_input(sw, "idx", idx, "UINT4");
    push_name(&sw->outputs, &sw->n_outputs, "y");
    mdl_init(sw, "E", emb);
    mdl_node(sw, "Gather", "", "g", "E,idx", "y");
    finn_tensor *i64 = finn_tensor_convert(idx, FINN_ELEM_INT64, &err);
    const finn_tensor *in2[1] = {i64};
    in[0] = idx;
    finn_tensor *a = run(reg, m, in, "y"), *b = run(ref, sw, in2, "y");
    CHECK(same(a, b));
    finn_tensor_free(a);
    finn_tensor_free(b);
    finn_tensor_free(i64);
    finn_model_free(m);
    finn_model_free(sw);
    finn_tensor_free(idx);
    finn_tensor_free(emb);
}

/* ---- VVAU ------------------------------------------------------------------------ */
static void test_vvau(void)
{
    finn_model *m = mdl_new();
    finn_node *n = mdl_node(m, "VVAU", HW, "vv", "x,W", "y");
    const int64_t k33[2] = {3, 3}, d55[2] = {5, 5};
    set_i(n, "Channels", 4), set_i(n, "PE", 2), set_i(n, "SIMD", 3);
    set_ints(n, "Kernel", k33, 2), set_ints(n, "Dim", d55, 2);
    set_s(n, "inputDataType", "INT4"), set_s(n, "weightDataType", "INT2");
    set_s(n, "outputDataType", "UINT2");
    CHECK(find_attr(n, "SIMD") && !strcmp(find_attr(n, "SIMD")->dflt, "1"));
    CHECK_STR(hwshape(m, n, FINN_HW_NORMAL_IN, 0), "(1, 5, 5, 36)");
    CHECK_STR(hwshape(m, n, FINN_HW_NORMAL_OUT, 0), "(1, 5, 5, 4)");
    CHECK_STR(hwshape(m, n, FINN_HW_FOLDED_IN, 0), "(1, 5, 5, 6, 6)"); /* (9/3)*(4/2), 3*2 */
    CHECK_STR(hwshape(m, n, FINN_HW_FOLDED_OUT, 0), "(1, 5, 5, 2, 2)");
    CHECK_EQ_INT(finn_hw_instream_width(reg, m, n, 0), 24); /* 3 * 2 * INT4 */
    CHECK_EQ_INT(finn_hw_instream_width(reg, m, n, 1), 12); /* 3 * 2 * INT2 */
    CHECK_EQ_INT(finn_hw_outstream_width(reg, m, n, 0), 4); /* 2 * UINT2 */
    CHECK_EQ_INT(finn_hw_exp_cycles(reg, m, n), 150);       /* 36 / 2 / 3 * 25 */
    set_s(n, "mem_mode", "external");
    CHECK_STR(hwshape(m, n, FINN_HW_FOLDED_IN, 1), "(1, 6, 2)");
    set_i(n, "PE", 3);
    CHECK_STR(folding_msg(m, n),
              "node 'vv': PE = 3 does not divide Channels = 4; allowed values: 1, 2, 4");
    set_i(n, "PE", 4), set_i(n, "SIMD", 2);
    CHECK_STR(folding_msg(m, n),
              "node 'vv': SIMD = 2 does not divide kernel size = 9; allowed values: 1, 3, 9");
    CHECK_EQ_INT(finn_hw_exp_cycles(reg, m, n), 112); /* int(36 / 4 / 2 * 25) = 112 */
    finn_model_free(m);

    /* C = 2, kernel 1x2, one pixel, x = [1 2 3 4], W[c] = [1 10], [100 1000].
     * PE 2 (= C): order (k, c): y0 = 1*1 + 3*10 = 31, y1 = 2*100 + 4*1000 = 4200.
     * PE 1: order (c, k): y0 = 1 + 2*10 = 21, y1 = 3*100 + 4*1000 = 4300. */
    int64_t xs[4] = {1, 1, 1, 4}, ws[4] = {2, 1, 1, 2};
    finn_tensor *x = ften(4, xs, (const float[]){1, 2, 3, 4});
    finn_tensor *w = ften(4, ws, (const float[]){1, 10, 100, 1000});
    const int64_t k12[2] = {1, 2}, d11[2] = {1, 1};
    for (int pe = 1; pe <= 2; pe++) {
        m = mdl_new();
        mdl_input(m, "x", x, "INT4");
        push_name(&m->outputs, &m->n_outputs, "y");
        mdl_init(m, "W", w);
        n = mdl_node(m, "VVAU", HW, "vv", "x,W", "y");
        set_i(n, "Channels", 2), set_i(n, "PE", pe), set_i(n, "noActivation", 1);
        set_ints(n, "Kernel", k12, 2), set_ints(n, "Dim", d11, 2);
        set_s(n, "inputDataType", "INT4"), set_s(n, "weightDataType", "INT16");
        set_s(n, "outputDataType", "INT32");
        const finn_tensor *in[1] = {x};
        finn_tensor *y = run(reg, m, in, "y");
        CHECK(vals(y, pe == 2 ? (const float[]){31, 4200} : (const float[]){21, 4300}, 2));
        finn_tensor_free(y);
        /* with thresholds [[0 40] [0 5000]], ActVal 0 */
        if (pe == 2) {
            int64_t ts[2] = {2, 2};
            finn_tensor *t = ften(2, ts, (const float[]){0, 40, 0, 5000});
            mdl_init(m, "T", t);
            finn_tensor_free(t);
            finn_node_add_input(n, "T", &err);
            set_i(n, "noActivation", 0);
            y = run(reg, m, in, "y");
            CHECK(vals(y, (const float[]){1, 1}, 2));
            finn_tensor_free(y);
        }
        finn_model_free(m);
    }
    finn_tensor_free(x);
    finn_tensor_free(w);
}

/* VVAU vs Reshape, Transpose (FINN's reorder from (C/PE, k, PE) to (k, C)),
 * Reshape, MatMul with the block-diagonal (k*C, C) matrix, MultiThreshold */
static void test_vvau_vs_reference(void)
{
    const int64_t C = 6, KH = 3, KW = 3, K = 9, H = 2, W = 3, PE = 2;
    int64_t xs[4] = {1, H, W, K * C}, ws[4] = {C, 1, KH, KW}, ms[2] = {K * C, C};
    finn_tensor *x = frand(4, xs, -8, 7), *w = frand(4, ws, -2, 1);
    finn_tensor *t = thresholds(C, 3, -30, 30);
    finn_tensor *mat = ften(2, ms, NULL);
    for (int64_t c = 0; c < C; c++)
        for (int64_t k = 0; k < K; k++)
            ((float *)mat->data)[(k * C + c) * C + c] = ((float *)w->data)[c * K + k];
    const int64_t kern[2] = {KH, KW}, dim[2] = {H, W};
    finn_model *m = mdl_new();
    mdl_input(m, "x", x, "INT4");
    push_name(&m->outputs, &m->n_outputs, "y");
    mdl_init(m, "W", w);
    mdl_init(m, "T", t);
    finn_node *n = mdl_node(m, "VVAU", HW, "vv", "x,W,T", "y");
    set_i(n, "Channels", C), set_i(n, "PE", PE), set_i(n, "ActVal", -2);
    set_ints(n, "Kernel", kern, 2), set_ints(n, "Dim", dim, 2);
    set_s(n, "inputDataType", "INT4"), set_s(n, "weightDataType", "INT2");
    set_s(n, "outputDataType", "INT2");

    finn_model *sw = mdl_new();
    mdl_input(sw, "x", x, "INT4");
    push_name(&sw->outputs, &sw->n_outputs, "y");
    int64_t six = 6, four = 4;
    finn_tensor *s6 = finn_tensor_new(FINN_ELEM_INT64, 1, &six, &err);
    const int64_t s6v[6] = {1, H, W, C / PE, K, PE};
    for (int i = 0; i < 6; i++)
        finn_tensor_set(s6, (size_t)i, (double)s6v[i]);
    finn_tensor *s4 = finn_tensor_new(FINN_ELEM_INT64, 1, &four, &err);
    for (int i = 0; i < 4; i++)
        finn_tensor_set(s4, (size_t)i, (double)xs[i]);
    mdl_init(sw, "s6", s6);
    mdl_init(sw, "s4", s4);
    mdl_init(sw, "M", mat);
    mdl_init(sw, "T", t);
    mdl_node(sw, "Reshape", "", "r1", "x,s6", "x6");
    const int64_t perm[6] = {0, 1, 2, 4, 3, 5};
    set_ints(mdl_node(sw, "Transpose", "", "tr", "x6", "t6"), "perm", perm, 6);
    mdl_node(sw, "Reshape", "", "r2", "t6,s4", "x4");
    mdl_node(sw, "MatMul", "", "mm", "x4,M", "acc");
    finn_node *mt = mdl_node(sw, "MultiThreshold", QD, "mt", "acc,T", "y");
    set_s(mt, "out_dtype", "INT2"), set_s(mt, "data_layout", "NHWC");
    finn_node_set_attr_f(mt, "out_bias", -2.0f, &err);
    const finn_tensor *in[1] = {x};
    finn_tensor *a = run(reg, m, in, "y"), *b = run(ref, sw, in, "y");
    CHECK(same(a, b));
    finn_tensor_free(a);
    finn_tensor_free(b);
    finn_model_free(m);
    finn_model_free(sw);
    finn_tensor_free(s6);
    finn_tensor_free(s4);
    finn_tensor_free(mat);
    finn_tensor_free(t);
    finn_tensor_free(w);
    finn_tensor_free(x);
}

int main(void)
{
    const char *dir = test_env("FINN_PLUGIN_DIR", "build/lib/finn-run/plugins");
    char path[4096];
    snprintf(path, sizeof path, "%s/hw_compute.so", dir);
    reg = finn_registry_new(&err);
    if (finn_plugin_load(reg, path, &err)) {
        fprintf(stderr, "cannot load %s: %s\n", path, err.msg);
        return 1;
    }
    ref = finn_registry_new(&err);
    const char *std[] = {"onnx_math", "onnx_nn", "qonnx_ops"};
    for (size_t i = 0; i < 3; i++) {
        snprintf(path, sizeof path, "%s/%s.so", dir, std[i]);
        if (finn_plugin_load(ref, path, &err)) {
            fprintf(stderr, "cannot load %s: %s\n", path, err.msg);
            return 1;
        }
    }
    test_mvau_tables();
    test_mvau_exec();
    test_mvau_vs_reference();
    test_thresholding();
    test_labelselect();
    test_channelwise();
    test_addstreams();
    test_eltwise();
    test_duplicate();
    test_globalaccpool();
    test_lookup();
    test_vvau();
    test_vvau_vs_reference();
    finn_registry_free(ref);
    finn_registry_free(reg);
    return test_done();
}
