/*
 * sign_to_thres.c - FINN's ConvertSignToThres (sign_to_thres.py): Sign(x)
 * becomes MultiThreshold(x, T=[[0]]) with out_scale 2, out_bias -1 and
 * out_dtype BIPOLAR.  Note Sign(0) = 0 while the MultiThreshold gives +1.
 */
#include "sl.h"

#include <stdlib.h>
#include <string.h>

static finn_node *make_mt(const char *x, const char *t, const char *y, finn_error *err)
{
    finn_node *mt = sl_node("MultiThreshold", SL_QONNX_DOMAIN, "", x, t, y, err);
    /* onnx.helper.make_node stores attributes sorted by name */
    if (mt && (finn_node_set_attr_f(mt, "out_bias", -1.0f, err) ||
               finn_node_set_attr_s(mt, "out_dtype", "BIPOLAR", err) ||
               finn_node_set_attr_f(mt, "out_scale", 2.0f, err))) {
        finn_node_free(mt);
        return NULL;
    }
    return mt;
}

int sl_convert_sign_to_thres(const finn_registry *reg, finn_model *m, bool *changed,
                             finn_error *err)
{
    (void)reg;
    *changed = false;
    for (size_t i = 0; i < m->n_nodes; i++) {
        finn_node *n = m->nodes[i];
        if (strcmp(n->op_type, "Sign"))
            continue;
        const char *in = n->inputs[0], *out = n->outputs[0];
        if (!sl_consumer(m, out))
            return finn_error_set(err, FINN_ERR_INVALID,
                                  "ConvertSignToThres: output '%s' of Sign node '%s' has no "
                                  "consumer",
                                  out, n->name);
        char *t_name = sl_new_name(m, err);
        if (!t_name)
            return -1;
        int64_t shape[2] = {1, 1};
        float zero = 0.0f;
        int rc = sl_set_init(m, t_name, sl_float_tensor(2, shape, &zero, err), err);
        if (rc == 0)
            rc = sl_insert(m, i + 1, make_mt(in, t_name, out, err), err);
        free(t_name);
        if (rc)
            return -1;
        if (sl_set_dt(m, m->nodes[i + 1]->outputs[0], finn_dt_bipolar(), err))
            return -1;
        finn_model_remove_node(m, n);
        *changed = true;
    }
    return 0;
}
