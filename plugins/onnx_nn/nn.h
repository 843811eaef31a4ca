/*
 * nn.h - private to the onnx_nn plugin: the shared frame every op uses.
 *
 * Each op is written as two functions:
 *   shape(args, out, err)  computes the output element types and shapes from
 *                          the inputs' shapes (and constant inputs' data);
 *   exec(args, outs, err)  fills the output tensors allocated from shape().
 * The same shape() serves infer_shapes (inputs described by the model:
 * value_info shapes, initializers as the only known data) and execute
 * (inputs are the context's tensors), so the two can never disagree.
 * NN_OP(name, shape, exec) defines the two finn_op hooks nn_<name>_infer
 * and nn_<name>_exec that plugin.c registers.
 */
#ifndef FINN_ONNX_NN_H
#define FINN_ONNX_NN_H

#include <finn/plugin.h>
#include <stdbool.h>
#include <stdint.h>

#define NN_MAX_IO 64

/* One input slot of the node. */
typedef struct nn_in {
    const char *name;       /* NULL when omitted ("" or absent) */
    finn_elem_type elem;
    int ndim;               /* -1 when unknown */
    int64_t shape[FINN_MAX_DIMS];
    const finn_tensor *t;   /* data when known (always at run time), else NULL */
} nn_in;

typedef struct nn_args {
    const finn_model *m;
    const finn_node *n;
    int64_t opset;          /* opset of the "" domain (19 when not imported) */
    bool runtime;
    size_t n_in, n_out;
    nn_in in[NN_MAX_IO];
} nn_args;

typedef struct nn_out {
    finn_elem_type elem;
    int ndim;
    int64_t shape[FINN_MAX_DIMS];
} nn_out;

typedef int (*nn_shape_fn)(const nn_args *a, nn_out *out, finn_error *err);
/* outs[k] is NULL for an output the node leaves unnamed. */
typedef int (*nn_exec_fn)(const nn_args *a, finn_tensor **outs, finn_error *err);

int nn_infer(finn_model *m, finn_node *n, nn_shape_fn shape, finn_error *err);
int nn_run(const finn_model *m, const finn_node *n, finn_exec_ctx *ctx, nn_shape_fn shape,
           nn_exec_fn exec, finn_error *err);

#define NN_OP(name, shape, exec)                                                         \
    int nn_##name##_infer(finn_model *m, finn_node *n, finn_error *err)                  \
    {                                                                                    \
        return nn_infer(m, n, shape, err);                                               \
    }                                                                                    \
    int nn_##name##_exec(const finn_model *m, const finn_node *n, finn_exec_ctx *ctx,    \
                         finn_error *err)                                                \
    {                                                                                    \
        return nn_run(m, n, ctx, shape, exec, err);                                      \
    }

#define NN_DECLARE(name)                                                                 \
    int nn_##name##_infer(finn_model *m, finn_node *n, finn_error *err);                 \
    int nn_##name##_exec(const finn_model *m, const finn_node *n, finn_exec_ctx *ctx,    \
                         finn_error *err);

#define NN_OP_LIST(X)                                                                    \
    X(conv) X(conv_transpose) X(maxpool) X(avgpool) X(global_avgpool) X(global_maxpool) \
    X(reshape) X(flatten) X(transpose) X(squeeze) X(unsqueeze) X(expand) X(concat)     \
    X(split) X(slice) X(gather) X(pad) X(resize) X(upsample) X(depth_to_space)         \
    X(space_to_depth)
NN_OP_LIST(NN_DECLARE)

/* ---- helpers (args.c) ------------------------------------------------------ */
/* Input k present (named)? */
bool nn_has(const nn_args *a, size_t k);
/* Input k must be present with a known shape. */
int nn_need_shape(const nn_args *a, size_t k, finn_error *err);
/* Input k must have known data (a constant initializer at inference time). */
int nn_need_data(const nn_args *a, size_t k, const char *what, finn_error *err);
/* Integer contents of a tensor (int64 read exactly). */
int nn_tensor_ints(const finn_tensor *t, int64_t *v, size_t max, size_t *count,
                   const char *what, finn_error *err);
/* An int list given as attribute `attr` (older opsets) or as input k
 * (newer opsets): whichever the node carries, the attribute first, so a
 * model is read as written whatever its opset import says.  *found =
 * false when neither is present. */
int nn_ints_arg(const nn_args *a, const char *attr, size_t k, int64_t *v, size_t max,
                size_t *count, bool *found, finn_error *err);
/* Axis in [-rank, rank) -> [0, rank). */
int nn_axis(const nn_args *a, int64_t axis, int rank, const char *what, int *out,
            finn_error *err);
/* calloc(count, size) with overflow check; sets err on failure. */
void *nn_alloc(size_t count, size_t size, finn_error *err);
/* Row-major strides (in elements). */
void nn_strides(int ndim, const int64_t *shape, int64_t *strides);
/* Copy an input's shape description into an output. */
void nn_out_like(nn_out *o, const nn_in *in);

/* ---- sliding windows (window.c): Conv and pooling geometry ----------------- */
/* Spatial dims are kept as two slots; a 1-D op uses slot 1 with slot 0 = 1. */
typedef struct nn_window {
    int nsp;                        /* 1 or 2 spatial dims */
    int64_t in[2], k[2], s[2], d[2], pb[2], pe[2], out[2];
} nn_window;

/* Reads kernel_shape (default `kernel` when non-NULL), strides, dilations,
 * pads, auto_pad and (when `pool`) ceil_mode from the node. */
int nn_window_init(const nn_args *a, int nsp, const int64_t *in, const int64_t *kernel,
                   bool pool, nn_window *w, finn_error *err);

/* ---- float kernels (gemm.c) ------------------------------------------------ */
/* C[M,N] = A[M,K] * B[K,N] in float32; each C element is summed over k in
 * increasing order starting from 0.0f.  Returns 0 (int for future
 * scratch allocation). */
int nn_sgemm(size_t M, size_t N, size_t K, const float *A, size_t lda, const float *B,
             size_t ldb, float *C, size_t ldc, finn_error *err);
/* Float32 view of a tensor: its own data when float32, else a converted
 * copy stored in *tmp (caller frees *tmp). */
const float *nn_floats(const finn_tensor *t, finn_tensor **tmp, finn_error *err);
/* Store float results into t (converting unless t is float32). */
void nn_store_floats(finn_tensor *t, const float *v);

#endif
