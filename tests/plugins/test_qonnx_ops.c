/* test_qonnx_ops.c - the QONNX general custom ops of plugins/qonnx_ops:
 * execution against hand-checked values, shape and datatype inference,
 * Trunc versions, domain aliases, and FloatQuant against the corpus. */
#include <finn/plugin.h>
#include "test.h"

#include <float.h>
#include <math.h>
#include <stdint.h>
#include <stdlib.h>

static finn_error err;
static finn_registry *reg;

#define QD "qonnx.custom_op.general"
#define N_OF(a) (sizeof(a) / sizeof((a)[0]))

/* ---- a one-node model under construction --------------------------------- */
typedef struct tcase {
    finn_model *m;
    finn_node *n;
    finn_exec_ctx *ctx;
    char ok; /* built without errors */
} tcase;

static finn_tensor *ften(int ndim, const int64_t *shape, const float *v)
{
    finn_tensor *t = finn_tensor_new(FINN_ELEM_FLOAT, ndim, shape, &err);
    if (t && v)
        for (size_t i = 0; i < finn_tensor_numel(t); i++)
            ((float *)t->data)[i] = v[i];
    return t;
}

static finn_tensor *fscalar(float v)
{
    return ften(0, NULL, &v);
}

static void push_name(char ***list, size_t *count, const char *name)
{
    *list = realloc(*list, (*count + 1) * sizeof(char *));
    (*list)[(*count)++] = strdup(name);
}

static tcase tc_new(const char *op, const char *domain)
{
    tcase t = {0};
    t.m = finn_model_new("g", &err);
    t.ctx = finn_exec_ctx_new(&err);
    t.n = finn_node_new(op, domain, "n0", &err);
    finn_model_set_opset(t.m, "", 13, &err);
    push_name(&t.m->outputs, &t.m->n_outputs, "y");
    finn_node_add_output(t.n, "y", &err);
    t.ok = t.m && t.ctx && t.n;
    return t;
}

/* A dynamic graph input with its value in the context (takes v). */
static void tc_input(tcase *t, const char *name, finn_tensor *v)
{
    push_name(&t->m->inputs, &t->m->n_inputs, name);
    if (finn_model_set_shape(t->m, name, v->type, v->ndim, v->shape, &err) ||
        finn_node_add_input(t->n, name, &err) || finn_exec_ctx_set(t->ctx, name, v, &err))
        t->ok = 0;
}

/* An initializer input (takes v). */
static void tc_init(tcase *t, const char *name, finn_tensor *v)
{
    if (finn_model_set_initializer(t->m, name, v, &err) || finn_node_add_input(t->n, name, &err))
        t->ok = 0;
}

static const finn_op *tc_op(const tcase *t)
{
    return finn_registry_op(reg, t->n->domain, t->n->op_type);
}

/* Insert the node, run shape + datatype inference and execution; returns
 * output y or NULL (err set). */
static const finn_tensor *tc_run(tcase *t)
{
    if (!t->ok)
        return NULL;
    if (finn_model_insert_node(t->m, 0, t->n, &err))
        return NULL;
    t->ok = 2; /* the model owns the node now */
    const finn_op *op = tc_op(t);
    if (!op) {
        fprintf(stderr, "op %s not registered\n", t->n->op_type);
        return NULL;
    }
    if (op->infer_shapes(t->m, t->n, &err) || op->infer_datatypes(t->m, t->n, &err) ||
        finn_execute(reg, t->m, t->ctx, &err)) {
        fprintf(stderr, "%s: %s\n", t->n->op_type, err.msg);
        return NULL;
    }
    return finn_exec_ctx_get(t->ctx, "y");
}

/* Execution only (for error cases); returns finn_execute's status. */
static int tc_exec_only(tcase *t)
{
    if (!t->ok || finn_model_insert_node(t->m, 0, t->n, &err))
        return 99;
    t->ok = 2;
    return finn_execute(reg, t->m, t->ctx, &err);
}

static void tc_free(tcase *t)
{
    if (t->ok != 2)
        finn_node_free(t->n);
    finn_model_free(t->m);
    finn_exec_ctx_free(t->ctx);
}

static const char *dt_of(const tcase *t, const char *name)
{
    return finn_model_annotation(t->m, name, "finn_datatype");
}

static void check_values(const finn_tensor *y, const float *want, size_t count, int line)
{
    if (!y) {
        fprintf(stderr, "line %d: no output\n", line);
        CHECK(y != NULL);
        return;
    }
    CHECK_EQ_INT(finn_tensor_numel(y), count);
    if (finn_tensor_numel(y) != count)
        return;
    for (size_t i = 0; i < count; i++) {
        double got = finn_tensor_get(y, i);
        if (!(got == want[i] || (isnan(got) && isnan(want[i]))))
            fprintf(stderr, "line %d: element %zu\n", line, i);
        CHECK_EQ_DBL(got, want[i]);
    }
}
#define CHECK_VALUES(y, want) check_values((y), (want), N_OF(want), __LINE__)

static void check_out_shape(const tcase *t, int ndim, const int64_t *shape)
{
    const finn_value *v = finn_model_value(t->m, "y");
    CHECK(v != NULL);
    if (!v)
        return;
    CHECK_EQ_INT(v->ndim, ndim);
    for (int d = 0; d < ndim && d < v->ndim; d++)
        CHECK_EQ_INT(v->shape[d], shape[d]);
}

/* ---- Quant ----------------------------------------------------------------- */

/* Quant(x, scale, zp, bw) with scalar initializers for the parameters. */
static tcase quant_case(const float *x, size_t nx, float scale, float zp, float bw,
                        int is_signed, int narrow, const char *mode)
{
    int64_t s[1] = {(int64_t)nx};
    tcase t = tc_new("Quant", QD);
    tc_input(&t, "x", ften(1, s, x));
    tc_init(&t, "scale", fscalar(scale));
    tc_init(&t, "zp", fscalar(zp));
    tc_init(&t, "bw", fscalar(bw));
    finn_node_set_attr_i(t.n, "signed", is_signed, &err);
    finn_node_set_attr_i(t.n, "narrow", narrow, &err);
    if (mode)
        finn_node_set_attr_s(t.n, "rounding_mode", mode, &err);
    return t;
}

static void test_quant_ranges(void)
{
    /* x/0.5 = [-10, -2.5, -1.5, 1.5, 2.5, 7.6]; 4-bit signed wide clamps to
     * [-8, 7] -> [-8, -2.5, -1.5, 1.5, 2.5, 7] -> half-even
     * [-8, -2, -2, 2, 2, 7] -> *0.5 */
    const float x[] = {-5.0f, -1.25f, -0.75f, 0.75f, 1.25f, 3.8f};
    const float wide[] = {-4.0f, -1.0f, -1.0f, 1.0f, 1.0f, 3.5f};
    tcase t = quant_case(x, 6, 0.5f, 0.0f, 4.0f, 1, 0, NULL);
    CHECK_VALUES(tc_run(&t), wide);
    int64_t s6[1] = {6};
    check_out_shape(&t, 1, s6);
    CHECK_STR(dt_of(&t, "y"), "SCALEDINT<4>"); /* non-unit scale */
    tc_free(&t);

    /* narrow signed: [-7, 7], so -10 -> -7 -> -3.5 */
    const float narrow[] = {-3.5f, -1.0f, -1.0f, 1.0f, 1.0f, 3.5f};
    t = quant_case(x, 6, 0.5f, 0.0f, 4.0f, 1, 1, "ROUND");
    CHECK_VALUES(tc_run(&t), narrow);
    tc_free(&t);

    /* unsigned: x/0.5 = [-3, 14.6, 15.2, 20]; wide [0, 15]:
     * [0, 14.6, 15, 15] -> round [0, 15, 15, 15] -> *0.5 = [0, 7.5, 7.5, 7.5];
     * narrow [0, 14]: [0, 14, 14, 14] -> [0, 7, 7, 7] */
    const float ux[] = {-1.5f, 7.3f, 7.6f, 10.0f};
    const float uwide[] = {0.0f, 7.5f, 7.5f, 7.5f}, unarrow[] = {0.0f, 7.0f, 7.0f, 7.0f};
    t = quant_case(ux, 4, 0.5f, 0.0f, 4.0f, 0, 0, NULL);
    CHECK_VALUES(tc_run(&t), uwide);
    tc_free(&t);
    t = quant_case(ux, 4, 0.5f, 0.0f, 4.0f, 0, 1, NULL);
    CHECK_VALUES(tc_run(&t), unarrow);
    tc_free(&t);
}

static void test_quant_rounding(void)
{
    /* x/0.5 = [-2.5, -1.5, -0.4, 0.4, 1.5, 2.5, 2.6] (all inside [-8, 7]) */
    const float x[] = {-1.25f, -0.75f, -0.2f, 0.2f, 0.75f, 1.25f, 1.3f};
    static const struct {
        const char *mode;
        float q[7]; /* quantized integers, output = q * 0.5 */
    } cases[] = {
        {"ROUND", {-2, -2, 0, 0, 2, 2, 3}},      /* ties to even: 2.5 -> 2, -2.5 -> -2 */
        {"half_even", {-2, -2, 0, 0, 2, 2, 3}},  /* name is upper-cased */
        {"CEIL", {-2, -1, 0, 1, 2, 3, 3}},
        {"FLOOR", {-3, -2, -1, 0, 1, 2, 2}},
        {"UP", {-3, -2, -1, 1, 2, 3, 3}},        /* away from zero */
        {"DOWN", {-2, -1, 0, 0, 1, 2, 2}},       /* toward zero */
        {"HALF_UP", {-3, -2, 0, 0, 2, 3, 3}},    /* ties away from zero */
        {"HALF_DOWN", {-2, -1, 0, 0, 1, 2, 3}},  /* ties toward zero */
    };
    for (size_t c = 0; c < N_OF(cases); c++) {
        tcase t = quant_case(x, 7, 0.5f, 0.0f, 4.0f, 1, 0, cases[c].mode);
        float want[7];
        for (int i = 0; i < 7; i++)
            want[i] = cases[c].q[i] * 0.5f;
        const finn_tensor *y = tc_run(&t);
        if (!y)
            fprintf(stderr, "rounding mode %s failed\n", cases[c].mode);
        CHECK_VALUES(y, want);
        tc_free(&t);
    }
    tcase t = quant_case(x, 7, 0.5f, 0.0f, 4.0f, 1, 0, "BANKERS");
    CHECK_EQ_INT(tc_exec_only(&t), -1);
    CHECK_CONTAINS(err.msg, "BANKERS");
    CHECK_CONTAINS(err.msg, "n0");
    tc_free(&t);
}

static void test_quant_per_channel(void)
{
    /* x (1,2,2) = [[1, 2], [1, 2]], scale (1,2,1) = [0.5, 0.25], bw 4 signed:
     * ch0: x/0.5 = [2, 4] -> [1, 2]; ch1: x/0.25 = [4, 8] -> clamp 7 -> [1, 1.75] */
    int64_t xs[3] = {1, 2, 2}, ps[3] = {1, 2, 1};
    const float x[] = {1, 2, 1, 2}, sc[] = {0.5f, 0.25f}, zp0[] = {0, 0}, zp1[] = {0, 1};
    const float want[] = {1.0f, 2.0f, 1.0f, 1.75f};
    tcase t = tc_new("Quant", QD);
    tc_input(&t, "x", ften(3, xs, x));
    tc_init(&t, "scale", ften(3, ps, sc));
    tc_init(&t, "zp", ften(3, ps, zp0));
    tc_init(&t, "bw", fscalar(4));
    finn_node_set_attr_i(t.n, "signed", 1, &err);
    finn_node_set_attr_i(t.n, "narrow", 0, &err);
    CHECK_VALUES(tc_run(&t), want);
    check_out_shape(&t, 3, xs);
    tc_free(&t);

    /* per-channel zero point [0, 1]: ch1: x/0.25 + 1 = [5, 9] -> clamp [5, 7]
     * -> minus 1 = [4, 6] -> *0.25 = [1, 1.5]; a non-zero zp gives FLOAT32 */
    const float want_zp[] = {1.0f, 2.0f, 1.0f, 1.5f};
    t = tc_new("Quant", QD);
    tc_input(&t, "x", ften(3, xs, x));
    tc_init(&t, "scale", ften(3, ps, sc));
    tc_init(&t, "zp", ften(3, ps, zp1));
    tc_init(&t, "bw", fscalar(4));
    finn_node_set_attr_i(t.n, "signed", 1, &err);
    finn_node_set_attr_i(t.n, "narrow", 0, &err);
    CHECK_VALUES(tc_run(&t), want_zp);
    CHECK_STR(dt_of(&t, "y"), "FLOAT32");
    tc_free(&t);
}

static void test_quant_datatypes(void)
{
    const float x[] = {-0.1f, 0.0f, 0.3f, 9.0f};
    /* unit scale, zero zp: INT<bw> / UINT<bw> (narrow not reflected) */
    tcase t = quant_case(x, 4, 1.0f, 0.0f, 4.0f, 1, 1, NULL);
    CHECK(tc_run(&t) != NULL);
    CHECK_STR(dt_of(&t, "y"), "INT4");
    tc_free(&t);
    t = quant_case(x, 4, 1.0f, 0.0f, 3.0f, 0, 0, NULL);
    const float u3[] = {0.0f, 0.0f, 0.0f, 7.0f}; /* -0.1 -> clamp 0; 0.3 -> 0; 9 -> 7 */
    CHECK_VALUES(tc_run(&t), u3);
    CHECK_STR(dt_of(&t, "y"), "UINT3");
    tc_free(&t);
    /* 1-bit signed: y >= 0 ? +1 : -1 (0 -> +1), BIPOLAR */
    const float bip[] = {-1.0f, 1.0f, 1.0f, 1.0f};
    t = quant_case(x, 4, 1.0f, 0.0f, 1.0f, 1, 0, NULL);
    CHECK_VALUES(tc_run(&t), bip);
    CHECK_STR(dt_of(&t, "y"), "BIPOLAR");
    tc_free(&t);
    /* 1-bit unsigned: BINARY; range [0, 1] */
    const float bin[] = {0.0f, 0.0f, 0.0f, 1.0f};
    t = quant_case(x, 4, 1.0f, 0.0f, 1.0f, 0, 0, NULL);
    CHECK_VALUES(tc_run(&t), bin);
    CHECK_STR(dt_of(&t, "y"), "BINARY");
    tc_free(&t);

    /* bit width as a dynamic input: executes, datatype FLOAT32 */
    int64_t s4[1] = {4};
    t = tc_new("Quant", QD);
    tc_input(&t, "x", ften(1, s4, x));
    tc_init(&t, "scale", fscalar(1.0f));
    tc_init(&t, "zp", fscalar(0.0f));
    tc_input(&t, "bw", fscalar(2.0f));
    finn_node_set_attr_i(t.n, "signed", 1, &err);
    finn_node_set_attr_i(t.n, "narrow", 0, &err);
    const float int2[] = {0.0f, 0.0f, 0.0f, 1.0f}; /* [-2, 1]; -0.1 -> -0 */
    CHECK_VALUES(tc_run(&t), int2);
    CHECK_STR(dt_of(&t, "y"), "FLOAT32");
    tc_free(&t);

    /* a bit width of shape (1,) is not scalar: FLOAT32 as in QONNX */
    int64_t s1[1] = {1};
    const float four[] = {4.0f};
    t = tc_new("Quant", QD);
    tc_input(&t, "x", ften(1, s4, x));
    tc_init(&t, "scale", fscalar(1.0f));
    tc_init(&t, "zp", fscalar(0.0f));
    tc_init(&t, "bw", ften(1, s1, four));
    finn_node_set_attr_i(t.n, "signed", 1, &err);
    finn_node_set_attr_i(t.n, "narrow", 0, &err);
    CHECK(tc_run(&t) != NULL);
    CHECK_STR(dt_of(&t, "y"), "FLOAT32");
    tc_free(&t);

    /* missing required attribute */
    t = tc_new("Quant", QD);
    tc_input(&t, "x", ften(1, s4, x));
    tc_init(&t, "scale", fscalar(1.0f));
    tc_init(&t, "zp", fscalar(0.0f));
    tc_init(&t, "bw", fscalar(4.0f));
    CHECK_EQ_INT(tc_exec_only(&t), -1);
    CHECK_CONTAINS(err.msg, "narrow");
    tc_free(&t);
}

static void test_domain_aliases(void)
{
    static const char *const domains[] = {"onnx.brevitas", "finn.custom_op.general", "finn"};
    const float x[] = {-1.25f, 1.25f}; /* /0.5 = [-2.5, 2.5] -> [-2, 2] -> [-1, 1] */
    const float want[] = {-1.0f, 1.0f};
    int64_t s2[1] = {2};
    for (size_t i = 0; i < N_OF(domains); i++) {
        tcase t = tc_new("IntQuant", domains[i]);
        tc_input(&t, "x", ften(1, s2, x));
        tc_init(&t, "scale", fscalar(0.5f));
        tc_init(&t, "zp", fscalar(0.0f));
        tc_init(&t, "bw", fscalar(8.0f));
        finn_node_set_attr_i(t.n, "signed", 1, &err);
        finn_node_set_attr_i(t.n, "narrow", 0, &err);
        CHECK(tc_op(&t) != NULL);
        CHECK_VALUES(tc_run(&t), want);
        tc_free(&t);
    }
}

/* ---- BipolarQuant ------------------------------------------------------- */

static void test_bipolar(void)
{
    /* (x >= 0 ? +1 : -1) * 2: 0 maps to +1 */
    const float x[] = {-2.0f, 0.0f, 0.5f, -0.001f};
    const float want[] = {-2.0f, 2.0f, 2.0f, -2.0f};
    int64_t s4[1] = {4};
    tcase t = tc_new("BipolarQuant", QD);
    tc_input(&t, "x", ften(1, s4, x));
    tc_init(&t, "scale", fscalar(2.0f));
    CHECK_VALUES(tc_run(&t), want);
    CHECK_STR(dt_of(&t, "y"), "FLOAT32");
    check_out_shape(&t, 1, s4);
    tc_free(&t);

    const float want1[] = {-1.0f, 1.0f, 1.0f, -1.0f};
    t = tc_new("BipolarQuant", "onnx.brevitas");
    tc_input(&t, "x", ften(1, s4, x));
    tc_init(&t, "scale", fscalar(1.0f));
    CHECK_VALUES(tc_run(&t), want1);
    CHECK_STR(dt_of(&t, "y"), "BIPOLAR");
    tc_free(&t);
}

/* ---- MultiThreshold ------------------------------------------------------- */

static tcase mt_case(int ndim, const int64_t *xs, const float *x, int64_t rows, int64_t cols,
                     const float *thr, const char *layout)
{
    int64_t ts[2] = {rows, cols};
    tcase t = tc_new("MultiThreshold", QD);
    tc_input(&t, "x", ften(ndim, xs, x));
    tc_init(&t, "thr", ften(2, ts, thr));
    finn_node_set_attr_s(t.n, "out_dtype", "UINT2", &err);
    if (layout)
        finn_node_set_attr_s(t.n, "data_layout", layout, &err);
    return t;
}

static void test_multithreshold(void)
{
    /* flat x = [0.5, 2, 1, 3]; thresholds ch0 = [0, 1, 2], ch1 = [2.5, 1, 5]
     * (unsorted).  count = #{j : x >= T[c][j]} */
    const float x[] = {0.5f, 2.0f, 1.0f, 3.0f};
    const float thr[] = {0, 1, 2, 2.5f, 1, 5};
    /* NCHW (1,2,1,2): ch0 = [0.5, 2] -> [1, 3] (2 >= 2 counts); ch1 = [1, 3] -> [1, 2] */
    int64_t nchw[4] = {1, 2, 1, 2};
    const float want_nchw[] = {1, 3, 1, 2};
    tcase t = mt_case(4, nchw, x, 2, 3, thr, NULL);
    CHECK_VALUES(tc_run(&t), want_nchw);
    CHECK_STR(dt_of(&t, "y"), "UINT2");
    check_out_shape(&t, 4, nchw);
    tc_free(&t);

    /* NHWC (1,1,2,2): channel is last: (w0: c0 0.5, c1 2), (w1: c0 1, c1 3)
     * c0: 0.5 -> 1, 1 -> 2; c1: 2 -> 1 (only 1), 3 -> 2 (2.5, 1) */
    int64_t nhwc[4] = {1, 1, 2, 2};
    const float want_nhwc[] = {1, 1, 2, 2};
    t = mt_case(4, nhwc, x, 2, 3, thr, "NHWC");
    CHECK_VALUES(tc_run(&t), want_nhwc);
    tc_free(&t);

    /* one threshold row (1, 2) = [1, 2] for all channels:
     * [0.5, 2, 1, 3] -> [0, 2, 1, 2]; with out_scale 2, out_bias -1:
     * [-1, 3, 1, 3]; datatype stays out_dtype (both integral) */
    const float thr1[] = {1, 2};
    const float want_b[] = {-1, 3, 1, 3};
    t = mt_case(4, nchw, x, 1, 2, thr1, "NCHW");
    finn_node_set_attr_f(t.n, "out_scale", 2.0f, &err);
    finn_node_set_attr_f(t.n, "out_bias", -1.0f, &err);
    CHECK_VALUES(tc_run(&t), want_b);
    CHECK_STR(dt_of(&t, "y"), "UINT2");
    tc_free(&t);

    /* NC layout (2-D, channel last); NaN counts 0:
     * x (2,2) = [[NaN, 1], [0, 2.5]] with ch0 [0,1,2], ch1 [2.5,1,5]:
     * NaN -> 0, 1 -> 1, 0 -> 1, 2.5 -> 2 */
    int64_t nc[2] = {2, 2};
    const float xnc[] = {NAN, 1.0f, 0.0f, 2.5f};
    const float want_nc[] = {0, 1, 1, 2};
    t = mt_case(2, nc, xnc, 2, 3, thr, "NC");
    CHECK_VALUES(tc_run(&t), want_nc);
    tc_free(&t);

    /* no thresholds (T = 0): 0 * 3 + 0.5 everywhere; bias 0.5 -> FLOAT32 */
    const float want_e[] = {0.5f, 0.5f, 0.5f, 0.5f};
    t = mt_case(4, nchw, x, 2, 0, NULL, NULL);
    finn_node_set_attr_f(t.n, "out_scale", 3.0f, &err);
    finn_node_set_attr_f(t.n, "out_bias", 0.5f, &err);
    CHECK_VALUES(tc_run(&t), want_e);
    CHECK_STR(dt_of(&t, "y"), "FLOAT32");
    tc_free(&t);

    /* 3 threshold rows for 2 channels */
    const float thr3[] = {0, 0, 0};
    t = mt_case(4, nchw, x, 3, 1, thr3, NULL);
    CHECK_EQ_INT(tc_exec_only(&t), -1);
    CHECK_CONTAINS(err.msg, "threshold rows 3");
    tc_free(&t);
}

/* ---- Trunc ----------------------------------------------------------------- */

static tcase trunc_case(int64_t version, float out_bits, const char *mode)
{
    /* x = [5, -5, -13, 7.4], scale 1, zp 0, in_bits 8 */
    const float x[] = {5.0f, -5.0f, -13.0f, 7.4f};
    int64_t s4[1] = {4};
    tcase t = tc_new("Trunc", QD);
    if (version > 0)
        finn_model_set_opset(t.m, QD, version, &err);
    tc_input(&t, "x", ften(1, s4, x));
    tc_init(&t, "scale", fscalar(1.0f));
    tc_init(&t, "zp", fscalar(0.0f));
    tc_init(&t, "in_bits", fscalar(8.0f));
    if (version >= 2)
        tc_init(&t, "out_scale", fscalar(4.0f));
    tc_init(&t, "out_bits", fscalar(out_bits));
    finn_node_set_attr_s(t.n, "rounding_mode", mode, &err);
    return t;
}

static void test_trunc(void)
{
    /* v1 (no opset import -> version 1), in 8 -> out 6 bits: t = 2^2 = 4;
     * rint(x) = [5, -5, -13, 7] / 4 = [1.25, -1.25, -3.25, 1.75]
     * FLOOR -> [1, -2, -4, 1]; out = (y - 0) * 1 (v1 does not rescale) */
    const float v1_floor[] = {1, -2, -4, 1};
    tcase t = trunc_case(0, 6.0f, "FLOOR");
    CHECK_VALUES(tc_run(&t), v1_floor);
    CHECK_STR(dt_of(&t, "y"), "FLOAT32");
    tc_free(&t);
    /* ROUND: [1.25, -1.25, -3.25, 1.75] -> [1, -1, -3, 2] */
    const float v1_round[] = {1, -1, -3, 2};
    t = trunc_case(1, 6.0f, "ROUND");
    CHECK_VALUES(tc_run(&t), v1_round);
    tc_free(&t);

    /* v2 (opset 2): t = 2^round(log2(4/1)) = 4; y = [1.25, -1.25, -3.25, 1.75];
     * out_bits 2 signed wide clamps to [-2, 1]: [1, -1.25, -2, 1]
     * FLOOR -> [1, -2, -2, 1]; out = (y - 0/4) * out_scale 4 */
    const float v2_2[] = {4, -8, -8, 4};
    t = trunc_case(2, 2.0f, "FLOOR");
    CHECK_VALUES(tc_run(&t), v2_2);
    CHECK_STR(dt_of(&t, "y"), "FLOAT32");
    tc_free(&t);
    /* out_bits 4: [-8, 7], no clamping: FLOOR [1, -2, -4, 1] * 4 */
    const float v2_4[] = {4, -8, -16, 4};
    t = trunc_case(3, 4.0f, "FLOOR"); /* opset 3 still selects v2 */
    CHECK_VALUES(tc_run(&t), v2_4);
    tc_free(&t);
    /* v2 unsigned narrow 2 bits: [0, 2]: [1.25, 0, 0, 1.75] -> FLOOR [1, 0, 0, 1] * 4 */
    const float v2_u[] = {4, 0, 0, 4};
    t = trunc_case(2, 2.0f, "FLOOR");
    finn_node_set_attr_i(t.n, "signed", 0, &err);
    finn_node_set_attr_i(t.n, "narrow", 1, &err);
    CHECK_VALUES(tc_run(&t), v2_u);
    tc_free(&t);

    /* v2 semantics need 6 inputs: a 5-input node under opset 2 is refused */
    t = trunc_case(0, 6.0f, "FLOOR");
    finn_model_set_opset(t.m, QD, 2, &err);
    CHECK_EQ_INT(tc_exec_only(&t), -1);
    CHECK_CONTAINS(err.msg, "6 inputs");
    tc_free(&t);
}

/* ---- FloatQuant --------------------------------------------------------- */

static tcase fq_case(const float *x, size_t nx, float scale, int with_max)
{
    /* FP8 e4m3, bias 7: format max (1 + 1/2 + 1/4 + 1/8) * 2^(15-7) = 480 */
    int64_t s[1] = {(int64_t)nx};
    tcase t = tc_new("FloatQuant", QD);
    tc_input(&t, "x", ften(1, s, x));
    tc_init(&t, "scale", fscalar(scale));
    tc_init(&t, "ebits", fscalar(4));
    tc_init(&t, "mbits", fscalar(3));
    tc_init(&t, "bias", fscalar(7));
    if (with_max)
        tc_init(&t, "maxv", fscalar(448));
    finn_node_set_attr_i(t.n, "has_inf", 0, &err);
    finn_node_set_attr_i(t.n, "has_nan", 0, &err);
    finn_node_set_attr_i(t.n, "has_subnormal", 0, &err);
    finn_node_set_attr_i(t.n, "saturation", 1, &err);
    return t;
}

static void test_floatquant(void)
{
    /* e = max(floor(log2|X|) - 3, 1 - 7 - 3 = -9), q = 2^e * round(X / 2^e):
     *  1.0625: e = -3, 8.5 -> 8 (even) -> 1.0;   1.1875: 9.5 -> 10 -> 1.25
     *  300: e = 8-3 = 5, 300/32 = 9.375 -> 9 -> 288
     *  500: 15.625 -> 16 -> 512 -> clip to max_val 448;  -500 -> -448
     *  0.001: floor(log2) = -10 -> e = -13 -> clamped to -9: 0.512 -> 1 -> 2^-9
     *  2^-10: 0.5 -> 0 (even);  0 -> 0 */
    const float x[] = {0.0f, 1.0f, 1.0625f, 1.1875f, 300.0f, 500.0f, -500.0f, 0.001f,
                       0.0009765625f};
    const float want[] = {0.0f, 1.0f, 1.0f, 1.25f, 288.0f, 448.0f, -448.0f, 0.001953125f, 0.0f};
    tcase t = fq_case(x, N_OF(x), 1.0f, 1);
    CHECK_VALUES(tc_run(&t), want);
    CHECK_STR(dt_of(&t, "y"), "FLOAT<4,3,7>");
    tc_free(&t);

    /* without max_val the format max 480 applies: 512 -> 480 */
    const float big[] = {500.0f};
    const float want480[] = {480.0f};
    t = fq_case(big, 1, 1.0f, 0);
    CHECK_VALUES(tc_run(&t), want480);
    tc_free(&t);

    /* scale 2: X = 300 -> 288 -> *2 = 576; datatype FLOAT32 */
    const float x2[] = {600.0f};
    const float want2[] = {576.0f};
    t = fq_case(x2, 1, 2.0f, 1);
    CHECK_VALUES(tc_run(&t), want2);
    CHECK_STR(dt_of(&t, "y"), "FLOAT32");
    tc_free(&t);

    /* not saturating: beyond max_val -> +-inf (has_inf) or NaN (has_nan) */
    const float x3[] = {500.0f, -500.0f, 300.0f};
    const float want_inf[] = {INFINITY, -INFINITY, 288.0f};
    const float want_nan[] = {NAN, NAN, 288.0f};
    t = fq_case(x3, 3, 1.0f, 1);
    finn_node_set_attr_i(t.n, "saturation", 0, &err);
    finn_node_set_attr_i(t.n, "has_inf", 1, &err);
    CHECK_VALUES(tc_run(&t), want_inf);
    tc_free(&t);
    t = fq_case(x3, 3, 1.0f, 1);
    finn_node_set_attr_i(t.n, "saturation", 0, &err);
    finn_node_set_attr_i(t.n, "has_nan", 1, &err);
    CHECK_VALUES(tc_run(&t), want_nan);
    tc_free(&t);
    t = fq_case(x3, 3, 1.0f, 1);
    finn_node_set_attr_i(t.n, "saturation", 0, &err);
    CHECK_EQ_INT(tc_exec_only(&t), -1);
    CHECK_CONTAINS(err.msg, "saturation");
    tc_free(&t);
}

/* The corpus pair: run both FloatQuant nodes of qonnx_act_weight_fp8.onnx
 * and compare with activation.npz (exact), then the Gemm output by hand. */
static void test_floatquant_corpus(void)
{
    const char *shared = test_shared_dir();
    if (!shared) {
        printf("corpus part skipped: shared corpus not found\n");
        return;
    }
    char path[4400], dir[4096];
    snprintf(dir, sizeof dir, "%s/corpus/qonnx/floatquant_exec", shared);
    finn_model *m = NULL;
    finn_tensor *in = NULL, *out = NULL;
    finn_npz *act = NULL;
    finn_exec_ctx *ctx = finn_exec_ctx_new(&err);
    snprintf(path, sizeof path, "%s/qonnx_act_weight_fp8.onnx", dir);
    CHECK_EQ_INT(finn_model_load(path, &m, &err), 0);
    snprintf(path, sizeof path, "%s/test_data/input.npy", dir);
    CHECK_EQ_INT(finn_npy_read(path, &in, &err), 0);
    snprintf(path, sizeof path, "%s/test_data/output.npy", dir);
    CHECK_EQ_INT(finn_npy_read(path, &out, &err), 0);
    snprintf(path, sizeof path, "%s/test_data/activation.npz", dir);
    CHECK_EQ_INT(finn_npz_read(path, &act, &err), 0);
    /* the export lists initializers as graph inputs too: x is the other one */
    const char *xname = NULL;
    for (size_t i = 0; m && i < m->n_inputs; i++)
        if (!finn_model_initializer(m, m->inputs[i]))
            xname = m->inputs[i];
    if (!m || !in || !out || !act || !ctx || !xname) {
        fprintf(stderr, "corpus load (model %d, npy %d %d, npz %d, x %d): %s\n", !!m, !!in,
                !!out, !!act, xname ? 1 : 0, err.msg);
        CHECK(0);
        goto done;
    }
    for (size_t i = 0; i < m->n_values; i++)
        if (m->values[i]->init)
            finn_exec_ctx_set(ctx, m->values[i]->name, finn_tensor_copy(m->values[i]->init, &err),
                              &err);
    finn_exec_ctx_set(ctx, xname, finn_tensor_copy(in, &err), &err);
    const finn_tensor *xq = NULL, *wq = NULL;
    const finn_node *gemm = NULL;
    int nfq = 0;
    for (size_t i = 0; i < m->n_nodes; i++) {
        finn_node *n = m->nodes[i];
        if (!strcmp(n->op_type, "Gemm"))
            gemm = n;
        if (strcmp(n->op_type, "FloatQuant"))
            continue;
        nfq++;
        if (finn_execute_node(reg, m, n, ctx, &err)) {
            fprintf(stderr, "FloatQuant: %s\n", err.msg);
            CHECK(0);
            continue;
        }
        /* the Brevitas scales are not 1: FLOAT32, not FLOAT<4,3,7> */
        const finn_op *op = finn_registry_op(reg, n->domain, n->op_type);
        CHECK(op && op->infer_datatypes(m, n, &err) == 0);
        CHECK_STR(finn_model_annotation(m, n->outputs[0], "finn_datatype"), "FLOAT32");
        const finn_tensor *y = finn_exec_ctx_get(ctx, n->outputs[0]);
        if (!strcmp(n->inputs[0], xname))
            xq = y;
        else
            wq = y;
    }
    CHECK_EQ_INT(nfq, 2);
    const finn_tensor *want_x = finn_npz_get(act, "input_quant");
    const finn_tensor *want_w = finn_npz_get(act, "weight_quant");
    CHECK(xq && wq && want_x && want_w && gemm);
    if (!xq || !wq || !want_x || !want_w || !gemm)
        goto done;
    check_values(xq, want_x->data, finn_tensor_numel(want_x), __LINE__);
    check_values(wq, want_w->data, finn_tensor_numel(want_w), __LINE__);
    /* Gemm(transB=1) + bias: y[j] = sum_k xq[k] * wq[j][k] + b[j] */
    const finn_tensor *b = finn_exec_ctx_get(ctx, gemm->inputs[2]);
    CHECK(b != NULL && wq->ndim == 2 && finn_tensor_numel(out) == (size_t)wq->shape[0]);
    if (b && wq->ndim == 2 && finn_tensor_numel(out) == (size_t)wq->shape[0]) {
        size_t rows = (size_t)wq->shape[0], kdim = (size_t)wq->shape[1];
        for (size_t j = 0; j < rows; j++) {
            double acc = finn_tensor_get(b, finn_tensor_numel(b) == 1 ? 0 : j);
            for (size_t k = 0; k < kdim; k++)
                acc += finn_tensor_get(xq, k) * finn_tensor_get(wq, j * kdim + k);
            CHECK_NEAR(acc, finn_tensor_get(out, j), 1e-5 * (1 + fabs(acc)));
        }
    }
done:
    finn_model_free(m);
    finn_tensor_free(in);
    finn_tensor_free(out);
    finn_npz_free(act);
    finn_exec_ctx_free(ctx);
}

/* ---- Im2Col ---------------------------------------------------------------- */

static tcase im2col_case(int64_t nb, int64_t h, int64_t w, int64_t c, const float *x,
                         int64_t kh, int64_t kw, const int64_t *pad, const char *dt)
{
    int64_t xs[4] = {nb, h, w, c}, k[2] = {kh, kw}, s[2] = {1, 1};
    char ishape[64];
    snprintf(ishape, sizeof ishape, "(%lld, %lld, %lld, %lld)", (long long)nb, (long long)h,
             (long long)w, (long long)c);
    tcase t = tc_new("Im2Col", QD);
    tc_input(&t, "x", ften(4, xs, x));
    finn_node_set_attr_ints(t.n, "kernel_size", k, 2, &err);
    finn_node_set_attr_ints(t.n, "stride", s, 2, &err);
    finn_node_set_attr_s(t.n, "input_shape", ishape, &err);
    if (pad)
        finn_node_set_attr_ints(t.n, "pad_amount", pad, 4, &err);
    if (dt) {
        finn_datatype d;
        finn_dt_parse(dt, &d, &err);
        finn_model_set_datatype(t.m, "x", d, &err);
    }
    return t;
}

static void test_im2col(void)
{
    /* x (1,2,2,1) = [[1,2],[3,4]], kernel 2x2, stride 1, pad top 1 left 1:
     *   padded  0 0 0 / 0 1 2 / 0 3 4;  oh = ow = (2 + 1 - 1 - 1)/1 + 1 = 2
     *   out(0,0) = [0,0,0,1], (0,1) = [0,0,1,2], (1,0) = [0,1,0,3], (1,1) = [1,2,3,4] */
    const float x[] = {1, 2, 3, 4};
    const int64_t pad[4] = {1, 1, 0, 0};
    const float want[] = {0, 0, 0, 1, 0, 0, 1, 2, 0, 1, 0, 3, 1, 2, 3, 4};
    tcase t = im2col_case(1, 2, 2, 1, x, 2, 2, pad, "UINT4");
    CHECK_VALUES(tc_run(&t), want);
    int64_t os[4] = {1, 2, 2, 4};
    check_out_shape(&t, 4, os);
    CHECK_STR(dt_of(&t, "y"), "UINT4");
    tc_free(&t);

    /* pad_value 7 instead of 0 */
    const float want7[] = {7, 7, 7, 1, 7, 7, 1, 2, 7, 1, 7, 3, 1, 2, 3, 4};
    t = im2col_case(1, 2, 2, 1, x, 2, 2, pad, "UINT4");
    finn_node_set_attr_i(t.n, "pad_value", 7, &err);
    CHECK_VALUES(tc_run(&t), want7);
    tc_free(&t);

    /* pad_value -1 is not a UINT4 value */
    t = im2col_case(1, 2, 2, 1, x, 2, 2, pad, "UINT4");
    finn_node_set_attr_i(t.n, "pad_value", -1, &err);
    CHECK_EQ_INT(tc_exec_only(&t), -1);
    CHECK_CONTAINS(err.msg, "pad_value");
    tc_free(&t);

    /* channels: x (1,1,3,2) = pixels (1,2), (3,4), (5,6); kernel 1x2 -> ow = 2;
     * inner order is kernel x then channel: [1,2,3,4], [3,4,5,6] */
    const float xc[] = {1, 2, 3, 4, 5, 6};
    const float wantc[] = {1, 2, 3, 4, 3, 4, 5, 6};
    t = im2col_case(1, 1, 3, 2, xc, 1, 2, NULL, NULL);
    CHECK_VALUES(tc_run(&t), wantc);
    int64_t osc[4] = {1, 1, 2, 4};
    check_out_shape(&t, 4, osc);
    tc_free(&t);

    /* N = 2 reproduces QONNX's batch interleaving: x (2,1,2,1) = b0 [1,2],
     * b1 [3,4], kernel 1x1; cols memory is (pos, batch) = [1,3,2,4], read
     * back as (n, oh, ow) -> out = [1,3,2,4] */
    const float xn[] = {1, 2, 3, 4};
    const float wantn[] = {1, 3, 2, 4};
    t = im2col_case(2, 1, 2, 1, xn, 1, 1, NULL, NULL);
    CHECK_VALUES(tc_run(&t), wantn);
    tc_free(&t);

    /* height 1 needs kernel height 1 */
    t = im2col_case(1, 1, 3, 2, xc, 2, 2, NULL, NULL);
    CHECK_EQ_INT(tc_exec_only(&t), -1);
    CHECK_CONTAINS(err.msg, "height 1");
    tc_free(&t);
}

/* ---- MaxPoolNHWC / QuantAvgPool2d ----------------------------------------------- */

static void test_maxpool(void)
{
    /* x (1,3,3,1) = 1..9, kernel 2, stride 2: floor mode -> 1x1 = max(1,2,4,5) = 5;
     * ceil mode -> 2x2 = [5, max(3,6) = 6, max(7,8) = 8, 9] */
    const float x[] = {1, 2, 3, 4, 5, 6, 7, 8, 9};
    int64_t xs[4] = {1, 3, 3, 1}, k[2] = {2, 2}, pads0[4] = {0, 0, 0, 0};
    const float want_floor[] = {5}, want_ceil[] = {5, 6, 8, 9};
    for (int ceil_mode = 0; ceil_mode < 2; ceil_mode++) {
        tcase t = tc_new("MaxPoolNHWC", QD);
        tc_input(&t, "x", ften(4, xs, x));
        finn_node_set_attr_ints(t.n, "kernel_shape", k, 2, &err);
        finn_node_set_attr_ints(t.n, "strides", k, 2, &err);
        finn_node_set_attr_ints(t.n, "pads", pads0, 4, &err);
        finn_node_set_attr_i(t.n, "ceil_mode", ceil_mode, &err);
        if (ceil_mode)
            CHECK_VALUES(tc_run(&t), want_ceil);
        else
            CHECK_VALUES(tc_run(&t), want_floor);
        int64_t os[4] = {1, ceil_mode ? 2 : 1, ceil_mode ? 2 : 1, 1};
        check_out_shape(&t, 4, os);
        tc_free(&t);
    }

    /* 2 channels, kernel 2, stride 1, pads 1: out 3x3; padding never wins:
     * c0 = [1,-5;3,2], c1 = [-1,-2;-3,-4] (NHWC flat below)
     * out(0,0) sees only pixel (0,0): (1, -1); out(1,1) sees all: (3, -1);
     * out(2,2) sees only (1,1): (2, -4); out(0,1) sees row 0: (1, -1) */
    const float x2[] = {1, -1, -5, -2, 3, -3, 2, -4};
    int64_t xs2[4] = {1, 2, 2, 2}, s1[2] = {1, 1}, pads1[4] = {1, 1, 1, 1};
    tcase t = tc_new("MaxPoolNHWC", QD);
    tc_input(&t, "x", ften(4, xs2, x2));
    finn_model_set_datatype(t.m, "x", finn_dt_int(4), &err);
    finn_node_set_attr_ints(t.n, "kernel_shape", k, 2, &err);
    finn_node_set_attr_ints(t.n, "strides", s1, 2, &err);
    finn_node_set_attr_ints(t.n, "pads", pads1, 4, &err);
    const finn_tensor *y = tc_run(&t);
    CHECK(y != NULL);
    if (y && finn_tensor_numel(y) == 18) {
        const float *v = y->data;
        CHECK_EQ_DBL(v[0], 1);  /* (0,0,c0) */
        CHECK_EQ_DBL(v[1], -1); /* (0,0,c1) */
        CHECK_EQ_DBL(v[2], 1);  /* (0,1,c0) = max(1,-5) */
        CHECK_EQ_DBL(v[3], -1); /* (0,1,c1) = max(-1,-2) */
        CHECK_EQ_DBL(v[8], 3);  /* (1,1,c0) */
        CHECK_EQ_DBL(v[9], -1); /* (1,1,c1) */
        CHECK_EQ_DBL(v[16], 2); /* (2,2,c0) */
        CHECK_EQ_DBL(v[17], -4);
    }
    int64_t os2[4] = {1, 3, 3, 2};
    check_out_shape(&t, 4, os2);
    CHECK_STR(dt_of(&t, "y"), "INT4");
    tc_free(&t);
}

static tcase avgpool_case(int64_t *xs, const float *x, int is_signed, const char *layout)
{
    tcase t = tc_new("QuantAvgPool2d", QD);
    tc_input(&t, "x", ften(4, xs, x));
    finn_node_set_attr_i(t.n, "kernel", 2, &err);
    finn_node_set_attr_i(t.n, "stride", 2, &err);
    finn_node_set_attr_i(t.n, "ibits", 4, &err);
    finn_node_set_attr_i(t.n, "obits", 4, &err);
    finn_node_set_attr_i(t.n, "signed", is_signed, &err);
    if (layout)
        finn_node_set_attr_s(t.n, "data_layout", layout, &err);
    return t;
}

static void test_quantavgpool(void)
{
    /* k 2, ibits 4: acc max (2^4-1)*4 = 60 -> 6 bits; shift = 6 - 4 = 2.
     * [1,2,3,5]: avg 2.75 * 4 = 11 -> 11 >> 2 = 2 */
    int64_t xs[4] = {1, 1, 2, 2};
    const float x[] = {1, 2, 3, 5}, want[] = {2};
    tcase t = avgpool_case(xs, x, 0, NULL);
    CHECK_VALUES(tc_run(&t), want);
    int64_t os[4] = {1, 1, 1, 1};
    check_out_shape(&t, 4, os);
    CHECK_STR(dt_of(&t, "y"), "UINT4");
    tc_free(&t);
    /* signed: sum -11 -> -11 >> 2 = floor(-2.75) = -3; INT4 */
    const float xn[] = {-1, -2, -3, -5}, wantn[] = {-3};
    t = avgpool_case(xs, xn, 1, "NCHW");
    CHECK_VALUES(tc_run(&t), wantn);
    CHECK_STR(dt_of(&t, "y"), "INT4");
    tc_free(&t);
    /* NHWC (1,2,2,2): c0 = [1,2,3,5] -> 2; c1 = [4,4,4,4] sum 16 -> 4 */
    int64_t xs2[4] = {1, 2, 2, 2};
    const float x2[] = {1, 4, 2, 4, 3, 4, 5, 4}, want2[] = {2, 4};
    t = avgpool_case(xs2, x2, 0, "NHWC");
    CHECK_VALUES(tc_run(&t), want2);
    int64_t os2[4] = {1, 1, 1, 2};
    check_out_shape(&t, 4, os2);
    tc_free(&t);
}

/* ---- DebugMarker / XnorPopcountMatMul ------------------------------------- */

static void test_debugmarker(void)
{
    int64_t s3[1] = {3};
    const float x[] = {-1, 0, 2.5f};
    tcase t = tc_new("DebugMarker", QD);
    tc_input(&t, "x", ften(1, s3, x));
    finn_model_set_datatype(t.m, "x", finn_dt_int(4), &err);
    finn_node_set_attr_s(t.n, "export_debug_name", "dbg", &err);
    /* x is annotated INT4 but holds 2.5: sanitizing refuses it, so drop the
     * annotation for execution after datatype inference */
    const finn_op *op = tc_op(&t);
    CHECK(op != NULL);
    finn_model_insert_node(t.m, 0, t.n, &err);
    t.ok = 2;
    if (op) {
        CHECK_EQ_INT(op->infer_shapes(t.m, t.n, &err), 0);
        CHECK_EQ_INT(op->infer_datatypes(t.m, t.n, &err), 0);
    }
    CHECK_STR(dt_of(&t, "y"), "INT4");
    CHECK_STR(dt_of(&t, "dbg"), "INT4");
    finn_model_clear_datatype(t.m, "x");
    finn_model_clear_datatype(t.m, "y");
    finn_model_clear_datatype(t.m, "dbg");
    CHECK_EQ_INT(finn_execute(reg, t.m, t.ctx, &err), 0);
    CHECK_VALUES(finn_exec_ctx_get(t.ctx, "y"), x);
    CHECK_VALUES(finn_exec_ctx_get(t.ctx, "dbg"), x);
    check_out_shape(&t, 1, s3);
    tc_free(&t);
}

static void test_xnor(void)
{
    /* A = [[1,0,1],[0,0,0]], B = [[1,0],[0,0],[1,1]]: agreeing bits
     * row0.col0 (1,0,1)~(1,0,1) = 3; row0.col1 (1,0,1)~(0,0,1) = 2;
     * row1.col0 (0,0,0)~(1,0,1) = 1; row1.col1 (0,0,0)~(0,0,1) = 2 */
    int64_t as[2] = {2, 3}, bs[2] = {3, 2};
    const float a[] = {1, 0, 1, 0, 0, 0}, b[] = {1, 0, 0, 0, 1, 1};
    const float want[] = {3, 2, 1, 2};
    tcase t = tc_new("XnorPopcountMatMul", QD);
    tc_input(&t, "a", ften(2, as, a));
    tc_init(&t, "b", ften(2, bs, b));
    finn_model_set_datatype(t.m, "a", finn_dt_binary(), &err);
    finn_model_set_datatype(t.m, "b", finn_dt_binary(), &err);
    CHECK_VALUES(tc_run(&t), want);
    int64_t os[2] = {2, 2};
    check_out_shape(&t, 2, os);
    CHECK_STR(dt_of(&t, "y"), "UINT32");
    tc_free(&t);

    /* datatype inference insists on BINARY inputs */
    t = tc_new("XnorPopcountMatMul", QD);
    tc_input(&t, "a", ften(2, as, a));
    tc_init(&t, "b", ften(2, bs, b));
    finn_model_insert_node(t.m, 0, t.n, &err);
    t.ok = 2;
    const finn_op *op = tc_op(&t);
    CHECK(op && op->infer_datatypes(t.m, t.n, &err) == -1);
    CHECK_CONTAINS(err.msg, "BINARY");
    tc_free(&t);
}

static void test_shape_errors(void)
{
    /* unknown input shape: shape inference names the tensor */
    tcase t = tc_new("MultiThreshold", QD);
    finn_node_add_input(t.n, "mystery", &err);
    finn_model_insert_node(t.m, 0, t.n, &err);
    t.ok = 2;
    const finn_op *op = tc_op(&t);
    CHECK(op && op->infer_shapes(t.m, t.n, &err) == -1);
    CHECK_CONTAINS(err.msg, "mystery");
    tc_free(&t);
    /* Im2Col with a malformed input_shape */
    const float x[] = {1, 2, 3, 4};
    t = im2col_case(1, 2, 2, 1, x, 2, 2, NULL, NULL);
    finn_node_set_attr_s(t.n, "input_shape", "(1, 2, 2)", &err);
    finn_model_insert_node(t.m, 0, t.n, &err);
    t.ok = 2;
    op = tc_op(&t);
    CHECK(op && op->infer_shapes(t.m, t.n, &err) == -1);
    CHECK_CONTAINS(err.msg, "input_shape");
    tc_free(&t);
}

int main(void)
{
    char path[4096];
    snprintf(path, sizeof path, "%s/qonnx_ops.so", test_env("FINN_PLUGIN_DIR", "."));
    reg = finn_registry_new(&err);
    if (!reg || finn_plugin_load(reg, path, &err)) {
        fprintf(stderr, "cannot load %s: %s\n", path, err.msg);
        finn_registry_free(reg);
        return 1;
    }
    static const char *const ops[] = {"Quant", "IntQuant", "BipolarQuant", "Trunc",
                                      "FloatQuant", "MultiThreshold", "Im2Col", "MaxPoolNHWC",
                                      "QuantAvgPool2d", "DebugMarker", "XnorPopcountMatMul"};
    for (size_t i = 0; i < N_OF(ops); i++)
        CHECK(finn_registry_op(reg, QD, ops[i]) != NULL);
    test_quant_ranges();
    test_quant_rounding();
    test_quant_per_channel();
    test_quant_datatypes();
    test_domain_aliases();
    test_bipolar();
    test_multithreshold();
    test_trunc();
    test_floatquant();
    test_floatquant_corpus();
    test_im2col();
    test_maxpool();
    test_quantavgpool();
    test_debugmarker();
    test_xnor();
    test_shape_errors();
    finn_registry_free(reg);
    return test_done();
}
