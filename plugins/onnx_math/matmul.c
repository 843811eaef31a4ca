/*
 * matmul.c - MatMul (numpy matmul: 1-D operands get a dim prepended /
 * appended and removed again, batch dims broadcast) and Gemm
 * (Y = alpha * A' B' + beta * C, transA/transB, C unidirectionally
 * broadcast to (M, N), C optional from opset 11).
 *
 * Accumulation: float32 data accumulate in float32 in increasing k order,
 * as the data type of onnxruntime/FINN; for integer-valued data (FINN's
 * quantized tensors) every partial sum below 2^24 is exact, so the result
 * equals onnxruntime's whatever its blocking.  Gemm then computes
 * alpha*acc + beta*c in float32.  float64 accumulates in double, float16
 * in float32; integers in int64 with wrap-around.
 */
#include <finn/broadcast.h>
#include "onnx_math.h"

#include <string.h>

/* Batch dims, M, K, N of a MatMul, with the numpy 1-D rules. */
typedef struct mm_dims {
    finn_tensor ba, bb;  /* headers only: batch shapes of A and B */
    int64_t m, k, n;
    int out_nd;
    int64_t out_shape[FINN_MAX_DIMS];
    finn_bcast bc;         /* batch broadcast */
} mm_dims;

static int mm_plan(int nda, const int64_t *sa, int ndb, const int64_t *sb, mm_dims *d,
                   bool shapes_only, finn_error *err)
{
    if (nda < 1 || ndb < 1)
        return finn_error_set(err, FINN_ERR_INVALID, "MatMul operands must have rank >= 1");
    memset(d, 0, sizeof *d);
    d->m = nda == 1 ? 1 : sa[nda - 2];
    d->k = sa[nda - 1];
    int64_t kb = ndb == 1 ? sb[0] : sb[ndb - 2];
    d->n = ndb == 1 ? 1 : sb[ndb - 1];
    if (d->k != kb && d->k >= 0 && kb >= 0) {
        char a[128], b[128];
        return finn_error_set(err, FINN_ERR_INVALID, "MatMul shapes %s and %s do not match",
                              finn_shape_str(nda, sa, a, sizeof a),
                              finn_shape_str(ndb, sb, b, sizeof b));
    }
    d->ba.ndim = nda > 2 ? nda - 2 : 0;
    d->bb.ndim = ndb > 2 ? ndb - 2 : 0;
    memcpy(d->ba.shape, sa, (size_t)d->ba.ndim * sizeof *sa);
    memcpy(d->bb.shape, sb, (size_t)d->bb.ndim * sizeof *sb);
    if (finn_bcast_shape(d->ba.ndim, d->ba.shape, d->bb.ndim, d->bb.shape, &d->out_nd,
                       d->out_shape, err))
        return -1;
    if (nda > 1)
        d->out_shape[d->out_nd++] = d->m;
    if (ndb > 1)
        d->out_shape[d->out_nd++] = d->n;
    if (shapes_only)
        return 0;
    const finn_tensor *in[2] = {&d->ba, &d->bb};
    return finn_bcast_init(&d->bc, 2, in, err);
}

int om_shape_matmul(finn_model *m, finn_node *n, finn_error *err)
{
    const finn_value *a = om_need_shape(m, n, 0, err);
    const finn_value *b = a ? om_need_shape(m, n, 1, err) : NULL;
    mm_dims d;
    if (!b || mm_plan(a->ndim, a->shape, b->ndim, b->shape, &d, true, err))
        return -1;
    finn_elem_type elem = a->elem;
    return finn_model_set_shape(m, n->outputs[0], elem, d.out_nd, d.out_shape, err);
}

/* One (M,K)x(K,N) product; strides in elements (ars/acs for A's row/col). */
typedef struct mm_view {
    const finn_tensor *t;
    size_t off, rs, cs;
} mm_view;

static void mm_float(mm_view a, mm_view b, float *y, size_t M, size_t K, size_t N)
{
    const float *pa = (const float *)a.t->data + a.off, *pb = (const float *)b.t->data + b.off;
    for (size_t i = 0; i < M; i++)
        for (size_t j = 0; j < N; j++) {
            float acc = 0.0f;
            for (size_t k = 0; k < K; k++)
                acc += pa[i * a.rs + k * a.cs] * pb[k * b.rs + j * b.cs];
            y[i * N + j] = acc;
        }
}

/* Generic types: result element (i, j) as double (float types) or int64. */
static double mm_elem_f(mm_view a, mm_view b, size_t i, size_t j, size_t K)
{
    bool dbl = a.t->type == FINN_ELEM_DOUBLE;
    double accd = 0.0;
    float accf = 0.0f;
    for (size_t k = 0; k < K; k++) {
        double p = finn_tensor_get(a.t, a.off + i * a.rs + k * a.cs) *
                   finn_tensor_get(b.t, b.off + k * b.rs + j * b.cs);
        if (dbl)
            accd += p;
        else
            accf += (float)p; /* float16 inputs: exact product, float32 sum */
    }
    return dbl ? accd : accf;
}

static int64_t mm_elem_i(mm_view a, mm_view b, size_t i, size_t j, size_t K)
{
    uint64_t acc = 0;
    for (size_t k = 0; k < K; k++)
        acc += (uint64_t)om_get_i64(a.t, a.off + i * a.rs + k * a.cs) *
               (uint64_t)om_get_i64(b.t, b.off + k * b.rs + j * b.cs);
    return (int64_t)acc;
}

static void mm_block(mm_view a, mm_view b, finn_tensor *y, size_t yoff, size_t M, size_t K,
                     size_t N)
{
    if (y->type == FINN_ELEM_FLOAT) {
        mm_float(a, b, (float *)y->data + yoff, M, K, N);
        return;
    }
    bool fl = om_is_float(y->type);
    for (size_t i = 0; i < M; i++)
        for (size_t j = 0; j < N; j++) {
            if (fl)
                finn_tensor_set(y, yoff + i * N + j, mm_elem_f(a, b, i, j, K));
            else
                om_set_i64(y, yoff + i * N + j, mm_elem_i(a, b, i, j, K));
        }
}

int om_exec_matmul(const finn_model *m, const finn_node *n, finn_exec_ctx *ctx, finn_error *err)
{
    (void)m;
    const finn_tensor *a = om_need_input(ctx, n, 0, err);
    const finn_tensor *b = a ? om_need_input(ctx, n, 1, err) : NULL;
    mm_dims d;
    if (!b || mm_plan(a->ndim, a->shape, b->ndim, b->shape, &d, false, err))
        return -1;
    if (a->type != b->type)
        return finn_error_set(err, FINN_ERR_INVALID, "MatMul input types differ (%s vs %s)",
                              finn_elem_name(a->type), finn_elem_name(b->type));
    finn_tensor *y = finn_tensor_new(a->type, d.out_nd, d.out_shape, err);
    if (!y)
        return -1;
    size_t M = (size_t)d.m, K = (size_t)d.k, N = (size_t)d.n;
    for (size_t bi = 0; bi < d.bc.numel; bi++) {
        mm_view va = {a, finn_bcast_offset(&d.bc, 0, bi) * M * K, K, 1};
        mm_view vb = {b, finn_bcast_offset(&d.bc, 1, bi) * K * N, N, 1};
        mm_block(va, vb, y, bi * M * N, M, K, N);
    }
    return om_set_output(ctx, n, 0, y, err);
}

/* ---- Gemm ----------------------------------------------------------------- */

static int gemm_dims(const finn_node *n, int nda, const int64_t *sa, int ndb, const int64_t *sb,
                     int64_t *M, int64_t *K, int64_t *N, finn_error *err)
{
    if (nda != 2 || ndb != 2)
        return finn_error_set(err, FINN_ERR_INVALID, "Gemm needs 2-D A and B (ranks %d, %d)", nda,
                              ndb);
    bool ta = finn_node_attr_i(n, "transA", 0) != 0, tb = finn_node_attr_i(n, "transB", 0) != 0;
    *M = ta ? sa[1] : sa[0];
    *K = ta ? sa[0] : sa[1];
    int64_t kb = tb ? sb[1] : sb[0];
    *N = tb ? sb[0] : sb[1];
    if (*K != kb)
        return finn_error_set(err, FINN_ERR_INVALID, "Gemm inner dims differ (%lld vs %lld)",
                              (long long)*K, (long long)kb);
    return 0;
}

int om_shape_gemm(finn_model *m, finn_node *n, finn_error *err)
{
    const finn_value *a = om_need_shape(m, n, 0, err);
    const finn_value *b = a ? om_need_shape(m, n, 1, err) : NULL;
    int64_t s[2], K;
    if (!b || gemm_dims(n, a->ndim, a->shape, b->ndim, b->shape, &s[0], &K, &s[1], err))
        return -1;
    finn_elem_type elem = a->elem;
    return finn_model_set_shape(m, n->outputs[0], elem, 2, s, err);
}

/* C must broadcast to (M, N) in one direction. */
static int gemm_bias(const finn_tensor *c, int64_t M, int64_t N, finn_bcast *bc, finn_error *err)
{
    finn_tensor out = {0};
    out.ndim = 2;
    out.shape[0] = M;
    out.shape[1] = N;
    const finn_tensor *in[2] = {&out, c};
    if (finn_bcast_init(bc, 2, in, err))
        return -1;
    if (bc->ndim != 2 || bc->shape[0] != M || bc->shape[1] != N)
        return finn_error_set(err, FINN_ERR_INVALID, "Gemm C does not broadcast to (%lld, %lld)",
                              (long long)M, (long long)N);
    return 0;
}

static void gemm_epilogue(finn_tensor *y, const finn_tensor *c, const finn_bcast *bc, float alpha,
                          float beta)
{
    size_t cnt = finn_tensor_numel(y);
    for (size_t i = 0; i < cnt; i++) {
        double cv = c ? finn_tensor_get(c, finn_bcast_offset(bc, 1, i)) : 0.0;
        if (y->type == FINN_ELEM_FLOAT) {
            float *p = y->data;
            float v = alpha == 1.0f ? p[i] : alpha * p[i];
            p[i] = c ? v + beta * (float)cv : v;
        } else {
            finn_tensor_set(y, i, (double)alpha * finn_tensor_get(y, i) + (double)beta * cv);
        }
    }
}

int om_exec_gemm(const finn_model *m, const finn_node *n, finn_exec_ctx *ctx, finn_error *err)
{
    const finn_tensor *a = om_need_input(ctx, n, 0, err);
    const finn_tensor *b = a ? om_need_input(ctx, n, 1, err) : NULL;
    const finn_tensor *c = om_input(ctx, n, 2);
    int64_t M = 0, K = 0, N = 0;
    if (!b || gemm_dims(n, a->ndim, a->shape, b->ndim, b->shape, &M, &K, &N, err))
        return -1;
    if (!c && om_opset(m) < 11)
        return finn_error_set(err, FINN_ERR_INVALID, "Gemm input C is required before opset 11");
    finn_bcast bc;
    if (c && gemm_bias(c, M, N, &bc, err))
        return -1;
    int64_t shape[2] = {M, N};
    finn_tensor *y = finn_tensor_new(a->type, 2, shape, err);
    if (!y)
        return -1;
    bool ta = finn_node_attr_i(n, "transA", 0) != 0, tb = finn_node_attr_i(n, "transB", 0) != 0;
    mm_view va = {a, 0, ta ? 1 : (size_t)K, ta ? (size_t)M : 1};
    mm_view vb = {b, 0, tb ? 1 : (size_t)N, tb ? (size_t)K : 1};
    mm_block(va, vb, y, 0, (size_t)M, (size_t)K, (size_t)N);
    gemm_epilogue(y, c, &bc, finn_node_attr_f(n, "alpha", 1.0f), finn_node_attr_f(n, "beta", 1.0f));
    return om_set_output(ctx, n, 0, y, err);
}
