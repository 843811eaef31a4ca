/*
 * exec.c - the reference executor: an execution context (tensor name ->
 * tensor) and a node-by-node run through the op registry, with FINN's
 * sanitizing of integer-annotated tensors.
 */
#include "finn/exec.h"
#include "finn/hw.h"
#include "finn/registry.h"
#include "uthash.h"
#include "util.h"

#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

typedef struct ctx_entry {
    char *name;
    finn_tensor *t;
    size_t order;
    UT_hash_handle hh;
} ctx_entry;

struct finn_exec_ctx {
    ctx_entry *map;
    ctx_entry **list; /* insertion order */
    size_t n, cap;
    const finn_registry *reg; /* of the run in progress */
};

finn_exec_ctx *finn_exec_ctx_new(finn_error *err)
{
    return finn_xcalloc(1, sizeof(finn_exec_ctx), err);
}

void finn_exec_ctx_free(finn_exec_ctx *ctx)
{
    if (!ctx)
        return;
    ctx_entry *e, *tmp;
    HASH_ITER(hh, ctx->map, e, tmp) {
        HASH_DEL(ctx->map, e);
        finn_tensor_free(e->t);
        free(e->name);
        free(e);
    }
    free(ctx->list);
    free(ctx);
}

static ctx_entry *find(const finn_exec_ctx *ctx, const char *name)
{
    ctx_entry *e = NULL;
    HASH_FIND_STR(ctx->map, name, e);
    return e;
}

finn_tensor *finn_exec_ctx_get(const finn_exec_ctx *ctx, const char *name)
{
    ctx_entry *e = name ? find(ctx, name) : NULL;
    return e ? e->t : NULL;
}

int finn_exec_ctx_set(finn_exec_ctx *ctx, const char *name, finn_tensor *t, finn_error *err)
{
    ctx_entry *e = find(ctx, name);
    if (e) {
        if (e->t != t)
            finn_tensor_free(e->t);
        e->t = t;
        return 0;
    }
    if (finn_grow((void **)&ctx->list, &ctx->cap, ctx->n + 1, sizeof *ctx->list, err))
        goto fail;
    e = finn_xcalloc(1, sizeof *e, err);
    if (!e)
        goto fail;
    if (!(e->name = finn_xstrdup(name, err))) {
        free(e);
        goto fail;
    }
    e->t = t;
    e->order = ctx->n;
    ctx->list[ctx->n++] = e;
    HASH_ADD_KEYPTR(hh, ctx->map, e->name, strlen(e->name), e);
    return 0;
fail:
    finn_tensor_free(t);
    return -1;
}

finn_tensor *finn_exec_ctx_take(finn_exec_ctx *ctx, const char *name)
{
    ctx_entry *e = find(ctx, name);
    if (!e)
        return NULL;
    finn_tensor *t = e->t;
    HASH_DEL(ctx->map, e);
    memmove(&ctx->list[e->order], &ctx->list[e->order + 1],
            (ctx->n - e->order - 1) * sizeof *ctx->list);
    ctx->n--;
    for (size_t i = e->order; i < ctx->n; i++)
        ctx->list[i]->order = i;
    free(e->name);
    free(e);
    return t;
}

size_t finn_exec_ctx_count(const finn_exec_ctx *ctx)
{
    return ctx->n;
}

const char *finn_exec_ctx_name(const finn_exec_ctx *ctx, size_t i)
{
    return i < ctx->n ? ctx->list[i]->name : NULL;
}

const finn_registry *finn_exec_ctx_registry(const finn_exec_ctx *ctx)
{
    return ctx->reg;
}

/* finn_dt_allowed is a pure function of the value, and quantized tensors
 * hold few distinct values: float32 data is checked through a small
 * direct-mapped cache keyed by the bit pattern, so finn_dt_allowed runs
 * about once per distinct value instead of once per element. */
#define ALLOWED_CACHE 256
typedef struct allowed_slot {
    uint32_t bits;
    signed char state; /* -1 empty, 0 disallowed, 1 allowed */
} allowed_slot;

static size_t find_disallowed_f32(const float *v, size_t from, size_t count, finn_datatype dt)
{
    allowed_slot cache[ALLOWED_CACHE];
    for (size_t i = 0; i < ALLOWED_CACHE; i++)
        cache[i].state = -1;
    for (size_t i = from; i < count; i++) {
        uint32_t bits;
        memcpy(&bits, &v[i], sizeof bits);
        allowed_slot *s = &cache[(bits * 2654435761u) >> 24];
        if (s->state < 0 || s->bits != bits) {
            s->bits = bits;
            s->state = finn_dt_allowed(dt, (double)v[i]) ? 1 : 0;
        }
        if (!s->state)
            return i;
    }
    return count;
}

/* Integer types of at most 24 bits: the allowed values are exactly the
 * float32 integers in [lo, hi] (all exact in float32), checked without a
 * call per element. */
static size_t find_disallowed_int_f32(const float *v, size_t from, size_t count, float lo,
                                      float hi)
{
    enum { BLOCK = 256 };
    for (size_t b = from; b < count; b += BLOCK) {
        size_t end = count - b < BLOCK ? count : b + BLOCK;
        int bad = 0; /* a block without an early exit, so it can be vectorised */
        for (size_t i = b; i < end; i++) {
            float x = v[i];
            int in = (x >= lo) & (x <= hi); /* false for NaN */
            float c = in ? x : lo;          /* in int32 range, so the cast is defined */
            bad |= !in | (c != (float)(int32_t)c);
        }
        if (!bad)
            continue;
        for (size_t i = b; i < end; i++) {
            float x = v[i];
            if (!(x >= lo && x <= hi) || x != (float)(int32_t)x) /* NaN fails the range */
                return i;
        }
    }
    return count;
}

size_t finn_tensor_find_disallowed(const finn_tensor *t, finn_datatype dt, size_t from)
{
    size_t count = finn_tensor_numel(t);
    if (dt.kind == FINN_DT_FLOAT32 || dt.kind == FINN_DT_FLOAT16)
        return count; /* any value (finn_dt_allowed says so too) */
    if (t->type == FINN_ELEM_FLOAT &&
        (((dt.kind == FINN_DT_INT || dt.kind == FINN_DT_UINT) && dt.bits <= 24) ||
         dt.kind == FINN_DT_BINARY))
        return find_disallowed_int_f32(t->data, from, count, (float)finn_dt_min(dt),
                                       (float)finn_dt_max(dt));
    if (t->type == FINN_ELEM_FLOAT)
        return find_disallowed_f32(t->data, from, count, dt);
    for (size_t i = from; i < count; i++)
        if (!finn_dt_allowed(dt, finn_tensor_get(t, i)))
            return i;
    return count;
}

/* FINN's sanitizing: a tensor annotated with an integer type whose values
 * are not allowed is rounded half to even; a change above 1e-2 means the
 * graph computes something the annotation does not describe. */
static int sanitize(const finn_model *m, const finn_node *n, const char *name,
                    finn_exec_ctx *ctx, finn_error *err)
{
    finn_tensor *t = finn_exec_ctx_get(ctx, name);
    if (!t || !finn_model_has_datatype(m, name))
        return 0;
    finn_datatype dt = finn_model_datatype(m, name);
    if (!finn_dt_is_integer(dt))
        return 0;
    size_t count = finn_tensor_numel(t);
    for (size_t i = finn_tensor_find_disallowed(t, dt, 0); i < count;
         i = finn_tensor_find_disallowed(t, dt, i + 1)) {
        double v = finn_tensor_get(t, i);
        double r = nearbyint(v); /* default rounding mode: half to even */
        if (fabs(r - v) > 1e-2) {
            char buf[FINN_DT_NAME_MAX];
            return finn_error_set(err, FINN_ERR_INVALID,
                                  "node '%s' (%s): tensor '%s' is annotated %s but holds %g",
                                  n->name, n->op_type, name, finn_dt_name(dt, buf, sizeof buf), v);
        }
        finn_tensor_set(t, i, r);
    }
    return 0;
}

int finn_execute_node(const finn_registry *reg, const finn_model *m, const finn_node *n,
                      finn_exec_ctx *ctx, finn_error *err)
{
    const finn_op *op = finn_registry_op(reg, n->domain, n->op_type);
    if (op && !op->execute && finn_hw_base_op(reg, op)) /* HW variant: the layer's semantics */
        op = finn_hw_base_op(reg, op);
    if (!op || !op->execute)
        return finn_error_set(err, FINN_ERR_NOT_FOUND,
                              "node '%s': no plugin executes op %s%s%s", n->name,
                              n->domain[0] ? n->domain : "", n->domain[0] ? "::" : "",
                              n->op_type);
    ctx->reg = reg;
    for (size_t k = 0; k < n->n_inputs; k++) {
        if (!n->inputs[k][0])
            continue;
        if (!finn_exec_ctx_get(ctx, n->inputs[k]))
            return finn_error_set(err, FINN_ERR_NOT_FOUND,
                                  "node '%s' (%s): input '%s' has no value", n->name, n->op_type,
                                  n->inputs[k]);
        if (sanitize(m, n, n->inputs[k], ctx, err))
            return -1;
    }
    if (op->execute(m, n, ctx, err)) {
        if (strncmp(err->msg, "node '", 6))
            finn_error_prefix(err, "node '%s' (%s): ", n->name, n->op_type);
        return -1;
    }
    for (size_t k = 0; k < n->n_outputs; k++)
        if (n->outputs[k][0] && sanitize(m, n, n->outputs[k], ctx, err))
            return -1;
    return 0;
}

/* A node is constant when every input is an initializer (not overridable
 * as a graph input) or the output of a constant node.  Graph order is
 * topological, so one pass finds them all. */
static int find_constant_nodes(const finn_model *m, bool *is_const, finn_error *err)
{
    for (size_t i = 0; i < m->n_nodes; i++) {
        const finn_node *n = m->nodes[i];
        bool c = true;
        for (size_t k = 0; k < n->n_inputs && c; k++) {
            const char *t = n->inputs[k];
            if (!t[0])
                continue;
            /* a node's output wins over a stale initializer of the same
             * name (FINN's execution overwrites it the same way) */
            const finn_node *p = finn_model_producer(m, t);
            if (p) {
                size_t pi = finn_model_node_index(m, p);
                c = pi < i && is_const[pi];
            } else if (finn_model_is_input(m, t) || !finn_model_initializer(m, t)) {
                c = false;
            }
        }
        is_const[i] = c;
    }
    (void)err;
    return 0;
}

static bool outputs_present(const finn_exec_ctx *ctx, const finn_node *n)
{
    for (size_t k = 0; k < n->n_outputs; k++)
        if (n->outputs[k][0] && !finn_exec_ctx_get(ctx, n->outputs[k]))
            return false;
    return true;
}

int finn_execute(const finn_registry *reg, const finn_model *m, finn_exec_ctx *ctx,
                 finn_error *err)
{
    for (size_t i = 0; i < m->n_inputs; i++) {
        const char *in = m->inputs[i];
        if (!finn_exec_ctx_get(ctx, in) && !finn_model_initializer(m, in))
            return finn_error_set(err, FINN_ERR_INVALID, "graph input '%s' was not given", in);
    }
    /* initializers join the context, as in FINN's full execution context */
    for (size_t i = 0; i < m->n_values; i++) {
        const finn_value *v = m->values[i];
        if (!v->init || finn_exec_ctx_get(ctx, v->name))
            continue;
        finn_tensor *t = finn_tensor_copy(v->init, err);
        if (!t || finn_exec_ctx_set(ctx, v->name, t, err))
            return -1;
    }
    bool *is_const = calloc(m->n_nodes ? m->n_nodes : 1, sizeof *is_const);
    if (!is_const)
        return finn_error_set(err, FINN_ERR_NOMEM, "out of memory");
    find_constant_nodes(m, is_const, err);
    int rc = 0;
    for (size_t i = 0; i < m->n_nodes && rc == 0; i++) {
        /* a context reused for the next input keeps constant results (e.g.
         * quantized weights): they are computed once, not per image */
        if (is_const[i] && outputs_present(ctx, m->nodes[i]))
            continue;
        rc = finn_execute_node(reg, m, m->nodes[i], ctx, err);
    }
    free(is_const);
    return rc;
}
