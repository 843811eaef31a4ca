/*
 * test.h - the tiny test harness: CHECK macros that record failures and
 * keep going, and helpers to find the corpus and build tree.
 *
 *   int main(void) { CHECK(1 + 1 == 2); CHECK_EQ_INT(f(), 3); return test_done(); }
 */
#ifndef FINN_TEST_H
#define FINN_TEST_H

#include <math.h>
#include <stdio.h>
#include <string.h>

extern int test_failures;
extern int test_checks;

#define CHECK(cond)                                                                \
    do {                                                                           \
        test_checks++;                                                             \
        if (!(cond)) {                                                             \
            test_failures++;                                                       \
            fprintf(stderr, "%s:%d: CHECK failed: %s\n", __FILE__, __LINE__, #cond); \
        }                                                                          \
    } while (0)

#define CHECK_EQ_INT(a, b)                                                          \
    do {                                                                            \
        long long va_ = (long long)(a), vb_ = (long long)(b);                       \
        test_checks++;                                                              \
        if (va_ != vb_) {                                                           \
            test_failures++;                                                        \
            fprintf(stderr, "%s:%d: %s == %s failed: %lld != %lld\n", __FILE__, __LINE__, \
                    #a, #b, va_, vb_);                                              \
        }                                                                           \
    } while (0)

#define CHECK_EQ_DBL(a, b)                                                          \
    do {                                                                            \
        double va_ = (double)(a), vb_ = (double)(b);                                \
        test_checks++;                                                              \
        if (!(va_ == vb_ || (isnan(va_) && isnan(vb_)))) {                          \
            test_failures++;                                                        \
            fprintf(stderr, "%s:%d: %s == %s failed: %.17g != %.17g\n", __FILE__,   \
                    __LINE__, #a, #b, va_, vb_);                                    \
        }                                                                           \
    } while (0)

#define CHECK_NEAR(a, b, tol)                                                       \
    do {                                                                            \
        double va_ = (double)(a), vb_ = (double)(b);                                \
        test_checks++;                                                              \
        if (!(fabs(va_ - vb_) <= (tol))) {                                          \
            test_failures++;                                                        \
            fprintf(stderr, "%s:%d: %s ~= %s failed: %.9g vs %.9g\n", __FILE__,      \
                    __LINE__, #a, #b, va_, vb_);                                    \
        }                                                                           \
    } while (0)

#define CHECK_STR(a, b)                                                             \
    do {                                                                            \
        const char *sa_ = (a), *sb_ = (b);                                          \
        test_checks++;                                                              \
        if (!sa_ || !sb_ || strcmp(sa_, sb_) != 0) {                                \
            test_failures++;                                                        \
            fprintf(stderr, "%s:%d: %s == %s failed: \"%s\" != \"%s\"\n", __FILE__,  \
                    __LINE__, #a, #b, sa_ ? sa_ : "(null)", sb_ ? sb_ : "(null)");  \
        }                                                                           \
    } while (0)

/* haystack contains needle */
#define CHECK_CONTAINS(hay, needle)                                                 \
    do {                                                                            \
        const char *h_ = (hay), *n_ = (needle);                                     \
        test_checks++;                                                              \
        if (!h_ || !strstr(h_, n_)) {                                               \
            test_failures++;                                                        \
            fprintf(stderr, "%s:%d: \"%s\" does not contain \"%s\"\n", __FILE__,     \
                    __LINE__, h_ ? h_ : "(null)", n_);                              \
        }                                                                           \
    } while (0)

/* Print a summary; returns the process exit code. */
int test_done(void);
/* Exit 77 (skip) unless the shared corpus exists; returns its path. */
const char *test_shared_dir_or_skip(void);
/* Path of the shared corpus or NULL. */
const char *test_shared_dir(void);
/* Environment value or a fallback. */
const char *test_env(const char *name, const char *fallback);
/* A fresh temporary directory (removed by test_done). */
const char *test_tmpdir(void);
/* Read a whole file into a malloc'ed NUL-terminated buffer (NULL if absent). */
char *test_read_file(const char *path, size_t *len);
/* Run a shell command, capture stdout+stderr into a malloc'ed string;
 * *status gets the exit code. */
char *test_run(const char *cmd, int *status);

#endif
