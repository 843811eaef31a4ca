/*
 * plugin.c - the plugin loader: dlopen a .so, check the exported
 * finn_plugin_info descriptor (ABI version first, before calling anything
 * in the plugin), then run its init against the registry.
 *
 * Search path (finn_plugin_load_default): the plugin folder next to
 * libfinn.so (<libdir>/finn-run/plugins, the same in the build tree and
 * after installation), each entry of $FINN_PLUGIN_PATH, then ./plugins.
 */
#define _GNU_SOURCE
#include "finn/plugin.h"

#include <dirent.h>
#include <dlfcn.h>
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "registry_priv.h"
#include "util.h"

/* Load the plugin at path, whose canonical name is real. */
static int load_real(finn_registry *reg, const char *path, const char *real, finn_error *err)
{
    if (finn_registry_has_plugin_file(reg, real))
        return 0;
    dlerror();
    /* RTLD_NODELETE: dlclose (registry free) leaves the code mapped until
     * the process exits; unmapping a dozen plugins one by one costs more
     * than a whole short build step, and a plugin loaded again later (a
     * second registry) is found already mapped. */
    void *h = dlopen(real, RTLD_NOW | RTLD_LOCAL | RTLD_NODELETE);
    if (!h) {
        const char *why = dlerror();
        return finn_error_set(err, FINN_ERR_PLUGIN, "plugin %s: cannot load: %s", path,
                              why ? why : "unknown dlopen error");
    }
    const finn_plugin_def *info = dlsym(h, FINN_PLUGIN_SYMBOL);
    if (!info) {
        dlclose(h);
        return finn_error_set(err, FINN_ERR_PLUGIN,
                              "plugin %s: missing symbol '%s' (not a finn-run plugin: define it "
                              "with FINN_PLUGIN or FINN_PLUGIN_DEFINE from <finn/plugin.h>)",
                              path, FINN_PLUGIN_SYMBOL);
    }
    if (info->abi_version != FINN_ABI_VERSION) {
        unsigned got = info->abi_version;
        dlclose(h);
        return finn_error_set(err, FINN_ERR_PLUGIN,
                              "plugin %s: built for plugin ABI %u, but this finn-run has ABI %u; "
                              "rebuild the plugin against this finn-run's headers",
                              path, got, FINN_ABI_VERSION);
    }
    if (!info->init || !info->name) {
        dlclose(h);
        return finn_error_set(err, FINN_ERR_PLUGIN, "plugin %s: descriptor has no %s", path,
                              info->name ? "init function" : "name");
    }
    /* Record the handle before init so that a failing init's partial
     * registrations stay valid until the registry is freed. */
    if (finn_registry_add_plugin_handle(reg, real, h, err) != 0) {
        dlclose(h);
        return -1;
    }
    finn_registry_set_current_plugin(reg, info->name);
    finn_error_clear(err);
    int rc = info->init(reg, err);
    finn_registry_set_current_plugin(reg, "core");
    if (rc != 0) {
        if (err && !err->msg[0])
            finn_error_set(err, FINN_ERR_PLUGIN, "init failed");
        return finn_error_prefix(err, "plugin %s (%s): ", path, info->name);
    }
    return 0;
}

int finn_plugin_load(finn_registry *reg, const char *path, finn_error *err)
{
    char real[PATH_MAX];
    if (!realpath(path, real))
        return finn_error_set(err, FINN_ERR_PLUGIN, "plugin %s: %s", path, strerror(errno));
    return load_real(reg, path, real, err);
}

static int has_suffix(const char *s, const char *suffix)
{
    size_t a = strlen(s), b = strlen(suffix);
    return a >= b && !strcmp(s + a - b, suffix);
}

/* A plugin file of a folder: its path, and whether it is a regular file
 * (then the canonical folder + its name is already its canonical path). */
typedef struct dir_entry {
    char *path;
    bool regular;
} dir_entry;

static int cmp_entry(const void *a, const void *b)
{
    return strcmp(((const dir_entry *)a)->path, ((const dir_entry *)b)->path);
}

int finn_plugin_load_dir(finn_registry *reg, const char *dir, int optional, finn_error *err)
{
    DIR *d = opendir(dir);
    if (!d) {
        if (optional)
            return 0;
        return finn_error_set(err, FINN_ERR_PLUGIN, "plugin folder %s: %s", dir, strerror(errno));
    }
    /* realpath once for the folder rather than once per plugin: each call
     * walks every component of the path with a system call */
    char real_dir[PATH_MAX];
    bool have_real_dir = realpath(dir, real_dir) != NULL;
    dir_entry *names = NULL;
    size_t n = 0, cap = 0;
    int rc = 0;
    struct dirent *e;
    while ((e = readdir(d)) != NULL) {
        if (e->d_name[0] == '.' || !has_suffix(e->d_name, ".so"))
            continue;
        if (finn_grow((void **)&names, &cap, n + 1, sizeof *names, err) != 0) {
            rc = -1;
            break;
        }
        names[n].path = finn_path_join(dir, e->d_name);
        names[n].regular = have_real_dir && e->d_type == DT_REG;
        if (!names[n].path) {
            rc = finn_error_set(err, FINN_ERR_NOMEM, "out of memory");
            break;
        }
        n++;
    }
    closedir(d);
    /* sorted, so registration order (and duplicate errors) do not depend
     * on the file system */
    if (rc == 0 && n > 1)
        qsort(names, n, sizeof *names, cmp_entry);
    for (size_t i = 0; i < n && rc == 0; i++) {
        char real[PATH_MAX];
        const char *base = strrchr(names[i].path, '/');
        base = base ? base + 1 : names[i].path;
        if (names[i].regular &&
            (size_t)snprintf(real, sizeof real, "%s/%s", real_dir, base) < sizeof real)
            rc = load_real(reg, names[i].path, real, err);
        else
            rc = finn_plugin_load(reg, names[i].path, err);
    }
    for (size_t i = 0; i < n; i++)
        free(names[i].path);
    free(names);
    return rc;
}

int finn_plugin_load_path(finn_registry *reg, const char *path, finn_error *err)
{
    struct stat st;
    if (stat(path, &st) != 0)
        return finn_error_set(err, FINN_ERR_PLUGIN, "plugin %s: %s", path, strerror(errno));
    if (S_ISDIR(st.st_mode))
        return finn_plugin_load_dir(reg, path, 0, err);
    return finn_plugin_load(reg, path, err);
}

const char *finn_plugin_default_dir(void)
{
    static char dir[PATH_MAX];
    if (dir[0])
        return dir;
    Dl_info info;
    if (dladdr((void *)finn_plugin_default_dir, &info) && info.dli_fname) {
        char real[PATH_MAX];
        if (realpath(info.dli_fname, real)) {
            char *slash = strrchr(real, '/');
            if (slash)
                *slash = 0;
            const char *tail = "/finn-run/plugins";
            if (strlen(real) + strlen(tail) < sizeof dir) {
                strcpy(dir, real);
                strcat(dir, tail);
                return dir;
            }
        }
    }
    snprintf(dir, sizeof dir, "plugins");
    return dir;
}

int finn_plugin_load_default(finn_registry *reg, finn_error *err)
{
    if (finn_plugin_load_dir(reg, finn_plugin_default_dir(), 1, err) != 0)
        return -1;
    const char *env = getenv("FINN_PLUGIN_PATH");
    if (env && *env) {
        char *copy = finn_xstrdup(env, err);
        if (!copy)
            return -1;
        int rc = 0;
        char *save = NULL;
        for (char *p = strtok_r(copy, ":", &save); p && rc == 0; p = strtok_r(NULL, ":", &save))
            rc = finn_plugin_load_dir(reg, p, 1, err);
        free(copy);
        if (rc != 0)
            return -1;
    }
    return finn_plugin_load_dir(reg, "plugins", 1, err);
}
