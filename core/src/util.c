/*
 * util.c - allocation, file and path helpers for the core (private).
 */
#include "util.h"
#include "finn/file.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

void *finn_xmalloc(size_t n, finn_error *err)
{
    void *p = malloc(n ? n : 1);
    if (!p)
        finn_error_set(err, FINN_ERR_NOMEM, "out of memory (%zu bytes)", n);
    return p;
}

void *finn_xcalloc(size_t count, size_t size, finn_error *err)
{
    void *p = calloc(count ? count : 1, size ? size : 1);
    if (!p)
        finn_error_set(err, FINN_ERR_NOMEM, "out of memory (%zu x %zu bytes)", count, size);
    return p;
}

char *finn_xstrdup(const char *s, finn_error *err)
{
    if (!s)
        s = "";
    char *p = strdup(s);
    if (!p)
        finn_error_set(err, FINN_ERR_NOMEM, "out of memory");
    return p;
}

int finn_grow(void **arr, size_t *cap, size_t need, size_t elem, finn_error *err)
{
    if (need <= *cap)
        return 0;
    size_t ncap = *cap ? *cap * 2 : 8;
    while (ncap < need)
        ncap *= 2;
    void *p = realloc(*arr, ncap * elem);
    if (!p)
        return finn_error_set(err, FINN_ERR_NOMEM, "out of memory");
    *arr = p;
    *cap = ncap;
    return 0;
}

bool finn_file_holds(const char *path, const void *data, size_t len)
{
    int fd = open(path, O_RDONLY);
    if (fd < 0)
        return false;
    struct stat st;
    bool same = fstat(fd, &st) == 0 && S_ISREG(st.st_mode) && (size_t)st.st_size == len;
    char buf[1 << 16];
    for (size_t off = 0; same && off < len;) {
        size_t want = len - off < sizeof buf ? len - off : sizeof buf;
        ssize_t r = read(fd, buf, want);
        if (r < 0 && errno == EINTR)
            continue;
        same = r > 0 && memcmp(buf, (const char *)data + off, (size_t)r) == 0;
        off += r > 0 ? (size_t)r : 0;
    }
    close(fd);
    return same;
}

int finn_write_file(const char *path, const void *data, size_t len, finn_error *err)
{
    if (finn_file_holds(path, data, len))
        return 0; /* unchanged: no rename, which on ext4 would also flush */
    size_t plen = strlen(path);
    char *tmp = malloc(plen + 16);
    if (!tmp)
        return finn_error_set(err, FINN_ERR_NOMEM, "out of memory");
    snprintf(tmp, plen + 16, "%s.tmpXXXXXX", path);
    int fd = mkstemp(tmp);
    if (fd < 0) {
        int e = errno;
        free(tmp);
        return finn_error_set(err, FINN_ERR_IO, "cannot write %s: %s", path, strerror(e));
    }
    const char *p = data;
    size_t left = len;
    while (left > 0) {
        ssize_t w = write(fd, p, left);
        if (w < 0) {
            if (errno == EINTR)
                continue;
            int e = errno;
            close(fd);
            unlink(tmp);
            free(tmp);
            return finn_error_set(err, FINN_ERR_IO, "cannot write %s: %s", path, strerror(e));
        }
        p += w;
        left -= (size_t)w;
    }
    /* mkstemp creates 0600; give the file the usual permissions */
    mode_t mask = umask(0);
    umask(mask);
    fchmod(fd, 0666 & ~mask);
    if (close(fd) != 0 || rename(tmp, path) != 0) {
        int e = errno;
        unlink(tmp);
        free(tmp);
        return finn_error_set(err, FINN_ERR_IO, "cannot write %s: %s", path, strerror(e));
    }
    free(tmp);
    return 0;
}

int finn_read_file(const char *path, void **data, size_t *len, finn_error *err)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return finn_error_set(err, FINN_ERR_IO, "cannot open %s: %s", path, strerror(errno));
    struct stat st;
    if (fstat(fileno(f), &st) != 0 || S_ISDIR(st.st_mode)) {
        fclose(f);
        return finn_error_set(err, FINN_ERR_IO, "cannot read %s: not a regular file", path);
    }
    size_t n = (size_t)st.st_size;
    char *buf = malloc(n + 1);
    if (!buf) {
        fclose(f);
        return finn_error_set(err, FINN_ERR_NOMEM, "out of memory reading %s", path);
    }
    if (fread(buf, 1, n, f) != n) {
        free(buf);
        fclose(f);
        return finn_error_set(err, FINN_ERR_IO, "cannot read %s", path);
    }
    fclose(f);
    buf[n] = 0;
    *data = buf;
    if (len)
        *len = n;
    return 0;
}

int finn_mkdirs(const char *path, finn_error *err)
{
    char buf[4096];
    if (strlen(path) >= sizeof buf)
        return finn_error_set(err, FINN_ERR_IO, "path too long: %s", path);
    strcpy(buf, path);
    for (char *p = buf + 1; *p; p++) {
        if (*p == '/') {
            *p = 0;
            if (mkdir(buf, 0777) != 0 && errno != EEXIST)
                return finn_error_set(err, FINN_ERR_IO, "cannot create directory %s: %s", buf,
                                      strerror(errno));
            *p = '/';
        }
    }
    if (mkdir(buf, 0777) != 0 && errno != EEXIST)
        return finn_error_set(err, FINN_ERR_IO, "cannot create directory %s: %s", buf,
                              strerror(errno));
    struct stat st;
    if (stat(buf, &st) != 0 || !S_ISDIR(st.st_mode))
        return finn_error_set(err, FINN_ERR_IO, "cannot create directory %s: a file is in the way",
                              buf);
    if (access(buf, W_OK) != 0)
        return finn_error_set(err, FINN_ERR_IO, "directory %s is not writable", buf);
    return 0;
}

char *finn_path_join(const char *a, const char *b)
{
    if (!b)
        return NULL;
    if (b[0] == '/' || !a || !a[0] || strcmp(a, ".") == 0)
        return strdup(b);
    size_t n = strlen(a) + strlen(b) + 2;
    char *p = malloc(n);
    if (p)
        snprintf(p, n, "%s/%s", a, b);
    return p;
}

char *finn_path_dirname(const char *path)
{
    const char *slash = strrchr(path, '/');
    if (!slash)
        return strdup(".");
    if (slash == path)
        return strdup("/");
    return strndup(path, (size_t)(slash - path));
}

size_t finn_edit_distance(const char *a, const char *b)
{
    size_t la = strlen(a), lb = strlen(b);
    size_t *row = malloc((lb + 1) * sizeof *row);
    if (!row)
        return (size_t)-1;
    for (size_t j = 0; j <= lb; j++)
        row[j] = j;
    for (size_t i = 1; i <= la; i++) {
        size_t prev = row[0];
        row[0] = i;
        for (size_t j = 1; j <= lb; j++) {
            size_t cur = row[j];
            size_t cost = a[i - 1] == b[j - 1] ? 0 : 1;
            size_t best = prev + cost;
            if (row[j] + 1 < best)
                best = row[j] + 1;
            if (row[j - 1] + 1 < best)
                best = row[j - 1] + 1;
            row[j] = best;
            prev = cur;
        }
    }
    size_t d = row[lb];
    free(row);
    return d;
}
