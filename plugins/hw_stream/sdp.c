/*
 * sdp.c - StreamingDataflowPartition: a node standing for a child model
 * (attribute `model` = path of its .onnx).  Executing it runs the child
 * with the registry of the run in progress (finn-frontend.md 9):
 * parent inputs map to child graph inputs by position, child outputs back
 * to the node outputs by position; with return_full_exec_context = 1 every
 * other child tensor is also stored as "<node name>_<tensor>".
 */
#include "hws.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int sdp_load(const finn_node *n, finn_model **child, finn_error *err)
{
    const char *path = finn_node_attr_s(n, "model", NULL);
    if (!path || !path[0])
        return hs_fail(err, n, FINN_ERR_INVALID, "required attribute 'model' is missing");
    if (finn_model_load(path, child, err)) {
        finn_error_prefix(err, "node '%s' (%s): child model: ", n->name, n->op_type);
        return -1;
    }
    if ((*child)->n_inputs < n->n_inputs || (*child)->n_outputs < n->n_outputs) {
        hs_fail(err, n, FINN_ERR_INVALID,
                "child model '%s' has %zu inputs and %zu outputs, the node %zu and %zu", path,
                (*child)->n_inputs, (*child)->n_outputs, n->n_inputs, n->n_outputs);
        finn_model_free(*child);
        *child = NULL;
        return -1;
    }
    return 0;
}

/* Move every tensor left in cc into ctx under "<node name>_<tensor>". */
static int sdp_export_rest(const finn_node *n, finn_exec_ctx *cc, finn_exec_ctx *ctx,
                           finn_error *err)
{
    while (finn_exec_ctx_count(cc)) {
        const char *tname = finn_exec_ctx_name(cc, 0);
        size_t len = strlen(n->name) + strlen(tname) + 2;
        char *name = malloc(len);
        if (!name)
            return finn_error_set(err, FINN_ERR_NOMEM, "out of memory");
        snprintf(name, len, "%s_%s", n->name, tname);
        finn_tensor *t = finn_exec_ctx_take(cc, tname);
        int rc = finn_exec_ctx_set(ctx, name, t, err);
        free(name);
        if (rc)
            return -1;
    }
    return 0;
}

static int sdp_run(const finn_node *n, const finn_model *child, finn_exec_ctx *ctx,
                   finn_exec_ctx *cc, finn_error *err)
{
    const finn_registry *reg = finn_exec_ctx_registry(ctx);
    if (!reg)
        return hs_fail(err, n, FINN_ERR_INVALID, "can only run inside finn_execute");
    for (size_t i = 0; i < n->n_inputs; i++) {
        const finn_tensor *x = hs_input(ctx, n, i, err);
        finn_tensor *c = x ? finn_tensor_copy(x, err) : NULL;
        if (!c || finn_exec_ctx_set(cc, child->inputs[i], c, err))
            return -1;
    }
    if (finn_execute(reg, child, cc, err)) {
        finn_error_prefix(err, "node '%s' (%s): child model: ", n->name, n->op_type);
        return -1;
    }
    for (size_t k = 0; k < n->n_outputs; k++) {
        finn_tensor *t = finn_exec_ctx_take(cc, child->outputs[k]);
        if (!t)
            return hs_fail(err, n, FINN_ERR_NOT_FOUND, "child output '%s' was not computed",
                           child->outputs[k]);
        if (finn_exec_ctx_set(ctx, n->outputs[k], t, err))
            return -1;
    }
    if (finn_node_attr_i(n, "return_full_exec_context", 0) != 1)
        return 0;
    /* outputs beyond the node's are child graph outputs too: not exported */
    for (size_t k = n->n_outputs; k < child->n_outputs; k++)
        finn_tensor_free(finn_exec_ctx_take(cc, child->outputs[k]));
    return sdp_export_rest(n, cc, ctx, err);
}

static int sdp_exec(const finn_model *m, const finn_node *n, finn_exec_ctx *ctx, finn_error *err)
{
    (void)m;
    finn_model *child = NULL;
    if (sdp_load(n, &child, err))
        return -1;
    finn_exec_ctx *cc = finn_exec_ctx_new(err);
    int rc = cc ? sdp_run(n, child, ctx, cc, err) : -1;
    finn_exec_ctx_free(cc);
    finn_model_free(child);
    return rc;
}

/* FINN has no shape rule for this node (InferShapes fails on it); here
 * the outputs take the child's graph output shapes when the child loads. */
static int sdp_infer_shapes(finn_model *m, finn_node *n, finn_error *err)
{
    finn_model *child = NULL;
    if (sdp_load(n, &child, err))
        return -1;
    int rc = 0;
    for (size_t k = 0; k < n->n_outputs && rc == 0; k++) {
        const finn_value *v = finn_model_value(child, child->outputs[k]);
        if (v && v->ndim >= 0 && n->outputs[k][0])
            rc = finn_model_set_shape(m, n->outputs[k], v->elem, v->ndim, v->shape, err);
    }
    finn_model_free(child);
    return rc;
}

/* FINN's infer_node_datatype does nothing for this node. */
static int sdp_infer_dt(finn_model *m, finn_node *n, finn_error *err)
{
    (void)m, (void)n, (void)err;
    return 0;
}

/* Not a HW layer (FINN's class is a plain CustomOp): no HW table. */
const finn_op hs_sdp_op = {FINN_HW_DOMAIN, "StreamingDataflowPartition", sdp_infer_shapes,
                           sdp_infer_dt, sdp_exec, NULL};
