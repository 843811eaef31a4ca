/*
 * finn-run - run a FINN dataflow build from a recipe YAML, FINN's
 * dataflow_build_config.json, or a FINN build directory.
 *
 *   finn-run recipe.yaml
 *   finn-run dataflow_build_config.json --model model.onnx
 *   finn-run build_dir/            (dataflow_build_config.json + model.onnx)
 *   finn-run --list-steps | --describe STEP
 *
 * This is the only place that prints errors and chooses exit codes:
 * 0 success, 1 build or input error, 2 usage error, 3 the build ran up to a
 * FINN step that no loaded plugin provides yet and stopped there.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <finn/heap.h>
#include <finn/plugin.h>

#define MAX_LIST 64

typedef struct options {
    const char *config_path;
    const char *model;
    const char *output_dir;
    const char *sets[MAX_LIST];
    size_t n_sets;
    const char *plugins[MAX_LIST];
    size_t n_plugins;
    int list_steps;
    const char *describe;
} options;

static void usage(FILE *f)
{
    fprintf(f,
            "usage: finn-run [options] RECIPE.yaml | dataflow_build_config.json | BUILD_DIR\n"
            "       finn-run --list-steps | --describe STEP\n"
            "options:\n"
            "  --model PATH        model to build (overrides the recipe's 'model')\n"
            "  --output-dir DIR    overrides output_dir\n"
            "  --set KEY=VALUE     set any config key (VALUE is YAML: 10, true, [a, b])\n"
            "  --plugin PATH       load a further plugin file or folder\n"
            "  --list-steps        list every registered step and step list\n"
            "  --describe STEP     print a step's documentation\n"
            "  --version, --help\n");
}

static int parse_args(int argc, char **argv, options *o)
{
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        const char *val = i + 1 < argc ? argv[i + 1] : NULL;
        if (!strcmp(a, "--help") || !strcmp(a, "-h")) {
            usage(stdout);
            exit(0);
        } else if (!strcmp(a, "--version")) {
            printf("finn-run %s (plugin ABI %u)\n", "0.1.0", FINN_ABI_VERSION);
            exit(0);
        } else if (!strcmp(a, "--list-steps")) {
            o->list_steps = 1;
        } else if (!strcmp(a, "--describe") || !strcmp(a, "--model") ||
                   !strcmp(a, "--output-dir") || !strcmp(a, "--set") || !strcmp(a, "--plugin")) {
            if (!val) {
                fprintf(stderr, "finn-run: %s needs a value\n", a);
                return -1;
            }
            i++;
            if (!strcmp(a, "--describe"))
                o->describe = val;
            else if (!strcmp(a, "--model"))
                o->model = val;
            else if (!strcmp(a, "--output-dir"))
                o->output_dir = val;
            else if (!strcmp(a, "--set") && o->n_sets < MAX_LIST)
                o->sets[o->n_sets++] = val;
            else if (!strcmp(a, "--plugin") && o->n_plugins < MAX_LIST)
                o->plugins[o->n_plugins++] = val;
        } else if (a[0] == '-' && a[1]) {
            fprintf(stderr, "finn-run: unknown option %s\n", a);
            return -1;
        } else if (o->config_path) {
            fprintf(stderr, "finn-run: more than one recipe given (%s, %s)\n", o->config_path, a);
            return -1;
        } else {
            o->config_path = a;
        }
    }
    if (!o->config_path && !o->list_steps && !o->describe) {
        fprintf(stderr, "finn-run: no recipe given\n");
        return -1;
    }
    return 0;
}

static void list_steps(const finn_registry *reg)
{
    size_t n = finn_registry_step_count(reg);
    printf("Steps (%zu):\n", n);
    for (size_t i = 0; i < n; i++) {
        const finn_step_desc *s = finn_registry_step_at(reg, i);
        printf("  %-36s %-12s %s\n", s->name, finn_registry_step_plugin(reg, s->name),
               s->summary ? s->summary : "");
    }
    static const char *lists[] = {"default", "estimate_only", "hw_codegen"};
    printf("Step lists:\n");
    for (size_t i = 0; i < sizeof lists / sizeof lists[0]; i++) {
        const char *const *steps;
        size_t c = finn_registry_step_list(reg, lists[i], &steps);
        size_t have = 0;
        for (size_t j = 0; j < c; j++)
            have += finn_registry_step(reg, steps[j]) != NULL;
        printf("  %-36s %zu steps (%zu available)\n", lists[i], c, have);
    }
}

static int describe(const finn_registry *reg, const char *name)
{
    const finn_step_desc *s = finn_registry_step(reg, name);
    if (!s) {
        const char *near = finn_registry_nearest_step(reg, name);
        fprintf(stderr, "finn-run: error: unknown step '%s'%s%s%s\n", name,
                near ? " (did you mean '" : "", near ? near : "", near ? "'?)" : "");
        return 1;
    }
    printf("%s  (plugin %s)\n  %s\n", s->name, finn_registry_step_plugin(reg, name),
           s->summary ? s->summary : "");
    if (s->doc)
        printf("\n%s\n", s->doc);
    return 0;
}

/* FINN's build_dataflow <dir>: the folder holds dataflow_build_config.json
 * and model.onnx. */
static int resolve_build_dir(options *o, char *cfg_buf, size_t n1, char *model_buf, size_t n2)
{
    struct stat st;
    if (stat(o->config_path, &st) != 0 || !S_ISDIR(st.st_mode))
        return 0;
    snprintf(cfg_buf, n1, "%s/dataflow_build_config.json", o->config_path);
    if (stat(cfg_buf, &st) != 0) {
        fprintf(stderr, "finn-run: error: Build config not found: %s\n", cfg_buf);
        return -1;
    }
    if (!o->model) {
        snprintf(model_buf, n2, "%s/model.onnx", o->config_path);
        if (stat(model_buf, &st) != 0) {
            fprintf(stderr, "finn-run: error: ONNX not found: %s\n", model_buf);
            return -1;
        }
        o->model = model_buf;
    }
    o->config_path = cfg_buf;
    return 0;
}

/* A build holds about two copies of its model's weights at its peak (the
 * loaded ones and the rewritten ones), plus about 1 MiB for the plugins'
 * registrations: fault that much heap in at once (finn/heap.h), before the
 * plugins load so that their allocations find it too.  (CNV-w2a2: ~50
 * fewer page faults than without the 1 MiB, peak 16.5 MiB for a 5.9 MiB
 * model; 2 MiB more would cost a whole huge page of peak memory.) */
static void reserve_heap_for(const finn_config *cfg)
{
    const char *model = finn_config_str(cfg, "model");
    struct stat st;
    if (model && stat(model, &st) == 0)
        finn_heap_reserve(2 * (size_t)st.st_size + ((size_t)1 << 20));
}

/* The plugins next to libfinn, then those named with --plugin. */
static int load_plugins(finn_registry *reg, const options *o, finn_error *err)
{
    if (finn_plugin_load_default(reg, err) != 0)
        return -1;
    for (size_t i = 0; i < o->n_plugins; i++)
        if (finn_plugin_load_path(reg, o->plugins[i], err) != 0)
            return -1;
    return 0;
}

static int run(options *o)
{
    finn_error err = {0};
    int rc = 1;
    finn_config *cfg = NULL;
    finn_registry *reg = finn_registry_new(&err);
    if (!reg)
        goto fail;
    if (!o->config_path) {
        if (load_plugins(reg, o, &err) != 0)
            goto fail;
        if (o->list_steps)
            list_steps(reg);
        rc = o->describe ? describe(reg, o->describe) : 0;
        goto out;
    }
    char cfg_buf[4096], model_buf[4096];
    if (resolve_build_dir(o, cfg_buf, sizeof cfg_buf, model_buf, sizeof model_buf) != 0)
        goto out;
    cfg = finn_config_new(&err);
    if (!cfg || finn_config_load(cfg, o->config_path, &err) != 0)
        goto fail;
    for (size_t i = 0; i < finn_config_warning_count(cfg); i++)
        fprintf(stderr, "finn-run: warning: %s\n", finn_config_warning(cfg, i));
    for (size_t i = 0; i < o->n_sets; i++) {
        const char *eq = strchr(o->sets[i], '=');
        if (!eq) {
            fprintf(stderr, "finn-run: --set needs KEY=VALUE, got '%s'\n", o->sets[i]);
            rc = 2;
            goto out;
        }
        char key[256];
        snprintf(key, sizeof key, "%.*s", (int)(eq - o->sets[i]), o->sets[i]);
        if (finn_config_set(cfg, key, eq + 1, &err) != 0)
            goto fail;
    }
    if (o->model && finn_config_set(cfg, "model", o->model, &err) != 0)
        goto fail;
    if (o->output_dir && finn_config_set(cfg, "output_dir", o->output_dir, &err) != 0)
        goto fail;
    if (!o->list_steps && !o->describe)
        reserve_heap_for(cfg);
    if (load_plugins(reg, o, &err) != 0)
        goto fail;
    finn_registry_allow_override(reg, finn_config_bool(cfg, "override_steps"));
    for (size_t i = 0; i < finn_config_list_len(cfg, "plugins"); i++)
        if (finn_plugin_load_path(reg, finn_config_list_item(cfg, "plugins", i), &err) != 0)
            goto fail;
    if (o->list_steps || o->describe) {
        if (o->list_steps)
            list_steps(reg);
        rc = o->describe ? describe(reg, o->describe) : 0;
        goto out;
    }
    if (finn_config_validate(cfg, &err) != 0)
        goto fail;
    finn_build_opts opts = {0};
    if (finn_build_run(reg, cfg, &opts, &err) != 0)
        goto fail;
    rc = 0;
    goto out;
fail:
    fprintf(stderr, "finn-run: error: %s\n", err.msg[0] ? err.msg : "unknown error");
    rc = err.code == FINN_ERR_INCOMPLETE ? 3 : 1;
out:
    finn_config_free(cfg);
    finn_registry_free(reg);
    return rc;
}

int main(int argc, char **argv)
{
    finn_heap_keep_freed();
    options o = {0};
    if (parse_args(argc, argv, &o) != 0) {
        usage(stderr);
        return 2;
    }
    return run(&o);
}
