/*
 * frontend.h - private to the frontend plugin: FINN's step_qonnx_to_finn
 * and step_tidy_up with the QONNX -> FINN rewrites they use
 * (finn-frontend.md sections 4, 5 and 7).
 *
 * Every rewrite is a "pass": one application of FINN's Transformation.apply,
 * reporting whether it changed the graph.  fe_transform plays the part of
 * ModelWrapper.transform: apply until unchanged, then the cleanup.
 */
#ifndef FINN_FRONTEND_H
#define FINN_FRONTEND_H

#include <finn/plugin.h>
#include <stdbool.h>

#define FE_QONNX_DOMAIN "qonnx.custom_op.general"

/* What the passes need besides the model. */
typedef struct fe_ctx {
    const finn_registry *reg;
    finn_build *build;    /* for warnings; may be NULL */
    int64_t max_mt_bits;  /* cfg.max_multithreshold_bit_width */
} fe_ctx;

typedef int (*fe_pass_fn)(const fe_ctx *c, finn_model *m, bool *changed, finn_error *err);

/* ---- ModelWrapper.transform and the core passes as transforms ---------- */
int fe_transform(const fe_ctx *c, finn_model *m, fe_pass_fn fn, finn_error *err);
int fe_infer_shapes(const fe_ctx *c, finn_model *m, finn_error *err);
int fe_infer_datatypes(const fe_ctx *c, finn_model *m, finn_error *err);
int fe_fold_constants(const fe_ctx *c, finn_model *m, finn_error *err);
int fe_remove_identity_ops(finn_model *m, finn_error *err);
/* A one-shot core pass followed by the cleanup. */
int fe_cleaned(finn_model *m, int (*fn)(finn_model *, finn_error *), finn_error *err);
/* Print a warning (build console + log), or to stderr without a build. */
void fe_warn(const fe_ctx *c, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* ---- graph queries with ModelWrapper's meaning ---------------------------- */
bool fe_is_init(const finn_model *m, const char *name);
bool fe_all_inputs_init(const finn_model *m, const finn_node *n);
/* find_direct_predecessors(n)[0]: producer of the first produced input. */
finn_node *fe_first_predecessor(const finn_model *m, const finn_node *n);
size_t fe_predecessor_count(const finn_model *m, const finn_node *n);
/* find_direct_successors: consumers of all outputs (count; first in *first). */
size_t fe_successors(const finn_model *m, const finn_node *n, finn_node **first);
bool fe_is_fork(const finn_model *m, const finn_node *n);
bool fe_is_join(const finn_model *m, const finn_node *n);
/* remove_node_and_rewire (QONNX remove.py). */
int fe_remove_node_and_rewire(finn_model *m, finn_node *n, finn_error *err);

/* ---- small builders --------------------------------------------------------- */
/* A fresh tensor name (FINN draws 6 random characters; we count). */
char *fe_new_name(const finn_model *m, finn_error *err);
/* New node (domain "" unless given) with one output, inputs NULL-terminated. */
finn_node *fe_node(const char *op, const char *domain, const char *const *inputs,
                   const char *output, finn_error *err);
/* Float32 0-d initializer under a new name; the name is returned (caller frees). */
char *fe_new_scalar_init(finn_model *m, float v, finn_error *err);
/* Copy of t under a new name; returns the name (caller frees). */
char *fe_new_init_copy(finn_model *m, const finn_tensor *t, finn_error *err);
/* Replace a node's domain / op_type string. */
int fe_set_domain(finn_node *n, const char *domain, finn_error *err);
/* Drop input k (shifting the rest). */
void fe_drop_input(finn_node *n, size_t k);
/* Error naming the node. */
int fe_fail(finn_error *err, const finn_node *n, finn_errcode code, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

/* ---- tensors ------------------------------------------------------------------ */
bool fe_all_equal(const finn_tensor *t, double v);
/* numpy-broadcast a op b elementwise in float32: op is '/' here. */
finn_tensor *fe_div_round_f32(const finn_tensor *a, const finn_tensor *b, finn_error *err);
/* The same in a's buffer when a is float32 of the broadcast shape and b is
 * float32; false (a untouched) otherwise. */
bool fe_div_round_f32_inplace(finn_tensor *a, const finn_tensor *b);
/* t transposed by perm (NULL = reverse axes). */
finn_tensor *fe_transpose(const finn_tensor *t, const int64_t *perm, finn_error *err);
/* np.round on float32 (half to even). */
float fe_round_half_even(float x);

/* ---- quantizer facts ------------------------------------------------------ */
bool fe_is_quantizer(const finn_node *n); /* Quant or BipolarQuant */
/* Bit width: the scalar initializer input[3] of Quant, 1 for BipolarQuant. */
int fe_quant_bits(const finn_model *m, const finn_node *n, double *bits, finn_error *err);
/* IntQuant.get_integer_datatype: BIPOLAR/BINARY for 1 bit, INTb/UINTb. */
int fe_quant_int_dtype(const finn_model *m, const finn_node *n, finn_datatype *dt,
                       finn_error *err);
/* Quant zero point is an initializer of zeros (BipolarQuant: true). */
bool fe_quant_zero_zp(const finn_model *m, const finn_node *n);

/* ---- the passes (one Transformation.apply each) --------------------------- */
int fe_pass_fold_transpose_into_quant_init(const fe_ctx *c, finn_model *m, bool *changed,
                                           finn_error *err);
int fe_pass_extract_bias_from_conv(const fe_ctx *c, finn_model *m, bool *changed,
                                   finn_error *err);
int fe_pass_gemm_to_matmul(const fe_ctx *c, finn_model *m, bool *changed, finn_error *err);
int fe_pass_fold_quant_weights(const fe_ctx *c, finn_model *m, bool *changed, finn_error *err);
int fe_pass_quant_act_to_mt(const fe_ctx *c, finn_model *m, bool *changed, finn_error *err);
int fe_pass_avgpool_trunc(const fe_ctx *c, finn_model *m, bool *changed, finn_error *err);

/* QONNX cleanup_model (util/cleanup.py, preserve_qnt_ops=True). */
int fe_cleanup_model(const fe_ctx *c, finn_model *m, finn_error *err);
/* ConvertQONNXtoFINN. */
int fe_convert_qonnx_to_finn(const fe_ctx *c, finn_model *m, finn_error *err);

/* ---- steps -------------------------------------------------------------------- */
int fe_step_qonnx_to_finn(finn_model **model, finn_build *build, finn_error *err);
int fe_step_tidy_up(finn_model **model, finn_build *build, finn_error *err);

#endif
