/*
 * test_onnx_math.c - the onnx_math plugin: every op on hand-checked values
 * (arithmetic in the comments), numpy broadcasting, negative axes, opset
 * variants, edge cases, and shape inference per op family.
 */
#include <float.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <finn/plugin.h>

#include "test.h"

static finn_registry *REG;

/* ---- harness: one node in a fresh model ---------------------------------- */

typedef struct tc {
    finn_model *m;
    finn_node *n;
    finn_exec_ctx *ctx;
    finn_error err;
} tc;

#define S(...) ((const int64_t[]){__VA_ARGS__})
#define V(...) ((const double[]){__VA_ARGS__})
#define F FINN_ELEM_FLOAT
#define I32 FINN_ELEM_INT32
#define I64 FINN_ELEM_INT64
#define B FINN_ELEM_BOOL

static finn_tensor *mk(finn_elem_type type, int nd, const int64_t *shape, const double *v)
{
    finn_error err = {0};
    finn_tensor *t = finn_tensor_new(type, nd, shape, &err);
    for (size_t i = 0, cnt = finn_tensor_numel(t); v && i < cnt; i++)
        finn_tensor_set(t, i, v[i]); /* v == NULL: zeros */
    return t;
}

static void tc_begin(tc *c, const char *op, int64_t opset)
{
    memset(c, 0, sizeof *c);
    c->m = finn_model_new("g", &c->err);
    finn_model_set_opset(c->m, "", opset, &c->err);
    c->n = finn_node_new(op, "", "n0", &c->err);
    c->ctx = finn_exec_ctx_new(&c->err);
}

/* graph input: declared shape in the model, value in the context */
static void tc_in(tc *c, const char *name, finn_tensor *t)
{
    finn_model *m = c->m;
    m->inputs = realloc(m->inputs, (m->n_inputs + 1) * sizeof *m->inputs);
    m->inputs[m->n_inputs++] = strdup(name);
    finn_model_set_shape(m, name, t->type, t->ndim, t->shape, &c->err);
    finn_exec_ctx_set(c->ctx, name, t, &c->err);
    finn_node_add_input(c->n, name, &c->err);
}

static void tc_init(tc *c, const char *name, finn_tensor *t)
{
    finn_model_set_initializer(c->m, name, t, &c->err);
    finn_node_add_input(c->n, name, &c->err);
}

static void tc_skip(tc *c) { finn_node_add_input(c->n, "", &c->err); }
static void tc_out(tc *c, const char *name) { finn_node_add_output(c->n, name, &c->err); }
static void tc_ai(tc *c, const char *k, int64_t v) { finn_node_set_attr_i(c->n, k, v, &c->err); }
static void tc_af(tc *c, const char *k, float v) { finn_node_set_attr_f(c->n, k, v, &c->err); }

/* Shape inference, then execution; 0 when both succeed. */
static int tc_run(tc *c)
{
    finn_node *n = c->n;
    if (finn_model_insert_node(c->m, c->m->n_nodes, n, &c->err))
        return -1;
    const finn_op *op = finn_registry_op(REG, "", n->op_type);
    if (!op)
        return finn_error_set(&c->err, FINN_ERR_NOT_FOUND, "no op %s", n->op_type);
    if (op->infer_shapes(c->m, n, &c->err))
        return -1;
    return finn_execute(REG, c->m, c->ctx, &c->err);
}

static const finn_tensor *tc_get(const tc *c, const char *name)
{
    return finn_exec_ctx_get(c->ctx, name);
}

static void tc_end(tc *c)
{
    finn_exec_ctx_free(c->ctx);
    finn_model_free(c->m);
}

/* Run a node whose inputs are x0, x1, ... (NULL = omitted) and output y. */
static int run_op(tc *c, const char *op, int64_t opset, size_t nin, finn_tensor **in)
{
    char name[32];
    for (size_t k = 0; k < nin; k++) {
        snprintf(name, sizeof name, "x%zu", k);
        if (in[k])
            tc_in(c, name, in[k]);
        else
            tc_skip(c);
    }
    (void)op, (void)opset;
    tc_out(c, "y");
    int rc = tc_run(c);
    if (rc)
        fprintf(stderr, "  note: %s failed: %s\n", op, c->err.msg);
    return rc;
}

#define IN(...) ((finn_tensor *[]){__VA_ARGS__})
#define NIN(...) (sizeof((finn_tensor *[]){__VA_ARGS__}) / sizeof(finn_tensor *))
/* tc c; begin; run with inputs; */
#define RUN(c, op, opset, ...)                                                   \
    (tc_begin(c, op, opset), run_op(c, op, opset, NIN(__VA_ARGS__), IN(__VA_ARGS__)))

/* ---- checks -------------------------------------------------------------- */

static void expect_vals(const finn_tensor *t, const double *e, size_t n, int line)
{
    test_checks++;
    if (!t) {
        test_failures++;
        fprintf(stderr, "line %d: no output tensor\n", line);
        return;
    }
    if (finn_tensor_numel(t) != n) {
        test_failures++;
        fprintf(stderr, "line %d: %zu elements, expected %zu\n", line, finn_tensor_numel(t), n);
        return;
    }
    for (size_t i = 0; i < n; i++) {
        double v = finn_tensor_get(t, i);
        if (!(v == e[i] || (isnan(v) && isnan(e[i])))) {
            test_failures++;
            fprintf(stderr, "line %d: element %zu is %.17g, expected %.17g\n", line, i, v, e[i]);
            return;
        }
    }
}
#define EXPECT_VALS(t, ...) \
    expect_vals(t, V(__VA_ARGS__), sizeof(V(__VA_ARGS__)) / sizeof(double), __LINE__)

static void expect_shape(finn_elem_type type, int nd, const int64_t *shape, finn_elem_type etype,
                         int end, const int64_t *eshape, int line)
{
    test_checks++;
    char a[128], b[128];
    if (type != etype || !finn_shape_equal(nd, shape, end, eshape)) {
        test_failures++;
        fprintf(stderr, "line %d: got %s %s, expected %s %s\n", line, finn_elem_name(type),
                finn_shape_str(nd, shape, a, sizeof a), finn_elem_name(etype),
                finn_shape_str(end, eshape, b, sizeof b));
    }
}
/* output tensor and inferred value info of `name` both have this type/shape */
static void expect_both(const tc *c, const char *name, finn_elem_type et, int nd,
                        const int64_t *shape, int line)
{
    const finn_tensor *t = tc_get(c, name);
    const finn_value *v = finn_model_value(c->m, name);
    test_checks++;
    if (!t || !v) {
        test_failures++;
        fprintf(stderr, "line %d: '%s' missing (tensor %p, value %p)\n", line, name, (void *)t,
                (const void *)v);
        return;
    }
    expect_shape(t->type, t->ndim, t->shape, et, nd, shape, line);
    expect_shape(v->elem, v->ndim, v->shape, et, nd, shape, line);
}
#define EXPECT_SHAPE(c, name, et, nd, ...) expect_both(c, name, et, nd, S(__VA_ARGS__), __LINE__)
#define Y(c) tc_get(c, "y")

/* ---- elementwise arithmetic -------------------------------------------- */

static void test_add_sub_mul_broadcast(void)
{
    tc c;
    /* (2,3) + (3,): [[1,2,3],[4,5,6]] + [10,20,30] = [[11,22,33],[14,25,36]] */
    CHECK_EQ_INT(RUN(&c, "Add", 13, mk(F, 2, S(2, 3), V(1, 2, 3, 4, 5, 6)),
                     mk(F, 1, S(3), V(10, 20, 30))), 0);
    EXPECT_VALS(Y(&c), 11, 22, 33, 14, 25, 36);
    EXPECT_SHAPE(&c, "y", F, 2, 2, 3);
    tc_end(&c);
    /* (2,1) * (1,3): [[1],[2]] * [[3,4,5]] = [[3,4,5],[6,8,10]] */
    CHECK_EQ_INT(RUN(&c, "Mul", 7, mk(F, 2, S(2, 1), V(1, 2)), mk(F, 2, S(1, 3), V(3, 4, 5))), 0);
    EXPECT_VALS(Y(&c), 3, 4, 5, 6, 8, 10);
    EXPECT_SHAPE(&c, "y", F, 2, 2, 3);
    tc_end(&c);
    /* (2,) - scalar: [5, 7] - 2 = [3, 5] */
    CHECK_EQ_INT(RUN(&c, "Sub", 13, mk(F, 1, S(2), V(5, 7)), mk(F, 0, NULL, V(2))), 0);
    EXPECT_VALS(Y(&c), 3, 5);
    EXPECT_SHAPE(&c, "y", F, 1, 2);
    tc_end(&c);
    /* scalar - (2,): 2 - [5, 7] = [-3, -5] */
    CHECK_EQ_INT(RUN(&c, "Sub", 13, mk(F, 0, NULL, V(2)), mk(F, 1, S(2), V(5, 7))), 0);
    EXPECT_VALS(Y(&c), -3, -5);
    tc_end(&c);
    /* float32 rounding: 0.1f + 0.2f is rounded once to float */
    CHECK_EQ_INT(RUN(&c, "Add", 13, mk(F, 1, S(1), V(0.1f)), mk(F, 1, S(1), V(0.2f))), 0);
    EXPECT_VALS(Y(&c), (double)(0.1f + 0.2f));
    tc_end(&c);
    /* int8 wraps: 100 + 100 = 200 -> 200 - 256 = -56 */
    CHECK_EQ_INT(RUN(&c, "Add", 13, mk(FINN_ELEM_INT8, 1, S(1), V(100)),
                     mk(FINN_ELEM_INT8, 1, S(1), V(100))), 0);
    EXPECT_VALS(Y(&c), -56);
    EXPECT_SHAPE(&c, "y", FINN_ELEM_INT8, 1, 1);
    tc_end(&c);
    /* int64 keeps all 64 bits: (2^60 + 1) * 2 = 2^61 + 2 */
    tc_begin(&c, "Mul", 13);
    finn_tensor *big = mk(I64, 1, S(1), V(0));
    ((int64_t *)big->data)[0] = (INT64_C(1) << 60) + 1;
    tc_in(&c, "x0", big);
    tc_in(&c, "x1", mk(I64, 1, S(1), V(2)));
    tc_out(&c, "y");
    CHECK_EQ_INT(tc_run(&c), 0);
    CHECK(((const int64_t *)Y(&c)->data)[0] == (INT64_C(1) << 61) + 2);
    tc_end(&c);
    /* incompatible shapes (2,3) + (2,) */
    CHECK_EQ_INT(RUN(&c, "Add", 13, mk(F, 2, S(2, 3), V(1, 2, 3, 4, 5, 6)),
                     mk(F, 1, S(2), V(1, 2))), -1);
    CHECK_STR(c.err.msg, "cannot broadcast shapes (2, 3) and (2,)");
    tc_end(&c);
}

static void test_div(void)
{
    tc c;
    /* [1, -7] / [4, 2] = [0.25, -3.5] */
    CHECK_EQ_INT(RUN(&c, "Div", 13, mk(F, 1, S(2), V(1, -7)), mk(F, 1, S(2), V(4, 2))), 0);
    EXPECT_VALS(Y(&c), 0.25, -3.5);
    tc_end(&c);
    /* float 1/3 is the float32 nearest to 1/3 */
    CHECK_EQ_INT(RUN(&c, "Div", 13, mk(F, 1, S(1), V(1)), mk(F, 1, S(1), V(3))), 0);
    EXPECT_VALS(Y(&c), (double)(1.0f / 3.0f));
    tc_end(&c);
    /* int32 truncates toward zero: 7/2=3, -7/2=-3, 7/-2=-3, -7/-2=3 */
    CHECK_EQ_INT(RUN(&c, "Div", 13, mk(I32, 1, S(4), V(7, -7, 7, -7)),
                     mk(I32, 1, S(4), V(2, 2, -2, -2))), 0);
    EXPECT_VALS(Y(&c), 3, -3, -3, 3);
    EXPECT_SHAPE(&c, "y", I32, 1, 4);
    tc_end(&c);
    /* float division by zero: 1/0 = inf, -1/0 = -inf */
    CHECK_EQ_INT(RUN(&c, "Div", 13, mk(F, 1, S(2), V(1, -1)), mk(F, 0, NULL, V(0))), 0);
    EXPECT_VALS(Y(&c), INFINITY, -INFINITY);
    tc_end(&c);
    CHECK_EQ_INT(RUN(&c, "Div", 13, mk(I64, 1, S(1), V(1)), mk(I64, 1, S(1), V(0))), -1);
    CHECK_STR(c.err.msg, "node 'n0' (Div): Div: integer division by zero");
    tc_end(&c);
    /* mixed types are refused */
    CHECK_EQ_INT(RUN(&c, "Div", 13, mk(F, 1, S(1), V(1)), mk(I64, 1, S(1), V(1))), -1);
    CHECK_CONTAINS(c.err.msg, "input types differ (float32 vs int64)");
    tc_end(&c);
}

static void test_pow(void)
{
    tc c;
    /* [2, 3] ^ 2 = [4, 9] (scalar exponent 2 -> x*x) */
    CHECK_EQ_INT(RUN(&c, "Pow", 13, mk(F, 1, S(2), V(2, 3)), mk(F, 0, NULL, V(2))), 0);
    EXPECT_VALS(Y(&c), 4, 9);
    tc_end(&c);
    /* [4, 2, 2] ^ [0.5, -1, 3] = [2, 0.5, 8] */
    CHECK_EQ_INT(RUN(&c, "Pow", 13, mk(F, 1, S(3), V(4, 2, 2)), mk(F, 1, S(3), V(0.5, -1, 3))), 0);
    EXPECT_VALS(Y(&c), 2, 0.5, 8);
    tc_end(&c);
    /* int32 base, int64 exponent (T, T1 differ): [2, 3] ^ 3 = [8, 27], type int32 */
    CHECK_EQ_INT(RUN(&c, "Pow", 15, mk(I32, 1, S(2), V(2, 3)), mk(I64, 1, S(1), V(3))), 0);
    EXPECT_VALS(Y(&c), 8, 27);
    EXPECT_SHAPE(&c, "y", I32, 1, 2);
    tc_end(&c);
    /* int64 with scalar exponent 2 multiplies exactly (a double pow would round):
     * (2^31 + 1)^2 = 2^62 + 2^32 + 1 */
    tc_begin(&c, "Pow", 15);
    finn_tensor *big = mk(I64, 1, S(2), V(0, -3));
    ((int64_t *)big->data)[0] = (INT64_C(1) << 31) + 1;
    CHECK_EQ_INT(run_op(&c, "Pow", 15, 2, IN(big, mk(I64, 0, NULL, V(2)))), 0);
    CHECK(((const int64_t *)Y(&c)->data)[0] == (INT64_C(1) << 62) + (INT64_C(1) << 32) + 1);
    CHECK(((const int64_t *)Y(&c)->data)[1] == 9); /* (-3)^2 */
    tc_end(&c);
    /* int32 with a negative exponent truncates: 2^-1 = 0.5 -> 0, 1^-1 = 1 */
    CHECK_EQ_INT(RUN(&c, "Pow", 13, mk(I32, 1, S(2), V(2, 1)), mk(I32, 1, S(2), V(-1, -1))), 0);
    EXPECT_VALS(Y(&c), 0, 1);
    tc_end(&c);
    /* (3,) ^ (1,1) scalar-like exponent 3 broadcasts to (1,3): [1,-2,3]^3 = [1,-8,27] */
    CHECK_EQ_INT(RUN(&c, "Pow", 13, mk(F, 1, S(3), V(1, -2, 3)), mk(F, 2, S(1, 1), V(3))), 0);
    EXPECT_VALS(Y(&c), 1, -8, 27);
    EXPECT_SHAPE(&c, "y", F, 2, 1, 3);
    tc_end(&c);
    /* (2,1) ^ (2,): [[2],[3]] ^ [1, 2] = [[2,4],[3,9]] */
    CHECK_EQ_INT(RUN(&c, "Pow", 13, mk(F, 2, S(2, 1), V(2, 3)), mk(F, 1, S(2), V(1, 2))), 0);
    EXPECT_VALS(Y(&c), 2, 4, 3, 9);
    EXPECT_SHAPE(&c, "y", F, 2, 2, 2);
    tc_end(&c);
}

static void test_min_max_sum(void)
{
    tc c;
    /* Max([1,5,3],[4,2,6],[0,0,7]) = [4,5,7] */
    CHECK_EQ_INT(RUN(&c, "Max", 13, mk(F, 1, S(3), V(1, 5, 3)), mk(F, 1, S(3), V(4, 2, 6)),
                     mk(F, 1, S(3), V(0, 0, 7))), 0);
    EXPECT_VALS(Y(&c), 4, 5, 7);
    tc_end(&c);
    /* Min([1,5,3], 2) = [1,2,2] */
    CHECK_EQ_INT(RUN(&c, "Min", 13, mk(F, 1, S(3), V(1, 5, 3)), mk(F, 0, NULL, V(2))), 0);
    EXPECT_VALS(Y(&c), 1, 2, 2);
    tc_end(&c);
    /* one input: copy */
    CHECK_EQ_INT(RUN(&c, "Min", 13, mk(F, 1, S(2), V(-1, 4))), 0);
    EXPECT_VALS(Y(&c), -1, 4);
    tc_end(&c);
    /* Max over (2,1), (3,), scalar: [[1],[5]] vs [0,4,8] vs 3
     * row 0: max(1,0,3)=3, max(1,4,3)=4, max(1,8,3)=8; row 1: 5, 5, 8 */
    CHECK_EQ_INT(RUN(&c, "Max", 8, mk(F, 2, S(2, 1), V(1, 5)), mk(F, 1, S(3), V(0, 4, 8)),
                     mk(F, 0, NULL, V(3))), 0);
    EXPECT_VALS(Y(&c), 3, 4, 8, 5, 5, 8);
    EXPECT_SHAPE(&c, "y", F, 2, 2, 3);
    tc_end(&c);
    /* NaN propagates: Max([NaN, 1], [0, NaN]) = [NaN, NaN]; Min too */
    CHECK_EQ_INT(RUN(&c, "Max", 13, mk(F, 1, S(2), V(NAN, 1)), mk(F, 1, S(2), V(0, NAN))), 0);
    EXPECT_VALS(Y(&c), NAN, NAN);
    tc_end(&c);
    /* int: Min([-3, 7], [2, -9]) = [-3, -9]; uint8 Max(200, 100) = 200 */
    CHECK_EQ_INT(RUN(&c, "Min", 13, mk(I32, 1, S(2), V(-3, 7)), mk(I32, 1, S(2), V(2, -9))), 0);
    EXPECT_VALS(Y(&c), -3, -9);
    tc_end(&c);
    CHECK_EQ_INT(RUN(&c, "Max", 13, mk(FINN_ELEM_UINT8, 1, S(1), V(200)),
                     mk(FINN_ELEM_UINT8, 1, S(1), V(100))), 0);
    EXPECT_VALS(Y(&c), 200);
    tc_end(&c);
    /* Sum([1,2],[10,20],[100,200]) = [111, 222] */
    CHECK_EQ_INT(RUN(&c, "Sum", 13, mk(F, 1, S(2), V(1, 2)), mk(F, 1, S(2), V(10, 20)),
                     mk(F, 1, S(2), V(100, 200))), 0);
    EXPECT_VALS(Y(&c), 111, 222);
    tc_end(&c);
}

/* ---- comparisons, Where, Not --------------------------------------------- */

static void test_compare(void)
{
    tc c;
    /* [1,2,3] vs [2,2,2]: Equal [F,T,F], Less [T,F,F], Greater [F,F,T] */
    CHECK_EQ_INT(RUN(&c, "Equal", 13, mk(F, 1, S(3), V(1, 2, 3)), mk(F, 1, S(3), V(2, 2, 2))), 0);
    EXPECT_VALS(Y(&c), 0, 1, 0);
    EXPECT_SHAPE(&c, "y", B, 1, 3);
    tc_end(&c);
    CHECK_EQ_INT(RUN(&c, "Less", 9, mk(F, 1, S(3), V(1, 2, 3)), mk(F, 1, S(3), V(2, 2, 2))), 0);
    EXPECT_VALS(Y(&c), 1, 0, 0);
    EXPECT_SHAPE(&c, "y", B, 1, 3);
    tc_end(&c);
    CHECK_EQ_INT(RUN(&c, "Greater", 13, mk(F, 1, S(3), V(1, 2, 3)), mk(F, 0, NULL, V(2))), 0);
    EXPECT_VALS(Y(&c), 0, 0, 1);
    tc_end(&c);
    /* int64 (2,1) vs (1,2): [[1],[5]] vs [[1,5]]:
     * Equal [[T,F],[F,T]], Less [[F,T],[F,F]] */
    CHECK_EQ_INT(RUN(&c, "Equal", 11, mk(I64, 2, S(2, 1), V(1, 5)), mk(I64, 2, S(1, 2), V(1, 5))),
                 0);
    EXPECT_VALS(Y(&c), 1, 0, 0, 1);
    EXPECT_SHAPE(&c, "y", B, 2, 2, 2);
    tc_end(&c);
    CHECK_EQ_INT(RUN(&c, "Less", 13, mk(I64, 2, S(2, 1), V(1, 5)), mk(I64, 2, S(1, 2), V(1, 5))), 0);
    EXPECT_VALS(Y(&c), 0, 1, 0, 0);
    tc_end(&c);
    /* NaN compares unequal and unordered */
    CHECK_EQ_INT(RUN(&c, "Equal", 13, mk(F, 1, S(1), V(NAN)), mk(F, 1, S(1), V(NAN))), 0);
    EXPECT_VALS(Y(&c), 0);
    tc_end(&c);
    /* LessOrEqual / GreaterOrEqual: [1,2,3] vs 2 */
    CHECK_EQ_INT(RUN(&c, "LessOrEqual", 16, mk(F, 1, S(3), V(1, 2, 3)), mk(F, 0, NULL, V(2))), 0);
    EXPECT_VALS(Y(&c), 1, 1, 0);
    tc_end(&c);
    CHECK_EQ_INT(RUN(&c, "GreaterOrEqual", 16, mk(F, 1, S(3), V(1, 2, 3)), mk(F, 0, NULL, V(2))),
                 0);
    EXPECT_VALS(Y(&c), 0, 1, 1);
    tc_end(&c);
}

static void test_where_not(void)
{
    tc c;
    /* cond (2,1) [T, F], X (1,3) [1,2,3], Y scalar 9 -> [[1,2,3],[9,9,9]] */
    CHECK_EQ_INT(RUN(&c, "Where", 16, mk(B, 2, S(2, 1), V(1, 0)), mk(F, 2, S(1, 3), V(1, 2, 3)),
                     mk(F, 0, NULL, V(9))), 0);
    EXPECT_VALS(Y(&c), 1, 2, 3, 9, 9, 9);
    EXPECT_SHAPE(&c, "y", F, 2, 2, 3);
    tc_end(&c);
    /* int64 values: cond [T,F,T] -> [10, -2, 30] */
    CHECK_EQ_INT(RUN(&c, "Where", 9, mk(B, 1, S(3), V(1, 0, 1)), mk(I64, 1, S(3), V(10, 20, 30)),
                     mk(I64, 1, S(3), V(-1, -2, -3))), 0);
    EXPECT_VALS(Y(&c), 10, -2, 30);
    EXPECT_SHAPE(&c, "y", I64, 1, 3);
    tc_end(&c);
    /* Not [T, F, T] = [F, T, F] */
    CHECK_EQ_INT(RUN(&c, "Not", 13, mk(B, 1, S(3), V(1, 0, 1))), 0);
    EXPECT_VALS(Y(&c), 0, 1, 0);
    EXPECT_SHAPE(&c, "y", B, 1, 3);
    tc_end(&c);
    CHECK_EQ_INT(RUN(&c, "Not", 13, mk(F, 1, S(1), V(1))), -1);
    CHECK_CONTAINS(c.err.msg, "Not needs a bool input, got float32");
    tc_end(&c);
}

/* ---- unary ops ------------------------------------------------------------- */

/* Run a unary float op on (2,2) x and check shape inference. */
static int unary(tc *c, const char *op, const double *x)
{
    int rc = RUN(c, op, 13, mk(F, 2, S(2, 2), x));
    EXPECT_SHAPE(c, "y", F, 2, 2, 2);
    return rc;
}

static void test_unary(void)
{
    tc c;
    CHECK_EQ_INT(unary(&c, "Relu", V(-1, 0, 2.5, -0.0)), 0);
    EXPECT_VALS(Y(&c), 0, 0, 2.5, 0);
    tc_end(&c);
    /* int8 Relu: [-3, 4] -> [0, 4] */
    CHECK_EQ_INT(RUN(&c, "Relu", 14, mk(FINN_ELEM_INT8, 1, S(2), V(-3, 4))), 0);
    EXPECT_VALS(Y(&c), 0, 4);
    EXPECT_SHAPE(&c, "y", FINN_ELEM_INT8, 1, 2);
    tc_end(&c);
    /* Sigmoid(0) = 1/(1+1) = 0.5; Sigmoid(ln 3) = 1/(1+1/3) = 0.75;
     * Sigmoid(-ln 3) = 0.25; Sigmoid(-200) underflows to 0 */
    CHECK_EQ_INT(unary(&c, "Sigmoid", V(0, log(3.0), -log(3.0), -200)), 0);
    EXPECT_VALS(Y(&c), 0.5, 0.75f, 0.25f, 0);
    tc_end(&c);
    /* Tanh(0)=0, Tanh(ln 2) = (2-1/2)/(2+1/2) = 0.6, Tanh(-ln 2) = -0.6, Tanh(20) = 1 in float */
    CHECK_EQ_INT(unary(&c, "Tanh", V(0, log(2.0), -log(2.0), 20)), 0);
    EXPECT_VALS(Y(&c), 0, 0.6f, -0.6f, 1);
    tc_end(&c);
    CHECK_EQ_INT(unary(&c, "Sign", V(-2, 0, 3.5, -0.25)), 0);
    EXPECT_VALS(Y(&c), -1, 0, 1, -1);
    tc_end(&c);
    CHECK_EQ_INT(RUN(&c, "Sign", 13, mk(I32, 1, S(3), V(-7, 0, 9))), 0);
    EXPECT_VALS(Y(&c), -1, 0, 1);
    tc_end(&c);
    CHECK_EQ_INT(unary(&c, "Floor", V(-1.5, 1.5, 2, -0.25)), 0);
    EXPECT_VALS(Y(&c), -2, 1, 2, -1);
    tc_end(&c);
    CHECK_EQ_INT(unary(&c, "Ceil", V(-1.5, 1.5, 2, 0.25)), 0);
    EXPECT_VALS(Y(&c), -1, 2, 2, 1);
    tc_end(&c);
    /* Round half to even: 0.5->0, 1.5->2, 2.5->2, -2.5->-2; others to nearest */
    CHECK_EQ_INT(RUN(&c, "Round", 11, mk(F, 1, S(8), V(0.5, 1.5, 2.5, -2.5, -0.5, 0.4, 2.6, -1.7))),
                 0);
    EXPECT_VALS(Y(&c), 0, 2, 2, -2, 0, 0, 3, -2);
    CHECK(signbit(finn_tensor_get(Y(&c), 4))); /* -0.5 -> -0 */
    tc_end(&c);
    CHECK_EQ_INT(unary(&c, "Abs", V(-2, 3, -0.5, 0)), 0);
    EXPECT_VALS(Y(&c), 2, 3, 0.5, 0);
    tc_end(&c);
    CHECK_EQ_INT(unary(&c, "Neg", V(-2, 3, -0.5, 0)), 0);
    EXPECT_VALS(Y(&c), 2, -3, 0.5, 0);
    tc_end(&c);
    /* int32 Neg/Abs: [5, -7] -> [-5, 7] */
    CHECK_EQ_INT(RUN(&c, "Neg", 13, mk(I32, 1, S(2), V(5, -7))), 0);
    EXPECT_VALS(Y(&c), -5, 7);
    tc_end(&c);
    CHECK_EQ_INT(RUN(&c, "Abs", 13, mk(I64, 1, S(2), V(5, -7))), 0);
    EXPECT_VALS(Y(&c), 5, 7);
    tc_end(&c);
    /* Exp(0)=1, Exp(1)=e (float32 nearest), Exp(ln 4)=4, Exp(-inf)=0 */
    CHECK_EQ_INT(unary(&c, "Exp", V(0, 1, log(4.0), -INFINITY)), 0);
    EXPECT_VALS(Y(&c), 1, (float)M_E, 4, 0);
    tc_end(&c);
    /* Log(1)=0, Log(e^2)=2, Log(0)=-inf, Log(-1)=NaN */
    CHECK_EQ_INT(unary(&c, "Log", V(1, exp(2.0), 0, -1)), 0);
    EXPECT_VALS(Y(&c), 0, 2, -INFINITY, NAN);
    tc_end(&c);
    /* Sqrt(4)=2, Sqrt(2)=1.41421354f (correctly rounded), Sqrt(0.25)=0.5, Sqrt(-1)=NaN */
    CHECK_EQ_INT(unary(&c, "Sqrt", V(4, 2, 0.25, -1)), 0);
    EXPECT_VALS(Y(&c), 2, 1.41421354f, 0.5, NAN);
    tc_end(&c);
    /* Identity keeps int64 bits exactly: 2^60 + 1 */
    tc_begin(&c, "Identity", 13);
    finn_tensor *big = mk(I64, 1, S(1), V(0));
    ((int64_t *)big->data)[0] = (INT64_C(1) << 60) + 1;
    tc_in(&c, "x0", big);
    tc_out(&c, "y");
    CHECK_EQ_INT(tc_run(&c), 0);
    CHECK(((const int64_t *)Y(&c)->data)[0] == (INT64_C(1) << 60) + 1);
    EXPECT_SHAPE(&c, "y", I64, 1, 1);
    tc_end(&c);
}

static void test_clip(void)
{
    tc c;
    /* opset 6: attributes min=-1, max=1: [-2,-0.5,3] -> [-1,-0.5,1] */
    tc_begin(&c, "Clip", 6);
    tc_af(&c, "min", -1);
    tc_af(&c, "max", 1);
    CHECK_EQ_INT(run_op(&c, "Clip", 6, 1, IN(mk(F, 1, S(3), V(-2, -0.5, 3)))), 0);
    EXPECT_VALS(Y(&c), -1, -0.5, 1);
    EXPECT_SHAPE(&c, "y", F, 1, 3);
    tc_end(&c);
    /* opset 6, only max=1: min defaults to the lowest float -> [-2,-0.5,1] */
    tc_begin(&c, "Clip", 6);
    tc_af(&c, "max", 1);
    CHECK_EQ_INT(run_op(&c, "Clip", 6, 1, IN(mk(F, 1, S(3), V(-2, -0.5, 3)))), 0);
    EXPECT_VALS(Y(&c), -2, -0.5, 1);
    tc_end(&c);
    /* opset 11: min input 0, max omitted -> [0, 0, 3]; attributes are ignored */
    tc_begin(&c, "Clip", 11);
    tc_af(&c, "max", 1);
    CHECK_EQ_INT(run_op(&c, "Clip", 11, 3, IN(mk(F, 1, S(3), V(-2, -0.5, 3)),
                                              mk(F, 0, NULL, V(0)), NULL)), 0);
    EXPECT_VALS(Y(&c), 0, 0, 3);
    tc_end(&c);
    /* opset 11, no bounds at all: unchanged */
    CHECK_EQ_INT(RUN(&c, "Clip", 11, mk(F, 1, S(3), V(-2, -0.5, 3))), 0);
    EXPECT_VALS(Y(&c), -2, -0.5, 3);
    tc_end(&c);
    /* opset 13 int32: [-5, 5, 100] clipped to [-3, 10] -> [-3, 5, 10] */
    CHECK_EQ_INT(RUN(&c, "Clip", 13, mk(I32, 1, S(3), V(-5, 5, 100)), mk(I32, 0, NULL, V(-3)),
                     mk(I32, 0, NULL, V(10))), 0);
    EXPECT_VALS(Y(&c), -3, 5, 10);
    EXPECT_SHAPE(&c, "y", I32, 1, 3);
    tc_end(&c);
    /* min > max: everything becomes max -> [1, 1, 1] */
    CHECK_EQ_INT(RUN(&c, "Clip", 13, mk(F, 1, S(3), V(-2, 1.5, 3)), mk(F, 0, NULL, V(2)),
                     mk(F, 0, NULL, V(1))), 0);
    EXPECT_VALS(Y(&c), 1, 1, 1);
    tc_end(&c);
    /* bounds given as (1,) tensors work too; (2,) is refused */
    CHECK_EQ_INT(RUN(&c, "Clip", 12, mk(F, 1, S(2), V(-2, 3)), mk(F, 1, S(2), V(0, 1))), -1);
    CHECK_CONTAINS(c.err.msg, "Clip min must be a scalar, has 2 elements");
    tc_end(&c);
}

/* ---- Cast, Constant, Shape ---------------------------------------------- */

static void test_cast(void)
{
    tc c;
    /* float -> int32 (to=6) truncates toward zero: [1.7, -1.7, 0, 300] -> [1, -1, 0, 300] */
    tc_begin(&c, "Cast", 13);
    tc_ai(&c, "to", 6);
    CHECK_EQ_INT(run_op(&c, "Cast", 13, 1, IN(mk(F, 2, S(2, 2), V(1.7, -1.7, 0, 300)))), 0);
    EXPECT_VALS(Y(&c), 1, -1, 0, 300);
    EXPECT_SHAPE(&c, "y", I32, 2, 2, 2);
    tc_end(&c);
    /* float -> bool (to=9): nonzero is true: [0.5, 0, -2] -> [T, F, T] */
    tc_begin(&c, "Cast", 13);
    tc_ai(&c, "to", 9);
    CHECK_EQ_INT(run_op(&c, "Cast", 13, 1, IN(mk(F, 1, S(3), V(0.5, 0, -2)))), 0);
    EXPECT_VALS(Y(&c), 1, 0, 1);
    EXPECT_SHAPE(&c, "y", B, 1, 3);
    tc_end(&c);
    /* int64 -> float (to=1): 2^24 + 1 = 16777217 rounds to even 16777216 */
    tc_begin(&c, "Cast", 9);
    tc_ai(&c, "to", 1);
    CHECK_EQ_INT(run_op(&c, "Cast", 9, 1, IN(mk(I64, 1, S(2), V(16777217, -3)))), 0);
    EXPECT_VALS(Y(&c), 16777216, -3);
    EXPECT_SHAPE(&c, "y", F, 1, 2);
    tc_end(&c);
    /* to=8 (string) is not supported; missing `to` is an error */
    tc_begin(&c, "Cast", 13);
    tc_ai(&c, "to", 8);
    CHECK_EQ_INT(run_op(&c, "Cast", 13, 1, IN(mk(F, 1, S(1), V(1)))), -1);
    CHECK_STR(c.err.msg, "Cast to element type 8");
    tc_end(&c);
    CHECK_EQ_INT(RUN(&c, "Cast", 13, mk(F, 1, S(1), V(1))), -1);
    CHECK_STR(c.err.msg, "Cast has no 'to' attribute");
    tc_end(&c);
}

static void test_constant(void)
{
    tc c;
    /* value: tensor attribute (2,) [1.5, -2] */
    tc_begin(&c, "Constant", 13);
    finn_node_set_attr_t(c.n, "value", mk(F, 1, S(2), V(1.5, -2)), &c.err);
    tc_out(&c, "y");
    CHECK_EQ_INT(tc_run(&c), 0);
    EXPECT_VALS(Y(&c), 1.5, -2);
    EXPECT_SHAPE(&c, "y", F, 1, 2);
    tc_end(&c);
    /* value_float 0.25 -> float scalar */
    tc_begin(&c, "Constant", 13);
    tc_af(&c, "value_float", 0.25f);
    tc_out(&c, "y");
    CHECK_EQ_INT(tc_run(&c), 0);
    EXPECT_VALS(Y(&c), 0.25);
    EXPECT_SHAPE(&c, "y", F, 0, 0);
    tc_end(&c);
    /* value_int 7 -> int64 scalar */
    tc_begin(&c, "Constant", 13);
    tc_ai(&c, "value_int", 7);
    tc_out(&c, "y");
    CHECK_EQ_INT(tc_run(&c), 0);
    EXPECT_VALS(Y(&c), 7);
    EXPECT_SHAPE(&c, "y", I64, 0, 0);
    tc_end(&c);
    /* value_ints [1, 2, 3] -> int64 (3,) */
    tc_begin(&c, "Constant", 13);
    finn_node_set_attr_ints(c.n, "value_ints", S(1, 2, 3), 3, &c.err);
    tc_out(&c, "y");
    CHECK_EQ_INT(tc_run(&c), 0);
    EXPECT_VALS(Y(&c), 1, 2, 3);
    EXPECT_SHAPE(&c, "y", I64, 1, 3);
    tc_end(&c);
    /* value_floats [0.5, 4] -> float (2,) */
    tc_begin(&c, "Constant", 13);
    finn_node_set_attr_floats(c.n, "value_floats", (const float[]){0.5f, 4.0f}, 2, &c.err);
    tc_out(&c, "y");
    CHECK_EQ_INT(tc_run(&c), 0);
    EXPECT_VALS(Y(&c), 0.5, 4);
    EXPECT_SHAPE(&c, "y", F, 1, 2);
    tc_end(&c);
    /* nothing usable */
    tc_begin(&c, "Constant", 13);
    tc_out(&c, "y");
    CHECK_EQ_INT(tc_run(&c), -1);
    CHECK_CONTAINS(c.err.msg, "Constant needs one of value");
    tc_end(&c);
}

static void test_shape(void)
{
    tc c;
    /* (2,3,4) -> [2,3,4] */
    CHECK_EQ_INT(RUN(&c, "Shape", 13, mk(F, 3, S(2, 3, 4), NULL)), 0);
    EXPECT_VALS(Y(&c), 2, 3, 4);
    EXPECT_SHAPE(&c, "y", I64, 1, 3);
    tc_end(&c);
    /* opset 15 start=1 -> [3,4]; start=-1 -> [4]; end=-1 -> [2,3] */
    tc_begin(&c, "Shape", 15);
    tc_ai(&c, "start", 1);
    CHECK_EQ_INT(run_op(&c, "Shape", 15, 1, IN(mk(F, 3, S(2, 3, 4), NULL))), 0);
    EXPECT_VALS(Y(&c), 3, 4);
    EXPECT_SHAPE(&c, "y", I64, 1, 2);
    tc_end(&c);
    tc_begin(&c, "Shape", 15);
    tc_ai(&c, "start", -1);
    CHECK_EQ_INT(run_op(&c, "Shape", 15, 1, IN(mk(F, 3, S(2, 3, 4), NULL))), 0);
    EXPECT_VALS(Y(&c), 4);
    tc_end(&c);
    tc_begin(&c, "Shape", 15);
    tc_ai(&c, "end", -1);
    CHECK_EQ_INT(run_op(&c, "Shape", 15, 1, IN(mk(F, 3, S(2, 3, 4), NULL))), 0);
    EXPECT_VALS(Y(&c), 2, 3);
    tc_end(&c);
    /* before opset 15 start is ignored */
    tc_begin(&c, "Shape", 13);
    tc_ai(&c, "start", 1);
    CHECK_EQ_INT(run_op(&c, "Shape", 13, 1, IN(mk(F, 3, S(2, 3, 4), NULL))), 0);
    EXPECT_VALS(Y(&c), 2, 3, 4);
    tc_end(&c);
}

/* ---- Softmax ---------------------------------------------------------------- */

static void test_softmax(void)
{
    tc c;
    finn_tensor *z;
    /* zeros (1,2,2), default axis: opset 11 (axis 1, coerced to (1,4)) gives
     * 1/4 everywhere; opset 13 (axis -1, pairs) gives 1/2 everywhere */
    z = mk(F, 3, S(1, 2, 2), V(0, 0, 0, 0));
    CHECK_EQ_INT(RUN(&c, "Softmax", 11, z), 0);
    EXPECT_VALS(Y(&c), 0.25, 0.25, 0.25, 0.25);
    EXPECT_SHAPE(&c, "y", F, 3, 1, 2, 2);
    tc_end(&c);
    z = mk(F, 3, S(1, 2, 2), V(0, 0, 0, 0));
    CHECK_EQ_INT(RUN(&c, "Softmax", 13, z), 0);
    EXPECT_VALS(Y(&c), 0.5, 0.5, 0.5, 0.5);
    tc_end(&c);
    /* opset 13 axis=1 on (1,2,2) [[0, ln3], [ln3, 0]] (columns):
     * column 0: [0, ln3] -> [1/4, 3/4]; column 1: [ln3, 0] -> [3/4, 1/4] */
    tc_begin(&c, "Softmax", 13);
    tc_ai(&c, "axis", 1);
    CHECK_EQ_INT(run_op(&c, "Softmax", 13, 1,
                        IN(mk(F, 3, S(1, 2, 2), V(0, log(3.0), log(3.0), 0)))), 0);
    EXPECT_VALS(Y(&c), 0.25, 0.75, 0.75, 0.25);
    tc_end(&c);
    /* same data, opset 11 axis=1: the (1,4) row [0, ln3, ln3, 0] sums to 8 ->
     * [1/8, 3/8, 3/8, 1/8] */
    tc_begin(&c, "Softmax", 11);
    tc_ai(&c, "axis", 1);
    CHECK_EQ_INT(run_op(&c, "Softmax", 11, 1,
                        IN(mk(F, 3, S(1, 2, 2), V(0, log(3.0), log(3.0), 0)))), 0);
    EXPECT_VALS(Y(&c), 0.125, 0.375, 0.375, 0.125);
    tc_end(&c);
    /* opset 11 axis=-1 on (2,2): rows [0, ln3] and [5, 5] -> [1/4,3/4], [1/2,1/2];
     * large values are stable (max subtracted): [1000, 1000] -> [1/2, 1/2] */
    tc_begin(&c, "Softmax", 11);
    tc_ai(&c, "axis", -1);
    CHECK_EQ_INT(run_op(&c, "Softmax", 11, 1, IN(mk(F, 2, S(3, 2), V(0, log(3.0), 5, 5, 1000, 1000)))),
                 0);
    EXPECT_VALS(Y(&c), 0.25, 0.75, 0.5, 0.5, 0.5, 0.5);
    tc_end(&c);
    /* axis out of range */
    tc_begin(&c, "Softmax", 13);
    tc_ai(&c, "axis", 2);
    CHECK_EQ_INT(run_op(&c, "Softmax", 13, 1, IN(mk(F, 2, S(1, 2), V(0, 0)))), -1);
    CHECK_CONTAINS(c.err.msg, "Softmax axis 2 is out of range for rank 2");
    tc_end(&c);
}

/* ---- reductions ------------------------------------------------------------- */

/* x = [[1,2,3],[4,5,6]]: row sums 6, 15; column sums 5, 7, 9; total 21 */
#define X23 mk(F, 2, S(2, 3), V(1, 2, 3, 4, 5, 6))

static void test_reduce_sum(void)
{
    tc c;
    /* opset 11: axes attribute [1], keepdims 0 -> [6, 15] shape (2,) */
    tc_begin(&c, "ReduceSum", 11);
    finn_node_set_attr_ints(c.n, "axes", S(1), 1, &c.err);
    tc_ai(&c, "keepdims", 0);
    CHECK_EQ_INT(run_op(&c, "ReduceSum", 11, 1, IN(X23)), 0);
    EXPECT_VALS(Y(&c), 6, 15);
    EXPECT_SHAPE(&c, "y", F, 1, 2);
    tc_end(&c);
    /* opset 13: axes input [-1] (initializer), keepdims default 1 -> (2,1) [6, 15] */
    tc_begin(&c, "ReduceSum", 13);
    tc_in(&c, "x", X23);
    tc_init(&c, "axes", mk(I64, 1, S(1), V(-1)));
    tc_out(&c, "y");
    CHECK_EQ_INT(tc_run(&c), 0);
    EXPECT_VALS(Y(&c), 6, 15);
    EXPECT_SHAPE(&c, "y", F, 2, 2, 1);
    tc_end(&c);
    /* opset 13 ignores an axes attribute: no axes input -> everything: 21, shape (1,1) */
    tc_begin(&c, "ReduceSum", 13);
    finn_node_set_attr_ints(c.n, "axes", S(1), 1, &c.err);
    CHECK_EQ_INT(run_op(&c, "ReduceSum", 13, 1, IN(X23)), 0);
    EXPECT_VALS(Y(&c), 21);
    EXPECT_SHAPE(&c, "y", F, 2, 1, 1);
    tc_end(&c);
    /* opset 13, empty axes input and noop_with_empty_axes=1: identity */
    tc_begin(&c, "ReduceSum", 13);
    tc_ai(&c, "noop_with_empty_axes", 1);
    tc_in(&c, "x", X23);
    tc_init(&c, "axes", mk(I64, 1, S(0), NULL));
    tc_out(&c, "y");
    CHECK_EQ_INT(tc_run(&c), 0);
    EXPECT_VALS(Y(&c), 1, 2, 3, 4, 5, 6);
    EXPECT_SHAPE(&c, "y", F, 2, 2, 3);
    tc_end(&c);
    /* opset 13, empty axes input, noop 0, keepdims 0: all -> scalar 21 */
    tc_begin(&c, "ReduceSum", 13);
    tc_ai(&c, "keepdims", 0);
    tc_in(&c, "x", X23);
    tc_init(&c, "axes", mk(I64, 1, S(0), NULL));
    tc_out(&c, "y");
    CHECK_EQ_INT(tc_run(&c), 0);
    EXPECT_VALS(Y(&c), 21);
    EXPECT_SHAPE(&c, "y", F, 0, 0);
    tc_end(&c);
    /* opset 11 with axes [0, -1] on (2,3): everything, kept: (1,1) 21 */
    tc_begin(&c, "ReduceSum", 11);
    finn_node_set_attr_ints(c.n, "axes", S(0, -1), 2, &c.err);
    CHECK_EQ_INT(run_op(&c, "ReduceSum", 11, 1, IN(X23)), 0);
    EXPECT_VALS(Y(&c), 21);
    EXPECT_SHAPE(&c, "y", F, 2, 1, 1);
    tc_end(&c);
    /* repeated / out-of-range axes */
    tc_begin(&c, "ReduceSum", 11);
    finn_node_set_attr_ints(c.n, "axes", S(1, -1), 2, &c.err);
    CHECK_EQ_INT(run_op(&c, "ReduceSum", 11, 1, IN(X23)), -1);
    CHECK_STR(c.err.msg, "reduce axis -1 is repeated");
    tc_end(&c);
    tc_begin(&c, "ReduceSum", 11);
    finn_node_set_attr_ints(c.n, "axes", S(2), 1, &c.err);
    CHECK_EQ_INT(run_op(&c, "ReduceSum", 11, 1, IN(X23)), -1);
    CHECK_STR(c.err.msg, "reduce axis 2 is out of range for rank 2");
    tc_end(&c);
    /* int64 sum keeps exact integers: 2^53 + 1 + 1 = 2^53 + 2 */
    tc_begin(&c, "ReduceSum", 13);
    finn_tensor *x = mk(I64, 1, S(2), V(0, 1));
    ((int64_t *)x->data)[0] = (INT64_C(1) << 53) + 1;
    CHECK_EQ_INT(run_op(&c, "ReduceSum", 13, 1, IN(x)), 0);
    CHECK(((const int64_t *)Y(&c)->data)[0] == (INT64_C(1) << 53) + 2);
    tc_end(&c);
}

static void test_reduce_mean_max(void)
{
    tc c;
    /* ReduceMean axes [0]: column means [2.5, 3.5, 4.5], shape (1,3) */
    tc_begin(&c, "ReduceMean", 13);
    finn_node_set_attr_ints(c.n, "axes", S(0), 1, &c.err);
    CHECK_EQ_INT(run_op(&c, "ReduceMean", 13, 1, IN(X23)), 0);
    EXPECT_VALS(Y(&c), 2.5, 3.5, 4.5);
    EXPECT_SHAPE(&c, "y", F, 2, 1, 3);
    tc_end(&c);
    /* ReduceMean without axes: 21 / 6 = 3.5, shape (1,1) */
    CHECK_EQ_INT(RUN(&c, "ReduceMean", 13, X23), 0);
    EXPECT_VALS(Y(&c), 3.5);
    EXPECT_SHAPE(&c, "y", F, 2, 1, 1);
    tc_end(&c);
    /* ReduceMean (1,2,2,2) over H,W (axes [2,3]) - global average pooling:
     * channel 0: (1+2+3+4)/4 = 2.5, channel 1: (10+20+30+41)/4 = 25.25 */
    tc_begin(&c, "ReduceMean", 13);
    finn_node_set_attr_ints(c.n, "axes", S(2, 3), 2, &c.err);
    CHECK_EQ_INT(run_op(&c, "ReduceMean", 13, 1,
                        IN(mk(F, 4, S(1, 2, 2, 2), V(1, 2, 3, 4, 10, 20, 30, 41)))), 0);
    EXPECT_VALS(Y(&c), 2.5, 25.25);
    EXPECT_SHAPE(&c, "y", F, 4, 1, 2, 1, 1);
    tc_end(&c);
    /* int32 mean truncates: (1+2)/2 = 1, (-1-2)/2 = -1 */
    tc_begin(&c, "ReduceMean", 13);
    finn_node_set_attr_ints(c.n, "axes", S(1), 1, &c.err);
    tc_ai(&c, "keepdims", 0);
    CHECK_EQ_INT(run_op(&c, "ReduceMean", 13, 1, IN(mk(I32, 2, S(2, 2), V(1, 2, -1, -2)))), 0);
    EXPECT_VALS(Y(&c), 1, -1);
    EXPECT_SHAPE(&c, "y", I32, 1, 2);
    tc_end(&c);
    /* ReduceMax axes [-1] keepdims 0: [3, 6] */
    tc_begin(&c, "ReduceMax", 13);
    finn_node_set_attr_ints(c.n, "axes", S(-1), 1, &c.err);
    tc_ai(&c, "keepdims", 0);
    CHECK_EQ_INT(run_op(&c, "ReduceMax", 13, 1, IN(X23)), 0);
    EXPECT_VALS(Y(&c), 3, 6);
    EXPECT_SHAPE(&c, "y", F, 1, 2);
    tc_end(&c);
    /* ReduceMax opset 18: axes as input [0] -> [4, 5, 6], and negatives:
     * [[-5,-1],[-3,-4]] max over axis 0 -> [-3, -1] */
    tc_begin(&c, "ReduceMax", 18);
    tc_in(&c, "x", mk(F, 2, S(2, 2), V(-5, -1, -3, -4)));
    tc_init(&c, "axes", mk(I64, 1, S(1), V(0)));
    tc_out(&c, "y");
    CHECK_EQ_INT(tc_run(&c), 0);
    EXPECT_VALS(Y(&c), -3, -1);
    EXPECT_SHAPE(&c, "y", F, 2, 1, 2);
    tc_end(&c);
    /* ReduceMax int8 no axes: max(-7, 3, 2) = 3 */
    CHECK_EQ_INT(RUN(&c, "ReduceMax", 13, mk(FINN_ELEM_INT8, 1, S(3), V(-7, 3, 2))), 0);
    EXPECT_VALS(Y(&c), 3);
    EXPECT_SHAPE(&c, "y", FINN_ELEM_INT8, 1, 1);
    tc_end(&c);
}

static void test_argmax(void)
{
    tc c;
    /* x = [[1,3,3],[5,0,5]]; axis 1, keepdims 0: first max -> [1, 0] */
    tc_begin(&c, "ArgMax", 13);
    tc_ai(&c, "axis", 1);
    tc_ai(&c, "keepdims", 0);
    CHECK_EQ_INT(run_op(&c, "ArgMax", 13, 1, IN(mk(F, 2, S(2, 3), V(1, 3, 3, 5, 0, 5)))), 0);
    EXPECT_VALS(Y(&c), 1, 0);
    EXPECT_SHAPE(&c, "y", I64, 1, 2);
    tc_end(&c);
    /* select_last_index=1: last max -> [2, 2] */
    tc_begin(&c, "ArgMax", 12);
    tc_ai(&c, "axis", 1);
    tc_ai(&c, "keepdims", 0);
    tc_ai(&c, "select_last_index", 1);
    CHECK_EQ_INT(run_op(&c, "ArgMax", 12, 1, IN(mk(F, 2, S(2, 3), V(1, 3, 3, 5, 0, 5)))), 0);
    EXPECT_VALS(Y(&c), 2, 2);
    tc_end(&c);
    /* axis -2, keepdims 1: per column (1 vs 5, 3 vs 0, 3 vs 5) -> [[1, 0, 1]] (1,3) */
    tc_begin(&c, "ArgMax", 13);
    tc_ai(&c, "axis", -2);
    CHECK_EQ_INT(run_op(&c, "ArgMax", 13, 1, IN(mk(F, 2, S(2, 3), V(1, 3, 3, 5, 0, 5)))), 0);
    EXPECT_VALS(Y(&c), 1, 0, 1);
    EXPECT_SHAPE(&c, "y", I64, 2, 1, 3);
    tc_end(&c);
    /* default axis 0 on int32 [-4, -2, -9] -> 1, shape (1,) */
    CHECK_EQ_INT(RUN(&c, "ArgMax", 11, mk(I32, 1, S(3), V(-4, -2, -9))), 0);
    EXPECT_VALS(Y(&c), 1);
    EXPECT_SHAPE(&c, "y", I64, 1, 1);
    tc_end(&c);
}

/* ---- TopK -------------------------------------------------------------------- */

static void expect_topk_shapes(const tc *c, int line, int nd, const int64_t *shape,
                               finn_elem_type et)
{
    expect_both(c, "vals", et, nd, shape, line);
    expect_both(c, "idx", I64, nd, shape, line);
}

static void topk_begin(tc *c, int64_t opset, finn_tensor *x, finn_tensor *k)
{
    tc_begin(c, "TopK", opset);
    tc_in(c, "x", x);
    if (k)
        tc_init(c, "k", k);
    tc_out(c, "vals");
    tc_out(c, "idx");
}

static void test_topk(void)
{
    tc c;
    /* opset 1, attribute k=2: [1, 3, 2, 3] -> values [3, 3], indices [1, 3] (tie: lower first) */
    topk_begin(&c, 1, mk(F, 1, S(4), V(1, 3, 2, 3)), NULL);
    tc_ai(&c, "k", 2);
    CHECK_EQ_INT(tc_run(&c), 0);
    EXPECT_VALS(tc_get(&c, "vals"), 3, 3);
    EXPECT_VALS(tc_get(&c, "idx"), 1, 3);
    expect_topk_shapes(&c, __LINE__, 1, S(2), F);
    tc_end(&c);
    /* opset 11, k input 2, largest=0: [1, 3, 2, 1] -> values [1, 1], indices [0, 3] */
    topk_begin(&c, 11, mk(F, 1, S(4), V(1, 3, 2, 1)), mk(I64, 1, S(1), V(2)));
    tc_ai(&c, "largest", 0);
    CHECK_EQ_INT(tc_run(&c), 0);
    EXPECT_VALS(tc_get(&c, "vals"), 1, 1);
    EXPECT_VALS(tc_get(&c, "idx"), 0, 3);
    tc_end(&c);
    /* the same node at opset 1 would need the attribute: k input ignored -> error */
    topk_begin(&c, 1, mk(F, 1, S(4), V(1, 3, 2, 1)), mk(I64, 1, S(1), V(2)));
    CHECK_EQ_INT(tc_run(&c), -1);
    CHECK_STR(c.err.msg, "TopK needs a 'k' attribute >= 0");
    tc_end(&c);
    /* axis 0 on (3,2) [[1,6],[5,2],[3,4]], k=2:
     * column 0: 5 (row 1), 3 (row 2); column 1: 6 (row 0), 4 (row 2) */
    topk_begin(&c, 11, mk(F, 2, S(3, 2), V(1, 6, 5, 2, 3, 4)), mk(I64, 1, S(1), V(2)));
    tc_ai(&c, "axis", 0);
    CHECK_EQ_INT(tc_run(&c), 0);
    EXPECT_VALS(tc_get(&c, "vals"), 5, 6, 3, 4);
    EXPECT_VALS(tc_get(&c, "idx"), 1, 0, 2, 2);
    expect_topk_shapes(&c, __LINE__, 2, S(2, 2), F);
    tc_end(&c);
    /* default axis -1 on (2,3) int64, k=1 (InsertTopK's use): [[7,9,9],[-1,-5,-1]] ->
     * values [[9],[-1]], indices [[1],[0]] */
    topk_begin(&c, 13, mk(I64, 2, S(2, 3), V(7, 9, 9, -1, -5, -1)), mk(I64, 1, S(1), V(1)));
    CHECK_EQ_INT(tc_run(&c), 0);
    EXPECT_VALS(tc_get(&c, "vals"), 9, -1);
    EXPECT_VALS(tc_get(&c, "idx"), 1, 0);
    expect_topk_shapes(&c, __LINE__, 2, S(2, 1), I64);
    tc_end(&c);
    /* opset 10: k input, largest always: [0.5, -1, 2] k=3 -> [2, 0.5, -1], [2, 0, 1] */
    topk_begin(&c, 10, mk(F, 1, S(3), V(0.5, -1, 2)), mk(I64, 1, S(1), V(3)));
    CHECK_EQ_INT(tc_run(&c), 0);
    EXPECT_VALS(tc_get(&c, "vals"), 2, 0.5, -1);
    EXPECT_VALS(tc_get(&c, "idx"), 2, 0, 1);
    tc_end(&c);
    /* k larger than the axis */
    topk_begin(&c, 11, mk(F, 1, S(3), V(0.5, -1, 2)), mk(I64, 1, S(1), V(4)));
    CHECK_EQ_INT(tc_run(&c), -1);
    CHECK_CONTAINS(c.err.msg, "TopK k=4 exceeds axis 0 of size 3");
    tc_end(&c);
}

/* ---- MatMul, Gemm ------------------------------------------------------------ */

static void test_matmul(void)
{
    tc c;
    /* [[1,2,3],[4,5,6]] x [[7,8],[9,10],[11,12]]:
     * 1*7+2*9+3*11 = 58, 1*8+2*10+3*12 = 64, 4*7+5*9+6*11 = 139, 4*8+5*10+6*12 = 154 */
    CHECK_EQ_INT(RUN(&c, "MatMul", 13, mk(F, 2, S(2, 3), V(1, 2, 3, 4, 5, 6)),
                     mk(F, 2, S(3, 2), V(7, 8, 9, 10, 11, 12))), 0);
    EXPECT_VALS(Y(&c), 58, 64, 139, 154);
    EXPECT_SHAPE(&c, "y", F, 2, 2, 2);
    tc_end(&c);
    /* 1-D x 2-D: [1,2,3] x B = [58, 64], shape (2,) */
    CHECK_EQ_INT(RUN(&c, "MatMul", 13, mk(F, 1, S(3), V(1, 2, 3)),
                     mk(F, 2, S(3, 2), V(7, 8, 9, 10, 11, 12))), 0);
    EXPECT_VALS(Y(&c), 58, 64);
    EXPECT_SHAPE(&c, "y", F, 1, 2);
    tc_end(&c);
    /* 2-D x 1-D: A x [1,1,1] = [6, 15], shape (2,) */
    CHECK_EQ_INT(RUN(&c, "MatMul", 13, mk(F, 2, S(2, 3), V(1, 2, 3, 4, 5, 6)),
                     mk(F, 1, S(3), V(1, 1, 1))), 0);
    EXPECT_VALS(Y(&c), 6, 15);
    EXPECT_SHAPE(&c, "y", F, 1, 2);
    tc_end(&c);
    /* 1-D x 1-D: [1,2,3].[4,5,6] = 4+10+18 = 32, a scalar */
    CHECK_EQ_INT(RUN(&c, "MatMul", 13, mk(F, 1, S(3), V(1, 2, 3)), mk(F, 1, S(3), V(4, 5, 6))), 0);
    EXPECT_VALS(Y(&c), 32);
    EXPECT_SHAPE(&c, "y", F, 0, 0);
    tc_end(&c);
    /* batched broadcast: A (2,1,2,2) = [I, 2I], B (3,2,2) = [P, Q, R] with
     * P = [[1,2],[3,4]], Q = [[0,1],[1,0]], R = [[1,1],[1,1]] -> (2,3,2,2) = [P,Q,R, 2P,2Q,2R] */
    CHECK_EQ_INT(RUN(&c, "MatMul", 13, mk(F, 4, S(2, 1, 2, 2), V(1, 0, 0, 1, 2, 0, 0, 2)),
                     mk(F, 3, S(3, 2, 2), V(1, 2, 3, 4, 0, 1, 1, 0, 1, 1, 1, 1))), 0);
    EXPECT_VALS(Y(&c), 1, 2, 3, 4, 0, 1, 1, 0, 1, 1, 1, 1,
                2, 4, 6, 8, 0, 2, 2, 0, 2, 2, 2, 2);
    EXPECT_SHAPE(&c, "y", F, 4, 2, 3, 2, 2);
    tc_end(&c);
    /* batched x 2-D: (2,1,3) x (3,1): [[1,2,3]],[[4,5,6]] x [1,0,-1]^T = [[-2]],[[-2]] */
    CHECK_EQ_INT(RUN(&c, "MatMul", 13, mk(F, 3, S(2, 1, 3), V(1, 2, 3, 4, 5, 6)),
                     mk(F, 2, S(3, 1), V(1, 0, -1))), 0);
    EXPECT_VALS(Y(&c), -2, -2);
    EXPECT_SHAPE(&c, "y", F, 3, 2, 1, 1);
    tc_end(&c);
    /* float32 accumulation: 2^24 + 1 + 1 in float32 = 2^24 (each +1 rounds away) */
    CHECK_EQ_INT(RUN(&c, "MatMul", 13, mk(F, 2, S(1, 3), V(16777216, 1, 1)),
                     mk(F, 2, S(3, 1), V(1, 1, 1))), 0);
    EXPECT_VALS(Y(&c), 16777216);
    tc_end(&c);
    /* int64: [[2, -3]] x [[4],[5]] = 8 - 15 = -7 */
    CHECK_EQ_INT(RUN(&c, "MatMul", 13, mk(I64, 2, S(1, 2), V(2, -3)), mk(I64, 2, S(2, 1), V(4, 5))),
                 0);
    EXPECT_VALS(Y(&c), -7);
    EXPECT_SHAPE(&c, "y", I64, 2, 1, 1);
    tc_end(&c);
    /* mismatched inner dims */
    CHECK_EQ_INT(RUN(&c, "MatMul", 13, mk(F, 2, S(2, 3), V(1, 2, 3, 4, 5, 6)),
                     mk(F, 2, S(2, 2), V(1, 2, 3, 4))), -1);
    CHECK_STR(c.err.msg, "MatMul shapes (2, 3) and (2, 2) do not match");
    tc_end(&c);
}

static void test_gemm(void)
{
    tc c;
    /* A = [[1,2,3],[4,5,6]], B stored (2,3) = [[1,0,1],[0,1,0]] with transB=1:
     * A B' = [[1+3, 2], [4+6, 5]] = [[4,2],[10,5]]; alpha 2 -> [[8,4],[20,10]];
     * C = [1, 2] broadcast, beta 0.5 -> + [0.5, 1] = [[8.5, 5], [20.5, 11]] */
    tc_begin(&c, "Gemm", 11);
    tc_ai(&c, "transB", 1);
    tc_af(&c, "alpha", 2);
    tc_af(&c, "beta", 0.5f);
    CHECK_EQ_INT(run_op(&c, "Gemm", 11, 3, IN(mk(F, 2, S(2, 3), V(1, 2, 3, 4, 5, 6)),
                                              mk(F, 2, S(2, 3), V(1, 0, 1, 0, 1, 0)),
                                              mk(F, 1, S(2), V(1, 2)))), 0);
    EXPECT_VALS(Y(&c), 8.5, 5, 20.5, 11);
    EXPECT_SHAPE(&c, "y", F, 2, 2, 2);
    tc_end(&c);
    /* transA: A stored (3,2) = A^T of the above, B (3,2) = [[1,0],[0,1],[1,0]],
     * C (2,1) = [[10],[20]] -> [[14, 12], [30, 25]] */
    tc_begin(&c, "Gemm", 9);
    tc_ai(&c, "transA", 1);
    CHECK_EQ_INT(run_op(&c, "Gemm", 9, 3, IN(mk(F, 2, S(3, 2), V(1, 4, 2, 5, 3, 6)),
                                             mk(F, 2, S(3, 2), V(1, 0, 0, 1, 1, 0)),
                                             mk(F, 2, S(2, 1), V(10, 20)))), 0);
    EXPECT_VALS(Y(&c), 14, 12, 30, 25);
    tc_end(&c);
    /* opset 13 without C, scalar C case: [[1,2]] x [[3],[4]] = 11; + scalar 1 = 12 */
    CHECK_EQ_INT(RUN(&c, "Gemm", 13, mk(F, 2, S(1, 2), V(1, 2)), mk(F, 2, S(2, 1), V(3, 4))), 0);
    EXPECT_VALS(Y(&c), 11);
    EXPECT_SHAPE(&c, "y", F, 2, 1, 1);
    tc_end(&c);
    CHECK_EQ_INT(RUN(&c, "Gemm", 13, mk(F, 2, S(1, 2), V(1, 2)), mk(F, 2, S(2, 1), V(3, 4)),
                     mk(F, 0, NULL, V(1))), 0);
    EXPECT_VALS(Y(&c), 12);
    tc_end(&c);
    /* before opset 11 C is required */
    CHECK_EQ_INT(RUN(&c, "Gemm", 9, mk(F, 2, S(1, 2), V(1, 2)), mk(F, 2, S(2, 1), V(3, 4))), -1);
    CHECK_CONTAINS(c.err.msg, "Gemm input C is required before opset 11");
    tc_end(&c);
    /* C (3,) does not broadcast to (1,1) */
    CHECK_EQ_INT(RUN(&c, "Gemm", 13, mk(F, 2, S(1, 2), V(1, 2)), mk(F, 2, S(2, 1), V(3, 4)),
                     mk(F, 1, S(3), V(1, 2, 3))), -1);
    CHECK_CONTAINS(c.err.msg, "Gemm C does not broadcast to (1, 1)");
    tc_end(&c);
}

/* ---- BatchNormalization -------------------------------------------------------- */

static void test_batchnorm(void)
{
    tc c;
    /* x (1,2,2) = [[1,2],[3,4]], scale [2,1], B [0.5,-1], mean [1,3], var [3,0], eps 1:
     * ch 0: inv_std = 1/sqrt(3+1) = 0.5, new_scale = 0.5*2 = 1, new_bias = 0.5 - 1*1 = -0.5
     *       -> [1-0.5, 2-0.5] = [0.5, 1.5]
     * ch 1: inv_std = 1/sqrt(0+1) = 1, new_scale = 1, new_bias = -1 - 3*1 = -4 -> [-1, 0] */
    tc_begin(&c, "BatchNormalization", 9);
    tc_af(&c, "epsilon", 1);
    CHECK_EQ_INT(run_op(&c, "BatchNormalization", 9, 5,
                        IN(mk(F, 3, S(1, 2, 2), V(1, 2, 3, 4)), mk(F, 1, S(2), V(2, 1)),
                           mk(F, 1, S(2), V(0.5, -1)), mk(F, 1, S(2), V(1, 3)),
                           mk(F, 1, S(2), V(3, 0)))), 0);
    EXPECT_VALS(Y(&c), 0.5, 1.5, -1, 0);
    EXPECT_SHAPE(&c, "y", F, 3, 1, 2, 2);
    tc_end(&c);
    /* N=2, NCHW (2,1,1,2), default epsilon 1e-5: var = 4 - 1e-5 so var+eps is 4 in float32:
     * y = (x - 1) / 2 * 3 + 0 -> x = [1, 3, 5, -1] -> [0, 3, 6, -3] */
    tc_begin(&c, "BatchNormalization", 15);
    CHECK_EQ_INT(run_op(&c, "BatchNormalization", 15, 5,
                        IN(mk(F, 4, S(2, 1, 1, 2), V(1, 3, 5, -1)), mk(F, 1, S(1), V(3)),
                           mk(F, 1, S(1), V(0)), mk(F, 1, S(1), V(1)),
                           mk(F, 1, S(1), V(4 - 1e-5)))), 0);
    EXPECT_VALS(Y(&c), 0, 3, 6, -3);
    EXPECT_SHAPE(&c, "y", F, 4, 2, 1, 1, 2);
    tc_end(&c);
    /* float32 formula order: var 2, eps 0, scale 1, B 0, mean 0, x 1:
     * y = 1 * (1/sqrtf(2)) + 0, all in float32 */
    tc_begin(&c, "BatchNormalization", 14);
    tc_af(&c, "epsilon", 0);
    CHECK_EQ_INT(run_op(&c, "BatchNormalization", 14, 5,
                        IN(mk(F, 2, S(1, 1), V(1)), mk(F, 1, S(1), V(1)), mk(F, 1, S(1), V(0)),
                           mk(F, 1, S(1), V(0)), mk(F, 1, S(1), V(2)))), 0);
    EXPECT_VALS(Y(&c), (double)(1.0f / sqrtf(2.0f)));
    tc_end(&c);
    /* training mode is refused; wrong parameter size too */
    tc_begin(&c, "BatchNormalization", 15);
    tc_ai(&c, "training_mode", 1);
    CHECK_EQ_INT(run_op(&c, "BatchNormalization", 15, 5,
                        IN(mk(F, 2, S(1, 1), V(1)), mk(F, 1, S(1), V(1)), mk(F, 1, S(1), V(0)),
                           mk(F, 1, S(1), V(0)), mk(F, 1, S(1), V(2)))), -1);
    CHECK_CONTAINS(c.err.msg, "only inference mode");
    tc_end(&c);
    CHECK_EQ_INT(RUN(&c, "BatchNormalization", 15, mk(F, 2, S(1, 2), V(1, 1)), mk(F, 1, S(1), V(1)),
                     mk(F, 1, S(2), V(0, 0)), mk(F, 1, S(2), V(0, 0)), mk(F, 1, S(2), V(1, 1))),
                 -1);
    CHECK_CONTAINS(c.err.msg, "BatchNormalization scale has 1 elements, expected C=2");
    tc_end(&c);
}

/* ---- shape inference corner cases and registration ------------------------------ */

static void test_shape_inference_errors(void)
{
    finn_error err = {0};
    finn_model *m = finn_model_new("g", &err);
    finn_model_set_opset(m, "", 13, &err);
    finn_node *n = finn_node_new("Add", "", "add0", &err);
    finn_node_add_input(n, "a", &err);
    finn_node_add_input(n, "b", &err);
    finn_node_add_output(n, "y", &err);
    finn_model_insert_node(m, 0, n, &err);
    finn_model_set_shape(m, "a", F, 2, S(4, 1), &err);
    const finn_op *op = finn_registry_op(REG, "", "Add");
    /* b has no shape yet */
    CHECK_EQ_INT(op->infer_shapes(m, n, &err), -1);
    CHECK_STR(err.msg, "shape of input 1 'b' is unknown");
    /* a symbolic dim (-1) broadcast with 3 gives 3; with 1 it stays -1 */
    finn_model_set_shape(m, "b", F, 2, S(-1, 3), &err);
    CHECK_EQ_INT(op->infer_shapes(m, n, &err), 0);
    const finn_value *v = finn_model_value(m, "y");
    CHECK(v && v->ndim == 2 && v->shape[0] == 4 && v->shape[1] == 3);
    /* TopK with a computed k: the axis becomes symbolic (-1) */
    finn_node *t = finn_node_new("TopK", "", "topk0", &err);
    finn_node_add_input(t, "y", &err);
    finn_node_add_input(t, "kk", &err);
    finn_node_add_output(t, "v", &err);
    finn_node_add_output(t, "i", &err);
    finn_model_insert_node(m, 1, t, &err);
    CHECK_EQ_INT(finn_registry_op(REG, "", "TopK")->infer_shapes(m, t, &err), 0);
    v = finn_model_value(m, "i");
    CHECK(v && v->elem == I64 && v->ndim == 2 && v->shape[0] == 4 && v->shape[1] == -1);
    /* ReduceSum with a computed axes input cannot be inferred */
    finn_node *r = finn_node_new("ReduceSum", "", "rs0", &err);
    finn_node_add_input(r, "y", &err);
    finn_node_add_input(r, "ax", &err);
    finn_node_add_output(r, "s", &err);
    finn_model_insert_node(m, 2, r, &err);
    CHECK_EQ_INT(finn_registry_op(REG, "", "ReduceSum")->infer_shapes(m, r, &err), -1);
    CHECK_STR(err.msg, "axes input 'ax' is not an initializer: shape unknown");
    finn_model_free(m);
}

static void test_registration(void)
{
    static const char *const ops[] = {
        "Add", "Sub", "Mul", "Div", "Pow", "Min", "Max", "Equal", "Less", "Greater", "Where",
        "Not", "Relu", "Sigmoid", "Tanh", "Clip", "Sign", "Floor", "Ceil", "Round", "Abs",
        "Neg", "Exp", "Log", "Sqrt", "Identity", "Cast", "Constant", "Shape", "Softmax",
        "ReduceMean", "ReduceMax", "ReduceSum", "ArgMax", "TopK", "MatMul", "Gemm",
        "BatchNormalization"};
    for (size_t i = 0; i < sizeof ops / sizeof ops[0]; i++) {
        const finn_op *op = finn_registry_op(REG, "", ops[i]);
        CHECK(op && op->infer_shapes && op->execute && !op->infer_datatypes);
        if (!op)
            fprintf(stderr, "  missing op %s\n", ops[i]);
    }
    CHECK(finn_registry_op(REG, "ai.onnx", "MatMul") == finn_registry_op(REG, "", "MatMul"));
}


/* ---- numpy cross-check (skipped without /usr/bin/python3 + numpy) ----------- */

/* Small integers in [-8, 8] from a 32-bit LCG, reproduced in the script. */
static finn_tensor *rnd(uint32_t *seed, int nd, const int64_t *shape)
{
    finn_tensor *t = mk(F, nd, shape, NULL);
    for (size_t i = 0, cnt = finn_tensor_numel(t); i < cnt; i++) {
        *seed = *seed * 1103515245u + 12345u;
        finn_tensor_set(t, i, (double)((int)((*seed >> 16) % 17) - 8));
    }
    return t;
}

static const char NP_SCRIPT[] =
    "import sys, numpy as np\n"
    "s = [int(sys.argv[2])]\n"
    "def rnd(*shape):\n"
    "    n = int(np.prod(shape)); v = []\n"
    "    for _ in range(n):\n"
    "        s[0] = (s[0] * 1103515245 + 12345) & 0xffffffff\n"
    "        v.append(((s[0] >> 16) % 17) - 8)\n"
    "    return np.array(v, dtype=np.float32).reshape(shape)\n"
    "c = sys.argv[1]\n"
    "if c == 'matmul': a = rnd(2, 1, 3, 4); y = a @ rnd(5, 4, 2)\n"
    "if c == 'add': a = rnd(3, 1, 4); y = a + rnd(2, 1)\n"
    "if c == 'mean': y = rnd(2, 3, 4).mean(axis=(0, 2), keepdims=True)\n"
    "if c == 'softmax':\n"
    "    x = rnd(2, 3, 4); e = np.exp(x - x.max(axis=1, keepdims=True))\n"
    "    y = e / e.sum(axis=1, keepdims=True)\n"
    "if c == 'gemm': a = rnd(3, 5); b = rnd(4, 5); y = a @ b.T + rnd(4)\n"
    "print(' '.join(repr(float(v)) for v in np.asarray(y, dtype=np.float32).ravel()))\n";

/* Compare out with the script's values for case `name` within tol. */
static void np_compare(const char *script, const char *name, uint32_t seed, const finn_tensor *out,
                       double tol)
{
    char cmd[4200];
    int status;
    snprintf(cmd, sizeof cmd, "/usr/bin/python3 %s %s %u", script, name, seed);
    char *txt = test_run(cmd, &status);
    CHECK_EQ_INT(status, 0);
    char *p = txt;
    size_t cnt = out ? finn_tensor_numel(out) : 0, i = 0, bad = 0;
    for (; p && i < cnt; i++) {
        char *end;
        double e = strtod(p, &end);
        if (end == p)
            break;
        p = end;
        if (!(fabs(finn_tensor_get(out, i) - e) <= tol))
            bad++;
    }
    CHECK_EQ_INT(i, cnt);
    CHECK_EQ_INT(bad, 0);
    if (i != cnt || bad)
        fprintf(stderr, "  numpy case %s: %zu of %zu compared, %zu differ\n", name, i, cnt, bad);
    free(txt);
}

static void test_numpy_crosscheck(void)
{
    int status;
    free(test_run("/usr/bin/python3 -c 'import numpy'", &status));
    if (status != 0) {
        fprintf(stderr, "  numpy not available: cross-check skipped\n");
        return;
    }
    char script[4096];
    snprintf(script, sizeof script, "%s/np_ref.py", test_tmpdir());
    FILE *f = fopen(script, "w");
    CHECK(f != NULL);
    if (!f)
        return;
    fputs(NP_SCRIPT, f);
    fclose(f);
    tc c;
    uint32_t seed = 7, s0;
    /* integer-valued data: MatMul/Add/Gemm must match exactly */
    s0 = seed;
    CHECK_EQ_INT(RUN(&c, "MatMul", 13, rnd(&seed, 4, S(2, 1, 3, 4)), rnd(&seed, 3, S(5, 4, 2))), 0);
    EXPECT_SHAPE(&c, "y", F, 4, 2, 5, 3, 2);
    np_compare(script, "matmul", s0, Y(&c), 0);
    tc_end(&c);
    s0 = seed;
    CHECK_EQ_INT(RUN(&c, "Add", 13, rnd(&seed, 3, S(3, 1, 4)), rnd(&seed, 2, S(2, 1))), 0);
    EXPECT_SHAPE(&c, "y", F, 3, 3, 2, 4);
    np_compare(script, "add", s0, Y(&c), 0);
    tc_end(&c);
    s0 = seed;
    tc_begin(&c, "ReduceMean", 13);
    finn_node_set_attr_ints(c.n, "axes", S(0, -1), 2, &c.err);
    CHECK_EQ_INT(run_op(&c, "ReduceMean", 13, 1, IN(rnd(&seed, 3, S(2, 3, 4)))), 0);
    EXPECT_SHAPE(&c, "y", F, 3, 1, 3, 1);
    np_compare(script, "mean", s0, Y(&c), 1e-6);
    tc_end(&c);
    s0 = seed;
    tc_begin(&c, "Softmax", 13);
    tc_ai(&c, "axis", 1);
    CHECK_EQ_INT(run_op(&c, "Softmax", 13, 1, IN(rnd(&seed, 3, S(2, 3, 4)))), 0);
    np_compare(script, "softmax", s0, Y(&c), 1e-6);
    tc_end(&c);
    s0 = seed;
    tc_begin(&c, "Gemm", 13);
    tc_ai(&c, "transB", 1);
    {
        finn_tensor *a = rnd(&seed, 2, S(3, 5)), *b = rnd(&seed, 2, S(4, 5));
        CHECK_EQ_INT(run_op(&c, "Gemm", 13, 3, IN(a, b, rnd(&seed, 1, S(4)))), 0);
    }
    EXPECT_SHAPE(&c, "y", F, 2, 3, 4);
    np_compare(script, "gemm", s0, Y(&c), 0);
    tc_end(&c);
}

int main(void)
{
    char path[4096];
    finn_error err = {0};
    snprintf(path, sizeof path, "%s/onnx_math.so",
             test_env("FINN_PLUGIN_DIR", "lib/finn-run/plugins"));
    REG = finn_registry_new(&err);
    if (!REG || finn_plugin_load(REG, path, &err)) {
        fprintf(stderr, "cannot load %s: %s\n", path, err.msg);
        finn_registry_free(REG);
        return 1;
    }
    test_registration();
    test_add_sub_mul_broadcast();
    test_div();
    test_pow();
    test_min_max_sum();
    test_compare();
    test_where_not();
    test_unary();
    test_clip();
    test_cast();
    test_constant();
    test_shape();
    test_softmax();
    test_reduce_sum();
    test_reduce_mean_max();
    test_argmax();
    test_topk();
    test_matmul();
    test_gemm();
    test_batchnorm();
    test_shape_inference_errors();
    test_numpy_crosscheck();
    finn_registry_free(REG);
    return test_done();
}
