/*
 * tensor.h - dense n-dimensional arrays with an ONNX element type.
 *
 * A finn_tensor owns its data buffer (row-major, C order, native
 * little-endian).  Element types use ONNX TensorProto.DataType numbers so
 * they cross the ONNX boundary unchanged.
 */
#ifndef FINN_TENSOR_H
#define FINN_TENSOR_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "finn/error.h"

#ifdef __cplusplus
extern "C" {
#endif

#define FINN_MAX_DIMS 8

typedef enum finn_elem_type {
    FINN_ELEM_UNDEFINED = 0,
    FINN_ELEM_FLOAT = 1,
    FINN_ELEM_UINT8 = 2,
    FINN_ELEM_INT8 = 3,
    FINN_ELEM_UINT16 = 4,
    FINN_ELEM_INT16 = 5,
    FINN_ELEM_INT32 = 6,
    FINN_ELEM_INT64 = 7,
    FINN_ELEM_STRING = 8, /* not supported as tensor data */
    FINN_ELEM_BOOL = 9,
    FINN_ELEM_FLOAT16 = 10,
    FINN_ELEM_DOUBLE = 11,
    FINN_ELEM_UINT32 = 12,
    FINN_ELEM_UINT64 = 13
} finn_elem_type;

typedef struct finn_tensor {
    finn_elem_type type;
    int ndim;                       /* 0 = scalar */
    int64_t shape[FINN_MAX_DIMS];
    void *data;                     /* numel * elem size bytes, owned */
} finn_tensor;

/* Size in bytes of one element; 0 for unsupported types. */
size_t finn_elem_size(finn_elem_type t);
const char *finn_elem_name(finn_elem_type t); /* "float32", "int64", ... */

/* New zero-filled tensor.  shape may be NULL when ndim == 0. */
finn_tensor *finn_tensor_new(finn_elem_type type, int ndim, const int64_t *shape,
                             finn_error *err);
/* As finn_tensor_new without the zero fill: the caller writes every
 * element before anything reads them. */
finn_tensor *finn_tensor_new_uninit(finn_elem_type type, int ndim, const int64_t *shape,
                                    finn_error *err);
/* Deep copy; NULL on allocation failure (err set). */
finn_tensor *finn_tensor_copy(const finn_tensor *t, finn_error *err);
/* Copy converted to another element type (values cast as C does). */
finn_tensor *finn_tensor_convert(const finn_tensor *t, finn_elem_type to, finn_error *err);
void finn_tensor_free(finn_tensor *t);

size_t finn_tensor_numel(const finn_tensor *t);
size_t finn_tensor_nbytes(const finn_tensor *t);
/* Numel of an arbitrary shape. */
size_t finn_shape_numel(int ndim, const int64_t *shape);
bool finn_shape_equal(int nda, const int64_t *a, int ndb, const int64_t *b);

/* Element i (flat index) read/written as double, whatever the type. */
double finn_tensor_get(const finn_tensor *t, size_t i);
void finn_tensor_set(finn_tensor *t, size_t i, double v);

/* Change the shape in place (same numel). */
int finn_tensor_reshape(finn_tensor *t, int ndim, const int64_t *shape, finn_error *err);

/* Shape as "(1, 3, 32, 32)" into buf; returns buf. */
const char *finn_shape_str(int ndim, const int64_t *shape, char *buf, size_t bufsize);

#ifdef __cplusplus
}
#endif
#endif
