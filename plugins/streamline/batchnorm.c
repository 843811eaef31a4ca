/*
 * batchnorm.c - QONNX's BatchNormToAffine (batchnorm_to_affine.py): every
 * inference BatchNormalization becomes Mul(A) -> Add(B) with
 * A = gamma / sqrt(var + eps), B = beta - A * mean, shaped (1, C, 1, ...)
 * for the data rank.  An Unsqueeze right before and a Squeeze right after
 * are swallowed.  numpy does all of this in float32, so do we.
 */
#include "sl.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

typedef struct bn_params {
    const finn_tensor *scale, *bias, *mean, *var;
} bn_params;

static int get_params(const finn_model *m, const finn_node *n, bn_params *p, finn_error *err)
{
    const finn_tensor **slots[4] = {&p->scale, &p->bias, &p->mean, &p->var};
    for (size_t k = 0; k < 4; k++) {
        *slots[k] = sl_init_of(m, n, k + 1);
        if (!*slots[k])
            return finn_error_set(err, FINN_ERR_INVALID,
                                  "BatchNormToAffine: node '%s' input %zu is not an initializer",
                                  n->name, k + 1);
    }
    size_t c = finn_tensor_numel(p->scale);
    if (finn_tensor_numel(p->bias) != c || finn_tensor_numel(p->mean) != c ||
        finn_tensor_numel(p->var) != c || p->scale->ndim != p->bias->ndim)
        return finn_error_set(err, FINN_ERR_INVALID,
                              "BatchNormToAffine: node '%s' parameters differ in size", n->name);
    return 0;
}

/* A and B in float32, reshaped to (1, C, 1, ...) with data_ndim dims. */
static int affine_params(const bn_params *p, float eps, int data_ndim, finn_tensor **a_out,
                         finn_tensor **b_out, finn_error *err)
{
    int64_t shape[FINN_MAX_DIMS];
    int nd = data_ndim < 2 ? 2 : data_ndim;
    size_t c = finn_tensor_numel(p->scale);
    for (int d = 0; d < nd; d++)
        shape[d] = 1;
    shape[1] = (int64_t)c;
    finn_tensor *a = finn_tensor_new(FINN_ELEM_FLOAT, nd, shape, err);
    finn_tensor *b = a ? finn_tensor_new(FINN_ELEM_FLOAT, nd, shape, err) : NULL;
    if (!b) {
        finn_tensor_free(a);
        return -1;
    }
    float *av = a->data, *bv = b->data;
    for (size_t i = 0; i < c; i++) {
        float var = (float)finn_tensor_get(p->var, i);
        float ai = (float)finn_tensor_get(p->scale, i) / sqrtf(eps + var);
        av[i] = ai;
        bv[i] = (float)finn_tensor_get(p->bias, i) - ai * (float)finn_tensor_get(p->mean, i);
    }
    *a_out = a;
    *b_out = b;
    return 0;
}

/* Store t under a fresh name; takes ownership of t.  NULL on failure. */
static char *new_init(finn_model *m, finn_tensor *t, finn_error *err)
{
    char *name = sl_new_name(m, err);
    if (!name) {
        finn_tensor_free(t);
        return NULL;
    }
    if (finn_model_set_initializer(m, name, t, err)) {
        free(name);
        return NULL;
    }
    return name;
}

/* Mul(x, A) -> Add(., B) writing y, inserted at index; takes a and b. */
static int insert_affine(finn_model *m, size_t index, const char *x, const char *y,
                         finn_tensor *a, finn_tensor *b, int ndim, const int64_t *shape,
                         finn_error *err)
{
    char *a_name = new_init(m, a, err);
    char *b_name = a_name ? new_init(m, b, err) : NULL;
    char *mid = b_name ? sl_new_name(m, err) : NULL;
    int rc = -1;
    if (!a_name)
        finn_tensor_free(b);
    if (mid && sl_set_shape(m, mid, ndim, shape, err) == 0 &&
        sl_insert(m, index, sl_node("Mul", "", "", x, a_name, mid, err), err) == 0 &&
        sl_insert(m, index + 1, sl_node("Add", "", "", mid, b_name, y, err), err) == 0)
        rc = 0;
    free(a_name);
    free(mid);
    free(b_name);
    return rc;
}

static int convert_one(finn_model *m, size_t i, finn_error *err)
{
    finn_node *n = m->nodes[i];
    bn_params p;
    if (get_params(m, n, &p, err))
        return -1;
    float eps = finn_node_attr_f(n, "epsilon", 1e-5f);
    const char *in = n->inputs[0], *out = n->outputs[0];
    finn_node *producer = sl_producer(m, in);
    finn_node *consumer = sl_consumer(m, out);
    if (producer && strcmp(producer->op_type, "Unsqueeze"))
        producer = NULL;
    if (consumer && strcmp(consumer->op_type, "Squeeze"))
        consumer = NULL;
    if (producer)
        in = producer->inputs[0];
    if (consumer)
        out = consumer->outputs[0];
    int64_t shape[FINN_MAX_DIMS];
    int nd = sl_shape_of(m, in, shape);
    if (nd < 0)
        return finn_error_set(err, FINN_ERR_INVALID,
                              "BatchNormToAffine: shape of '%s' (input of '%s') is unknown", in,
                              n->name);
    if (nd < p.scale->ndim)
        return finn_error_set(err, FINN_ERR_INVALID,
                              "BatchNormToAffine: '%s' has fewer dims than its parameters",
                              n->name);
    finn_tensor *a, *b;
    if (affine_params(&p, eps, nd, &a, &b, err))
        return -1;
    /* names point into nodes that are removed below: copy them */
    char *in_copy = strdup(in), *out_copy = strdup(out);
    int rc = in_copy && out_copy ? 0 : finn_error_set(err, FINN_ERR_NOMEM, "out of memory");
    if (rc == 0) {
        rc = insert_affine(m, i + 1, in_copy, out_copy, a, b, nd, shape, err);
    } else {
        finn_tensor_free(a);
        finn_tensor_free(b);
    }
    free(in_copy);
    free(out_copy);
    if (rc)
        return -1;
    finn_model_remove_node(m, n);
    if (consumer)
        finn_model_remove_node(m, consumer);
    if (producer)
        finn_model_remove_node(m, producer);
    return 0;
}

int sl_batchnorm_to_affine(const finn_registry *reg, finn_model *m, bool *changed,
                           finn_error *err)
{
    *changed = false;
    for (size_t i = 0; i < m->n_nodes; i++) {
        if (strcmp(m->nodes[i]->op_type, "BatchNormalization"))
            continue;
        *changed = true;
        if (convert_one(m, i, err))
            return -1;
    }
    return finn_infer_shapes(reg, m, err);
}
