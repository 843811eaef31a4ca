/*
 * gemm.c - the float32 matrix product behind Conv and ConvTranspose, and
 * float32 views of tensors of other element types.
 *
 * Accumulation order (documented contract): every C[m][n] starts at 0.0f
 * and adds A[m][k] * B[k][n] for k = 0, 1, ..., K-1, each product rounded
 * to float32 and each sum rounded to float32 (no FMA: ISO C mode keeps
 * -ffp-contract off).  The work is tiled over m and n (register tiles);
 * tiling never changes the order over k.
 */
#include "nn.h"

#include <string.h>

#define NN_SMALL_N 32

/* Few columns (late CNN layers, 1x1..5x5 outputs): inner loops of length
 * N would be too short, so compute each C element as a dot product over k,
 * eight rows at a time: eight independent sums keep the pipeline busy while
 * each sum still adds its k terms in increasing order. */
static void sgemm_small_n(size_t M, size_t N, size_t K, const float *A, size_t lda,
                          const float *B, size_t ldb, float *C, size_t ldc)
{
    size_t m = 0;
    for (; m + 8 <= M; m += 8) {
        const float *a0 = A + m * lda;
        for (size_t j = 0; j < N; j++) {
            float s[8] = {0, 0, 0, 0, 0, 0, 0, 0};
            for (size_t k = 0; k < K; k++) {
                const float bv = B[k * ldb + j];
                for (size_t r = 0; r < 8; r++)
                    s[r] += a0[r * lda + k] * bv;
            }
            for (size_t r = 0; r < 8; r++)
                C[(m + r) * ldc + j] = s[r];
        }
    }
    for (; m < M; m++)
        for (size_t j = 0; j < N; j++) {
            float s = 0.0f;
            for (size_t k = 0; k < K; k++)
                s += A[m * lda + k] * B[k * ldb + j];
            C[m * ldc + j] = s;
        }
}

/* A 4 x 16 tile of C kept in registers over the whole k loop: each B row
 * strip is loaded once for four rows of A.  Same order over k as the
 * reference loop.  Written with GCC vector types (8 floats) and compiled
 * twice (AVX2 and baseline), picked at load time; "avx2" does not enable
 * FMA, so products and sums stay separately rounded and both clones give
 * identical bits. */
#define NN_MR 4
#define NN_NR 16
typedef float nn_v8 __attribute__((vector_size(32)));

__attribute__((target_clones("avx2", "default")))
static void sgemm_tile(size_t K, const float *A, size_t lda, const float *B, size_t ldb,
                       float *C, size_t ldc)
{
    nn_v8 acc[NN_MR][2];
    memset(acc, 0, sizeof acc);
    for (size_t k = 0; k < K; k++) {
        nn_v8 b0, b1;
        memcpy(&b0, B + k * ldb, sizeof b0);
        memcpy(&b1, B + k * ldb + 8, sizeof b1);
        for (size_t r = 0; r < NN_MR; r++) {
            const float x = A[r * lda + k];
            const nn_v8 a = {x, x, x, x, x, x, x, x};
            acc[r][0] += a * b0;
            acc[r][1] += a * b1;
        }
    }
    for (size_t r = 0; r < NN_MR; r++)
        memcpy(C + r * ldc, acc[r], sizeof acc[r]);
}

/* Rows m0..M-1 or columns n0..N-1 that do not fill a tile. */
static void sgemm_rest(size_t m0, size_t m1, size_t n0, size_t n1, size_t K, const float *A,
                       size_t lda, const float *B, size_t ldb, float *C, size_t ldc)
{
    for (size_t m = m0; m < m1; m++) {
        float *c = C + m * ldc;
        const float *arow = A + m * lda;
        for (size_t j = n0; j < n1; j++)
            c[j] = 0.0f;
        for (size_t k = 0; k < K; k++) {
            const float av = arow[k];
            const float *b = B + k * ldb;
            for (size_t j = n0; j < n1; j++)
                c[j] += av * b[j];
        }
    }
}

int nn_sgemm(size_t M, size_t N, size_t K, const float *A, size_t lda, const float *B,
             size_t ldb, float *C, size_t ldc, finn_error *err)
{
    (void)err;
    if (N < NN_SMALL_N) {
        sgemm_small_n(M, N, K, A, lda, B, ldb, C, ldc);
        return 0;
    }
    size_t mt = M / NN_MR * NN_MR, nt = N / NN_NR * NN_NR;
    for (size_t n0 = 0; n0 < nt; n0 += NN_NR)
        for (size_t m = 0; m < mt; m += NN_MR)
            sgemm_tile(K, A + m * lda, lda, B + n0, ldb, C + m * ldc + n0, ldc);
    sgemm_rest(0, mt, nt, N, K, A, lda, B, ldb, C, ldc);
    sgemm_rest(mt, M, 0, N, K, A, lda, B, ldb, C, ldc);
    return 0;
}

const float *nn_floats(const finn_tensor *t, finn_tensor **tmp, finn_error *err)
{
    *tmp = NULL;
    if (t->type == FINN_ELEM_FLOAT)
        return (const float *)t->data;
    *tmp = finn_tensor_convert(t, FINN_ELEM_FLOAT, err);
    return *tmp ? (const float *)(*tmp)->data : NULL;
}

void nn_store_floats(finn_tensor *t, const float *v)
{
    size_t n = finn_tensor_numel(t);
    if (t->type == FINN_ELEM_FLOAT) {
        if ((const void *)v != t->data)
            memcpy(t->data, v, n * sizeof *v);
        return;
    }
    for (size_t i = 0; i < n; i++)
        finn_tensor_set(t, i, v[i]);
}
