/*
 * broadcast.h - numpy-style multidirectional broadcasting for the
 * onnx_math plugin: output shape of several inputs and the input element
 * that feeds each output element.
 */
#ifndef ONNX_MATH_BROADCAST_H
#define ONNX_MATH_BROADCAST_H

#include <finn/tensor.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define OM_BCAST_MAX_IN 3

/* Broadcast shape of two shapes (dims right-aligned; a dim of 1 stretches;
 * -1 marks an unknown dim).  Error names both shapes. */
int om_bcast_shape(int nda, const int64_t *a, int ndb, const int64_t *b, int *ndout,
                   int64_t *out, finn_error *err);

/* Index map from output elements to the elements of up to 3 inputs. */
typedef struct om_bcast {
    int ndim;
    int64_t shape[FINN_MAX_DIMS];
    size_t numel;
    size_t n_in;
    bool same[OM_BCAST_MAX_IN];                   /* input has the output's shape */
    size_t stride[OM_BCAST_MAX_IN][FINN_MAX_DIMS]; /* 0 on broadcast dims */
} om_bcast;

int om_bcast_init(om_bcast *b, size_t n_in, const finn_tensor *const *in, finn_error *err);
/* Flat index into input k of output element i. */
size_t om_bcast_index(const om_bcast *b, size_t k, size_t i);

#endif
