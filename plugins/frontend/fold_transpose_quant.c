/*
 * fold_transpose_quant.c - QONNX's FoldTransposeIntoQuantInit
 * (finn-frontend.md 4, step 3.3): a Transpose fed only by a quantizer whose
 * inputs are all initializers disappears; the quantizer's initializers are
 * transposed instead (those whose rank matches the perm) and the quantizer
 * writes the Transpose's output.
 */
#include "frontend.h"

#include <string.h>

static bool is_quant_init(const finn_model *m, const finn_node *n)
{
    return n && fe_is_quantizer(n) && fe_all_inputs_init(m, n);
}

/* Transpose every initializer input of q; *any tells whether one changed. */
static int transpose_inits(finn_model *m, const finn_node *q, const int64_t *perm, size_t nperm,
                           bool *any, finn_error *err)
{
    for (size_t k = 0; k < q->n_inputs; k++) {
        const finn_tensor *t = finn_model_initializer(m, q->inputs[k]);
        if (perm && (int)nperm != t->ndim)
            continue; /* QONNX skips initializers of another rank */
        finn_tensor *tt = fe_transpose(t, perm, err);
        if (!tt || finn_model_set_initializer(m, q->inputs[k], tt, err))
            return -1;
        *any = true;
    }
    return 0;
}

int fe_pass_fold_transpose_into_quant_init(const fe_ctx *c, finn_model *m, bool *changed,
                                           finn_error *err)
{
    (void)c;
    for (size_t i = 0; i < m->n_nodes; i++) {
        finn_node *t = m->nodes[i];
        if (strcmp(t->op_type, "Transpose") || fe_predecessor_count(m, t) != 1)
            continue;
        finn_node *q = fe_first_predecessor(m, t);
        if (!is_quant_init(m, q))
            continue;
        const int64_t *perm = NULL;
        size_t nperm = finn_node_attr_ints(t, "perm", &perm);
        if (!finn_node_attr(t, "perm"))
            perm = NULL;
        if (transpose_inits(m, q, perm, nperm, changed, err))
            return -1;
        if (finn_node_set_output(q, 0, t->outputs[0], err))
            return -1;
        finn_model_remove_node(m, t);
        i--; /* the next node moved into slot i */
    }
    return 0;
}
