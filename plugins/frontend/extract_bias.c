/*
 * extract_bias.c - QONNX's ExtractBiasFromConv (finn-frontend.md 4, step
 * 3.1): the bias input of a Conv/ConvTranspose becomes an Add behind it, the
 * bias reshaped to (1, C, 1, ...).  The bias may be an initializer or come
 * from a quantizer without predecessors.  One conv per application.
 */
#include "frontend.h"

#include <stdlib.h>
#include <string.h>

/* Reshape an initializer to shape when it has that many elements. */
static int reshape_init(finn_model *m, const char *name, int nd, const int64_t *shape,
                        finn_error *err)
{
    const finn_tensor *t = finn_model_initializer(m, name);
    if (!t || finn_tensor_numel(t) != finn_shape_numel(nd, shape))
        return 0;
    finn_tensor *r = finn_tensor_copy(t, err);
    if (!r || finn_tensor_reshape(r, nd, shape, err)) {
        finn_tensor_free(r);
        return -1;
    }
    return finn_model_set_initializer(m, name, r, err);
}

static bool is_single(const finn_tensor *t)
{
    return t && t->ndim == 1 && t->shape[0] == 1;
}

static int extract_one(finn_model *m, finn_node *n, size_t idx, finn_node *producer,
                       finn_error *err)
{
    const finn_value *ov = finn_model_value(m, n->outputs[0]);
    const finn_value *bv = finn_model_value(m, n->inputs[2]);
    if (!ov || ov->ndim < 2 || !bv || bv->ndim < 1)
        return fe_fail(err, n, FINN_ERR_INVALID, "output or bias shape unknown");
    int nd = ov->ndim;
    int64_t add_shape[FINN_MAX_DIMS];
    for (int i = 0; i < nd; i++)
        add_shape[i] = 1;
    add_shape[1] = bv->shape[0]; /* QONNX: "ToDo: channels last" */
    if (!producer) {
        if (reshape_init(m, n->inputs[2], nd, add_shape, err))
            return -1;
    } else {
        /* the quantizer's value, and its non-(1,) scale and zero point */
        if (reshape_init(m, producer->inputs[0], nd, add_shape, err))
            return -1;
        for (size_t k = 1; k < 3 && k < producer->n_inputs; k++) {
            const finn_tensor *p = finn_model_initializer(m, producer->inputs[k]);
            if (p && !is_single(p) && reshape_init(m, producer->inputs[k], nd, add_shape, err))
                return -1;
        }
        if (finn_model_set_shape(m, producer->outputs[0], FINN_ELEM_FLOAT, nd, add_shape, err))
            return -1;
    }
    char *act = fe_new_name(m, err);
    if (!act)
        return -1;
    int rc = -1;
    finn_elem_type elem = ov->elem;
    if (finn_model_set_shape(m, act, elem, nd, ov->shape, err))
        goto out;
    finn_node *add = fe_node("Add", NULL, (const char *const[]){act, n->inputs[2], NULL},
                             n->outputs[0], err);
    if (!add || finn_model_insert_node(m, idx + 1, add, err)) {
        finn_node_free(add);
        goto out;
    }
    if (finn_node_set_output(n, 0, act, err))
        goto out;
    fe_drop_input(n, 2);
    rc = 0;
out:
    free(act);
    return rc;
}

int fe_pass_extract_bias_from_conv(const fe_ctx *c, finn_model *m, bool *changed,
                                   finn_error *err)
{
    for (size_t i = 0; i < m->n_nodes; i++) {
        finn_node *n = m->nodes[i];
        if (strcmp(n->op_type, "Conv") && strcmp(n->op_type, "ConvTranspose"))
            continue;
        if (n->n_inputs < 3 || !n->inputs[2][0])
            continue;
        finn_node *producer = NULL;
        if (!fe_is_init(m, n->inputs[2])) {
            producer = finn_model_producer(m, n->inputs[2]);
            bool ok = producer &&
                      (!strcmp(producer->op_type, "Quant") ||
                       !strcmp(producer->op_type, "IntQuant") ||
                       !strcmp(producer->op_type, "BipolarQuant")) &&
                      fe_predecessor_count(m, producer) == 0;
            if (!ok) {
                fe_warn(c, "Could not extract bias from node %s", n->name);
                continue;
            }
        }
        *changed = true;
        return extract_one(m, n, i, producer, err);
    }
    return 0;
}
