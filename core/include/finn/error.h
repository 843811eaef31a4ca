/*
 * error.h - the one error type of finn-run.
 *
 * Every function that can fail returns an int status (0 on success, -1 on
 * failure) and fills a caller-owned finn_error with a code and a message that
 * names the file, node or key at fault.  The library never prints and never
 * exits; only the tools print.
 */
#ifndef FINN_ERROR_H
#define FINN_ERROR_H

#include <stddef.h>

#ifdef __cplusplus
extern "C" {
#endif

typedef enum finn_errcode {
    FINN_OK = 0,
    FINN_ERR_IO,          /* file cannot be opened, read or written */
    FINN_ERR_PARSE,       /* malformed ONNX, YAML, JSON, npy, ... */
    FINN_ERR_INVALID,     /* well-formed input that breaks a rule */
    FINN_ERR_NOMEM,
    FINN_ERR_NOT_FOUND,   /* unknown step, node, tensor, key, op */
    FINN_ERR_PLUGIN,      /* plugin cannot be loaded or is incompatible */
    FINN_ERR_UNSUPPORTED, /* valid but not implemented */
    FINN_ERR_VERIFY,      /* a verification compared unequal */
    FINN_ERR_INCOMPLETE   /* a build stopped at a FINN step no plugin provides yet */
} finn_errcode;

#define FINN_ERROR_MSG_MAX 1024

typedef struct finn_error {
    finn_errcode code;
    char msg[FINN_ERROR_MSG_MAX];
} finn_error;

/* Set code and printf-style message; returns -1 so callers can
 * `return finn_error_set(err, ...)`.  err may be NULL. */
int finn_error_set(finn_error *err, finn_errcode code, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* Prefix the existing message with more context ("step X: " + msg).
 * Returns -1. */
int finn_error_prefix(finn_error *err, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

void finn_error_clear(finn_error *err);

const char *finn_errcode_name(finn_errcode code);

#ifdef __cplusplus
}
#endif
#endif
