/*
 * collapse.c - FINN's CollapseRepeatedAdd / CollapseRepeatedMul
 * (collapse_repeated.py): op(op(x, A1), A2) becomes one op(x, A2 <op> A1)
 * whose constant keeps the first op's parameter name; that parameter and the
 * output are annotated FLOAT32.
 */
#include "sl.h"

#include <stdlib.h>
#include <string.h>

static int collapse(const finn_registry *reg, finn_model *m, const char *op, char sym,
                    bool *changed, finn_error *err)
{
    *changed = false;
    for (size_t i = 0; i < m->n_nodes; i++) {
        finn_node *n = m->nodes[i];
        if (strcmp(n->op_type, op) || sl_is_fork(m, n) || sl_is_join(m, n))
            continue;
        finn_node *c = sl_consumer(m, n->outputs[0]);
        if (!c || strcmp(c->op_type, op) || sl_is_join(m, c))
            continue;
        const finn_tensor *p0 = sl_init_of(m, n, 1), *p1 = sl_init_of(m, c, 1);
        if (!p0 || !p1)
            return finn_error_set(err, FINN_ERR_INVALID,
                                  "Collapse repeated %s: parameter of '%s' is not an "
                                  "initializer",
                                  op, p0 ? c->name : n->name);
        finn_tensor *merged = sl_binary(p1, p0, sym, err);
        if (!merged)
            return -1;
        char *param = strdup(n->inputs[1]), *end = strdup(c->outputs[0]);
        finn_node *nn = param && end ? sl_node(op, "", "", n->inputs[0], param, end, err) : NULL;
        int rc = nn ? 0 : -1;
        if (!param || !end)
            rc = finn_error_set(err, FINN_ERR_NOMEM, "out of memory");
        if (rc == 0)
            rc = sl_insert(m, i + 1, nn, err);
        if (rc == 0) {
            rc = sl_set_init(m, param, merged, err);
            merged = NULL;
        }
        if (rc == 0)
            rc = sl_set_dt(m, param, finn_dt_float32(), err) ||
                         sl_set_dt(m, end, finn_dt_float32(), err)
                     ? -1
                     : 0;
        finn_tensor_free(merged);
        free(param);
        free(end);
        if (rc)
            return -1;
        finn_model_remove_node(m, n);
        finn_model_remove_node(m, c);
        *changed = true;
    }
    return finn_infer_shapes(reg, m, err);
}

int sl_collapse_repeated_add(const finn_registry *reg, finn_model *m, bool *changed,
                             finn_error *err)
{
    return collapse(reg, m, "Add", '+', changed, err);
}

int sl_collapse_repeated_mul(const finn_registry *reg, finn_model *m, bool *changed,
                             finn_error *err)
{
    return collapse(reg, m, "Mul", '*', changed, err);
}
