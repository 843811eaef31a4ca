/*
 * args.c - the frame shared by every onnx_nn op: gathering a node's inputs
 * from the model (shape inference) or from the execution context
 * (execution), running an op's shape()/exec() pair, and small readers for
 * int lists, axes and strides.  No op arithmetic lives here.
 */
#include "nn.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Opset assumed when a model imports no "" domain (the newest we know). */
#define NN_DEFAULT_OPSET 19

static int args_init(nn_args *a, const finn_model *m, const finn_node *n, bool runtime,
                     finn_error *err)
{
    memset(a, 0, sizeof *a);
    if (n->n_inputs > NN_MAX_IO || n->n_outputs > NN_MAX_IO)
        return finn_error_set(err, FINN_ERR_UNSUPPORTED, "more than %d inputs or outputs",
                              NN_MAX_IO);
    a->m = m;
    a->n = n;
    a->runtime = runtime;
    a->opset = finn_model_opset(m, "");
    if (a->opset < 0)
        a->opset = NN_DEFAULT_OPSET;
    a->n_in = n->n_inputs;
    a->n_out = n->n_outputs;
    return 0;
}

static void in_from_tensor(nn_in *in, const finn_tensor *t)
{
    in->t = t;
    in->elem = t->type;
    in->ndim = t->ndim;
    memcpy(in->shape, t->shape, sizeof in->shape);
}

static int args_from_model(nn_args *a, const finn_model *m, const finn_node *n, finn_error *err)
{
    if (args_init(a, m, n, false, err))
        return -1;
    for (size_t k = 0; k < n->n_inputs; k++) {
        nn_in *in = &a->in[k];
        in->ndim = -1;
        in->name = finn_node_input(n, k);
        if (!in->name)
            continue;
        const finn_tensor *init = finn_model_initializer(m, in->name);
        const finn_value *v = finn_model_value(m, in->name);
        if (init) {
            in_from_tensor(in, init);
        } else if (v) {
            in->elem = v->elem;
            in->ndim = v->ndim;
            memcpy(in->shape, v->shape, sizeof in->shape);
        }
    }
    return 0;
}

static int args_from_ctx(nn_args *a, const finn_model *m, const finn_node *n,
                         const finn_exec_ctx *ctx, finn_error *err)
{
    if (args_init(a, m, n, true, err))
        return -1;
    for (size_t k = 0; k < n->n_inputs; k++) {
        nn_in *in = &a->in[k];
        in->ndim = -1;
        in->name = finn_node_input(n, k);
        if (!in->name)
            continue;
        const finn_tensor *t = finn_exec_ctx_get(ctx, in->name);
        if (!t)
            return finn_error_set(err, FINN_ERR_NOT_FOUND, "input '%s' has no value", in->name);
        in_from_tensor(in, t);
    }
    return 0;
}

static int prefix_node(const finn_node *n, finn_error *err)
{
    if (err && strncmp(err->msg, "node '", 6) != 0)
        finn_error_prefix(err, "node '%s' (%s): ", n->name ? n->name : "", n->op_type);
    return -1;
}

int nn_infer(finn_model *m, finn_node *n, nn_shape_fn shape, finn_error *err)
{
    nn_args a;
    nn_out out[NN_MAX_IO];
    if (args_from_model(&a, m, n, err))
        return prefix_node(n, err);
    memset(out, 0, sizeof out);
    if (shape(&a, out, err))
        return prefix_node(n, err);
    for (size_t k = 0; k < n->n_outputs; k++) {
        if (!n->outputs[k][0])
            continue;
        if (finn_model_set_shape(m, n->outputs[k], out[k].elem, out[k].ndim, out[k].shape, err))
            return prefix_node(n, err);
    }
    return 0;
}

int nn_run(const finn_model *m, const finn_node *n, finn_exec_ctx *ctx, nn_shape_fn shape,
           nn_exec_fn exec, finn_error *err)
{
    nn_args a;
    nn_out out[NN_MAX_IO];
    finn_tensor *t[NN_MAX_IO];
    int rc = -1;
    memset(t, 0, sizeof t);
    memset(out, 0, sizeof out);
    if (args_from_ctx(&a, m, n, ctx, err) || shape(&a, out, err))
        return -1;
    for (size_t k = 0; k < n->n_outputs; k++) {
        if (!n->outputs[k][0])
            continue;
        if (!(t[k] = finn_tensor_new(out[k].elem, out[k].ndim, out[k].shape, err)))
            goto done;
    }
    if (exec(&a, t, err))
        goto done;
    rc = 0;
    for (size_t k = 0; k < n->n_outputs; k++) {
        if (!t[k])
            continue;
        finn_tensor *tk = t[k];
        t[k] = NULL; /* the context owns it now, even on failure */
        if (rc == 0 && finn_exec_ctx_set(ctx, n->outputs[k], tk, err))
            rc = -1;
        else if (rc != 0)
            finn_tensor_free(tk);
    }
done:
    for (size_t k = 0; k < n->n_outputs; k++)
        finn_tensor_free(t[k]);
    return rc;
}

bool nn_has(const nn_args *a, size_t k)
{
    return k < a->n_in && a->in[k].name != NULL;
}

int nn_need_shape(const nn_args *a, size_t k, finn_error *err)
{
    if (!nn_has(a, k))
        return finn_error_set(err, FINN_ERR_INVALID, "required input %zu is missing",
                              k);
    if (a->in[k].ndim < 0)
        return finn_error_set(err, FINN_ERR_INVALID, "shape of input '%s' is unknown",
                              a->in[k].name);
    return 0;
}

int nn_need_data(const nn_args *a, size_t k, const char *what, finn_error *err)
{
    if (nn_need_shape(a, k, err))
        return -1;
    if (!a->in[k].t)
        return finn_error_set(err, FINN_ERR_UNSUPPORTED,
                              "input '%s' (%s) is not a constant initializer, so the output "
                              "shape cannot be inferred",
                              a->in[k].name, what);
    return 0;
}

int nn_tensor_ints(const finn_tensor *t, int64_t *v, size_t max, size_t *count,
                   const char *what, finn_error *err)
{
    size_t n = finn_tensor_numel(t);
    if (t->ndim > 1)
        return finn_error_set(err, FINN_ERR_INVALID, "%s must be a 1-D list, has %d dims", what,
                              t->ndim);
    if (n > max)
        return finn_error_set(err, FINN_ERR_UNSUPPORTED, "%s has %zu entries (at most %zu)", what,
                              n, max);
    for (size_t i = 0; i < n; i++) {
        if (t->type == FINN_ELEM_INT64)
            v[i] = ((const int64_t *)t->data)[i];
        else if (t->type == FINN_ELEM_INT32)
            v[i] = ((const int32_t *)t->data)[i];
        else
            v[i] = (int64_t)finn_tensor_get(t, i);
    }
    *count = n;
    return 0;
}

int nn_ints_arg(const nn_args *a, const char *attr, size_t k, int64_t *v, size_t max,
                size_t *count, bool *found, finn_error *err)
{
    const int64_t *av;
    const finn_attr *at = finn_node_attr(a->n, attr);
    *count = 0;
    *found = false;
    if (at) {
        size_t n = finn_node_attr_ints(a->n, attr, &av);
        if (n > max)
            return finn_error_set(err, FINN_ERR_UNSUPPORTED, "attribute %s has %zu entries",
                                  attr, n);
        if (n)
            memcpy(v, av, n * sizeof *v);
        *count = n;
        *found = true;
        return 0;
    }
    if (!nn_has(a, k))
        return 0;
    if (nn_need_data(a, k, attr, err))
        return -1;
    char what[128];
    snprintf(what, sizeof what, "input '%s' (%s)", a->in[k].name, attr);
    if (nn_tensor_ints(a->in[k].t, v, max, count, what, err))
        return -1;
    *found = true;
    return 0;
}

int nn_axis(const nn_args *a, int64_t axis, int rank, const char *what, int *out,
            finn_error *err)
{
    (void)a;
    if (axis < -rank || axis >= rank)
        return finn_error_set(err, FINN_ERR_INVALID, "%s %lld is out of range for rank %d",
                              what, (long long)axis, rank);
    *out = (int)(axis < 0 ? axis + rank : axis);
    return 0;
}

void nn_strides(int ndim, const int64_t *shape, int64_t *strides)
{
    int64_t s = 1;
    for (int i = ndim - 1; i >= 0; i--) {
        strides[i] = s;
        s *= shape[i];
    }
}

void nn_out_like(nn_out *o, const nn_in *in)
{
    o->elem = in->elem;
    o->ndim = in->ndim;
    memcpy(o->shape, in->shape, sizeof o->shape);
}

void *nn_alloc(size_t count, size_t size, finn_error *err)
{
    if (size && count > SIZE_MAX / size) {
        finn_error_set(err, FINN_ERR_NOMEM, "allocation of %zu x %zu bytes overflows", count,
                       size);
        return NULL;
    }
    void *p = calloc(count ? count : 1, size ? size : 1);
    if (!p)
        finn_error_set(err, FINN_ERR_NOMEM, "out of memory allocating %zu bytes", count * size);
    return p;
}
