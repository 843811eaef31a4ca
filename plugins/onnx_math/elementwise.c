/*
 * elementwise.c - broadcasting arithmetic: Add, Sub, Mul, Div, Pow and the
 * variadic Min, Max, Sum.  Output type = type of input 0.
 *
 * Floats are computed in double and stored rounded (exact for + - * /).
 * Integers are computed in 64 bits with wrap-around; Div truncates toward
 * zero like C and onnxruntime.  Min/Max propagate NaN (onnxruntime >= 1.14).
 */
#include <finn/broadcast.h>
#include "onnx_math.h"

#include <math.h>
#include <string.h>

typedef double (*fop)(double a, double b);
/* Returns -1 for a zero divisor. */
typedef int (*iop)(int64_t a, int64_t b, bool uns, int64_t *out);

typedef struct binop {
    const char *name;
    fop f;
    iop i;
} binop;

static double f_add(double a, double b) { return a + b; }
static double f_sub(double a, double b) { return a - b; }
static double f_mul(double a, double b) { return a * b; }
static double f_div(double a, double b) { return a / b; }
static double f_min(double a, double b) { return isnan(a) || isnan(b) ? NAN : a < b ? a : b; }
static double f_max(double a, double b) { return isnan(a) || isnan(b) ? NAN : a > b ? a : b; }

/* two's-complement wrap through uint64 (no signed overflow) */
static int i_add(int64_t a, int64_t b, bool u, int64_t *o)
{ (void)u; *o = (int64_t)((uint64_t)a + (uint64_t)b); return 0; }
static int i_sub(int64_t a, int64_t b, bool u, int64_t *o)
{ (void)u; *o = (int64_t)((uint64_t)a - (uint64_t)b); return 0; }
static int i_mul(int64_t a, int64_t b, bool u, int64_t *o)
{ (void)u; *o = (int64_t)((uint64_t)a * (uint64_t)b); return 0; }

static int i_div(int64_t a, int64_t b, bool u, int64_t *o)
{
    if (b == 0)
        return -1;
    if (u)
        *o = (int64_t)((uint64_t)a / (uint64_t)b);
    else if (a == INT64_MIN && b == -1)
        *o = INT64_MIN; /* wraps, as the hardware result would */
    else
        *o = a / b; /* C99: truncation toward zero */
    return 0;
}

static int i_min(int64_t a, int64_t b, bool u, int64_t *o)
{
    bool lt = u ? (uint64_t)a < (uint64_t)b : a < b;
    *o = lt ? a : b;
    return 0;
}

static int i_max(int64_t a, int64_t b, bool u, int64_t *o)
{
    bool gt = u ? (uint64_t)a > (uint64_t)b : a > b;
    *o = gt ? a : b;
    return 0;
}

static int check_same_type(const finn_tensor *a, const finn_tensor *b, const char *op,
                           finn_error *err)
{
    if (a->type != b->type)
        return finn_error_set(err, FINN_ERR_INVALID, "%s: input types differ (%s vs %s)", op,
                              finn_elem_name(a->type), finn_elem_name(b->type));
    return 0;
}

/* out = a (op) b with broadcasting; *out is new. */
static int apply(const binop *op, const finn_tensor *a, const finn_tensor *b, finn_tensor **out,
                 finn_error *err)
{
    if (check_same_type(a, b, op->name, err))
        return -1;
    const finn_tensor *in[2] = {a, b};
    finn_bcast bc;
    if (finn_bcast_init(&bc, 2, in, err))
        return -1;
    finn_tensor *y = finn_tensor_new(a->type, bc.ndim, bc.shape, err);
    if (!y)
        return -1;
    bool fl = om_is_float(a->type), uns = om_is_unsigned(a->type);
    for (size_t i = 0; i < bc.numel; i++) {
        size_t ia = finn_bcast_offset(&bc, 0, i), ib = finn_bcast_offset(&bc, 1, i);
        if (fl) {
            finn_tensor_set(y, i, op->f(finn_tensor_get(a, ia), finn_tensor_get(b, ib)));
            continue;
        }
        int64_t r;
        if (op->i(om_get_i64(a, ia), om_get_i64(b, ib), uns, &r)) {
            finn_tensor_free(y);
            return finn_error_set(err, FINN_ERR_INVALID, "%s: integer division by zero",
                                  op->name);
        }
        om_set_i64(y, i, r);
    }
    *out = y;
    return 0;
}

static int exec_binary(const binop *op, const finn_node *n, finn_exec_ctx *ctx, finn_error *err)
{
    const finn_tensor *a = om_need_input(ctx, n, 0, err);
    const finn_tensor *b = a ? om_need_input(ctx, n, 1, err) : NULL;
    finn_tensor *y;
    if (!b || apply(op, a, b, &y, err))
        return -1;
    return om_set_output(ctx, n, 0, y, err);
}

/* Min/Max/Sum: fold the inputs left to right (same result as a joint
 * broadcast since each step broadcasts). */
static int exec_variadic(const binop *op, const finn_node *n, finn_exec_ctx *ctx,
                         finn_error *err)
{
    const finn_tensor *first = om_need_input(ctx, n, 0, err);
    if (!first)
        return -1;
    finn_tensor *acc = finn_tensor_copy(first, err);
    if (!acc)
        return -1;
    for (size_t k = 1; k < n->n_inputs; k++) {
        const finn_tensor *b = om_need_input(ctx, n, k, err);
        finn_tensor *next;
        if (!b || apply(op, acc, b, &next, err)) {
            finn_tensor_free(acc);
            return -1;
        }
        finn_tensor_free(acc);
        acc = next;
    }
    return om_set_output(ctx, n, 0, acc, err);
}

static const binop ADD = {"Add", f_add, i_add}, SUB = {"Sub", f_sub, i_sub},
                   MUL = {"Mul", f_mul, i_mul}, DIV = {"Div", f_div, i_div},
                   MIN = {"Min", f_min, i_min}, MAX = {"Max", f_max, i_max},
                   SUM = {"Sum", f_add, i_add};

#define BIN_EXEC(fn, op, runner)                                                         \
    int fn(const finn_model *m, const finn_node *n, finn_exec_ctx *ctx, finn_error *err) \
    {                                                                                    \
        (void)m;                                                                         \
        return runner(&op, n, ctx, err);                                                 \
    }
BIN_EXEC(om_exec_add, ADD, exec_binary)
BIN_EXEC(om_exec_sub, SUB, exec_binary)
BIN_EXEC(om_exec_mul, MUL, exec_binary)
BIN_EXEC(om_exec_div, DIV, exec_binary)
BIN_EXEC(om_exec_min, MIN, exec_variadic)
BIN_EXEC(om_exec_max, MAX, exec_variadic)
BIN_EXEC(om_exec_sum, SUM, exec_variadic)

/* Pow(X: T, Y: T1) -> T, as onnxruntime: when only the exponent is a
 * single element and it is 2 or 3, the result is x*x or x*x*x in the
 * element type (wrapping for integers); otherwise pow() in double, stored
 * with the output type's conversion (truncation for integers). */
static bool pow_small(const finn_tensor *x, size_t xi, double y, finn_tensor *out, size_t i)
{
    if (y != 2.0 && y != 3.0)
        return false;
    if (x->type == FINN_ELEM_FLOAT) {
        float v = (float)finn_tensor_get(x, xi), sq = v * v;
        finn_tensor_set(out, i, y == 2.0 ? sq : sq * v);
    } else if (x->type == FINN_ELEM_DOUBLE) {
        double v = finn_tensor_get(x, xi);
        finn_tensor_set(out, i, y == 2.0 ? v * v : v * v * v);
    } else if (!om_is_float(x->type)) {
        uint64_t v = (uint64_t)om_get_i64(x, xi);
        om_set_i64(out, i, (int64_t)(y == 2.0 ? v * v : v * v * v));
    } else {
        return false;
    }
    return true;
}

int om_exec_pow(const finn_model *m, const finn_node *n, finn_exec_ctx *ctx, finn_error *err)
{
    (void)m;
    const finn_tensor *x = om_need_input(ctx, n, 0, err);
    const finn_tensor *e = x ? om_need_input(ctx, n, 1, err) : NULL;
    if (!e)
        return -1;
    const finn_tensor *in[2] = {x, e};
    finn_bcast bc;
    if (finn_bcast_init(&bc, 2, in, err))
        return -1;
    finn_tensor *y = finn_tensor_new(x->type, bc.ndim, bc.shape, err);
    if (!y)
        return -1;
    /* onnxruntime's "input 1 is a scalar" kernel; a scalar x takes precedence */
    bool scalar_y = finn_tensor_numel(e) == 1 && finn_tensor_numel(x) != 1;
    for (size_t i = 0; i < bc.numel; i++) {
        size_t xi = finn_bcast_offset(&bc, 0, i);
        double p = finn_tensor_get(e, finn_bcast_offset(&bc, 1, i));
        if (scalar_y && pow_small(x, xi, p, y, i))
            continue;
        finn_tensor_set(y, i, pow(finn_tensor_get(x, xi), p));
    }
    return om_set_output(ctx, n, 0, y, err);
}

/* ---- shape inference ---------------------------------------------------- */

static int broadcast_inputs(finn_model *m, finn_node *n, size_t first, int *nd, int64_t *shape,
                            finn_error *err)
{
    *nd = 0;
    for (size_t k = first; k < n->n_inputs; k++) {
        const finn_value *v = om_need_shape(m, n, k, err);
        if (!v || finn_bcast_shape(*nd, shape, v->ndim, v->shape, nd, shape, err))
            return -1;
    }
    return 0;
}

static int set_broadcast(finn_model *m, finn_node *n, size_t first, finn_elem_type elem,
                         finn_error *err)
{
    int nd;
    int64_t shape[FINN_MAX_DIMS];
    if (broadcast_inputs(m, n, first, &nd, shape, err))
        return -1;
    return finn_model_set_shape(m, n->outputs[0], elem, nd, shape, err);
}

int om_shape_broadcast(finn_model *m, finn_node *n, finn_error *err)
{
    const finn_value *v = om_need_shape(m, n, 0, err);
    return v ? set_broadcast(m, n, 0, v->elem, err) : -1;
}

int om_shape_compare(finn_model *m, finn_node *n, finn_error *err)
{
    return set_broadcast(m, n, 0, FINN_ELEM_BOOL, err);
}

int om_shape_where(finn_model *m, finn_node *n, finn_error *err)
{
    const finn_value *x = om_need_shape(m, n, 1, err);
    return x ? set_broadcast(m, n, 0, x->elem, err) : -1;
}
