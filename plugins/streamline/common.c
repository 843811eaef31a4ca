/*
 * common.c - helpers shared by the streamline rewrites: ModelWrapper's
 * graph queries (fork/join/consumer), numpy-like tensor arithmetic and small
 * model-editing steps.
 */
#include "sl.h"

#include <finn/broadcast.h>

#include <math.h>
#include <stdlib.h>
#include <string.h>

/* ---- graph queries ------------------------------------------------------ */

bool sl_is_graph_output(const finn_model *m, const char *tensor)
{
    for (size_t i = 0; i < m->n_outputs; i++)
        if (!strcmp(m->outputs[i], tensor))
            return true;
    return false;
}

/* Number of (node, input slot) pairs reading tensor: find_consumers lists a
 * node once per matching input. */
static size_t consumer_slots(const finn_model *m, const char *tensor)
{
    size_t count = 0;
    for (size_t i = 0; i < m->n_nodes; i++)
        for (size_t k = 0; k < m->nodes[i]->n_inputs; k++)
            if (!strcmp(m->nodes[i]->inputs[k], tensor))
                count++;
    return count;
}

/* is_fork_node: more than one direct successor over all outputs, or any
 * successor when output[0] is also a graph output. */
bool sl_is_fork(const finn_model *m, const finn_node *n)
{
    size_t succ = 0;
    for (size_t k = 0; k < n->n_outputs; k++)
        succ += consumer_slots(m, n->outputs[k]);
    if (n->n_outputs > 0 && sl_is_graph_output(m, n->outputs[0]))
        return succ > 0;
    return succ > 1;
}

/* is_join_node: more than one producing predecessor over all inputs, or
 * any when input[0] is a graph input. */
bool sl_is_join(const finn_model *m, const finn_node *n)
{
    size_t pred = 0;
    for (size_t k = 0; k < n->n_inputs; k++)
        if (finn_model_producer(m, n->inputs[k]))
            pred++;
    if (n->n_inputs > 0 && finn_model_is_input(m, n->inputs[0]))
        return pred > 0;
    return pred > 1;
}

finn_node *sl_consumer(const finn_model *m, const char *tensor)
{
    finn_node *c = NULL;
    return finn_model_consumers(m, tensor, &c, 1) > 0 ? c : NULL;
}

finn_node *sl_producer(const finn_model *m, const char *tensor)
{
    return finn_model_producer(m, tensor);
}

const finn_tensor *sl_init_of(const finn_model *m, const finn_node *n, size_t k)
{
    const char *name = finn_node_input(n, k);
    return name ? finn_model_initializer(m, name) : NULL;
}

/* ---- tensors --------------------------------------------------------------- */

bool sl_all_dims_one(const finn_tensor *t)
{
    for (int d = 0; d < t->ndim; d++)
        if (t->shape[d] != 1)
            return false;
    return true;
}

int sl_dims_above_one(const finn_tensor *t)
{
    int c = 0;
    for (int d = 0; d < t->ndim; d++)
        c += t->shape[d] > 1;
    return c;
}

bool sl_any_negative(const finn_tensor *t)
{
    size_t n = finn_tensor_numel(t);
    for (size_t i = 0; i < n; i++)
        if (finn_tensor_get(t, i) < 0)
            return true;
    return false;
}

bool sl_shape_is(const finn_tensor *t, int ndim, const int64_t *shape)
{
    return finn_shape_equal(t->ndim, t->shape, ndim, shape);
}

static double apply_op(char op, double x, double y)
{
    switch (op) {
    case '+': return x + y;
    case '-': return x - y;
    case '*': return x * y;
    default: return x / y;
    }
}

/* float32 operands: one float operation (double then rounded once is the
 * same correctly rounded result for + - * /). */
static double float_op(char op, double x, double y)
{
    float a = (float)x, b = (float)y;
    switch (op) {
    case '+': return (double)(a + b);
    case '-': return (double)(a - b);
    case '*': return (double)(a * b);
    default: return (double)(a / b);
    }
}

static inline float f32_op(char op, float x, float y)
{
    return op == '+' ? x + y : op == '-' ? x - y : op == '*' ? x * y : x / y;
}

/* float32 operands and result: the same one float operation per element as
 * float_op.  Adjacent axes that both operands walk alike (contiguously, or
 * not at all) are merged first; the innermost axis then runs as a plain
 * loop and an odometer steps the outer ones (no division per element). */
static void binary_f32(const float *a, const float *b, float *r, size_t n, int nd,
                       const int64_t *shape_in, const size_t *sa_in, const size_t *sb_in,
                       char op)
{
    size_t shape[FINN_MAX_DIMS], sa[FINN_MAX_DIMS], sb[FINN_MAX_DIMS];
    int k = 0;
    for (int d = 0; d < nd; d++) {
        size_t e = (size_t)shape_in[d];
        if (e == 1)
            continue; /* a unit axis moves nothing */
        if (k > 0 && sa[k - 1] == sa_in[d] * e && sb[k - 1] == sb_in[d] * e) {
            shape[k - 1] *= e; /* axis k-1 steps over axis d exactly */
            sa[k - 1] = sa_in[d];
            sb[k - 1] = sb_in[d];
            continue;
        }
        shape[k] = e;
        sa[k] = sa_in[d];
        sb[k] = sb_in[d];
        k++;
    }
    if (n == 0)
        return;
    if (k == 0) {
        r[0] = f32_op(op, a[0], b[0]);
        return;
    }
    size_t inner = shape[k - 1], ia0 = sa[k - 1], ib0 = sb[k - 1];
    size_t ctr[FINN_MAX_DIMS] = {0}, ia = 0, ib = 0;
    for (size_t i = 0; i < n; i += inner) {
        float *out = r + i;
        if (ia0 == 1 && ib0 == 1)
            for (size_t j = 0; j < inner; j++)
                out[j] = f32_op(op, a[ia + j], b[ib + j]);
        else if (ia0 == 0 && ib0 == 1)
            for (size_t j = 0; j < inner; j++)
                out[j] = f32_op(op, a[ia], b[ib + j]);
        else
            for (size_t j = 0; j < inner; j++)
                out[j] = f32_op(op, a[ia + j * ia0], b[ib + j * ib0]);
        for (int d = k - 2; d >= 0; d--) {
            ia += sa[d];
            ib += sb[d];
            if (++ctr[d] < shape[d])
                break;
            ia -= sa[d] * ctr[d];
            ib -= sb[d] * ctr[d];
            ctr[d] = 0;
        }
    }
}

bool sl_mul_into(const finn_tensor *a, finn_tensor *b)
{
    if (a->type != FINN_ELEM_FLOAT || b->type != FINN_ELEM_FLOAT || a->ndim > b->ndim)
        return false;
    int nd = b->ndim;
    size_t sa[FINN_MAX_DIMS], sb[FINN_MAX_DIMS], stra = 1, strb = 1;
    for (int d = nd - 1; d >= 0; d--) {
        int da = d - (nd - a->ndim);
        int64_t ea = da >= 0 ? a->shape[da] : 1, eb = b->shape[d];
        if (ea != eb && ea != 1)
            return false; /* a would grow b */
        sa[d] = ea == 1 ? 0 : stra;
        sb[d] = eb == 1 ? 0 : strb;
        stra *= (size_t)ea;
        strb *= (size_t)eb;
    }
    /* b walks contiguously, so each element is read before it is written */
    binary_f32(a->data, b->data, b->data, finn_tensor_numel(b), nd, b->shape, sa, sb, '*');
    return true;
}

finn_tensor *sl_binary(const finn_tensor *a, const finn_tensor *b, char op, finn_error *err)
{
    finn_bcast bc;
    const finn_tensor *in[2] = {a, b};
    if (finn_bcast_init(&bc, 2, in, err))
        return NULL;
    int nd = bc.ndim;
    const int64_t *shape = bc.shape;
    const size_t *sa = bc.stride[0], *sb = bc.stride[1];
    finn_elem_type type = a->type == b->type ? a->type : FINN_ELEM_FLOAT;
    finn_tensor *r = finn_tensor_new(type, nd, shape, err);
    if (!r)
        return NULL;
    size_t n = finn_tensor_numel(r);
    if (type == FINN_ELEM_FLOAT && a->type == FINN_ELEM_FLOAT && b->type == FINN_ELEM_FLOAT) {
        binary_f32(a->data, b->data, r->data, n, nd, shape, sa, sb, op);
        return r;
    }
    for (size_t i = 0; i < n; i++) {
        size_t rem = i, ia = 0, ib = 0;
        for (int d = nd - 1; d >= 0; d--) {
            size_t idx = (size_t)(rem % (size_t)shape[d]);
            rem /= (size_t)shape[d];
            ia += idx * sa[d];
            ib += idx * sb[d];
        }
        double x = finn_tensor_get(a, ia), y = finn_tensor_get(b, ib);
        finn_tensor_set(r, i, type == FINN_ELEM_FLOAT ? float_op(op, x, y) : apply_op(op, x, y));
    }
    return r;
}

finn_tensor *sl_reshaped(const finn_tensor *t, int ndim, const int64_t *shape, finn_error *err)
{
    int64_t s[FINN_MAX_DIMS];
    int neg = -1;
    size_t known = 1;
    for (int d = 0; d < ndim; d++) {
        s[d] = shape[d];
        if (s[d] < 0)
            neg = d;
        else
            known *= (size_t)s[d];
    }
    if (neg >= 0)
        s[neg] = known ? (int64_t)(finn_tensor_numel(t) / known) : 0;
    finn_tensor *r = finn_tensor_copy(t, err);
    if (r && finn_tensor_reshape(r, ndim, s, err)) {
        finn_tensor_free(r);
        return NULL;
    }
    return r;
}

finn_tensor *sl_map(const finn_tensor *t, double (*f)(double), finn_error *err)
{
    finn_tensor *r = finn_tensor_copy(t, err);
    if (!r)
        return NULL;
    size_t n = finn_tensor_numel(r);
    for (size_t i = 0; i < n; i++)
        finn_tensor_set(r, i, f(finn_tensor_get(r, i)));
    return r;
}

finn_tensor *sl_float_tensor(int ndim, const int64_t *shape, const float *vals, finn_error *err)
{
    finn_tensor *t = finn_tensor_new(FINN_ELEM_FLOAT, ndim, shape, err);
    if (t && vals)
        memcpy(t->data, vals, finn_tensor_nbytes(t));
    return t;
}

/* ---- model editing ----------------------------------------------------------- */

int sl_set_init(finn_model *m, const char *name, finn_tensor *t, finn_error *err)
{
    if (!t)
        return -1;
    return finn_model_set_initializer(m, name, t, err);
}

int sl_set_init_copy(finn_model *m, const char *name, const finn_tensor *t, finn_error *err)
{
    return sl_set_init(m, name, finn_tensor_copy(t, err), err);
}

char *sl_new_name(const finn_model *m, finn_error *err)
{
    char *s = finn_model_unique_tensor_name(m, "sl_tensor");
    if (!s)
        finn_error_set(err, FINN_ERR_NOMEM, "out of memory making a tensor name");
    return s;
}

int sl_shape_of(const finn_model *m, const char *name, int64_t *shape)
{
    const finn_value *v = finn_model_value(m, name);
    if (!v || v->ndim < 0)
        return -1;
    for (int d = 0; d < v->ndim; d++)
        shape[d] = v->shape[d];
    return v->ndim;
}

int sl_set_shape(finn_model *m, const char *name, int ndim, const int64_t *shape,
                 finn_error *err)
{
    if (ndim < 0)
        return 0; /* unknown shape: nothing to record */
    const finn_value *v = finn_model_value(m, name);
    finn_elem_type elem = v && v->elem != FINN_ELEM_UNDEFINED ? v->elem : FINN_ELEM_FLOAT;
    return finn_model_set_shape(m, name, elem, ndim, shape, err);
}

finn_node *sl_node(const char *op_type, const char *domain, const char *name, const char *in0,
                   const char *in1, const char *out, finn_error *err)
{
    finn_node *n = finn_node_new(op_type, domain, name, err);
    if (!n)
        return NULL;
    if ((in0 && finn_node_add_input(n, in0, err)) || (in1 && finn_node_add_input(n, in1, err)) ||
        (out && finn_node_add_output(n, out, err))) {
        finn_node_free(n);
        return NULL;
    }
    return n;
}

int sl_insert(finn_model *m, size_t index, finn_node *n, finn_error *err)
{
    if (!n)
        return -1;
    if (index > m->n_nodes)
        index = m->n_nodes;
    if (finn_model_insert_node(m, index, n, err)) {
        finn_node_free(n);
        return -1;
    }
    return 0;
}

int sl_move(finn_model *m, finn_node *n, size_t index, finn_error *err)
{
    finn_model_detach_node(m, n);
    return sl_insert(m, index, n, err);
}

bool sl_perm_is(const finn_node *n, const int64_t *p, size_t len)
{
    const int64_t *v = NULL;
    size_t count = finn_node_attr_ints(n, "perm", &v);
    if (!v || count != len)
        return false;
    for (size_t i = 0; i < len; i++)
        if (v[i] != p[i])
            return false;
    return true;
}

int sl_set_dt(finn_model *m, const char *name, finn_datatype dt, finn_error *err)
{
    return finn_model_set_datatype(m, name, dt, err);
}

int sl_set_op(finn_node *n, const char *op_type, const char *domain, finn_error *err)
{
    char *op = strdup(op_type), *dom = domain ? strdup(domain) : NULL;
    if (!op || (domain && !dom)) {
        free(op);
        free(dom);
        return finn_error_set(err, FINN_ERR_NOMEM, "out of memory renaming node '%s'", n->name);
    }
    free(n->op_type);
    n->op_type = op;
    if (dom) {
        free(n->domain);
        n->domain = dom;
    }
    return 0;
}
