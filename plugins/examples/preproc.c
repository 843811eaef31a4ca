/*
 * preproc.c - the CNV tutorial's pre-processing custom step,
 * custom_step_add_pre_proc
 * (finn-frontend.md 7): torchvision's ToTensor as an ONNX graph
 * Div(x, 255) with the input annotated UINT8, merged in front of the model.
 * FINN exports the torch module with Brevitas; the graph is built here
 * directly, as that export gives it (opset 11, 0-d float32 constant).
 */
#include <finn/plugin.h>

#include <stdlib.h>
#include <string.h>

/* A single-name list for graph inputs/outputs (malloc'ed, as the IR wants). */
static char **name_list(const char *name, finn_error *err)
{
    char **v = malloc(sizeof *v);
    if (v && !(v[0] = strdup(name))) {
        free(v);
        v = NULL;
    }
    if (!v)
        finn_error_set(err, FINN_ERR_NOMEM, "out of memory");
    return v;
}

static finn_model *build_to_tensor(const finn_value *in, finn_error *err)
{
    finn_model *pre = finn_model_new("to_tensor", err);
    if (!pre)
        return NULL;
    finn_tensor *c = finn_tensor_new(FINN_ELEM_FLOAT, 0, NULL, err);
    finn_node *div = NULL;
    if (!c)
        goto fail;
    ((float *)c->data)[0] = 255.0f;
    if (finn_model_set_opset(pre, "", 11, err) ||
        finn_model_set_initializer(pre, "div_const", c, err) ||
        finn_model_set_shape(pre, "inp", FINN_ELEM_FLOAT, in->ndim, in->shape, err) ||
        finn_model_set_shape(pre, "out", FINN_ELEM_FLOAT, in->ndim, in->shape, err))
        goto fail;
    if (!(pre->inputs = name_list("inp", err)))
        goto fail;
    pre->n_inputs = 1;
    if (!(pre->outputs = name_list("out", err)))
        goto fail;
    pre->n_outputs = 1;
    div = finn_node_new("Div", "", "", err);
    if (!div || finn_node_add_input(div, "inp", err) || finn_node_add_input(div, "div_const", err) ||
        finn_node_add_output(div, "out", err) || finn_model_insert_node(pre, 0, div, err)) {
        finn_node_free(div);
        goto fail;
    }
    if (finn_set_input_datatype(pre, 0, finn_dt_uint(8), err))
        goto fail;
    return pre;
fail:
    finn_model_free(pre);
    return NULL;
}

int examples_add_pre_proc(finn_model **model, finn_build *build, finn_error *err)
{
    finn_model *m = *model;
    const finn_value *in = m->n_inputs ? finn_model_value(m, m->inputs[0]) : NULL;
    if (!in || in->ndim < 0)
        return finn_error_set(err, FINN_ERR_INVALID,
                              "custom_step_add_pre_proc: the shape of graph input 0 is unknown");
    finn_model *pre = build_to_tensor(in, err);
    if (!pre)
        return -1;
    return finn_merge_models_in_front(finn_build_registry(build), m, pre, err);
}
