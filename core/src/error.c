/*
 * error.c - finn_error: a code and a message, filled by the callee, owned by
 * the caller.  Nothing here prints.
 */
#include "finn/error.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

int finn_error_set(finn_error *err, finn_errcode code, const char *fmt, ...)
{
    if (!err)
        return -1;
    err->code = code;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(err->msg, sizeof err->msg, fmt, ap);
    va_end(ap);
    return -1;
}

int finn_error_prefix(finn_error *err, const char *fmt, ...)
{
    if (!err)
        return -1;
    char prefix[FINN_ERROR_MSG_MAX];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(prefix, sizeof prefix, fmt, ap);
    va_end(ap);
    /* build "prefix + old message" by hand: snprintf("%s%s") would warn
     * about truncation, which is intended here */
    char old[FINN_ERROR_MSG_MAX];
    memcpy(old, err->msg, sizeof old);
    size_t plen = strnlen(prefix, sizeof err->msg - 1);
    memcpy(err->msg, prefix, plen);
    size_t olen = strnlen(old, sizeof err->msg - 1 - plen);
    memcpy(err->msg + plen, old, olen);
    err->msg[plen + olen] = '\0';
    if (err->code == FINN_OK)
        err->code = FINN_ERR_INVALID;
    return -1;
}

void finn_error_clear(finn_error *err)
{
    if (err) {
        err->code = FINN_OK;
        err->msg[0] = '\0';
    }
}

const char *finn_errcode_name(finn_errcode code)
{
    switch (code) {
    case FINN_OK: return "ok";
    case FINN_ERR_IO: return "I/O error";
    case FINN_ERR_PARSE: return "parse error";
    case FINN_ERR_INVALID: return "invalid input";
    case FINN_ERR_NOMEM: return "out of memory";
    case FINN_ERR_NOT_FOUND: return "not found";
    case FINN_ERR_PLUGIN: return "plugin error";
    case FINN_ERR_UNSUPPORTED: return "unsupported";
    case FINN_ERR_VERIFY: return "verification failed";
    case FINN_ERR_INCOMPLETE: return "build incomplete";
    }
    return "error";
}
