/*
 * npy.h - NumPy .npy and .npz files.
 *
 * Supported dtypes: float32/64, int8/16/32/64, uint8 (and uint16/32/64),
 * bool, float16; little-endian, C order.  Fortran order and other dtypes
 * are refused with a message naming the file.  Writes go to a temporary
 * file that is renamed into place, so a failed write never leaves a
 * half-written file.
 */
#ifndef FINN_NPY_H
#define FINN_NPY_H

#include "finn/tensor.h"

#ifdef __cplusplus
extern "C" {
#endif

int finn_npy_read(const char *path, finn_tensor **out, finn_error *err);
/* Parse an in-memory .npy image; `what` names it in messages. */
int finn_npy_parse(const void *buf, size_t len, const char *what, finn_tensor **out,
                   finn_error *err);
int finn_npy_write(const char *path, const finn_tensor *t, finn_error *err);
/* Serialize to a malloc'ed buffer (caller frees). */
int finn_npy_serialize(const finn_tensor *t, void **buf, size_t *len, finn_error *err);

/* An .npz archive: named arrays in file order. */
typedef struct finn_npz {
    size_t count;
    char **names;          /* without the ".npy" suffix */
    finn_tensor **arrays;
} finn_npz;

int finn_npz_read(const char *path, finn_npz **out, finn_error *err);
/* Stored (uncompressed) zip, as numpy.savez writes. */
int finn_npz_write(const char *path, const finn_npz *npz, finn_error *err);
finn_npz *finn_npz_new(void);
/* Append a copy of t under name. */
int finn_npz_add(finn_npz *npz, const char *name, const finn_tensor *t, finn_error *err);
const finn_tensor *finn_npz_get(const finn_npz *npz, const char *name);
void finn_npz_free(finn_npz *npz);

#ifdef __cplusplus
}
#endif
#endif
