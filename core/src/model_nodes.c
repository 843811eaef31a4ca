/*
 * model_nodes.c - nodes, their input/output slots and typed attributes.
 */
#include "model_priv.h"
#include "util.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

finn_node *finn_node_new(const char *op_type, const char *domain, const char *name,
                         finn_error *err)
{
    finn_node *n = finn_xcalloc(1, sizeof *n, err);
    if (!n)
        return NULL;
    n->op_type = finn_xstrdup(op_type, err);
    n->domain = finn_xstrdup(domain ? domain : "", err);
    n->name = finn_xstrdup(name ? name : "", err);
    if (!n->op_type || !n->domain || !n->name) {
        finn_node_free(n);
        return NULL;
    }
    return n;
}

void finn_attr_clear(finn_attr *a)
{
    free(a->name);
    free(a->s);
    finn_tensor_free(a->t);
    free(a->floats);
    free(a->ints);
    for (size_t i = 0; a->strings && i < a->n; i++)
        free(a->strings[i]);
    free(a->strings);
    free(a->opaque);
    memset(a, 0, sizeof *a);
}

void finn_node_free(finn_node *n)
{
    if (!n)
        return;
    free(n->name);
    free(n->op_type);
    free(n->domain);
    for (size_t i = 0; i < n->n_inputs; i++)
        free(n->inputs[i]);
    free(n->inputs);
    for (size_t i = 0; i < n->n_outputs; i++)
        free(n->outputs[i]);
    free(n->outputs);
    for (size_t i = 0; i < n->n_attrs; i++)
        finn_attr_clear(&n->attrs[i]);
    free(n->attrs);
    free(n->doc_string);
    free(n);
}

static void *memdup(const void *p, size_t len, finn_error *err)
{
    void *d = finn_xmalloc(len ? len : 1, err);
    if (d && len)
        memcpy(d, p, len);
    return d;
}

int finn_attr_copy(finn_attr *dst, const finn_attr *src, finn_error *err)
{
    memset(dst, 0, sizeof *dst);
    dst->type = src->type;
    dst->f = src->f;
    dst->i = src->i;
    dst->n = src->n;
    dst->s_len = src->s_len;
    int bad = !(dst->name = finn_xstrdup(src->name, err));
    if (src->s && !(dst->s = memdup(src->s, src->s_len + 1, err)))
        bad = 1;
    if (src->t && !(dst->t = finn_tensor_copy(src->t, err)))
        bad = 1;
    if (src->floats && !(dst->floats = memdup(src->floats, src->n * sizeof(float), err)))
        bad = 1;
    if (src->ints && !(dst->ints = memdup(src->ints, src->n * sizeof(int64_t), err)))
        bad = 1;
    if (src->strings) {
        dst->strings = finn_xcalloc(src->n ? src->n : 1, sizeof(char *), err);
        if (!dst->strings)
            bad = 1;
        for (size_t i = 0; dst->strings && i < src->n; i++)
            if (!(dst->strings[i] = finn_xstrdup(src->strings[i], err)))
                bad = 1;
    }
    if (src->opaque) {
        dst->opaque_len = src->opaque_len;
        if (!(dst->opaque = memdup(src->opaque, src->opaque_len, err)))
            bad = 1;
    }
    if (bad) {
        finn_attr_clear(dst);
        return -1;
    }
    return 0;
}

finn_node *finn_node_clone(const finn_node *n, finn_error *err)
{
    finn_node *c = finn_node_new(n->op_type, n->domain, n->name, err);
    if (!c)
        return NULL;
    for (size_t i = 0; i < n->n_inputs; i++)
        if (finn_node_add_input(c, n->inputs[i], err))
            goto fail;
    for (size_t i = 0; i < n->n_outputs; i++)
        if (finn_node_add_output(c, n->outputs[i], err))
            goto fail;
    if (n->n_attrs) {
        c->attrs = finn_xcalloc(n->n_attrs, sizeof *c->attrs, err);
        if (!c->attrs)
            goto fail;
        for (size_t i = 0; i < n->n_attrs; i++) {
            if (finn_attr_copy(&c->attrs[i], &n->attrs[i], err))
                goto fail;
            c->n_attrs++;
        }
    }
    if (n->doc_string && !(c->doc_string = finn_xstrdup(n->doc_string, err)))
        goto fail;
    c->explicit_empty = n->explicit_empty;
    return c;
fail:
    finn_node_free(c);
    return NULL;
}

static int slot_append(char ***list, size_t *n, const char *tensor, finn_error *err)
{
    char *s = finn_xstrdup(tensor ? tensor : "", err);
    if (!s)
        return -1;
    char **a = realloc(*list, (*n + 1) * sizeof *a);
    if (!a) {
        free(s);
        return finn_error_set(err, FINN_ERR_NOMEM, "out of memory");
    }
    a[*n] = s;
    *list = a;
    (*n)++;
    return 0;
}

static int slot_set(char **list, size_t n, size_t k, const char *tensor, const char *what,
                    finn_error *err)
{
    if (k >= n)
        return finn_error_set(err, FINN_ERR_INVALID, "node %s slot %zu out of range (%zu)", what,
                              k, n);
    char *s = finn_xstrdup(tensor ? tensor : "", err);
    if (!s)
        return -1;
    free(list[k]);
    list[k] = s;
    return 0;
}

int finn_node_add_input(finn_node *n, const char *tensor, finn_error *err)
{
    return slot_append(&n->inputs, &n->n_inputs, tensor, err);
}

int finn_node_add_output(finn_node *n, const char *tensor, finn_error *err)
{
    return slot_append(&n->outputs, &n->n_outputs, tensor, err);
}

int finn_node_set_input(finn_node *n, size_t k, const char *tensor, finn_error *err)
{
    return slot_set(n->inputs, n->n_inputs, k, tensor, "input", err);
}

int finn_node_set_output(finn_node *n, size_t k, const char *tensor, finn_error *err)
{
    return slot_set(n->outputs, n->n_outputs, k, tensor, "output", err);
}

const char *finn_node_input(const finn_node *n, size_t k)
{
    if (k >= n->n_inputs || !n->inputs[k][0])
        return NULL;
    return n->inputs[k];
}

/* ---- nodes in a model ---------------------------------------------------------- */

int finn_model_insert_node(finn_model *m, size_t index, finn_node *n, finn_error *err)
{
    if (index > m->n_nodes)
        index = m->n_nodes;
    if (finn_grow((void **)&m->nodes, &m->cap_nodes, m->n_nodes + 1, sizeof *m->nodes, err))
        return -1;
    memmove(&m->nodes[index + 1], &m->nodes[index], (m->n_nodes - index) * sizeof *m->nodes);
    m->nodes[index] = n;
    m->n_nodes++;
    return 0;
}

size_t finn_model_node_index(const finn_model *m, const finn_node *n)
{
    for (size_t i = 0; i < m->n_nodes; i++)
        if (m->nodes[i] == n)
            return i;
    return SIZE_MAX;
}

void finn_model_detach_node(finn_model *m, finn_node *n)
{
    size_t i = finn_model_node_index(m, n);
    if (i == SIZE_MAX)
        return;
    memmove(&m->nodes[i], &m->nodes[i + 1], (m->n_nodes - i - 1) * sizeof *m->nodes);
    m->n_nodes--;
}

void finn_model_remove_node(finn_model *m, finn_node *n)
{
    finn_model_detach_node(m, n);
    finn_node_free(n);
}

finn_node *finn_model_find_node(const finn_model *m, const char *name)
{
    for (size_t i = 0; i < m->n_nodes; i++)
        if (!strcmp(m->nodes[i]->name, name))
            return m->nodes[i];
    return NULL;
}

/* ---- attributes ------------------------------------------------------------------ */

const finn_attr *finn_node_attr(const finn_node *n, const char *name)
{
    for (size_t i = 0; i < n->n_attrs; i++)
        if (!strcmp(n->attrs[i].name, name))
            return &n->attrs[i];
    return NULL;
}

int64_t finn_node_attr_i(const finn_node *n, const char *name, int64_t dflt)
{
    const finn_attr *a = finn_node_attr(n, name);
    return a && a->type == FINN_ATTR_INT ? a->i : dflt;
}

float finn_node_attr_f(const finn_node *n, const char *name, float dflt)
{
    const finn_attr *a = finn_node_attr(n, name);
    return a && a->type == FINN_ATTR_FLOAT ? a->f : dflt;
}

const char *finn_node_attr_s(const finn_node *n, const char *name, const char *dflt)
{
    const finn_attr *a = finn_node_attr(n, name);
    return a && a->type == FINN_ATTR_STRING ? a->s : dflt;
}

size_t finn_node_attr_ints(const finn_node *n, const char *name, const int64_t **v)
{
    const finn_attr *a = finn_node_attr(n, name);
    if (!a || a->type != FINN_ATTR_INTS) {
        *v = NULL;
        return 0;
    }
    *v = a->ints;
    return a->n;
}

size_t finn_node_attr_floats(const finn_node *n, const char *name, const float **v)
{
    const finn_attr *a = finn_node_attr(n, name);
    if (!a || a->type != FINN_ATTR_FLOATS) {
        *v = NULL;
        return 0;
    }
    *v = a->floats;
    return a->n;
}

/* The slot for a new value of attribute name: cleared if it existed,
 * appended otherwise.  The attribute keeps its position. */
static finn_attr *attr_slot(finn_node *n, const char *name, finn_error *err)
{
    for (size_t i = 0; i < n->n_attrs; i++)
        if (!strcmp(n->attrs[i].name, name)) {
            char *keep = n->attrs[i].name;
            n->attrs[i].name = NULL;
            finn_attr_clear(&n->attrs[i]);
            n->attrs[i].name = keep;
            return &n->attrs[i];
        }
    char *nm = finn_xstrdup(name, err);
    if (!nm)
        return NULL;
    finn_attr *a = realloc(n->attrs, (n->n_attrs + 1) * sizeof *a);
    if (!a) {
        free(nm);
        finn_error_set(err, FINN_ERR_NOMEM, "out of memory");
        return NULL;
    }
    n->attrs = a;
    memset(&a[n->n_attrs], 0, sizeof *a);
    a[n->n_attrs].name = nm;
    return &a[n->n_attrs++];
}

int finn_node_set_attr_i(finn_node *n, const char *name, int64_t v, finn_error *err)
{
    finn_attr *a = attr_slot(n, name, err);
    if (!a)
        return -1;
    a->type = FINN_ATTR_INT;
    a->i = v;
    return 0;
}

int finn_node_set_attr_f(finn_node *n, const char *name, float v, finn_error *err)
{
    finn_attr *a = attr_slot(n, name, err);
    if (!a)
        return -1;
    a->type = FINN_ATTR_FLOAT;
    a->f = v;
    return 0;
}

int finn_node_set_attr_s(finn_node *n, const char *name, const char *v, finn_error *err)
{
    char *s = finn_xstrdup(v, err);
    if (!s)
        return -1;
    finn_attr *a = attr_slot(n, name, err);
    if (!a) {
        free(s);
        return -1;
    }
    a->type = FINN_ATTR_STRING;
    a->s = s;
    a->s_len = strlen(s);
    return 0;
}

int finn_node_set_attr_ints(finn_node *n, const char *name, const int64_t *v, size_t count,
                            finn_error *err)
{
    int64_t *d = memdup(v, count * sizeof *v, err);
    if (!d)
        return -1;
    finn_attr *a = attr_slot(n, name, err);
    if (!a) {
        free(d);
        return -1;
    }
    a->type = FINN_ATTR_INTS;
    a->ints = d;
    a->n = count;
    return 0;
}

int finn_node_set_attr_floats(finn_node *n, const char *name, const float *v, size_t count,
                              finn_error *err)
{
    float *d = memdup(v, count * sizeof *v, err);
    if (!d)
        return -1;
    finn_attr *a = attr_slot(n, name, err);
    if (!a) {
        free(d);
        return -1;
    }
    a->type = FINN_ATTR_FLOATS;
    a->floats = d;
    a->n = count;
    return 0;
}

int finn_node_set_attr_strings(finn_node *n, const char *name, const char *const *v,
                               size_t count, finn_error *err)
{
    char **d = finn_xcalloc(count ? count : 1, sizeof *d, err);
    if (!d)
        return -1;
    for (size_t i = 0; i < count; i++)
        if (!(d[i] = finn_xstrdup(v[i], err))) {
            for (size_t j = 0; j < i; j++)
                free(d[j]);
            free(d);
            return -1;
        }
    finn_attr *a = attr_slot(n, name, err);
    if (!a) {
        for (size_t j = 0; j < count; j++)
            free(d[j]);
        free(d);
        return -1;
    }
    a->type = FINN_ATTR_STRINGS;
    a->strings = d;
    a->n = count;
    return 0;
}

int finn_node_set_attr_t(finn_node *n, const char *name, finn_tensor *t, finn_error *err)
{
    finn_attr *a = attr_slot(n, name, err);
    if (!a) {
        finn_tensor_free(t);
        return -1;
    }
    a->type = FINN_ATTR_TENSOR;
    a->t = t;
    return 0;
}

void finn_node_remove_attr(finn_node *n, const char *name)
{
    for (size_t i = 0; i < n->n_attrs; i++)
        if (!strcmp(n->attrs[i].name, name)) {
            finn_attr_clear(&n->attrs[i]);
            memmove(&n->attrs[i], &n->attrs[i + 1], (n->n_attrs - i - 1) * sizeof *n->attrs);
            n->n_attrs--;
            return;
        }
}
