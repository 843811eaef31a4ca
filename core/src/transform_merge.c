/*
 * transform_merge.c - MergeONNXModels (QONNX merge_onnx_models.py,
 * finn-frontend.md 7): put a pre-processing model in front of the main
 * model, joining the pre-model's first dynamic output to the main model's
 * first dynamic input, then tidy up as QONNX does.
 *
 * QONNX gives both models random tensor names first; we use deterministic
 * prefixed ones ("pre_<k>", "main_<k>"), which GiveReadableTensorNames
 * replaces at the end anyway.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "finn/registry.h"
#include "finn/transforms.h"
#include "model_priv.h"
#include "util.h"

static bool listed(char **list, size_t n, const char *s)
{
    for (size_t i = 0; i < n; i++)
        if (!strcmp(list[i], s))
            return true;
    return false;
}

/* Rename every tensor of m to "<prefix>_<k>" (graph io, values, node slots). */
static int rename_all(finn_model *m, const char *prefix, finn_error *err)
{
    size_t cap = m->n_values + m->n_inputs + m->n_outputs + 1, n = 0;
    for (size_t i = 0; i < m->n_nodes; i++)
        cap += m->nodes[i]->n_inputs + m->nodes[i]->n_outputs;
    char **names = finn_xcalloc(cap, sizeof *names, err);
    if (!names)
        return -1;
    int rc = 0;
#define ADD(s)                                                              \
    do {                                                                    \
        const char *s_ = (s);                                               \
        if (!rc && *s_ && !listed(names, n, s_))                            \
            rc = (names[n] = finn_xstrdup(s_, err)) ? (n++, 0) : -1;        \
    } while (0)
    for (size_t i = 0; i < m->n_inputs; i++)
        ADD(m->inputs[i]);
    for (size_t i = 0; i < m->n_outputs; i++)
        ADD(m->outputs[i]);
    for (size_t i = 0; i < m->n_values; i++)
        ADD(m->values[i]->name);
    for (size_t i = 0; i < m->n_nodes; i++) {
        for (size_t k = 0; k < m->nodes[i]->n_inputs; k++)
            ADD(m->nodes[i]->inputs[k]);
        for (size_t k = 0; k < m->nodes[i]->n_outputs; k++)
            ADD(m->nodes[i]->outputs[k]);
    }
#undef ADD
    size_t counter = 0;
    size_t len = strlen(prefix) + 32;
    char *to = rc ? NULL : finn_xmalloc(len, err);
    rename_index *ix = to ? finn_rename_index_new(m, err) : NULL;
    for (size_t i = 0; ix && !rc && i < n; i++) {
        do
            snprintf(to, len, "%s_%zu", prefix, counter++);
        while (finn_rename_index_in_use(ix, m, to));
        rc = finn_rename_index_rename(ix, m, names[i], to, err);
    }
    if (!ix)
        rc = -1;
    finn_rename_index_free(ix);
    free(to);
    for (size_t i = 0; i < n; i++)
        free(names[i]);
    free(names);
    return rc;
}

static int64_t first_opset(const finn_model *m)
{
    return m->n_opsets ? m->opsets[0].version : -1;
}

/* First graph output (or input) that is not an initializer. */
static const char *first_dynamic(const finn_model *m, char **list, size_t count)
{
    for (size_t i = 0; i < count; i++)
        if (!finn_model_initializer(m, list[i]))
            return list[i];
    return NULL;
}

static bool same_shape(const finn_value *a, const finn_value *b)
{
    int na = a ? a->ndim : -1, nb = b ? b->ndim : -1;
    if (na < 0 || nb < 0)
        return na == nb;
    return finn_shape_equal(na, a->shape, nb, b->shape);
}

/* Copy the type and shape of src into dst (creating it). */
static finn_value *copy_type(finn_model *dst, const finn_value *src, finn_error *err)
{
    finn_value *v = finn_model_get_or_add_value(dst, src->name, err);
    if (!v)
        return NULL;
    v->elem = src->elem;
    v->ndim = src->ndim;
    for (int d = 0; d < FINN_MAX_DIMS; d++) {
        v->shape[d] = src->shape[d];
        free(v->dim_param[d]);
        v->dim_param[d] = NULL;
        if (src->dim_param[d] && !(v->dim_param[d] = finn_xstrdup(src->dim_param[d], err)))
            return NULL;
    }
    return v;
}

static int add_io(finn_model *dst, const finn_model *src, const char *name, bool input,
                  finn_error *err)
{
    char ***list = input ? &dst->inputs : &dst->outputs;
    size_t *count = input ? &dst->n_inputs : &dst->n_outputs;
    const finn_value *sv = finn_model_value(src, name);
    if (sv && !copy_type(dst, sv, err))
        return -1;
    if (!sv && !finn_model_get_or_add_value(dst, name, err))
        return -1;
    char **l = realloc(*list, (*count + 1) * sizeof *l);
    if (!l)
        return finn_error_set(err, FINN_ERR_NOMEM, "out of memory");
    *list = l;
    if (!(l[*count] = finn_xstrdup(name, err)))
        return -1;
    (*count)++;
    return 0;
}

static int add_value_info(finn_model *dst, const finn_model *src, const char *name,
                          finn_error *err)
{
    const finn_value *sv = finn_model_value(src, name);
    if (!sv || finn_model_is_input(dst, name) || finn_model_is_output(dst, name))
        return 0;
    finn_value *v = copy_type(dst, sv, err);
    if (!v)
        return -1;
    if (!v->in_value_info) {
        v->in_value_info = true;
        v->vi_order = finn_model_next_order(dst);
    }
    return 0;
}

typedef enum { PART_VI, PART_INIT, PART_ANNOT } value_part;

static uint64_t part_order(const finn_value *v, value_part part)
{
    return part == PART_VI ? v->vi_order : part == PART_INIT ? v->init_order : v->annot_order;
}

static bool has_part(const finn_value *v, value_part part)
{
    return part == PART_VI ? v->in_value_info : part == PART_INIT ? v->init != NULL
                                                                    : v->n_annot > 0;
}

/* Copy one list (value_info, initializers or annotations) of src into dst,
 * in src's file order.  Initializer tensors move from src to dst (src is a
 * throw-away model); one src borrows stays borrowed in dst. */
static int copy_list(finn_model *dst, finn_model *src, value_part part, finn_error *err)
{
    size_t n = 0;
    const finn_value **sel = finn_xcalloc(src->n_values + 1, sizeof *sel, err);
    if (!sel)
        return -1;
    for (size_t i = 0; i < src->n_values; i++)
        if (has_part(src->values[i], part))
            sel[n++] = src->values[i];
    /* insertion sort by order key: lists are short */
    for (size_t i = 1; i < n; i++)
        for (size_t j = i; j > 0 && part_order(sel[j - 1], part) > part_order(sel[j], part); j--) {
            const finn_value *t = sel[j];
            sel[j] = sel[j - 1];
            sel[j - 1] = t;
        }
    int rc = 0;
    for (size_t i = 0; i < n && !rc; i++) {
        const finn_value *sv = sel[i];
        if (part == PART_VI) {
            rc = add_value_info(dst, src, sv->name, err);
        } else if (part == PART_INIT) {
            finn_tensor *t = sv->init;
            bool borrowed = finn_model_is_borrowed(src, t);
            if (borrowed && finn_model_mark_borrowed(dst, t, err)) {
                rc = -1;
                break;
            }
            ((finn_value *)sv)->init = NULL; /* dst holds it now */
            if (!copy_type(dst, sv, err)) {
                finn_model_release_init(dst, t);
                rc = -1;
            } else {
                rc = finn_model_set_initializer(dst, sv->name, t, err);
            }
        } else {
            for (size_t k = 0; k < sv->n_annot && !rc; k++)
                rc = finn_model_set_annotation(dst, sv->name, sv->annot[k].key,
                                               sv->annot[k].value, err);
        }
    }
    free(sel);
    return rc;
}

static int move_nodes(finn_model *dst, finn_model *src, finn_error *err)
{
    while (src->n_nodes) {
        finn_node *n = src->nodes[0];
        finn_model_detach_node(src, n);
        if (finn_model_insert_node(dst, dst->n_nodes, n, err)) {
            finn_node_free(n);
            return -1;
        }
    }
    return 0;
}

static int clear_node_names(finn_model *m, finn_error *err)
{
    for (size_t i = 0; i < m->n_nodes; i++) {
        char *e = finn_xstrdup("", err);
        if (!e)
            return -1;
        free(m->nodes[i]->name);
        m->nodes[i]->name = e;
    }
    return 0;
}

/* The joined model, built from scratch as QONNX's make_graph/make_model. */
static finn_model *assemble(finn_model *pre, finn_model *post, int64_t opset, finn_error *err)
{
    finn_model *nm = finn_model_new("fuse-graph", err);
    if (!nm)
        return NULL;
    nm->ir_version = pre->ir_version > post->ir_version ? pre->ir_version : post->ir_version;
    if (!(nm->producer_name = finn_xstrdup("fuse_model", err)) ||
        finn_model_set_opset(nm, "", opset, err) || move_nodes(nm, pre, err) ||
        move_nodes(nm, post, err) || add_io(nm, pre, pre->inputs[0], true, err) ||
        add_io(nm, post, post->outputs[0], false, err) ||
        copy_list(nm, pre, PART_VI, err) || copy_list(nm, post, PART_VI, err))
        goto fail;
    for (size_t i = 0; i < post->n_inputs; i++)
        if (add_value_info(nm, post, post->inputs[i], err))
            goto fail;
    if (copy_list(nm, pre, PART_INIT, err) || copy_list(nm, post, PART_INIT, err) ||
        copy_list(nm, pre, PART_ANNOT, err) || copy_list(nm, post, PART_ANNOT, err))
        goto fail;
    return nm;
fail:
    finn_model_free(nm);
    return NULL;
}

/* QONNX's tidy-up after merging; each is a transform, so cleanup follows. */
static int tidy_merged(const finn_registry *reg, finn_model *m, finn_error *err)
{
    if (finn_infer_shapes(reg, m, err) || finn_model_cleanup(m, err) ||
        finn_infer_datatypes(reg, m, err) || finn_model_cleanup(m, err) ||
        finn_infer_data_layouts(reg, m, err) || finn_model_cleanup(m, err) ||
        finn_give_unique_node_names(m, err) || finn_model_cleanup(m, err) ||
        finn_give_unique_parameter_tensors(m, err) || finn_model_cleanup(m, err) ||
        finn_give_readable_tensor_names(m, err) || finn_model_cleanup(m, err))
        return -1;
    return 0;
}

static int prepare(finn_model *pre, finn_model *post, int64_t *opset, finn_error *err)
{
    if (rename_all(pre, "pre", err) || finn_model_cleanup(pre, err) ||
        rename_all(post, "main", err) || finn_model_cleanup(post, err))
        return -1;
    if (pre->n_inputs == 0 || post->n_outputs == 0)
        return finn_error_set(err, FINN_ERR_INVALID, "the %s model has no graph %s",
                              pre->n_inputs == 0 ? "pre-processing" : "main",
                              pre->n_inputs == 0 ? "input" : "output");
    int64_t a = first_opset(pre), b = first_opset(post);
    if (a < 0 || b < 0)
        return finn_error_set(err, FINN_ERR_INVALID, "%s model has no opset import",
                              a < 0 ? "the pre-processing" : "the main");
    *opset = a > b ? a : b;
    const char *out_a = first_dynamic(pre, pre->outputs, pre->n_outputs);
    const char *in_b = first_dynamic(post, post->inputs, post->n_inputs);
    if (!out_a)
        return finn_error_set(err, FINN_ERR_INVALID,
                              "the pre-processing model has no non-constant graph output");
    if (!in_b)
        return finn_error_set(err, FINN_ERR_INVALID,
                              "the main model has no non-constant graph input");
    if (!same_shape(finn_model_value(pre, out_a), finn_model_value(post, in_b))) {
        char sa[128] = "unknown", sb[128] = "unknown";
        const finn_value *va = finn_model_value(pre, out_a), *vb = finn_model_value(post, in_b);
        if (va && va->ndim >= 0)
            finn_shape_str(va->ndim, va->shape, sa, sizeof sa);
        if (vb && vb->ndim >= 0)
            finn_shape_str(vb->ndim, vb->shape, sb, sizeof sb);
        return finn_error_set(err, FINN_ERR_INVALID,
                              "models cannot be merged: the pre-processing output has shape %s, "
                              "the main model input has shape %s",
                              sa, sb);
    }
    if (clear_node_names(pre, err) || clear_node_names(post, err))
        return -1;
    /* the pre-model node that wrote out_a now writes the main model's input */
    for (size_t i = 0; i < pre->n_nodes; i++) {
        finn_node *n = pre->nodes[i];
        if (n->n_outputs && !strcmp(n->outputs[0], out_a) &&
            finn_node_set_output(n, 0, in_b, err))
            return -1;
    }
    return 0;
}

int finn_merge_models_in_front(const finn_registry *reg, finn_model *m, finn_model *pre,
                               finn_error *err)
{
    finn_model *post = NULL, *nm = NULL;
    int64_t opset = 0;
    int rc = -1;
    if (!pre) {
        finn_error_set(err, FINN_ERR_INVALID, "MergeONNXModels: no pre-processing model");
        return -1;
    }
    if (pre->n_inputs == 0 || m->n_outputs == 0) {
        finn_error_set(err, FINN_ERR_INVALID, "the %s model has no graph %s",
                       pre->n_inputs == 0 ? "pre-processing" : "main",
                       pre->n_inputs == 0 ? "input" : "output");
        goto out;
    }
    /* post shares m's initializers (no copy of the weights); they reach nm
     * still borrowed, so a failure leaves m as it was */
    if (!(post = finn_model_clone_sharing(m, err)) || prepare(pre, post, &opset, err) ||
        !(nm = assemble(pre, post, opset, err)) || tidy_merged(reg, nm, err))
        goto out;
    /* the merged model replaces m's contents; m's old contents go with nm,
     * except the tensors the merged model took over */
    finn_model tmp = *m;
    *m = *nm;
    *nm = tmp;
    for (size_t i = 0; i < nm->n_values; i++)
        if (nm->values[i]->init && finn_model_is_borrowed(m, nm->values[i]->init))
            nm->values[i]->init = NULL;
    finn_model_clear_borrowed(m);
    rc = 0;
out:
    if (rc)
        finn_error_prefix(err, "MergeONNXModels: ");
    finn_model_free(nm);
    finn_model_free(post);
    finn_model_free(pre);
    return rc;
}
