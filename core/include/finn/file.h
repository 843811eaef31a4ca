/*
 * file.h - writing output files the way every finn-run output is written.
 */
#ifndef FINN_FILE_H
#define FINN_FILE_H

#include <stddef.h>
#include "finn/error.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Write len bytes to path: into a temporary file in the same folder that is
 * then renamed over path, so a failure never leaves a half-written file and
 * never loses the old one.  When path already holds exactly these bytes it
 * is left alone (no write, the old modification time stays), as a rebuild
 * into the same output folder mostly reproduces its files. */
int finn_write_file(const char *path, const void *data, size_t len, finn_error *err);
/* mkdir -p: an existing folder is fine; the error names the folder. */
int finn_mkdirs(const char *path, finn_error *err);
/* a/b (malloc'd), or b alone when it is absolute or a is empty or ".". */
char *finn_path_join(const char *a, const char *b);

#ifdef __cplusplus
}
#endif

#endif
