/*
 * broadcast.h - numpy-style multidirectional broadcasting (ONNX
 * Broadcasting.md): shapes are right-aligned, each dim equal or 1.  The
 * output shape of several tensors and, for each output element, the
 * element of every input that feeds it.  Shared by the op plugins.
 */
#ifndef FINN_BROADCAST_H
#define FINN_BROADCAST_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "finn/error.h"
#include "finn/tensor.h"

#ifdef __cplusplus
extern "C" {
#endif

#define FINN_BCAST_MAX 8 /* inputs */

/* Broadcast shape of two shapes (-1 marks an unknown dim: the known one
 * wins).  The error names both shapes. */
int finn_bcast_shape(int nda, const int64_t *a, int ndb, const int64_t *b, int *ndout,
                     int64_t *out, finn_error *err);

typedef struct finn_bcast {
    int ndim;
    int64_t shape[FINN_MAX_DIMS];
    size_t numel;
    size_t count;
    bool same[FINN_BCAST_MAX];                   /* input k has the output's shape */
    size_t stride[FINN_BCAST_MAX][FINN_MAX_DIMS]; /* 0 on broadcast dims */
} finn_bcast;

int finn_bcast_init(finn_bcast *b, size_t count, const finn_tensor *const *ts, finn_error *err);
/* Flat index into input k of output element `flat`. */
size_t finn_bcast_offset(const finn_bcast *b, size_t k, size_t flat);
/* The same for every input at once. */
void finn_bcast_index(const finn_bcast *b, size_t flat, size_t *idx);
/* Walk the output in flat order without divisions: start with ctr[] and
 * idx[] zeroed and call after each element. */
void finn_bcast_next(const finn_bcast *b, size_t *ctr, size_t *idx);

#ifdef __cplusplus
}
#endif

#endif
