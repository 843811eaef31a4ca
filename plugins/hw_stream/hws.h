/*
 * hws.h - private helpers of the hw_stream plugin: the abstract streaming
 * HW layers of FINN (sliding window, padding, pooling, width converters,
 * FIFOs, concat, up/down sampling) and StreamingDataflowPartition.
 *
 * Facts: finn-frontend.md 8.4 (attributes, shapes, widths), 10 (python
 * execution); finn-backend.md 7 (folding constraints), 10 (cycles).
 */
#ifndef HWS_H
#define HWS_H

#include <finn/plugin.h>

/* finn_error_set with "node '<name>' (<op>): " in front.  Returns -1. */
int hs_fail(finn_error *err, const finn_node *n, finn_errcode code, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

/* Attributes.  Required ones fail with a message naming node and
 * attribute; list attributes must have exactly `count` values (count 0:
 * any number up to FINN_MAX_DIMS, written to *got). */
int hs_req_i(const finn_node *n, const char *name, int64_t *v, finn_error *err);
int hs_req_ints(const finn_node *n, const char *name, size_t count, int64_t *v, size_t *got,
                finn_error *err);
/* Optional list with a default of `count` values. */
int hs_opt_ints(const finn_node *n, const char *name, size_t count, const int64_t *dflt,
                int64_t *v, size_t *got, finn_error *err);
/* A required datatype-name attribute, parsed. */
int hs_req_dt(const finn_node *n, const char *name, finn_datatype *dt, finn_error *err);
/* A positive value (SIMD, PE, ...): error naming the attribute otherwise. */
int hs_positive(const finn_node *n, const char *name, int64_t v, finn_error *err);

/* check_folding helper: `attr` = v must divide `of_name` = of; the
 * message lists the allowed values (the divisors of `of`). */
int hs_check_divides(const finn_node *n, const char *attr, int64_t v, const char *of_name,
                     int64_t of, finn_error *err);

/* Shape helpers. */
void hs_shape4(int *ndim, int64_t *shape, int64_t a, int64_t b, int64_t c, int64_t d);
/* Replace the last dim C by [C/fold_elems, fold_elems]; error unless it divides. */
int hs_fold_last(const finn_node *n, const char *attr, int64_t fold_elems, int *ndim,
                 int64_t *shape, finn_error *err);
int hs_bad_kind(const finn_node *n, finn_hw_shape_kind kind, size_t index, finn_error *err);

/* infer_shapes through the HW table: each known input shape must equal
 * the layer's normal input shape (FINN asserts it); every output gets its
 * normal output shape (float32, as FINN's shape stand-in). */
int hs_infer_shapes(const finn_hw_op *hw, finn_model *m, finn_node *n, finn_error *err);
/* Output 0 datatype = input 0 datatype; `attr` (if not NULL) is set to the
 * input type's name first, as FINN's infer_node_datatype does. */
int hs_dt_like_input(finn_model *m, finn_node *n, const char *attr, finn_error *err);

/* Execution. */
finn_tensor *hs_input(const finn_exec_ctx *ctx, const finn_node *n, size_t k, finn_error *err);
/* New tensor stored as output k (the context owns it); NULL on error. */
finn_tensor *hs_output_new(finn_exec_ctx *ctx, const finn_node *n, size_t k, finn_elem_type type,
                           int ndim, const int64_t *shape, finn_error *err);
/* Output k = copy of x reshaped to (ndim, shape) (same numel required). */
int hs_output_reshaped(finn_exec_ctx *ctx, const finn_node *n, size_t k, const finn_tensor *x,
                       int ndim, const int64_t *shape, finn_error *err);

/* QONNX compute_conv_output_dim (int() of a float quotient) and
 * compute_pool_output_dim (floor/ceil). */
int64_t hs_conv_out_dim(int64_t in, int64_t k, int64_t stride, int64_t total_pad, int64_t dil);
int64_t hs_pool_out_dim(int64_t in, int64_t k, int64_t stride, int64_t pad, int ceil_mode);

/* Im2Col without padding on NHWC x (finn-frontend.md 3.6): output
 * (N, OH, OW, kh*kw*C) in (ky, kx, c) order, c fastest; batches are
 * independent.  Stored as output 0. */
typedef struct hs_window {
    int64_t kh, kw, sh, sw, dh, dw;
} hs_window;
int hs_im2col(const finn_node *n, const finn_tensor *x, const hs_window *w, finn_exec_ctx *ctx,
              finn_error *err);

/* Op tables of each source file. */
extern const finn_op hs_swg_op, hs_downsampler_op;
extern const finn_op hs_fmpadding_op;
extern const finn_op hs_streamingmaxpool_op, hs_pool_op;
extern const finn_op hs_dwc_op, hs_fifo_op, hs_concat_op, hs_upsample_op;
extern const finn_op hs_sdp_op;

#endif
