/*
 * qonnx_common.h - helpers shared by the QONNX general custom ops
 * (plugins/qonnx_ops): error messages naming the node, float32 views of
 * input tensors, numpy-style broadcasting, the rounding-mode table and the
 * integer ranges of IntQuant/Trunc.
 *
 * All QONNX custom-op arithmetic is numpy on float32 containers, so the ops
 * here compute in float (not double) wherever the result could differ.
 */
#ifndef QONNX_COMMON_H
#define QONNX_COMMON_H

#include <finn/broadcast.h>
#include <finn/plugin.h>

#define QONNX_DOMAIN "qonnx.custom_op.general"

/* finn_error_set with "node '<name>' (<op>): " in front. Returns -1. */
int qo_fail(finn_error *err, const finn_node *n, finn_errcode code, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

/* Input k as a tensor from the context; error when missing or omitted. */
finn_tensor *qo_input(const finn_exec_ctx *ctx, const finn_node *n, size_t k, finn_error *err);

/* A float32 view of a tensor: borrows float32 data, converts other types. */
typedef struct qo_floats {
    const float *v;
    float *owned;
} qo_floats;
int qo_floats_get(const finn_tensor *t, qo_floats *out, finn_error *err);
void qo_floats_release(qo_floats *f);

/* finn_bcast_init (finn/broadcast.h) with the node named in the error. */
int qo_bcast_init(finn_bcast *b, const finn_tensor *const *ts, size_t count, const finn_node *n,
                  finn_error *err);

/* QONNX resolve_rounding_mode (name compared upper-cased). */
typedef enum qo_round {
    QO_ROUND_HALF_EVEN, /* "ROUND", "HALF_EVEN" */
    QO_ROUND_CEIL,
    QO_ROUND_FLOOR,
    QO_ROUND_UP,        /* away from zero */
    QO_ROUND_DOWN,      /* toward zero (np.fix) */
    QO_ROUND_HALF_UP,   /* ties away from zero */
    QO_ROUND_HALF_DOWN  /* ties toward zero */
} qo_round;
int qo_rounding_parse(const char *name, qo_round *out, const finn_node *n, finn_error *err);
float qo_round_apply(qo_round mode, float x);
/* np.round on float32: half to even. */
float qo_round_half_even(float x);

/* IntQuant's min_int/max_int (narrow trims the top for unsigned). */
double qo_min_int(int is_signed, int narrow, double bits);
double qo_max_int(int is_signed, int narrow, double bits);

/* Version of a versioned custom op: the model's opset import of the node
 * domain, falling back to 1. */
int64_t qo_op_version(const finn_model *m, const finn_node *n);

/* Shape inference helpers. */
const finn_value *qo_known_input(const finn_model *m, const finn_node *n, size_t k,
                                 finn_error *err);
/* Output 0 gets the shape of input 0; elem is the input's elem when
 * `elem` is FINN_ELEM_UNDEFINED. */
int qo_shape_like_input(finn_model *m, finn_node *n, finn_elem_type elem, finn_error *err);
int qo_shapes_identity(finn_model *m, finn_node *n, finn_error *err);
/* Output 0 datatype = input 0 datatype. */
int qo_datatype_like_input(finn_model *m, finn_node *n, finn_error *err);
/* Set output k's datatype from a canonical name ("INT4", "SCALEDINT<8>"). */
int qo_set_datatype_name(finn_model *m, const finn_node *n, size_t k, const char *name,
                         finn_error *err);

/* True when every element equals v. */
int qo_all_equal(const finn_tensor *t, double v);

/* New float32 tensor stored as output k (ctx takes it); NULL on error. */
finn_tensor *qo_output_new(finn_exec_ctx *ctx, const finn_node *n, size_t k, finn_elem_type type,
                           int ndim, const int64_t *shape, finn_error *err);
/* As qo_output_new without the zero fill: for ops that write every element. */
finn_tensor *qo_output_new_uninit(finn_exec_ctx *ctx, const finn_node *n, size_t k,
                                  finn_elem_type type, int ndim, const int64_t *shape,
                                  finn_error *err);

/* Op tables of each source file. */
extern const finn_op qo_quant_ops[];
extern const size_t qo_quant_ops_count;
extern const finn_op qo_trunc_op;
extern const finn_op qo_floatquant_op;
extern const finn_op qo_multithreshold_op;
extern const finn_op qo_im2col_op;
extern const finn_op qo_pool_ops[];
extern const size_t qo_pool_ops_count;
extern const finn_op qo_misc_ops[];
extern const size_t qo_misc_ops_count;

#endif
