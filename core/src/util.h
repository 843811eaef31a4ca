/*
 * util.h - private helpers shared by core files: checked allocation that
 * reports into a finn_error, string duplication, atomic file writes.
 */
#ifndef FINN_UTIL_H
#define FINN_UTIL_H

#include <stdbool.h>
#include <stddef.h>
#include "finn/error.h"
#include "finn/file.h" /* finn_write_file, finn_mkdirs, finn_path_join */

void *finn_xmalloc(size_t n, finn_error *err);
void *finn_xcalloc(size_t count, size_t size, finn_error *err);
char *finn_xstrdup(const char *s, finn_error *err);
/* Grow *arr (of element size elem) so that it holds at least need
 * elements; *cap is updated.  Returns 0 or -1. */
int finn_grow(void **arr, size_t *cap, size_t need, size_t elem, finn_error *err);

/* Does the regular file at path hold exactly these len bytes? */
bool finn_file_holds(const char *path, const void *data, size_t len);
/* Read a whole file (malloc'ed, NUL-terminated). */
int finn_read_file(const char *path, void **data, size_t *len, finn_error *err);
/* Folder of a path ("." if none); malloc'ed. */
char *finn_path_dirname(const char *path);
/* Levenshtein distance, for "did you mean". */
size_t finn_edit_distance(const char *a, const char *b);

#endif
