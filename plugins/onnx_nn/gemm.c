/*
 * gemm.c - the float32 matrix product behind Conv and ConvTranspose, and
 * float32 views of tensors of other element types.
 *
 * Accumulation order (documented contract): every C[m][n] starts at 0.0f
 * and adds A[m][k] * B[k][n] for k = 0, 1, ..., K-1, each product rounded
 * to float32 and each sum rounded to float32 (no FMA: ISO C mode keeps
 * -ffp-contract off).  The loops are blocked over n so a strip of C and B
 * stays in cache; blocking never changes the order over k.
 */
#include "nn.h"

#include <string.h>

#define NN_BLOCK_N 128
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

int nn_sgemm(size_t M, size_t N, size_t K, const float *A, size_t lda, const float *B,
             size_t ldb, float *C, size_t ldc, finn_error *err)
{
    (void)err;
    if (N < NN_SMALL_N) {
        sgemm_small_n(M, N, K, A, lda, B, ldb, C, ldc);
        return 0;
    }
    for (size_t n0 = 0; n0 < N; n0 += NN_BLOCK_N) {
        size_t nb = N - n0 < NN_BLOCK_N ? N - n0 : NN_BLOCK_N;
        for (size_t m = 0; m < M; m++) {
            float *c = C + m * ldc + n0;
            const float *arow = A + m * lda;
            memset(c, 0, nb * sizeof *c);
            for (size_t k = 0; k < K; k++) {
                const float av = arow[k];
                const float *b = B + k * ldb + n0;
                for (size_t j = 0; j < nb; j++)
                    c[j] += av * b[j];
            }
        }
    }
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
