/*
 * hwconv_common.c - refusal lists, node/tensor helpers and QONNX's
 * nchw_to_nhwc layout helper for the convert_to_hw rules.
 */
#include "hwconv_priv.h"
#include "util.h"

#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- refusals ----------------------------------------------------------------- */

int finn_hw_refusals_add(finn_hw_refusals *r, const finn_node *n, const char *reason,
                         finn_error *err)
{
    const char *name = n->name ? n->name : "";
    for (size_t i = 0; i < r->n; i++)
        if (!strcmp(r->items[i].node, name) && !strcmp(r->items[i].reason, reason))
            return 0;
    if (finn_grow((void **)&r->items, &r->cap, r->n + 1, sizeof *r->items, err))
        return -1;
    finn_hw_refusal *it = &r->items[r->n];
    it->node = finn_xstrdup(name, err);
    it->op_type = it->node ? finn_xstrdup(n->op_type, err) : NULL;
    it->reason = it->op_type ? finn_xstrdup(reason, err) : NULL;
    if (!it->reason) {
        free(it->node);
        free(it->op_type);
        return -1;
    }
    r->n++;
    return 0;
}

void finn_hw_refusals_clear(finn_hw_refusals *r)
{
    for (size_t i = 0; i < r->n; i++) {
        free(r->items[i].node);
        free(r->items[i].op_type);
        free(r->items[i].reason);
    }
    free(r->items);
    r->items = NULL;
    r->n = r->cap = 0;
}

/* Append s to the growing buffer as a JSON string literal. */
static int json_str(char **buf, size_t *len, size_t *cap, const char *s, finn_error *err)
{
    size_t need = *len + 6 * strlen(s) + 3;
    if (finn_grow((void **)buf, cap, need + 1, 1, err))
        return -1;
    char *o = *buf + *len;
    *o++ = '"';
    for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
        if (*p == '"' || *p == '\\') {
            *o++ = '\\';
            *o++ = (char)*p;
        } else if (*p < 0x20) {
            o += sprintf(o, "\\u%04x", *p);
        } else {
            *o++ = (char)*p;
        }
    }
    *o++ = '"';
    *o = 0;
    *len = (size_t)(o - *buf);
    return 0;
}

static int json_raw(char **buf, size_t *len, size_t *cap, const char *s, finn_error *err)
{
    size_t l = strlen(s);
    if (finn_grow((void **)buf, cap, *len + l + 1, 1, err))
        return -1;
    memcpy(*buf + *len, s, l + 1);
    *len += l;
    return 0;
}

int finn_hw_refusals_json(const finn_hw_refusals *r, char **json, finn_error *err)
{
    char *buf = NULL;
    size_t len = 0, cap = 0;
    int rc = json_raw(&buf, &len, &cap, r->n ? "[\n" : "[", err);
    for (size_t i = 0; i < r->n && rc == 0; i++) {
        const finn_hw_refusal *it = &r->items[i];
        rc = json_raw(&buf, &len, &cap, "  {\n    \"node\": ", err) ||
             json_str(&buf, &len, &cap, it->node, err) ||
             json_raw(&buf, &len, &cap, ",\n    \"op_type\": ", err) ||
             json_str(&buf, &len, &cap, it->op_type, err) ||
             json_raw(&buf, &len, &cap, ",\n    \"reason\": ", err) ||
             json_str(&buf, &len, &cap, it->reason, err) ||
             json_raw(&buf, &len, &cap, i + 1 < r->n ? "\n  },\n" : "\n  }\n", err);
    }
    if (rc == 0)
        rc = json_raw(&buf, &len, &cap, "]\n", err);
    if (rc) {
        free(buf);
        return -1;
    }
    *json = buf;
    return 0;
}

int hc_refuse(finn_hw_refusals *r, const finn_node *n, finn_error *err, const char *fmt, ...)
{
    if (!r)
        return 0;
    char reason[FINN_ERROR_MSG_MAX];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(reason, sizeof reason, fmt, ap);
    va_end(ap);
    return finn_hw_refusals_add(r, n, reason, err);
}

/* ---- nodes and tensors ---------------------------------------------------------- */

finn_node *hc_hw_node(const char *op_type, const char *prefix, const char *base,
                      finn_error *err)
{
    size_t len = strlen(prefix) + (base ? strlen(base) : 0) + 1;
    char *name = finn_xmalloc(len, err);
    if (!name)
        return NULL;
    snprintf(name, len, "%s%s", prefix, base ? base : "");
    finn_node *n = finn_node_new(op_type, FINN_HW_DOMAIN, name, err);
    free(name);
    if (n && finn_node_set_attr_s(n, "backend", "fpgadataflow", err)) {
        finn_node_free(n);
        return NULL;
    }
    return n;
}

static int attr_cmp(const void *a, const void *b)
{
    return strcmp(((const finn_attr *)a)->name, ((const finn_attr *)b)->name);
}

int hc_insert(finn_model *m, size_t idx, finn_node *n, finn_error *err)
{
    if (n->n_attrs > 1)
        qsort(n->attrs, n->n_attrs, sizeof *n->attrs, attr_cmp);
    if (idx > m->n_nodes)
        idx = m->n_nodes;
    if (finn_model_insert_node(m, idx, n, err)) {
        finn_node_free(n);
        return -1;
    }
    return 0;
}

int hc_io(finn_node *n, const char *in0, const char *in1, const char *in2, const char *out,
          finn_error *err)
{
    const char *ins[3] = {in0, in1, in2};
    for (int k = 0; k < 3; k++)
        if (ins[k] && finn_node_add_input(n, ins[k], err))
            return -1;
    return out ? finn_node_add_output(n, out, err) : 0;
}

int hc_shape(const finn_model *m, const char *name, int64_t *shape)
{
    const finn_value *v = finn_model_value(m, name);
    if (!v || v->ndim < 0)
        return -1;
    memcpy(shape, v->shape, (size_t)v->ndim * sizeof *shape);
    return v->ndim;
}

const char *hc_dt_name(const finn_model *m, const char *name, char *buf)
{
    return finn_dt_name(finn_model_datatype(m, name), buf, FINN_DT_NAME_MAX);
}

bool hc_is_int(const finn_model *m, const char *name)
{
    return finn_dt_is_integer(finn_model_datatype(m, name));
}

char *hc_new_tensor(finn_model *m, int ndim, const int64_t *shape, const finn_datatype *dt,
                    finn_error *err)
{
    char *name = finn_model_unique_tensor_name(m, "hw_tensor");
    if (!name) {
        finn_error_set(err, FINN_ERR_NOMEM, "out of memory making a tensor name");
        return NULL;
    }
    finn_value *v = finn_model_get_or_add_value(m, name, err);
    if (!v || finn_model_set_shape(m, name, FINN_ELEM_FLOAT, ndim, shape, err) ||
        (dt && finn_model_set_datatype(m, name, *dt, err))) {
        free(name);
        return NULL;
    }
    v->in_value_info = true;
    return name;
}

finn_node *hc_find_consumer(const finn_model *m, const char *tensor)
{
    for (size_t i = 0; i < m->n_nodes; i++)
        if (m->nodes[i]->n_inputs > 0 && !strcmp(m->nodes[i]->inputs[0], tensor))
            return m->nodes[i];
    return NULL;
}

size_t hc_consumer_slots(const finn_model *m, const char *tensor)
{
    size_t c = 0;
    for (size_t i = 0; i < m->n_nodes; i++)
        for (size_t k = 0; k < m->nodes[i]->n_inputs; k++)
            c += !strcmp(m->nodes[i]->inputs[k], tensor);
    return c;
}

bool hc_has_init(const finn_model *m, const char *name)
{
    return name && name[0] && finn_model_initializer(m, name) != NULL;
}

int hc_finish(const finn_registry *reg, finn_model *m, finn_error *err)
{
    if (finn_infer_shapes(reg, m, err) || finn_infer_datatypes(reg, m, err))
        return -1;
    return 0;
}

const char *hc_layout(const finn_model *m, const char *name, char *buf)
{
    return finn_model_layout(m, name, buf, 16);
}

int hc_set_vecs(finn_node *n, const char *attr, const int64_t *shape, int count,
                finn_error *err)
{
    return finn_node_set_attr_ints(n, attr, shape, (size_t)(count > 0 ? count : 0), err);
}

bool hc_integral(double x)
{
    return isfinite(x) && trunc(x) == x;
}

/* ---- nchw_to_nhwc (finn-frontend.md 8.2) ------------------------------------------ */

int finn_nchw_to_nhwc(finn_model *m, const char *t, size_t idx, bool reverse, char **out,
                      finn_error *err)
{
    int64_t s[FINN_MAX_DIMS];
    if (hc_shape(m, t, s) != 4)
        return finn_error_set(err, FINN_ERR_INVALID,
                              "nchw_to_nhwc: tensor '%s' is not a known 4-D shape", t);
    const int64_t nhwc[4] = {s[0], s[2], s[3], s[1]};
    finn_datatype dt = finn_model_datatype(m, t);
    char *tt = hc_new_tensor(m, 4, nhwc, &dt, err);
    if (!tt)
        return -1;
    static const int64_t TO_NHWC[4] = {0, 2, 3, 1}, TO_NCHW[4] = {0, 3, 1, 2};
    finn_node *tr = finn_node_new("Transpose", "", "", err);
    if (!tr || finn_model_set_layout(m, tt, "NHWC", err) ||
        hc_io(tr, reverse ? tt : t, NULL, NULL, reverse ? t : tt, err) ||
        finn_node_set_attr_ints(tr, "perm", reverse ? TO_NCHW : TO_NHWC, 4, err)) {
        finn_node_free(tr);
        free(tt);
        return -1;
    }
    if (hc_insert(m, idx, tr, err)) {
        free(tt);
        return -1;
    }
    *out = tt;
    return 0;
}

int hc_each(finn_model *m, const char *op_type, size_t min_in, size_t min_out, hc_one_fn one,
            finn_hw_refusals *refusals, bool *changed, finn_error *err)
{
    *changed = false;
    for (size_t i = 0; i < m->n_nodes; i++) {
        finn_node *n = m->nodes[i];
        if (strcmp(n->op_type, op_type) || n->n_inputs < min_in || n->n_outputs < min_out)
            continue;
        int rc = one(m, i, n, refusals, err);
        if (rc < 0)
            return -1;
        *changed |= rc > 0;
    }
    return 0;
}
