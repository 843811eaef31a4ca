/*
 * div_to_mul.c - QONNX's ConvertSubToAdd and ConvertDivToMul (general.py):
 * subtracting / dividing by a constant becomes adding / multiplying by the
 * negated / reciprocal constant.  Both are single passes (they report "no
 * change" as QONNX does, one pass always suffices).
 */
#include "sl.h"

#include <math.h>
#include <string.h>

static double negate(double x) { return -x; }

int sl_convert_sub_to_add(const finn_registry *reg, finn_model *m, bool *changed, finn_error *err)
{
    (void)reg;
    *changed = false;
    for (size_t i = 0; i < m->n_nodes; i++) {
        finn_node *n = m->nodes[i];
        if (strcmp(n->op_type, "Sub"))
            continue;
        const finn_tensor *a = sl_init_of(m, n, 1);
        if (!a)
            continue;
        if (sl_set_init(m, n->inputs[1], sl_map(a, negate, err), err) ||
            sl_set_op(n, "Add", NULL, err))
            return -1;
    }
    return 0;
}

/* 1.0 / A cast back to A's element type (numpy astype: truncation for
 * integers). */
static finn_tensor *reciprocal(const finn_tensor *a, const char *name, finn_error *err)
{
    finn_tensor *r = finn_tensor_copy(a, err);
    if (!r)
        return NULL;
    size_t n = finn_tensor_numel(r);
    bool is_float = a->type == FINN_ELEM_FLOAT || a->type == FINN_ELEM_DOUBLE ||
                    a->type == FINN_ELEM_FLOAT16;
    for (size_t i = 0; i < n; i++) {
        double x = finn_tensor_get(a, i);
        if (!is_float && x == 0) {
            finn_tensor_free(r);
            finn_error_set(err, FINN_ERR_INVALID,
                           "ConvertDivToMul: integer divisor '%s' holds 0 (1/0 has no %s value)",
                           name, finn_elem_name(a->type));
            return NULL;
        }
        /* float32: 1/x in double rounded once to float is the float32 quotient */
        finn_tensor_set(r, i, is_float ? 1.0 / x : trunc(1.0 / x));
    }
    return r;
}

int sl_convert_div_to_mul(const finn_registry *reg, finn_model *m, bool *changed, finn_error *err)
{
    (void)reg;
    *changed = false;
    for (size_t i = 0; i < m->n_nodes; i++) {
        finn_node *n = m->nodes[i];
        if (strcmp(n->op_type, "Div"))
            continue;
        const finn_tensor *a = sl_init_of(m, n, 1);
        if (!a)
            continue;
        if (sl_set_init(m, n->inputs[1], reciprocal(a, n->inputs[1], err), err) ||
            sl_set_op(n, "Mul", NULL, err))
            return -1;
    }
    return 0;
}
