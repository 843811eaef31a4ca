/*
 * common.c - helpers of the frontend plugin: ModelWrapper.transform,
 * ModelWrapper's graph queries, and small tensor/node builders.
 */
#include "frontend.h"

#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Upper bound on applications of one pass; each application rewrites one
 * pattern, so a real model never comes near it. */
#define FE_MAX_ITER 1000000

int fe_transform(const fe_ctx *c, finn_model *m, fe_pass_fn fn, finn_error *err)
{
    bool changed = true;
    for (long i = 0; changed; i++) {
        if (i >= FE_MAX_ITER)
            return finn_error_set(err, FINN_ERR_INVALID,
                                  "a rewrite did not reach a fixed point after %d applications",
                                  FE_MAX_ITER);
        changed = false;
        if (fn(c, m, &changed, err))
            return -1;
    }
    return finn_model_cleanup(m, err);
}

int fe_infer_shapes(const fe_ctx *c, finn_model *m, finn_error *err)
{
    /* ONNX shape inference tolerates a graph the rewrite left unsorted; our
     * node-by-node inference needs producers first.  SortGraph is idempotent
     * and the cleanup sorts anyway, so sorting first changes nothing else. */
    if (finn_model_toposort(m, err) || finn_infer_shapes(c->reg, m, err))
        return -1;
    return finn_model_cleanup(m, err);
}

int fe_infer_datatypes(const fe_ctx *c, finn_model *m, finn_error *err)
{
    if (finn_infer_datatypes(c->reg, m, err))
        return -1;
    return finn_model_cleanup(m, err);
}

int fe_fold_constants(const fe_ctx *c, finn_model *m, finn_error *err)
{
    bool changed = true;
    for (long i = 0; changed; i++) {
        if (i >= FE_MAX_ITER)
            return finn_error_set(err, FINN_ERR_INVALID, "FoldConstants did not converge");
        changed = false;
        if (finn_fold_constants(c->reg, m, &changed, err))
            return -1;
    }
    return finn_model_cleanup(m, err);
}

int fe_remove_identity_ops(finn_model *m, finn_error *err)
{
    bool changed = true;
    for (long i = 0; changed; i++) {
        if (i >= FE_MAX_ITER)
            return finn_error_set(err, FINN_ERR_INVALID, "RemoveIdentityOps did not converge");
        changed = false;
        if (finn_remove_identity_ops(m, &changed, err))
            return -1;
    }
    return finn_model_cleanup(m, err);
}

int fe_cleaned(finn_model *m, int (*fn)(finn_model *, finn_error *), finn_error *err)
{
    if (fn(m, err))
        return -1;
    return finn_model_cleanup(m, err);
}

void fe_warn(const fe_ctx *c, const char *fmt, ...)
{
    if (!c->build)
        return; /* no console outside a build: the library never prints */
    char buf[1024];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(buf, sizeof buf, fmt, ap);
    va_end(ap);
    finn_build_say(c->build, "Warning: %s", buf);
}

/* ---- graph queries -------------------------------------------------------- */

bool fe_is_init(const finn_model *m, const char *name)
{
    return name && name[0] && finn_model_initializer(m, name) != NULL;
}

bool fe_all_inputs_init(const finn_model *m, const finn_node *n)
{
    for (size_t k = 0; k < n->n_inputs; k++)
        if (!fe_is_init(m, n->inputs[k]))
            return false;
    return true;
}

finn_node *fe_first_predecessor(const finn_model *m, const finn_node *n)
{
    for (size_t k = 0; k < n->n_inputs; k++) {
        if (!n->inputs[k][0])
            continue;
        finn_node *p = finn_model_producer(m, n->inputs[k]);
        if (p)
            return p;
    }
    return NULL;
}

size_t fe_predecessor_count(const finn_model *m, const finn_node *n)
{
    size_t count = 0;
    for (size_t k = 0; k < n->n_inputs; k++)
        if (n->inputs[k][0] && finn_model_producer(m, n->inputs[k]))
            count++;
    return count;
}

/* ModelWrapper.find_consumers counts a node once per matching input slot. */
static size_t consumer_slots(const finn_model *m, const char *tensor, finn_node **first)
{
    size_t count = 0;
    for (size_t i = 0; i < m->n_nodes; i++) {
        const finn_node *c = m->nodes[i];
        for (size_t k = 0; k < c->n_inputs; k++) {
            if (!strcmp(c->inputs[k], tensor)) {
                if (count == 0 && first)
                    *first = m->nodes[i];
                count++;
            }
        }
    }
    return count;
}

size_t fe_successors(const finn_model *m, const finn_node *n, finn_node **first)
{
    size_t count = 0;
    if (first)
        *first = NULL;
    for (size_t k = 0; k < n->n_outputs; k++) {
        if (!n->outputs[k][0])
            continue;
        finn_node *f = NULL;
        size_t c = consumer_slots(m, n->outputs[k], &f);
        if (c && first && !*first)
            *first = f;
        count += c;
    }
    return count;
}

bool fe_is_fork(const finn_model *m, const finn_node *n)
{
    size_t s = fe_successors(m, n, NULL);
    /* an output that is also a graph output counts as one more consumer */
    if (n->n_outputs > 0 && finn_model_is_output(m, n->outputs[0]))
        return s > 0;
    return s > 1;
}

bool fe_is_join(const finn_model *m, const finn_node *n)
{
    size_t p = fe_predecessor_count(m, n);
    if (n->n_inputs > 0 && finn_model_is_input(m, n->inputs[0]))
        return p > 0;
    return p > 1;
}

int fe_remove_node_and_rewire(finn_model *m, finn_node *n, finn_error *err)
{
    if (fe_is_join(m, n))
        return 0; /* QONNX warns and leaves a join node alone */
    finn_node *producer = n->n_inputs ? finn_model_producer(m, n->inputs[0]) : NULL;
    if (producer && !fe_is_fork(m, producer)) {
        if (finn_node_set_output(producer, 0, n->outputs[0], err))
            return -1;
    } else {
        for (size_t i = 0; i < m->n_nodes; i++) {
            finn_node *s = m->nodes[i];
            for (size_t k = 0; k < s->n_inputs; k++)
                if (s != n && !strcmp(s->inputs[k], n->outputs[0]) &&
                    finn_node_set_input(s, k, n->inputs[0], err))
                    return -1;
        }
    }
    finn_model_remove_node(m, n);
    return 0;
}

/* ---- builders ------------------------------------------------------------------ */

char *fe_new_name(const finn_model *m, finn_error *err)
{
    char *s = finn_model_unique_tensor_name(m, "fe_tensor");
    if (!s)
        finn_error_set(err, FINN_ERR_NOMEM, "out of memory");
    return s;
}

finn_node *fe_node(const char *op, const char *domain, const char *const *inputs,
                   const char *output, finn_error *err)
{
    finn_node *n = finn_node_new(op, domain ? domain : "", "", err);
    if (!n)
        return NULL;
    for (; *inputs; inputs++)
        if (finn_node_add_input(n, *inputs, err))
            goto fail;
    if (finn_node_add_output(n, output, err))
        goto fail;
    return n;
fail:
    finn_node_free(n);
    return NULL;
}

char *fe_new_init_copy(finn_model *m, const finn_tensor *t, finn_error *err)
{
    char *name = fe_new_name(m, err);
    if (!name)
        return NULL;
    finn_tensor *copy = finn_tensor_copy(t, err);
    if (!copy || finn_model_set_initializer(m, name, copy, err)) {
        free(name);
        return NULL;
    }
    return name;
}

char *fe_new_scalar_init(finn_model *m, float v, finn_error *err)
{
    finn_tensor *t = finn_tensor_new(FINN_ELEM_FLOAT, 0, NULL, err);
    if (!t)
        return NULL;
    ((float *)t->data)[0] = v;
    char *name = fe_new_init_copy(m, t, err);
    finn_tensor_free(t);
    return name;
}

int fe_set_domain(finn_node *n, const char *domain, finn_error *err)
{
    char *d = strdup(domain);
    if (!d)
        return finn_error_set(err, FINN_ERR_NOMEM, "out of memory");
    free(n->domain);
    n->domain = d;
    return 0;
}

void fe_drop_input(finn_node *n, size_t k)
{
    if (k >= n->n_inputs)
        return;
    free(n->inputs[k]);
    memmove(&n->inputs[k], &n->inputs[k + 1], (n->n_inputs - k - 1) * sizeof *n->inputs);
    n->n_inputs--;
}

int fe_fail(finn_error *err, const finn_node *n, finn_errcode code, const char *fmt, ...)
{
    char buf[768];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(buf, sizeof buf, fmt, ap);
    va_end(ap);
    return finn_error_set(err, code, "node '%s' (%s): %s", n->name, n->op_type, buf);
}

/* ---- tensors ------------------------------------------------------------------- */

bool fe_all_equal(const finn_tensor *t, double v)
{
    size_t n = finn_tensor_numel(t);
    for (size_t i = 0; i < n; i++)
        if (finn_tensor_get(t, i) != v)
            return false;
    return true;
}

float fe_round_half_even(float x)
{
    /* rintf rounds to nearest even in the default rounding mode */
    return rintf(x);
}

/* numpy broadcasting of two shapes; -1 if incompatible. */
static int bcast_shape(const finn_tensor *a, const finn_tensor *b, int *nd, int64_t *shape)
{
    int n = a->ndim > b->ndim ? a->ndim : b->ndim;
    for (int i = 0; i < n; i++) {
        int ia = i - (n - a->ndim), ib = i - (n - b->ndim);
        int64_t da = ia >= 0 ? a->shape[ia] : 1, db = ib >= 0 ? b->shape[ib] : 1;
        if (da != db && da != 1 && db != 1)
            return -1;
        shape[i] = da == 1 ? db : da;
    }
    *nd = n;
    return 0;
}

/* Flat index into t for the output multi-index idx (rank nd). */
static size_t bcast_index(const finn_tensor *t, int nd, const int64_t *idx)
{
    size_t flat = 0;
    for (int i = 0; i < t->ndim; i++) {
        int64_t d = t->shape[i];
        int64_t v = d == 1 ? 0 : idx[i + nd - t->ndim];
        flat = flat * (size_t)d + (size_t)v;
    }
    return flat;
}

finn_tensor *fe_div_round_f32(const finn_tensor *a, const finn_tensor *b, finn_error *err)
{
    int nd;
    int64_t shape[FINN_MAX_DIMS];
    if (bcast_shape(a, b, &nd, shape)) {
        finn_error_set(err, FINN_ERR_INVALID, "scale does not broadcast against the weights");
        return NULL;
    }
    finn_tensor *out = finn_tensor_new(FINN_ELEM_FLOAT, nd, shape, err);
    if (!out)
        return NULL;
    int64_t idx[FINN_MAX_DIMS] = {0};
    size_t n = finn_tensor_numel(out);
    float *o = out->data;
    for (size_t i = 0; i < n; i++) {
        float x = (float)finn_tensor_get(a, bcast_index(a, nd, idx));
        float y = (float)finn_tensor_get(b, bcast_index(b, nd, idx));
        o[i] = fe_round_half_even(x / y);
        for (int d = nd - 1; d >= 0; d--) {
            if (++idx[d] < shape[d])
                break;
            idx[d] = 0;
        }
    }
    return out;
}

/* rintf without a library call (identical for every float: below 2^22 the
 * 1.5 * 2^23 trick rounds ties to even, copysignf keeps -0.0). */
static inline float round_even_fast(float x)
{
    if (fabsf(x) < 4194304.0f) {
        float t = x + 12582912.0f;
        return copysignf(t - 12582912.0f, x);
    }
    return rintf(x);
}

bool fe_div_round_f32_inplace(finn_tensor *a, const finn_tensor *b)
{
    int nd = 0;
    int64_t shape[FINN_MAX_DIMS] = {0};
    if (a->type != FINN_ELEM_FLOAT || b->type != FINN_ELEM_FLOAT ||
        bcast_shape(a, b, &nd, shape) || !finn_shape_equal(nd, shape, a->ndim, a->shape))
        return false;
    /* b's stride on every output axis (0 where b broadcasts) */
    size_t sb[FINN_MAX_DIMS], st = 1;
    for (int d = nd - 1; d >= 0; d--) {
        int ib = d - (nd - b->ndim);
        int64_t e = ib >= 0 ? b->shape[ib] : 1;
        sb[d] = e == 1 ? 0 : st;
        st *= (size_t)e;
    }
    size_t n = finn_tensor_numel(a), ctr[FINN_MAX_DIMS] = {0}, ib = 0;
    float *x = a->data;
    const float *y = b->data;
    for (size_t i = 0; i < n; i++) {
        x[i] = round_even_fast(x[i] / y[ib]);
        for (int d = nd - 1; d >= 0; d--) {
            ib += sb[d];
            if (++ctr[d] < (size_t)shape[d])
                break;
            ib -= sb[d] * ctr[d];
            ctr[d] = 0;
        }
    }
    return true;
}

finn_tensor *fe_transpose(const finn_tensor *t, const int64_t *perm, finn_error *err)
{
    int nd = t->ndim;
    int64_t p[FINN_MAX_DIMS], shape[FINN_MAX_DIMS], in_stride[FINN_MAX_DIMS];
    for (int i = 0; i < nd; i++)
        p[i] = perm ? perm[i] : nd - 1 - i;
    for (int i = 0; i < nd; i++) {
        if (p[i] < 0 || p[i] >= nd) {
            finn_error_set(err, FINN_ERR_INVALID, "Transpose perm value %lld out of range",
                           (long long)p[i]);
            return NULL;
        }
        shape[i] = t->shape[p[i]];
    }
    size_t st = 1;
    for (int i = nd - 1; i >= 0; i--) {
        in_stride[i] = (int64_t)st;
        st *= (size_t)t->shape[i];
    }
    finn_tensor *out = finn_tensor_new(t->type, nd, shape, err);
    if (!out)
        return NULL;
    size_t es = finn_elem_size(t->type), n = finn_tensor_numel(out);
    int64_t idx[FINN_MAX_DIMS] = {0};
    for (size_t i = 0; i < n; i++) {
        size_t src = 0;
        for (int d = 0; d < nd; d++)
            src += (size_t)(idx[d] * in_stride[p[d]]);
        memcpy((char *)out->data + i * es, (const char *)t->data + src * es, es);
        for (int d = nd - 1; d >= 0; d--) {
            if (++idx[d] < shape[d])
                break;
            idx[d] = 0;
        }
    }
    return out;
}

/* ---- quantizer facts ------------------------------------------------------------ */

bool fe_is_quantizer(const finn_node *n)
{
    return !strcmp(n->op_type, "Quant") || !strcmp(n->op_type, "BipolarQuant");
}

int fe_quant_bits(const finn_model *m, const finn_node *n, double *bits, finn_error *err)
{
    if (!strcmp(n->op_type, "BipolarQuant")) {
        *bits = 1.0;
        return 0;
    }
    const finn_tensor *bw = n->n_inputs > 3 ? finn_model_initializer(m, n->inputs[3]) : NULL;
    if (!bw || finn_tensor_numel(bw) != 1)
        return fe_fail(err, n, FINN_ERR_INVALID,
                       "Quant nodes must have a static scalar bit width (input 3)");
    *bits = finn_tensor_get(bw, 0);
    return 0;
}

int fe_quant_int_dtype(const finn_model *m, const finn_node *n, finn_datatype *dt,
                       finn_error *err)
{
    if (!strcmp(n->op_type, "BipolarQuant")) {
        *dt = finn_dt_bipolar();
        return 0;
    }
    double b = 0;
    if (fe_quant_bits(m, n, &b, err))
        return -1;
    int bits = (int)b; /* python int() truncates */
    bool is_signed = finn_node_attr_i(n, "signed", 1) != 0;
    if (bits < 1 || bits > 64)
        return fe_fail(err, n, FINN_ERR_INVALID, "bit width %g out of range", b);
    if (bits == 1)
        *dt = is_signed ? finn_dt_bipolar() : finn_dt_binary();
    else
        *dt = is_signed ? finn_dt_int(bits) : finn_dt_uint(bits);
    return 0;
}

bool fe_quant_zero_zp(const finn_model *m, const finn_node *n)
{
    if (strcmp(n->op_type, "Quant"))
        return true;
    const finn_tensor *zp = n->n_inputs > 2 ? finn_model_initializer(m, n->inputs[2]) : NULL;
    return zp && fe_all_equal(zp, 0.0);
}
