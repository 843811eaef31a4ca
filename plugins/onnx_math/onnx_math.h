/*
 * onnx_math.h - private to the onnx_math plugin: the op hooks each file
 * defines and the small helpers they share (common.c).
 *
 * Numeric policy (onnxruntime's results):
 *  - float32 elementwise arithmetic is computed in double and rounded once
 *    to float; for + - * / and sqrt this equals the float32 result bit for
 *    bit (double has more than 2*24+2 bits).  Transcendentals (exp, log,
 *    tanh, sigmoid, pow, softmax) are correctly rounded from double, which
 *    may differ from onnxruntime's vectorized approximations by an ulp or so.
 *  - integer tensors are computed in 64-bit integers and wrap on store;
 *    integer Div truncates toward zero (C division, as onnxruntime's
 *    Eigen-based integer Div does); a zero divisor is an error instead of
 *    onnxruntime's crash.
 */
#ifndef ONNX_MATH_H
#define ONNX_MATH_H

#include <finn/plugin.h>
#include <stdbool.h>
#include <stdint.h>

typedef int (*om_shape_fn)(finn_model *m, finn_node *n, finn_error *err);
typedef int (*om_exec_fn)(const finn_model *m, const finn_node *n, finn_exec_ctx *ctx,
                          finn_error *err);

/* ---- common.c ---------------------------------------------------------- */
void *om_malloc(size_t n, finn_error *err);
bool om_is_float(finn_elem_type t);
bool om_is_unsigned(finn_elem_type t); /* uint* and bool */
/* Element i as a 64-bit integer without a detour through double. */
int64_t om_get_i64(const finn_tensor *t, size_t i);
/* Store the low bits of v (wrapping like a C cast of the bit pattern). */
void om_set_i64(finn_tensor *t, size_t i, int64_t v);
/* Input k of n, or NULL when omitted ("" or beyond n_inputs). */
const finn_tensor *om_input(const finn_exec_ctx *ctx, const finn_node *n, size_t k);
/* Required input k; error naming the slot when missing. */
const finn_tensor *om_need_input(const finn_exec_ctx *ctx, const finn_node *n, size_t k,
                                 finn_error *err);
/* Store t as output k (takes ownership of t, also on failure). */
int om_set_output(finn_exec_ctx *ctx, const finn_node *n, size_t k, finn_tensor *t,
                  finn_error *err);
/* Known value of input k at shape-inference time, or NULL. */
const finn_value *om_value(const finn_model *m, const finn_node *n, size_t k);
/* Value of input k with a known shape, or an error naming it. */
const finn_value *om_need_shape(const finn_model *m, const finn_node *n, size_t k,
                                finn_error *err);
/* Normalize axis into [0, rank); error when out of range. */
int om_axis(int64_t axis, int rank, int *out, const char *what, finn_error *err);
int64_t om_opset(const finn_model *m);
/* Shape hook: output 0 = input 0 (same elem and shape). */
int om_shape_same(finn_model *m, finn_node *n, finn_error *err);

/* ---- per-family hooks -------------------------------------------------- */
/* elementwise.c / compare.c (binary, variadic, comparisons, Where, Not) */
int om_shape_broadcast(finn_model *m, finn_node *n, finn_error *err);
int om_shape_compare(finn_model *m, finn_node *n, finn_error *err);
int om_shape_where(finn_model *m, finn_node *n, finn_error *err);
int om_exec_add(const finn_model *, const finn_node *, finn_exec_ctx *, finn_error *);
int om_exec_sub(const finn_model *, const finn_node *, finn_exec_ctx *, finn_error *);
int om_exec_mul(const finn_model *, const finn_node *, finn_exec_ctx *, finn_error *);
int om_exec_div(const finn_model *, const finn_node *, finn_exec_ctx *, finn_error *);
int om_exec_pow(const finn_model *, const finn_node *, finn_exec_ctx *, finn_error *);
int om_exec_min(const finn_model *, const finn_node *, finn_exec_ctx *, finn_error *);
int om_exec_max(const finn_model *, const finn_node *, finn_exec_ctx *, finn_error *);
int om_exec_sum(const finn_model *, const finn_node *, finn_exec_ctx *, finn_error *);
int om_exec_equal(const finn_model *, const finn_node *, finn_exec_ctx *, finn_error *);
int om_exec_less(const finn_model *, const finn_node *, finn_exec_ctx *, finn_error *);
int om_exec_greater(const finn_model *, const finn_node *, finn_exec_ctx *, finn_error *);
int om_exec_less_equal(const finn_model *, const finn_node *, finn_exec_ctx *, finn_error *);
int om_exec_greater_equal(const finn_model *, const finn_node *, finn_exec_ctx *, finn_error *);
int om_exec_where(const finn_model *, const finn_node *, finn_exec_ctx *, finn_error *);
int om_exec_not(const finn_model *, const finn_node *, finn_exec_ctx *, finn_error *);

/* unary.c */
int om_exec_relu(const finn_model *, const finn_node *, finn_exec_ctx *, finn_error *);
int om_exec_sigmoid(const finn_model *, const finn_node *, finn_exec_ctx *, finn_error *);
int om_exec_tanh(const finn_model *, const finn_node *, finn_exec_ctx *, finn_error *);
int om_exec_sign(const finn_model *, const finn_node *, finn_exec_ctx *, finn_error *);
int om_exec_floor(const finn_model *, const finn_node *, finn_exec_ctx *, finn_error *);
int om_exec_ceil(const finn_model *, const finn_node *, finn_exec_ctx *, finn_error *);
int om_exec_round(const finn_model *, const finn_node *, finn_exec_ctx *, finn_error *);
int om_exec_abs(const finn_model *, const finn_node *, finn_exec_ctx *, finn_error *);
int om_exec_neg(const finn_model *, const finn_node *, finn_exec_ctx *, finn_error *);
int om_exec_exp(const finn_model *, const finn_node *, finn_exec_ctx *, finn_error *);
int om_exec_log(const finn_model *, const finn_node *, finn_exec_ctx *, finn_error *);
int om_exec_sqrt(const finn_model *, const finn_node *, finn_exec_ctx *, finn_error *);
int om_exec_identity(const finn_model *, const finn_node *, finn_exec_ctx *, finn_error *);
int om_exec_clip(const finn_model *, const finn_node *, finn_exec_ctx *, finn_error *);

/* misc.c: Cast, Constant, Shape */
int om_shape_cast(finn_model *m, finn_node *n, finn_error *err);
int om_exec_cast(const finn_model *, const finn_node *, finn_exec_ctx *, finn_error *);
int om_shape_constant(finn_model *m, finn_node *n, finn_error *err);
int om_exec_constant(const finn_model *, const finn_node *, finn_exec_ctx *, finn_error *);
int om_shape_shape(finn_model *m, finn_node *n, finn_error *err);
int om_exec_shape(const finn_model *, const finn_node *, finn_exec_ctx *, finn_error *);

/* softmax.c */
int om_exec_softmax(const finn_model *, const finn_node *, finn_exec_ctx *, finn_error *);

/* reduce.c, argmax.c */
int om_shape_reduce(finn_model *m, finn_node *n, finn_error *err);
int om_exec_reduce_mean(const finn_model *, const finn_node *, finn_exec_ctx *, finn_error *);
int om_exec_reduce_max(const finn_model *, const finn_node *, finn_exec_ctx *, finn_error *);
int om_exec_reduce_sum(const finn_model *, const finn_node *, finn_exec_ctx *, finn_error *);
int om_shape_argmax(finn_model *m, finn_node *n, finn_error *err);
int om_exec_argmax(const finn_model *, const finn_node *, finn_exec_ctx *, finn_error *);

/* topk.c */
int om_shape_topk(finn_model *m, finn_node *n, finn_error *err);
int om_exec_topk(const finn_model *, const finn_node *, finn_exec_ctx *, finn_error *);

/* matmul.c: MatMul, Gemm */
int om_shape_matmul(finn_model *m, finn_node *n, finn_error *err);
int om_exec_matmul(const finn_model *, const finn_node *, finn_exec_ctx *, finn_error *);
int om_shape_gemm(finn_model *m, finn_node *n, finn_error *err);
int om_exec_gemm(const finn_model *, const finn_node *, finn_exec_ctx *, finn_error *);

/* batchnorm.c */
int om_shape_batchnorm(finn_model *m, finn_node *n, finn_error *err);
int om_exec_batchnorm(const finn_model *, const finn_node *, finn_exec_ctx *, finn_error *);

#endif
