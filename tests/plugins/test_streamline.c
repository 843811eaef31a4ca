/*
 * test_streamline.c - the streamline plugin: every rewrite on a small
 * hand-built model (exact resulting graph and constants, and the model
 * executed before and after on seeded random inputs), and step_streamline
 * on FINN's build_dataflow TFC-w1a1 model from the shared corpus.
 *
 * The rewrites are private to streamline.so; the plugin exports
 * sl_rewrite_find/sl_transform for this test (looked up with dlsym).
 */
#include "test.h"

#include <dlfcn.h>
#include <finn/plugin.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "builder_priv.h"
#include "streamline/sl.h"

static finn_registry *reg;
static const sl_rewrite *(*rw_find)(const char *);
static int (*rw_transform)(const finn_registry *, finn_model *, const sl_rewrite *,
                           finn_error *);

/* ---- setup ------------------------------------------------------------------ */

static int setup(void)
{
    finn_error err = {0};
    reg = finn_registry_new(&err);
    if (!reg || finn_plugin_load_default(reg, &err)) {
        fprintf(stderr, "plugins: %s\n", err.msg);
        return -1;
    }
    char path[4096];
    snprintf(path, sizeof path, "%s/streamline.so",
             test_env("FINN_PLUGIN_DIR", finn_plugin_default_dir()));
    void *h = dlopen(path, RTLD_NOW);
    if (!h) {
        fprintf(stderr, "dlopen %s: %s\n", path, dlerror());
        return -1;
    }
    *(void **)&rw_find = dlsym(h, "sl_rewrite_find");
    *(void **)&rw_transform = dlsym(h, "sl_transform");
    /* the registry keeps the plugin loaded; this reference is dropped */
    dlclose(h);
    return rw_find && rw_transform ? 0 : -1;
}

/* Apply one rewrite as model.transform() does. */
static int run(finn_model *m, const char *name)
{
    finn_error err = {0};
    const sl_rewrite *rw = rw_find(name);
    if (!rw) {
        fprintf(stderr, "no rewrite %s\n", name);
        return -1;
    }
    int rc = rw_transform(reg, m, rw, &err);
    if (rc)
        fprintf(stderr, "%s: %s\n", name, err.msg);
    return rc;
}

/* ---- model building ------------------------------------------------------------ */

static finn_model *model_new(const char *in, int nd, const int64_t *shape, int opset)
{
    finn_error err = {0};
    finn_model *m = finn_model_new("g", &err);
    m->inputs = malloc(sizeof(char *));
    m->inputs[0] = strdup(in);
    m->n_inputs = 1;
    m->outputs = malloc(sizeof(char *));
    m->outputs[0] = strdup("out");
    m->n_outputs = 1;
    finn_model_set_shape(m, in, FINN_ELEM_FLOAT, nd, shape, &err);
    finn_model_set_opset(m, "", opset, &err);
    finn_model_set_opset(m, SL_QONNX_DOMAIN, 1, &err);
    return m;
}

/* Append op(in0[, in1]) -> out. */
static finn_node *add(finn_model *m, const char *op, const char *in0, const char *in1,
                      const char *out)
{
    finn_error err = {0};
    bool qonnx = !strcmp(op, "MultiThreshold") || !strcmp(op, "MaxPoolNHWC");
    finn_node *n = finn_node_new(op, qonnx ? SL_QONNX_DOMAIN : "", "", &err);
    finn_node_add_input(n, in0, &err);
    if (in1)
        finn_node_add_input(n, in1, &err);
    finn_node_add_output(n, out, &err);
    finn_model_insert_node(m, m->n_nodes, n, &err);
    return n;
}

static void init(finn_model *m, const char *name, int nd, const int64_t *shape,
                 const float *vals)
{
    finn_error err = {0};
    finn_tensor *t = finn_tensor_new(FINN_ELEM_FLOAT, nd, shape, &err);
    memcpy(t->data, vals, finn_tensor_nbytes(t));
    finn_model_set_initializer(m, name, t, &err);
}

static void set_dt(finn_model *m, const char *name, const char *dt)
{
    finn_error err = {0};
    finn_datatype d;
    finn_dt_parse(dt, &d, &err);
    finn_model_set_datatype(m, name, d, &err);
}

/* Shapes and datatypes, as the tidy-up before streamlining gives them. */
static int tidy(finn_model *m)
{
    finn_error err = {0};
    int rc = finn_infer_shapes(reg, m, &err) || finn_infer_datatypes(reg, m, &err) ||
             finn_give_unique_node_names(m, &err);
    if (rc)
        fprintf(stderr, "tidy: %s\n", err.msg);
    return rc ? -1 : 0;
}

/* "Mul,Add,MultiThreshold" */
static const char *ops(const finn_model *m)
{
    static char buf[4096];
    buf[0] = 0;
    for (size_t i = 0; i < m->n_nodes; i++) {
        if (i)
            strncat(buf, ",", sizeof buf - strlen(buf) - 1);
        strncat(buf, m->nodes[i]->op_type, sizeof buf - strlen(buf) - 1);
    }
    return buf;
}

/* Initializer of input k of node i (NULL if none). */
static const finn_tensor *param(const finn_model *m, size_t i, size_t k)
{
    if (i >= m->n_nodes || k >= m->nodes[i]->n_inputs)
        return NULL;
    return finn_model_initializer(m, m->nodes[i]->inputs[k]);
}

static bool values_are(const finn_tensor *t, const float *v, size_t n)
{
    if (!t || finn_tensor_numel(t) != n) {
        fprintf(stderr, "  tensor has %zu values, expected %zu\n", t ? finn_tensor_numel(t) : 0,
                n);
        return false;
    }
    for (size_t i = 0; i < n; i++)
        if (finn_tensor_get(t, i) != (double)v[i]) {
            fprintf(stderr, "  value %zu: %.9g != %.9g\n", i, finn_tensor_get(t, i), (double)v[i]);
            return false;
        }
    return true;
}

static bool shape_is(const finn_tensor *t, int nd, const int64_t *s)
{
    return t && finn_shape_equal(t->ndim, t->shape, nd, s);
}

static const char *dt_of(const finn_model *m, const char *name)
{
    static char buf[FINN_DT_NAME_MAX];
    if (!finn_model_has_datatype(m, name))
        return "(none)";
    return finn_dt_name(finn_model_datatype(m, name), buf, sizeof buf);
}

/* ---- execution before/after ------------------------------------------------------- */

static uint64_t rng_state;
static double rnd(void) /* xorshift64*, uniform in [0, 1) */
{
    rng_state ^= rng_state >> 12;
    rng_state ^= rng_state << 25;
    rng_state ^= rng_state >> 27;
    return (double)((rng_state * 2685821657736338717ULL) >> 11) / 9007199254740992.0;
}

typedef enum { IN_FLOAT, IN_INT } in_kind;

/* Random input for graph input 0: floats in [lo, hi) or integers in [lo, hi]. */
static finn_tensor *random_input(const finn_model *m, in_kind kind, double lo, double hi)
{
    finn_error err = {0};
    const finn_value *v = finn_model_value(m, m->inputs[0]);
    finn_tensor *t = finn_tensor_new(FINN_ELEM_FLOAT, v->ndim, v->shape, &err);
    for (size_t i = 0; i < finn_tensor_numel(t); i++) {
        double r = rnd();
        double x = kind == IN_INT ? lo + (double)(int64_t)(r * (hi - lo + 1)) : lo + r * (hi - lo);
        finn_tensor_set(t, i, x);
    }
    return t;
}

/* Output `name` (graph output 0 if NULL) of m on input x (copied). */
static finn_tensor *execute(const finn_model *m, const finn_tensor *x, const char *name)
{
    finn_error err = {0};
    finn_exec_ctx *ctx = finn_exec_ctx_new(&err);
    finn_exec_ctx_set(ctx, m->inputs[0], finn_tensor_copy(x, &err), &err);
    finn_tensor *out = NULL;
    if (finn_execute(reg, m, ctx, &err))
        fprintf(stderr, "execute: %s\n", err.msg);
    else
        out = finn_exec_ctx_take(ctx, name ? name : m->outputs[0]);
    finn_exec_ctx_free(ctx);
    return out;
}

/* Max |a - b| over same-shaped tensors; INFINITY when shapes differ or missing. */
static double max_diff(const finn_tensor *a, const finn_tensor *b)
{
    if (!a || !b || finn_tensor_numel(a) != finn_tensor_numel(b))
        return INFINITY;
    double d = 0;
    for (size_t i = 0; i < finn_tensor_numel(a); i++) {
        double e = fabs(finn_tensor_get(a, i) - finn_tensor_get(b, i));
        if (!(e <= d))
            d = e;
    }
    return d;
}

/* Run `before` and `after` on `trials` seeded random inputs; returns the
 * largest output difference. */
static double compare(const finn_model *before, const finn_model *after, in_kind kind, double lo,
                      double hi, int trials)
{
    double worst = 0;
    rng_state = 0x9E3779B97F4A7C15ULL;
    for (int t = 0; t < trials; t++) {
        finn_tensor *x = random_input(before, kind, lo, hi);
        finn_tensor *ya = execute(before, x, NULL), *yb = execute(after, x, NULL);
        double d = max_diff(ya, yb);
        if (!(d <= worst))
            worst = d;
        finn_tensor_free(x);
        finn_tensor_free(ya);
        finn_tensor_free(yb);
    }
    return worst;
}

/* Clone, transform with `rw`, and return the transformed copy. */
static finn_model *transformed(const finn_model *m, const char *rw)
{
    finn_error err = {0};
    finn_model *c = finn_model_clone(m, &err);
    if (!c || run(c, rw)) {
        finn_model_free(c);
        return NULL;
    }
    return c;
}

/* ==== per-rewrite cases ============================================================ */

/* x(1,4) -> Sub(1.5) -> Div(4) -> out  ==>  Add(-1.5) -> Mul(0.25) */
static void test_sub_div(void)
{
    int64_t s[2] = {1, 4}, one = 1;
    finn_model *m = model_new("x", 2, s, 13);
    add(m, "Sub", "x", "a", "t");
    add(m, "Div", "t", "b", "out");
    init(m, "a", 1, &one, (float[]){1.5f});
    init(m, "b", 1, &one, (float[]){4.0f});
    CHECK(tidy(m) == 0);
    finn_model *r = transformed(m, "ConvertSubToAdd");
    CHECK(r && run(r, "ConvertDivToMul") == 0);
    if (r) {
        CHECK_STR(ops(r), "Add,Mul");
        CHECK(values_are(param(r, 0, 1), (float[]){-1.5f}, 1));
        CHECK(values_are(param(r, 1, 1), (float[]){0.25f}, 1));
        /* (x - 1.5) / 4 == (x + -1.5) * 0.25 exactly: 0.25 is a power of 2 */
        CHECK_EQ_DBL(compare(m, r, IN_FLOAT, -10, 10, 5), 0);
    }
    finn_model_free(r);
    finn_model_free(m);
}

/* BN with epsilon 0: A = gamma / sqrt(var) = [2/2, -1/0.5] = [1, -2],
 * B = beta - A*mean = [1 - 1*0.5, 0.5 - (-2)*1] = [0.5, 2.5]. */
static void test_batchnorm(void)
{
    int64_t s[4] = {1, 2, 2, 2}, c = 2;
    finn_model *m = model_new("x", 4, s, 13);
    finn_node *bn = add(m, "BatchNormalization", "x", "g", "out");
    finn_error err = {0};
    finn_node_add_input(bn, "beta", &err);
    finn_node_add_input(bn, "mean", &err);
    finn_node_add_input(bn, "var", &err);
    finn_node_set_attr_f(bn, "epsilon", 0.0f, &err);
    init(m, "g", 1, &c, (float[]){2, -1});
    init(m, "beta", 1, &c, (float[]){1, 0.5f});
    init(m, "mean", 1, &c, (float[]){0.5f, 1});
    init(m, "var", 1, &c, (float[]){4, 0.25f});
    CHECK(tidy(m) == 0);
    finn_model *r = transformed(m, "BatchNormToAffine");
    if (r) {
        int64_t ps[4] = {1, 2, 1, 1};
        CHECK_STR(ops(r), "Mul,Add");
        CHECK(shape_is(param(r, 0, 1), 4, ps) && shape_is(param(r, 1, 1), 4, ps));
        CHECK(values_are(param(r, 0, 1), (float[]){1, -2}, 2));
        CHECK(values_are(param(r, 1, 1), (float[]){0.5f, 2.5f}, 2));
        CHECK_STR(r->nodes[0]->inputs[0], "x");
        CHECK_STR(r->nodes[1]->outputs[0], "out");
        CHECK(compare(m, r, IN_FLOAT, -4, 4, 5) < 1e-5);
    }
    CHECK(r != NULL);
    finn_model_free(r);
    finn_model_free(m);
}

/* Unsqueeze -> BN -> Squeeze (the TFC pattern, opset 11 axes attributes):
 * both are swallowed and A/B get shape (1, C). */
static void test_batchnorm_squeeze(void)
{
    int64_t s[2] = {1, 3}, c = 3, ax = 2;
    finn_model *m = model_new("x", 2, s, 11);
    finn_error err = {0};
    finn_node *u = add(m, "Unsqueeze", "x", NULL, "u");
    finn_node_set_attr_ints(u, "axes", &ax, 1, &err);
    finn_node *bn = add(m, "BatchNormalization", "u", "g", "b");
    finn_node_add_input(bn, "beta", &err);
    finn_node_add_input(bn, "mean", &err);
    finn_node_add_input(bn, "var", &err);
    finn_node *q = add(m, "Squeeze", "b", NULL, "out");
    finn_node_set_attr_ints(q, "axes", &ax, 1, &err);
    init(m, "g", 1, &c, (float[]){1, 2, 3});
    init(m, "beta", 1, &c, (float[]){0, 1, -1});
    init(m, "mean", 1, &c, (float[]){1, 0, 2});
    init(m, "var", 1, &c, (float[]){1, 4, 9});
    CHECK(tidy(m) == 0);
    finn_model *r = transformed(m, "BatchNormToAffine");
    if (r) {
        int64_t ps[2] = {1, 3};
        CHECK_STR(ops(r), "Mul,Add");
        CHECK(shape_is(param(r, 0, 1), 2, ps));
        CHECK_STR(r->nodes[0]->inputs[0], "x");
        /* eps 1e-5 (default): only check execution closeness */
        CHECK(compare(m, r, IN_FLOAT, -4, 4, 5) < 1e-5);
    }
    CHECK(r != NULL);
    finn_model_free(r);
    finn_model_free(m);
}

/* Sign -> Mul(3)  ==>  MultiThreshold(T=[[0]], scale 2, bias -1, BIPOLAR) -> Mul */
static void test_sign_to_thres(void)
{
    int64_t s[2] = {1, 6}, one = 1;
    finn_model *m = model_new("x", 2, s, 13);
    add(m, "Sign", "x", NULL, "t");
    add(m, "Mul", "t", "a", "out");
    init(m, "a", 1, &one, (float[]){3});
    CHECK(tidy(m) == 0);
    finn_model *r = transformed(m, "ConvertSignToThres");
    if (r) {
        CHECK_STR(ops(r), "MultiThreshold,Mul");
        const finn_node *mt = r->nodes[0];
        CHECK_STR(mt->domain, SL_QONNX_DOMAIN);
        CHECK_EQ_DBL(finn_node_attr_f(mt, "out_scale", 0), 2);
        CHECK_EQ_DBL(finn_node_attr_f(mt, "out_bias", 0), -1);
        CHECK_STR(finn_node_attr_s(mt, "out_dtype", ""), "BIPOLAR");
        int64_t ts[2] = {1, 1};
        CHECK(shape_is(param(r, 0, 1), 2, ts) && values_are(param(r, 0, 1), (float[]){0}, 1));
        CHECK_STR(dt_of(r, mt->outputs[0]), "BIPOLAR");
        /* random floats are never exactly 0, where Sign and MT differ */
        CHECK_EQ_DBL(compare(m, r, IN_FLOAT, -1, 1, 5), 0);
    }
    CHECK(r != NULL);
    finn_model_free(r);
    finn_model_free(m);
}

/* Mul(2, shape (1,1)) -> Reshape([1,-1])  ==>  Reshape -> Mul(2 as 0-d) */
static void test_scalar_linear_past_invariants(void)
{
    int64_t s[3] = {1, 2, 3}, ps[2] = {1, 1}, two = 2;
    finn_model *m = model_new("x", 3, s, 13);
    add(m, "Mul", "x", "a", "t");
    add(m, "Reshape", "t", "shape", "out");
    init(m, "a", 2, ps, (float[]){2});
    finn_error err = {0};
    finn_tensor *sh = finn_tensor_new(FINN_ELEM_INT64, 1, &two, &err);
    ((int64_t *)sh->data)[0] = 1;
    ((int64_t *)sh->data)[1] = -1;
    finn_model_set_initializer(m, "shape", sh, &err);
    CHECK(tidy(m) == 0);
    set_dt(m, "t", "INT8"); /* the Mul output annotation moves to the new output */
    finn_model *r = transformed(m, "MoveScalarLinearPastInvariants");
    if (r) {
        CHECK_STR(ops(r), "Reshape,Mul");
        CHECK_EQ_INT(param(r, 1, 1) ? param(r, 1, 1)->ndim : -1, 0);
        CHECK(values_are(param(r, 1, 1), (float[]){2}, 1));
        CHECK_STR(r->nodes[0]->inputs[0], "x");
        CHECK_STR(r->nodes[1]->outputs[0], "out");
        /* the moved Mul's output took t's INT8, then InferDataTypes redid it */
        CHECK_STR(dt_of(r, "out"), "FLOAT32");
        CHECK_EQ_DBL(compare(m, r, IN_INT, -3, 3, 5), 0);
    }
    CHECK(r != NULL);
    finn_model_free(r);
    finn_model_free(m);
}

/* Add(B=[1,2,3]) -> Mul(A=[2,0.5,-1])  ==>  Mul(A) -> Add(B*A = [2,1,-3]) */
static void test_add_past_mul(void)
{
    int64_t s[2] = {1, 3}, c = 3;
    finn_model *m = model_new("x", 2, s, 13);
    add(m, "Add", "x", "b", "t");
    add(m, "Mul", "t", "a", "out");
    init(m, "b", 1, &c, (float[]){1, 2, 3});
    init(m, "a", 1, &c, (float[]){2, 0.5f, -1});
    CHECK(tidy(m) == 0);
    finn_model *r = transformed(m, "MoveAddPastMul");
    if (r) {
        CHECK_STR(ops(r), "Mul,Add");
        CHECK(values_are(param(r, 0, 1), (float[]){2, 0.5f, -1}, 3));
        CHECK(values_are(param(r, 1, 1), (float[]){2, 1, -3}, 3));
        /* node names travel with the ops: the Mul keeps the old Mul's name */
        CHECK_STR(r->nodes[0]->name, "Mul_0");
        CHECK_STR(r->nodes[1]->name, "Add_0");
        CHECK(compare(m, r, IN_FLOAT, -5, 5, 5) < 1e-5);
    }
    CHECK(r != NULL);
    finn_model_free(r);
    finn_model_free(m);
}

static const float W32[6] = {1, 2, 3, 4, 5, 6}; /* (3, 2) */

/* Add(2) -> MatMul(W)  ==>  MatMul -> Add(2 * column sums = [18, 24]) */
static void test_scalar_add_past_matmul(void)
{
    int64_t s[2] = {1, 3}, one = 1, ws[2] = {3, 2};
    finn_model *m = model_new("x", 2, s, 13);
    add(m, "Add", "x", "a", "t");
    add(m, "MatMul", "t", "w", "out");
    init(m, "a", 1, &one, (float[]){2});
    init(m, "w", 2, ws, W32);
    CHECK(tidy(m) == 0);
    finn_model *r = transformed(m, "MoveScalarAddPastMatMul");
    if (r) {
        int64_t as = 2;
        CHECK_STR(ops(r), "MatMul,Add");
        CHECK(shape_is(param(r, 1, 1), 1, &as));
        CHECK(values_are(param(r, 1, 1), (float[]){18, 24}, 2));
        CHECK_EQ_DBL(compare(m, r, IN_INT, -8, 8, 5), 0);
    }
    CHECK(r != NULL);
    finn_model_free(r);
    finn_model_free(m);
}

/* Mul(3) -> MatMul(W)  ==>  MatMul -> Mul(3); a non-scalar Mul stays. */
static void test_scalar_mul_past_matmul(void)
{
    int64_t s[2] = {1, 3}, one = 1, ws[2] = {3, 2}, c = 3;
    finn_model *m = model_new("x", 2, s, 13);
    add(m, "Mul", "x", "a", "t");
    add(m, "MatMul", "t", "w", "out");
    init(m, "a", 1, &one, (float[]){3});
    init(m, "w", 2, ws, W32);
    CHECK(tidy(m) == 0);
    finn_model *r = transformed(m, "MoveScalarMulPastMatMul");
    if (r) {
        CHECK_STR(ops(r), "MatMul,Mul");
        CHECK(values_are(param(r, 1, 1), (float[]){3}, 1));
        CHECK(values_are(param(r, 0, 1), W32, 6));
        CHECK_EQ_DBL(compare(m, r, IN_INT, -8, 8, 5), 0);
    }
    CHECK(r != NULL);
    finn_model_free(r);
    init(m, "a", 1, &c, (float[]){1, 2, 3});
    r = transformed(m, "MoveScalarMulPastMatMul");
    CHECK(r && !strcmp(ops(r), "Mul,MatMul"));
    finn_model_free(r);
    finn_model_free(m);
}

/* Add(1) -> Add([2,3]) -> Mul(2) -> Mul([0.5, 4]) */
static void test_collapse(void)
{
    int64_t s[2] = {1, 2}, one = 1, two = 2;
    finn_model *m = model_new("x", 2, s, 13);
    add(m, "Add", "x", "a1", "t1");
    add(m, "Add", "t1", "a2", "t2");
    add(m, "Mul", "t2", "m1", "t3");
    add(m, "Mul", "t3", "m2", "out");
    init(m, "a1", 1, &one, (float[]){1});
    init(m, "a2", 1, &two, (float[]){2, 3});
    init(m, "m1", 1, &one, (float[]){2});
    init(m, "m2", 1, &two, (float[]){0.5f, 4});
    CHECK(tidy(m) == 0);
    finn_model *r = transformed(m, "CollapseRepeatedAdd");
    CHECK(r && run(r, "CollapseRepeatedMul") == 0);
    if (r) {
        CHECK_STR(ops(r), "Add,Mul");
        CHECK(values_are(param(r, 0, 1), (float[]){3, 4}, 2));
        CHECK(values_are(param(r, 1, 1), (float[]){1, 8}, 2));
        /* the first op's parameter name survives, annotated FLOAT32 */
        CHECK_STR(r->nodes[0]->inputs[1], "a1");
        CHECK_STR(r->nodes[1]->inputs[1], "m1");
        CHECK_STR(dt_of(r, "a1"), "FLOAT32");
        CHECK_STR(dt_of(r, "out"), "FLOAT32");
        CHECK_EQ_DBL(compare(m, r, IN_INT, -8, 8, 5), 0);
    }
    finn_model_free(r);
    finn_model_free(m);
}

static finn_node *add_mt(finn_model *m, const char *in, const char *t, const char *out)
{
    finn_error err = {0};
    finn_node *n = add(m, "MultiThreshold", in, t, out);
    finn_node_set_attr_s(n, "out_dtype", "UINT4", &err);
    return n;
}

/* Add([1, -2]) -> MT(T (2,3))  ==>  MT(T - A as a column) */
static void test_absorb_add_into_mt(void)
{
    int64_t s[2] = {1, 2}, two = 2, ts[2] = {2, 3};
    finn_model *m = model_new("x", 2, s, 13);
    add(m, "Add", "x", "a", "t");
    add_mt(m, "t", "thr", "out");
    init(m, "a", 1, &two, (float[]){1, -2});
    init(m, "thr", 2, ts, (float[]){0, 1, 2, -1, 0, 1});
    CHECK(tidy(m) == 0);
    finn_model *r = transformed(m, "AbsorbAddIntoMultiThreshold");
    if (r) {
        CHECK_STR(ops(r), "MultiThreshold");
        CHECK(values_are(param(r, 0, 1), (float[]){-1, 0, 1, 1, 2, 3}, 6));
        CHECK_STR(r->nodes[0]->inputs[0], "x");
        CHECK_EQ_DBL(compare(m, r, IN_FLOAT, -4, 4, 8), 0);
    }
    CHECK(r != NULL);
    finn_model_free(r);
    finn_model_free(m);
}

/* Mul([2, 4]) -> MT(T (2,2))  ==>  MT(T / A as a column); negative A stays. */
static void test_absorb_mul_into_mt(void)
{
    int64_t s[2] = {1, 2}, two = 2, ts[2] = {2, 2};
    finn_model *m = model_new("x", 2, s, 13);
    add(m, "Mul", "x", "a", "t");
    add_mt(m, "t", "thr", "out");
    init(m, "a", 1, &two, (float[]){2, 4});
    init(m, "thr", 2, ts, (float[]){1, 3, 2, 8});
    CHECK(tidy(m) == 0);
    finn_model *r = transformed(m, "AbsorbMulIntoMultiThreshold");
    if (r) {
        CHECK_STR(ops(r), "MultiThreshold");
        CHECK(values_are(param(r, 0, 1), (float[]){0.5f, 1.5f, 0.5f, 2}, 4));
        CHECK_EQ_DBL(compare(m, r, IN_FLOAT, -4, 4, 8), 0);
    }
    CHECK(r != NULL);
    finn_model_free(r);
    init(m, "a", 1, &two, (float[]){2, -4});
    r = transformed(m, "AbsorbMulIntoMultiThreshold");
    CHECK(r && !strcmp(ops(r), "Mul,MultiThreshold"));
    finn_model_free(r);
    finn_model_free(m);
}

/* Mul([-2, 3])  ==>  Mul(sign = [-1, 1], BIPOLAR) -> Mul(|A| = [2, 3]) */
static void test_factor_out_sign(void)
{
    int64_t s[2] = {1, 2}, two = 2;
    finn_model *m = model_new("x", 2, s, 13);
    add(m, "Mul", "x", "a", "out");
    init(m, "a", 1, &two, (float[]){-2, 3});
    CHECK(tidy(m) == 0);
    finn_model *r = transformed(m, "FactorOutMulSignMagnitude");
    if (r) {
        CHECK_STR(ops(r), "Mul,Mul");
        CHECK(values_are(param(r, 0, 1), (float[]){-1, 1}, 2));
        CHECK_STR(dt_of(r, r->nodes[0]->inputs[1]), "BIPOLAR");
        CHECK(values_are(param(r, 1, 1), (float[]){2, 3}, 2));
        CHECK_STR(r->nodes[1]->inputs[1], "a");
        CHECK_EQ_DBL(compare(m, r, IN_INT, -8, 8, 5), 0);
    }
    CHECK(r != NULL);
    finn_model_free(r);
    finn_model_free(m);
}

/* MatMul(W INT8) -> Mul([1,-1] BIPOLAR)  ==>  MatMul(W * A) */
static void test_absorb_1bit_matmul(void)
{
    int64_t s[2] = {1, 3}, ws[2] = {3, 2}, two = 2;
    finn_model *m = model_new("x", 2, s, 13);
    add(m, "MatMul", "x", "w", "t");
    add(m, "Mul", "t", "a", "out");
    init(m, "w", 2, ws, W32);
    init(m, "a", 1, &two, (float[]){1, -1});
    CHECK(tidy(m) == 0);
    set_dt(m, "w", "INT8");
    set_dt(m, "a", "BIPOLAR");
    finn_model *r = transformed(m, "Absorb1BitMulIntoMatMul");
    if (r) {
        CHECK_STR(ops(r), "MatMul");
        CHECK(values_are(param(r, 0, 1), (float[]){1, -2, 3, -4, 5, -6}, 6));
        CHECK_STR(r->nodes[0]->outputs[0], "out");
        CHECK_EQ_DBL(compare(m, r, IN_INT, -8, 8, 5), 0);
    }
    CHECK(r != NULL);
    finn_model_free(r);
    /* UINT8 weights cannot hold -2: nothing happens */
    set_dt(m, "w", "UINT8");
    r = transformed(m, "Absorb1BitMulIntoMatMul");
    CHECK(r && !strcmp(ops(r), "MatMul,Mul"));
    finn_model_free(r);
    finn_model_free(m);
}

/* MT(3 thresholds, UINT2) -> Add(-2)  ==>  MT(out_bias -2, INT2); Add(-1)
 * would need max 2 in INT2: FINN's assertion, our error. */
static void test_absorb_sign_bias(void)
{
    int64_t s[2] = {1, 2}, one = 1, ts[2] = {1, 3};
    finn_model *m = model_new("x", 2, s, 13);
    finn_error err = {0};
    finn_node *mt = add_mt(m, "x", "thr", "t");
    finn_node_set_attr_s(mt, "out_dtype", "UINT2", &err);
    add(m, "Add", "t", "b", "out");
    init(m, "thr", 2, ts, (float[]){-1, 0, 1});
    init(m, "b", 1, &one, (float[]){-2});
    CHECK(tidy(m) == 0);
    finn_model *r = transformed(m, "AbsorbSignBiasIntoMultiThreshold");
    if (r) {
        CHECK_STR(ops(r), "MultiThreshold");
        CHECK_EQ_DBL(finn_node_attr_f(r->nodes[0], "out_bias", 0), -2);
        CHECK_STR(finn_node_attr_s(r->nodes[0], "out_dtype", ""), "INT2");
        CHECK_STR(r->nodes[0]->outputs[0], "out");
        CHECK_STR(dt_of(r, "out"), "INT2");
        CHECK_EQ_DBL(compare(m, r, IN_FLOAT, -2, 2, 8), 0);
    }
    CHECK(r != NULL);
    finn_model_free(r);
    init(m, "b", 1, &one, (float[]){-1});
    finn_model *c = finn_model_clone(m, &err);
    const sl_rewrite *rw = rw_find("AbsorbSignBiasIntoMultiThreshold");
    CHECK(rw_transform(reg, c, rw, &err) == -1);
    CHECK_CONTAINS(err.msg, "could not compute new MultiThreshold DataType");
    finn_model_free(c);
    finn_model_free(m);
}

/* UINT4 input: T = [-2.5, 0.5, 3.2, 20] -> ceil [-2, 1, 4, 20] -> >= 0
 * [0, 1, 4, 20] -> clip to [-1, 16]: [0, 1, 4, 16], annotated UINT4. */
static void test_round_thresholds(void)
{
    int64_t s[2] = {1, 1}, ts[2] = {1, 4};
    finn_model *m = model_new("x", 2, s, 13);
    add_mt(m, "x", "thr", "out");
    init(m, "thr", 2, ts, (float[]){-2.5f, 0.5f, 3.2f, 20});
    CHECK(tidy(m) == 0);
    set_dt(m, "x", "UINT4");
    finn_model *r = transformed(m, "RoundAndClipThresholds");
    if (r) {
        CHECK(values_are(param(r, 0, 1), (float[]){0, 1, 4, 16}, 4));
        CHECK_STR(dt_of(r, "thr"), "UINT4");
        CHECK_EQ_DBL(compare(m, r, IN_INT, 0, 15, 20), 0);
    }
    CHECK(r != NULL);
    finn_model_free(r);
    /* already integral and in range: no change, no annotation */
    init(m, "thr", 2, ts, (float[]){0, 1, 4, 9});
    finn_model_clear_datatype(m, "thr");
    r = transformed(m, "RoundAndClipThresholds");
    CHECK(r && values_are(param(r, 0, 1), (float[]){0, 1, 4, 9}, 4));
    CHECK(r && !finn_model_has_datatype(r, "thr"));
    finn_model_free(r);
    finn_model_free(m);
}

/* MT(bipolar) -> MatMul(W bipolar (4,2))  ==>  MT(BINARY) ->
 * XnorPopcountMatMul((W+1)/2) -> Mul(2) -> Add(-4) */
static void test_xnor(void)
{
    int64_t s[2] = {1, 4}, ts[2] = {1, 1}, ws[2] = {4, 2};
    finn_model *m = model_new("x", 2, s, 13);
    finn_error err = {0};
    finn_node *mt = add_mt(m, "x", "thr", "t");
    finn_node_set_attr_f(mt, "out_bias", -1, &err);
    finn_node_set_attr_s(mt, "out_dtype", "BIPOLAR", &err);
    finn_node_set_attr_f(mt, "out_scale", 2, &err);
    add(m, "MatMul", "t", "w", "out");
    init(m, "thr", 2, ts, (float[]){0});
    init(m, "w", 2, ws, (float[]){1, -1, -1, -1, 1, 1, -1, 1});
    CHECK(tidy(m) == 0);
    set_dt(m, "w", "BIPOLAR");
    CHECK_STR(dt_of(m, "t"), "BIPOLAR");
    finn_model *r = transformed(m, "ConvertBipolarMatMulToXnorPopcount");
    if (r) {
        CHECK_STR(ops(r), "MultiThreshold,XnorPopcountMatMul,Mul,Add");
        CHECK_STR(finn_node_attr_s(r->nodes[0], "out_dtype", ""), "BINARY");
        CHECK_EQ_DBL(finn_node_attr_f(r->nodes[0], "out_scale", 0), 1);
        CHECK_EQ_DBL(finn_node_attr_f(r->nodes[0], "out_bias", 7), 0);
        CHECK_STR(r->nodes[1]->domain, SL_QONNX_DOMAIN);
        CHECK(values_are(param(r, 1, 1), (float[]){1, 0, 0, 0, 1, 1, 0, 1}, 8));
        CHECK_STR(dt_of(r, r->nodes[1]->inputs[1]), "BINARY");
        CHECK_STR(dt_of(r, r->nodes[1]->inputs[0]), "BINARY");
        CHECK_STR(dt_of(r, r->nodes[1]->outputs[0]), "UINT32");
        CHECK(values_are(param(r, 2, 1), (float[]){2}, 1));
        CHECK(values_are(param(r, 3, 1), (float[]){-4}, 1));
        CHECK_EQ_DBL(compare(m, r, IN_FLOAT, -1, 1, 10), 0);
    }
    CHECK(r != NULL);
    finn_model_free(r);
    finn_model_free(m);
}

/* Mul(2) -> Add(1) -> TopK(k=1): both go; the indices are unchanged. */
static void test_topk(void)
{
    int64_t s[2] = {1, 5}, one = 1;
    finn_model *m = model_new("x", 2, s, 13);
    add(m, "Mul", "x", "a", "t1");
    add(m, "Add", "t1", "b", "t2");
    finn_error err = {0};
    finn_node *tk = add(m, "TopK", "t2", "k", "vals");
    finn_node_add_output(tk, "out", &err);
    finn_node_set_attr_i(tk, "axis", -1, &err);
    init(m, "a", 1, &one, (float[]){2});
    init(m, "b", 1, &one, (float[]){1});
    finn_tensor *k = finn_tensor_new(FINN_ELEM_INT64, 1, &one, &err);
    ((int64_t *)k->data)[0] = 1;
    finn_model_set_initializer(m, "k", k, &err);
    CHECK(tidy(m) == 0);
    finn_model *r = transformed(m, "AbsorbScalarMulAddIntoTopK");
    if (r) {
        CHECK_STR(ops(r), "TopK");
        CHECK_STR(r->nodes[0]->inputs[0], "x");
        CHECK_STR(dt_of(r, "x"), "FLOAT32");
        CHECK_EQ_DBL(compare(m, r, IN_FLOAT, -5, 5, 10), 0);
    }
    CHECK(r != NULL);
    finn_model_free(r);
    /* a negative Mul changes the order: it stays */
    init(m, "a", 1, &one, (float[]){-2});
    r = transformed(m, "AbsorbScalarMulAddIntoTopK");
    CHECK(r && !strcmp(ops(r), "Mul,TopK"));
    finn_model_free(r);
    finn_model_free(m);
}


/* ---- Conv / MaxPool / Transpose rewrites ------------------------------------------- */

static const int64_t X4[4] = {1, 2, 4, 4};

static finn_node *add_conv(finn_model *m, const char *in, const char *w, const char *out,
                           int64_t pad)
{
    finn_error err = {0};
    int64_t ks[2] = {3, 3}, st[2] = {1, 1}, pads[4] = {pad, pad, pad, pad};
    finn_node *c = add(m, "Conv", in, w, out);
    finn_node_set_attr_ints(c, "kernel_shape", ks, 2, &err);
    finn_node_set_attr_ints(c, "strides", st, 2, &err);
    finn_node_set_attr_ints(c, "pads", pads, 4, &err);
    finn_node_set_attr_i(c, "group", 1, &err);
    return c;
}

/* W (3, 2, 3, 3): W[o][c][y][x] = (o + 1) * (c ? -1 : 1) * (1 + (y*3+x) % 3) */
static void conv_weights(finn_model *m, const char *name)
{
    float w[54];
    for (int o = 0; o < 3; o++)
        for (int c = 0; c < 2; c++)
            for (int k = 0; k < 9; k++)
                w[(o * 2 + c) * 9 + k] = (float)((o + 1) * (c ? -1 : 1) * (1 + k % 3));
    int64_t ws[4] = {3, 2, 3, 3};
    init(m, name, 4, ws, w);
}

/* Mul((1,2,1,1) [2, 3]) -> MaxPool(2x2)  ==>  MaxPool -> Mul */
static void test_mul_past_maxpool(void)
{
    int64_t cs[4] = {1, 2, 1, 1}, ks[2] = {2, 2};
    finn_model *m = model_new("x", 4, X4, 13);
    finn_error err = {0};
    add(m, "Mul", "x", "a", "t");
    finn_node *mp = add(m, "MaxPool", "t", NULL, "out");
    finn_node_set_attr_ints(mp, "kernel_shape", ks, 2, &err);
    finn_node_set_attr_ints(mp, "strides", ks, 2, &err);
    init(m, "a", 4, cs, (float[]){2, 3});
    CHECK(tidy(m) == 0);
    finn_model *r = transformed(m, "MoveMulPastMaxPool");
    if (r) {
        CHECK_STR(ops(r), "MaxPool,Mul");
        CHECK_STR(r->nodes[0]->inputs[0], "x");
        CHECK_STR(r->nodes[1]->outputs[0], "out");
        CHECK_STR(dt_of(r, "out"), "FLOAT32");
        CHECK_EQ_DBL(compare(m, r, IN_FLOAT, -4, 4, 5), 0);
    }
    CHECK(r != NULL);
    finn_model_free(r);
    init(m, "a", 4, cs, (float[]){2, -3}); /* a negative factor stays */
    r = transformed(m, "MoveMulPastMaxPool");
    CHECK(r && !strcmp(ops(r), "Mul,MaxPool"));
    finn_model_free(r);
    finn_model_free(m);
}

/* Add(1.5) -> Conv(no pads)  ==>  Conv -> Add(1.5 * sum of W[o]):
 * sum over c, y, x of W[o] = (o+1) * (1 - 1) * ... = 0, so use a channel-wise
 * A = [1, 2]: A'[o] = (o+1) * (1*6*3... ) computed below. */
static void test_add_past_conv(void)
{
    int64_t cs[4] = {1, 2, 1, 1};
    finn_model *m = model_new("x", 4, X4, 13);
    add(m, "Add", "x", "a", "t");
    add_conv(m, "t", "w", "out", 0);
    conv_weights(m, "w");
    init(m, "a", 4, cs, (float[]){1, 2});
    CHECK(tidy(m) == 0);
    finn_model *r = transformed(m, "MoveAddPastConv");
    if (r) {
        int64_t os[4] = {1, 3, 1, 1};
        CHECK_STR(ops(r), "Conv,Add");
        /* per kernel sum over (y,x) of (1 + k%3) = 3 * (1+2+3) = 18;
         * A'[o] = (o+1) * (1*18 - 2*18) = -18 (o+1) */
        CHECK(shape_is(param(r, 1, 1), 4, os));
        CHECK(values_are(param(r, 1, 1), (float[]){-18, -36, -54}, 3));
        CHECK_EQ_DBL(compare(m, r, IN_INT, -4, 4, 5), 0);
    }
    CHECK(r != NULL);
    finn_model_free(r);
    finn_model_free(m);
    /* with padding the border differs: nothing moves */
    m = model_new("x", 4, X4, 13);
    add(m, "Add", "x", "a", "t");
    add_conv(m, "t", "w", "out", 1);
    conv_weights(m, "w");
    init(m, "a", 4, cs, (float[]){1, 2});
    CHECK(tidy(m) == 0);
    r = transformed(m, "MoveAddPastConv");
    CHECK(r && !strcmp(ops(r), "Add,Conv"));
    finn_model_free(r);
    finn_model_free(m);
}

/* Mul(3) -> Conv  ==>  Conv -> Mul(3) */
static void test_scalar_mul_past_conv(void)
{
    int64_t one = 1;
    finn_model *m = model_new("x", 4, X4, 13);
    add(m, "Mul", "x", "a", "t");
    add_conv(m, "t", "w", "out", 1);
    conv_weights(m, "w");
    init(m, "a", 1, &one, (float[]){3});
    CHECK(tidy(m) == 0);
    finn_model *r = transformed(m, "MoveScalarMulPastConv");
    if (r) {
        CHECK_STR(ops(r), "Conv,Mul");
        CHECK_STR(r->nodes[0]->inputs[0], "x");
        CHECK_EQ_DBL(compare(m, r, IN_INT, -4, 4, 5), 0);
    }
    CHECK(r != NULL);
    finn_model_free(r);
    finn_model_free(m);
}

/* Conv(W INT8) -> Mul((1,3,1,1) [1,-1,1] BIPOLAR)  ==>  Conv(W with o=1 negated) */
static void test_absorb_1bit_conv(void)
{
    int64_t cs[4] = {1, 3, 1, 1};
    finn_model *m = model_new("x", 4, X4, 13);
    add_conv(m, "x", "w", "t", 1);
    add(m, "Mul", "t", "a", "out");
    conv_weights(m, "w");
    init(m, "a", 4, cs, (float[]){1, -1, 1});
    CHECK(tidy(m) == 0);
    set_dt(m, "w", "INT8");
    set_dt(m, "a", "BIPOLAR");
    finn_model *r = transformed(m, "Absorb1BitMulIntoConv");
    if (r) {
        CHECK_STR(ops(r), "Conv");
        const finn_tensor *w = param(r, 0, 1);
        /* W[1][0][0][0] = 2 -> -2; W[2][1][0][1] = 3 * -1 * 2 = -6 stays */
        CHECK(w && finn_tensor_get(w, 18) == -2 && finn_tensor_get(w, 2 * 18 + 9 + 1) == -6);
        CHECK_EQ_DBL(compare(m, r, IN_INT, -4, 4, 5), 0);
    }
    CHECK(r != NULL);
    finn_model_free(r);
    finn_model_free(m);
}

/* Conv 3x3 pad 1  ==>  Transpose -> Im2Col -> MatMul -> Transpose */
static void test_lower_convs(void)
{
    finn_model *m = model_new("x", 4, X4, 13);
    add_conv(m, "x", "w", "out", 1);
    conv_weights(m, "w");
    CHECK(tidy(m) == 0);
    set_dt(m, "x", "INT4");
    finn_model *r = transformed(m, "LowerConvsToMatMul");
    if (r) {
        CHECK_STR(ops(r), "Transpose,Im2Col,MatMul,Transpose");
        const finn_tensor *w = param(r, 2, 1);
        int64_t ws[2] = {18, 3};
        CHECK(shape_is(w, 2, ws));
        /* Wm[(ky*3 + kx)*2 + c][o] = W[o][c][ky][kx]: row (1*3+2)*2+1 = 11,
         * col 2 -> W[2][1][1][2] = 3 * -1 * (1 + 5 % 3) = -9 */
        CHECK(w && finn_tensor_get(w, 11 * 3 + 2) == -9);
        const finn_node *ic = r->nodes[1];
        CHECK_STR(finn_node_attr_s(ic, "input_shape", ""), "(1,4,4,2)");
        CHECK_EQ_INT(finn_node_attr_i(ic, "depthwise", 7), 0);
        CHECK_STR(dt_of(r, ic->inputs[0]), "INT4");
        CHECK_STR(r->nodes[3]->outputs[0], "out");
        CHECK_EQ_DBL(compare(m, r, IN_INT, -8, 7, 5), 0);
    }
    CHECK(r != NULL);
    finn_model_free(r);
    finn_model_free(m);
}

static finn_node *add_transpose(finn_model *m, const char *in, const char *out, int64_t a,
                                int64_t b, int64_t c, int64_t d)
{
    finn_error err = {0};
    int64_t p[4] = {a, b, c, d};
    finn_node *t = add(m, "Transpose", in, NULL, out);
    finn_node_set_attr_ints(t, "perm", p, 4, &err);
    return t;
}

/* Transpose(0,3,1,2) -> MaxPool  ==>  MaxPoolNHWC -> Transpose */
static void test_make_maxpool_nhwc(void)
{
    int64_t s[4] = {1, 4, 4, 2}, ks[2] = {2, 2};
    finn_model *m = model_new("x", 4, s, 13);
    finn_error err = {0};
    add_transpose(m, "x", "t", 0, 3, 1, 2);
    finn_node *mp = add(m, "MaxPool", "t", NULL, "out");
    int64_t pads[4] = {0, 0, 0, 0}; /* QONNX's MaxPoolNHWC requires pads */
    finn_node_set_attr_ints(mp, "kernel_shape", ks, 2, &err);
    finn_node_set_attr_ints(mp, "pads", pads, 4, &err);
    finn_node_set_attr_ints(mp, "strides", ks, 2, &err);
    CHECK(tidy(m) == 0);
    finn_model *r = transformed(m, "MakeMaxPoolNHWC");
    if (r) {
        CHECK_STR(ops(r), "MaxPoolNHWC,Transpose");
        CHECK_STR(r->nodes[0]->domain, SL_QONNX_DOMAIN);
        CHECK_EQ_INT(finn_node_attr_i(r->nodes[0], "ceil_mode", 7), 0);
        int64_t mid[4] = {1, 2, 2, 2};
        const finn_value *v = finn_model_value(r, r->nodes[0]->outputs[0]);
        CHECK(v && finn_shape_equal(v->ndim, v->shape, 4, mid));
        CHECK_EQ_DBL(compare(m, r, IN_FLOAT, -4, 4, 5), 0);
    }
    CHECK(r != NULL);
    finn_model_free(r);
    finn_model_free(m);
}

/* Transpose(0,3,1,2) -> MT  ==>  MT(NHWC) -> Transpose */
static void test_absorb_transpose_into_mt(void)
{
    int64_t s[4] = {1, 2, 2, 3}, ts[2] = {3, 2};
    finn_model *m = model_new("x", 4, s, 13);
    add_transpose(m, "x", "t", 0, 3, 1, 2);
    add_mt(m, "t", "thr", "out");
    init(m, "thr", 2, ts, (float[]){0, 1, -1, 0, 0.5f, 2});
    CHECK(tidy(m) == 0);
    finn_model *r = transformed(m, "AbsorbTransposeIntoMultiThreshold");
    if (r) {
        CHECK_STR(ops(r), "MultiThreshold,Transpose");
        CHECK_STR(finn_node_attr_s(r->nodes[0], "data_layout", ""), "NHWC");
        CHECK_STR(r->nodes[0]->inputs[0], "x");
        CHECK_STR(r->nodes[1]->outputs[0], "out");
        CHECK_STR(dt_of(r, r->nodes[0]->outputs[0]), "UINT4");
        CHECK_EQ_DBL(compare(m, r, IN_FLOAT, -2, 3, 8), 0);
    }
    CHECK(r != NULL);
    finn_model_free(r);
    finn_model_free(m);
}

/* Transpose(0,2,3,1) -> Transpose(0,3,1,2) -> Relu  ==>  Relu */
static void test_consecutive_transposes(void)
{
    finn_model *m = model_new("x", 4, X4, 13);
    add_transpose(m, "x", "t1", 0, 2, 3, 1);
    add_transpose(m, "t1", "t2", 0, 3, 1, 2);
    add(m, "Relu", "t2", NULL, "out");
    CHECK(tidy(m) == 0);
    finn_model *r = transformed(m, "AbsorbConsecutiveTransposes");
    if (r) {
        CHECK_STR(ops(r), "Relu");
        CHECK_STR(r->nodes[0]->inputs[0], "x");
        CHECK_EQ_DBL(compare(m, r, IN_FLOAT, -2, 2, 3), 0);
    }
    CHECK(r != NULL);
    finn_model_free(r);
    finn_model_free(m);
}

static void test_corpus(void);

static void run_cases(void)
{
    test_sub_div();
    test_batchnorm();
    test_batchnorm_squeeze();
    test_sign_to_thres();
    test_scalar_linear_past_invariants();
    test_add_past_mul();
    test_scalar_add_past_matmul();
    test_scalar_mul_past_matmul();
    test_collapse();
    test_absorb_add_into_mt();
    test_absorb_mul_into_mt();
    test_factor_out_sign();
    test_absorb_1bit_matmul();
    test_absorb_sign_bias();
    test_round_thresholds();
    test_xnor();
    test_topk();
    test_mul_past_maxpool();
    test_add_past_conv();
    test_scalar_mul_past_conv();
    test_absorb_1bit_conv();
    test_lower_convs();
    test_make_maxpool_nhwc();
    test_absorb_transpose_into_mt();
    test_consecutive_transposes();
    test_corpus();
}

/* ==== step_streamline on FINN's build_dataflow TFC-w1a1 ================================ */

static void test_corpus(void)
{
    const char *shared = test_shared_dir();
    if (!shared) {
        printf("corpus absent: step_streamline corpus case skipped\n");
        return;
    }
    char dir[4096], path[4200];
    snprintf(dir, sizeof dir, "%s/corpus/finn/build_dataflow", shared);
    finn_error err = {0};
    finn_model *m = NULL;
    snprintf(path, sizeof path, "%s/model.onnx", dir);
    if (finn_model_load(path, &m, &err)) {
        fprintf(stderr, "%s\n", err.msg);
        CHECK(0);
        return;
    }
    finn_model_repair_domains(m);
    CHECK(tidy(m) == 0);
    finn_model *before = finn_model_clone(m, &err);

    /* a build with verification of streamlined_python */
    finn_config *cfg = finn_config_new(&err);
    char in_npy[4200], exp_npy[4200];
    snprintf(in_npy, sizeof in_npy, "%s/input.npy", dir);
    snprintf(exp_npy, sizeof exp_npy, "%s/expected_output.npy", dir);
    CHECK(finn_config_set(cfg, "verify_steps", "[streamlined_python]", &err) == 0);
    CHECK(finn_config_set(cfg, "verify_input_npy", in_npy, &err) == 0);
    CHECK(finn_config_set(cfg, "verify_expected_output_npy", exp_npy, &err) == 0);
    FILE *console = tmpfile();
    finn_build b = {reg, cfg, test_tmpdir(), console, NULL, false};
    const finn_step_desc *step = finn_registry_step(reg, "step_streamline");
    CHECK(step != NULL);
    CHECK_STR(finn_registry_step_plugin(reg, "step_streamline"), "streamline");
    int rc = step ? step->fn(&m, &b, &err) : -1;
    if (rc)
        fprintf(stderr, "step_streamline: %s\n", err.msg);
    CHECK_EQ_INT(rc, 0);
    fclose(console);
    for (int i = 0; i < 4; i++) {
        struct stat st;
        snprintf(path, sizeof path, "%s/verification_output/verify_streamlined_python_%d_SUCCESS.npy",
                 test_tmpdir(), i);
        CHECK(stat(path, &st) == 0);
    }
    printf("streamlined TFC: %s\n", ops(m));
    /* 6.5 for the w1a1 TFC: the pre-processing Mul moved past the Reshape and
     * absorbed, every bipolar MatMul an XnorPopcountMatMul, the tail Mul/Add
     * absorbed into TopK */
    CHECK_STR(ops(m), "Reshape,MultiThreshold,XnorPopcountMatMul,MultiThreshold,"
                      "XnorPopcountMatMul,MultiThreshold,XnorPopcountMatMul,MultiThreshold,"
                      "XnorPopcountMatMul,TopK");
    if (m->n_nodes == 10) {
        /* first MT: x/255*2 - 1 >= 0  <=>  x >= 127.5 -> ceil 128 on UINT8 */
        CHECK(values_are(param(m, 1, 1), (float[]){128}, 1));
        CHECK_STR(finn_node_attr_s(m->nodes[1], "out_dtype", ""), "BINARY");
        CHECK_STR(dt_of(m, m->nodes[1]->inputs[0]), "UINT8");
        for (size_t i = 3; i <= 7; i += 2) {
            const finn_tensor *t = param(m, i, 1);
            CHECK(t && t->ndim == 2 && t->shape[0] == 64 && t->shape[1] == 1);
            CHECK_STR(finn_node_attr_s(m->nodes[i], "out_dtype", ""), "BINARY");
        }
    }

    /* before vs after on the corpus input, one sample at a time */
    finn_tensor *in = NULL, *expected = NULL;
    CHECK(finn_npy_read(in_npy, &in, &err) == 0);
    CHECK(finn_npy_read(exp_npy, &expected, &err) == 0);
    if (in && expected) {
        int64_t one[4] = {1, 1, 28, 28};
        for (int64_t i = 0; i < 4; i++) {
            finn_tensor *x = finn_tensor_new(FINN_ELEM_FLOAT, 4, one, &err);
            memcpy(x->data, (float *)in->data + i * 784, 784 * sizeof(float));
            finn_tensor *ya = execute(before, x, NULL), *yb = execute(m, x, NULL);
            CHECK(ya && yb && finn_tensor_numel(yb) == 1);
            if (ya && yb) {
                CHECK_EQ_DBL(finn_tensor_get(yb, 0), finn_tensor_get(expected, (size_t)i));
                CHECK_EQ_DBL(finn_tensor_get(ya, 0), finn_tensor_get(yb, 0));
            }
            finn_tensor_free(ya);
            finn_tensor_free(yb);
            finn_tensor_free(x);
        }
    }
    finn_tensor_free(in);
    finn_tensor_free(expected);
    finn_config_free(cfg);
    finn_model_free(before);
    finn_model_free(m);
}

int main(void)
{
    if (setup()) {
        CHECK(0 && "streamline plugin and ops load");
        return test_done();
    }
    run_cases();
    finn_registry_free(reg);
    return test_done();
}
