/*
 * transform_fold.c - FoldConstants (QONNX fold_constants.py) and
 * RemoveIdentityOps (remove.py); finn-frontend.md 5.2 and 5.4.
 *
 * Both work one node per iteration, as QONNX does, and repeat until nothing
 * changes.  QONNX runs a nested InferShapes transform after each iteration,
 * whose cleanup we reproduce with finn_model_cleanup.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "finn/exec.h"
#include "finn/registry.h"
#include "finn/transforms.h"
#include "model_priv.h"
#include "util.h"

/* ---- FoldConstants ------------------------------------------------------------ */

static bool fold_excluded(const finn_node *n)
{
    /* FoldConstants' default exclude_op_types */
    return !strcmp(n->op_type, "Quant") || !strcmp(n->op_type, "BipolarQuant");
}

/* A Shape node whose input shape is fully known folds too. */
static bool shape_is_known(const finn_model *m, const char *name)
{
    const finn_value *v = finn_model_value(m, name);
    if (!v || v->ndim < 0)
        return false;
    for (int d = 0; d < v->ndim; d++)
        if (v->shape[d] < 0)
            return false;
    return true;
}

static bool all_inputs_constant(const finn_model *m, const finn_node *n)
{
    for (size_t k = 0; k < n->n_inputs; k++)
        if (!finn_model_initializer(m, n->inputs[k])) /* "" counts as dynamic */
            return false;
    return true;
}

static bool foldable(const finn_model *m, const finn_node *n)
{
    if (fold_excluded(n) || n->n_outputs == 0 || !n->outputs[0][0])
        return false;
    if (n->n_inputs == 0 || all_inputs_constant(m, n))
        return true;
    return !strcmp(n->op_type, "Shape") && shape_is_known(m, n->inputs[0]);
}

/* The node's inputs as the executor sees them: initializer copies, and for
 * a Shape of a dynamic tensor a zero tensor of its known shape (QONNX runs
 * it in an all-zero execution context). */
static int fill_inputs(const finn_model *m, const finn_node *n, finn_exec_ctx *ctx,
                       finn_error *err)
{
    for (size_t k = 0; k < n->n_inputs; k++) {
        const char *in = n->inputs[k];
        if (!*in || finn_exec_ctx_get(ctx, in))
            continue;
        const finn_tensor *init = finn_model_initializer(m, in);
        finn_tensor *t;
        if (init) {
            t = finn_tensor_copy(init, err);
        } else {
            const finn_value *v = finn_model_value(m, in);
            t = finn_tensor_new(v->elem != FINN_ELEM_UNDEFINED ? v->elem : FINN_ELEM_FLOAT,
                                v->ndim, v->shape, err);
        }
        if (!t || finn_exec_ctx_set(ctx, in, t, err))
            return -1;
    }
    return 0;
}

/* QONNX "touches" the shape of every input first, so that initializers
 * without a value_info get one. */
static int touch_input_shapes(finn_model *m, const finn_node *n, finn_error *err)
{
    for (size_t k = 0; k < n->n_inputs; k++) {
        const char *in = n->inputs[k];
        const finn_value *v = finn_model_value(m, in);
        if (!v || !v->init || v->in_value_info || finn_model_is_input(m, in) ||
            finn_model_is_output(m, in))
            continue;
        if (finn_model_set_shape(m, in, v->init->type, v->init->ndim, v->init->shape, err))
            return -1;
    }
    return 0;
}

static int fold_node(const finn_registry *reg, finn_model *m, finn_node *n, finn_error *err)
{
    if (touch_input_shapes(m, n, err))
        return -1;
    finn_exec_ctx *ctx = finn_exec_ctx_new(err);
    if (!ctx)
        return -1;
    int rc = -1;
    char *out = finn_xstrdup(n->outputs[0], err);
    if (!out || fill_inputs(m, n, ctx, err) || finn_execute_node(reg, m, n, ctx, err))
        goto done;
    finn_tensor *t = finn_exec_ctx_take(ctx, out);
    if (!t) {
        finn_error_set(err, FINN_ERR_INVALID, "node '%s' (%s) did not produce output '%s'",
                       n->name, n->op_type, out);
        goto done;
    }
    /* QONNX's set_initializer re-writes the value_info at the end of the list */
    if (finn_model_set_initializer(m, out, t, err) ||
        finn_model_set_shape(m, out, t->type, t->ndim, t->shape, err))
        goto done;
    finn_value *v = finn_model_value(m, out);
    if (v && v->in_value_info)
        v->vi_order = finn_model_next_order(m);
    finn_model_remove_node(m, n);
    rc = 0;
done:
    free(out);
    finn_exec_ctx_free(ctx);
    return rc;
}

int finn_fold_constants(const finn_registry *reg, finn_model *m, bool *changed,
                        finn_error *err)
{
    if (changed)
        *changed = false;
    for (;;) {
        finn_node *n = NULL;
        for (size_t i = 0; i < m->n_nodes && !n; i++)
            if (foldable(m, m->nodes[i]))
                n = m->nodes[i];
        if (!n)
            return 0;
        if (fold_node(reg, m, n, err))
            return finn_error_prefix(err, "FoldConstants: ");
        if (changed)
            *changed = true;
        if (finn_infer_shapes(reg, m, err) || finn_model_cleanup(m, err))
            return finn_error_prefix(err, "FoldConstants: ");
    }
}

/* ---- RemoveIdentityOps ---------------------------------------------------------- */

#define IDENTITY_ATOL 1e-5
#define IDENTITY_RTOL 1e-5 /* numpy.isclose's default rtol, used against 1 */

static bool init_all_close(const finn_tensor *t, double target)
{
    double tol = IDENTITY_ATOL + IDENTITY_RTOL * fabs(target);
    size_t numel = finn_tensor_numel(t);
    for (size_t i = 0; i < numel; i++) {
        double d = finn_tensor_get(t, i);
        if (!(fabs(d - target) <= tol)) /* NaN is never close */
            return false;
    }
    return true;
}

static int64_t default_opset(const finn_model *m)
{
    /* QONNX reads opset_import[0] */
    return m->n_opsets ? m->opsets[0].version : finn_model_opset(m, "");
}

static bool is_identity_op(const finn_model *m, const finn_node *n)
{
    const char *op = n->op_type;
    if (n->domain[0] && strcmp(n->domain, "ai.onnx"))
        return false;
    if (n->n_inputs == 0 || n->n_outputs == 0)
        return false;
    if (!strcmp(op, "Identity"))
        return true;
    const finn_tensor *in1 = n->n_inputs > 1 ? finn_model_initializer(m, n->inputs[1]) : NULL;
    if (!strcmp(op, "Add") || !strcmp(op, "Sub"))
        return in1 && init_all_close(in1, 0.0);
    if (!strcmp(op, "Mul") || !strcmp(op, "Div"))
        return in1 && init_all_close(in1, 1.0);
    if (!strcmp(op, "Pad")) {
        const int64_t *pads;
        size_t np = finn_node_attr_ints(n, "pads", &pads);
        if (finn_node_attr(n, "pads")) {
            for (size_t i = 0; i < np; i++)
                if (pads[i] != 0)
                    return false;
            return true;
        }
        if (!in1)
            return false;
        for (size_t i = 0; i < finn_tensor_numel(in1); i++)
            if (finn_tensor_get(in1, i) != 0)
                return false;
        return true;
    }
    if (!strcmp(op, "Dropout")) {
        if (default_opset(m) < 12) {
            const finn_attr *r = finn_node_attr(n, "ratio");
            return r && r->f == 0.0f;
        }
        if (n->n_inputs == 1)
            return true;
        return in1 && finn_tensor_numel(in1) == 1 && finn_tensor_get(in1, 0) == 0;
    }
    return false;
}

/* Producer count over the inputs, with repeats (find_direct_predecessors). */
static size_t n_predecessors(const finn_model *m, const finn_node *n)
{
    size_t count = 0;
    for (size_t k = 0; k < n->n_inputs; k++)
        if (finn_model_producer(m, n->inputs[k]))
            count++;
    return count;
}

/* Consumer slots over all outputs, with repeats (find_direct_successors). */
static size_t n_successors(const finn_model *m, const finn_node *n)
{
    size_t count = 0;
    for (size_t o = 0; o < n->n_outputs; o++) {
        if (!n->outputs[o][0])
            continue;
        for (size_t i = 0; i < m->n_nodes; i++)
            for (size_t k = 0; k < m->nodes[i]->n_inputs; k++)
                count += !strcmp(m->nodes[i]->inputs[k], n->outputs[o]);
    }
    return count;
}

static bool is_join(const finn_model *m, const finn_node *n)
{
    size_t preds = n_predecessors(m, n);
    return finn_model_is_input(m, n->inputs[0]) ? preds > 0 : preds > 1;
}

static bool is_fork(const finn_model *m, const finn_node *n)
{
    size_t succ = n_successors(m, n);
    return finn_model_is_output(m, n->outputs[0]) ? succ > 0 : succ > 1;
}

/* Remove n, rewiring around it.  Returns 1 when n cannot be removed (a
 * join node, or its output is a graph output that only n produces), 0 when
 * removed, -1 on error. */
static int remove_and_rewire(finn_model *m, finn_node *n, finn_error *err)
{
    /* QONNX warns and leaves join nodes (then loops forever); we skip them */
    if (is_join(m, n))
        return 1;
    const char *in = n->inputs[0], *out = n->outputs[0];
    finn_node *producer = finn_model_producer(m, in);
    if (producer && !is_fork(m, producer)) {
        /* the producer writes n's output directly.  QONNX rewires the
         * producer's output[0]; we rewire the output n actually reads. */
        for (size_t k = 0; k < producer->n_outputs; k++)
            if (!strcmp(producer->outputs[k], in)) {
                if (finn_node_set_output(producer, k, out, err))
                    return -1;
                break;
            }
        finn_model_remove_node(m, n);
        return 0;
    }
    /* consumers read n's input instead; a graph output would be lost
     * (QONNX asserts or leaves it dangling), so such a node stays */
    if (finn_model_is_output(m, out))
        return 1;
    for (size_t i = 0; i < m->n_nodes; i++) {
        finn_node *s = m->nodes[i];
        for (size_t k = 0; k < s->n_inputs; k++)
            if (s != n && !strcmp(s->inputs[k], out) && finn_node_set_input(s, k, in, err))
                return -1;
    }
    finn_model_remove_node(m, n);
    return 0;
}

int finn_remove_identity_ops(finn_model *m, bool *changed, finn_error *err)
{
    if (changed)
        *changed = false;
    for (;;) {
        bool removed = false;
        for (size_t i = 0; i < m->n_nodes && !removed; i++) {
            finn_node *n = m->nodes[i];
            if (!is_identity_op(m, n))
                continue;
            int rc = remove_and_rewire(m, n, err);
            if (rc < 0)
                return finn_error_prefix(err, "RemoveIdentityOps: ");
            removed = rc == 0;
        }
        /* QONNX ends every iteration with a (nested) cleanup */
        if (finn_model_cleanup(m, err))
            return finn_error_prefix(err, "RemoveIdentityOps: ");
        if (!removed)
            return 0;
        if (changed)
            *changed = true;
    }
}
