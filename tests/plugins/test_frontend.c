/*
 * test_frontend.c - the frontend plugin: step_qonnx_to_finn, step_tidy_up
 * and custom_step_add_pre_proc.
 *
 * Like FINN's own tests, every rewrite is checked twice: the resulting graph
 * exactly (op sequence, attributes, threshold values, datatypes), and by
 * executing the model before and after on the same inputs.  Hand-built
 * models cover each sub-pass; the corpus TFC models cover the whole flow
 * (skipped without FINN_SHARED_DIR).
 */
#include <finn/plugin.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "builder_priv.h"
#include "test.h"

static finn_registry *g_reg;
static finn_config *g_cfg;

/* ---- set-up ------------------------------------------------------------------ */

static finn_registry *load_registry(void)
{
    finn_error err = {0};
    finn_registry *reg = finn_registry_new(&err);
    if (reg && finn_plugin_load_default(reg, &err) == 0)
        return reg;
    /* another plugin of the tree may be half-written: load the ones we need */
    fprintf(stderr, "note: default plugin load failed (%s); loading the needed ones\n", err.msg);
    finn_registry_free(reg);
    reg = finn_registry_new(&err);
    const char *dir = test_env("FINN_PLUGIN_DIR", finn_plugin_default_dir());
    const char *names[] = {"onnx_math", "onnx_nn", "qonnx_ops", "frontend"};
    for (size_t i = 0; reg && i < 4; i++) {
        char path[4096];
        snprintf(path, sizeof path, "%s/%s.so", dir, names[i]);
        if (finn_plugin_load(reg, path, &err)) {
            fprintf(stderr, "cannot load %s: %s\n", path, err.msg);
            exit(1);
        }
    }
    return reg;
}

static int run_step_cfg(const char *name, finn_model **m, finn_config *cfg, const char *outdir,
                        finn_error *err)
{
    struct finn_build b = {g_reg, cfg, outdir, stderr, NULL, false};
    const finn_step_desc *d = finn_registry_step(g_reg, name);
    if (!d)
        return finn_error_set(err, FINN_ERR_NOT_FOUND, "no step %s", name);
    return d->fn(m, &b, err);
}

static int run_step(const char *name, finn_model **m, finn_error *err)
{
    return run_step_cfg(name, m, g_cfg, test_tmpdir(), err);
}

/* ---- model building ------------------------------------------------------------ */

static char **names1(const char *s)
{
    char **v = malloc(sizeof *v);
    v[0] = strdup(s);
    return v;
}

static finn_model *new_model(int nd_in, const int64_t *sin, int nd_out, const int64_t *sout,
                             int64_t opset)
{
    finn_error err = {0};
    finn_model *m = finn_model_new("test", &err);
    finn_model_set_opset(m, "", opset, &err);
    m->inputs = names1("x");
    m->n_inputs = 1;
    m->outputs = names1("y");
    m->n_outputs = 1;
    finn_model_set_shape(m, "x", FINN_ELEM_FLOAT, nd_in, sin, &err);
    finn_model_set_shape(m, "y", FINN_ELEM_FLOAT, nd_out, sout, &err);
    return m;
}

static void set_init(finn_model *m, const char *name, int nd, const int64_t *shape,
                     const float *vals)
{
    finn_error err = {0};
    finn_tensor *t = finn_tensor_new(FINN_ELEM_FLOAT, nd, shape, &err);
    memcpy(t->data, vals, finn_tensor_nbytes(t));
    CHECK(finn_model_set_initializer(m, name, t, &err) == 0);
}

static void set_scalar(finn_model *m, const char *name, float v)
{
    set_init(m, name, 0, NULL, &v);
}

static finn_node *add_node(finn_model *m, const char *op, const char *domain,
                           const char *const *ins, const char *out)
{
    finn_error err = {0};
    finn_node *n = finn_node_new(op, domain, "", &err);
    for (; *ins; ins++)
        finn_node_add_input(n, *ins, &err);
    finn_node_add_output(n, out, &err);
    CHECK(finn_model_insert_node(m, m->n_nodes, n, &err) == 0);
    return n;
}

#define INS(...) ((const char *const[]){__VA_ARGS__, NULL})

/* Quant(x, <out>_s, <out>_zp, <out>_bw) -> out with a 0-d or shaped scale. */
static finn_node *add_quant(finn_model *m, const char *x, const char *out, int nd_s,
                            const int64_t *s_shape, const float *s, float bits, int is_signed,
                            int narrow)
{
    char sn[64], zn[64], bn[64];
    snprintf(sn, sizeof sn, "%s_s", out);
    snprintf(zn, sizeof zn, "%s_zp", out);
    snprintf(bn, sizeof bn, "%s_bw", out);
    set_init(m, sn, nd_s, s_shape, s);
    set_scalar(m, zn, 0.0f);
    set_scalar(m, bn, bits);
    finn_node *q = add_node(m, "Quant", "qonnx.custom_op.general", INS(x, sn, zn, bn), out);
    finn_error err = {0};
    finn_node_set_attr_i(q, "narrow", narrow, &err);
    finn_node_set_attr_s(q, "rounding_mode", "ROUND", &err);
    finn_node_set_attr_i(q, "signed", is_signed, &err);
    return q;
}

/* ---- inspection ------------------------------------------------------------------ */

static const char *ops(const finn_model *m)
{
    static char buf[4096];
    buf[0] = 0;
    for (size_t i = 0; i < m->n_nodes; i++) {
        if (i)
            strcat(buf, ",");
        strcat(buf, m->nodes[i]->op_type);
    }
    return buf;
}

static finn_node *nth_op(const finn_model *m, const char *op, int k)
{
    for (size_t i = 0; i < m->n_nodes; i++)
        if (!strcmp(m->nodes[i]->op_type, op) && k-- == 0)
            return m->nodes[i];
    return NULL;
}

static const char *dtname(const finn_model *m, const char *tensor)
{
    static char buf[FINN_DT_NAME_MAX];
    return finn_dt_name(finn_model_datatype(m, tensor), buf, sizeof buf);
}

static const finn_tensor *init_of(const finn_model *m, const finn_node *n, size_t k)
{
    return n && k < n->n_inputs ? finn_model_initializer(m, n->inputs[k]) : NULL;
}

/* Initializer k of n is 0-d holding v. */
static void check_scalar_input(const finn_model *m, const finn_node *n, size_t k, float v)
{
    const finn_tensor *t = init_of(m, n, k);
    CHECK(t != NULL);
    if (!t)
        return;
    CHECK_EQ_INT(t->ndim, 0);
    CHECK_EQ_DBL(finn_tensor_get(t, 0), v);
}

/* ---- execution ---------------------------------------------------------------------- */

static uint64_t rng_state = 12345;
static float rnd(float lo, float hi)
{
    rng_state = rng_state * 6364136223846793005ULL + 1442695040888963407ULL;
    return lo + (hi - lo) * (float)((rng_state >> 40) & 0xFFFFFF) / 16777216.0f;
}

/* Output 0 of m for input x (copied); NULL with a message on failure. */
static finn_tensor *exec1(const finn_model *m, const finn_tensor *x)
{
    finn_error err = {0};
    finn_exec_ctx *ctx = finn_exec_ctx_new(&err);
    finn_tensor *out = NULL;
    if (finn_exec_ctx_set(ctx, m->inputs[0], finn_tensor_copy(x, &err), &err) == 0 &&
        finn_execute(g_reg, m, ctx, &err) == 0)
        out = finn_exec_ctx_take(ctx, m->outputs[0]);
    if (!out)
        fprintf(stderr, "execution failed: %s\n", err.msg);
    finn_exec_ctx_free(ctx);
    return out;
}

/* Max |a - b| of the outputs of two models on x; +inf on failure. */
static double max_diff(const finn_model *a, const finn_model *b, const finn_tensor *x)
{
    finn_tensor *ya = exec1(a, x), *yb = exec1(b, x);
    double d = INFINITY;
    if (ya && yb && finn_tensor_numel(ya) == finn_tensor_numel(yb)) {
        d = 0;
        for (size_t i = 0; i < finn_tensor_numel(ya); i++) {
            double e = fabs(finn_tensor_get(ya, i) - finn_tensor_get(yb, i));
            d = e > d ? e : d;
        }
    }
    finn_tensor_free(ya);
    finn_tensor_free(yb);
    return d;
}

static finn_tensor *random_input(const finn_model *m, float lo, float hi)
{
    finn_error err = {0};
    const finn_value *v = finn_model_value(m, m->inputs[0]);
    finn_tensor *t = finn_tensor_new(FINN_ELEM_FLOAT, v->ndim, v->shape, &err);
    for (size_t i = 0; i < finn_tensor_numel(t); i++)
        ((float *)t->data)[i] = rnd(lo, hi);
    return t;
}

/* Outputs of before/after agree on `trials` seeded random inputs. */
static void check_same_outputs(const finn_model *before, const finn_model *after, int trials,
                               float lo, float hi, double atol)
{
    for (int i = 0; i < trials; i++) {
        finn_tensor *x = random_input(before, lo, hi);
        CHECK_NEAR(max_diff(before, after, x), 0.0, atol);
        finn_tensor_free(x);
    }
}

static finn_model *clone(const finn_model *m)
{
    finn_error err = {0};
    finn_model *c = finn_model_clone(m, &err);
    CHECK(c != NULL);
    return c;
}

/* ============================ hand-built sub-pass tests ============================ */

/* FoldQuantWeights, unit scale: the quantized values become the initializer
 * (annotated INT2), no Mul is inserted. */
static void test_fold_weights_unit_scale(void)
{
    int64_t sx[2] = {1, 3}, sy[2] = {1, 2}, sw[2] = {3, 2};
    finn_model *m = new_model(2, sx, 2, sy, 13);
    /* 2-bit signed narrow: clamp to [-1, 1], then round half to even:
     * 0.4->0, -0.6->-1, 1.7->1, -2->-1, 0.5->0 (tie to even), 0.51->1 */
    const float w[6] = {0.4f, -0.6f, 1.7f, -2.0f, 0.5f, 0.51f};
    const float one = 1.0f;
    set_init(m, "w", 2, sw, w);
    add_quant(m, "w", "wq", 0, NULL, &one, 2, 1, 1);
    add_node(m, "MatMul", "", INS("x", "wq"), "y");
    finn_model *before = clone(m);
    finn_error err = {0};
    CHECK(run_step("step_qonnx_to_finn", &m, &err) == 0);
    CHECK_STR(ops(m), "MatMul");
    const finn_node *mm = nth_op(m, "MatMul", 0);
    const finn_tensor *wi = init_of(m, mm, 1);
    const float exp[6] = {0, -1, 1, -1, 0, 1};
    CHECK(wi != NULL);
    for (int i = 0; wi && i < 6; i++)
        CHECK_EQ_DBL(finn_tensor_get(wi, (size_t)i), exp[i]);
    CHECK_STR(dtname(m, mm->inputs[1]), "INT2");
    check_same_outputs(before, m, 5, -2, 2, 0.0);
    finn_model_free(before);
    finn_model_free(m);
}

/* FoldQuantWeights, scale 0.5: integer initializer q/s, then Mul(0.5)
 * behind the MatMul; a (1,) scale becomes a 0-d Mul constant. */
static void test_fold_weights_scaled(int scale_nd)
{
    int64_t sx[2] = {1, 3}, sy[2] = {1, 2}, sw[2] = {3, 2}, s1[1] = {1};
    finn_model *m = new_model(2, sx, 2, sy, 13);
    /* x/0.5 = 0.6,-1.6,1.48,4,-0.52,0.5 -> clamp [-1,1] -> round: 1,-1,1,1,-1,0 */
    const float w[6] = {0.3f, -0.8f, 0.74f, 2.0f, -0.26f, 0.25f};
    const float half = 0.5f;
    set_init(m, "w", 2, sw, w);
    add_quant(m, "w", "wq", scale_nd, s1, &half, 2, 1, 1);
    add_node(m, "MatMul", "", INS("x", "wq"), "y");
    finn_model *before = clone(m);
    finn_error err = {0};
    CHECK(run_step("step_qonnx_to_finn", &m, &err) == 0);
    CHECK_STR(ops(m), "MatMul,Mul");
    const finn_node *mm = nth_op(m, "MatMul", 0), *mul = nth_op(m, "Mul", 0);
    const finn_tensor *wi = init_of(m, mm, 1);
    const float exp[6] = {1, -1, 1, 1, -1, 0};
    CHECK(wi != NULL);
    for (int i = 0; wi && i < 6; i++)
        CHECK_EQ_DBL(finn_tensor_get(wi, (size_t)i), exp[i]);
    CHECK_STR(dtname(m, mm->inputs[1]), "INT2");
    CHECK_STR(mul->inputs[0], mm->outputs[0]);
    check_scalar_input(m, mul, 1, 0.5f);
    CHECK_STR(mul->outputs[0], "global_out");
    /* a power-of-two scale makes the two orders exactly equal */
    check_same_outputs(before, m, 5, -2, 2, 0.0);
    finn_model_free(before);
    finn_model_free(m);
}

/* FoldQuantWeights with a per-channel (1,2) scale keeps the Mul constant's
 * shape; an Add consumer gets a Div in front of its input[0]. */
static void test_fold_weights_per_channel_and_add(void)
{
    int64_t sx[2] = {1, 3}, sy[2] = {1, 2}, sw[2] = {3, 2}, ss[2] = {1, 2};
    finn_model *m = new_model(2, sx, 2, sy, 13);
    const float w[6] = {0.3f, -0.8f, 0.74f, 2.0f, -0.26f, 0.25f};
    const float s[2] = {0.5f, 0.25f};
    set_init(m, "w", 2, sw, w);
    add_quant(m, "w", "wq", 2, ss, s, 4, 1, 0);
    add_node(m, "MatMul", "", INS("x", "wq"), "y");
    finn_model *before = clone(m);
    finn_error err = {0};
    CHECK(run_step("step_qonnx_to_finn", &m, &err) == 0);
    CHECK_STR(ops(m), "MatMul,Mul");
    const finn_node *mm = nth_op(m, "MatMul", 0), *mul = nth_op(m, "Mul", 0);
    const finn_tensor *wi = init_of(m, mm, 1), *mc = init_of(m, mul, 1);
    /* column 0 /0.5, column 1 /0.25, INT4 wide [-8, 7], half to even:
     * 0.6->1, -3.2->-3, 1.48->1, 8->7 (clamped), -0.52->-1, 1->1 */
    const float exp[6] = {1, -3, 1, 7, -1, 1};
    for (int i = 0; wi && i < 6; i++)
        CHECK_EQ_DBL(finn_tensor_get(wi, (size_t)i), exp[i]);
    CHECK_STR(dtname(m, mm->inputs[1]), "INT4");
    CHECK(mc && mc->ndim == 2 && mc->shape[0] == 1 && mc->shape[1] == 2);
    check_same_outputs(before, m, 5, -2, 2, 1e-6);
    finn_model_free(before);
    finn_model_free(m);

    /* Add consumer: y = x + B with B quantized at scale 0.5 */
    int64_t sb[2] = {1, 3};
    m = new_model(2, sx, 2, sb, 13);
    const float b[3] = {0.3f, -0.8f, 0.74f};
    const float half = 0.5f;
    set_init(m, "b", 2, sb, b);
    add_quant(m, "b", "bq", 0, NULL, &half, 4, 1, 0);
    add_node(m, "Add", "", INS("x", "bq"), "y");
    before = clone(m);
    CHECK(run_step("step_qonnx_to_finn", &m, &err) == 0);
    CHECK_STR(ops(m), "Div,Add,Mul");
    const finn_node *div = nth_op(m, "Div", 0), *add = nth_op(m, "Add", 0);
    mul = nth_op(m, "Mul", 0);
    CHECK_STR(div->inputs[0], "global_in");
    check_scalar_input(m, div, 1, 0.5f);
    CHECK_STR(add->inputs[0], div->outputs[0]);
    check_scalar_input(m, mul, 1, 0.5f);
    const finn_tensor *bi = init_of(m, add, 1);
    /* 0.6->1, -1.6->-2, 1.48->1 */
    CHECK(bi && finn_tensor_get(bi, 0) == 1 && finn_tensor_get(bi, 1) == -2 &&
          finn_tensor_get(bi, 2) == 1);
    check_same_outputs(before, m, 5, -2, 2, 1e-6);
    finn_model_free(before);
    finn_model_free(m);
}

/* Identity handler, 2-bit signed narrow at scale s=0.25: thresholds
 * {-0.5s, +0.5s} on every channel, bias -1, then Mul(s). */
static void test_identity_2bit_narrow(void)
{
    int64_t sx[2] = {1, 4};
    finn_model *m = new_model(2, sx, 2, sx, 13);
    const float s = 0.25f;
    add_quant(m, "x", "y", 0, NULL, &s, 2, 1, 1);
    finn_model *before = clone(m);
    finn_error err = {0};
    CHECK(run_step("step_qonnx_to_finn", &m, &err) == 0);
    CHECK_STR(ops(m), "MultiThreshold,Add,Mul");
    const finn_node *mt = nth_op(m, "MultiThreshold", 0);
    CHECK_STR(mt->domain, "qonnx.custom_op.general");
    CHECK_STR(finn_node_attr_s(mt, "out_dtype", ""), "INT2");
    CHECK(finn_node_attr(mt, "out_scale") == NULL);
    CHECK(finn_node_attr(mt, "out_bias") == NULL);
    const finn_tensor *t = init_of(m, mt, 1);
    CHECK(t && t->ndim == 2 && t->shape[0] == 4 && t->shape[1] == 2);
    for (int c = 0; t && c < 4; c++) {
        CHECK_EQ_DBL(finn_tensor_get(t, (size_t)c * 2), -0.125);
        CHECK_EQ_DBL(finn_tensor_get(t, (size_t)c * 2 + 1), 0.125);
    }
    check_scalar_input(m, nth_op(m, "Add", 0), 1, -1.0f);
    check_scalar_input(m, nth_op(m, "Mul", 0), 1, 0.25f);
    CHECK_STR(dtname(m, mt->outputs[0]), "INT2");
    check_same_outputs(before, m, 10, -1, 1, 0.0);

    /* exact ties: Quant rounds half to even, MultiThreshold counts >= (FINN
     * quirk): x = 0.125 -> Quant 0, MT 0.25; x = -0.125 -> both 0 */
    finn_tensor *x = random_input(m, 0, 0);
    float *xv = x->data;
    xv[0] = 0.125f, xv[1] = -0.125f, xv[2] = 0.3f, xv[3] = -7.0f;
    finn_tensor *yq = exec1(before, x), *ym = exec1(m, x);
    CHECK(yq && ym);
    if (yq && ym) {
        CHECK_EQ_DBL(finn_tensor_get(yq, 0), 0.0);
        CHECK_EQ_DBL(finn_tensor_get(ym, 0), 0.25);
        CHECK_EQ_DBL(finn_tensor_get(yq, 1), 0.0);
        CHECK_EQ_DBL(finn_tensor_get(ym, 1), 0.0);
        CHECK_EQ_DBL(finn_tensor_get(ym, 2), 0.25);
        CHECK_EQ_DBL(finn_tensor_get(ym, 3), -0.25);
    }
    finn_tensor_free(yq);
    finn_tensor_free(ym);
    finn_tensor_free(x);
    finn_model_free(before);
    finn_model_free(m);
}

/* Identity handler, 8-bit signed wide, unit scale: 255 thresholds
 * -127.5 .. 126.5, bias -128, no Mul. */
static void test_identity_8bit_wide(void)
{
    int64_t sx[2] = {1, 2};
    finn_model *m = new_model(2, sx, 2, sx, 13);
    const float one = 1.0f;
    add_quant(m, "x", "y", 0, NULL, &one, 8, 1, 0);
    finn_model *before = clone(m);
    finn_error err = {0};
    CHECK(run_step("step_qonnx_to_finn", &m, &err) == 0);
    CHECK_STR(ops(m), "MultiThreshold,Add");
    const finn_node *mt = nth_op(m, "MultiThreshold", 0);
    CHECK_STR(finn_node_attr_s(mt, "out_dtype", ""), "INT8");
    const finn_tensor *t = init_of(m, mt, 1);
    CHECK(t && t->shape[0] == 2 && t->shape[1] == 255);
    if (t) {
        CHECK_EQ_DBL(finn_tensor_get(t, 0), -127.5);
        CHECK_EQ_DBL(finn_tensor_get(t, 1), -126.5);
        CHECK_EQ_DBL(finn_tensor_get(t, 254), 126.5);
        CHECK_EQ_DBL(finn_tensor_get(t, 255), -127.5);
    }
    check_scalar_input(m, nth_op(m, "Add", 0), 1, -128.0f);
    check_same_outputs(before, m, 20, -200, 200, 0.0);
    finn_model_free(before);
    finn_model_free(m);
}

/* ReLU handler: Relu -> Quant(unsigned, wide, 2 bit, s=0.5) becomes
 * MultiThreshold(x) with thresholds 0.25, 0.75, 1.25, no Add, Mul(0.5);
 * the Relu is gone.  A signed quantizer after Relu is refused. */
static void test_relu_handler(void)
{
    int64_t sx[4] = {1, 3, 2, 2};
    finn_model *m = new_model(4, sx, 4, sx, 13);
    add_node(m, "Relu", "", INS("x"), "r");
    const float half = 0.5f;
    add_quant(m, "r", "y", 0, NULL, &half, 2, 0, 0);
    finn_model *before = clone(m);
    finn_error err = {0};
    CHECK(run_step("step_qonnx_to_finn", &m, &err) == 0);
    CHECK_STR(ops(m), "MultiThreshold,Mul");
    const finn_node *mt = nth_op(m, "MultiThreshold", 0);
    CHECK_STR(mt->inputs[0], "global_in");
    CHECK_STR(finn_node_attr_s(mt, "out_dtype", ""), "UINT2");
    const finn_tensor *t = init_of(m, mt, 1);
    CHECK(t && t->shape[0] == 3 && t->shape[1] == 3);
    for (int c = 0; t && c < 3; c++) {
        CHECK_EQ_DBL(finn_tensor_get(t, (size_t)c * 3), 0.25);
        CHECK_EQ_DBL(finn_tensor_get(t, (size_t)c * 3 + 1), 0.75);
        CHECK_EQ_DBL(finn_tensor_get(t, (size_t)c * 3 + 2), 1.25);
    }
    check_scalar_input(m, nth_op(m, "Mul", 0), 1, 0.5f);
    check_same_outputs(before, m, 10, -2, 3, 0.0);
    finn_model_free(before);
    finn_model_free(m);

    m = new_model(4, sx, 4, sx, 13);
    add_node(m, "Relu", "", INS("x"), "r");
    add_quant(m, "r", "y", 0, NULL, &half, 2, 1, 0);
    /* FINN raises; finn-run keeps the quantizer (with a warning) and goes on */
    CHECK(run_step("step_qonnx_to_finn", &m, &err) == 0);
    CHECK_STR(ops(m), "Relu,Quant");
    finn_model_free(m);
}

/* BipolarQuant activation (identity, scale 1): thresholds [[0]] and the
 * scale/bias as attributes out_scale 2, out_bias -1, out_dtype BIPOLAR.
 * A Quant weight is there so the step's gate opens. */
static void test_bipolar_activation(void)
{
    int64_t sx[2] = {1, 3}, sy[2] = {1, 2}, sw[2] = {3, 2};
    finn_model *m = new_model(2, sx, 2, sy, 13);
    const float one = 1.0f;
    set_scalar(m, "bs", 1.0f);
    add_node(m, "BipolarQuant", "qonnx.custom_op.general", INS("x", "bs"), "xb");
    const float w[6] = {1, -1, 0, 1, -1, 1};
    set_init(m, "w", 2, sw, w);
    add_quant(m, "w", "wq", 0, NULL, &one, 2, 1, 1);
    add_node(m, "MatMul", "", INS("xb", "wq"), "y");
    finn_model *before = clone(m);
    finn_error err = {0};
    CHECK(run_step("step_qonnx_to_finn", &m, &err) == 0);
    CHECK_STR(ops(m), "MultiThreshold,MatMul");
    const finn_node *mt = nth_op(m, "MultiThreshold", 0);
    const finn_tensor *t = init_of(m, mt, 1);
    CHECK(t && t->ndim == 2 && t->shape[0] == 1 && t->shape[1] == 1 &&
          finn_tensor_get(t, 0) == 0.0);
    CHECK_STR(finn_node_attr_s(mt, "out_dtype", ""), "BIPOLAR");
    CHECK_EQ_DBL(finn_node_attr_f(mt, "out_scale", 0), 2.0);
    CHECK_EQ_DBL(finn_node_attr_f(mt, "out_bias", 0), -1.0);
    check_same_outputs(before, m, 10, -1, 1, 0.0);
    finn_model_free(before);
    finn_model_free(m);

    /* the gate counts BipolarQuant too (FINN's does not, and its w1a1
     * QONNX models then fail in streamlining): a BipolarQuant-only model
     * converts */
    m = new_model(2, sx, 2, sx, 13);
    add_node(m, "BipolarQuant", "qonnx.custom_op.general", INS("x", "bs"), "y");
    set_scalar(m, "bs", 1.0f);
    CHECK(run_step("step_qonnx_to_finn", &m, &err) == 0);
    CHECK_STR(ops(m), "MultiThreshold");
    CHECK_STR(finn_node_attr_s(m->nodes[0], "out_dtype", ""), "BIPOLAR");
    CHECK_EQ_DBL(finn_node_attr_f(m->nodes[0], "out_scale", 0), 2.0);
    finn_model_free(m);
    /* a model without any quantizer is returned as it is */
    m = new_model(2, sx, 2, sx, 13);
    add_node(m, "Relu", "", INS("x"), "y");
    CHECK(run_step("step_qonnx_to_finn", &m, &err) == 0);
    CHECK_STR(ops(m), "Relu");
    CHECK_STR(m->nodes[0]->outputs[0], "y");
    finn_model_free(m);
}

/* Activations above max_multithreshold_bit_width (8) stay Quant. */
static void test_bit_width_filter(void)
{
    int64_t sx[2] = {1, 2};
    finn_model *m = new_model(2, sx, 2, sx, 13);
    const float one = 1.0f;
    add_quant(m, "x", "a", 0, NULL, &one, 16, 1, 0);
    add_quant(m, "a", "y", 0, NULL, &one, 4, 1, 0);
    finn_error err = {0};
    CHECK(run_step("step_qonnx_to_finn", &m, &err) == 0);
    CHECK_STR(ops(m), "Quant,MultiThreshold,Add");
    CHECK_STR(finn_node_attr_s(nth_op(m, "MultiThreshold", 0), "out_dtype", ""), "INT4");
    finn_model_free(m);
}

/* GemmToMatMul: Gemm(x, Quant(W), C, transB=1) -> MatMul, Add; the
 * Transpose of the weight folds into the quantized initializer; alpha 2
 * keeps a Mul. */
static void test_gemm_to_matmul(float alpha)
{
    int64_t sx[2] = {1, 3}, sy[2] = {1, 2}, sw[2] = {2, 3}, sc[1] = {2};
    finn_model *m = new_model(2, sx, 2, sy, 9);
    const float w[6] = {1, -1, 0, 1, 1, -1}, c[2] = {0.5f, -2.0f}, one = 1.0f;
    set_init(m, "w", 2, sw, w);
    set_init(m, "c", 1, sc, c);
    add_quant(m, "w", "wq", 0, NULL, &one, 2, 1, 1);
    finn_node *g = add_node(m, "Gemm", "", INS("x", "wq", "c"), "y");
    finn_error err = {0};
    finn_node_set_attr_i(g, "transB", 1, &err);
    if (alpha != 1.0f)
        finn_node_set_attr_f(g, "alpha", alpha, &err);
    finn_model *before = clone(m);
    CHECK(run_step("step_qonnx_to_finn", &m, &err) == 0);
    CHECK_STR(ops(m), alpha == 1.0f ? "MatMul,Add" : "MatMul,Mul,Add");
    const finn_node *mm = nth_op(m, "MatMul", 0);
    const finn_tensor *wi = init_of(m, mm, 1);
    /* W transposed to (3,2): rows (1,1), (-1,1), (0,-1) */
    CHECK(wi && wi->shape[0] == 3 && wi->shape[1] == 2);
    const float exp[6] = {1, 1, -1, 1, 0, -1};
    for (int i = 0; wi && i < 6; i++)
        CHECK_EQ_DBL(finn_tensor_get(wi, (size_t)i), exp[i]);
    if (alpha != 1.0f)
        check_scalar_input(m, nth_op(m, "Mul", 0), 1, alpha);
    const finn_tensor *ci = init_of(m, nth_op(m, "Add", 0), 1);
    CHECK(ci && finn_tensor_get(ci, 0) == 0.5 && finn_tensor_get(ci, 1) == -2.0);
    check_same_outputs(before, m, 5, -2, 2, 1e-6);
    finn_model_free(before);
    finn_model_free(m);
}

/* ExtractBiasFromConv: the bias becomes Add with a (1,C,1,1) constant. */
static void test_extract_conv_bias(void)
{
    int64_t sx[4] = {1, 1, 4, 4}, sy[4] = {1, 2, 2, 2}, sw[4] = {2, 1, 3, 3}, sb[1] = {2};
    finn_model *m = new_model(4, sx, 4, sy, 13);
    float w[18];
    for (int i = 0; i < 18; i++)
        w[i] = (float)((i % 3) - 1);
    const float b[2] = {0.25f, -1.5f}, one = 1.0f;
    set_init(m, "w", 4, sw, w);
    set_init(m, "b", 1, sb, b);
    add_quant(m, "w", "wq", 0, NULL, &one, 2, 1, 1);
    add_node(m, "Conv", "", INS("x", "wq", "b"), "y");
    finn_model *before = clone(m);
    finn_error err = {0};
    CHECK(run_step("step_qonnx_to_finn", &m, &err) == 0);
    CHECK_STR(ops(m), "Conv,Add");
    const finn_node *conv = nth_op(m, "Conv", 0), *add = nth_op(m, "Add", 0);
    CHECK_EQ_INT(conv->n_inputs, 2);
    CHECK_STR(add->inputs[0], conv->outputs[0]);
    const finn_tensor *bi = init_of(m, add, 1);
    CHECK(bi && bi->ndim == 4 && bi->shape[0] == 1 && bi->shape[1] == 2 && bi->shape[2] == 1 &&
          bi->shape[3] == 1);
    CHECK(bi && finn_tensor_get(bi, 0) == 0.25 && finn_tensor_get(bi, 1) == -1.5);
    check_same_outputs(before, m, 5, -2, 2, 1e-6);
    finn_model_free(before);
    finn_model_free(m);
}

/* step_tidy_up on a small model: Constant folded, names, datatypes. */
static void test_tidy_up_small(void)
{
    int64_t sx[2] = {1, 2};
    finn_model *m = new_model(2, sx, 2, sx, 13);
    set_scalar(m, "a", 3.0f);
    set_scalar(m, "b", 4.0f);
    add_node(m, "Mul", "", INS("a", "b"), "ab"); /* constant: folds to 12 */
    add_node(m, "Add", "", INS("x", "ab"), "t");
    add_node(m, "Relu", "", INS("t"), "y");
    finn_model *before = clone(m);
    finn_error err = {0};
    CHECK(run_step("step_tidy_up", &m, &err) == 0);
    CHECK_STR(ops(m), "Add,Relu");
    CHECK_STR(m->nodes[0]->name, "Add_0");
    CHECK_STR(m->nodes[1]->name, "Relu_0");
    CHECK_STR(m->inputs[0], "global_in");
    CHECK_STR(m->outputs[0], "global_out");
    CHECK_STR(m->nodes[0]->inputs[1], "Add_0_param0");
    CHECK_STR(m->nodes[0]->outputs[0], "Add_0_out0");
    check_scalar_input(m, m->nodes[0], 1, 12.0f);
    CHECK_STR(dtname(m, "Add_0_out0"), "FLOAT32");
    check_same_outputs(before, m, 5, -20, 20, 0.0);
    finn_model_free(before);
    finn_model_free(m);
}

/* custom_step_add_pre_proc: Div(x, 255) in front, input annotated UINT8. */
static void test_pre_proc(void)
{
    int64_t sx[4] = {1, 1, 2, 2};
    finn_model *m = new_model(4, sx, 4, sx, 13);
    const float s = 1.0f / 8;
    add_quant(m, "x", "y", 0, NULL, &s, 4, 1, 0);
    finn_model *before = clone(m);
    finn_error err = {0};
    CHECK(run_step("custom_step_add_pre_proc", &m, &err) == 0);
    CHECK_STR(ops(m), "Div,Quant");
    CHECK_STR(m->inputs[0], "global_in");
    CHECK_STR(dtname(m, m->inputs[0]), "UINT8");
    CHECK_STR(m->nodes[0]->inputs[0], "global_in");
    check_scalar_input(m, m->nodes[0], 1, 255.0f);
    /* raw pixels p give the same as the original model on p / 255 */
    finn_tensor *p = random_input(m, 0, 0);
    for (size_t i = 0; i < 4; i++)
        ((float *)p->data)[i] = (float)(i * 60 + 7);
    finn_tensor *x = finn_tensor_copy(p, &err);
    for (size_t i = 0; i < 4; i++)
        ((float *)x->data)[i] /= 255.0f;
    finn_tensor *ya = exec1(before, x), *yb = exec1(m, p);
    CHECK(ya && yb);
    for (size_t i = 0; ya && yb && i < 4; i++)
        CHECK_EQ_DBL(finn_tensor_get(yb, i), finn_tensor_get(ya, i));
    finn_tensor_free(ya);
    finn_tensor_free(yb);
    finn_tensor_free(x);
    finn_tensor_free(p);
    finn_model_free(before);
    finn_model_free(m);
}

/* ================================== corpus ================================== */

static finn_model *load_corpus(const char *shared, const char *rel)
{
    char path[4096];
    snprintf(path, sizeof path, "%s/corpus/%s", shared, rel);
    finn_error err = {0};
    finn_model *m = NULL;
    if (finn_model_load(path, &m, &err)) {
        fprintf(stderr, "%s\n", err.msg);
        CHECK(0);
        return NULL;
    }
    return m;
}

static finn_tensor *load_npy(const char *shared, const char *rel)
{
    char path[4096];
    snprintf(path, sizeof path, "%s/corpus/%s", shared, rel);
    finn_error err = {0};
    finn_tensor *t = NULL;
    if (finn_npy_read(path, &t, &err)) {
        fprintf(stderr, "%s\n", err.msg);
        CHECK(0);
    }
    return t;
}

/* Run m on each MNIST sample (batch 1) and compare with expected rows. */
static void check_mnist(const finn_model *m, const finn_tensor *in, const finn_tensor *expected,
                        double atol)
{
    finn_error err = {0};
    int64_t shape[4] = {1, 1, 28, 28};
    for (int64_t b = 0; b < 4; b++) {
        finn_tensor *x = finn_tensor_new(FINN_ELEM_FLOAT, 4, shape, &err);
        memcpy(x->data, (const float *)in->data + b * 784, 784 * sizeof(float));
        finn_tensor *y = exec1(m, x);
        CHECK(y && finn_tensor_numel(y) == 10);
        double d = 0;
        for (size_t i = 0; y && i < 10; i++) {
            double e = fabs(finn_tensor_get(y, i) - finn_tensor_get(expected, (size_t)b * 10 + i));
            d = e > d ? e : d;
        }
        CHECK_NEAR(d, 0.0, atol);
        finn_tensor_free(y);
        finn_tensor_free(x);
    }
}

/* The MultiThresholds of a converted 2-bit TFC: INT2, {-0.5, 0.5} per
 * channel (784 channels for the input quantizer, 64 after each layer),
 * each followed by Add(-1). */
static void check_tfc_thresholds(const finn_model *m)
{
    for (int k = 0; k < 4; k++) {
        const finn_node *mt = nth_op(m, "MultiThreshold", k);
        CHECK(mt != NULL);
        if (!mt)
            return;
        CHECK_STR(finn_node_attr_s(mt, "out_dtype", ""), "INT2");
        const finn_tensor *t = init_of(m, mt, 1);
        int64_t rows = k == 0 ? 784 : 64;
        CHECK(t && t->ndim == 2 && t->shape[0] == rows && t->shape[1] == 2);
        bool all = t != NULL;
        for (int64_t r = 0; t && r < rows; r++)
            all &= finn_tensor_get(t, (size_t)r * 2) == -0.5 &&
                   finn_tensor_get(t, (size_t)r * 2 + 1) == 0.5;
        CHECK(all);
        finn_node *add = finn_model_single_consumer(m, mt->outputs[0]);
        CHECK(add && !strcmp(add->op_type, "Add"));
        if (add)
            check_scalar_input(m, add, 1, -1.0f);
    }
}

static void test_brevitas_tfc(const char *shared, const char *variant)
{
    char rel[256], exp_rel[256];
    snprintf(rel, sizeof rel, "derived/brevitas_tfc_%s_untrained_s1.onnx", variant);
    snprintf(exp_rel, sizeof exp_rel, "derived/brevitas_tfc_%s_untrained_s1_mnist4_expected_out.npy",
             variant);
    finn_model *orig = load_corpus(shared, rel);
    finn_tensor *in = load_npy(shared, "derived/mnist4_input_0to1.npy");
    finn_tensor *expected = load_npy(shared, exp_rel);
    if (!orig || !in || !expected)
        goto out;
    finn_model *m = clone(orig);
    finn_error err = {0};
    CHECK(run_step("step_qonnx_to_finn", &m, &err) == 0);
    if (err.msg[0])
        fprintf(stderr, "%s: %s\n", variant, err.msg);
    bool w1a1 = !strcmp(variant, "1w1a");
    if (w1a1) {
        /* BipolarQuant only: converted too (finn-run's gate counts it) */
        CHECK_STR(ops(m), "Reshape,Mul,Sub,MultiThreshold,MatMul,BatchNormalization,"
                          "MultiThreshold,MatMul,BatchNormalization,MultiThreshold,MatMul,"
                          "BatchNormalization,MultiThreshold,MatMul,Div");
    } else {
        CHECK_STR(ops(m), "Reshape,Mul,Sub,MultiThreshold,Add,MatMul,BatchNormalization,"
                          "MultiThreshold,Add,MatMul,BatchNormalization,MultiThreshold,Add,"
                          "MatMul,BatchNormalization,MultiThreshold,Add,MatMul,Div");
        check_tfc_thresholds(m);
        const char *wdt = !strcmp(variant, "2w2a") ? "INT2" : "BIPOLAR";
        for (int k = 0; k < 4; k++) {
            const finn_node *mm = nth_op(m, "MatMul", k);
            CHECK_STR(dtname(m, mm->inputs[1]), wdt);
            const finn_tensor *w = init_of(m, mm, 1);
            bool ok = w != NULL;
            for (size_t i = 0; w && i < finn_tensor_numel(w); i++) {
                double v = finn_tensor_get(w, i);
                ok &= v == -1 || v == 1 || (v == 0 && wdt[0] == 'I');
            }
            CHECK(ok);
        }
        /* the identity Sub(0)/Mul(1)/Add(0) of the TensorNorm are gone */
        CHECK_STR(m->nodes[m->n_nodes - 1]->outputs[0], "global_out");
    }
    /* execution: the same logits as the QONNX model and as FINN */
    check_mnist(m, in, expected, 1e-4);
    check_same_outputs(orig, m, 4, 0, 1, 1e-5);

    finn_model *conv = clone(m);
    CHECK(run_step("step_tidy_up", &m, &err) == 0);
    if (err.msg[0])
        fprintf(stderr, "%s tidy: %s\n", variant, err.msg);
    CHECK_STR(m->inputs[0], "global_in");
    CHECK_STR(m->outputs[0], "global_out");
    CHECK_STR(m->nodes[0]->name, "Reshape_0");
    if (!w1a1) {
        const finn_node *mt = nth_op(m, "MultiThreshold", 2);
        CHECK_STR(mt->name, "MultiThreshold_2");
        CHECK_STR(mt->inputs[1], "MultiThreshold_2_param0");
        CHECK_STR(dtname(m, "MultiThreshold_2_out0"), "INT2");
        CHECK_STR(dtname(m, "Add_2_out0"), "FLOAT32");
        CHECK_STR(nth_op(m, "MatMul", 1)->inputs[1], "MatMul_1_param0");
    } else {
        CHECK_STR(dtname(m, "MultiThreshold_0_out0"), "BIPOLAR");
        CHECK_STR(dtname(m, "MatMul_0_out0"), "INT32");
    }
    check_mnist(m, in, expected, 1e-4);
    check_same_outputs(conv, m, 4, 0, 1, 0.0);
    finn_model_free(conv);
    finn_model_free(m);
out:
    finn_model_free(orig);
    finn_tensor_free(in);
    finn_tensor_free(expected);
}

static void test_zoo_tfc(const char *shared, const char *variant)
{
    char rel[256], exp_rel[256];
    snprintf(rel, sizeof rel, "qonnx_model_zoo/TFC/TFC_%s.onnx", variant);
    snprintf(exp_rel, sizeof exp_rel, "derived/zoo_TFC_%s_mnist4_expected_out.npy", variant);
    finn_model *orig = load_corpus(shared, rel);
    finn_tensor *in = load_npy(shared, "derived/mnist4_input_0to1.npy");
    finn_tensor *expected = load_npy(shared, exp_rel);
    if (!orig || !in || !expected)
        goto out;
    finn_model *m = clone(orig);
    finn_error err = {0};
    int rc = run_step("step_qonnx_to_finn", &m, &err);
    if (rc == 0)
        rc = run_step("step_tidy_up", &m, &err);
    CHECK_EQ_INT(rc, 0);
    if (rc) {
        fprintf(stderr, "zoo %s: %s\n", variant, err.msg);
    } else if (strcmp(variant, "1W1A")) {
        /* the dynamic flatten, the weight Transposes and TensorNorm's Pow fold away */
        CHECK_STR(ops(m), "Reshape,Mul,Sub,MultiThreshold,Add,MatMul,BatchNormalization,"
                          "MultiThreshold,Add,MatMul,BatchNormalization,MultiThreshold,Add,"
                          "MatMul,BatchNormalization,MultiThreshold,Add,MatMul,Sub,Div,Mul,Add");
        check_tfc_thresholds(m);
        CHECK_STR(nth_op(m, "MultiThreshold", 0)->domain, "qonnx.custom_op.general");
        check_mnist(m, in, expected, 1e-4);
    } else {
        CHECK_STR(ops(m), "Reshape,Mul,Sub,MultiThreshold,MatMul,BatchNormalization,"
                          "MultiThreshold,MatMul,BatchNormalization,MultiThreshold,MatMul,"
                          "BatchNormalization,MultiThreshold,MatMul,Sub,Div,Mul,Add");
        CHECK_STR(dtname(m, "MultiThreshold_3_out0"), "BIPOLAR");
        check_mnist(m, in, expected, 1e-4);
    }
    finn_model_free(m);
out:
    finn_model_free(orig);
    finn_tensor_free(in);
    finn_tensor_free(expected);
}

/* The steps run the builder's verification when the config asks for it. */
static void test_verification(const char *shared)
{
    finn_error err = {0};
    finn_config *cfg = finn_config_new(&err);
    char in[4096], exp[4096], dir[4096];
    snprintf(in, sizeof in, "%s/corpus/derived/mnist4_input_0to1.npy", shared);
    snprintf(exp, sizeof exp, "%s/corpus/derived/brevitas_tfc_2w2a_untrained_s1_mnist4_expected_out.npy",
             shared);
    snprintf(dir, sizeof dir, "%s/verify", test_tmpdir());
    CHECK(finn_config_set(cfg, "verify_steps", "[finn_onnx_python, initial_python]", &err) == 0);
    CHECK(finn_config_set(cfg, "verify_input_npy", in, &err) == 0);
    CHECK(finn_config_set(cfg, "verify_expected_output_npy", exp, &err) == 0);
    finn_model *m = load_corpus(shared, "derived/brevitas_tfc_2w2a_untrained_s1.onnx");
    if (m) {
        CHECK(run_step_cfg("step_qonnx_to_finn", &m, cfg, dir, &err) == 0);
        CHECK(run_step_cfg("step_tidy_up", &m, cfg, dir, &err) == 0);
        struct stat st;
        char path[8192];
        for (int b = 0; b < 4; b++) {
            snprintf(path, sizeof path, "%s/verification_output/verify_qonnx_to_finn_python_%d_SUCCESS.npy",
                     dir, b);
            CHECK(stat(path, &st) == 0);
            snprintf(path, sizeof path, "%s/verification_output/verify_initial_python_%d_SUCCESS.npy",
                     dir, b);
            CHECK(stat(path, &st) == 0);
        }
    }
    finn_model_free(m);
    finn_config_free(cfg);
}

int main(void)
{
    g_reg = load_registry();
    finn_error err = {0};
    g_cfg = finn_config_new(&err);

    const finn_step_desc *d = finn_registry_step(g_reg, "step_qonnx_to_finn");
    CHECK(d && d->summary && d->doc);
    CHECK_STR(finn_registry_step_plugin(g_reg, "step_tidy_up"), "frontend");

    test_fold_weights_unit_scale();
    test_fold_weights_scaled(0);
    test_fold_weights_scaled(1);
    test_fold_weights_per_channel_and_add();
    test_identity_2bit_narrow();
    test_identity_8bit_wide();
    test_relu_handler();
    test_bipolar_activation();
    test_bit_width_filter();
    test_gemm_to_matmul(1.0f);
    test_gemm_to_matmul(2.0f);
    test_extract_conv_bias();
    test_tidy_up_small();
    test_pre_proc();

    const char *shared = test_shared_dir();
    if (shared) {
        test_brevitas_tfc(shared, "1w1a");
        test_brevitas_tfc(shared, "1w2a");
        test_brevitas_tfc(shared, "2w2a");
        test_zoo_tfc(shared, "1W1A");
        test_zoo_tfc(shared, "1W2A");
        test_zoo_tfc(shared, "2W2A");
        test_verification(shared);
    } else {
        printf("note: shared corpus absent, corpus parts skipped\n");
    }
    finn_config_free(g_cfg);
    finn_registry_free(g_reg);
    return test_done();
}
