/*
 * model.c - model life cycle, tensors (values), initializers, annotations,
 * opsets and metadata.  Nodes and attributes: model_nodes.c; graph queries
 * and rewrites: model_graph.c; ONNX files: onnx_io.c.
 */
#include "model_priv.h"
#include "util.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- private bookkeeping -------------------------------------------------- */

uint64_t finn_tensor_hash(const finn_tensor *t)
{
    uint64_t h = 1469598103934665603ULL;
#define FNV_MIX(byte) (h = (h ^ (uint8_t)(byte)) * 1099511628211ULL)
    FNV_MIX(t->type);
    FNV_MIX(t->ndim);
    for (int i = 0; i < t->ndim; i++)
        for (int b = 0; b < 8; b++)
            FNV_MIX((uint64_t)t->shape[i] >> (8 * b));
    const uint8_t *p = t->data;
    size_t n = finn_tensor_nbytes(t);
    for (size_t i = 0; i < n; i++)
        FNV_MIX(p[i]);
#undef FNV_MIX
    return h;
}

int finn_model_add_origin(finn_model *m, const finn_tensor *t, const char *name,
                          const void *proto, finn_error *err)
{
    model_priv *p = model_priv_of(m);
    init_origin *o = finn_xcalloc(1, sizeof *o, err);
    if (!o)
        return -1;
    o->name = finn_xstrdup(name, err);
    if (!o->name) {
        free(o);
        return -1;
    }
    o->tensor = t;
    o->proto = proto;
    init_origin *old = NULL;
    HASH_FIND_PTR(p->origins, &t, old);
    if (old) {
        HASH_DEL(p->origins, old);
        free(old->name);
        free(old);
    }
    HASH_ADD_PTR(p->origins, tensor, o);
    return 0;
}

const init_origin *finn_model_find_origin(const finn_model *m, const finn_tensor *t)
{
    init_origin *o = NULL;
    HASH_FIND_PTR(model_priv_of(m)->origins, &t, o);
    return o;
}


uint64_t finn_model_next_order(finn_model *m)
{
    return ++model_priv_of(m)->next_order;
}

int finn_model_mark_borrowed(finn_model *m, const finn_tensor *t, finn_error *err)
{
    model_priv *p = model_priv_of(m);
    if (!t || finn_model_is_borrowed(m, t))
        return 0;
    tensor_ref *r = finn_xcalloc(1, sizeof *r, err);
    if (!r)
        return -1;
    r->t = t;
    HASH_ADD_PTR(p->borrowed, t, r);
    return 0;
}

bool finn_model_is_borrowed(const finn_model *m, const finn_tensor *t)
{
    tensor_ref *r = NULL;
    if (!model_priv_of(m)->borrowed || !t)
        return false;
    HASH_FIND_PTR(model_priv_of(m)->borrowed, &t, r);
    return r != NULL;
}

void finn_model_clear_borrowed(finn_model *m)
{
    model_priv *p = model_priv_of(m);
    tensor_ref *r, *tmp;
    HASH_ITER(hh, p->borrowed, r, tmp) {
        HASH_DEL(p->borrowed, r);
        free(r);
    }
}

void finn_model_release_init(finn_model *m, finn_tensor *t)
{
    if (!finn_model_is_borrowed(m, t))
        finn_tensor_free(t);
}

/* finn_value_free for a value of m: a borrowed initializer stays. */
static void value_free_in(finn_model *m, finn_value *v)
{
    if (v && v->init && finn_model_is_borrowed(m, v->init))
        v->init = NULL;
    finn_value_free(v);
}

void finn_value_free(finn_value *v)
{
    if (!v)
        return;
    free(v->name);
    for (int i = 0; i < FINN_MAX_DIMS; i++)
        free(v->dim_param[i]);
    finn_tensor_free(v->init);
    for (size_t i = 0; i < v->n_annot; i++) {
        free(v->annot[i].key);
        free(v->annot[i].value);
    }
    free(v->annot);
    free(v);
}

int finn_model_add_value(finn_model *m, finn_value *v, finn_error *err)
{
    if (finn_grow((void **)&m->values, &m->cap_values, m->n_values + 1, sizeof *m->values, err))
        return -1;
    value_index *e = finn_xcalloc(1, sizeof *e, err);
    if (!e)
        return -1;
    e->name = v->name;
    e->value = v;
    m->values[m->n_values++] = v;
    model_priv *p = model_priv_of(m);
    HASH_ADD_KEYPTR(hh, p->index, e->name, strlen(e->name), e);
    return 0;
}

/* ---- life cycle ------------------------------------------------------------ */

finn_model *finn_model_new(const char *graph_name, finn_error *err)
{
    finn_model *m = finn_xcalloc(1, sizeof *m, err);
    if (!m)
        return NULL;
    m->priv = finn_xcalloc(1, sizeof(model_priv), err);
    m->graph_name = finn_xstrdup(graph_name ? graph_name : "", err);
    m->ir_version = 8;
    if (!m->priv || !m->graph_name) {
        finn_model_free(m);
        return NULL;
    }
    return m;
}

static void free_kvs(finn_kv *kv, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        free(kv[i].key);
        free(kv[i].value);
    }
    free(kv);
}

static void free_strs(char **s, size_t n)
{
    for (size_t i = 0; i < n; i++)
        free(s[i]);
    free(s);
}

void finn_model_free(finn_model *m)
{
    if (!m)
        return;
    for (size_t i = 0; i < m->n_nodes; i++)
        finn_node_free(m->nodes[i]);
    free(m->nodes);
    for (size_t i = 0; m->priv && i < m->n_values; i++)
        value_free_in(m, m->values[i]);
    free(m->values);
    free_strs(m->inputs, m->n_inputs);
    free_strs(m->outputs, m->n_outputs);
    for (size_t i = 0; i < m->n_opsets; i++)
        free(m->opsets[i].domain);
    free(m->opsets);
    free_kvs(m->meta, m->n_meta);
    free(m->graph_name);
    free(m->producer_name);
    free(m->producer_version);
    free(m->model_domain);
    free(m->doc_string);
    model_priv *p = model_priv_of(m);
    if (p) {
        value_index *e, *tmp;
        HASH_ITER(hh, p->index, e, tmp) {
            HASH_DEL(p->index, e);
            free(e);
        }
        init_origin *o, *otmp;
        HASH_ITER(hh, p->origins, o, otmp) {
            HASH_DEL(p->origins, o);
            free(o->name);
            free(o);
        }
        finn_model_clear_borrowed(m);
        name_counter *nc, *nctmp;
        HASH_ITER(hh, p->counters, nc, nctmp) {
            HASH_DEL(p->counters, nc);
            free(nc->prefix);
            free(nc);
        }
        finn_model_source_release(p->source);
        free(p);
    }
    free(m);
}

static char *dup_or_null(const char *s, finn_error *err, int *failed)
{
    if (!s)
        return NULL;
    char *d = finn_xstrdup(s, err);
    if (!d)
        *failed = 1;
    return d;
}

static char **dup_strs(char *const *s, size_t n, finn_error *err, int *failed)
{
    char **d = finn_xcalloc(n ? n : 1, sizeof *d, err);
    if (!d) {
        *failed = 1;
        return NULL;
    }
    for (size_t i = 0; i < n; i++)
        if (!(d[i] = finn_xstrdup(s[i], err)))
            *failed = 1;
    return d;
}

static finn_value *value_clone(const finn_value *v, bool share, finn_error *err)
{
    finn_value *c = finn_xcalloc(1, sizeof *c, err);
    if (!c)
        return NULL;
    *c = *v;
    c->name = NULL;
    c->init = NULL;
    c->annot = NULL;
    c->n_annot = 0;
    memset(c->dim_param, 0, sizeof c->dim_param);
    int failed = 0;
    c->name = dup_or_null(v->name, err, &failed);
    for (int i = 0; i < FINN_MAX_DIMS; i++)
        c->dim_param[i] = dup_or_null(v->dim_param[i], err, &failed);
    if (v->init && share)
        c->init = v->init;
    else if (v->init && !(c->init = finn_tensor_copy(v->init, err)))
        failed = 1;
    if (v->n_annot) {
        c->annot = finn_xcalloc(v->n_annot, sizeof *c->annot, err);
        if (!c->annot)
            failed = 1;
        else {
            c->n_annot = v->n_annot;
            for (size_t i = 0; i < v->n_annot; i++) {
                c->annot[i].key = dup_or_null(v->annot[i].key, err, &failed);
                c->annot[i].value = dup_or_null(v->annot[i].value, err, &failed);
            }
        }
    }
    if (failed) {
        if (share)
            c->init = NULL;
        finn_value_free(c);
        return NULL;
    }
    return c;
}

static finn_model *clone(const finn_model *m, bool share, finn_error *err)
{
    finn_model *c = finn_model_new(m->graph_name, err);
    if (!c)
        return NULL;
    int failed = 0;
    c->ir_version = m->ir_version;
    c->model_version = m->model_version;
    c->producer_name = dup_or_null(m->producer_name, err, &failed);
    c->producer_version = dup_or_null(m->producer_version, err, &failed);
    c->model_domain = dup_or_null(m->model_domain, err, &failed);
    c->doc_string = dup_or_null(m->doc_string, err, &failed);
    for (size_t i = 0; i < m->n_opsets && !failed; i++)
        if (finn_model_set_opset(c, m->opsets[i].domain, m->opsets[i].version, err))
            failed = 1;
    for (size_t i = 0; i < m->n_meta && !failed; i++)
        if (finn_model_set_meta(c, m->meta[i].key, m->meta[i].value, err))
            failed = 1;
    for (size_t i = 0; i < m->n_nodes && !failed; i++) {
        finn_node *n = finn_node_clone(m->nodes[i], err);
        if (!n || finn_model_insert_node(c, c->n_nodes, n, err)) {
            finn_node_free(n);
            failed = 1;
        }
    }
    const model_priv *mp = model_priv_of(m);
    model_priv *cp = model_priv_of(c);
    for (size_t i = 0; i < m->n_values && !failed; i++) {
        finn_value *v = value_clone(m->values[i], share, err);
        if (v && share && v->init && finn_model_mark_borrowed(c, v->init, err)) {
            v->init = NULL;
            finn_value_free(v);
            v = NULL;
        }
        if (!v || finn_model_add_value(c, v, err)) {
            value_free_in(c, v);
            failed = 1;
            break;
        }
        const init_origin *o = m->values[i]->init ? finn_model_find_origin(m, m->values[i]->init)
                                                  : NULL;
        if (o && finn_model_add_origin(c, v->init, o->name, o->proto, err))
            failed = 1;
    }
    if (!failed) {
        c->inputs = dup_strs(m->inputs, m->n_inputs, err, &failed);
        c->n_inputs = c->inputs ? m->n_inputs : 0;
        c->outputs = dup_strs(m->outputs, m->n_outputs, err, &failed);
        c->n_outputs = c->outputs ? m->n_outputs : 0;
    }
    cp->next_order = mp->next_order;
    if (mp->source) {
        cp->source = mp->source;
        mp->source->refcount++;
    }
    if (failed) {
        finn_model_free(c);
        return NULL;
    }
    return c;
}

finn_model *finn_model_clone(const finn_model *m, finn_error *err)
{
    return clone(m, false, err);
}

finn_model *finn_model_clone_sharing(const finn_model *m, finn_error *err)
{
    return clone(m, true, err);
}

finn_model *finn_model_clone_shallow(const finn_model *m, finn_error *err)
{
    return clone(m, true, err);
}

static bool holds_init(const finn_model *m, const finn_tensor *t)
{
    for (size_t i = 0; i < m->n_values; i++)
        if (m->values[i]->init == t)
            return true;
    return false;
}

void finn_model_adopt_shared(finn_model *m, finn_model *owner)
{
    model_priv *p = model_priv_of(m);
    /* a borrow mark of a tensor m no longer holds (it dropped the value)
     * goes: that tensor stays owner's, and a stale mark could later match
     * a new tensor at the same address */
    tensor_ref *r, *tmp;
    HASH_ITER(hh, p->borrowed, r, tmp) {
        if (!holds_init(m, r->t)) {
            HASH_DEL(p->borrowed, r);
            free(r);
        }
    }
    for (size_t i = 0; p->borrowed && i < owner->n_values; i++) {
        finn_value *v = owner->values[i];
        const finn_tensor *t = v->init;
        if (!t || finn_model_is_borrowed(owner, t))
            continue; /* owner does not own it either */
        HASH_FIND_PTR(p->borrowed, &t, r);
        if (!r)
            continue;
        HASH_DEL(p->borrowed, r);
        free(r);
        v->init = NULL;
    }
}

/* ---- opsets and metadata ---------------------------------------------------- */

static bool same_domain(const char *a, const char *b)
{
    if (!strcmp(a, "ai.onnx"))
        a = "";
    if (!strcmp(b, "ai.onnx"))
        b = "";
    return !strcmp(a, b);
}

int64_t finn_model_opset(const finn_model *m, const char *domain)
{
    for (size_t i = 0; i < m->n_opsets; i++)
        if (same_domain(m->opsets[i].domain, domain ? domain : ""))
            return m->opsets[i].version;
    return -1;
}

int finn_model_set_opset(finn_model *m, const char *domain, int64_t version, finn_error *err)
{
    domain = domain ? domain : "";
    for (size_t i = 0; i < m->n_opsets; i++)
        if (same_domain(m->opsets[i].domain, domain)) {
            m->opsets[i].version = version;
            return 0;
        }
    finn_opset *o = realloc(m->opsets, (m->n_opsets + 1) * sizeof *o);
    if (!o)
        return finn_error_set(err, FINN_ERR_NOMEM, "out of memory");
    m->opsets = o;
    if (!(o[m->n_opsets].domain = finn_xstrdup(domain, err)))
        return -1;
    o[m->n_opsets++].version = version;
    return 0;
}

const char *finn_model_meta(const finn_model *m, const char *key)
{
    for (size_t i = 0; i < m->n_meta; i++)
        if (!strcmp(m->meta[i].key, key))
            return m->meta[i].value;
    return NULL;
}

static int kv_set(finn_kv **kv, size_t *n, const char *key, const char *value, finn_error *err)
{
    char *v = finn_xstrdup(value, err);
    if (!v)
        return -1;
    for (size_t i = 0; i < *n; i++)
        if (!strcmp((*kv)[i].key, key)) {
            free((*kv)[i].value);
            (*kv)[i].value = v;
            return 0;
        }
    finn_kv *a = realloc(*kv, (*n + 1) * sizeof *a);
    char *k = finn_xstrdup(key, err);
    if (!a || !k) {
        if (a)
            *kv = a;
        free(v);
        free(k);
        return finn_error_set(err, FINN_ERR_NOMEM, "out of memory");
    }
    *kv = a;
    a[*n].key = k;
    a[*n].value = v;
    (*n)++;
    return 0;
}

static void kv_remove(finn_kv *kv, size_t *n, const char *key)
{
    for (size_t i = 0; i < *n; i++)
        if (!strcmp(kv[i].key, key)) {
            free(kv[i].key);
            free(kv[i].value);
            memmove(&kv[i], &kv[i + 1], (*n - i - 1) * sizeof *kv);
            (*n)--;
            return;
        }
}

int finn_model_set_meta(finn_model *m, const char *key, const char *value, finn_error *err)
{
    return kv_set(&m->meta, &m->n_meta, key, value, err);
}

/* ---- values ------------------------------------------------------------------ */

finn_value *finn_model_value(const finn_model *m, const char *name)
{
    if (!name)
        return NULL;
    value_index *e = NULL;
    HASH_FIND_STR(model_priv_of(m)->index, name, e);
    return e ? e->value : NULL;
}

finn_value *finn_model_get_or_add_value(finn_model *m, const char *name, finn_error *err)
{
    finn_value *v = finn_model_value(m, name);
    if (v)
        return v;
    v = finn_xcalloc(1, sizeof *v, err);
    if (!v)
        return NULL;
    v->ndim = -1;
    if (!(v->name = finn_xstrdup(name, err)) || finn_model_add_value(m, v, err)) {
        finn_value_free(v);
        return NULL;
    }
    return v;
}

void finn_model_remove_value(finn_model *m, const char *name)
{
    model_priv *p = model_priv_of(m);
    value_index *e = NULL;
    HASH_FIND_STR(p->index, name, e);
    if (!e)
        return;
    finn_value *v = e->value;
    HASH_DEL(p->index, e);
    free(e);
    for (size_t i = 0; i < m->n_values; i++)
        if (m->values[i] == v) {
            memmove(&m->values[i], &m->values[i + 1], (m->n_values - i - 1) * sizeof *m->values);
            m->n_values--;
            break;
        }
    value_free_in(m, v);
}

/* Rename a value in the index (used by rename_tensor). */
int finn_model_reindex_value(finn_model *m, finn_value *v, const char *to, finn_error *err);
int finn_model_reindex_value(finn_model *m, finn_value *v, const char *to, finn_error *err)
{
    model_priv *p = model_priv_of(m);
    char *nn = finn_xstrdup(to, err);
    if (!nn)
        return -1;
    value_index *e = NULL;
    HASH_FIND_STR(p->index, v->name, e);
    if (e)
        HASH_DEL(p->index, e);
    free(v->name);
    v->name = nn;
    if (e) {
        e->name = v->name;
        HASH_ADD_KEYPTR(hh, p->index, e->name, strlen(e->name), e);
    }
    return 0;
}

const finn_tensor *finn_model_initializer(const finn_model *m, const char *name)
{
    finn_value *v = finn_model_value(m, name);
    return v ? v->init : NULL;
}

int finn_model_set_initializer(finn_model *m, const char *name, finn_tensor *t, finn_error *err)
{
    finn_value *v = finn_model_get_or_add_value(m, name, err);
    if (!v) {
        finn_model_release_init(m, t);
        return -1;
    }
    if (v->init != t) {
        finn_model_release_init(m, v->init);
        if (!v->init)
            v->init_order = finn_model_next_order(m);
        v->init = t;
        v->init_serial = finn_model_next_order(m);
    }
    if (!t)
        return 0;
    v->elem = t->type;
    v->ndim = t->ndim;
    for (int i = 0; i < FINN_MAX_DIMS; i++) {
        v->shape[i] = i < t->ndim ? t->shape[i] : 0;
        free(v->dim_param[i]);
        v->dim_param[i] = NULL;
    }
    return 0;
}

int finn_model_set_shape(finn_model *m, const char *name, finn_elem_type elem, int ndim,
                         const int64_t *shape, finn_error *err)
{
    if (ndim > FINN_MAX_DIMS)
        return finn_error_set(err, FINN_ERR_UNSUPPORTED, "tensor '%s': %d dimensions (at most %d)",
                              name, ndim, FINN_MAX_DIMS);
    finn_value *v = finn_model_get_or_add_value(m, name, err);
    if (!v)
        return -1;
    if (!v->in_value_info && !finn_model_is_input(m, name) && !finn_model_is_output(m, name)) {
        v->in_value_info = true;
        v->vi_order = finn_model_next_order(m);
    }
    v->elem = elem;
    v->ndim = ndim;
    for (int i = 0; i < FINN_MAX_DIMS; i++) {
        v->shape[i] = (ndim > 0 && i < ndim) ? shape[i] : 0;
        free(v->dim_param[i]);
        v->dim_param[i] = NULL;
    }
    return 0;
}

static bool name_in(char *const *list, size_t n, const char *name)
{
    for (size_t i = 0; i < n; i++)
        if (!strcmp(list[i], name))
            return true;
    return false;
}

bool finn_model_is_input(const finn_model *m, const char *name)
{
    return name_in(m->inputs, m->n_inputs, name);
}

bool finn_model_is_output(const finn_model *m, const char *name)
{
    return name_in(m->outputs, m->n_outputs, name);
}

/* ---- annotations ---------------------------------------------------------------- */

const char *finn_model_annotation(const finn_model *m, const char *name, const char *key)
{
    finn_value *v = finn_model_value(m, name);
    if (!v)
        return NULL;
    for (size_t i = 0; i < v->n_annot; i++)
        if (!strcmp(v->annot[i].key, key))
            return v->annot[i].value;
    return NULL;
}

int finn_model_set_annotation(finn_model *m, const char *name, const char *key,
                              const char *value, finn_error *err)
{
    if (!value) {
        finn_model_clear_annotation(m, name, key);
        return 0;
    }
    finn_value *v = finn_model_get_or_add_value(m, name, err);
    if (!v)
        return -1;
    if (v->n_annot == 0)
        v->annot_order = finn_model_next_order(m);
    return kv_set(&v->annot, &v->n_annot, key, value, err);
}

void finn_model_clear_annotation(finn_model *m, const char *name, const char *key)
{
    finn_value *v = finn_model_value(m, name);
    if (v)
        kv_remove(v->annot, &v->n_annot, key);
}

finn_datatype finn_model_datatype(const finn_model *m, const char *name)
{
    const char *s = finn_model_annotation(m, name, "finn_datatype");
    finn_datatype dt;
    if (s && finn_dt_parse(s, &dt, NULL) == 0)
        return dt;
    finn_value *v = finn_model_value(m, name);
    dt = finn_dt_float32();
    if (v && v->elem == FINN_ELEM_FLOAT16)
        dt.kind = FINN_DT_FLOAT16, dt.bits = 16;
    return dt;
}

bool finn_model_has_datatype(const finn_model *m, const char *name)
{
    return finn_model_annotation(m, name, "finn_datatype") != NULL;
}

int finn_model_set_datatype(finn_model *m, const char *name, finn_datatype dt, finn_error *err)
{
    char buf[FINN_DT_NAME_MAX];
    return finn_model_set_annotation(m, name, "finn_datatype", finn_dt_name(dt, buf, sizeof buf),
                                     err);
}

void finn_model_clear_datatype(finn_model *m, const char *name)
{
    finn_model_clear_annotation(m, name, "finn_datatype");
}

/* FINN stores layouts as str() of a python list: "['N', 'C', 'H', 'W']". */
const char *finn_model_layout(const finn_model *m, const char *name, char *buf, size_t bufsize)
{
    const char *s = finn_model_annotation(m, name, "tensor_layout");
    size_t k = 0;
    if (bufsize)
        buf[0] = 0;
    if (!s)
        return buf;
    for (const char *p = s; *p && k + 1 < bufsize; p++)
        if ((*p >= 'A' && *p <= 'Z') || (*p >= 'a' && *p <= 'z'))
            buf[k++] = *p;
    if (bufsize)
        buf[k] = 0;
    return buf;
}

int finn_model_set_layout(finn_model *m, const char *name, const char *letters, finn_error *err)
{
    if (!letters || !*letters) {
        finn_model_clear_annotation(m, name, "tensor_layout");
        return 0;
    }
    char buf[128];
    size_t k = 0;
    buf[k++] = '[';
    for (const char *p = letters; *p && k + 8 < sizeof buf; p++) {
        if (p != letters) {
            buf[k++] = ',';
            buf[k++] = ' ';
        }
        buf[k++] = '\'';
        buf[k++] = *p;
        buf[k++] = '\'';
    }
    buf[k++] = ']';
    buf[k] = 0;
    return finn_model_set_annotation(m, name, "tensor_layout", buf, err);
}
