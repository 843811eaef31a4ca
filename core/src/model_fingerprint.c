/*
 * model_fingerprint.c - finn_model_fingerprint: FNV-1a over the parts of a
 * model that transformations change (see finn/model.h).
 */
#include "finn/model.h"

#include <string.h>

typedef struct fnv {
    uint64_t h;
} fnv;

static inline uint64_t step(uint64_t h, uint64_t w)
{
    h = (h ^ w) * 0x9e3779b97f4a7c15ULL;
    return h ^ (h >> 32);
}

/* Words, then the tail with its length in the top byte. */
static void mix(fnv *f, const void *p, size_t n)
{
    const unsigned char *b = p;
    uint64_t h = f->h, w;
    for (; n >= 8; b += 8, n -= 8) {
        memcpy(&w, b, 8);
        h = step(h, w);
    }
    w = 0;
    memcpy(&w, b, n);
    f->h = step(h, w ^ (uint64_t)n << 56);
}

static void mix_u64(fnv *f, uint64_t v) { f->h = step(f->h, v); }

/* Strings end with their NUL, so ("ab","c") and ("a","bc") differ. */
static void mix_str(fnv *f, const char *s)
{
    if (s)
        mix(f, s, strlen(s) + 1);
    else
        mix_u64(f, 0x6e756c6cULL);
}

static void mix_strs(fnv *f, char *const *v, size_t n)
{
    mix_u64(f, n);
    for (size_t i = 0; i < n; i++)
        mix_str(f, v[i]);
}

static void mix_attr(fnv *f, const finn_attr *a)
{
    mix_str(f, a->name);
    mix_u64(f, (uint64_t)a->type);
    mix(f, &a->f, sizeof a->f);
    mix_u64(f, (uint64_t)a->i);
    if (a->s)
        mix(f, a->s, a->s_len);
    mix_u64(f, a->n);
    if (a->floats)
        mix(f, a->floats, a->n * sizeof *a->floats);
    if (a->ints)
        mix(f, a->ints, a->n * sizeof *a->ints);
    if (a->strings)
        mix_strs(f, a->strings, a->n);
    if (a->t) { /* tensor attributes are small (Constant values) */
        mix_u64(f, (uint64_t)a->t->type);
        mix(f, a->t->shape, (size_t)a->t->ndim * sizeof a->t->shape[0]);
        mix(f, a->t->data, finn_tensor_nbytes(a->t));
    }
    if (a->opaque)
        mix(f, a->opaque, a->opaque_len);
}

uint64_t finn_model_fingerprint(const finn_model *m)
{
    fnv f = {0xcbf29ce484222325ULL};
    mix_u64(&f, m->n_nodes);
    for (size_t i = 0; i < m->n_nodes; i++) {
        const finn_node *n = m->nodes[i];
        mix_str(&f, n->name);
        mix_str(&f, n->op_type);
        mix_str(&f, n->domain);
        mix_strs(&f, n->inputs, n->n_inputs);
        mix_strs(&f, n->outputs, n->n_outputs);
        mix_u64(&f, n->n_attrs);
        for (size_t k = 0; k < n->n_attrs; k++)
            mix_attr(&f, &n->attrs[k]);
    }
    mix_strs(&f, m->inputs, m->n_inputs);
    mix_strs(&f, m->outputs, m->n_outputs);
    mix_u64(&f, m->n_values);
    for (size_t i = 0; i < m->n_values; i++) {
        const finn_value *v = m->values[i];
        mix_str(&f, v->name);
        mix_u64(&f, (uint64_t)v->elem);
        mix_u64(&f, (uint64_t)(int64_t)v->ndim);
        for (int d = 0; d < v->ndim; d++) {
            mix_u64(&f, (uint64_t)v->shape[d]);
            mix_str(&f, v->dim_param[d]);
        }
        mix_u64(&f, (uint64_t)(uintptr_t)v->init);
        mix_u64(&f, v->init_serial);
        mix_u64(&f, v->in_value_info);
        mix_u64(&f, v->n_annot);
        for (size_t k = 0; k < v->n_annot; k++) {
            mix_str(&f, v->annot[k].key);
            mix_str(&f, v->annot[k].value);
        }
        mix_u64(&f, v->vi_order);
        mix_u64(&f, v->init_order);
        mix_u64(&f, v->annot_order);
    }
    mix_u64(&f, m->n_opsets);
    for (size_t i = 0; i < m->n_opsets; i++) {
        mix_str(&f, m->opsets[i].domain);
        mix_u64(&f, (uint64_t)m->opsets[i].version);
    }
    return f.h;
}
