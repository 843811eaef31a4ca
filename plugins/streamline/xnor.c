/*
 * xnor.c - QONNX's ConvertBipolarMatMulToXnorPopcount (bipolar_to_xnor.py):
 * a MatMul whose input and weight are both BIPOLAR becomes an
 * XnorPopcountMatMul on BINARY data followed by Mul(2) -> Add(-K), which
 * turns the popcount P back into the bipolar dot product 2P - K.  The
 * upstream bipolar MultiThreshold is switched to BINARY output.
 */
#include "sl.h"

#include <stdlib.h>
#include <string.h>

static bool is_bipolar_mt(const finn_node *n)
{
    return !strcmp(n->op_type, "MultiThreshold") &&
           !strcmp(finn_node_attr_s(n, "out_dtype", ""), "BIPOLAR");
}

/* find_upstream: follow producers through input[0] until a bipolar MT. */
static finn_node *upstream_bipolar_mt(const finn_model *m, const char *tensor)
{
    const char *cur = tensor;
    for (size_t steps = 0; steps <= m->n_nodes; steps++) {
        finn_node *p = sl_producer(m, cur);
        if (!p)
            return NULL;
        if (is_bipolar_mt(p))
            return p;
        if (p->n_inputs == 0)
            return NULL;
        cur = p->inputs[0];
    }
    return NULL;
}

static int mt_to_binary(finn_model *m, finn_node *mt, const char *mm_in, finn_error *err)
{
    if (finn_node_attr_f(mt, "out_scale", 1.0f) != 2.0f ||
        finn_node_attr_f(mt, "out_bias", 0.0f) != -1.0f)
        return finn_error_set(err, FINN_ERR_INVALID,
                              "ConvertBipolarMatMulToXnorPopcount: unexpected scale/bias "
                              "attributes for BIPOLAR MultiThreshold node '%s'",
                              mt->name);
    if (finn_node_set_attr_s(mt, "out_dtype", "BINARY", err) ||
        finn_node_set_attr_f(mt, "out_scale", 1.0f, err) ||
        finn_node_set_attr_f(mt, "out_bias", 0.0f, err))
        return -1;
    return sl_set_dt(m, mm_in, finn_dt_binary(), err);
}

static double to_binary(double w) { return (double)(((float)w + 1.0f) / 2.0f); }

/* New float constant under a fresh name (caller frees the name). */
static char *const_tensor(finn_model *m, float v, finn_error *err)
{
    int64_t one = 1;
    char *name = sl_new_name(m, err);
    if (name && sl_set_init(m, name, sl_float_tensor(1, &one, &v, err), err)) {
        free(name);
        return NULL;
    }
    return name;
}

static int convert_one(finn_model *m, size_t i, finn_node *n, finn_error *err)
{
    const char *mm_in = n->inputs[0], *mm_w = n->inputs[1];
    finn_node *mt = upstream_bipolar_mt(m, mm_in);
    if (mt) {
        if (mt_to_binary(m, mt, mm_in, err))
            return -1;
    } else if (m->n_inputs > 0 && !strcmp(mm_in, m->inputs[0])) {
        /* FINN warns: the graph input is now expected as BINARY */
        if (sl_set_dt(m, mm_in, finn_dt_binary(), err))
            return -1;
    } else {
        return finn_error_set(err, FINN_ERR_INVALID,
                              "ConvertBipolarMatMulToXnorPopcount: could not find upstream "
                              "bipolar MultiThreshold for MatMul '%s', and it does not read "
                              "graph input 0",
                              n->name);
    }
    if (sl_set_op(n, "XnorPopcountMatMul", SL_QONNX_DOMAIN, err))
        return -1;
    const finn_tensor *w = finn_model_initializer(m, mm_w);
    if (!w || w->ndim < 1)
        return finn_error_set(err, FINN_ERR_INVALID,
                              "ConvertBipolarMatMulToXnorPopcount: weight '%s' is not an "
                              "initializer",
                              mm_w);
    float k = (float)w->shape[0];
    if (sl_set_init(m, mm_w, sl_map(w, to_binary, err), err) ||
        sl_set_dt(m, mm_w, finn_dt_binary(), err))
        return -1;
    int64_t shape[FINN_MAX_DIMS];
    int nd = sl_shape_of(m, n->outputs[0], shape);
    char *out = strdup(n->outputs[0]);
    char *pc = sl_new_name(m, err);
    char *a = pc ? const_tensor(m, 2.0f, err) : NULL;
    char *mid = a ? sl_new_name(m, err) : NULL;
    char *b = mid ? const_tensor(m, -k, err) : NULL;
    int rc = out && b ? 0 : -1;
    if (!out)
        finn_error_set(err, FINN_ERR_NOMEM, "out of memory");
    if (rc == 0 && (sl_set_shape(m, pc, nd, shape, err) || finn_node_set_output(n, 0, pc, err) ||
                    sl_set_dt(m, pc, finn_dt_uint(32), err) ||
                    sl_set_shape(m, mid, nd, shape, err) ||
                    sl_insert(m, i + 1, sl_node("Mul", "", "", pc, a, mid, err), err) ||
                    sl_insert(m, i + 2, sl_node("Add", "", "", mid, b, out, err), err)))
        rc = -1;
    free(out);
    free(pc);
    free(a);
    free(mid);
    free(b);
    return rc;
}

int sl_convert_bipolar_matmul_to_xnor(const finn_registry *reg, finn_model *m, bool *changed,
                                      finn_error *err)
{
    *changed = false;
    for (size_t i = 0; i < m->n_nodes; i++) {
        finn_node *n = m->nodes[i];
        if (strcmp(n->op_type, "MatMul") || n->n_inputs < 2)
            continue;
        if (finn_model_datatype(m, n->inputs[0]).kind != FINN_DT_BIPOLAR ||
            finn_model_datatype(m, n->inputs[1]).kind != FINN_DT_BIPOLAR)
            continue;
        if (convert_one(m, i, n, err))
            return -1;
        *changed = true;
    }
    if (*changed && (finn_infer_shapes(reg, m, err) || finn_infer_datatypes(reg, m, err)))
        return -1;
    return 0;
}
