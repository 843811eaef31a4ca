/*
 * transform_topk.c - InsertTopK: a TopK node on graph output 0 whose
 * indices become the graph output (QONNX insert_topk.py semantics, with
 * deterministic tensor names instead of random ones).
 *
 * Where QONNX always writes the opset-11 form (k as a second input,
 * attributes largest and sorted), a model importing an older default
 * opset gets the form its opset has (k as an attribute before opset 10,
 * no largest/sorted before 11): FINN's node would make such a model
 * invalid (onnx.checker and onnxruntime refuse it).
 */
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "finn/transforms.h"
#include "util.h"

int finn_insert_topk(finn_model *m, int64_t k, finn_error *err)
{
    if (m->n_outputs == 0)
        return finn_error_set(err, FINN_ERR_INVALID, "InsertTopK: the model has no graph output");
    if (k < 1)
        return finn_error_set(err, FINN_ERR_INVALID, "InsertTopK: k must be >= 1, got %lld",
                              (long long)k);
    const char *out_name = m->outputs[0];
    finn_node *last = finn_model_producer(m, out_name);
    if (last && !strcmp(last->op_type, "TopK"))
        return 0;
    const finn_value *out = finn_model_value(m, out_name);
    if (!out || out->ndim < 1)
        return finn_error_set(err, FINN_ERR_INVALID,
                              "InsertTopK: the shape of graph output '%s' is unknown", out_name);
    int64_t shape[FINN_MAX_DIMS];
    int nd = out->ndim;
    memcpy(shape, out->shape, sizeof shape);
    if (shape[nd - 1] >= 0 && k > shape[nd - 1])
        return finn_error_set(err, FINN_ERR_INVALID,
                              "InsertTopK: k=%lld is larger than the last dimension (%lld) of '%s'",
                              (long long)k, (long long)shape[nd - 1], out_name);
    shape[nd - 1] = k;
    finn_datatype out_dt = finn_model_datatype(m, out_name);

    int64_t opset = finn_model_opset(m, "");
    bool k_as_attr = opset >= 1 && opset < 10;
    char *k_name = finn_model_unique_tensor_name(m, "TopK_k");
    char *val_name = finn_model_unique_tensor_name(m, "TopK_values");
    char *idx_name = finn_model_unique_tensor_name(m, "TopK_indices");
    char *old_out = finn_xstrdup(out_name, err);
    finn_node *n = NULL;
    int rc = -1;
    if (!k_name || !val_name || !idx_name || !old_out) {
        finn_error_set(err, FINN_ERR_NOMEM, "out of memory");
        goto out;
    }
    int64_t one = 1;
    finn_tensor *kt = k_as_attr ? NULL : finn_tensor_new(FINN_ELEM_INT64, 1, &one, err);
    if (!k_as_attr && !kt)
        goto out;
    if (kt)
        ((int64_t *)kt->data)[0] = k;
    if ((kt && finn_model_set_initializer(m, k_name, kt, err) != 0) ||
        finn_model_set_shape(m, val_name, FINN_ELEM_FLOAT, nd, shape, err) != 0 ||
        finn_model_set_shape(m, idx_name, FINN_ELEM_INT64, nd, shape, err) != 0)
        goto out;
    /* FINN annotates K and the values with the old output's type (a quirk
     * kept so graphs agree) and the indices with UINT32. */
    if ((!k_as_attr && finn_model_set_datatype(m, k_name, out_dt, err) != 0) ||
        finn_model_set_datatype(m, val_name, out_dt, err) != 0 ||
        finn_model_set_datatype(m, idx_name, finn_dt_uint(32), err) != 0)
        goto out;
    n = finn_node_new("TopK", "", "", err);
    if (!n || finn_node_add_input(n, old_out, err) ||
        (k_as_attr ? finn_node_set_attr_i(n, "k", k, err) : finn_node_add_input(n, k_name, err)) ||
        finn_node_add_output(n, val_name, err) || finn_node_add_output(n, idx_name, err) ||
        finn_node_set_attr_i(n, "axis", -1, err))
        goto out;
    /* largest/sorted exist from opset 11 (before, TopK is always both) */
    if ((opset < 1 || opset >= 11) && (finn_node_set_attr_i(n, "largest", 1, err) ||
                                       finn_node_set_attr_i(n, "sorted", 1, err)))
        goto out;
    if (finn_model_insert_node(m, m->n_nodes, n, err) != 0)
        goto out;
    n = NULL;
    /* the indices replace the old tensor as graph output 0 */
    char *new_out = finn_xstrdup(idx_name, err);
    if (!new_out)
        goto out;
    free(m->outputs[0]);
    m->outputs[0] = new_out;
    rc = 0;
out:
    finn_node_free(n);
    free(k_name);
    free(val_name);
    free(idx_name);
    free(old_out);
    return rc;
}

int finn_set_input_datatype(finn_model *m, size_t index, finn_datatype dt, finn_error *err)
{
    if (index >= m->n_inputs)
        return finn_error_set(err, FINN_ERR_INVALID,
                              "the model has %zu graph input(s); there is no input %zu",
                              m->n_inputs, index);
    return finn_model_set_datatype(m, m->inputs[index], dt, err);
}
