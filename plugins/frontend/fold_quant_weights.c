/*
 * fold_quant_weights.c - FINN's FoldQuantWeights (finn-frontend.md 4.1):
 * a Quant/BipolarQuant whose inputs are all initializers is executed and
 * replaced by its result.  With a unit scale the quantized values become the
 * initializer; otherwise the integer values q/scale do, and the scale moves
 * behind the consumer as a Mul (and, for Add/Sub consumers, also in front of
 * the consumer's input[0] as a Div).  One quantizer per application.
 */
#include "frontend.h"

#include <stdlib.h>
#include <string.h>

static bool in_list(const char *s, const char *const *list)
{
    for (; *list; list++)
        if (!strcmp(s, *list))
            return true;
    return false;
}

static const char *const MUL_LIKE[] = {"Mul", "Div", "Conv", "MatMul", "Gather", "ConvTranspose",
                                       NULL};
static const char *const ADD_LIKE[] = {"Add", "Sub", NULL};

/* A tensor header sharing the initializer's data (no copy of the weights);
 * only when executing cannot change the input: the executor rounds inputs
 * annotated with an integer type in place. */
static bool can_borrow(const finn_model *m, const char *name)
{
    return !finn_model_has_datatype(m, name) ||
           !finn_dt_is_integer(finn_model_datatype(m, name));
}

/* Execute the quantizer on its initializers; the result is returned. */
static finn_tensor *run_quantizer(const fe_ctx *c, const finn_model *m, const finn_node *n,
                                  finn_error *err)
{
    finn_exec_ctx *ctx = finn_exec_ctx_new(err);
    if (!ctx)
        return NULL;
    finn_tensor *out = NULL;
    bool *borrowed = calloc(n->n_inputs ? n->n_inputs : 1, sizeof *borrowed);
    if (!borrowed) {
        finn_error_set(err, FINN_ERR_NOMEM, "out of memory");
        goto done;
    }
    for (size_t k = 0; k < n->n_inputs; k++) {
        const finn_tensor *init = finn_model_initializer(m, n->inputs[k]);
        if (finn_exec_ctx_get(ctx, n->inputs[k]))
            continue; /* an input named twice: its value is there already */
        if (init && can_borrow(m, n->inputs[k])) {
            /* an empty header first, so a failing set frees no weights */
            finn_tensor *t = calloc(1, sizeof *t);
            if (!t)
                finn_error_set(err, FINN_ERR_NOMEM, "out of memory");
            if (!t || finn_exec_ctx_set(ctx, n->inputs[k], t, err))
                goto done;
            *t = *init;
            borrowed[k] = true;
        } else {
            finn_tensor *t = finn_tensor_copy(init, err);
            if (!t || finn_exec_ctx_set(ctx, n->inputs[k], t, err))
                goto done;
        }
    }
    if (finn_execute_node(c->reg, m, n, ctx, err) == 0) {
        out = finn_exec_ctx_take(ctx, n->outputs[0]);
        if (!out)
            fe_fail(err, n, FINN_ERR_INVALID, "execution produced no output");
    }
done:
    /* hand the borrowed data back before the context frees its tensors */
    for (size_t k = 0; borrowed && k < n->n_inputs; k++)
        if (borrowed[k])
            free(finn_exec_ctx_take(ctx, n->inputs[k]));
    free(borrowed);
    finn_exec_ctx_free(ctx);
    return out;
}

/* The scale as the Mul behind the consumer uses it: per-output-channel
 * (1,-1,1,1..) for Conv, a 0-d scalar for shape (1,). */
static finn_tensor *mul_scale(const finn_model *m, const finn_node *q, const finn_node *target,
                              const finn_tensor *scale, finn_error *err)
{
    finn_tensor *s = finn_tensor_copy(scale, err);
    if (!s)
        return NULL;
    if (!strcmp(target->op_type, "Conv") && s->ndim > 0) {
        const finn_value *ov = finn_model_value(m, target->outputs[0]);
        if (!ov || ov->ndim < 2) {
            fe_fail(err, q, FINN_ERR_INVALID, "output shape of Conv '%s' unknown",
                    target->name);
            goto fail;
        }
        size_t rest = 1;
        for (int i = 1; i < s->ndim; i++)
            rest *= (size_t)s->shape[i];
        if (rest != 1) {
            fe_fail(err, q, FINN_ERR_UNSUPPORTED,
                    "can't fold scale beyond per-out-channel granularity");
            goto fail;
        }
        int64_t shape[FINN_MAX_DIMS];
        for (int i = 0; i < ov->ndim; i++)
            shape[i] = 1;
        shape[1] = (int64_t)finn_tensor_numel(s);
        if (finn_tensor_reshape(s, ov->ndim, shape, err))
            goto fail;
    }
    if (s->ndim == 1 && s->shape[0] == 1 && finn_tensor_reshape(s, 0, NULL, err))
        goto fail;
    return s;
fail:
    finn_tensor_free(s);
    return NULL;
}

/* Output[0] of `succ` goes to a new tensor; Mul(new, scale) writes the old
 * name; for Add/Sub a Div(input[0], scale) feeds input[0]. */
static int insert_scale_nodes(finn_model *m, finn_node *succ, size_t at, const finn_tensor *scale,
                              bool add_like, finn_error *err)
{
    int rc = -1;
    char *mul_init = NULL, *act = NULL, *div_init = NULL, *div_out = NULL, *orig = NULL;
    finn_node *mul = NULL, *div = NULL;
    if (!(mul_init = fe_new_init_copy(m, scale, err)) || !(act = fe_new_name(m, err)))
        goto out;
    if (!(orig = strdup(succ->outputs[0]))) {
        finn_error_set(err, FINN_ERR_NOMEM, "out of memory");
        goto out;
    }
    const finn_value *ov = finn_model_value(m, orig);
    if (ov && ov->ndim >= 0 && finn_model_set_shape(m, act, FINN_ELEM_FLOAT, ov->ndim, ov->shape, err))
        goto out;
    if (finn_node_set_output(succ, 0, act, err))
        goto out;
    if (!(mul = fe_node("Mul", NULL, (const char *const[]){act, mul_init, NULL}, orig, err)) ||
        finn_model_insert_node(m, at, mul, err)) {
        finn_node_free(mul);
        goto out;
    }
    if (add_like) {
        if (!(div_init = fe_new_init_copy(m, scale, err)) || !(div_out = fe_new_name(m, err)))
            goto out;
        if (ov && ov->ndim >= 0 &&
            finn_model_set_shape(m, div_out, FINN_ELEM_FLOAT, ov->ndim, ov->shape, err))
            goto out;
        const char *ins[] = {succ->inputs[0], div_init, NULL};
        if (!(div = fe_node("Div", NULL, ins, div_out, err)))
            goto out;
        if (finn_node_set_input(succ, 0, div_out, err) || finn_model_insert_node(m, at, div, err)) {
            finn_node_free(div);
            goto out;
        }
    }
    rc = 0;
out:
    free(mul_init);
    free(act);
    free(div_init);
    free(div_out);
    free(orig);
    return rc;
}

/* q (the quantizer's output) is consumed. */
static int fold_scaled(const fe_ctx *c, finn_model *m, finn_node *n, finn_node *target,
                       finn_tensor *q, size_t at, finn_error *err)
{
    (void)c;
    bool add_like = in_list(target->op_type, ADD_LIKE);
    if (!add_like && !in_list(target->op_type, MUL_LIKE)) {
        finn_tensor_free(q);
        return fe_fail(err, n, FINN_ERR_UNSUPPORTED,
                       "can't constant fold Quant weight node into node type %s (node '%s')",
                       target->op_type, target->name);
    }
    const finn_tensor *scale = finn_model_initializer(m, n->inputs[1]);
    finn_datatype dt;
    if (fe_quant_int_dtype(m, n, &dt, err)) {
        finn_tensor_free(q);
        return -1;
    }
    /* q/scale rounded, in q's own buffer when the shapes allow it */
    finn_tensor *ints = q;
    if (!fe_div_round_f32_inplace(q, scale)) {
        ints = fe_div_round_f32(q, scale, err);
        finn_tensor_free(q);
    }
    if (!ints)
        return -1;
    /* the successor must be found before the quantizer output changes */
    finn_node *succ = NULL;
    size_t nsucc = fe_successors(m, n, &succ);
    if (nsucc != 1) {
        finn_tensor_free(ints);
        return fe_fail(err, n, FINN_ERR_UNSUPPORTED,
                       "scaled Quant weights can only be folded into a single consumer");
    }
    finn_tensor *s = mul_scale(m, n, target, scale, err);
    if (!s) {
        finn_tensor_free(ints);
        return -1;
    }
    int rc = -1;
    if (finn_model_set_initializer(m, n->outputs[0], ints, err)) {
        ints = NULL;
        goto out;
    }
    ints = NULL;
    if (finn_model_set_datatype(m, n->outputs[0], dt, err))
        goto out;
    rc = insert_scale_nodes(m, succ, at, s, add_like, err);
out:
    finn_tensor_free(ints);
    finn_tensor_free(s);
    return rc;
}

/* One quantizer with all-initializer inputs, or nothing. */
static int fold_one(const fe_ctx *c, finn_model *m, finn_node *n, size_t idx, bool *changed,
                    finn_error *err)
{
    if (!fe_quant_zero_zp(m, n))
        return fe_fail(err, n, FINN_ERR_UNSUPPORTED,
                       "only Quant nodes with zero-point == 0 are currently supported");
    if (fe_is_fork(m, n))
        return fe_fail(err, n, FINN_ERR_UNSUPPORTED,
                       "weights quantized with the Quant node are not allowed to be fork nodes");
    finn_node *target = NULL;
    if (fe_successors(m, n, &target) == 0)
        return fe_fail(err, n, FINN_ERR_INVALID,
                       "weights quantized with the Quant node must have a successor node");
    *changed = true;
    if (!strcmp(target->op_type, "DebugMarker")) {
        if (fe_remove_node_and_rewire(m, target, err))
            return -1;
        return fe_transform(c, m, fe_pass_fold_transpose_into_quant_init, err);
    }
    const finn_tensor *scale = finn_model_initializer(m, n->inputs[1]);
    bool unity = fe_all_equal(scale, 1.0);
    finn_tensor *q = run_quantizer(c, m, n, err);
    if (!q)
        return -1;
    int rc;
    if (unity) {
        rc = finn_model_set_initializer(m, n->outputs[0], q, err);
    } else {
        rc = fold_scaled(c, m, n, target, q, idx + 1, err); /* takes q */
    }
    if (rc)
        return -1;
    finn_model_remove_node(m, n);
    return fe_infer_shapes(c, m, err);
}

int fe_pass_fold_quant_weights(const fe_ctx *c, finn_model *m, bool *changed, finn_error *err)
{
    for (size_t i = 0; i < m->n_nodes; i++) {
        finn_node *n = m->nodes[i];
        if (fe_is_quantizer(n) && fe_all_inputs_init(m, n))
            return fold_one(c, m, n, i, changed, err);
    }
    return 0;
}
