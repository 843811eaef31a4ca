/*
 * transform_cleanup.c - QONNX's general tidy-up rewrites (general.py) and
 * the cleanup that ModelWrapper.transform runs after every rewrite
 * (finn-frontend.md 1.4, 1.5):
 *
 *   RemoveUnusedTensors, RemoveStaticGraphInputs, SortGraph,
 *   SortCommutativeInputsInitializerLast, GiveUniqueParameterTensors,
 *   GiveReadableTensorNames, and "repeat a rewrite until it stops changing".
 *
 * Where QONNX picks random tensor names (make_new_valueinfo_name) we pick
 * deterministic unique ones; GiveReadableTensorNames overwrites them anyway.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "finn/transforms.h"
#include "model_priv.h"
#include "readable_names.h"
#include "strset.h"
#include "util.h"

/* Every tensor name a node reads or writes (the node's own strings). */
static int node_tensor_names(const finn_model *m, strset *set, finn_error *err)
{
    size_t count = 0;
    for (size_t i = 0; i < m->n_nodes; i++)
        count += m->nodes[i]->n_inputs + m->nodes[i]->n_outputs;
    if (strset_init(set, count, err))
        return -1;
    for (size_t i = 0; i < m->n_nodes; i++) {
        const finn_node *n = m->nodes[i];
        for (size_t k = 0; k < n->n_inputs; k++)
            if (strset_add(set, n->inputs[k], err))
                return -1;
        for (size_t k = 0; k < n->n_outputs; k++)
            if (strset_add(set, n->outputs[k], err))
                return -1;
    }
    return 0;
}

static void clear_annotations(finn_value *v)
{
    for (size_t k = 0; k < v->n_annot; k++) {
        free(v->annot[k].key);
        free(v->annot[k].value);
    }
    free(v->annot);
    v->annot = NULL;
    v->n_annot = 0;
}

/* ---- RemoveUnusedTensors ------------------------------------------------------ */

int finn_remove_unused_tensors(finn_model *m, finn_error *err)
{
    strset used = {0};
    if (node_tensor_names(m, &used, err)) {
        strset_free(&used);
        return -1;
    }
    for (size_t i = 0; i < m->n_values;) {
        finn_value *v = m->values[i];
        /* Unlike QONNX, a graph output counts as used: when FoldConstants
         * turns it into an initializer, dropping that would leave the
         * output without a value. */
        if (strset_has(&used, v->name) || finn_model_is_output(m, v->name)) {
            i++;
            continue;
        }
        if (finn_model_is_input(m, v->name)) {
            /* the graph input entry stays; what hangs off it goes */
            finn_model_release_init(m, v->init);
            v->init = NULL;
            v->in_value_info = false;
            clear_annotations(v);
            i++;
            continue;
        }
        finn_model_remove_value(m, v->name); /* shifts the array down */
    }
    strset_free(&used);
    return 0;
}

/* ---- RemoveStaticGraphInputs ---------------------------------------------- */

int finn_remove_static_graph_inputs(finn_model *m, finn_error *err)
{
    (void)err;
    for (size_t i = 0; i < m->n_inputs;) {
        finn_value *v = finn_model_value(m, m->inputs[i]);
        if (!v || !v->init) {
            i++;
            continue;
        }
        /* the input's ValueInfo moves to the end of graph.value_info */
        v->in_value_info = true;
        v->vi_order = finn_model_next_order(m);
        free(m->inputs[i]);
        memmove(&m->inputs[i], &m->inputs[i + 1], (m->n_inputs - i - 1) * sizeof *m->inputs);
        m->n_inputs--;
    }
    return 0;
}

/* ---- SortCommutativeInputsInitializerLast ------------------------------------ */

static bool is_commutative(const char *op_type)
{
    static const char *const OPS[] = {"Add", "Mul", "And", "Or", "Xor", "Sum"};
    for (size_t i = 0; i < sizeof OPS / sizeof OPS[0]; i++)
        if (!strcmp(op_type, OPS[i]))
            return true;
    return false;
}

int finn_sort_commutative_inputs(finn_model *m, finn_error *err)
{
    for (size_t i = 0; i < m->n_nodes; i++) {
        finn_node *n = m->nodes[i];
        if (!is_commutative(n->op_type) || n->n_inputs < 2)
            continue;
        char **sorted = finn_xmalloc(n->n_inputs * sizeof *sorted, err);
        if (!sorted)
            return -1;
        /* stable: dynamic inputs first, then initializers, each in order */
        size_t k = 0;
        for (int pass = 0; pass < 2; pass++)
            for (size_t j = 0; j < n->n_inputs; j++) {
                bool is_init = finn_model_initializer(m, n->inputs[j]) != NULL;
                if (is_init == (pass == 1))
                    sorted[k++] = n->inputs[j];
            }
        memcpy(n->inputs, sorted, n->n_inputs * sizeof *sorted);
        free(sorted);
    }
    return 0;
}

/* ---- GiveUniqueParameterTensors ----------------------------------------------- */

/* A copy of initializer `name` under a new name (with its value_info and
 * datatype, as QONNX's set_initializer + set_tensor_datatype do). */
static char *copy_parameter(finn_model *m, const char *name, finn_error *err)
{
    const finn_tensor *init = finn_model_initializer(m, name);
    finn_datatype dt = finn_model_datatype(m, name);
    char *new_name = finn_model_unique_tensor_name(m, name);
    if (!new_name) {
        finn_error_set(err, FINN_ERR_NOMEM, "out of memory");
        return NULL;
    }
    finn_tensor *t = finn_tensor_copy(init, err);
    if (!t || finn_model_set_initializer(m, new_name, t, err) ||
        finn_model_set_shape(m, new_name, t->type, t->ndim, t->shape, err) ||
        finn_model_set_datatype(m, new_name, dt, err)) {
        free(new_name);
        return NULL;
    }
    return new_name;
}

int finn_give_unique_parameter_tensors(finn_model *m, finn_error *err)
{
    strset seen;
    int rc = strset_init(&seen, m->n_values, err);
    for (size_t i = 0; i < m->n_nodes && !rc; i++) {
        finn_node *n = m->nodes[i];
        for (size_t k = 0; k < n->n_inputs && !rc; k++) {
            const char *in = n->inputs[k];
            if (!*in || !finn_model_initializer(m, in))
                continue;
            if (!strset_has(&seen, in)) { /* the first user's string: it stays */
                rc = strset_add(&seen, in, err);
                continue;
            }
            char *copy = copy_parameter(m, in, err);
            rc = !copy || finn_node_set_input(n, k, copy, err) ? -1 : 0;
            free(copy);
        }
    }
    strset_free(&seen);
    return rc;
}

/* ---- the cleanup of ModelWrapper.transform ------------------------------------ */

int finn_model_cleanup(finn_model *m, finn_error *err)
{
    /* each pass reaches its fixed point in one call */
    if (finn_remove_unused_tensors(m, err) || finn_remove_static_graph_inputs(m, err) ||
        finn_model_toposort(m, err) || finn_sort_commutative_inputs(m, err) ||
        finn_give_unique_parameter_tensors(m, err))
        return finn_error_prefix(err, "model cleanup: ");
    return 0;
}

/* ---- GiveReadableTensorNames ---------------------------------------------- */

static int cmp_vi_order(const void *a, const void *b)
{
    uint64_t x = (*(finn_value *const *)a)->vi_order, y = (*(finn_value *const *)b)->vi_order;
    return x < y ? -1 : x > y;
}

/* The names GiveUniqueTensorNames walks (value_info in file order, graph
 * inputs, graph outputs; duplicates kept, since each entry advances the
 * counter), followed by every other tensor name so that no old name can
 * collide with a readable one.  The strings are copies. */
char **finn_tensor_name_list(const finn_model *m, size_t *count, finn_error *err)
{
    size_t cap = m->n_values + m->n_inputs + m->n_outputs;
    for (size_t i = 0; i < m->n_nodes; i++)
        cap += m->nodes[i]->n_inputs + m->nodes[i]->n_outputs;
    char **list = finn_xcalloc(cap + 1, sizeof *list, err);
    finn_value **vi = finn_xcalloc(m->n_values + 1, sizeof *vi, err);
    strset listed = {0}; /* the model's strings: nothing changes during the walk */
    size_t n = 0, nvi = 0;
    int rc = (!list || !vi || strset_init(&listed, cap, err)) ? -1 : 0;
    for (size_t i = 0; !rc && i < m->n_values; i++)
        if (m->values[i]->in_value_info)
            vi[nvi++] = m->values[i];
    if (!rc)
        qsort(vi, nvi, sizeof *vi, cmp_vi_order);
    for (size_t i = 0; !rc && i < nvi; i++)
        rc = strset_add(&listed, vi[i]->name, err) || !(list[n++] = finn_xstrdup(vi[i]->name, err));
    for (size_t i = 0; !rc && i < m->n_inputs; i++)
        rc = strset_add(&listed, m->inputs[i], err) ||
             !(list[n++] = finn_xstrdup(m->inputs[i], err));
    for (size_t i = 0; !rc && i < m->n_outputs; i++)
        rc = strset_add(&listed, m->outputs[i], err) ||
             !(list[n++] = finn_xstrdup(m->outputs[i], err));
    for (size_t i = 0; !rc && i < m->n_values; i++) {
        const char *s = m->values[i]->name;
        if (!strset_has(&listed, s))
            rc = strset_add(&listed, s, err) || !(list[n++] = finn_xstrdup(s, err));
    }
    for (size_t i = 0; !rc && i < m->n_nodes; i++) {
        const finn_node *nd = m->nodes[i];
        for (size_t k = 0; !rc && k < nd->n_inputs + nd->n_outputs; k++) {
            const char *s = k < nd->n_inputs ? nd->inputs[k] : nd->outputs[k - nd->n_inputs];
            if (*s && !strset_has(&listed, s))
                rc = strset_add(&listed, s, err) || !(list[n++] = finn_xstrdup(s, err));
        }
    }
    strset_free(&listed);
    free(vi);
    if (rc) {
        for (size_t i = 0; list && i < n; i++)
            free(list[i]);
        free(list);
        return NULL;
    }
    *count = n;
    return list;
}

/* GiveUniqueTensorNames: every tensor becomes tensor_<i>. */
static int give_unique_tensor_names(finn_model *m, finn_error *err)
{
    size_t count = 0;
    char **names = finn_tensor_name_list(m, &count, err);
    if (!names)
        return -1;
    rename_index *ix = finn_rename_index_new(m, err);
    int rc = ix ? 0 : -1;
    for (size_t i = 0; i < count && !rc; i++) {
        if (!finn_rename_index_in_use(ix, m, names[i]))
            continue; /* a duplicate entry already renamed */
        char to[48];
        snprintf(to, sizeof to, "tensor_%zu", i);
        if (!strcmp(names[i], to))
            continue;
        if (finn_rename_index_in_use(ix, m, to)) {
            /* an old name that is not renamed yet: step around it */
            char *alt = finn_model_unique_tensor_name(m, to);
            if (!alt) {
                rc = finn_error_set(err, FINN_ERR_NOMEM, "out of memory");
                break;
            }
            rc = finn_rename_index_rename(ix, m, names[i], alt, err);
            free(alt);
        } else {
            rc = finn_rename_index_rename(ix, m, names[i], to, err);
        }
    }
    finn_rename_index_free(ix);
    for (size_t i = 0; i < count; i++)
        free(names[i]);
    free(names);
    return rc;
}

int finn_check_node_names(const finn_model *m, finn_error *err)
{
    strset seen;
    if (strset_init(&seen, m->n_nodes, err))
        return -1;
    int rc = 0;
    for (size_t i = 0; !rc && i < m->n_nodes; i++) {
        const finn_node *n = m->nodes[i];
        if (!n->name[0])
            rc = finn_error_set(err, FINN_ERR_INVALID,
                                "GiveReadableTensorNames: node %zu (%s) has an empty name; "
                                "give unique node names first",
                                i, n->op_type);
        else if (strset_has(&seen, n->name))
            rc = finn_error_set(err, FINN_ERR_INVALID,
                                "GiveReadableTensorNames: two nodes are named '%s'; "
                                "give unique node names first",
                                n->name);
        else
            rc = strset_add(&seen, n->name, err);
    }
    strset_free(&seen);
    return rc;
}

static int rename_io(rename_index *ix, finn_model *m, char **list, size_t count,
                     const char *base, finn_error *err)
{
    for (size_t i = 0; i < count; i++) {
        char to[32];
        if (i == 0)
            snprintf(to, sizeof to, "%s", base);
        else
            snprintf(to, sizeof to, "%s_%zu", base, i);
        if (finn_rename_index_rename(ix, m, list[i], to, err))
            return -1;
    }
    return 0;
}

static int readable_node_names(rename_index *ix, finn_model *m, const finn_node *n,
                               finn_error *err)
{
    size_t len = strlen(n->name) + 32;
    char *to = finn_xmalloc(len, err);
    if (!to)
        return -1;
    int rc = 0;
    for (size_t k = 0; k < n->n_outputs && !rc; k++) {
        if (!n->outputs[k][0])
            continue; /* an omitted optional output keeps "" */
        snprintf(to, len, "%s_out%zu", n->name, k);
        rc = finn_rename_index_rename(ix, m, n->outputs[k], to, err);
    }
    size_t j = 0;
    for (size_t k = 0; k < n->n_inputs && !rc; k++) {
        if (!n->inputs[k][0] || !finn_model_initializer(m, n->inputs[k]))
            continue;
        snprintf(to, len, "%s_param%zu", n->name, j++);
        rc = finn_rename_index_rename(ix, m, n->inputs[k], to, err);
    }
    free(to);
    return rc;
}

int finn_readable_names_two_pass(finn_model *m, finn_error *err)
{
    if (finn_check_node_names(m, err))
        return -1;
    /* QONNX first gives every tensor a throw-away unique name (a nested
     * transform, so the cleanup runs too), then derives names from nodes */
    if (give_unique_tensor_names(m, err) || finn_model_cleanup(m, err))
        return finn_error_prefix(err, "GiveReadableTensorNames: ");
    rename_index *ix = finn_rename_index_new(m, err);
    int rc = ix ? 0 : -1;
    for (size_t i = 0; !rc && i < m->n_nodes; i++)
        rc = readable_node_names(ix, m, m->nodes[i], err);
    if (!rc)
        rc = rename_io(ix, m, m->inputs, m->n_inputs, "global_in", err) ||
             rename_io(ix, m, m->outputs, m->n_outputs, "global_out", err);
    finn_rename_index_free(ix);
    if (rc)
        return finn_error_prefix(err, "GiveReadableTensorNames: ");
    return 0;
}

/* ---- fixed point -------------------------------------------------------------- */

int finn_apply_to_fixed_point(finn_model *m, finn_rewrite_fn fn, int max_iter, finn_error *err)
{
    if (!fn || max_iter < 1)
        return finn_error_set(err, FINN_ERR_INVALID,
                              "apply to fixed point: need a rewrite and max_iter >= 1 (got %d)",
                              max_iter);
    for (int i = 0; i < max_iter; i++) {
        bool changed = false;
        if (fn(m, &changed, err))
            return -1;
        if (!changed)
            return 0;
    }
    return finn_error_set(err, FINN_ERR_INVALID,
                          "rewrite still changed the model after %d iterations", max_iter);
}
