/*
 * absorb_transpose.c - FINN's absorb.py rewrites for Transpose nodes after
 * conv lowering: AbsorbTransposeIntoMultiThreshold (the MultiThreshold runs
 * on NHWC data and the Transpose moves behind it) and
 * AbsorbConsecutiveTransposes (inverse Transpose pairs vanish).
 * A Transpose without a perm attribute is left alone (FINN would fail).
 */
#include "sl.h"

#include <stdlib.h>
#include <string.h>

static const int64_t TO_NCHW[4] = {0, 3, 1, 2};

static int absorb_one(finn_model *m, size_t node_ind, finn_node *t, finn_node *mt,
                      finn_error *err)
{
    char *orig_out = strdup(mt->outputs[0]), *src = strdup(t->inputs[0]);
    char *mid = orig_out && src ? sl_new_name(m, err) : NULL;
    int rc = mid ? 0 : -1;
    if (!orig_out || !src)
        finn_error_set(err, FINN_ERR_NOMEM, "out of memory");
    int64_t shape[FINN_MAX_DIMS];
    int nd = rc == 0 ? sl_shape_of(m, src, shape) : -1;
    finn_datatype odt = finn_model_datatype(m, orig_out ? orig_out : "");
    finn_node *nt = NULL;
    if (rc == 0 && (finn_node_set_attr_s(mt, "data_layout", "NHWC", err) ||
                    finn_node_set_input(mt, 0, src, err) ||
                    sl_set_shape(m, mid, nd, shape, err) ||
                    finn_model_set_layout(m, mid, "NHWC", err) || sl_set_dt(m, mid, odt, err) ||
                    finn_node_set_output(mt, 0, mid, err)))
        rc = -1;
    if (rc == 0) {
        finn_model_remove_node(m, t);
        nt = sl_node("Transpose", "", "", mid, NULL, orig_out, err);
        if (!nt) {
            rc = -1;
        } else if (finn_node_set_attr_ints(nt, "perm", TO_NCHW, 4, err)) {
            finn_node_free(nt);
            rc = -1;
        } else {
            rc = sl_insert(m, node_ind + 1, nt, err); /* frees nt on failure */
        }
    }
    free(orig_out);
    free(src);
    free(mid);
    return rc;
}

int sl_absorb_transpose_into_mt(const finn_registry *reg, finn_model *m, bool *changed,
                                finn_error *err)
{
    *changed = false;
    /* FINN walks a snapshot but inserts by the running position */
    size_t count = m->n_nodes;
    finn_node **nodes = malloc((count ? count : 1) * sizeof *nodes);
    if (!nodes)
        return finn_error_set(err, FINN_ERR_NOMEM, "out of memory");
    memcpy(nodes, m->nodes, count * sizeof *nodes);
    int rc = 0;
    for (size_t i = 0; i < count && rc == 0; i++) {
        finn_node *t = nodes[i];
        /* a node removed earlier in this pass is no longer in the graph */
        if (finn_model_node_index(m, t) == SIZE_MAX)
            continue;
        if (strcmp(t->op_type, "Transpose") || sl_is_fork(m, t) || !sl_perm_is(t, TO_NCHW, 4))
            continue;
        finn_node *mt = sl_consumer(m, t->outputs[0]);
        if (!mt || strcmp(mt->op_type, "MultiThreshold"))
            continue;
        rc = absorb_one(m, i + 1, t, mt, err);
        if (rc == 0)
            *changed = true;
    }
    free(nodes);
    if (rc)
        return -1;
    if (*changed)
        return finn_infer_datatypes(reg, m, err);
    return 0;
}

/* perm2 undoes perm1 */
static bool opposite(const int64_t *p1, size_t n1, const int64_t *p2, size_t n2)
{
    if (n1 != n2)
        return false;
    for (size_t i = 0; i < n2; i++)
        if (p2[i] < 0 || (size_t)p2[i] >= n1 || p1[p2[i]] != (int64_t)i)
            return false;
    return true;
}

static int remove_pair_group(finn_model *m, finn_node *t, finn_node **next, size_t n_next,
                             finn_error *err)
{
    char *src = strdup(t->inputs[0]);
    if (!src)
        return finn_error_set(err, FINN_ERR_NOMEM, "out of memory");
    int rc = 0;
    for (size_t k = 0; k < n_next && rc == 0; k++) {
        const char *out = next[k]->outputs[0];
        if (sl_is_graph_output(m, out)) {
            rc = finn_error_set(err, FINN_ERR_INVALID,
                                "AbsorbConsecutiveTransposes: '%s' is a graph output", out);
            break;
        }
        for (size_t j = 0; j < m->n_nodes && rc == 0; j++) {
            finn_node *c = m->nodes[j];
            for (size_t s = 0; s < c->n_inputs && rc == 0; s++)
                if (!strcmp(c->inputs[s], out))
                    rc = finn_node_set_input(c, s, src, err);
        }
        if (rc == 0)
            finn_model_remove_node(m, next[k]);
    }
    free(src);
    if (rc == 0)
        finn_model_remove_node(m, t);
    return rc;
}

int sl_absorb_consecutive_transposes(const finn_registry *reg, finn_model *m, bool *changed,
                                     finn_error *err)
{
    *changed = false;
    for (size_t i = 0; i < m->n_nodes; i++) {
        finn_node *t = m->nodes[i];
        const int64_t *p1 = NULL;
        size_t n1 = strcmp(t->op_type, "Transpose") ? 0 : finn_node_attr_ints(t, "perm", &p1);
        if (!p1)
            continue;
        size_t n_next = finn_model_consumers(m, t->outputs[0], NULL, 0);
        if (n_next == 0)
            continue;
        finn_node **next = malloc(n_next * sizeof *next);
        if (!next)
            return finn_error_set(err, FINN_ERR_NOMEM, "out of memory");
        finn_model_consumers(m, t->outputs[0], next, n_next);
        bool all = true;
        for (size_t k = 0; k < n_next && all; k++) {
            const int64_t *p2 = NULL;
            size_t n2 = strcmp(next[k]->op_type, "Transpose")
                            ? 0
                            : finn_node_attr_ints(next[k], "perm", &p2);
            all = p2 && opposite(p1, n1, p2, n2);
        }
        int rc = all ? remove_pair_group(m, t, next, n_next, err) : 0;
        free(next);
        if (rc)
            return -1;
        *changed = *changed || all;
    }
    if (*changed)
        return finn_infer_datatypes(reg, m, err);
    return 0;
}
