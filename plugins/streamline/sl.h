/*
 * sl.h - private header of the streamline plugin: FINN's step_streamline
 * and the graph rewrites it uses (finn-frontend.md section 6).
 *
 * Every rewrite has the shape of one FINN Transformation.apply(): one pass
 * over the graph that reports whether it changed something.  sl_transform()
 * plays ModelWrapper.transform(): repeat the pass until nothing changes, then
 * run the model cleanup.  Loops walk m->nodes by index, as Python walks a
 * protobuf node list, so inserting/removing nodes while walking visits the
 * same nodes FINN visits.
 */
#ifndef STREAMLINE_SL_H
#define STREAMLINE_SL_H

#include <finn/plugin.h>
#include <stdbool.h>

#define SL_QONNX_DOMAIN "qonnx.custom_op.general"

/* One rewrite pass. */
typedef int (*sl_rewrite_fn)(const finn_registry *reg, finn_model *m, bool *changed,
                             finn_error *err);

typedef struct sl_rewrite {
    const char *name; /* FINN's class name */
    sl_rewrite_fn fn;
} sl_rewrite;

/* The next three are exported from streamline.so (default visibility) so
 * tests can run single rewrites; they are not a public API. */
/* ModelWrapper.transform(rw): apply until no change, then cleanup. */
FINN_EXPORT int sl_transform(const finn_registry *reg, finn_model *m, const sl_rewrite *rw, finn_error *err);
/* FINN's Streamline() (6.2). */
FINN_EXPORT int sl_streamline(const finn_registry *reg, finn_model *m, finn_error *err);
/* Look a rewrite up by FINN class name (NULL if unknown). */
FINN_EXPORT const sl_rewrite *sl_rewrite_find(const char *name);
/* All rewrites of the plugin, NULL-terminated by name. */
extern const sl_rewrite SL_REWRITES[];

/* ---- graph queries with ModelWrapper semantics (common.c) ---- */
bool sl_is_fork(const finn_model *m, const finn_node *n);
bool sl_is_join(const finn_model *m, const finn_node *n);
/* First consumer of a tensor in graph order, or NULL. */
finn_node *sl_consumer(const finn_model *m, const char *tensor);
/* First producer, or NULL. */
finn_node *sl_producer(const finn_model *m, const char *tensor);
/* Initializer of input k of n (NULL if none or the input is absent). */
const finn_tensor *sl_init_of(const finn_model *m, const finn_node *n, size_t k);
bool sl_is_graph_output(const finn_model *m, const char *tensor);

/* ---- tensor helpers ---- */
bool sl_all_dims_one(const finn_tensor *t);   /* every dim 1 (0-d too) */
int sl_dims_above_one(const finn_tensor *t);  /* number of dims > 1 */
bool sl_any_negative(const finn_tensor *t);
bool sl_shape_is(const finn_tensor *t, int ndim, const int64_t *shape);
/* numpy broadcasting a <op> b for op in + - * /, element type as numpy for
 * equal types (float32 stays float32: each element is one correctly rounded
 * float operation); mixed types give float32. */
finn_tensor *sl_binary(const finn_tensor *a, const finn_tensor *b, char op, finn_error *err);
/* b = a * b in place, the products sl_binary(a, b, '*') gives (float32
 * operands, a broadcast onto b's shape without growing it); false, b
 * untouched, when the types or shapes do not allow that. */
bool sl_mul_into(const finn_tensor *a, finn_tensor *b);
/* Copy with another shape (same numel; -1 allowed once). */
finn_tensor *sl_reshaped(const finn_tensor *t, int ndim, const int64_t *shape, finn_error *err);
/* Copy with f applied to every element (as double, stored back in t's type). */
finn_tensor *sl_map(const finn_tensor *t, double (*f)(double), finn_error *err);
/* New float32 tensor from values. */
finn_tensor *sl_float_tensor(int ndim, const int64_t *shape, const float *vals, finn_error *err);

/* ---- model editing helpers ---- */
/* Set a copy of t as initializer of name (keeps annotations). */
int sl_set_init_copy(finn_model *m, const char *name, const finn_tensor *t, finn_error *err);
/* Set (take ownership of) t as initializer; frees t on failure. */
int sl_set_init(finn_model *m, const char *name, finn_tensor *t, finn_error *err);
/* A fresh tensor name (caller frees). */
char *sl_new_name(const finn_model *m, finn_error *err);
/* Shape of a tensor (ndim -1 when unknown). */
int sl_shape_of(const finn_model *m, const char *name, int64_t *shape);
/* set_tensor_shape as ModelWrapper does (FLOAT unless already typed). */
int sl_set_shape(finn_model *m, const char *name, int ndim, const int64_t *shape,
                 finn_error *err);
/* New node with inputs/outputs; name may be "" (FINN's make_node without name). */
finn_node *sl_node(const char *op_type, const char *domain, const char *name, const char *in0,
                   const char *in1, const char *out, finn_error *err);
/* Insert at index (clamped to the node count); frees n on failure. */
int sl_insert(finn_model *m, size_t index, finn_node *n, finn_error *err);
/* Move an existing node to index (detach + insert, index clamped). */
int sl_move(finn_model *m, finn_node *n, size_t index, finn_error *err);
/* Transpose "perm" equals p (false when absent). */
bool sl_perm_is(const finn_node *n, const int64_t *p, size_t len);
int sl_set_dt(finn_model *m, const char *name, finn_datatype dt, finn_error *err);
/* Change op_type (and domain unless NULL). */
int sl_set_op(finn_node *n, const char *op_type, const char *domain, finn_error *err);

/* ---- the rewrites ---- */
/* div_to_mul.c */
int sl_convert_sub_to_add(const finn_registry *reg, finn_model *m, bool *changed, finn_error *err);
int sl_convert_div_to_mul(const finn_registry *reg, finn_model *m, bool *changed, finn_error *err);
/* batchnorm.c */
int sl_batchnorm_to_affine(const finn_registry *reg, finn_model *m, bool *changed,
                           finn_error *err);
/* sign_to_thres.c */
int sl_convert_sign_to_thres(const finn_registry *reg, finn_model *m, bool *changed,
                             finn_error *err);
/* move_scalar_ops.c */
int sl_move_add_past_mul(const finn_registry *reg, finn_model *m, bool *changed, finn_error *err);
int sl_move_scalar_add_past_matmul(const finn_registry *reg, finn_model *m, bool *changed,
                                   finn_error *err);
int sl_move_scalar_mul_past_matmul(const finn_registry *reg, finn_model *m, bool *changed,
                                   finn_error *err);
int sl_move_scalar_linear_past_invariants(const finn_registry *reg, finn_model *m, bool *changed,
                                          finn_error *err);
/* reorder.c */
int sl_move_mul_past_maxpool(const finn_registry *reg, finn_model *m, bool *changed,
                             finn_error *err);
int sl_move_add_past_conv(const finn_registry *reg, finn_model *m, bool *changed, finn_error *err);
int sl_move_scalar_mul_past_conv(const finn_registry *reg, finn_model *m, bool *changed,
                                 finn_error *err);
int sl_make_maxpool_nhwc(const finn_registry *reg, finn_model *m, bool *changed, finn_error *err);
/* collapse.c */
int sl_collapse_repeated_add(const finn_registry *reg, finn_model *m, bool *changed,
                             finn_error *err);
int sl_collapse_repeated_mul(const finn_registry *reg, finn_model *m, bool *changed,
                             finn_error *err);
/* absorb.c */
int sl_absorb_sign_bias_into_mt(const finn_registry *reg, finn_model *m, bool *changed,
                                finn_error *err);
int sl_absorb_add_into_mt(const finn_registry *reg, finn_model *m, bool *changed, finn_error *err);
int sl_absorb_mul_into_mt(const finn_registry *reg, finn_model *m, bool *changed, finn_error *err);
int sl_factor_out_mul_sign_magnitude(const finn_registry *reg, finn_model *m, bool *changed,
                                     finn_error *err);
int sl_absorb_1bit_mul_into_matmul(const finn_registry *reg, finn_model *m, bool *changed,
                                   finn_error *err);
int sl_absorb_1bit_mul_into_conv(const finn_registry *reg, finn_model *m, bool *changed,
                                 finn_error *err);
int sl_absorb_scalar_mul_add_into_topk(const finn_registry *reg, finn_model *m, bool *changed,
                                       finn_error *err);
/* absorb_transpose.c */
int sl_absorb_transpose_into_mt(const finn_registry *reg, finn_model *m, bool *changed,
                                finn_error *err);
int sl_absorb_consecutive_transposes(const finn_registry *reg, finn_model *m, bool *changed,
                                     finn_error *err);
/* round_thresholds.c */
int sl_round_and_clip_thresholds(const finn_registry *reg, finn_model *m, bool *changed,
                                 finn_error *err);
/* xnor.c */
int sl_convert_bipolar_matmul_to_xnor(const finn_registry *reg, finn_model *m, bool *changed,
                                      finn_error *err);
/* lower_convs.c */
int sl_extract_bias_from_conv(const finn_registry *reg, finn_model *m, bool *changed,
                              finn_error *err);
int sl_lower_convs_to_matmul(const finn_registry *reg, finn_model *m, bool *changed,
                             finn_error *err);

/* step.c */
int sl_step_streamline(finn_model **model, finn_build *build, finn_error *err);

#endif
